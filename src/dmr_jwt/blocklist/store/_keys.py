"""The cache keys of revocation state, and what kind of cache holds them."""

from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache

from dmr_jwt._internal.cache_keys import safe_cache_key

__all__ = (
    'cache_key',
    'family_cache_key',
    'is_per_process_cache',
    'watermark_cache_key',
)


def is_per_process_cache(cache: BaseCache) -> bool:
    """Whether *cache* lives in one process only (``LocMemCache``)."""
    return isinstance(cache, LocMemCache)


def cache_key(jti: str) -> str:
    """The cache key that holds the blocklist state of *jti*."""
    return safe_cache_key('dmr_jwt:blocklist:', jti)


def watermark_cache_key(sub: str) -> str:
    """The cache key that holds the "log out everywhere" state of *sub*."""
    return safe_cache_key('dmr_jwt:watermark:', sub)


def family_cache_key(family: str) -> str:
    """The cache key that holds the revocation state of *family*."""
    return safe_cache_key('dmr_jwt:family:', family)
