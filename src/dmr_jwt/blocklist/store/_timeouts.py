"""Whether a cache backend bounds the time of one call.

The store's breaker stops asking a failed cache, but cannot shorten the
call that finds the fault: that is the backend's socket timeout. Without
one, redis-py waits on a frozen server for as long as the kernel keeps
the connection open.
"""

from django.core.cache.backends.base import BaseCache

__all__ = ('has_socket_timeout',)

#: The ``OPTIONS`` keys that set a read timeout, by backend class path.
_TIMEOUT_OPTIONS = {
    'django.core.cache.backends.redis.RedisCache': 'socket_timeout',
    'django_redis.cache.RedisCache': 'SOCKET_TIMEOUT',
}


def has_socket_timeout(cache: BaseCache) -> bool | None:
    """
    Whether *cache* sets a socket timeout; ``None`` when we cannot tell.

    Known: Django's ``RedisCache`` (``OPTIONS['socket_timeout']``) and
    django-redis (``OPTIONS['SOCKET_TIMEOUT']``).
    """
    backend = f'{type(cache).__module__}.{type(cache).__qualname__}'
    option = _TIMEOUT_OPTIONS.get(backend)
    if option is None:
        return None
    options = getattr(cache, '_options', None)
    if not isinstance(options, dict):
        return None
    timeout = options.get(option)
    return (
        isinstance(timeout, int | float)
        and not isinstance(timeout, bool)
        and timeout > 0
    )
