"""Async access to Django's cache without a thread hop where none is needed.

Django's ``BaseCache.aget``/``aset`` run the sync methods in a thread
(``sync_to_async``) for every backend without native async support, local
memory included. A hop costs more than the lookup itself. ``LocMemCache``
never blocks (a dict behind a lock), so its sync methods are called
directly; every other backend goes through its async API.
"""

from typing import Any

from asgiref.sync import sync_to_async
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache

__all__ = (
    'acache_add',
    'acache_delete',
    'acache_get',
    'acache_get_many',
    'acache_set',
)


async def acache_get(cache: BaseCache, key: str) -> Any:
    """``await cache.aget(key)``, without a thread for local memory."""
    if isinstance(cache, LocMemCache):
        return cache.get(key)
    return await cache.aget(key)


async def acache_get_many(cache: BaseCache, keys: list[str]) -> dict[str, Any]:
    """
    ``await cache.aget_many(keys)``: one round trip, at most one thread hop.

    Django's default ``aget_many`` awaits ``aget`` once per key, so every
    key is a thread hop and, on Redis, a round trip of its own; the sync
    ``get_many`` of ``RedisCache`` is one ``MGET``. A backend with its own
    ``aget_many`` keeps it.
    """
    if isinstance(cache, LocMemCache):
        return cache.get_many(keys)
    if type(cache).aget_many is BaseCache.aget_many:
        many: dict[str, Any] = await sync_to_async(cache.get_many)(keys)
        return many
    return await cache.aget_many(keys)


async def acache_add(
    cache: BaseCache,
    key: str,
    cache_value: Any,
    expires_in: float | None,
) -> bool:
    """``await cache.aadd(...)``, without a thread for local memory."""
    if isinstance(cache, LocMemCache):
        return cache.add(key, cache_value, expires_in)
    return await cache.aadd(key, cache_value, expires_in)


async def acache_delete(cache: BaseCache, key: str) -> None:
    """``await cache.adelete(key)``, without a thread for local memory."""
    if isinstance(cache, LocMemCache):
        cache.delete(key)
    else:
        await cache.adelete(key)


async def acache_set(
    cache: BaseCache,
    key: str,
    cache_value: Any,
    expires_in: float | None,
) -> None:
    """``await cache.aset(...)``, without a thread for local memory."""
    if isinstance(cache, LocMemCache):
        cache.set(key, cache_value, expires_in)
    else:
        await cache.aset(key, cache_value, expires_in)
