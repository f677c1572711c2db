"""Log out everywhere: one watermark per user, checked against ``iat``.

``revoke_all(sub)`` writes one row (``TokenWatermark``): every token of that
user issued before the watermark is revoked, whatever its ``jti``. The
watermark is ``now`` rounded up to the next whole second, because ``iat``
has one-second resolution: tokens issued in the same second as the logout
are revoked too. Reads go through the same cache rules as the blocklist
(:mod:`dmr_jwt.blocklist.store`, whose helpers this module uses): a new
watermark is written through with ``set``; an answer read from the
database is only ``add``-ed, so it never overwrites a newer one.
"""

import datetime as dt
import math
from typing import TYPE_CHECKING, Any, Final

from django.db import transaction

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
    _timeout,
    _write,
    _write_database,
)
from dmr_jwt.cache_keys import safe_cache_key
from dmr_jwt.signals import all_tokens_revoked
from dmr_jwt.token import JWToken

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.db.models import QuerySet

    from dmr_jwt.blocklist.models import TokenWatermark

__all__ = (
    'ais_revoked_by_watermark',
    'arevoke_all',
    'arevoke_all_tokens',
    'is_revoked_by_watermark',
    'revoke_all',
    'revoke_all_tokens',
    'watermark_cache_key',
)


_WATERMARK_KEY_PREFIX: Final = 'dmr_jwt:watermark:'


#: The cached value of a user without a watermark (epoch seconds otherwise).
_NO_WATERMARK: Final = 0


#: How long a shared cache keeps a watermark written through by
#: :func:`revoke_all`; afterwards the next check reads it from the database.
_WATERMARK_WRITE_TTL: Final = 24 * 60 * 60


def watermark_cache_key(sub: str) -> str:
    """The cache key that holds the "log out everywhere" state of *sub*."""
    return safe_cache_key(_WATERMARK_KEY_PREFIX, sub)


def revoke_all(
    sub: str,
    *,
    now: dt.datetime | None = None,
    sender: object = None,
) -> dt.datetime:
    """
    Revoke every token of *sub* issued up to *now*: one write, one row.

    Returns the new watermark: *now* (default: the current time, naive
    means UTC) rounded **up** to the next whole second. ``iat`` has a
    resolution of one second, so every token issued in the same second as
    the revocation is revoked too, even one issued a moment after it;
    tokens issued from the next second on are valid. The latest call
    wins, even with an earlier *now*. Once the transaction commits (at
    once outside one), writes the watermark through to the cache and sends
    ``all_tokens_revoked`` from *sender*.

    Raises:
        BlocklistError: If *sub* cannot be stored.

    """
    plan = _plan()
    not_before = _next_second(sub, now)
    _watermarks(plan).update_or_create(
        sub=sub,
        defaults={'not_before': not_before},
    )

    def publish() -> None:
        # The row, not `not_before`: of two concurrent calls, the cache
        # must end with the watermark that the database kept.
        _watermark_cache_set(
            plan,
            sub,
            _not_before(plan, sub).first() or not_before,
        )
        all_tokens_revoked.send(sender=sender, sub=sub, not_before=not_before)

    # Inside a transaction (a password change in `atomic()`), the cache and
    # the signal follow the commit: a rollback must revoke nothing.
    transaction.on_commit(publish, using=_write_database_of_watermarks(plan))
    return not_before


async def arevoke_all(
    sub: str,
    *,
    now: dt.datetime | None = None,
    sender: object = None,
) -> dt.datetime:
    """Revoke every token of *sub*, async. See :func:`revoke_all`."""
    plan = _plan()
    not_before = _next_second(sub, now)
    await _watermarks(plan).aupdate_or_create(
        sub=sub,
        defaults={'not_before': not_before},
    )
    stored = await _not_before(plan, sub).afirst()
    await _awatermark_cache_set(plan, sub, stored or not_before)
    await all_tokens_revoked.asend(
        sender=sender,
        sub=sub,
        not_before=not_before,
    )
    return not_before


def revoke_all_tokens(user: 'AbstractBaseUser') -> dt.datetime:
    """
    Log *user* out everywhere: revoke every token issued to them so far.

    The subject is ``str(user.pk)``, what the token controllers put in
    ``sub``. Tokens whose ``sub`` is another field (a custom
    ``user_id_field``) need :func:`revoke_all` with that value.
    """
    return revoke_all(str(user.pk))


async def arevoke_all_tokens(user: 'AbstractBaseUser') -> dt.datetime:
    """Log *user* out everywhere, async. See :func:`revoke_all_tokens`."""
    return await arevoke_all(str(user.pk))


def is_revoked_by_watermark(
    token: JWToken,
    *,
    grace: dt.timedelta = _NO_GRACE,
) -> bool:
    """
    Whether :func:`revoke_all` revoked *token*: its ``iat`` is too old.

    The cache first, then the database; *grace* as in :func:`is_blocklisted`.
    """
    plan = _plan()
    cached = _read(plan, watermark_cache_key(token.sub))
    return _revoked_by_watermark(plan, token, grace, cached)


async def ais_revoked_by_watermark(
    token: JWToken,
    *,
    grace: dt.timedelta = _NO_GRACE,
) -> bool:
    """Async :func:`is_revoked_by_watermark`."""
    plan = _plan()
    cached = await _aread(plan, watermark_cache_key(token.sub))
    return await _arevoked_by_watermark(plan, token, grace, cached)


def _revoked_by_watermark(
    plan: _Plan,
    token: JWToken,
    grace: dt.timedelta,
    cached: object,
) -> bool:
    """The answer for *token*: *cached* (read already), else the database."""
    watermark = _as_watermark(cached)
    if watermark is None:
        if not _is_watermark_sub(token.sub):
            return False  # never stored: no watermark
        not_before = _not_before(plan, token.sub).first()
        watermark = _to_watermark(not_before)
        _watermark_cache_add(plan, token, watermark, grace)
    return _is_before(token, watermark)


async def _arevoked_by_watermark(
    plan: _Plan,
    token: JWToken,
    grace: dt.timedelta,
    cached: object,
) -> bool:
    watermark = _as_watermark(cached)
    if watermark is None:
        if not _is_watermark_sub(token.sub):
            return False
        not_before = await _not_before(plan, token.sub).afirst()
        watermark = _to_watermark(not_before)
        await _awatermark_cache_add(plan, token, watermark, grace)
    return _is_before(token, watermark)


def _is_watermark_sub(sub: str) -> bool:
    return len(sub) <= _SUB_MAX_LENGTH and _is_storable(sub)


def _next_second(sub: str, now: dt.datetime | None) -> dt.datetime:
    if not sub or not _is_watermark_sub(sub):
        raise BlocklistError('A `sub` that cannot be stored')
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


def _watermark_timeout(plan: _Plan) -> int:
    # A new watermark is exact in a shared cache; a per-process cache may
    # keep any watermark only as long as it may be stale.
    return _WATERMARK_WRITE_TTL if plan.shared_cache else plan.local_ttl


def _not_before(plan: _Plan, sub: str) -> 'QuerySet[Any, dt.datetime]':
    """The stored watermark of *sub*: no row, or one."""
    return (
        _watermarks(plan)
        .filter(sub=sub)
        .values_list(
            'not_before',
            flat=True,
        )
    )


def _write_database_of_watermarks(plan: _Plan) -> str:
    from dmr_jwt.blocklist.models import TokenWatermark  # noqa: PLC0415

    return _write_database(plan, TokenWatermark)


def _watermarks(plan: _Plan) -> 'QuerySet[TokenWatermark]':
    from dmr_jwt.blocklist.models import TokenWatermark  # noqa: PLC0415

    return _queryset(plan, TokenWatermark)


def _watermark_cache_set(
    plan: _Plan,
    sub: str,
    not_before: dt.datetime,
) -> None:
    key, timeout = watermark_cache_key(sub), _watermark_timeout(plan)
    _write(plan, key, _to_watermark(not_before), timeout, overwrite=True)


async def _awatermark_cache_set(
    plan: _Plan,
    sub: str,
    not_before: dt.datetime,
) -> None:
    key, timeout = watermark_cache_key(sub), _watermark_timeout(plan)
    await _awrite(plan, key, _to_watermark(not_before), timeout, overwrite=True)


def _watermark_cache_add(
    plan: _Plan,
    token: JWToken,
    watermark: int,
    grace: dt.timedelta,
) -> None:
    # Read from the database: `add`, never over a newer watermark. Shared
    # caches keep it while the token lives, like "not blocked".
    timeout = _timeout(plan, blocked=False, expires_at=token.exp + grace)
    _write(plan, watermark_cache_key(token.sub), watermark, timeout)


async def _awatermark_cache_add(
    plan: _Plan,
    token: JWToken,
    watermark: int,
    grace: dt.timedelta,
) -> None:
    timeout = _timeout(plan, blocked=False, expires_at=token.exp + grace)
    await _awrite(plan, watermark_cache_key(token.sub), watermark, timeout)


def _as_watermark(cached: object) -> int | None:
    if isinstance(cached, int) and not isinstance(cached, bool):
        return cached
    return None
