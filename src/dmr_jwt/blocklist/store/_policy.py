"""The consistency policy of the revocation store, resolved once.

Every cached answer gets its lifetime here, and only here:

- "revoked" (a blocklisted ``jti``, a revoked family) never turns back, so
  it is cached until the token (or family) expires;
- everything that can turn into "revoked" later ("not revoked", a user's
  watermark, which only moves later) is cached for at most
  ``BLOCKLIST_MAX_STALENESS`` seconds, in every cache. That is the bound on
  how long a cache that missed a revocation (another process's local
  memory, a Redis that was unreachable, frozen, restarted from an old
  snapshot, or that evicted the entry) can keep a revoked token accepted.

Such an answer is cached with the time it was read from the database,
and readers take it for a miss once it is older than the bound by their
own clock: a write that reaches the cache late (a frozen Redis that runs
its socket buffer when it thaws, a paused worker) cannot stretch it. The
hosts' clocks must agree (NTP), as they must for ``exp`` anyway.

A refresh token mints new tokens, so its check never trusts a cached
"not revoked": it reads the database (a refresh is rare, a request is
not). Otherwise a refresh in the staleness window after "log out
everywhere" would turn the stale session into a fresh one.
"""

import dataclasses
import datetime as dt
import time
from typing import TYPE_CHECKING, Any, Final, TypeVar, final

from django.db import router

from dmr_jwt._internal.guarded_cache import Entry
from dmr_jwt.conf import get_settings
from dmr_jwt.token import JWToken

if TYPE_CHECKING:
    from django.db.models import Model, QuerySet

__all__ = ('NO_GRACE', 'Policy')

#: No time after ``exp``: what controllers without leeway use.
NO_GRACE: Final = dt.timedelta(0)

_ModelT = TypeVar('_ModelT', bound='Model')


@final
@dataclasses.dataclass(frozen=True, slots=True)
class Policy:
    """Where revocation state lives and how long a cached answer is kept."""

    cache_alias: str | None
    database: str | None
    max_staleness: int
    backoff: float

    @classmethod
    def from_settings(cls) -> 'Policy':
        """The policy of the ``DMR_JWT`` settings in force."""
        settings = get_settings()
        return cls(
            cache_alias=settings.BLOCKLIST_CACHE,
            database=settings.BLOCKLIST_DATABASE,
            max_staleness=settings.BLOCKLIST_MAX_STALENESS,
            backoff=float(settings.CACHE_BACKOFF),
        )

    def revoked_ttl(self, expires_at: dt.datetime) -> int:
        """Seconds to cache "revoked": until *expires_at*, at least 1."""
        return _remaining(expires_at)

    def unrevoked_ttl(self, expires_at: dt.datetime) -> int:
        """Seconds to cache an answer that may still turn into "revoked"."""
        return min(self.max_staleness, _remaining(expires_at))

    def revocation(self, key: str, expires_at: dt.datetime) -> Entry:
        """A revocation, written over any cached answer."""
        timeout = self.revoked_ttl(expires_at)
        return Entry(key, cache_value=True, timeout=timeout, overwrite=True)

    def answer(
        self,
        key: str,
        cache_value: object,
        expires_at: dt.datetime,
    ) -> Entry:
        """
        An answer read from the database: never over a newer one.

        "Revoked" is kept like a revocation; anything else for at most
        ``max_staleness`` seconds.
        """
        if cache_value is True:
            return self.revocation(key, expires_at)
        timeout = self.unrevoked_ttl(expires_at)
        return Entry(key, _stamped(cache_value), timeout, overwrite=False)

    def watermark(self, key: str, watermark: int) -> Entry:
        """A watermark just written: over any cached one, but bounded."""
        stamped = _stamped(watermark)
        return Entry(key, stamped, self.max_staleness, overwrite=True)

    def cached_answer(self, token: JWToken, cached: object) -> object:
        """
        The answer of a cached entry for *token*, or ``None`` for a miss.

        "Revoked" (``True``) always counts. Any other answer counts only
        while it is younger than ``max_staleness`` and *token* is not a
        refresh token.
        """
        if cached is True:
            return True
        if token.extras.get('type') == 'refresh':
            return None
        match cached:
            case (answer, float(read_at)) if (
                abs(time.time() - read_at) <= self.max_staleness
            ):
                return answer
            case _:  # a miss, an old entry, or not one of ours
                return None

    def rows(self, model: type[_ModelT]) -> 'QuerySet[_ModelT]':
        """
        Every row of *model*, on the revocation database.

        Reads go where writes go, never to a read replica that a router
        may pick for reads: a lagging replica would stretch the bound.
        """
        manager: Any = model._default_manager  # noqa: SLF001
        return manager.using(self.write_database(model))  # type: ignore[no-any-return]

    def write_database(self, model: type['Model']) -> str:
        """The alias that *model*'s rows are written to."""
        return self.database or router.db_for_write(model)


def _stamped(cache_value: object) -> tuple[object, float]:
    # The answer, and when it was read: readers check its age.
    return (cache_value, time.time())


def _remaining(expires_at: dt.datetime) -> int:
    now = dt.datetime.now(dt.UTC).timestamp()
    return max(int(expires_at.timestamp() - now), 1)
