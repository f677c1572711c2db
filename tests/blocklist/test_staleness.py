"""The staleness bound holds against the two ways round it.

- A refresh token mints new tokens: its check never trusts a cached
  "not revoked" or watermark, or a refresh in the staleness window after
  "log out everywhere" (or a logout) would start a session the revocation
  can no longer reach.
- Every cached answer that can still turn into "revoked" carries the time
  it was read from the database; readers take it for a miss once it is
  older than ``BLOCKLIST_MAX_STALENESS``. A write that reaches the cache
  late (a frozen Redis that runs its socket buffer on ``SIGCONT``, a paused
  worker) cannot stretch the bound.

"Two processes" are two local-memory caches in front of one database.
"""

import datetime as dt
import time
import uuid
from collections.abc import Iterator
from typing import Any, Final, Literal, TypeAlias

import pytest
from asgiref.sync import async_to_sync
from django.core.cache import caches
from pytest_django import Settings

from dmr_jwt import JWToken
from dmr_jwt.blocklist import store
from dmr_jwt.blocklist.models import BlocklistedJWToken
from tests.blocklist.conftest import committed
from tests.conftest import Mode

pytestmark = pytest.mark.django_db

_STALENESS: Final = 30
_FAMILY: Final = 'f' * 32
_SUB: Final = '42'

TokenType: TypeAlias = Literal['access', 'refresh']


@pytest.fixture
def processes(settings: Settings) -> Iterator[tuple[dict[str, Any], ...]]:
    """The ``DMR_JWT`` of process A and of process B, each its own cache."""
    settings.CACHES = {
        **settings.CACHES,
        'process-b': {
            'BACKEND': 'django.core.cache.backends.locmem.LocMemCache',
            'LOCATION': 'dmr-jwt-tests-staleness-b',
        },
    }
    common = {
        'BLOCKLIST_DATABASE': 'default',
        'BLOCKLIST_MAX_STALENESS': _STALENESS,
    }
    caches['default'].clear()
    caches['process-b'].clear()
    yield (
        {**common, 'BLOCKLIST_CACHE': 'default'},
        {**common, 'BLOCKLIST_CACHE': 'process-b'},
    )
    caches['process-b'].clear()


def _token(token_type: TokenType, *, issued: dt.datetime) -> JWToken:
    return JWToken(
        sub=_SUB,
        exp=issued + dt.timedelta(hours=1),
        iat=issued,
        jti=uuid.uuid4().hex,
        extras={'type': token_type, 'family': _FAMILY},
    )


def _is_revoked(mode: Mode, token: JWToken) -> bool:
    if mode == 'async':
        return async_to_sync(store.get_store().ais_revoked)(token)
    return store.get_store().is_revoked(token)


_REVOCATIONS: Final = ('revoke-all', 'family', 'blocklist')


def _revoke(how: str, token: JWToken) -> None:
    if how == 'revoke-all':
        with committed():
            store.revoke_all(_SUB)
    elif how == 'family':
        store.revoke_family(
            _FAMILY,
            sub=_SUB,
            expires_at=token.exp,
        )
    else:
        store.get_store().blocklist(token)


@pytest.mark.parametrize('how', _REVOCATIONS)
def test_a_refresh_token_is_checked_against_the_database(
    *,
    settings: Settings,
    processes: tuple[dict[str, Any], dict[str, Any]],
    mode: Mode,
    how: str,
) -> None:
    process_a, process_b = processes
    issued = dt.datetime.now(dt.UTC).replace(microsecond=0)
    issued -= dt.timedelta(seconds=5)
    access = _token('access', issued=issued)
    refresh = _token('refresh', issued=issued)
    settings.DMR_JWT = process_a
    # Process A caches "not revoked" (and "no watermark") for both.
    assert not _is_revoked(mode, access)
    assert not _is_revoked(mode, refresh)

    settings.DMR_JWT = process_b
    _revoke(how, refresh)
    settings.DMR_JWT = process_a

    if how != 'blocklist':
        # The access token: stale in process A, within the bound...
        assert not _is_revoked(mode, access)
    # ...but the refresh token, which would mint a fresh session, is not.
    assert _is_revoked(mode, refresh)


@pytest.mark.parametrize('how', _REVOCATIONS)
@pytest.mark.parametrize('age', [_STALENESS + 1, -(_STALENESS + 1)])
def test_an_answer_older_than_the_bound_is_a_miss(
    *,
    settings: Settings,
    processes: tuple[dict[str, Any], dict[str, Any]],
    mode: Mode,
    how: str,
    age: int,
) -> None:
    # A reader read "not revoked" long ago, and its write reached the cache
    # only now (a frozen Redis replaying its buffer): the TTL counts from
    # now, the stamp does not. A stamp from the future (a clock far ahead)
    # is no better.
    process_a, _process_b = processes
    settings.DMR_JWT = process_a
    issued = dt.datetime.now(dt.UTC).replace(microsecond=0)
    access = _token('access', issued=issued - dt.timedelta(seconds=5))
    _revoke(how, access)
    read_at = time.time() - age
    assert access.jti is not None
    cache = caches['default']
    cache.set(store.cache_key(access.jti), (False, read_at), 600)
    cache.set(store.watermark_cache_key(_SUB), (0, read_at), 600)
    cache.set(store.family_cache_key(_FAMILY), (False, read_at), 600)

    assert _is_revoked(mode, access)


def test_a_fresh_stamped_answer_is_trusted(
    *,
    settings: Settings,
    processes: tuple[dict[str, Any], dict[str, Any]],
    mode: Mode,
) -> None:
    # The control: the same entries, stamped within the bound, answer
    # without the database (which says "revoked").
    process_a, _process_b = processes
    settings.DMR_JWT = process_a
    access = _token('access', issued=dt.datetime.now(dt.UTC))
    assert access.jti is not None
    BlocklistedJWToken.objects.create(
        jti=access.jti,
        sub=_SUB,
        expires_at=access.exp,
    )
    read_at = time.time() - (_STALENESS - 5)
    cache = caches['default']
    cache.set(store.cache_key(access.jti), (False, read_at), 600)
    cache.set(store.watermark_cache_key(_SUB), (0, read_at), 600)
    cache.set(store.family_cache_key(_FAMILY), (False, read_at), 600)

    assert not _is_revoked(mode, access)
