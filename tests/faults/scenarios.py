"""The Redis faults of the fault tests, and the polling around a revocation.

A :class:`Fault` is injected after the tokens were warmed (cached as "not
revoked") and before the revocation, and recovered from after the
revocation's staleness bound has passed. :func:`poll` keeps using every
revoked token (and what refreshing it minted) until a deadline, so that
:meth:`tests.faults.probe.Probe.check_revocations` can judge the answers.
"""

import dataclasses
import time
from collections.abc import Callable
from typing import Final

from typing_extensions import override

from tests.faults.probe import Probe
from tests.faults.redis_server import RedisServer

__all__ = ('FAULTS', 'Fault', 'poll')

#: Pause between two polling rounds (seconds).
_ROUND_PAUSE: Final = 0.1

#: Most polling rounds of one :func:`poll`, whatever the deadline.
_MAX_ROUNDS: Final = 100


def _nothing(server: RedisServer) -> None:
    """No action: the fault happens at the other end."""


def _down_after_save(server: RedisServer) -> None:
    server.save()
    server.kill()


def _full(server: RedisServer) -> None:
    server.fill_to_maxmemory('noeviction')


def _evicting(server: RedisServer) -> None:
    server.fill_to_maxmemory('allkeys-lru')


@dataclasses.dataclass(frozen=True, slots=True)
class Fault:
    """How to break the test's Redis, and how it comes back."""

    name: str
    inject: Callable[[RedisServer], None]
    recover: Callable[[RedisServer], None]

    @override
    def __str__(self) -> str:
        return self.name


#: Every fault, by name (the test ids).
FAULTS: Final = (
    # Shut down; comes back empty.
    Fault('stopped', RedisServer.stop, RedisServer.start),
    # SIGSTOP: every call waits for its socket timeout; comes back with
    # every key it had, the stale "not revoked" answers among them.
    Fault('frozen', RedisServer.freeze, RedisServer.thaw),
    # Crashed after a snapshot, down during the revocation, then
    # restarted from the snapshot: old data, taken before the revocation.
    Fault('down-restarted-from-saved', _down_after_save, RedisServer.start),
    # Healthy during the revocation, then crashed and restarted from a
    # snapshot taken before it: the published revocation is lost.
    Fault(
        'rolled-back-to-saved',
        RedisServer.save,
        RedisServer.restart_from_saved,
    ),
    # maxmemory reached, noeviction: every write fails with OOM, reads
    # (of the stale answers) still work.
    Fault('full-noeviction', _full, RedisServer.reset_maxmemory),
    # maxmemory reached, allkeys-lru: writes succeed and evict keys.
    Fault('evicting', _evicting, RedisServer.reset_maxmemory),
)


def poll(probe: Probe, *, until: float, rotate: bool, rounds: int = 1) -> None:
    """
    Use every revoked token until *until* (and at least *rounds* times).

    Access tokens ``GET`` the protected endpoint; refresh tokens refresh
    (rotating with *rotate*). The first pair that a revoked refresh token
    still mints is revoked as of its parent: it must die by the same
    deadline, so it is polled too (but mints no further tracked pairs).
    """
    parents = set(probe.refresh_tokens)
    minted_by: set[str] = set()
    for done in range(_MAX_ROUNDS):
        if done >= rounds and time.monotonic() > until:
            return
        for token in list(probe.revoked_at):
            if token not in probe.refresh_tokens:
                probe.me(token)
                continue
            minted = probe.refresh(token, rotate=rotate)
            if minted is not None and token in parents - minted_by:
                minted_by.add(token)
                probe.revoke_with(minted, token)
        time.sleep(_ROUND_PAUSE)
