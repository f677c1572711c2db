"""The revocation store: every kind of revocation state, one policy."""

import datetime as dt
import functools
import logging
from typing import Any, Final, final

from django.core.signals import setting_changed
from django.dispatch import receiver

from dmr_jwt._internal.families import token_family
from dmr_jwt._internal.guarded_cache import GuardedCache
from dmr_jwt.blocklist.store._families import FamilyState
from dmr_jwt.blocklist.store._flush import FlushState
from dmr_jwt.blocklist.store._jti import BlocklistState
from dmr_jwt.blocklist.store._keys import (
    cache_key,
    family_cache_key,
    watermark_cache_key,
)
from dmr_jwt.blocklist.store._policy import NO_GRACE, Policy
from dmr_jwt.blocklist.store._rows import Limits
from dmr_jwt.blocklist.store._watermarks import WatermarkState
from dmr_jwt.conf import SETTINGS_NAME
from dmr_jwt.token import JWToken

__all__ = ('RevocationStore', 'get_store')

_logger: Final = logging.getLogger('dmr_jwt.blocklist.store')


@final
class RevocationStore(BlocklistState, WatermarkState, FamilyState, FlushState):
    """
    Every read and write of revocation state, under one policy.

    Built by :func:`get_store` from the ``DMR_JWT`` settings; its guarded
    cache (and so its circuit breaker) is shared by every kind of state.
    """

    __slots__ = ()

    def __init__(self, policy: Policy, limits: Limits) -> None:
        self.policy = policy
        self.limits = limits
        self.cache = GuardedCache(
            policy.cache_alias,
            backoff=policy.backoff,
            purpose='revocation',
            logger=_logger,
        )

    def is_revoked(
        self,
        token: JWToken,
        *,
        grace: dt.timedelta = NO_GRACE,
    ) -> bool:
        """
        Whether *token* is revoked: blocklist, watermark or family.

        The three cached answers are read in one round trip (one ``MGET``
        on Redis); a missing one is asked from the database. *grace*: how
        long after ``exp`` the verifying auth still accepts the token.

        Raises:
            BlocklistError: If the token has no usable ``jti``.

        """
        keys = self._keys(token)
        cached = self.cache.get_many(keys)
        if self.blocked(token, grace, cached.get(keys[0])):
            return True
        if self.revoked_by_watermark(token, grace, cached.get(keys[1])):
            return True
        family = token_family(token)
        return family is not None and self.family_revoked(
            token,
            family,
            grace,
            cached.get(keys[2]),
        )

    async def ais_revoked(
        self,
        token: JWToken,
        *,
        grace: dt.timedelta = NO_GRACE,
    ) -> bool:
        """Async :meth:`is_revoked`."""
        keys = self._keys(token)
        cached = await self.cache.aget_many(keys)
        if await self.ablocked(token, grace, cached.get(keys[0])):
            return True
        if await self.arevoked_by_watermark(token, grace, cached.get(keys[1])):
            return True
        family = token_family(token)
        return family is not None and await self.afamily_revoked(
            token,
            family,
            grace,
            cached.get(keys[2]),
        )

    def _keys(self, token: JWToken) -> list[str]:
        # In this order: blocklist, watermark, family (when there is one).
        keys = [
            cache_key(self.limits.require_jti(token)),
            watermark_cache_key(token.sub),
        ]
        family = token_family(token)
        if family is not None:
            keys.append(family_cache_key(family))
        return keys


@functools.cache
def get_store() -> RevocationStore:
    """The revocation store of the settings in force (made on first use)."""
    return RevocationStore(Policy.from_settings(), Limits.from_models())


@receiver(setting_changed)
def _reset_store(*, setting: str, **kwargs: Any) -> None:
    if setting in {SETTINGS_NAME, 'CACHES', 'DATABASES'}:
        get_store.cache_clear()
