"""Blocklisted tokens: one row per revoked ``jti``."""

import datetime as dt
from typing import TYPE_CHECKING, Any

from dmr_jwt.blocklist.store._base import StoreBase
from dmr_jwt.blocklist.store._keys import cache_key
from dmr_jwt.blocklist.store._policy import NO_GRACE
from dmr_jwt.token import JWToken

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from dmr_jwt.blocklist.models import BlocklistedJWToken

__all__ = ('BlocklistState',)


class BlocklistState(StoreBase):
    """
    Blocklisting by ``jti``.

    :meth:`blocklist` writes the row (``get_or_create`` on the unique
    ``jti``: safe when two processes block one token at once), then
    "revoked" through to the cache.
    """

    __slots__ = ()

    def blocklist(
        self,
        token: JWToken,
        *,
        grace: dt.timedelta = NO_GRACE,
    ) -> tuple['BlocklistedJWToken', bool]:
        """
        Blocklist *token*: ``(row, created)``, like ``get_or_create``.

        The row and the cached answer live until ``exp + grace``: pass the
        verifying auth's leeway, so a revoked token stays revoked as long
        as that auth would accept it.

        Raises:
            BlocklistError: If the token has no usable ``jti``.

        """
        jti = self.limits.require_jti(token)
        row, created = self._blocklisted().get_or_create(
            jti=jti,
            defaults=self._row_defaults(token, grace),
        )
        self.cache.put(
            self.policy.revocation(cache_key(jti), token.exp + grace)
        )
        return row, created

    async def ablocklist(
        self,
        token: JWToken,
        *,
        grace: dt.timedelta = NO_GRACE,
    ) -> tuple['BlocklistedJWToken', bool]:
        """Async :meth:`blocklist`."""
        jti = self.limits.require_jti(token)
        row, created = await self._blocklisted().aget_or_create(
            jti=jti,
            defaults=self._row_defaults(token, grace),
        )
        entry = self.policy.revocation(cache_key(jti), token.exp + grace)
        await self.cache.aput(entry)
        return row, created

    def is_blocklisted(
        self,
        token: JWToken,
        *,
        grace: dt.timedelta = NO_GRACE,
    ) -> bool:
        """
        Whether *token* is blocklisted: the cache first, then the database.

        Raises:
            BlocklistError: If the token has no usable ``jti``.

        """
        key = cache_key(self.limits.require_jti(token))
        return self.blocked(token, grace, self.cache.get_many([key]).get(key))

    async def ais_blocklisted(
        self,
        token: JWToken,
        *,
        grace: dt.timedelta = NO_GRACE,
    ) -> bool:
        """Async :meth:`is_blocklisted`."""
        key = cache_key(self.limits.require_jti(token))
        cached = (await self.cache.aget_many([key])).get(key)
        return await self.ablocked(token, grace, cached)

    def blocked(
        self,
        token: JWToken,
        grace: dt.timedelta,
        cached: object,
    ) -> bool:
        """The answer for a checked ``jti``: *cached*, else the database."""
        answer = self.policy.cached_answer(token, cached)
        if isinstance(answer, bool):
            return answer
        blocked = self._blocklisted().filter(jti=token.jti).exists()
        self.cache.put(self._answer(token, grace, blocked=blocked))
        return blocked

    async def ablocked(
        self,
        token: JWToken,
        grace: dt.timedelta,
        cached: object,
    ) -> bool:
        """Async :meth:`blocked`."""
        answer = self.policy.cached_answer(token, cached)
        if isinstance(answer, bool):
            return answer
        blocked = await self._blocklisted().filter(jti=token.jti).aexists()
        await self.cache.aput(self._answer(token, grace, blocked=blocked))
        return blocked

    def _answer(
        self,
        token: JWToken,
        grace: dt.timedelta,
        *,
        blocked: bool,
    ) -> Any:
        assert token.jti is not None  # noqa: S101 -- checked by the caller
        return self.policy.answer(
            cache_key(token.jti), blocked, token.exp + grace
        )

    def _row_defaults(
        self,
        token: JWToken,
        grace: dt.timedelta,
    ) -> dict[str, Any]:
        # A row (and a cached answer) must outlive the token: auth that
        # allows `leeway` accepts it `leeway` seconds after `exp`.
        return {
            'sub': token.sub[: self.limits.sub],
            'expires_at': token.exp + grace,
        }

    def _blocklisted(self) -> 'QuerySet[BlocklistedJWToken]':
        from dmr_jwt.blocklist.models import BlocklistedJWToken  # noqa: PLC0415

        return self.policy.rows(BlocklistedJWToken)
