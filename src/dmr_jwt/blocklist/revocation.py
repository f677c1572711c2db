"""Every way a token can be revoked, checked with one cache round trip.

A token is revoked when its ``jti`` is blocklisted
(:mod:`~dmr_jwt.blocklist.store`), when it was issued before its user's
"log out everywhere" watermark (:mod:`~dmr_jwt.blocklist.watermarks`), or
when its family is revoked (:mod:`~dmr_jwt.blocklist.rotation`). The three
cached answers are read with one ``get_many`` (one ``MGET`` on Redis, not
three round trips); a missing answer is asked from the database and cached
by the rules of its own module, which owns that state.
"""

import datetime as dt

from dmr_jwt.blocklist.rotation import (
    _afamily_revoked,
    _family_revoked,
    family_cache_key,
)
from dmr_jwt.blocklist.store import (
    _NO_GRACE,
    _ablocked,
    _aread_many,
    _blocked,
    _plan,
    _read_many,
    _require_jti,
    cache_key,
)
from dmr_jwt.blocklist.watermarks import (
    _arevoked_by_watermark,
    _revoked_by_watermark,
    watermark_cache_key,
)
from dmr_jwt.families import token_family
from dmr_jwt.token import JWToken

__all__ = ('ais_revoked', 'is_revoked')


def is_revoked(token: JWToken, *, grace: dt.timedelta = _NO_GRACE) -> bool:
    """
    Whether *token* is revoked in any way: blocklist, watermark or family.

    *grace* as in :func:`~dmr_jwt.blocklist.store.is_blocklisted`. In
    steady state: one cache round trip, no query.

    Raises:
        BlocklistError: If the token has no usable ``jti``.

    """
    plan = _plan()
    jti = _require_jti(token)
    family = token_family(token)
    keys = _keys(jti, token.sub, family)
    cached = _read_many(plan, keys)
    if _blocked(plan, token, jti, grace, cached.get(keys[0])):
        return True
    if _revoked_by_watermark(plan, token, grace, cached.get(keys[1])):
        return True
    return family is not None and _family_revoked(
        plan,
        token,
        family,
        grace,
        cached.get(keys[2]),
    )


async def ais_revoked(
    token: JWToken,
    *,
    grace: dt.timedelta = _NO_GRACE,
) -> bool:
    """Async :func:`is_revoked`."""
    plan = _plan()
    jti = _require_jti(token)
    family = token_family(token)
    keys = _keys(jti, token.sub, family)
    cached = await _aread_many(plan, keys)
    if await _ablocked(plan, token, jti, grace, cached.get(keys[0])):
        return True
    if await _arevoked_by_watermark(plan, token, grace, cached.get(keys[1])):
        return True
    return family is not None and await _afamily_revoked(
        plan,
        token,
        family,
        grace,
        cached.get(keys[2]),
    )


def _keys(jti: str, sub: str, family: str | None) -> list[str]:
    # In this order: blocklist, watermark, family (when there is one).
    keys = [cache_key(jti), watermark_cache_key(sub)]
    if family is not None:
        keys.append(family_cache_key(family))
    return keys
