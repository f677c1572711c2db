"""The blocklist store: database rows, the cache in front of them.

Most tests run for every database and cache (``blocklist_backend``) and
for both twins (``mode``): the async ones are driven with
``async_to_sync``, which runs their ORM and cache calls in this thread,
on this test's connection, so that queries can be counted.
"""

import dataclasses
import datetime as dt
import hashlib
import logging
from collections.abc import Iterator
from typing import Final, Literal
from unittest import mock

import pytest
from asgiref.sync import async_to_sync
from django.core.cache import caches
from django.db import connections
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time
from pytest_django import Settings

from dmr_jwt.blocklist import store
from dmr_jwt.blocklist.models import BlocklistedJWToken
from dmr_jwt.token import JWToken
from tests.blocklist.conftest import (
    TOKEN_LIFETIME,
    BlocklistBackend,
    TokenFactory,
    cached_entry,
    unstamped,
)
from tests.conftest import Mode

pytestmark = pytest.mark.django_db(databases='__all__')

_LIFETIME_SECONDS: Final = int(TOKEN_LIFETIME.total_seconds())

#: Slack for "about the token's remaining lifetime": a TTL is computed
#: when the answer is cached, so it may be a little below the lifetime
#: (never above it).
_SLACK_SECONDS: Final = 60

#: A per-process TTL far below the token lifetime, so that "local" and
#: "until expiry" TTLs cannot be mistaken for each other.
_LOCAL_TTL: Final = 7

_STORE_LOGGER: Final = 'dmr_jwt.blocklist.store'

_SECRET: Final = 'store-tests-secret-' + 's' * 32

_CACHED_ONLY: Final = pytest.mark.parametrize(
    'blocklist_cache',
    [
        pytest.param('locmem', id='locmem'),
        pytest.param('redis', id='redis'),
    ],
    indirect=True,
)


# Both twins, one call site:


def _blocklist(mode: Mode, token: JWToken) -> tuple[BlocklistedJWToken, bool]:
    if mode == 'async':
        return async_to_sync(store.get_store().ablocklist)(token)
    return store.get_store().blocklist(token)


def _is_blocklisted(mode: Mode, token: JWToken) -> bool:
    if mode == 'async':
        return async_to_sync(store.get_store().ais_blocklisted)(token)
    return store.get_store().is_blocklisted(token)


def _rows(database: str) -> QuerySet[BlocklistedJWToken]:
    return BlocklistedJWToken.objects.using(database).all()


def _count_queries(
    database: str,
    mode: Mode,
    token: JWToken,
) -> tuple[bool, int]:
    """Check *token*; return the answer and the queries it took."""
    with CaptureQueriesContext(connections[database]) as queries:
        answer = _is_blocklisted(mode, token)
    return answer, len(queries.captured_queries)


# Looking into the caches:


def _cached(alias: str, jti: str) -> tuple[object, float | None]:
    """The value cached for *jti* in *alias* and its remaining TTL."""
    return cached_entry(alias, store.cache_key(jti))


def _assert_cached_until_expiry(ttl: float | None) -> None:
    assert ttl is not None
    assert _LIFETIME_SECONDS - _SLACK_SECONDS < ttl <= _LIFETIME_SECONDS


def _assert_cached_locally(ttl: float | None) -> None:
    assert ttl is not None
    assert 0 < ttl <= _LOCAL_TTL


def _point_at(settings: Settings, **dmr_jwt: object) -> None:
    settings.DMR_JWT = {**settings.DMR_JWT, **dmr_jwt}


# Rows:


def test_blocklist_creates_the_row_once(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    build_token: TokenFactory,
) -> None:
    token = build_token(sub='1234')

    row, created = _blocklist(mode, token)
    again, created_again = _blocklist(mode, token)

    assert created
    assert not created_again
    assert again.pk == row.pk
    stored = _rows(blocklist_backend.database).get()
    assert stored.pk == row.pk
    assert stored.jti == token.jti
    assert stored.sub == '1234'
    assert stored.expires_at == token.exp


def test_blocklist_keeps_one_row_per_jti(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    build_token: TokenFactory,
) -> None:
    first, second = build_token(), build_token()

    _blocklist(mode, first)
    _blocklist(mode, second)
    _blocklist(mode, first)

    jtis = list(_rows(blocklist_backend.database).values_list('jti', flat=True))
    assert len(jtis) == 2
    assert set(jtis) == {first.jti, second.jti}


def test_row_never_holds_the_encoded_token(
    *,
    blocklist_backend: BlocklistBackend,
    build_token: TokenFactory,
) -> None:
    token = build_token()
    encoded = token.encode(_SECRET, 'HS256')

    store.get_store().blocklist(token)

    columns = _rows(blocklist_backend.database).values().get()
    assert set(columns) == {'id', 'jti', 'sub', 'expires_at', 'created_at'}
    for value in columns.values():
        for part in (encoded, *encoded.split('.')):
            assert part not in str(value)


def test_long_subject_is_cut_to_the_column(
    *,
    blocklist_backend: BlocklistBackend,
    build_token: TokenFactory,
) -> None:
    row, _ = store.get_store().blocklist(build_token(sub='u' * 300))

    assert _rows(blocklist_backend.database).get().sub == 'u' * 255
    assert row.sub == 'u' * 255


def test_longest_jti_is_accepted(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    build_token: TokenFactory,
) -> None:
    token = build_token(jti='j' * 255)

    _blocklist(mode, token)

    assert _is_blocklisted(mode, token)
    assert _rows(blocklist_backend.database).get().jti == 'j' * 255


# Unusable tokens: rejected before any database access.


@pytest.mark.parametrize(
    'jti',
    [
        pytest.param(None, id='no-jti'),
        pytest.param('', id='empty-jti'),
        pytest.param('j' * 256, id='too-long-jti'),
    ],
)
@pytest.mark.parametrize('operation', ['blocklist', 'is_blocklisted'])
def test_unusable_jti_raises(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    build_token: TokenFactory,
    jti: str | None,
    operation: Literal['blocklist', 'is_blocklisted'],
) -> None:
    token = dataclasses.replace(build_token(), jti=jti)
    call = _blocklist if operation == 'blocklist' else _is_blocklisted

    with (
        CaptureQueriesContext(connections[blocklist_backend.database]) as q,
        pytest.raises(store.BlocklistError),
    ):
        call(mode, token)

    assert q.captured_queries == []
    assert not _rows(blocklist_backend.database).exists()


def test_jti_that_cannot_be_stored_raises_blocklist_error(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    build_token: TokenFactory,
) -> None:
    # `JWToken` itself refuses such a `jti` since it validates Unicode;
    # the store must still refuse one that got past it (subclasses).
    with pytest.raises(TypeError):
        build_token(jti='\ud800')
    token = build_token()
    object.__setattr__(token, 'jti', '\ud800')

    with pytest.raises(store.BlocklistError):
        _is_blocklisted(mode, token)


# Reads:


def test_is_blocklisted(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    build_token: TokenFactory,
) -> None:
    token, other = build_token(), build_token()

    assert not _is_blocklisted(mode, token)
    _blocklist(mode, token)

    assert _is_blocklisted(mode, token)
    assert not _is_blocklisted(mode, other)


@pytest.mark.parametrize(
    'blocked',
    [pytest.param(True, id='blocked'), pytest.param(False, id='not-blocked')],
)
def test_steady_state_makes_no_query(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    build_token: TokenFactory,
    blocked: bool,
) -> None:
    token = build_token()
    if blocked:
        _blocklist(mode, token)
    cached = blocklist_backend.cache is not None

    first = _count_queries(blocklist_backend.database, mode, token)
    second = _count_queries(blocklist_backend.database, mode, token)
    third = _count_queries(blocklist_backend.database, mode, token)

    # "Blocked" is written through by `blocklist`: even the first check
    # is a cache hit; "not blocked" is learnt from the first check.
    first_queries = 0 if cached and blocked else 1
    assert first == (blocked, first_queries)
    assert second == third == (blocked, 0 if cached else 1)


# What the cache holds:


@_CACHED_ONLY
def test_blocklist_writes_through_until_expiry(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    build_token: TokenFactory,
) -> None:
    assert blocklist_backend.cache is not None
    token = build_token()
    assert token.jti is not None

    _blocklist(mode, token)

    value, ttl = _cached(blocklist_backend.cache, token.jti)
    assert value is True
    _assert_cached_until_expiry(ttl)


@pytest.mark.parametrize(
    'blocklist_cache',
    [pytest.param('no-cache', id='no-cache')],
    indirect=True,
)
def test_no_cache_stores_nothing(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    build_token: TokenFactory,
) -> None:
    blocked, unknown = build_token(), build_token()
    assert blocked.jti is not None
    assert unknown.jti is not None

    _blocklist(mode, blocked)
    _is_blocklisted(mode, blocked)
    _is_blocklisted(mode, unknown)

    for jti in (blocked.jti, unknown.jti):
        assert _cached('default', jti) == (None, None)


@pytest.mark.parametrize(
    'blocklist_cache',
    [pytest.param('locmem', id='locmem'), pytest.param('redis', id='redis')],
    indirect=True,
)
def test_not_blocked_answer_ttl(
    *,
    settings: Settings,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    build_token: TokenFactory,
) -> None:
    # Shared or not, no cache keeps "not blocked" past the staleness
    # bound: a cache that missed the block (a fault) must forget it.
    assert blocklist_backend.cache is not None
    _point_at(settings, BLOCKLIST_MAX_STALENESS=_LOCAL_TTL)
    token = build_token()
    assert token.jti is not None

    assert not _is_blocklisted(mode, token)

    value, ttl = _cached(blocklist_backend.cache, token.jti)
    assert value is False
    _assert_cached_locally(ttl)


@pytest.mark.parametrize(
    'blocklist_cache',
    [pytest.param('locmem', id='locmem')],
    indirect=True,
)
def test_local_ttl_never_outlives_the_token(
    *,
    settings: Settings,
    blocklist_backend: BlocklistBackend,
    build_token: TokenFactory,
) -> None:
    _point_at(settings, BLOCKLIST_MAX_STALENESS=3600)
    token = build_token(lifetime=dt.timedelta(seconds=30))
    assert token.jti is not None

    assert not store.get_store().is_blocklisted(token)

    _, ttl = _cached('default', token.jti)
    assert ttl is not None
    assert 0 < ttl <= 30


# Several processes, one blocklist:


@pytest.fixture
def locmem_b(settings: Settings) -> Iterator[str]:
    """A second local-memory cache: another process's own memory."""
    settings.CACHES = {
        **settings.CACHES,
        'locmem-b': {
            'BACKEND': 'django.core.cache.backends.locmem.LocMemCache',
            'LOCATION': 'dmr-jwt-tests-process-b',
        },
    }
    caches['locmem-b'].clear()
    yield 'locmem-b'
    caches['locmem-b'].clear()


@pytest.mark.parametrize(
    'blocklist_cache',
    [pytest.param('redis', id='redis')],
    indirect=True,
)
def test_shared_cache_sees_a_block_from_another_process_at_once(
    *,
    settings: Settings,
    blocklist_backend: BlocklistBackend,
    redis_b: str,
    mode: Mode,
    build_token: TokenFactory,
) -> None:
    process_a = {**settings.DMR_JWT, 'BLOCKLIST_CACHE': 'redis'}
    process_b = {**settings.DMR_JWT, 'BLOCKLIST_CACHE': redis_b}
    # Two clients, each with its own connection pool:
    client_a = caches['redis']._cache  # type: ignore[attr-defined]
    assert client_a is not caches[redis_b]._cache  # type: ignore[attr-defined]
    token = build_token()

    settings.DMR_JWT = process_a
    assert not _is_blocklisted(mode, token)  # caches "not blocked"
    settings.DMR_JWT = process_b
    _blocklist(mode, token)
    settings.DMR_JWT = process_a

    # No query: process A's cache already says "blocked".
    assert _count_queries(blocklist_backend.database, mode, token) == (True, 0)


@pytest.mark.parametrize('local_ttl', [1, 5, 30])
def test_local_cache_staleness_is_bounded_by_local_ttl(
    *,
    settings: Settings,
    locmem_b: str,
    build_token: TokenFactory,
    local_ttl: int,
) -> None:
    caches['default'].clear()
    common = {
        'BLOCKLIST_DATABASE': 'default',
        'BLOCKLIST_MAX_STALENESS': local_ttl,
    }
    process_a = {**common, 'BLOCKLIST_CACHE': 'default'}
    process_b = {**common, 'BLOCKLIST_CACHE': locmem_b}

    with freeze_time(dt.datetime.now(dt.UTC).replace(microsecond=0)) as clock:
        token = build_token()
        settings.DMR_JWT = process_a
        assert not store.get_store().is_blocklisted(
            token
        )  # caches "not blocked"
        settings.DMR_JWT = process_b
        store.get_store().blocklist(token)
        settings.DMR_JWT = process_a

        # Process A keeps its stale answer, without asking the database,
        # up to the documented bound...
        assert _count_queries('default', 'sync', token) == (False, 0)
        clock.tick(dt.timedelta(seconds=local_ttl - 1))
        assert _count_queries('default', 'sync', token) == (False, 0)
        # ...and not a second longer.
        clock.tick(dt.timedelta(seconds=1))
        assert _count_queries('default', 'sync', token) == (True, 1)
        assert _count_queries('default', 'sync', token) == (True, 0)


def test_a_restart_keeps_the_block(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    build_token: TokenFactory,
) -> None:
    token = build_token()
    assert token.jti is not None
    _blocklist(mode, token)
    if blocklist_backend.cache is not None:
        caches[blocklist_backend.cache].clear()  # a new process, cold cache

    assert _count_queries(blocklist_backend.database, mode, token) == (True, 1)

    if blocklist_backend.cache is not None:
        value, ttl = _cached(blocklist_backend.cache, token.jti)
        assert value is True
        _assert_cached_until_expiry(ttl)
        again = _count_queries(blocklist_backend.database, mode, token)
        assert again == (True, 0)


# A broken cache:


@pytest.fixture
def broken_cache(settings: Settings, blocklist_database: str) -> str:
    """A Redis cache on a closed port: every call fails to connect."""
    settings.CACHES = {
        **settings.CACHES,
        'broken': {
            'BACKEND': 'django.core.cache.backends.redis.RedisCache',
            'LOCATION': 'redis://127.0.0.1:1/0',
        },
    }
    settings.DMR_JWT = {
        'BLOCKLIST_CACHE': 'broken',
        'BLOCKLIST_DATABASE': blocklist_database,
    }
    return 'broken'


def _cache_failures(
    caplog: pytest.LogCaptureFixture,
) -> list[logging.LogRecord]:
    failures = [
        record
        for record in caplog.records
        if record.name == _STORE_LOGGER and record.levelno == logging.WARNING
    ]
    caplog.clear()
    return failures


def test_broken_cache_falls_back_to_the_database(
    *,
    broken_cache: str,
    blocklist_database: str,
    mode: Mode,
    build_token: TokenFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger=_STORE_LOGGER)
    token = build_token()

    assert not _is_blocklisted(mode, token)
    # One line, no traceback: the breaker is open now.
    [failure] = _cache_failures(caplog)
    assert failure.exc_info is None
    assert "'broken' failed on read" in failure.getMessage()
    _row, created = _blocklist(mode, token)
    assert created
    # Every check asks the database, and only the database, quietly.
    assert _count_queries(blocklist_database, mode, token) == (True, 1)
    assert _count_queries(blocklist_database, mode, token) == (True, 1)
    assert _cache_failures(caplog) == []


def test_the_breaker_asks_the_cache_again_after_the_backoff(
    *,
    settings: Settings,
    build_token: TokenFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.DMR_JWT = {
        'BLOCKLIST_CACHE': 'default',
        'CACHE_BACKOFF': 2,
    }
    caplog.set_level(logging.INFO, logger=_STORE_LOGGER)
    token = build_token()
    key = store.cache_key(token.jti or '')
    guarded = store.get_store().cache
    cache = type(caches['default'])
    down = mock.patch.object(cache, 'get_many', side_effect=ConnectionError)
    with freeze_time(dt.datetime.now(dt.UTC)) as clock:
        with down as get_many:
            assert not store.get_store().is_blocklisted(token)
            assert _is_open(guarded)
            assert len(_cache_failures(caplog)) == 1
            clock.tick(dt.timedelta(seconds=1.5))
            assert not store.get_store().is_blocklisted(token)
            assert get_many.call_count == 1  # not asked while open
            clock.tick(dt.timedelta(seconds=1))
            assert not _is_open(guarded)
            # Still broken: one more attempt, one more line, open again.
            assert not store.get_store().is_blocklisted(token)
            assert get_many.call_count == 2
            assert len(_cache_failures(caplog)) == 1
            assert _is_open(guarded)
        # The cache is back: the first call after the window uses it.
        clock.tick(dt.timedelta(seconds=2.5))
        store.get_store().blocklist(token)
        assert caches['default'].get(key) is True
        [recovered] = caplog.records
        assert recovered.levelno == logging.INFO
        assert 'is back' in recovered.getMessage()


def _is_open(guarded: object) -> bool:
    return bool(getattr(guarded, 'is_open'))  # noqa: B009 -- not narrowed


# Cache keys:


@pytest.mark.parametrize(
    'jti',
    [
        pytest.param('0123456789abcdef0123456789abcdef', id='uuid4-hex'),
        pytest.param('A-z_0-9', id='dash-underscore'),
        pytest.param('k' * 128, id='128-chars'),
    ],
)
def test_cache_key_keeps_a_safe_jti(*, jti: str) -> None:
    key = store.cache_key(jti)

    assert key.endswith(f':{jti}')
    assert len(key) > len(jti)  # namespaced, not the bare jti


_UNSAFE_JTIS: Final = [
    pytest.param('with space', id='space'),
    pytest.param('ünïcödé', id='unicode'),
    pytest.param('name:with:colons', id='colons'),
    pytest.param('line\nbreak', id='newline'),
    pytest.param('k' * 129, id='129-chars'),
    pytest.param('x' * 300, id='300-chars'),
]


@pytest.mark.parametrize('jti', _UNSAFE_JTIS)
def test_cache_key_hashes_an_unsafe_jti(*, jti: str) -> None:
    key = store.cache_key(jti)

    assert key == store.cache_key(jti)  # deterministic
    assert len(key) == len(store.cache_key('another one'))  # fixed length
    assert key.isascii()
    assert key.isprintable()
    assert not any(char.isspace() for char in key)
    assert len(key.encode()) <= 250  # Memcached's limit
    assert jti not in key


def test_cache_keys_of_different_jtis_differ() -> None:
    jtis = [param.values[0] for param in _UNSAFE_JTIS]
    jtis += ['0123456789abcdef0123456789abcdef', 'k' * 128]

    keys = {store.cache_key(str(jti)) for jti in jtis}

    assert len(keys) == len(jtis)


_COLLIDING_JTIS: Final = [
    pytest.param(
        'jti with spaces',
        hashlib.sha256(b'jti with spaces').hexdigest(),
        id='digest-shaped-jti',
    ),
    pytest.param('\ud800', '\udfff', id='lone-surrogates'),
]


@pytest.mark.parametrize(('jti', 'other_jti'), _COLLIDING_JTIS)
def test_cache_key_is_injective(*, jti: str, other_jti: str) -> None:
    assert store.cache_key(jti) != store.cache_key(other_jti)


@pytest.mark.parametrize(
    'blocklist_cache',
    [pytest.param('locmem', id='locmem')],
    indirect=True,
)
def test_a_blocklisted_token_stays_blocked_whatever_other_jtis_exist(
    *,
    blocklist_backend: BlocklistBackend,
    build_token: TokenFactory,
) -> None:
    unsafe = 'jti with spaces'
    revoked = build_token(jti=hashlib.sha256(unsafe.encode()).hexdigest())
    store.get_store().blocklist(revoked)
    assert blocklist_backend.cache is not None
    caches[blocklist_backend.cache].clear()  # evicted, or a restart

    assert not store.get_store().is_blocklisted(build_token(jti=unsafe))

    assert store.get_store().is_blocklisted(revoked)


@pytest.mark.parametrize(
    'blocklist_cache',
    [pytest.param('locmem', id='locmem'), pytest.param('redis', id='redis')],
    indirect=True,
)
def test_a_stale_negative_answer_never_overwrites_a_block(
    *,
    blocklist_backend: BlocklistBackend,
    build_token: TokenFactory,
) -> None:
    # A reader that asked the database before the block was committed
    # caches "not blocked" with `add`: it must not replace the block.
    assert blocklist_backend.cache is not None
    token = build_token()
    revocations = store.get_store()
    revocations.blocklist(token)
    key = store.cache_key(token.jti or '')

    revocations.cache.put(
        revocations.policy.answer(key, cache_value=False, expires_at=token.exp),
    )

    assert caches[blocklist_backend.cache].get(store.cache_key(token.jti or ''))
    assert store.get_store().is_blocklisted(token)


def test_a_failed_block_write_leaves_only_a_bounded_stale_answer(
    *,
    settings: Settings,
    build_token: TokenFactory,
) -> None:
    settings.DMR_JWT = {
        'BLOCKLIST_CACHE': 'default',
        'BLOCKLIST_MAX_STALENESS': 3,
        'CACHE_BACKOFF': 1,
    }
    token = build_token()
    key = store.cache_key(token.jti or '')
    revocations = store.get_store()
    with freeze_time(dt.datetime.now(dt.UTC)) as clock:
        assert not revocations.is_blocklisted(token)  # caches "not blocked"
        with mock.patch.object(
            type(caches['default']),
            'set',
            side_effect=ConnectionError('cache down'),
        ):
            revocations.blocklist(token)  # the row is written all the same

        # This process: the breaker is open, the database answers.
        assert revocations.is_blocklisted(token)
        # Other processes reading the stale cache: until the bound...
        clock.tick(dt.timedelta(seconds=2))
        assert unstamped(caches['default'].get(key)) is False
        # ...and not after it.
        clock.tick(dt.timedelta(seconds=1.5))
        assert caches['default'].get(key) is None
        assert revocations.is_blocklisted(token)
