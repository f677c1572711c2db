"""The blocklist mixins through real HTTP: auth classes and refresh.

Every HTTP test runs for both serializers and both sync and async
controllers (the ``bl_url`` fixture), most of them also for every database
and cache behind the blocklist (the ``blocklist_backend`` fixture).
Django's test client re-raises server errors, so each exact status code
also proves that nothing crashed.
"""

import contextlib
import datetime as dt
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.cache import caches
from django.db import connections
from django.test import AsyncClient, Client
from django.test.utils import CaptureQueriesContext
from dmr.exceptions import NotAuthenticatedError
from pytest_django import Settings

from dmr_jwt import JWToken
from dmr_jwt.blocklist import store
from dmr_jwt.blocklist.models import BlocklistedJWToken, TokenWatermark
from dmr_jwt.errors import Reason
from tests.app.blocklist_views import BlocklistAsyncAuth, BlocklistSyncAuth
from tests.blocklist.conftest import (
    BlocklistBackend,
    require_redis,
    unstamped,
)
from tests.conftest import (
    PASSWORD,
    Mode,
    SerializerName,
    assert_token_error,
    assert_unauthorized,
)

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.urls('tests.app.blocklist_urls')

Url: TypeAlias = Callable[[str], str]

#: The table that must stay untouched in steady state. Spelled out (and
#: checked against the model below) so that a renamed table cannot make
#: the query assertions pass vacuously.
BLOCKLIST_TABLE: Final = 'dmr_jwt_blocklist_blocklistedjwtoken'

#: The "log out everywhere" table, checked by the same mixins.
WATERMARK_TABLE: Final = 'dmr_jwt_blocklist_tokenwatermark'

#: Long enough that "not blocklisted" stays in a per-process cache for the
#: whole test: no assertion may depend on how fast the test runs.
_LONG_TTL: Final = 3600

_REPO_ROOT: Final = Path(__file__).resolve().parents[2]

#: ``jti`` values that cannot be blocklisted: missing, empty, too long.
_UNUSABLE_JTIS: Final = [
    pytest.param(None, id='no-jti'),
    pytest.param('', id='empty-jti'),
    pytest.param('j' * 256, id='too-long-jti'),
]


@pytest.fixture
def bl_url(serializer: SerializerName, mode: Mode) -> Url:
    """Build ``/blocklist/<serializer>/<name>/<mode>/`` for the axes."""

    def factory(name: str) -> str:
        return f'/blocklist/{serializer}/{name}/{mode}/'

    return factory


def _new_jti() -> str:
    return uuid.uuid4().hex


def _token(
    user: User,
    *,
    jti: str | None,
    token_type: str = 'access',  # noqa: S107
) -> JWToken:
    """A valid token for *user*; *jti* ``None`` leaves the claim out."""
    now = dt.datetime.now(dt.UTC)
    return JWToken(
        sub=str(user.pk),
        exp=now + dt.timedelta(hours=1),
        iat=now,
        jti=jti,
        extras={'type': token_type},
    )


def _encode(token: JWToken) -> str:
    return token.encode(django_settings.SECRET_KEY, 'HS256')


def _bearer(encoded: str) -> dict[str, str]:
    return {'Authorization': f'Bearer {encoded}'}


def _post(client: Client, path: str, body: object) -> 'Response':
    return client.post(path, body, content_type='application/json')


def _assert_refresh_rejects(response: Any, reason: Reason) -> None:
    # A refresh controller has no auth class: no challenge.
    assert_unauthorized(response, reason, scheme=None)


def _assert_me_rejects(response: Any, reason: Reason) -> None:
    assert_unauthorized(response, reason)


def _assert_me_accepts(response: Any, user: User, jti: str) -> None:
    assert response.status_code == 200, response.content
    assert response.json() == {'username': user.username, 'jti': jti}


def _use_backend(settings: Settings, **dmr_jwt: object) -> None:
    # Assigned, never mutated in place: assignment sends `setting_changed`,
    # which makes the store resolve its settings again.
    settings.DMR_JWT = {**getattr(settings, 'DMR_JWT', {}), **dmr_jwt}


def test_blocklist_table_name() -> None:
    assert BlocklistedJWToken._meta.db_table == BLOCKLIST_TABLE
    assert TokenWatermark._meta.db_table == WATERMARK_TABLE


# Logout: the token is revoked, and only that token.


@pytest.mark.django_db(databases='__all__')
def test_logout_revokes_exactly_that_token(
    *,
    client: Client,
    user: User,
    bl_url: Url,
    blocklist_backend: BlocklistBackend,
) -> None:
    jti, other_jti = _new_jti(), _new_jti()
    token = _token(user, jti=jti)
    encoded, other_encoded = (
        _encode(token),
        _encode(_token(user, jti=other_jti)),
    )
    _assert_me_accepts(
        client.get(bl_url('me'), headers=_bearer(encoded)),
        user,
        jti,
    )

    logout = client.post(bl_url('logout'), headers=_bearer(encoded))

    assert logout.status_code == 200, logout.content
    assert logout.json() == {'jti': jti, 'created': True}
    _assert_me_rejects(
        client.get(bl_url('me'), headers=_bearer(encoded)),
        Reason.REVOKED,
    )
    _assert_me_rejects(
        client.post(bl_url('logout'), headers=_bearer(encoded)),
        Reason.REVOKED,
    )
    _assert_me_accepts(
        client.get(bl_url('me'), headers=_bearer(other_encoded)),
        user,
        other_jti,
    )
    rows = BlocklistedJWToken.objects.using(blocklist_backend.database)
    assert list(rows.values_list('jti', 'sub', 'expires_at')) == [
        (jti, str(user.pk), token.exp),
    ]


@pytest.mark.django_db(databases='__all__')
def test_logout_blocks_the_token_in_the_cache_too(
    *,
    client: Client,
    user: User,
    bl_url: Url,
    blocklist_backend: BlocklistBackend,
) -> None:
    jti = _new_jti()
    encoded = _encode(_token(user, jti=jti))

    logout = client.post(bl_url('logout'), headers=_bearer(encoded))

    assert logout.status_code == 200, logout.content
    # Without the database row the cache alone must still reject it:
    # the block was written through.
    BlocklistedJWToken.objects.using(blocklist_backend.database).all().delete()
    response = client.get(bl_url('me'), headers=_bearer(encoded))
    if blocklist_backend.cache is None:
        _assert_me_accepts(response, user, jti)
    else:
        assert caches[blocklist_backend.cache].get(store.cache_key(jti))
        _assert_me_rejects(response, Reason.REVOKED)


# Tokens that cannot be revoked are refused by the blocklist auth.


@pytest.mark.django_db
@pytest.mark.parametrize('jti', _UNUSABLE_JTIS)
def test_token_without_usable_jti(
    *,
    client: Client,
    user: User,
    bl_url: Url,
    serializer: SerializerName,
    mode: Mode,
    jti: str | None,
) -> None:
    encoded = _encode(_token(user, jti=jti))

    _assert_me_rejects(
        client.get(bl_url('me'), headers=_bearer(encoded)),
        Reason.MISSING_CLAIM,
    )
    _assert_me_rejects(
        client.post(bl_url('logout'), headers=_bearer(encoded)),
        Reason.MISSING_CLAIM,
    )
    # The plain auth (`verify_jwt_id=True` only checks the type of a `jti`
    # that is there) accepts the very same token.
    _assert_me_accepts(
        client.get(
            f'/api/{serializer}/me/{mode}/',
            headers=_bearer(encoded),
        ),
        user,
        jti or '',
    )
    assert not BlocklistedJWToken.objects.exists()


def _blocklist_with_auth(mode: Mode, token: JWToken) -> tuple[Any, bool]:
    if mode == 'sync':
        return BlocklistSyncAuth().blocklist(token)
    return async_to_sync(BlocklistAsyncAuth().blocklist)(token)


@pytest.mark.django_db
@pytest.mark.parametrize('jti', _UNUSABLE_JTIS)
def test_auth_blocklist_without_usable_jti_raises(
    *,
    mode: Mode,
    user: User,
    jti: str | None,
) -> None:
    token = _token(user, jti=jti)

    with pytest.raises(NotAuthenticatedError) as exc_info:
        _blocklist_with_auth(mode, token)

    assert_token_error(exc_info.value, Reason.MISSING_CLAIM)
    # `from None`: the store's error stays out of debug pages.
    assert exc_info.value.__cause__ is None
    assert exc_info.value.__suppress_context__
    assert not BlocklistedJWToken.objects.exists()


@pytest.mark.django_db
def test_auth_blocklist_twice_returns_the_same_row(
    *,
    mode: Mode,
    user: User,
) -> None:
    token = _token(user, jti=_new_jti())

    first, first_created = _blocklist_with_auth(mode, token)
    second, second_created = _blocklist_with_auth(mode, token)

    assert (first_created, second_created) == (True, False)
    assert first.pk == second.pk
    assert BlocklistedJWToken.objects.get().jti == token.jti


# Steady state: revocation costs no query.


@contextlib.contextmanager
def _capture_queries() -> Iterator[Callable[[], list[str]]]:
    """Capture the SQL of every database alias, on this thread's connections.

    The connections are resolved here, in the thread that enters the
    context, and then captured as objects: the caller decides which thread
    that is (see the async test below).
    """
    with contextlib.ExitStack() as stack:
        captured = [
            stack.enter_context(CaptureQueriesContext(connections[alias]))
            for alias in django_settings.DATABASES
        ]
        yield lambda: [
            query['sql'] for context in captured for query in context
        ]


def _assert_one_lookup_and_revocation_queries(
    sql: list[str],
    *,
    cache: str | None,
) -> None:
    revocation = [
        query
        for query in sql
        if BLOCKLIST_TABLE in query or WATERMARK_TABLE in query
    ]
    others = [query for query in sql if query not in revocation]
    # One user lookup, and nothing else...
    assert len(others) == 1, sql
    assert 'auth_user' in others[0]
    # ...but for the revocation tables: never with a cache, both (the
    # token's row and the user's watermark) every time without one
    # (which proves that the checks are real).
    assert len(revocation) == (0 if cache else 2), sql


@pytest.mark.django_db(databases='__all__')
def test_steady_state_runs_no_revocation_query(
    *,
    client: Client,
    user: User,
    bl_url: Url,
    settings: Settings,
    blocklist_backend: BlocklistBackend,
) -> None:
    _use_backend(settings, BLOCKLIST_MAX_STALENESS=_LONG_TTL)
    jti = _new_jti()
    encoded = _encode(_token(user, jti=jti))
    warm_up = client.get(bl_url('me'), headers=_bearer(encoded))
    _assert_me_accepts(warm_up, user, jti)

    # The sync test client runs async controllers under `async_to_sync`,
    # which sends every thread-sensitive `sync_to_async` call (the async
    # ORM included) back to this thread: this thread's connections see
    # the queries of both modes.
    with _capture_queries() as sql:
        response = client.get(bl_url('me'), headers=_bearer(encoded))

    _assert_me_accepts(response, user, jti)
    _assert_one_lookup_and_revocation_queries(
        sql(),
        cache=blocklist_backend.cache,
    )


@pytest.fixture
async def worker_connections() -> AsyncIterator[None]:
    """Close the connections that the async ORM opened in its thread."""
    yield
    # Else the test database of PostgreSQL cannot be dropped at the end.
    await sync_to_async(connections.close_all)()


@pytest.mark.django_db(transaction=True, databases='__all__')
@pytest.mark.usefixtures('worker_connections')
async def test_steady_state_runs_no_revocation_query_async_client(
    *,
    async_client: AsyncClient,
    user: User,
    serializer: SerializerName,
    settings: Settings,
    blocklist_backend: BlocklistBackend,
) -> None:
    _use_backend(settings, BLOCKLIST_MAX_STALENESS=_LONG_TTL)
    jti = _new_jti()
    encoded = _encode(_token(user, jti=jti))
    path = f'/blocklist/{serializer}/me/async/'
    warm_up = await async_client.get(path, headers=_bearer(encoded))
    _assert_me_accepts(warm_up, user, jti)

    # Under a real event loop the async ORM runs its queries in a worker
    # thread, with that thread's own connections (`transaction=True`: they
    # see the committed user). The `AsyncClient`, unlike Django's ASGI
    # handler, opens no `ThreadSensitiveContext`, so asgiref runs every
    # thread-sensitive `sync_to_async` call, the ORM's and ours, in one
    # shared thread: entering and leaving the capture through
    # `sync_to_async` captures exactly the connections that the request
    # uses. Should that ever change, the "one user lookup" assertion fails
    # instead of passing vacuously.
    capture = _capture_queries()
    sql = await sync_to_async(capture.__enter__)()
    try:
        response = await async_client.get(path, headers=_bearer(encoded))
    finally:
        await sync_to_async(capture.__exit__)(None, None, None)

    _assert_me_accepts(response, user, jti)
    _assert_one_lookup_and_revocation_queries(
        sql(),
        cache=blocklist_backend.cache,
    )


# Two servers, one blocklist: a shared cache sees a block at once.


def _cache_config(kind: Literal['shared', 'per-process'], server: str) -> Any:
    if kind == 'shared':
        # Two aliases, two clients, one Redis: like two servers.
        return dict(django_settings.CACHES['redis'])
    return {
        'BACKEND': 'django.core.cache.backends.locmem.LocMemCache',
        'LOCATION': f'dmr-jwt-tests-{server}',
    }


def _serve_as(settings: Settings, server: str) -> None:
    _use_backend(settings, BLOCKLIST_CACHE=server)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ('kind', 'status_on_other_server'),
    [
        # Every block writes through to the cache that both servers read.
        pytest.param('shared', 401, id='redis'),
        # The other server keeps its own "not blocked" answer until
        # BLOCKLIST_MAX_STALENESS ends: what `dmr_jwt.W001` warns about.
        pytest.param('per-process', 200, id='locmem'),
    ],
)
def test_block_on_one_server_reaches_another(
    *,
    client: Client,
    user: User,
    bl_url: Url,
    settings: Settings,
    kind: Literal['shared', 'per-process'],
    status_on_other_server: int,
) -> None:
    if kind == 'shared':
        require_redis(settings)
    settings.CACHES = {
        **settings.CACHES,
        'server-a': _cache_config(kind, 'a'),
        'server-b': _cache_config(kind, 'b'),
    }
    _use_backend(settings, BLOCKLIST_MAX_STALENESS=_LONG_TTL)
    for server in ('server-a', 'server-b'):
        caches[server].clear()
    jti = _new_jti()
    encoded = _encode(_token(user, jti=jti))
    _serve_as(settings, 'server-b')
    _assert_me_accepts(
        client.get(bl_url('me'), headers=_bearer(encoded)),
        user,
        jti,
    )
    assert unstamped(caches['server-b'].get(store.cache_key(jti))) is False

    _serve_as(settings, 'server-a')
    logout = client.post(bl_url('logout'), headers=_bearer(encoded))
    assert logout.status_code == 200, logout.content
    _serve_as(settings, 'server-b')
    response = client.get(bl_url('me'), headers=_bearer(encoded))

    if status_on_other_server == 401:
        _assert_me_rejects(response, Reason.REVOKED)
    else:
        _assert_me_accepts(response, user, jti)
    # A restart (an empty cache) asks the database: still blocked.
    caches['server-b'].clear()
    _assert_me_rejects(
        client.get(bl_url('me'), headers=_bearer(encoded)),
        Reason.REVOKED,
    )
    for server in ('server-a', 'server-b'):
        caches[server].clear()


# Refresh tokens.


def _obtain(client: Client, bl_url: Url, user: User) -> dict[str, str]:
    response = _post(
        client,
        bl_url('obtain'),
        {'username': user.username, 'password': PASSWORD},
    )
    assert response.status_code == 200, response.content
    return response.json()  # type: ignore[no-any-return]


def _refresh(client: Client, path: str, refresh_token: str) -> 'Response':
    return _post(client, path, {'refresh_token': refresh_token})


@pytest.mark.django_db(databases='__all__')
def test_refresh_rejects_blocklisted_refresh_token(
    *,
    client: Client,
    user: User,
    bl_url: Url,
    blocklist_backend: BlocklistBackend,
) -> None:
    blocked = _obtain(client, bl_url, user)['refresh_token']
    store.get_store().blocklist(
        JWToken.decode(blocked, django_settings.SECRET_KEY, 'HS256'),
    )

    _assert_refresh_rejects(
        _refresh(client, bl_url('refresh'), blocked),
        Reason.REVOKED,
    )

    fresh = _obtain(client, bl_url, user)['refresh_token']
    refreshed = _refresh(client, bl_url('refresh'), fresh)
    assert refreshed.status_code == 200, refreshed.content
    assert set(refreshed.json()) == {'access_token', 'refresh_token'}
    # The blocked one stays blocked: the success above changed nothing.
    _assert_refresh_rejects(
        _refresh(client, bl_url('refresh'), blocked),
        Reason.REVOKED,
    )


@pytest.mark.django_db
@pytest.mark.parametrize('jti', _UNUSABLE_JTIS)
def test_refresh_rejects_refresh_token_without_usable_jti(
    *,
    client: Client,
    user: User,
    bl_url: Url,
    serializer: SerializerName,
    mode: Mode,
    jti: str | None,
) -> None:
    encoded = _encode(_token(user, jti=jti, token_type='refresh'))

    _assert_refresh_rejects(
        _refresh(client, bl_url('refresh'), encoded),
        Reason.MISSING_CLAIM,
    )
    # Without the mixin, the same refresh token is fine.
    plain = _refresh(client, f'/api/{serializer}/refresh/{mode}/', encoded)
    assert plain.status_code == 200, plain.content


# Revocation survives the process: the database is the source of truth.

_IN_ANOTHER_PROCESS: Final = """
import datetime as dt
import json
import sys

import django

django.setup()

from django.core.management import call_command

from dmr_jwt import JWToken
from dmr_jwt.blocklist import store

action, *jtis = sys.argv[1:]
exp = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
tokens = [JWToken(sub='1', exp=exp, jti=jti) for jti in jtis]
revocations = store.get_store()
if action == 'block':
    call_command('migrate', run_syncdb=True, verbosity=0)
    print(json.dumps([revocations.blocklist(token)[1] for token in tokens]))
else:
    print(json.dumps([revocations.is_blocklisted(token) for token in tokens]))
"""


def _run_in_new_process(database: Path, *args: str) -> Any:
    env = {
        name: env_value
        for name, env_value in os.environ.items()
        # Only the SQLite file and the process's own local memory cache:
        # nothing else is shared between the two processes.
        if name not in {'DMR_JWT_TEST_POSTGRES', 'DMR_JWT_TEST_REDIS'}
    }
    env.update(
        DJANGO_SETTINGS_MODULE='tests.settings',
        DMR_JWT_TEST_SQLITE=str(database),
        PYTHONPATH=os.pathsep.join(
            [str(_REPO_ROOT), str(_REPO_ROOT / 'src')],
        ),
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, '-W', 'error', '-c', _IN_ANOTHER_PROCESS, *args],
        cwd=_REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_blocklisted_token_stays_blocked_in_a_new_process(
    tmp_path: Path,
) -> None:
    # Two real processes share nothing but a SQLite file: the pytest test
    # database (in memory, or a `test_` copy of a file) is not involved.
    # The first creates the schema itself and blocklists a token; the
    # second, with a new and empty local memory cache, must find the block
    # in the database, and must not report the token that was not blocked.
    database = tmp_path / 'blocklist.sqlite3'
    blocked, not_blocked = uuid.uuid4().hex, uuid.uuid4().hex

    assert _run_in_new_process(database, 'block', blocked) == [True]
    assert _run_in_new_process(database, 'check', blocked, not_blocked) == [
        True,
        False,
    ]


@pytest.mark.django_db
def test_a_revoked_token_stays_revoked_for_as_long_as_leeway_accepts_it() -> (
    None
):
    # With `leeway`, the auth accepts a token `leeway` seconds after `exp`:
    # its blocklist row (and cached answer) must live that long too.
    auth = BlocklistSyncAuth(leeway=120)
    token = JWToken(
        sub='1',
        exp=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30),
        jti='c' * 32,
        extras={'type': 'access'},
    )

    row, created = auth.blocklist(token)

    assert created
    assert row.expires_at == token.exp + dt.timedelta(seconds=120)
    never_expiring = BlocklistSyncAuth(verify_expiry=False)
    other = JWToken(
        sub='1',
        exp=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30),
        jti='d' * 32,
        extras={'type': 'access'},
    )
    forever_row, _ = never_expiring.blocklist(other)
    assert forever_row.expires_at > other.exp + dt.timedelta(days=365 * 50)
