"""Axes of the blocklist tests: the database and the cache behind it.

``blocklist_backend`` runs a test once per combination of database
(SQLite, PostgreSQL) and cache (local memory, Redis, none), pointing the
``DMR_JWT`` setting at them. PostgreSQL and Redis are real servers, given by
``DMR_JWT_TEST_POSTGRES`` / ``DMR_JWT_TEST_REDIS`` (``.ci/run`` starts
both); without them those cases skip with the reason.
"""

import contextlib
import dataclasses
import datetime as dt
import os
import time
import uuid
from collections.abc import Iterator
from typing import Final, Protocol

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.test import TestCase
from pytest_django import Settings as SettingsWrapper

from dmr_jwt.conf import get_settings
from dmr_jwt.token import JWToken

_SKIP_POSTGRES = (
    'PostgreSQL is not configured: set DMR_JWT_TEST_POSTGRES '
    '(bash .ci/run starts a server and sets it)'
)
_SKIP_REDIS = (
    'Redis is not configured: set DMR_JWT_TEST_REDIS '
    '(bash .ci/run starts a server and sets it)'
)


@dataclasses.dataclass(frozen=True, slots=True)
class BlocklistBackend:
    """Where the blocklist lives in this test."""

    database: str
    cache: str | None

    @property
    def is_postgres(self) -> bool:
        return self.database == 'postgres'


def require_postgres(settings: SettingsWrapper) -> None:
    """Skip the current test when no PostgreSQL is configured."""
    if 'postgres' not in settings.DATABASES:
        _skip_unless_ci(_SKIP_POSTGRES)


def require_redis(settings: SettingsWrapper) -> None:
    """Skip the current test when no Redis is configured."""
    if 'redis' not in settings.CACHES:
        _skip_unless_ci(_SKIP_REDIS)


def _skip_unless_ci(reason: str) -> None:
    # CI installs and starts both servers: a skip there would hide
    # a broken `.ci/run`, so it fails instead.
    if os.environ.get('CI'):
        pytest.fail(f'CI must run every server test: {reason}')
    pytest.skip(reason)


@pytest.fixture(params=['sqlite', 'postgres'])
def blocklist_database(
    request: pytest.FixtureRequest,
    settings: SettingsWrapper,
) -> str:
    """The database alias that stores blocklisted tokens."""
    if request.param == 'postgres':
        require_postgres(settings)
        return 'postgres'
    return 'default'


@pytest.fixture(params=['locmem', 'redis', 'no-cache'])
def blocklist_cache(
    request: pytest.FixtureRequest,
    settings: SettingsWrapper,
) -> Iterator[str | None]:
    """The cache alias in front of the blocklist (``None``: no cache)."""
    alias: str | None
    if request.param == 'redis':
        require_redis(settings)
        alias = 'redis'
    elif request.param == 'locmem':
        alias = 'default'
    else:
        alias = None
    if alias is not None:
        caches[alias].clear()
    yield alias
    if alias is not None:
        caches[alias].clear()


@pytest.fixture
def blocklist_backend(
    settings: SettingsWrapper,
    blocklist_database: str,
    blocklist_cache: str | None,
) -> BlocklistBackend:
    """Point ``DMR_JWT`` at the database and cache of this test case."""
    settings.DMR_JWT = {
        'BLOCKLIST_DATABASE': blocklist_database,
        'BLOCKLIST_CACHE': blocklist_cache,
    }
    return BlocklistBackend(database=blocklist_database, cache=blocklist_cache)


#: How long tokens built by ``build_token`` live, unless told otherwise.
TOKEN_LIFETIME: Final = dt.timedelta(hours=1)


class TokenFactory(Protocol):
    """The type of the ``build_token`` fixture."""

    def __call__(
        self,
        *,
        jti: str | None = None,
        sub: str = '42',
        lifetime: dt.timedelta = TOKEN_LIFETIME,
    ) -> JWToken: ...


@pytest.fixture
def build_token() -> TokenFactory:
    """Build a token that expires in *lifetime*, with a fresh ``jti``."""

    def factory(
        *,
        jti: str | None = None,
        sub: str = '42',
        lifetime: dt.timedelta = TOKEN_LIFETIME,
    ) -> JWToken:
        return JWToken(
            sub=sub,
            exp=dt.datetime.now(dt.UTC) + lifetime,
            jti=uuid.uuid4().hex if jti is None else jti,
        )

    return factory


@contextlib.contextmanager
def committed() -> Iterator[None]:
    """
    Run the on-commit callbacks of the block at its end, as a commit would.

    A test's transaction never commits, and ``revoke_all`` publishes the
    watermark (cache, signal) on commit. The blocklist's own database.
    """
    using = get_settings().BLOCKLIST_DATABASE or 'default'
    with TestCase.captureOnCommitCallbacks(using=using, execute=True):
        yield


def cached_entry(alias: str, key: str) -> tuple[object, float | None]:
    """
    The answer cached under *key* in *alias* and its remaining TTL.

    An answer that can still turn into "revoked" is stored with the time it
    was read from the database: it is unwrapped here, after checking that
    the stamp is of this test's time.
    """
    cache = caches[alias]
    full_key = cache.make_and_validate_key(key)
    ttl: float | None
    if isinstance(cache, LocMemCache):
        expires = cache._expire_info.get(full_key)  # type: ignore[attr-defined]
        ttl = None if expires is None else expires - time.time()
    elif isinstance(cache, RedisCache):
        client = cache._cache.get_client(full_key)  # type: ignore[attr-defined]
        seconds = client.ttl(full_key)
        ttl = None if seconds < 0 else float(seconds)
    else:  # pragma: no cover
        raise NotImplementedError(type(cache))
    return unstamped(cache.get(key)), ttl


def unstamped(cached: object) -> object:
    """A cached answer without its read time (``True`` has none)."""
    if not isinstance(cached, tuple):
        return cached
    answer, read_at = cached
    assert abs(time.time() - read_at) < 60, cached
    return answer


@pytest.fixture
def redis_b(settings: SettingsWrapper) -> str:
    """A second Redis client on the same server: another process's cache."""
    require_redis(settings)
    settings.CACHES = {
        **settings.CACHES,
        'redis-b': {**settings.CACHES['redis']},
    }
    return 'redis-b'
