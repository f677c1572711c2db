"""What the routed token controllers issue: the longest token lifetime.

The token controllers that a URLconf routes are what issues tokens; a
controller that is only imported issues nothing. Their longest lifetime
bounds how long a token can outlive a change: a revoked family (the
blocklist app), a retired signing key (``manage.py jwt_keys retire``).
"""

import datetime as dt
import functools
from collections.abc import Iterable, Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from dmr_jwt._internal.controllers import TokenController

__all__ = ('controller_token_lifetime', 'routed_token_lifetime')


def routed_token_lifetime(urlconf: str | None = None) -> dt.timedelta:
    """
    The longest lifetime that a token controller of *urlconf* gives.

    Read from the controllers that *urlconf* routes (``ROOT_URLCONF`` by
    default, ``request.urlconf`` when a middleware set one): they are what
    issues tokens. Once per URLconf: a controller that is only imported
    issues nothing.
    """
    return _routed_lifetime(get_resolver(urlconf))


def controller_token_lifetime(controller_cls: type[Any]) -> dt.timedelta | None:
    """A token controller's longest token lifetime, or ``None``."""
    if not issubclass(controller_cls, TokenController):
        return None
    return max(
        controller_cls.jwt_refresh_expiration,
        controller_cls.jwt_expiration,
    )


@functools.lru_cache(maxsize=8)
def _routed_lifetime(resolver: URLResolver) -> dt.timedelta:
    # One entry per resolver: `override_settings(ROOT_URLCONF=...)` and
    # `clear_url_caches()` make a new one.
    lifetimes = [
        lifetime
        for view_class in _routed_view_classes(resolver.url_patterns)
        if (lifetime := controller_token_lifetime(view_class)) is not None
    ]
    return max(lifetimes, default=dt.timedelta(0))


def _routed_view_classes(patterns: Iterable[Any]) -> Iterator[type[Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routed_view_classes(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            view_class = getattr(pattern.callback, 'view_class', None)
            if isinstance(view_class, type):
                yield view_class
