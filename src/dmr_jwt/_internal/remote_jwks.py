"""Verify with the public keys that another service publishes (a JWKS URL).

:class:`RemoteJWKS` is a :class:`~dmr_jwt.keys.KeySource` for services that
only verify. One daemon thread per source does every fetch (PyJWT's
``PyJWKClient``, through :mod:`dmr_jwt._internal.pyjwt`):

- the first at construction, then one every ``refresh_interval``: in
  steady state a request never waits for the network;
- one more for a ``kid`` that the set does not have, at most once per
  ``min_refetch_interval`` (a flood of random ``kid`` s costs one fetch);
  callers that need a fetch while one runs share it;
- every fetch, and every wait for one, is bounded by ``timeout``; a failed
  fetch keeps the last good set; async callers wait on an asyncio future
  (:meth:`RemoteJWKS.aprepare`), never blocking the event loop, and a call
  on an event loop thread never waits at all.

A request that finds no key set at all (none could ever be fetched) gets
:exc:`~dmr_jwt.errors.KeysUnavailableError` (``503``); a ``kid`` missing
from a fresh set is ``401`` (``Reason.UNKNOWN_KEY``). Only the configured
URL is ever fetched: ``jku`` and ``x5u`` of a token are never read.
"""

import asyncio
import logging
import os
import ssl
import threading
import time
import weakref
from typing import Final, TypeAlias, final

from django.core.exceptions import ImproperlyConfigured
from typing_extensions import override

from dmr_jwt._internal import jwks_policy as _policy
from dmr_jwt._internal import pyjwk as _pyjwk
from dmr_jwt._internal.key import Key
from dmr_jwt._internal.keyring import KeyRing
from dmr_jwt.errors import InvalidTokenError, KeysUnavailableError, Reason

__all__ = ('RemoteJWKS',)

_logger: Final = logging.getLogger('dmr_jwt.keys')

#: An async caller waiting for a fetch: its loop, and what to resolve.
_Waiter: TypeAlias = tuple[asyncio.AbstractEventLoop, 'asyncio.Future[None]']


@final
class RemoteJWKS:
    """
    The public keys published at a JWKS URL (a :class:`KeySource`).

    Every key is *verifying*: this service never signs. Build one per
    process (``DMR_JWT['JWKS_URL']`` does it for the whole project); it
    starts fetching at once, in the background.

    .. versionadded:: 0.1.0
    """

    __slots__ = ('__weakref__', '_fetcher', 'url')

    def __init__(
        self,
        url: str,
        *,
        refresh_interval: float = 300.0,
        min_refetch_interval: float = 10.0,
        timeout: float = 5.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        """
        Check *url* and start the first fetch in the background.

        Args:
            url: The JWK Set (``https``, or ``http`` on a loopback address).
            refresh_interval: Seconds between two background fetches.
            min_refetch_interval: Shortest time between two fetches for a
                ``kid`` that the set does not have (or for no set at all).
            timeout: Seconds that a fetch, and a wait for one, may take.
            ssl_context: For a private CA, or a client certificate.

        Raises:
            ImproperlyConfigured: Not ``https`` on another host than a
                loopback address, or an interval that is not positive.

        """
        for name, value in (
            ('refresh_interval', refresh_interval),
            ('min_refetch_interval', min_refetch_interval),
            ('timeout', timeout),
        ):
            if not value > 0:
                raise ImproperlyConfigured(
                    f'RemoteJWKS: {name} must be a positive number of seconds',
                )
        #: Where the keys come from.
        self.url: str = _policy.checked_url(url)
        self._fetcher = _Fetcher(
            url,
            refresh_interval=refresh_interval,
            min_refetch_interval=min_refetch_interval,
            timeout=timeout,
            ssl_context=ssl_context,
        )
        # The thread holds the fetcher, not this object: when the source
        # is gone (settings changed in tests), its thread stops.
        weakref.finalize(self, self._fetcher.stop)
        self._fetcher.start()

    def key_ring(self) -> KeyRing:
        """
        The keys of the last good fetch.

        Before any fetch ever succeeded, waits for one (at most
        ``timeout``; never on an event loop thread).

        Raises:
            KeysUnavailableError: No key set could be fetched yet.

        """
        ring = self._fetcher.ring
        if ring is None:
            if not _on_event_loop():
                self._fetcher.fetch_and_wait(None)
            ring = self._fetcher.ring
            if ring is None:
                raise self._unavailable()
        return ring

    def verifying_key(self, kid: str | None) -> Key:
        """
        The key for *kid*; one bounded fetch first when the set lacks it.

        Raises:
            InvalidTokenError: ``UNKNOWN_KEY``: not in a fresh set, or no
                ``kid`` (a remote set has no legacy default key).
            KeysUnavailableError: No key set could be fetched yet.

        """
        if kid is None:
            raise InvalidTokenError(Reason.UNKNOWN_KEY)
        ring = self._fetcher.ring
        key = None if ring is None else ring.get(kid)
        if key is not None:
            return key
        if not _on_event_loop():
            # An async caller awaited `aprepare` and must not block here.
            self._fetcher.fetch_and_wait(kid)
        ring = self._fetcher.ring
        if ring is None:
            raise self._unavailable()
        return ring.verifying_key(kid)

    async def aprepare(self, kid: str | None) -> None:
        """
        Fetch, if :meth:`verifying_key` would, without blocking the loop.

        The fetch runs in the source's thread; this coroutine awaits it
        (at most ``timeout``) on an asyncio future.
        """
        ring = self._fetcher.ring
        if ring is not None and (kid is None or ring.get(kid) is not None):
            return
        await self._fetcher.afetch_and_wait(kid)

    def close(self) -> None:
        """Stop the background thread (also done when it is collected)."""
        self._fetcher.stop()

    def _unavailable(self) -> KeysUnavailableError:
        where = _policy.loggable_url(self.url)
        return KeysUnavailableError(f'No key set could be fetched from {where}')

    @override
    def __repr__(self) -> str:
        """Where the keys come from (without credentials or query)."""
        return f'RemoteJWKS({_policy.loggable_url(self.url)!r})'


@final
class _Fetcher:
    """The state that a source shares with its thread, and the thread."""

    def __init__(
        self,
        url: str,
        *,
        refresh_interval: float,
        min_refetch_interval: float,
        timeout: float,
        ssl_context: ssl.SSLContext | None,
    ) -> None:
        self.url = url
        self.refresh_interval = refresh_interval
        self.min_refetch_interval = min_refetch_interval
        self.timeout = timeout
        self.ssl_context = ssl_context
        #: The last good set; read without the lock (one reference).
        self.ring: KeyRing | None = None
        self._changed = threading.Condition(threading.Lock())
        #: Fetches that ended (well or not): what waiters wait on.
        self._attempts = 0
        self._running = False
        self._wanted = False
        self._stopped = False
        #: When the last fetch asked for by a caller started.
        self._demanded_at: float | None = None
        self._futures: list[_Waiter] = []
        _FETCHERS.add(self)

    def start(self) -> None:
        threading.Thread(
            target=self._run,
            name=f'dmr-jwt-jwks {_policy.loggable_url(self.url)}',
            daemon=True,
        ).start()

    def stop(self) -> None:
        with self._changed:
            self._stopped = True
            self._changed.notify_all()

    def fetch_and_wait(self, kid: str | None) -> None:
        """Ask for a fetch unless cooling down, wait for it (bounded)."""
        deadline = time.monotonic() + self.timeout
        with self._changed:
            target = self._demand(kid)
            if target is None:
                return
            self._changed.wait_for(
                lambda: self._attempts >= target or self._stopped,
                timeout=max(0.0, deadline - time.monotonic()),
            )

    async def afetch_and_wait(self, kid: str | None) -> None:
        """See :meth:`fetch_and_wait`; waits on a future of this loop."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._changed:
            target = self._demand(kid)
            if target is None:
                return
            self._futures.append((loop, future))
        try:
            await asyncio.wait_for(future, self.timeout)
        except TimeoutError:
            return  # the caller answers from what there is

    def _demand(self, kid: str | None) -> int | None:
        """Under the lock: the attempt to wait for, or ``None``: none."""
        ring = self.ring
        if ring is not None and (kid is None or ring.get(kid) is not None):
            return None  # nothing to fetch, or the thread just fetched it
        if not (self._running or self._wanted):
            now = time.monotonic()
            if (
                self._demanded_at is not None
                and now - self._demanded_at < self.min_refetch_interval
            ):
                return None  # cooling down: the set is fresh enough
            self._demanded_at = now
            self._wanted = True
            self._changed.notify_all()
        # The running (or next) fetch is the one to wait for.
        return self._attempts + 1

    def _run(self) -> None:
        due = time.monotonic()  # the first fetch: at once
        while True:
            with self._changed:
                while not (self._stopped or self._wanted):
                    left = due - time.monotonic()
                    if left <= 0:
                        break
                    self._changed.wait(left)
                if self._stopped:
                    self._wake_futures()
                    return
                self._wanted = False
                self._running = True
            fetched = self._fetch()
            with self._changed:
                if fetched is not None:
                    self.ring = fetched
                self._running = False
                self._attempts += 1
                self._changed.notify_all()
                self._wake_futures()
            # After a failure, retry sooner than a refresh.
            due = time.monotonic() + (
                self.refresh_interval
                if fetched is not None
                else min(self.refresh_interval, self.min_refetch_interval)
            )

    def _wake_futures(self) -> None:
        futures, self._futures = self._futures, []
        for loop, future in futures:
            try:
                loop.call_soon_threadsafe(_resolve, future)
            except RuntimeError:  # pragma: no cover (the loop was closed)
                continue

    def _fetch(self) -> KeyRing | None:
        """One fetch; the new ring, or ``None`` (logged) when it failed."""
        where = _policy.loggable_url(self.url)
        try:
            members = _pyjwk.fetch_jwk_set(
                self.url,
                timeout=self.timeout,
                ssl_context=self.ssl_context,
            )
            ring = KeyRing(_policy.usable_keys(members, where))
        except (KeysUnavailableError, ImproperlyConfigured) as exc:
            _log_failure(where, str(exc), keeping=self.ring is not None)
            return None
        except Exception as exc:  # noqa: BLE001 (the thread must live on)
            _log_failure(
                where, type(exc).__name__, keeping=self.ring is not None
            )
            return None
        if not ring.keys:
            _log_failure(where, 'no usable key', keeping=self.ring is not None)
            return None
        if self.ring is None or ring.fingerprint != self.ring.fingerprint:
            _logger.info(
                'dmr_jwt: key set of %s fetched: %s',
                where,
                ', '.join(f'{key.kid} ({key.algorithm})' for key in ring.keys),
            )
        return ring

    def restart_after_fork(self) -> None:
        """In a forked child: the state was copied, not the thread."""
        # New locks too: the parent's may have been held while forking.
        self._changed = threading.Condition(threading.Lock())
        self._running = self._wanted = False
        self._futures = []
        if not self._stopped:
            self.start()


#: Every live fetcher, to restart their threads in a forked worker
#: (gunicorn ``--preload``, multiprocessing).
_FETCHERS: Final[weakref.WeakSet[_Fetcher]] = weakref.WeakSet()


def _after_fork() -> None:
    for fetcher in list(_FETCHERS):
        fetcher.restart_after_fork()


os.register_at_fork(after_in_child=_after_fork)


def _log_failure(where: str, why: str, *, keeping: bool) -> None:
    _logger.error(
        'dmr_jwt: key set of %s not fetched (%s); %s',
        where,
        why,
        'keeping the previous keys' if keeping else 'no keys yet: 503',
    )


def _resolve(future: 'asyncio.Future[None]') -> None:
    if not future.done():
        future.set_result(None)


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
