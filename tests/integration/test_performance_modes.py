"""The performance modes through real HTTP: what each one costs and keeps.

- the user cache (``user_cache_timeout``): a warm request makes no query,
  and saving or deleting a user is seen at the very next request;
- stateless mode: ``request.user`` is a ``TokenUser``, no query at all;
- the tuned profile (token cache, user cache, blocklist with its cache):
  no query in steady state;
- the number of queries per request of every mode, as one table.

Queries are counted on this thread's connection with the sync test client:
it runs async controllers under ``async_to_sync``, which sends every
thread-sensitive ``sync_to_async`` call (the async ORM and the async cache
API included) back to this thread, so both modes are counted alike. One
test repeats the tuned profile with the ``AsyncClient``, where the async
ORM runs in a worker thread.
"""

import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.core.cache import caches
from django.db import connection, connections
from django.test import AsyncClient, Client
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time
from pytest_django import Settings

from dmr_jwt import JWToken
from dmr_jwt._internal.user_cache import user_cache_key
from dmr_jwt.blocklist import store
from dmr_jwt.blocklist.models import BlocklistedJWToken, TokenWatermark
from dmr_jwt.errors import Reason
from tests.app.perf_urls import perf_path
from tests.app.perf_views import OTHER_SECRET, USER_CACHE_TIMEOUT
from tests.blocklist.conftest import require_redis
from tests.conftest import SerializerName, assert_unauthorized
from tests.integration.perf import (
    START,
    Url,
    assert_me,
    bearer,
    encode,
    make_claims,
)

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.urls('tests.app.perf_urls')

#: Spelled out, and checked against the models below, so that a renamed
#: table cannot make the query assertions pass vacuously.
USER_TABLE: Final = 'auth_user'
BLOCKLIST_TABLE: Final = 'dmr_jwt_blocklist_blocklistedjwtoken'
#: "Log out everywhere": checked by the blocklist mixins after the row.
WATERMARK_TABLE: Final = 'dmr_jwt_blocklist_tokenwatermark'

#: Long enough that "not blocklisted" stays in the per-process cache for
#: the whole test: no assertion may depend on how fast the test runs.
_LONG_TTL: Final = 3600

_Requester: TypeAlias = Callable[[str, str], tuple['Response', list[str]]]


def test_table_names() -> None:
    assert User._meta.db_table == USER_TABLE
    assert BlocklistedJWToken._meta.db_table == BLOCKLIST_TABLE
    assert TokenWatermark._meta.db_table == WATERMARK_TABLE


def _table_of(sql: str) -> str:
    for table in (USER_TABLE, BLOCKLIST_TABLE, WATERMARK_TABLE):
        if f'"{table}"' in sql:
            return table
    return sql


@pytest.fixture(autouse=True)
def tuned_settings(settings: Settings) -> Iterator[None]:
    """The blocklist cache of the tuned profile, on an empty cache."""
    settings.DMR_JWT = {
        'BLOCKLIST_CACHE': 'default',
        'BLOCKLIST_MAX_STALENESS': _LONG_TTL,
    }
    caches['default'].clear()
    yield
    caches['default'].clear()


@pytest.fixture
def request_me(client: Client) -> _Requester:
    """GET *path* with the token *encoded*: the response and its tables."""

    def factory(path: str, encoded: str) -> tuple['Response', list[str]]:
        with CaptureQueriesContext(connection) as context:
            response = client.get(path, headers=bearer(encoded))
        return response, [_table_of(query['sql']) for query in context]

    return factory


def _subject(user: User, variant: str) -> str:
    return user.username if variant == 'user-cache-username' else str(user.pk)


# Queries per request, for every mode: the first request and a warm one.


@pytest.mark.django_db
@pytest.mark.parametrize(
    ('variant', 'cold', 'warm'),
    [
        pytest.param('default', [USER_TABLE], [USER_TABLE], id='default'),
        pytest.param(
            'token-cache',
            [USER_TABLE],
            [USER_TABLE],
            id='token-cache',
        ),
        pytest.param('user-cache', [USER_TABLE], [], id='user-cache'),
        pytest.param(
            'user-cache-username',
            [USER_TABLE],
            [],
            id='user-cache-username',
        ),
        pytest.param('stateless', [], [], id='stateless'),
        pytest.param(
            'blocklist',
            [USER_TABLE, BLOCKLIST_TABLE, WATERMARK_TABLE],
            [USER_TABLE],
            id='blocklist',
        ),
        pytest.param(
            'blocklist-stateless',
            [BLOCKLIST_TABLE, WATERMARK_TABLE],
            [],
            id='blocklist-stateless',
        ),
        pytest.param(
            'tuned',
            [USER_TABLE, BLOCKLIST_TABLE, WATERMARK_TABLE],
            [],
            id='tuned',
        ),
    ],
)
def test_queries_per_request(
    *,
    user: User,
    perf_url: Url,
    request_me: _Requester,
    variant: str,
    cold: list[str],
    warm: list[str],
) -> None:
    claims = make_claims(_subject(user, variant))
    # What stateless mode shows as the username; the others ask the user.
    claims['extras']['username'] = user.username
    encoded = encode(claims)

    first, first_tables = request_me(perf_url(variant), encoded)
    steady = [request_me(perf_url(variant), encoded) for _ in range(3)]

    assert_me(first, username=user.username, jti=claims['jti'])
    assert first_tables == cold
    for response, tables in steady:
        assert_me(response, username=user.username, jti=claims['jti'])
        assert tables == warm


# The user cache.


_USER_CACHES: Final = [
    pytest.param('user-cache', id='pk'),
    pytest.param('user-cache-username', id='username'),
]


@pytest.mark.django_db
@pytest.mark.parametrize('variant', _USER_CACHES)
def test_user_cache_serves_each_user_their_own(
    *,
    user: User,
    perf_url: Url,
    request_me: _Requester,
    variant: str,
) -> None:
    other = User.objects.create_user('other_user')
    tokens = {
        cached_user.username: make_claims(_subject(cached_user, variant))
        for cached_user in (user, other)
    }

    for expected_tables in ([USER_TABLE], []):
        for username, claims in tokens.items():
            response, tables = request_me(perf_url(variant), encode(claims))
            body = assert_me(response, username=username, jti=claims['jti'])
            assert body['user_cls'] == 'User'
            assert tables == expected_tables


def _deactivate(user: User) -> None:
    user.is_active = False
    user.save()


def _delete(user: User) -> None:
    user.delete()


@pytest.mark.django_db
@pytest.mark.parametrize('variant', _USER_CACHES)
@pytest.mark.parametrize(
    'change',
    [
        pytest.param(_deactivate, id='deactivated'),
        pytest.param(_delete, id='deleted'),
    ],
)
def test_user_cache_sees_a_lost_user_at_the_next_request(
    *,
    user: User,
    perf_url: Url,
    request_me: _Requester,
    variant: str,
    change: Callable[[User], None],
) -> None:
    claims = make_claims(_subject(user, variant))
    encoded = encode(claims)
    for _ in range(2):
        response, _tables = request_me(perf_url(variant), encoded)
        assert_me(response, username=user.username, jti=claims['jti'])

    change(user)

    response, tables = request_me(perf_url(variant), encoded)
    assert_unauthorized(response, Reason.USER_INACTIVE)
    assert tables == [USER_TABLE]


def _rename(user: User) -> None:
    user.first_name = 'Renamed'
    user.save()


def _login(user: User) -> None:
    user.last_login = dt.datetime.now(dt.UTC)
    user.save(update_fields=['last_login'])


@pytest.mark.django_db
@pytest.mark.parametrize('variant', _USER_CACHES)
@pytest.mark.parametrize(
    'change',
    [
        pytest.param(_rename, id='first-name'),
        pytest.param(_login, id='update-fields'),
    ],
)
def test_user_cache_forgets_a_saved_user(
    *,
    user: User,
    perf_url: Url,
    request_me: _Requester,
    variant: str,
    change: Callable[[User], None],
) -> None:
    claims = make_claims(_subject(user, variant))
    encoded = encode(claims)
    for _ in range(2):
        response, _tables = request_me(perf_url(variant), encoded)
        assert_me(response, username=user.username, jti=claims['jti'])

    change(user)

    # Asked again once, then cached again.
    for expected_tables in ([USER_TABLE], []):
        response, tables = request_me(perf_url(variant), encoded)
        assert_me(response, username=user.username, jti=claims['jti'])
        assert tables == expected_tables


@pytest.mark.django_db
def test_user_cache_sees_a_new_username(
    *,
    user: User,
    perf_url: Url,
    request_me: _Requester,
) -> None:
    claims = make_claims(str(user.pk))
    encoded = encode(claims)
    response, _tables = request_me(perf_url('user-cache'), encoded)
    assert_me(response, username=user.username, jti=claims['jti'])

    user.username = 'renamed_user'
    user.save()

    response, tables = request_me(perf_url('user-cache'), encoded)
    assert_me(response, username='renamed_user', jti=claims['jti'])
    assert tables == [USER_TABLE]


@pytest.mark.django_db
def test_user_cache_forgets_the_old_value_of_the_lookup_field(
    *,
    user: User,
    perf_url: Url,
    request_me: _Requester,
) -> None:
    claims = make_claims(user.username)
    encoded = encode(claims)
    response, _tables = request_me(perf_url('user-cache-username'), encoded)
    assert_me(response, username=user.username, jti=claims['jti'])

    user.username = 'renamed_user'
    user.is_active = False
    user.save()

    # Without the cache: no user is named `test_user` any more.
    response, _tables = request_me(perf_url('user-cache-username'), encoded)
    assert_unauthorized(response, Reason.USER_INACTIVE)


@pytest.mark.django_db
@pytest.mark.parametrize('variant', _USER_CACHES)
def test_user_cache_timeout_bounds_unsignalled_changes(
    *,
    user: User,
    perf_url: Url,
    request_me: _Requester,
    variant: str,
) -> None:
    with freeze_time(START) as clock:
        claims = make_claims(_subject(user, variant))
        encoded = encode(claims)
        response, _tables = request_me(perf_url(variant), encoded)
        assert_me(response, username=user.username, jti=claims['jti'])

        # `QuerySet.update` sends no signal: as documented, the cached
        # user lives until the timeout...
        User.objects.filter(pk=user.pk).update(is_active=False)
        clock.move_to(START + dt.timedelta(seconds=USER_CACHE_TIMEOUT - 1))
        response, tables = request_me(perf_url(variant), encoded)
        assert_me(response, username=user.username, jti=claims['jti'])
        assert tables == []

        # ...and not a second longer.
        clock.move_to(START + dt.timedelta(seconds=USER_CACHE_TIMEOUT))
        response, tables = request_me(perf_url(variant), encoded)
        assert_unauthorized(response, Reason.USER_INACTIVE)
        assert tables == [USER_TABLE]


@pytest.fixture
def redis_user_key(settings: Settings, user: User) -> Iterator[str]:
    """The key of *user* in Redis, removed afterwards (the server stays)."""
    require_redis(settings)
    key = user_cache_key('pk', str(user.pk))
    caches['redis'].delete(key)
    yield key
    caches['redis'].delete(key)


@pytest.mark.django_db
@pytest.mark.parametrize(
    'change',
    [
        pytest.param(_deactivate, id='deactivated'),
        pytest.param(_delete, id='deleted'),
    ],
)
def test_user_cache_in_redis(
    *,
    user: User,
    perf_url: Url,
    request_me: _Requester,
    redis_user_key: str,
    change: Callable[[User], None],
) -> None:
    claims = make_claims(str(user.pk))
    encoded = encode(claims)
    for expected_tables in ([USER_TABLE], []):
        response, tables = request_me(perf_url('user-cache-redis'), encoded)
        assert_me(response, username=user.username, jti=claims['jti'])
        assert tables == expected_tables
    assert caches['redis'].get(redis_user_key) == user

    change(user)

    assert caches['redis'].get(redis_user_key) is None
    response, tables = request_me(perf_url('user-cache-redis'), encoded)
    assert_unauthorized(response, Reason.USER_INACTIVE)
    assert tables == [USER_TABLE]


# The tuned profile, with a real event loop: the `AsyncClient`.


@pytest.fixture
async def worker_connections() -> AsyncIterator[None]:
    """Close the connections that the async ORM opened in its thread."""
    yield
    await sync_to_async(connections.close_all)()


@contextlib.contextmanager
def _capture_tables() -> Iterator[list[str]]:
    tables: list[str] = []
    with CaptureQueriesContext(connection) as context:
        yield tables
    tables.extend(_table_of(query['sql']) for query in context)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures('worker_connections')
async def test_tuned_steady_state_async_client(
    *,
    async_client: AsyncClient,
    user: User,
    serializer: SerializerName,
) -> None:
    claims = make_claims(str(user.pk))
    path = perf_path(serializer, 'tuned', 'async')

    async def request_tables() -> tuple[Any, list[str]]:
        # Under a real event loop the async ORM runs in a worker thread,
        # with its own connection: entering and leaving the capture
        # through `sync_to_async` captures that very connection. The
        # first request proves it (its queries are seen).
        capture = _capture_tables()
        tables = await sync_to_async(capture.__enter__)()
        try:
            response = await async_client.get(
                path,
                headers=bearer(encode(claims)),
            )
        finally:
            await sync_to_async(capture.__exit__)(None, None, None)
        return response, tables

    for expected_tables in (
        [USER_TABLE, BLOCKLIST_TABLE, WATERMARK_TABLE],
        [],
        [],
    ):
        response, tables = await request_tables()
        assert response.status_code == 200, response.content
        assert response.json()['jti'] == claims['jti']
        assert tables == expected_tables


@pytest.mark.django_db
def test_tuned_profile_still_revokes_and_deactivates(
    *,
    user: User,
    perf_url: Url,
    request_me: _Requester,
) -> None:
    claims, other_claims = make_claims(str(user.pk)), make_claims(str(user.pk))
    encoded, other = encode(claims), encode(other_claims)
    for _ in range(2):
        response, _tables = request_me(perf_url('tuned'), encoded)
        assert_me(response, username=user.username, jti=claims['jti'])

    store.get_store().blocklist(JWToken.from_claims(claims))

    response, tables = request_me(perf_url('tuned'), encoded)
    assert_unauthorized(response, Reason.REVOKED)
    assert tables == []
    response, _tables = request_me(perf_url('tuned'), other)
    assert_me(response, username=user.username, jti=other_claims['jti'])

    _deactivate(user)

    response, _tables = request_me(perf_url('tuned'), other)
    assert_unauthorized(response, Reason.USER_INACTIVE)


# Stateless mode.


@pytest.mark.parametrize(
    ('extras', 'username'),
    [
        pytest.param({}, '42', id='no-username'),
        pytest.param({'username': 'alice'}, 'alice', id='username'),
        pytest.param({'username': 7}, '42', id='username-not-a-string'),
    ],
)
def test_stateless_user_comes_from_the_token(
    *,
    client: Client,
    perf_url: Url,
    extras: dict[str, Any],
    username: str,
) -> None:
    # No `django_db` mark: any query would fail the request, the first
    # one included.
    claims = make_claims('42')
    claims['extras'].update(extras)
    encoded = encode(claims)

    for _ in range(3):
        body = assert_me(
            client.get(perf_url('stateless'), headers=bearer(encoded)),
            username=username,
            jti=claims['jti'],
        )
        assert body['pk'] == '42'
        assert body['user_cls'] == 'TokenUser'


@pytest.mark.parametrize(
    ('secret', 'token_type', 'reason'),
    [
        pytest.param(
            OTHER_SECRET, 'access', Reason.INVALID_SIGNATURE, id='forged'
        ),
        pytest.param(None, 'refresh', Reason.WRONG_TYPE, id='refresh'),
    ],
)
def test_stateless_still_verifies_tokens(
    *,
    client: Client,
    perf_url: Url,
    secret: str | None,
    token_type: str,
    reason: Reason,
) -> None:
    encoded = encode(make_claims('42', token_type=token_type), secret)

    assert_unauthorized(
        client.get(perf_url('stateless'), headers=bearer(encoded)),
        reason,
    )


@pytest.mark.django_db
def test_stateless_deleted_user_keeps_access(
    *,
    client: Client,
    user: User,
    perf_url: Url,
) -> None:
    # The documented trade-off: nothing about the user is checked.
    claims = make_claims(str(user.pk))
    pk = str(user.pk)
    user.delete()

    body = assert_me(
        client.get(perf_url('stateless'), headers=bearer(encode(claims))),
        username=pk,
        jti=claims['jti'],
    )
    assert body['pk'] == pk


@pytest.mark.django_db
def test_stateless_blocklist_still_revokes(
    *,
    client: Client,
    perf_url: Url,
) -> None:
    claims = make_claims('42')
    encoded = encode(claims)
    path = perf_url('blocklist-stateless')
    assert_me(
        client.get(path, headers=bearer(encoded)),
        username='42',
        jti=claims['jti'],
    )

    store.get_store().blocklist(JWToken.from_claims(claims))

    assert_unauthorized(
        client.get(path, headers=bearer(encoded)),
        Reason.REVOKED,
    )
