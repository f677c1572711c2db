"""Log out everywhere: one watermark per user, checked against ``iat``.

:meth:`WatermarkState.revoke_all` writes one row (``TokenWatermark``):
every token of that user issued before the watermark is revoked, whatever
its ``jti``. The watermark is ``now`` rounded up to the next whole second,
because ``iat`` has one-second resolution: tokens issued in the same
second as the logout are revoked too. A watermark can move (the latest
call wins), so every cached watermark, written through or read from the
database, counts for at most ``BLOCKLIST_MAX_STALENESS`` seconds.
"""

import datetime as dt
import math
from typing import TYPE_CHECKING, Any, Final

from django.db import transaction

from dmr_jwt.blocklist.store._base import StoreBase
from dmr_jwt.blocklist.store._keys import watermark_cache_key
from dmr_jwt.blocklist.store._policy import NO_GRACE
from dmr_jwt.signals import all_tokens_revoked
from dmr_jwt.token import JWToken

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from dmr_jwt.blocklist.models import TokenWatermark

__all__ = ('WatermarkState',)

#: The cached value of a user without a watermark (epoch seconds otherwise).
_NO_WATERMARK: Final = 0


class WatermarkState(StoreBase):
    """Watermarks: "every token of this user issued before ..."."""

    __slots__ = ()

    def revoke_all(
        self,
        sub: str,
        *,
        now: dt.datetime | None = None,
        sender: object = None,
    ) -> dt.datetime:
        """
        Revoke every token of *sub* issued up to *now*: one write, one row.

        Returns the new watermark: *now* (default: the current time, naive
        means UTC) rounded **up** to the next whole second. ``iat`` has a
        resolution of one second, so every token issued in the same second
        as the revocation is revoked too, even one issued a moment after
        it; tokens issued from the next second on are valid. The latest
        call wins, even with an earlier *now*. Once the transaction
        commits (at once outside one), writes the watermark through to the
        cache and sends ``all_tokens_revoked`` from *sender*.

        Raises:
            BlocklistError: If *sub* cannot be stored.

        """
        self.limits.require_sub(sub)
        not_before = _next_second(now)
        self._watermarks().update_or_create(
            sub=sub,
            defaults={'not_before': not_before},
        )

        def publish() -> None:
            # The row, not `not_before`: of two concurrent calls, the cache
            # must end with the watermark that the database kept.
            stored = self._not_before(sub).first() or not_before
            self.cache.put(self._written(sub, stored))
            all_tokens_revoked.send(
                sender=sender,
                sub=sub,
                not_before=not_before,
            )

        # Inside a transaction (a password change in `atomic()`), the cache
        # and the signal follow the commit: a rollback must revoke nothing.
        transaction.on_commit(publish, using=self._write_database())
        return not_before

    async def arevoke_all(
        self,
        sub: str,
        *,
        now: dt.datetime | None = None,
        sender: object = None,
    ) -> dt.datetime:
        """Async :meth:`revoke_all`."""
        self.limits.require_sub(sub)
        not_before = _next_second(now)
        await self._watermarks().aupdate_or_create(
            sub=sub,
            defaults={'not_before': not_before},
        )
        stored = await self._not_before(sub).afirst() or not_before
        await self.cache.aput(self._written(sub, stored))
        await all_tokens_revoked.asend(
            sender=sender,
            sub=sub,
            not_before=not_before,
        )
        return not_before

    def is_revoked_by_watermark(
        self,
        token: JWToken,
        *,
        grace: dt.timedelta = NO_GRACE,
    ) -> bool:
        """
        Whether :meth:`revoke_all` revoked *token*: its ``iat`` is too old.

        The cache first, then the database.
        """
        key = watermark_cache_key(token.sub)
        cached = self.cache.get_many([key]).get(key)
        return self.revoked_by_watermark(token, grace, cached)

    async def ais_revoked_by_watermark(
        self,
        token: JWToken,
        *,
        grace: dt.timedelta = NO_GRACE,
    ) -> bool:
        """Async :meth:`is_revoked_by_watermark`."""
        key = watermark_cache_key(token.sub)
        cached = (await self.cache.aget_many([key])).get(key)
        return await self.arevoked_by_watermark(token, grace, cached)

    def revoked_by_watermark(
        self,
        token: JWToken,
        grace: dt.timedelta,
        cached: object,
    ) -> bool:
        """The answer for *token*: *cached*, else the database."""
        watermark = _as_watermark(self.policy.cached_answer(token, cached))
        if watermark is None:
            if not self.limits.is_storable_sub(token.sub):
                return False  # never stored: no watermark
            watermark = _to_watermark(self._not_before(token.sub).first())
            self.cache.put(self._read(token, grace, watermark))
        return _is_before(token, watermark)

    async def arevoked_by_watermark(
        self,
        token: JWToken,
        grace: dt.timedelta,
        cached: object,
    ) -> bool:
        """Async :meth:`revoked_by_watermark`."""
        watermark = _as_watermark(self.policy.cached_answer(token, cached))
        if watermark is None:
            if not self.limits.is_storable_sub(token.sub):
                return False
            stored = await self._not_before(token.sub).afirst()
            watermark = _to_watermark(stored)
            await self.cache.aput(self._read(token, grace, watermark))
        return _is_before(token, watermark)

    def _written(self, sub: str, not_before: dt.datetime) -> Any:
        return self.policy.watermark(
            watermark_cache_key(sub),
            _to_watermark(not_before),
        )

    def _read(self, token: JWToken, grace: dt.timedelta, watermark: int) -> Any:
        key = watermark_cache_key(token.sub)
        return self.policy.answer(key, watermark, token.exp + grace)

    def _not_before(self, sub: str) -> 'QuerySet[Any, dt.datetime]':
        """The stored watermark of *sub*: no row, or one."""
        return (
            self._watermarks()
            .filter(sub=sub)
            .values_list('not_before', flat=True)
        )

    def _write_database(self) -> str:
        from dmr_jwt.blocklist.models import TokenWatermark  # noqa: PLC0415

        return self.policy.write_database(TokenWatermark)

    def _watermarks(self) -> 'QuerySet[TokenWatermark]':
        from dmr_jwt.blocklist.models import TokenWatermark  # noqa: PLC0415

        return self.policy.rows(TokenWatermark)


def _next_second(now: dt.datetime | None) -> dt.datetime:
    if now is None:
        now = dt.datetime.now(dt.UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=dt.UTC)
    return dt.datetime.fromtimestamp(math.floor(now.timestamp()) + 1, dt.UTC)


def _to_watermark(not_before: dt.datetime | None) -> int:
    if not_before is None:
        return _NO_WATERMARK
    return math.ceil(not_before.timestamp())


def _is_before(token: JWToken, watermark: int) -> bool:
    # `iat` is whole seconds, the watermark too.
    return watermark != _NO_WATERMARK and token.iat.timestamp() < watermark


def _as_watermark(cached: object) -> int | None:
    if isinstance(cached, int) and not isinstance(cached, bool):
        return cached
    return None
