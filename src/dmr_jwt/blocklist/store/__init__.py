"""Revocation state: the one store that every read and write goes through.

Blocklisted ``jti``, used refresh tokens, revoked token families and "log
out everywhere" watermarks live in the database, the source of truth, and
are fronted by Django's cache (``DMR_JWT['BLOCKLIST_CACHE']``). One
:class:`RevocationStore` (:func:`get_store`) holds them all, with one
policy and one guarded cache. Its guarantees:

- **Healthy shared cache** (Redis, Memcached): a revocation is seen by every
  process at once; it is written to the database, then through to the
  cache.
- **Any cache fault** (unreachable, frozen, restarted with old data,
  evicting, full) **or a per-process cache**: a revoked token is accepted
  for at most ``BLOCKLIST_MAX_STALENESS`` seconds (default 5) after its
  revocation returned, never for the token's lifetime. Every cached answer
  that can still turn into "revoked" ("not revoked", a watermark) expires
  within that bound in every cache; only "revoked" is kept longer (until
  the token expires), and losing it only costs a query. A revocation whose
  cache write fails is still a success: its row is in the database, and the
  stale answers it could not overwrite expire within the bound.
- **Fail fast and quiet:** a cache call that fails opens a small circuit
  breaker: for ``CACHE_BACKOFF`` seconds (default 5) the store
  asks only the database, and logs one warning per window. The time of one
  failing call is the cache backend's own socket timeout: configure one
  (the ``dmr_jwt.W002`` check warns when a Redis cache has none).
- **The database is the source of truth:** nothing is ever lost; when it is
  unreachable the callers answer ``503``.

In steady state a check costs one cache round trip (``get_many``) and no
query; an answer missing from the cache costs one query, then is cached.
"""

import datetime as dt
from typing import TYPE_CHECKING

from dmr_jwt.blocklist.store._core import RevocationStore, get_store
from dmr_jwt.blocklist.store._flush import FlushResult
from dmr_jwt.blocklist.store._keys import (
    cache_key,
    family_cache_key,
    is_per_process_cache,
    watermark_cache_key,
)
from dmr_jwt.blocklist.store._rows import BlocklistError
from dmr_jwt.blocklist.store._timeouts import has_socket_timeout

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

__all__ = (
    'BlocklistError',
    'FlushResult',
    'RevocationStore',
    'arevoke_all',
    'arevoke_all_tokens',
    'arevoke_family',
    'cache_key',
    'family_cache_key',
    'get_store',
    'has_socket_timeout',
    'is_per_process_cache',
    'revoke_all',
    'revoke_all_tokens',
    'revoke_family',
    'watermark_cache_key',
)


def revoke_all(
    sub: str,
    *,
    now: dt.datetime | None = None,
    sender: object = None,
) -> dt.datetime:
    """Revoke every token of *sub*. See :meth:`RevocationStore.revoke_all`."""
    return get_store().revoke_all(sub, now=now, sender=sender)


async def arevoke_all(
    sub: str,
    *,
    now: dt.datetime | None = None,
    sender: object = None,
) -> dt.datetime:
    """Async :func:`revoke_all`."""
    return await get_store().arevoke_all(sub, now=now, sender=sender)


def revoke_all_tokens(user: 'AbstractBaseUser') -> dt.datetime:
    """
    Log *user* out everywhere: revoke every token issued to them so far.

    The subject is ``str(user.pk)``, what the token controllers put in
    ``sub``. Tokens whose ``sub`` is another field (a custom
    ``user_id_field``) need :func:`revoke_all` with that value.
    """
    return revoke_all(str(user.pk))


async def arevoke_all_tokens(user: 'AbstractBaseUser') -> dt.datetime:
    """Async :func:`revoke_all_tokens`."""
    return await arevoke_all(str(user.pk))


def revoke_family(
    family: str,
    *,
    sub: str,
    expires_at: dt.datetime,
    cause: str = 'manual',
    sender: object = None,
) -> bool:
    """Revoke a token family. See :meth:`RevocationStore.revoke_family`."""
    return get_store().revoke_family(
        family,
        sub=sub,
        expires_at=expires_at,
        cause=cause,
        sender=sender,
    )


async def arevoke_family(
    family: str,
    *,
    sub: str,
    expires_at: dt.datetime,
    cause: str = 'manual',
    sender: object = None,
) -> bool:
    """Async :func:`revoke_family`."""
    return await get_store().arevoke_family(
        family,
        sub=sub,
        expires_at=expires_at,
        cause=cause,
        sender=sender,
    )
