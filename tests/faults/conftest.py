"""Fixtures of the fault tests: a Redis of their own, and the app in front.

``redis_server`` starts a dedicated ``redis-server`` per test
(:class:`tests.faults.redis_server.RedisServer`); ``fault_cache`` points
the revocation cache (``DMR_JWT['BLOCKLIST_CACHE']``) at it through a
``CACHES`` alias with the recommended socket timeouts, and short
``BLOCKLIST_MAX_STALENESS`` / ``CACHE_BACKOFF`` to keep the tests
short. ``probe`` drives the test app over HTTP (Django's test client) and
times every call.
"""

import contextlib
import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.test import Client
from pytest_django import Settings as SettingsWrapper

from tests.blocklist.conftest import blocklist_database
from tests.conftest import Mode
from tests.faults.probe import Probe
from tests.faults.redis_server import REDIS_SERVER, RedisServer

__all__ = (
    # The database axis of the blocklist tests ('sqlite', 'postgres').
    'blocklist_database',
    'close_redis_caches',
    'fault_cache',
    'probe',
    'redis_cache_config',
    'redis_server',
    'running_redis',
)

#: The ``CACHES`` alias of the per-test Redis.
FAULT_CACHE: Final = 'faults'

#: ``BLOCKLIST_MAX_STALENESS`` of the fault tests, in seconds.
MAX_STALENESS: Final = 2

#: ``CACHE_BACKOFF`` of the fault tests, in seconds.
CACHE_BACKOFF: Final = 1

#: The socket timeouts of the recommended ``CACHES`` block (seconds).
SOCKET_TIMEOUT: Final = 0.25


def redis_cache_config(url: str) -> dict[str, Any]:
    """The recommended ``CACHES`` entry for a Redis at *url*."""
    return {
        'BACKEND': 'django.core.cache.backends.redis.RedisCache',
        'LOCATION': url,
        'OPTIONS': {
            'socket_timeout': SOCKET_TIMEOUT,
            'socket_connect_timeout': SOCKET_TIMEOUT,
        },
    }


def close_redis_caches() -> None:
    """
    Disconnect the pools of every Redis cache this thread has opened.

    Django keeps cache objects (and their connection pools) in
    ``django.core.cache.caches`` and never closes a ``RedisCache``:
    without this the next test would inherit sockets to a dead server.
    """
    for cache in caches.all(initialized_only=True):
        if isinstance(cache, RedisCache):
            for pool in cache._cache._pools.values():  # type: ignore[attr-defined]
                pool.disconnect()


@contextlib.contextmanager
def running_redis(data_dir: Path) -> Iterator[RedisServer]:
    """
    A running ``redis-server`` in *data_dir*; killed at the end.

    Skips the test when ``redis-server`` is not installed (fails in CI).
    """
    if REDIS_SERVER is None:
        reason = 'redis-server is not installed (bash .ci/run installs it)'
        if os.environ.get('CI'):
            pytest.fail(f'CI must run the fault tests: {reason}')
        pytest.skip(reason)
    server = RedisServer(data_dir)
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A running ``redis-server`` of this test only; killed at teardown."""
    with running_redis(tmp_path / 'redis') as server:
        yield server


@dataclasses.dataclass(frozen=True, slots=True)
class FaultSettings:
    """The revocation settings of a fault test."""

    max_staleness: float
    backoff: float


@pytest.fixture
def fault_cache(
    settings: SettingsWrapper,
    redis_server: RedisServer,
    blocklist_database: str,
) -> Iterator[FaultSettings]:
    """Put the per-test Redis in front of the revocation store."""
    close_redis_caches()
    settings.CACHES = {
        **settings.CACHES,
        FAULT_CACHE: redis_cache_config(redis_server.url),
    }
    settings.DMR_JWT = {
        'BLOCKLIST_CACHE': FAULT_CACHE,
        'BLOCKLIST_DATABASE': blocklist_database,
        'BLOCKLIST_MAX_STALENESS': MAX_STALENESS,
        'CACHE_BACKOFF': CACHE_BACKOFF,
    }
    caches['default'].clear()
    try:
        yield FaultSettings(max_staleness=MAX_STALENESS, backoff=CACHE_BACKOFF)
    finally:
        redis_server.thaw()
        close_redis_caches()
        caches['default'].clear()


@pytest.fixture
def probe(fault_cache: FaultSettings, mode: Mode) -> Probe:
    """The test app over HTTP, every call timed and checked for 500s."""
    return Probe(Client(), mode=mode, max_staleness=fault_cache.max_staleness)
