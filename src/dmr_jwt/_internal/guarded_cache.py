"""Django's cache behind a small circuit breaker, for the request path.

Every cache call of the revocation store and of the user cache goes
through a :class:`GuardedCache`. A call
that fails (any backend error: unreachable, timed out, out of memory) is
answered as a miss, and the cache is left alone for ``backoff`` seconds:
reads and writes go to the database only, so a sick cache costs one
timeout per window, not one per call. The failure is logged once per
window, as one line; the first call that succeeds afterwards logs the
recovery. The timeout of one call is the backend's own (for Redis:
``socket_timeout`` in ``CACHES[...]['OPTIONS']``, see the ``dmr_jwt.W002``
check): a breaker cannot shorten a call that is already waiting.
"""

import dataclasses
import logging
import threading
import time
from typing import Any, final

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache

from dmr_jwt._internal.acache import acache_add, acache_get_many, acache_set
from dmr_jwt._internal.boundary import describe_fault

__all__ = ('Entry', 'GuardedCache')


@final
@dataclasses.dataclass(frozen=True, slots=True)
class Entry:
    """One cache write: what, for how long, and whether over a newer one."""

    key: str
    cache_value: object
    timeout: int
    #: `set` (a revocation: over anything) or `add` (an answer read from
    #: the database: never over a revocation written meanwhile).
    overwrite: bool


@final
class GuardedCache:
    """
    One cache alias (or none), asked only while it answers.

    *purpose* names the cache in the log (``revocation``, ``user``), which
    goes to *logger*.
    """

    __slots__ = (
        '_alias',
        '_backoff',
        '_lock',
        '_logger',
        '_open_until',
        '_purpose',
        '_tripped',
    )

    def __init__(
        self,
        alias: str | None,
        *,
        backoff: float,
        purpose: str,
        logger: logging.Logger,
    ) -> None:
        self._alias = alias
        self._purpose = purpose
        self._logger = logger
        self._backoff = backoff
        self._lock = threading.Lock()
        #: `time.monotonic()` until which the cache is not asked.
        self._open_until = 0.0
        #: Whether a failure was logged and no success since.
        self._tripped = False

    @property
    def is_open(self) -> bool:
        """Whether the cache is being left alone after a failure."""
        return time.monotonic() < self._open_until

    def get_many(self, keys: list[str]) -> dict[str, Any]:
        """The cached values of *keys* (one round trip); ``{}`` on a fault."""
        cache = self._cache()
        if cache is None:
            return {}
        try:
            found = cache.get_many(keys)
        except Exception as error:  # noqa: BLE001 -- any backend's error
            self._trip('read', error)
            return {}
        self._succeeded()
        return found

    async def aget_many(self, keys: list[str]) -> dict[str, Any]:
        """Async :meth:`get_many`."""
        cache = self._cache()
        if cache is None:
            return {}
        try:
            found = await acache_get_many(cache, keys)
        except Exception as error:  # noqa: BLE001 -- any backend's error
            self._trip('read', error)
            return {}
        self._succeeded()
        return found

    def put(self, entry: Entry) -> None:
        """Write *entry*; skipped on a fault (the database still answers)."""
        cache = self._cache()
        if cache is None:
            return
        write = cache.set if entry.overwrite else cache.add
        try:
            write(entry.key, entry.cache_value, entry.timeout)
        except Exception as error:  # noqa: BLE001 -- any backend's error
            self._trip('write', error)
        else:
            self._succeeded()

    async def aput(self, entry: Entry) -> None:
        """Async :meth:`put`."""
        cache = self._cache()
        if cache is None:
            return
        write = acache_set if entry.overwrite else acache_add
        try:
            await write(cache, entry.key, entry.cache_value, entry.timeout)
        except Exception as error:  # noqa: BLE001 -- any backend's error
            self._trip('write', error)
        else:
            self._succeeded()

    def _cache(self) -> BaseCache | None:
        # The cache to ask, or `None`: no cache, or the breaker is open.
        if self._alias is None or time.monotonic() < self._open_until:
            return None
        return caches[self._alias]

    def _succeeded(self) -> None:
        # A call that began before a failure elsewhere says nothing yet.
        if self._tripped and not self.is_open:
            self._recover()

    def _trip(self, operation: str, error: Exception) -> None:
        with self._lock:
            first = not self.is_open
            self._open_until = time.monotonic() + self._backoff
            self._tripped = True
        if first:
            self._logger.warning(
                'dmr_jwt: the %s cache %r failed on %s (%s); '
                'the database answers alone for %.1f s',
                self._purpose,
                self._alias,
                operation,
                describe_fault(error),
                self._backoff,
            )

    def _recover(self) -> None:
        with self._lock:
            was_tripped, self._tripped = self._tripped, False
        if was_tripped:
            self._logger.info(
                'dmr_jwt: the %s cache %r is back',
                self._purpose,
                self._alias,
            )
