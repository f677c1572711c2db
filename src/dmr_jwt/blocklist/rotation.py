"""Refresh token rotation and token families: their state, and only theirs.

Rotation uses a refresh token up in one atomic, conditional write: an
``INSERT`` of its ``jti`` into ``UsedRefreshToken``, whose ``jti`` is
unique. Of any number of concurrent refreshes with one token, on any
number of processes, the database lets exactly one insert succeed
(:func:`use_refresh_token` returns ``None`` to it); every other one gets
the moment of the first use, and the controller decides whether that is
a harmless retry (inside the grace period) or a replay (then it revokes
the token family).

A revoked family is one ``RevokedTokenFamily`` row: every token whose
``extras.family`` names it is refused by the blocklist mixins. It is
cached like the blocklist (:mod:`dmr_jwt.blocklist.store`, whose helpers
this module uses): "revoked" is written through with ``set`` and kept
until the token expires; "not revoked" read from the database is only
``add``-ed, for ``BLOCKLIST_LOCAL_CACHE_TTL`` seconds in a per-process
cache. In steady state a check is one cache read and no query.
"""

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Any, Final, final

from asgiref.sync import sync_to_async
from django.db import IntegrityError, transaction

from dmr_jwt.blocklist.store import (
    _NO_GRACE,
    _SUB_MAX_LENGTH,
    BlocklistError,
    _aread,
    _awrite,
    _is_storable,
    _Plan,
    _plan,
    _queryset,
    _read,
    _require_jti,
    _timeout,
    _write,
    _write_database,
)
from dmr_jwt.cache_keys import safe_cache_key
from dmr_jwt.families import is_usable_family, refresh_family, token_family
from dmr_jwt.signals import token_family_revoked
from dmr_jwt.token import JWToken

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from dmr_jwt.blocklist.models import RevokedTokenFamily

__all__ = (
    'ais_family_revoked',
    'arevoke_family',
    'ause_refresh_token',
    'family_cache_key',
    'is_family_revoked',
    'revoke_family',
    'use_refresh_token',
)

_FAMILY_KEY_PREFIX: Final = 'dmr_jwt:family:'

#: How long a used refresh token's row outlives the token.
_USED_ROW_MARGIN: Final = dt.timedelta(hours=1)


def family_cache_key(family: str) -> str:
    """The cache key that holds the revocation state of *family*."""
    return safe_cache_key(_FAMILY_KEY_PREFIX, family)


# Rotation:


def use_refresh_token(token: JWToken) -> dt.datetime | None:
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

    plan = _plan()
    jti = _require_jti(token)
    database = _write_database(plan, UsedRefreshToken)
    rows = UsedRefreshToken._default_manager.using(database)  # noqa: SLF001
    try:
        with transaction.atomic(using=database):
            rows.create(
                jti=jti,
                family=refresh_family(token) or '',
                sub=token.sub[:255],
                # A margin: the host that flushes may run ahead of the
                # hosts that still accept the token.
                expires_at=token.exp + _USED_ROW_MARGIN,
            )
    except IntegrityError:
        used_at = rows.filter(jti=jti).values_list('used_at', flat=True).first()
        # No row: it expired and was flushed meanwhile; "just now" is
        # the answer that revokes nothing.
        return used_at or dt.datetime.now(dt.UTC)
    return None


async def ause_refresh_token(token: JWToken) -> dt.datetime | None:
    """Async :func:`use_refresh_token` (savepoints are sync-only in Django)."""
    return await sync_to_async(use_refresh_token)(token)


# Families:


def revoke_family(
    family: str,
    *,
    sub: str,
    expires_at: dt.datetime,
    cause: str = 'manual',
    sender: object = None,
) -> bool:
    """
    Revoke every token of *family*; ``True`` if it was not revoked yet.

    *expires_at* must be no earlier than the expiry of the family's last
    token: the row (and the cached answer) lives until then; revoking a
    revoked family again only moves it later.
    ``token_family_revoked`` is sent when the row is new.

    Raises:
        BlocklistError: If *family* or *sub* cannot be stored.

    """
    plan = _plan()
    revocation = _FamilyRevocation(family, sub, cause, expires_at)
    row, created = _families(plan).get_or_create(**revocation.lookup)
    if not created:
        # Revoked again, by a controller whose tokens may live longer.
        revocation.later_rows(plan, row.pk).update(expires_at=expires_at)
    _write(plan, *revocation.cache_entry(plan), overwrite=True)
    if created:
        token_family_revoked.send(**revocation.signal_kwargs(sender))
    return created


async def arevoke_family(
    family: str,
    *,
    sub: str,
    expires_at: dt.datetime,
    cause: str = 'manual',
    sender: object = None,
) -> bool:
    """Revoke every token of *family*, async. See :func:`revoke_family`."""
    plan = _plan()
    revocation = _FamilyRevocation(family, sub, cause, expires_at)
    row, created = await _families(plan).aget_or_create(**revocation.lookup)
    if not created:
        await revocation.later_rows(plan, row.pk).aupdate(expires_at=expires_at)
    await _awrite(plan, *revocation.cache_entry(plan), overwrite=True)
    if created:
        await token_family_revoked.asend(**revocation.signal_kwargs(sender))
    return created


def is_family_revoked(
    token: JWToken,
    *,
    grace: dt.timedelta = _NO_GRACE,
) -> bool:
    """
    Whether the family of *token* is revoked; ``False`` without a family.

    The cache first, then the database; *grace* as in
    :func:`~dmr_jwt.blocklist.store.is_blocklisted`.
    """
    family = token_family(token)
    if family is None:
        return False
    plan = _plan()
    cached = _read(plan, family_cache_key(family))
    return _family_revoked(plan, token, family, grace, cached)


async def ais_family_revoked(
    token: JWToken,
    *,
    grace: dt.timedelta = _NO_GRACE,
) -> bool:
    """Async :func:`is_family_revoked`."""
    family = token_family(token)
    if family is None:
        return False
    plan = _plan()
    cached = await _aread(plan, family_cache_key(family))
    return await _afamily_revoked(plan, token, family, grace, cached)


def _family_revoked(
    plan: _Plan,
    token: JWToken,
    family: str,
    grace: dt.timedelta,
    cached: object,
) -> bool:
    """The answer for *family*: *cached* (read already), else the database."""
    if isinstance(cached, bool):
        return cached
    revoked = _families(plan).filter(family=family).exists()
    timeout = _timeout(plan, blocked=revoked, expires_at=token.exp + grace)
    _write(plan, family_cache_key(family), revoked, timeout, overwrite=revoked)
    return revoked


async def _afamily_revoked(
    plan: _Plan,
    token: JWToken,
    family: str,
    grace: dt.timedelta,
    cached: object,
) -> bool:
    if isinstance(cached, bool):
        return cached
    revoked = await _families(plan).filter(family=family).aexists()
    timeout = _timeout(plan, blocked=revoked, expires_at=token.exp + grace)
    await _awrite(
        plan,
        family_cache_key(family),
        revoked,
        timeout,
        overwrite=revoked,
    )
    return revoked


@final
@dataclasses.dataclass(frozen=True, slots=True)
class _FamilyRevocation:
    """One family revocation: what the twins write, without the I/O."""

    family: str
    sub: str
    cause: str
    expires_at: dt.datetime

    def __post_init__(self) -> None:
        _check_storable(self.family, self.sub)

    @property
    def lookup(self) -> dict[str, Any]:
        return {
            'family': self.family,
            'defaults': {
                'sub': self.sub,
                'cause': self.cause,
                'expires_at': self.expires_at,
            },
        }

    def later_rows(
        self, plan: _Plan, pk: int
    ) -> 'QuerySet[RevokedTokenFamily]':
        # Only moves the row's expiry later, never earlier.
        return _families(plan).filter(pk=pk, expires_at__lt=self.expires_at)

    def cache_entry(self, plan: _Plan) -> tuple[str, bool, int]:
        timeout = _timeout(plan, blocked=True, expires_at=self.expires_at)
        return family_cache_key(self.family), True, timeout

    def signal_kwargs(self, sender: object) -> dict[str, Any]:
        # The `token_family_revoked` payload, documented in `dmr_jwt.signals`.
        return {
            'sender': sender,
            'family': self.family,
            'sub': self.sub,
            'cause': self.cause,
        }


def _check_storable(family: str, sub: str) -> None:
    if (
        not is_usable_family(family)
        or not sub
        or len(sub) > _SUB_MAX_LENGTH
        or not _is_storable(sub)
    ):
        raise BlocklistError('A token family or `sub` that cannot be stored')


def _families(plan: _Plan) -> 'QuerySet[RevokedTokenFamily]':
    from dmr_jwt.blocklist.models import RevokedTokenFamily  # noqa: PLC0415

    return _queryset(plan, RevokedTokenFamily)
