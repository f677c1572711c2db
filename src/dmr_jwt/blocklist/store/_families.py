"""Token families and refresh token rotation.

Rotation uses a refresh token up in one atomic, conditional write: an
``INSERT`` of its ``jti`` into ``UsedRefreshToken``, whose ``jti`` is
unique. Of any number of concurrent refreshes with one token, on any
number of processes, the database lets exactly one insert succeed
(:meth:`FamilyState.use_refresh_token` returns ``None`` to it); every other
one gets the moment of the first use, and the controller decides whether
that is a harmless retry (inside the grace period) or a replay (then it
revokes the token family).

A revoked family is one ``RevokedTokenFamily`` row: every token whose
``extras.family`` names it is refused. "Revoked" is written through and
kept until the family expires; "not revoked" read from the database is
kept at most ``BLOCKLIST_MAX_STALENESS`` seconds.
"""

import datetime as dt
from typing import TYPE_CHECKING, Any, Final

from asgiref.sync import sync_to_async
from django.db import IntegrityError, transaction

from dmr_jwt._internal.families import refresh_family, token_family
from dmr_jwt.blocklist.store._base import StoreBase
from dmr_jwt.blocklist.store._keys import family_cache_key
from dmr_jwt.blocklist.store._policy import NO_GRACE
from dmr_jwt.signals import token_family_revoked
from dmr_jwt.token import JWToken

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from dmr_jwt.blocklist.models import RevokedTokenFamily

__all__ = ('FamilyState',)

#: How long a used refresh token's row outlives the token.
_USED_ROW_MARGIN: Final = dt.timedelta(hours=1)


class FamilyState(StoreBase):
    """Used refresh tokens and revoked token families."""

    __slots__ = ()

    def use_refresh_token(self, token: JWToken) -> dt.datetime | None:
        """
        Use *token* up: ``None`` if this call used it first, else when it was.

        One ``INSERT`` on the unique ``jti``, in a savepoint of its own: the
        database decides the race. Inside a request transaction
        (``ATOMIC_REQUESTS``) the use commits with the response, error
        responses included (django-modern-rest turns API errors into
        responses); only an unhandled exception rolls it back.

        Raises:
            BlocklistError: If the token has no usable ``jti``.

        """
        from dmr_jwt.blocklist.models import UsedRefreshToken  # noqa: PLC0415

        jti = self.limits.require_jti(token)
        database = self.policy.write_database(UsedRefreshToken)
        rows = UsedRefreshToken._default_manager.using(database)  # noqa: SLF001
        try:
            with transaction.atomic(using=database):
                rows.create(
                    jti=jti,
                    family=refresh_family(token) or '',
                    sub=token.sub[: self.limits.sub],
                    # A margin: the host that flushes may run ahead of the
                    # hosts that still accept the token.
                    expires_at=token.exp + _USED_ROW_MARGIN,
                )
        except IntegrityError:
            used_at = (
                rows.filter(jti=jti).values_list('used_at', flat=True).first()
            )
            # No row: it expired and was flushed meanwhile; "just now" is
            # the answer that revokes nothing.
            return used_at or dt.datetime.now(dt.UTC)
        return None

    async def ause_refresh_token(self, token: JWToken) -> dt.datetime | None:
        """Async :meth:`use_refresh_token` (savepoints are sync-only)."""
        return await sync_to_async(self.use_refresh_token)(token)

    def revoke_family(
        self,
        family: str,
        *,
        sub: str,
        expires_at: dt.datetime,
        cause: str = 'manual',
        sender: object = None,
    ) -> bool:
        """
        Revoke every token of *family*; ``True`` if it was not revoked yet.

        *expires_at* must be no earlier than the expiry of the family's
        last token: the row (and the cached answer) lives until then;
        revoking a revoked family again only moves it later.
        ``token_family_revoked`` is sent when the row is new.

        Raises:
            BlocklistError: If *family* or *sub* cannot be stored.

        """
        self.limits.require_family(family, sub)
        row, created = self._families().get_or_create(
            family=family,
            defaults={'sub': sub, 'cause': cause, 'expires_at': expires_at},
        )
        if not created:
            # Revoked again, by a controller whose tokens may live longer.
            self._later(row.pk, expires_at).update(expires_at=expires_at)
        self.cache.put(
            self.policy.revocation(family_cache_key(family), expires_at),
        )
        if created:
            token_family_revoked.send(
                **_signal_kwargs(sender, family, sub, cause),
            )
        return created

    async def arevoke_family(
        self,
        family: str,
        *,
        sub: str,
        expires_at: dt.datetime,
        cause: str = 'manual',
        sender: object = None,
    ) -> bool:
        """Async :meth:`revoke_family`."""
        self.limits.require_family(family, sub)
        row, created = await self._families().aget_or_create(
            family=family,
            defaults={'sub': sub, 'cause': cause, 'expires_at': expires_at},
        )
        if not created:
            await self._later(row.pk, expires_at).aupdate(expires_at=expires_at)
        await self.cache.aput(
            self.policy.revocation(family_cache_key(family), expires_at),
        )
        if created:
            await token_family_revoked.asend(
                **_signal_kwargs(sender, family, sub, cause),
            )
        return created

    def is_family_revoked(
        self,
        token: JWToken,
        *,
        grace: dt.timedelta = NO_GRACE,
    ) -> bool:
        """Whether the family of *token* is revoked; ``False`` without one."""
        family = token_family(token)
        if family is None:
            return False
        key = family_cache_key(family)
        cached = self.cache.get_many([key]).get(key)
        return self.family_revoked(token, family, grace, cached)

    async def ais_family_revoked(
        self,
        token: JWToken,
        *,
        grace: dt.timedelta = NO_GRACE,
    ) -> bool:
        """Async :meth:`is_family_revoked`."""
        family = token_family(token)
        if family is None:
            return False
        key = family_cache_key(family)
        cached = (await self.cache.aget_many([key])).get(key)
        return await self.afamily_revoked(token, family, grace, cached)

    def family_revoked(
        self,
        token: JWToken,
        family: str,
        grace: dt.timedelta,
        cached: object,
    ) -> bool:
        """The answer for *family*: *cached*, else the database."""
        answer = self.policy.cached_answer(token, cached)
        if isinstance(answer, bool):
            return answer
        revoked = self._families().filter(family=family).exists()
        key = family_cache_key(family)
        self.cache.put(self.policy.answer(key, revoked, token.exp + grace))
        return revoked

    async def afamily_revoked(
        self,
        token: JWToken,
        family: str,
        grace: dt.timedelta,
        cached: object,
    ) -> bool:
        """Async :meth:`family_revoked`."""
        answer = self.policy.cached_answer(token, cached)
        if isinstance(answer, bool):
            return answer
        revoked = await self._families().filter(family=family).aexists()
        key = family_cache_key(family)
        await self.cache.aput(
            self.policy.answer(key, revoked, token.exp + grace)
        )
        return revoked

    def _later(
        self,
        pk: int,
        expires_at: dt.datetime,
    ) -> 'QuerySet[RevokedTokenFamily]':
        # Only moves the row's expiry later, never earlier.
        return self._families().filter(pk=pk, expires_at__lt=expires_at)

    def _families(self) -> 'QuerySet[RevokedTokenFamily]':
        from dmr_jwt.blocklist.models import RevokedTokenFamily  # noqa: PLC0415

        return self.policy.rows(RevokedTokenFamily)


def _signal_kwargs(
    sender: object,
    family: str,
    sub: str,
    cause: str,
) -> dict[str, Any]:
    # The `token_family_revoked` payload, documented in `dmr_jwt.signals`.
    return {'sender': sender, 'family': family, 'sub': sub, 'cause': cause}
