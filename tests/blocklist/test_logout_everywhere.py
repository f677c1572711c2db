"""Log out everywhere: one watermark per user revokes every older token.

Through real HTTP (the blocklist controllers of
:mod:`tests.app.blocklist_views`, both serializers, sync and async) and
through the store, for every database and cache behind it.
"""

import datetime as dt
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.cache import caches
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django import Settings

from dmr_jwt import JWToken
from dmr_jwt.blocklist import (
    arevoke_all_tokens,
    revoke_all_tokens,
    store,
)
from dmr_jwt.blocklist.models import TokenWatermark
from dmr_jwt.errors import Reason
from tests.blocklist.conftest import BlocklistBackend, committed, require_redis
from tests.conftest import Mode, SerializerName, assert_unauthorized

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.urls('tests.app.blocklist_urls')

Url: TypeAlias = Callable[[str], str]

WATERMARK_TABLE: Final = 'dmr_jwt_blocklist_tokenwatermark'

#: Long enough that a per-process cache keeps every answer for the test.
_LONG_TTL: Final = 3600

#: Tokens "issued before" the logout were issued this long ago.
_OLD: Final = dt.timedelta(seconds=20)

#: The logout happened this long ago: tokens issued now are newer.
_LOGOUT_AGO: Final = dt.timedelta(seconds=10)


@pytest.fixture
def bl_url(serializer: SerializerName, mode: Mode) -> Url:
    """Build ``/blocklist/<serializer>/<name>/<mode>/`` for the axes."""

    def factory(name: str) -> str:
        return f'/blocklist/{serializer}/{name}/{mode}/'

    return factory


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _token(
    sub: str,
    *,
    issued_at: dt.datetime,
    token_type: str = 'access',  # noqa: S107
) -> JWToken:
    return JWToken(
        sub=sub,
        exp=_now() + dt.timedelta(hours=1),
        iat=issued_at,
        jti=uuid.uuid4().hex,
        extras={'type': token_type},
    )


def _encode(token: JWToken) -> str:
    return token.encode(django_settings.SECRET_KEY, 'HS256')


def _me(client: Client, bl_url: Url, token: JWToken) -> 'Response':
    return client.get(
        bl_url('me'),
        headers={'Authorization': f'Bearer {_encode(token)}'},
    )


def _refresh(client: Client, bl_url: Url, token: JWToken) -> 'Response':
    return client.post(
        bl_url('refresh'),
        {'refresh_token': _encode(token)},
        content_type='application/json',
    )


def _revoke_all(mode: Mode, sub: str, now: dt.datetime) -> dt.datetime:
    if mode == 'async':
        return async_to_sync(store.arevoke_all)(sub, now=now)
    with committed():
        return store.revoke_all(sub, now=now)


def _is_revoked(mode: Mode, token: JWToken) -> bool:
    if mode == 'async':
        return async_to_sync(store.get_store().ais_revoked_by_watermark)(token)
    return store.get_store().is_revoked_by_watermark(token)


def _use_backend(settings: Settings, **dmr_jwt: object) -> None:
    settings.DMR_JWT = {**getattr(settings, 'DMR_JWT', {}), **dmr_jwt}


def test_watermark_table_name() -> None:
    assert TokenWatermark._meta.db_table == WATERMARK_TABLE


@pytest.mark.django_db(databases='__all__')
def test_revokes_every_earlier_token_of_that_user_only(
    *,
    client: Client,
    user: User,
    bl_url: Url,
    mode: Mode,
    settings: Settings,
    blocklist_backend: BlocklistBackend,
) -> None:
    _use_backend(settings, BLOCKLIST_MAX_STALENESS=_LONG_TTL)
    other = User.objects.create_user('other_user', password='unused-pw')
    sub, old = str(user.pk), _now() - _OLD
    access = _token(sub, issued_at=old)
    refresh = _token(sub, issued_at=old, token_type='refresh')
    others = _token(str(other.pk), issued_at=old)
    # Warm up: "no watermark" is cached now, and must not survive.
    assert _me(client, bl_url, access).status_code == 200

    _revoke_all(mode, sub, _now() - _LOGOUT_AGO)

    assert_unauthorized(_me(client, bl_url, access), Reason.REVOKED)
    assert_unauthorized(
        _refresh(client, bl_url, refresh),
        Reason.REVOKED,
        scheme=None,
    )
    assert _me(client, bl_url, others).status_code == 200
    newer = _token(sub, issued_at=_now())
    assert _me(client, bl_url, newer).status_code == 200
    refreshed = _refresh(
        client,
        bl_url,
        _token(sub, issued_at=_now(), token_type='refresh'),
    )
    assert refreshed.status_code == 200, refreshed.content


@pytest.mark.django_db(databases='__all__')
@pytest.mark.parametrize(
    'logout_at',
    [
        pytest.param(1_700_000_000.0, id='whole-second'),
        pytest.param(1_700_000_000.999, id='late-in-the-second'),
    ],
)
def test_tokens_of_the_logout_second_are_revoked(
    *,
    mode: Mode,
    logout_at: float,
    blocklist_backend: BlocklistBackend,
) -> None:
    logout = dt.datetime.fromtimestamp(logout_at, dt.UTC)

    not_before = _revoke_all(mode, '42', logout)

    assert not_before == dt.datetime.fromtimestamp(1_700_000_001, dt.UTC)
    row = TokenWatermark.objects.using(blocklist_backend.database).get()
    assert (row.sub, row.not_before) == ('42', not_before)
    same_second = _token('42', issued_at=logout)
    next_second = _token('42', issued_at=not_before)
    assert _is_revoked(mode, same_second)
    assert not _is_revoked(mode, next_second)
    # From the database too, not only from the written-through cache.
    if blocklist_backend.cache is not None:
        caches[blocklist_backend.cache].clear()
    assert _is_revoked(mode, same_second)
    assert not _is_revoked(mode, next_second)


@pytest.mark.django_db(databases='__all__')
def test_the_latest_logout_wins_in_one_row(
    *,
    mode: Mode,
    blocklist_backend: BlocklistBackend,
) -> None:
    token = _token('42', issued_at=_now() - _OLD)
    _revoke_all(mode, '42', _now() - 2 * _OLD)
    assert not _is_revoked(mode, token)

    _revoke_all(mode, '42', _now() - _LOGOUT_AGO)

    assert _is_revoked(mode, token)
    rows = TokenWatermark.objects.using(blocklist_backend.database)
    assert rows.count() == 1


@pytest.mark.django_db(databases='__all__')
def test_survives_a_restart(
    *,
    mode: Mode,
    blocklist_backend: BlocklistBackend,
) -> None:
    token = _token('42', issued_at=_now() - _OLD)
    _revoke_all(mode, '42', _now() - _LOGOUT_AGO)
    for alias in django_settings.CACHES:
        caches[alias].clear()

    assert _is_revoked(mode, token)


@pytest.mark.django_db(databases='__all__')
def test_revoke_all_writes_only_the_watermark(
    *,
    mode: Mode,
    blocklist_backend: BlocklistBackend,
) -> None:
    with CaptureQueriesContext(
        connections[blocklist_backend.database],
    ) as captured:
        _revoke_all(mode, '42', _now())

    sql = [
        query['sql']
        for query in captured
        if 'SAVEPOINT' not in query['sql'].upper()
    ]
    assert sql, 'the capture saw no query'
    assert all(WATERMARK_TABLE in query for query in sql), sql
    assert sum(not query.startswith('SELECT') for query in sql) == 1, sql


@pytest.mark.django_db(databases='__all__')
def test_steady_state_runs_no_watermark_query(
    *,
    client: Client,
    user: User,
    bl_url: Url,
    settings: Settings,
    blocklist_backend: BlocklistBackend,
) -> None:
    _use_backend(settings, BLOCKLIST_MAX_STALENESS=_LONG_TTL)
    sub = str(user.pk)
    revoked = _token(sub, issued_at=_now() - _OLD)
    _revoke_all('sync', sub, _now() - _LOGOUT_AGO)
    valid = _token(sub, issued_at=_now())
    assert _me(client, bl_url, valid).status_code == 200  # warm-up

    with CaptureQueriesContext(
        connections[blocklist_backend.database],
    ) as captured:
        rejected = _me(client, bl_url, revoked)
        accepted = _me(client, bl_url, valid)

    assert_unauthorized(rejected, Reason.REVOKED)
    assert accepted.status_code == 200, accepted.content
    watermark_queries = [
        query['sql'] for query in captured if WATERMARK_TABLE in query['sql']
    ]
    # Never with a cache; every time without one (the check is real).
    expected = 0 if blocklist_backend.cache else 2
    assert len(watermark_queries) == expected, watermark_queries


def _cache_config(kind: Literal['shared', 'per-process'], server: str) -> Any:
    if kind == 'shared':
        # Two aliases, two clients, one Redis: like two servers.
        return dict(django_settings.CACHES['redis'])
    return {
        'BACKEND': 'django.core.cache.backends.locmem.LocMemCache',
        'LOCATION': f'dmr-jwt-watermark-tests-{server}',
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ('kind', 'status_on_other_server'),
    [
        # The watermark is written through to the cache both servers read.
        pytest.param('shared', 401, id='redis'),
        # The other server keeps its cached "no watermark" until
        # BLOCKLIST_MAX_STALENESS ends: what `dmr_jwt.W001` warns about.
        pytest.param('per-process', 200, id='locmem'),
    ],
)
def test_logout_on_one_server_reaches_another(
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
    token = _token(str(user.pk), issued_at=_now() - _OLD)
    _use_backend(settings, BLOCKLIST_CACHE='server-b')
    assert _me(client, bl_url, token).status_code == 200

    _use_backend(settings, BLOCKLIST_CACHE='server-a')
    _revoke_all('sync', str(user.pk), _now() - _LOGOUT_AGO)
    assert_unauthorized(_me(client, bl_url, token), Reason.REVOKED)

    _use_backend(settings, BLOCKLIST_CACHE='server-b')
    response = _me(client, bl_url, token)
    assert response.status_code == status_on_other_server, response.content


@pytest.mark.django_db(databases='__all__')
def test_revoke_all_tokens_of_a_user(
    *,
    user: User,
    mode: Mode,
    blocklist_backend: BlocklistBackend,
) -> None:
    token = _token(str(user.pk), issued_at=_now() - _OLD)
    before = _now()

    if mode == 'async':
        not_before = async_to_sync(arevoke_all_tokens)(user)
    else:
        with committed():
            not_before = revoke_all_tokens(user)

    assert before < not_before <= _now() + dt.timedelta(seconds=1)
    row = TokenWatermark.objects.using(blocklist_backend.database).get()
    assert (row.sub, row.not_before) == (str(user.pk), not_before)
    assert _is_revoked(mode, token)


@pytest.mark.django_db(databases='__all__')
@pytest.mark.parametrize(
    'sub',
    [
        pytest.param('s' * 256, id='too-long'),
        pytest.param('nul\x00byte', id='nul'),
    ],
)
def test_unstorable_subject(
    *,
    mode: Mode,
    sub: str,
    blocklist_backend: BlocklistBackend,
) -> None:
    with pytest.raises(store.BlocklistError):
        _revoke_all(mode, sub, _now())

    with CaptureQueriesContext(
        connections[blocklist_backend.database],
    ) as captured:
        revoked = _is_revoked(mode, _token(sub, issued_at=_now() - _OLD))

    assert not revoked
    assert not captured.captured_queries
