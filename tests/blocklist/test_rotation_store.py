"""The rotation store: used refresh tokens, revoked token families.

Like ``test_store.py``: most tests run for every database and cache
(``blocklist_backend``) and for both twins (``mode``); the async ones are
driven with ``async_to_sync``, which runs their ORM and cache calls in this
thread, on this test's connection, so that queries can be counted.
"""

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final, TypeAlias
from unittest import mock

import pytest
from asgiref.sync import async_to_sync
from django.core.cache import caches
from django.db import connections, transaction
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time
from pytest_django import Settings

from dmr_jwt._internal.guarded_cache import GuardedCache
from dmr_jwt.blocklist import store
from dmr_jwt.blocklist.models import RevokedTokenFamily, UsedRefreshToken
from dmr_jwt.blocklist.store._families import FamilyState
from dmr_jwt.signals import token_family_revoked
from dmr_jwt.token import JWToken
from tests.blocklist.conftest import (
    TOKEN_LIFETIME,
    BlocklistBackend,
    TokenFactory,
    cached_entry,
    require_postgres,
)
from tests.conftest import Mode

pytestmark = pytest.mark.django_db(databases='__all__')

Calls: TypeAlias = list[dict[str, Any]]

_LIFETIME_SECONDS: Final = int(TOKEN_LIFETIME.total_seconds())

#: Slack for "about the remaining lifetime": a TTL is computed when the
#: answer is cached, so it may be a little below it (never above it).
_SLACK_SECONDS: Final = 60

#: A per-process TTL far below every lifetime here, so that "local" and
#: "until expiry" TTLs cannot be mistaken for each other.
_LOCAL_TTL: Final = 7

#: How long a revoked family lives in these tests: twice a token's
#: lifetime, so that "until the family expires" differs from "until the
#: token expires".
_FAMILY_LIFETIME: Final = 2 * TOKEN_LIFETIME

_FAMILY: Final = '0123456789abcdef0123456789abcdef'

_NOW: Final = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)

_CACHED_ONLY: Final = pytest.mark.parametrize(
    'blocklist_cache',
    [
        pytest.param('locmem', id='locmem'),
        pytest.param('redis', id='redis'),
    ],
    indirect=True,
)


#: No ``extras.family`` at all.
_NO_FAMILY: Final = object()


class _Sender:
    """Stands for the controller class that revokes a family."""


# Tokens:


def _with_family(token: JWToken, family: object = _FAMILY) -> JWToken:
    """*token* with ``extras.family`` set to *family* (anything at all)."""
    token.extras['family'] = family
    return token


def _family_expiry() -> dt.datetime:
    return dt.datetime.now(dt.UTC) + _FAMILY_LIFETIME


# Both twins, one call site:


def _use(mode: Mode, token: JWToken) -> dt.datetime | None:
    if mode == 'async':
        return async_to_sync(store.get_store().ause_refresh_token)(token)
    return store.get_store().use_refresh_token(token)


def _revoke(
    mode: Mode,
    family: str = _FAMILY,
    *,
    sub: str = '42',
    cause: str = 'manual',
    expires_at: dt.datetime | None = None,
    sender: object = None,
) -> bool:
    kwargs: dict[str, Any] = {
        'sub': sub,
        'cause': cause,
        'expires_at': expires_at or _family_expiry(),
        'sender': sender,
    }
    if mode == 'async':
        return async_to_sync(store.arevoke_family)(family, **kwargs)
    return store.revoke_family(family, **kwargs)


def _is_revoked(
    mode: Mode,
    token: JWToken,
    grace: dt.timedelta = dt.timedelta(0),
) -> bool:
    if mode == 'async':
        return async_to_sync(store.get_store().ais_family_revoked)(
            token, grace=grace
        )
    return store.get_store().is_family_revoked(token, grace=grace)


def _count_queries(
    database: str,
    mode: Mode,
    token: JWToken,
) -> tuple[bool, int]:
    """Check the family of *token*; return the answer and its queries."""
    with CaptureQueriesContext(connections[database]) as queries:
        answer = _is_revoked(mode, token)
    return answer, len(queries.captured_queries)


def _used(database: str) -> QuerySet[UsedRefreshToken]:
    return UsedRefreshToken.objects.using(database).all()


def _families(database: str) -> QuerySet[RevokedTokenFamily]:
    return RevokedTokenFamily.objects.using(database).all()


def _statements(queries: CaptureQueriesContext, verb: str) -> list[str]:
    return [
        query['sql']
        for query in queries.captured_queries
        if query['sql'].lstrip().upper().startswith(verb)
    ]


# Looking into the caches:


def _cached_family(alias: str, family: str = _FAMILY) -> tuple[object, Any]:
    return cached_entry(alias, store.family_cache_key(family))


def _assert_ttl_about(ttl: float | None, seconds: float) -> None:
    assert ttl is not None
    assert seconds - _SLACK_SECONDS < ttl <= seconds


def _assert_cached_locally(ttl: float | None) -> None:
    assert ttl is not None
    assert 0 < ttl <= _LOCAL_TTL


def _point_at(settings: Settings, **dmr_jwt: object) -> None:
    settings.DMR_JWT = {**settings.DMR_JWT, **dmr_jwt}


@pytest.fixture
def family_signals() -> Iterator[Calls]:
    """Record every ``token_family_revoked``; disconnect afterwards."""
    calls: Calls = []

    def receiver(**kwargs: Any) -> None:
        calls.append(kwargs)

    token_family_revoked.connect(receiver, weak=False)
    yield calls
    token_family_revoked.disconnect(receiver)


# Using refresh tokens up:


#: Expected instead of a stored family: the token's own ``jti``.
_ITS_JTI: Final = '<its jti>'


@pytest.mark.parametrize(
    ('family', 'stored_family'),
    [
        pytest.param(_FAMILY, _FAMILY, id='family'),
        pytest.param('f' * 64, 'f' * 64, id='longest-family'),
        pytest.param(None, _ITS_JTI, id='null-family'),
        pytest.param(7, _ITS_JTI, id='int-family'),
        pytest.param('', _ITS_JTI, id='empty-family'),
        pytest.param('f' * 65, _ITS_JTI, id='too-long-family'),
        pytest.param('fam\x00ily', _ITS_JTI, id='nul-family'),
    ],
)
def test_first_use_writes_exactly_one_row(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    build_token: TokenFactory,
    family: object,
    stored_family: str,
) -> None:
    database = blocklist_backend.database
    with freeze_time(_NOW):
        token = _with_family(build_token(sub='1234'), family)

        with CaptureQueriesContext(connections[database]) as queries:
            used_at = _use(mode, token)

    assert used_at is None
    assert len(_statements(queries, 'INSERT')) == 1
    row = _used(database).get()
    assert row.jti == token.jti
    # Without a usable family: the one its refresh issues into, named
    # after its `jti` (`refresh_family`).
    assert row.family == (
        token.jti if stored_family is _ITS_JTI else stored_family
    )
    assert row.sub == '1234'
    assert row.used_at == _NOW
    assert row.expires_at == token.exp + dt.timedelta(hours=1)


def test_long_subject_is_cut_to_the_column(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    build_token: TokenFactory,
) -> None:
    assert _use(mode, build_token(sub='u' * 300)) is None

    assert _used(blocklist_backend.database).get().sub == 'u' * 255


def test_a_second_use_returns_the_first_use_time(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    build_token: TokenFactory,
) -> None:
    database = blocklist_backend.database
    with freeze_time(_NOW) as clock:
        token = _with_family(build_token())
        assert _use(mode, token) is None
        clock.tick(dt.timedelta(seconds=30))

        with CaptureQueriesContext(connections[database]) as queries:
            second = _use(mode, token)
        clock.tick(dt.timedelta(seconds=30))
        third = _use(mode, token)

    assert second == third == _NOW
    assert second is not None
    assert second.utcoffset() == dt.timedelta(0)  # aware, in UTC
    # The insert lost: the row is the first one, untouched.
    assert _statements(queries, 'UPDATE') == []
    row = _used(database).get()
    assert row.used_at == _NOW
    assert row.jti == token.jti


def test_tokens_are_used_up_one_by_one(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    build_token: TokenFactory,
) -> None:
    first, second = _with_family(build_token()), _with_family(build_token())

    assert _use(mode, first) is None
    assert _use(mode, second) is None  # same family, another token

    jtis = _used(blocklist_backend.database).values_list('jti', flat=True)
    assert set(jtis) == {first.jti, second.jti}


def test_an_expired_row_flushed_meanwhile_answers_just_now(
    *,
    blocklist_backend: BlocklistBackend,
    build_token: TokenFactory,
) -> None:
    # The insert lost, then the row was deleted before it was read back:
    # "just now" (inside any grace period: it revokes nothing).
    token = build_token()
    store.get_store().use_refresh_token(token)
    real_filter = QuerySet.filter

    def vanished(self: QuerySet[Any], *args: Any, **kwargs: Any) -> Any:
        return real_filter(self, *args, **kwargs).none()

    with freeze_time(_NOW), mock.patch.object(QuerySet, 'filter', vanished):
        used_at = store.get_store().use_refresh_token(token)

    assert used_at == _NOW


def _token_with(
    build_token: TokenFactory,
    *,
    jti: str | None = None,
    sub: str = '42',
) -> JWToken:
    # Set after construction: `JWToken` refuses lone surrogates itself,
    # the store must still refuse one that got past it (subclasses).
    token = build_token()
    object.__setattr__(token, 'jti', jti)
    object.__setattr__(token, 'sub', sub)
    return token


_UNUSABLE_TOKENS: Final = [
    pytest.param({'jti': None}, id='no-jti'),
    pytest.param({'jti': ''}, id='empty-jti'),
    pytest.param({'jti': 'j' * 256}, id='too-long-jti'),
    pytest.param({'jti': 'j\x00ti'}, id='nul-jti'),
    pytest.param({'jti': '\ud800'}, id='lone-surrogate-jti'),
    pytest.param({'jti': uuid.uuid4().hex, 'sub': '4\x002'}, id='nul-sub'),
    pytest.param({'jti': uuid.uuid4().hex, 'sub': '\udfff'}, id='bad-sub'),
]


@pytest.mark.parametrize('claims', _UNUSABLE_TOKENS)
def test_a_token_that_cannot_be_stored_cannot_be_used(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    build_token: TokenFactory,
    claims: dict[str, Any],
) -> None:
    token = _token_with(build_token, **claims)

    with (
        CaptureQueriesContext(connections[blocklist_backend.database]) as q,
        pytest.raises(store.BlocklistError),
    ):
        _use(mode, token)

    assert q.captured_queries == []
    assert not _used(blocklist_backend.database).exists()


def test_the_longest_jti_can_be_used(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    build_token: TokenFactory,
) -> None:
    token = build_token(jti='j' * 255)

    assert _use(mode, token) is None
    assert _use(mode, token) is not None


def test_a_lost_race_leaves_the_outer_transaction_usable(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    build_token: TokenFactory,
) -> None:
    # As inside a request with `ATOMIC_REQUESTS`: the losing insert is
    # rolled back to its own savepoint, the outer block goes on (on
    # PostgreSQL a failed statement would abort the whole transaction).
    database = blocklist_backend.database
    token, other = build_token(), build_token()

    with transaction.atomic(using=database):
        assert _use(mode, token) is None
        with CaptureQueriesContext(connections[database]) as queries:
            assert _use(mode, token) is not None
        # Further queries and writes in the same block still work:
        assert _used(database).count() == 1
        assert _use(mode, other) is None
        assert _revoke(mode)

    assert _statements(queries, 'ROLLBACK TO SAVEPOINT')
    assert _used(database).count() == 2
    assert _families(database).count() == 1


# Revoking families:


def test_revoke_family_writes_one_row(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
) -> None:
    expires_at = _family_expiry().replace(microsecond=0)
    before = dt.datetime.now(dt.UTC)

    created = _revoke(mode, sub='7', cause='logout', expires_at=expires_at)
    after = dt.datetime.now(dt.UTC)
    created_again = _revoke(
        mode,
        sub='8',
        cause='reuse',
        expires_at=expires_at - dt.timedelta(days=1),  # earlier: ignored
    )

    assert created
    assert not created_again
    row = _families(blocklist_backend.database).get()
    # The first revocation is kept as it was:
    assert row.family == _FAMILY
    assert row.sub == '7'
    assert row.cause == RevokedTokenFamily.Cause.LOGOUT
    assert row.expires_at == expires_at
    assert before <= row.revoked_at <= after


def test_a_later_revocation_keeps_the_family_revoked_until_then(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    build_token: TokenFactory,
) -> None:
    # E.g. a logout (10-day lifetimes), then a replay detected by a
    # refresh controller whose refresh tokens live 30 days.
    now = dt.datetime.now(dt.UTC)
    sooner, later = now + dt.timedelta(hours=1), now + dt.timedelta(days=30)
    token = _with_family(build_token(lifetime=dt.timedelta(days=20)))
    _revoke(mode, expires_at=sooner)
    _revoke(mode, expires_at=later)

    store.get_store().flush_expired(now=sooner + dt.timedelta(seconds=1))
    if blocklist_backend.cache is not None:
        caches[blocklist_backend.cache].clear()  # a restart

    assert _is_revoked(mode, token)


@_CACHED_ONLY
def test_revoke_family_writes_through_until_the_family_expires(
    *,
    settings: Settings,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
) -> None:
    # Even a per-process cache keeps "revoked" until then: a revocation
    # is never stale.
    assert blocklist_backend.cache is not None
    _point_at(settings, BLOCKLIST_MAX_STALENESS=_LOCAL_TTL)

    _revoke(mode)

    value, ttl = _cached_family(blocklist_backend.cache)
    assert value is True
    _assert_ttl_about(ttl, _FAMILY_LIFETIME.total_seconds())


@_CACHED_ONLY
def test_a_second_revocation_writes_through_again(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
) -> None:
    assert blocklist_backend.cache is not None
    _revoke(mode)
    caches[blocklist_backend.cache].set(
        store.family_cache_key(_FAMILY),
        False,  # noqa: FBT003
        60,
    )

    assert not _revoke(mode)

    assert _cached_family(blocklist_backend.cache)[0] is True


def test_token_family_revoked_is_sent_on_the_first_revocation_only(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    family_signals: Calls,
) -> None:
    _revoke(mode, sub='7', cause='reuse', sender=_Sender)
    _revoke(mode, sub='7', cause='reuse', sender=_Sender)
    _revoke(mode, sub='7', cause='logout', sender=_Sender)

    assert family_signals == [
        {
            'signal': token_family_revoked,
            'sender': _Sender,
            'family': _FAMILY,
            'sub': '7',
            'cause': 'reuse',
        },
    ]


def test_token_family_revoked_from_the_python_api_has_no_sender(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    family_signals: Calls,
) -> None:
    _revoke(mode)

    assert [call['sender'] for call in family_signals] == [None]
    assert family_signals[0]['cause'] == 'manual'


@pytest.mark.parametrize(
    ('family', 'sub'),
    [
        pytest.param('', '42', id='empty-family'),
        pytest.param('f' * 65, '42', id='too-long-family'),
        pytest.param('fam\x00ily', '42', id='nul-family'),
        pytest.param('\ud800', '42', id='lone-surrogate-family'),
        pytest.param(_FAMILY, '4\x002', id='nul-sub'),
        pytest.param(_FAMILY, '\udfff', id='lone-surrogate-sub'),
    ],
)
def test_an_unstorable_family_or_sub_cannot_be_revoked(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    family_signals: Calls,
    family: str,
    sub: str,
) -> None:
    with (
        CaptureQueriesContext(connections[blocklist_backend.database]) as q,
        pytest.raises(store.BlocklistError),
    ):
        _revoke(mode, family, sub=sub)

    assert q.captured_queries == []
    assert not _families(blocklist_backend.database).exists()
    assert family_signals == []
    if blocklist_backend.cache is not None:
        assert _cached_family(blocklist_backend.cache, family) == (None, None)


def test_a_subject_longer_than_its_column_cannot_be_revoked(
    *,
    settings: Settings,
    mode: Mode,
) -> None:
    require_postgres(settings)
    settings.DMR_JWT = {'BLOCKLIST_DATABASE': 'postgres'}

    with pytest.raises(store.BlocklistError):
        _revoke(mode, sub='u' * 256)


# Checking families:


def test_is_family_revoked(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    build_token: TokenFactory,
) -> None:
    token = _with_family(build_token())
    sibling = _with_family(build_token(sub='99'))
    stranger = _with_family(build_token(), uuid.uuid4().hex)
    no_family = build_token()

    assert not _is_revoked(mode, token)
    _revoke(mode)

    assert _is_revoked(mode, token)
    assert _is_revoked(mode, sibling)
    assert not _is_revoked(mode, stranger)
    assert not _is_revoked(mode, no_family)


def test_the_longest_family_can_be_revoked(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    build_token: TokenFactory,
) -> None:
    family = 'f' * 64
    token = _with_family(build_token(), family)

    assert _revoke(mode, family)

    assert _is_revoked(mode, token)
    assert _families(blocklist_backend.database).get().family == family


@pytest.mark.parametrize(
    'family',
    [
        pytest.param(42, id='int'),
        pytest.param(['42'], id='list'),
        pytest.param({'id': '42'}, id='object'),
        pytest.param(True, id='bool'),
        pytest.param('', id='empty'),
        pytest.param('f' * 65, id='too-long'),
        pytest.param('4\x002', id='nul'),
        pytest.param('\ud800', id='lone-surrogate'),
        pytest.param(_NO_FAMILY, id='no-family'),
    ],
)
def test_a_token_without_a_usable_family_costs_no_query(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    build_token: TokenFactory,
    family: object,
) -> None:
    # A family that looks like the unusable one is revoked: it must not
    # matter (no coercion of `42` to `'42'`, no cutting to 64 characters).
    _revoke(mode, '42')
    _revoke(mode, 'f' * 64)
    token = build_token()
    extras = {} if family is _NO_FAMILY else {'family': family}
    object.__setattr__(token, 'extras', extras)

    assert _count_queries(blocklist_backend.database, mode, token) == (
        False,
        0,
    )
    if blocklist_backend.cache is not None and isinstance(family, str):
        cached = _cached_family(blocklist_backend.cache, family)
        assert cached == (None, None)


@pytest.mark.parametrize(
    'revoked',
    [pytest.param(True, id='revoked'), pytest.param(False, id='not-revoked')],
)
def test_steady_state_makes_no_query(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    build_token: TokenFactory,
    revoked: bool,
) -> None:
    token = _with_family(build_token())
    if revoked:
        _revoke(mode)
    cached = blocklist_backend.cache is not None

    first = _count_queries(blocklist_backend.database, mode, token)
    second = _count_queries(blocklist_backend.database, mode, token)
    third = _count_queries(blocklist_backend.database, mode, token)

    # "Revoked" is written through by `revoke_family`: even the first
    # check is a cache hit; "not revoked" is learnt from the first check.
    first_queries = 0 if cached and revoked else 1
    assert first == (revoked, first_queries)
    assert second == third == (revoked, 0 if cached else 1)


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
    unknown = uuid.uuid4().hex

    _revoke(mode)
    _is_revoked(mode, _with_family(build_token()))
    _is_revoked(mode, _with_family(build_token(), unknown))

    for family in (_FAMILY, unknown):
        assert _cached_family('default', family) == (None, None)


@pytest.mark.parametrize(
    'blocklist_cache',
    [pytest.param('locmem', id='locmem'), pytest.param('redis', id='redis')],
    indirect=True,
)
def test_not_revoked_answer_ttl(
    *,
    settings: Settings,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    build_token: TokenFactory,
) -> None:
    # Shared or not, no cache keeps "not revoked" past the staleness bound.
    assert blocklist_backend.cache is not None
    _point_at(settings, BLOCKLIST_MAX_STALENESS=_LOCAL_TTL)

    assert not _is_revoked(mode, _with_family(build_token()))

    value, ttl = _cached_family(blocklist_backend.cache)
    assert value is False
    _assert_cached_locally(ttl)


@contextmanager
def _stale_reader(mode: Mode) -> Iterator[None]:
    """
    Be a reader that missed the cache and read the database too early.

    Its cache read and its query are patched; what it then writes to the
    cache is the real code's doing.
    """
    reader = 'aget_many' if mode == 'async' else 'get_many'
    with (
        mock.patch.object(GuardedCache, reader, return_value={}),
        mock.patch.object(
            FamilyState,
            '_families',
            return_value=RevokedTokenFamily.objects.none(),
        ),
    ):
        yield


@_CACHED_ONLY
def test_a_stale_negative_answer_never_overwrites_a_revocation(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    build_token: TokenFactory,
) -> None:
    # A reader that asked the database before the revocation was
    # committed caches "not revoked" with `add`: it must not replace the
    # "revoked" written through meanwhile.
    assert blocklist_backend.cache is not None
    token = _with_family(build_token())
    _revoke(mode)

    with _stale_reader(mode):
        assert not _is_revoked(mode, token)

    assert _cached_family(blocklist_backend.cache)[0] is True
    assert _count_queries(blocklist_backend.database, mode, token) == (True, 0)


@_CACHED_ONLY
@pytest.mark.parametrize(
    'revoked',
    [pytest.param(True, id='revoked'), pytest.param(False, id='not-revoked')],
)
def test_a_revocation_read_from_the_database_outlives_the_grace(
    *,
    settings: Settings,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    build_token: TokenFactory,
    revoked: bool,
) -> None:
    # An auth with leeway accepts the token `grace` after `exp`: the
    # cached answer must last as long.
    assert blocklist_backend.cache is not None
    _point_at(settings, BLOCKLIST_MAX_STALENESS=_LOCAL_TTL)
    grace = dt.timedelta(hours=1)
    if revoked:
        _revoke(mode)
        caches[blocklist_backend.cache].clear()

    assert _is_revoked(mode, _with_family(build_token()), grace) is revoked

    value, ttl = _cached_family(blocklist_backend.cache)
    assert value is revoked
    if revoked:
        _assert_ttl_about(ttl, (TOKEN_LIFETIME + grace).total_seconds())
    else:  # "not revoked" never outlives the staleness bound
        _assert_cached_locally(ttl)


# Several servers, one set of revoked families:


@pytest.mark.parametrize(
    'blocklist_cache',
    [pytest.param('redis', id='redis')],
    indirect=True,
)
def test_a_revocation_on_another_server_is_seen_at_once(
    *,
    settings: Settings,
    blocklist_backend: BlocklistBackend,
    redis_b: str,
    mode: Mode,
    build_token: TokenFactory,
) -> None:
    server_a = {**settings.DMR_JWT, 'BLOCKLIST_CACHE': 'redis'}
    server_b = {**settings.DMR_JWT, 'BLOCKLIST_CACHE': redis_b}
    client_a = caches['redis']._cache  # type: ignore[attr-defined]
    assert client_a is not caches[redis_b]._cache  # type: ignore[attr-defined]
    token = _with_family(build_token())

    settings.DMR_JWT = server_a
    assert not _is_revoked(mode, token)  # caches "not revoked"
    settings.DMR_JWT = server_b
    _revoke(mode)
    settings.DMR_JWT = server_a

    # No query: server A's cache already says "revoked".
    assert _count_queries(blocklist_backend.database, mode, token) == (True, 0)


def test_a_restart_keeps_the_revocation(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    build_token: TokenFactory,
) -> None:
    token = _with_family(build_token())
    _revoke(mode)
    if blocklist_backend.cache is not None:
        caches[blocklist_backend.cache].clear()  # a new process, cold cache

    assert _count_queries(blocklist_backend.database, mode, token) == (True, 1)

    if blocklist_backend.cache is not None:
        # Read from the database: cached until the token expires, even in
        # a per-process cache (a revocation is never stale).
        value, ttl = _cached_family(blocklist_backend.cache)
        assert value is True
        _assert_ttl_about(ttl, _LIFETIME_SECONDS)
        again = _count_queries(blocklist_backend.database, mode, token)
        assert again == (True, 0)


# Cache keys:


@pytest.mark.parametrize(
    'family',
    [
        pytest.param(_FAMILY, id='uuid4-hex'),
        pytest.param('A-z_0-9', id='dash-underscore'),
        pytest.param('f' * 64, id='64-chars'),
    ],
)
def test_family_cache_key_keeps_a_safe_family(*, family: str) -> None:
    key = store.family_cache_key(family)

    assert key.endswith(f':{family}')
    assert 'sha256' not in key
    assert len(key) > len(family)  # namespaced, not the bare family


@pytest.mark.parametrize(
    'family',
    [
        pytest.param('with space', id='space'),
        pytest.param('ünïcödé', id='unicode'),
        pytest.param('name:with:colons', id='colons'),
        pytest.param('line\nbreak', id='newline'),
        pytest.param('\ud800', id='lone-surrogate'),
    ],
)
def test_family_cache_key_hashes_an_unsafe_family(*, family: str) -> None:
    digest = hashlib.sha256(family.encode(errors='surrogatepass')).hexdigest()

    key = store.family_cache_key(family)

    assert key.endswith(f':sha256:{digest}')
    assert key == store.family_cache_key(family)
    assert key.isascii()
    assert key.isprintable()
    assert family not in key


def test_family_keys_never_collide_with_other_keys() -> None:
    # A `jti`, a `sub` and a family may be the same text: a blocklisted
    # `jti` must not revoke a family, nor a watermark look like one.
    keys = {
        store.family_cache_key(_FAMILY),
        store.cache_key(_FAMILY),
        store.watermark_cache_key(_FAMILY),
    }

    assert len(keys) == 3


@pytest.mark.parametrize(
    'blocklist_cache',
    [pytest.param('locmem', id='locmem')],
    indirect=True,
)
def test_a_blocklisted_jti_does_not_revoke_a_family_of_that_name(
    *,
    blocklist_backend: BlocklistBackend,
    build_token: TokenFactory,
) -> None:
    store.get_store().blocklist(build_token(jti=_FAMILY))

    token = _with_family(build_token())

    assert not store.get_store().is_family_revoked(token)
