"""A project's URLs, once with django-modern-rest's controllers, once ours.

:func:`project_urls` is what a project writes with
``dmr.security.jwt.concrete_views``; switching to ``dmr_jwt.concrete_views``
changes the import only, so the very same function routes both:
``/builtin/...`` and ``/ours/...``, then ``<serializer>/<what>/<mode>/``.
"""

from types import ModuleType

from django.urls import URLPattern, URLResolver, include
from dmr.plugins.msgspec import MsgspecSerializer
from dmr.plugins.pydantic import PydanticSerializer
from dmr.routing import Router, path
from dmr.security.jwt import concrete_views as builtin_concrete_views

from dmr_jwt import concrete_views

_SERIALIZERS = {'pydantic': PydanticSerializer, 'msgspec': MsgspecSerializer}


def project_urls(views: ModuleType, prefix: str) -> URLResolver:
    """The token endpoints of a project, from the *views* module."""
    controllers = {
        'login': (
            views.ObtainTokensSyncController,
            views.ObtainTokensAsyncController,
        ),
        'refresh': (
            views.RefreshTokenSyncController,
            views.RefreshTokenAsyncController,
        ),
        'verify': (
            views.VerifyTokenSyncController,
            views.VerifyTokenAsyncController,
        ),
    }
    router = Router(
        f'{prefix}/',
        [
            path(
                f'{name}/{serializer_name}/{mode}/',
                controller.as_view(serializer=serializer),
                name=f'{name}-{serializer_name}-{mode}',
            )
            for serializer_name, serializer in _SERIALIZERS.items()
            for name, pair in controllers.items()
            for mode, controller in zip(('sync', 'async'), pair, strict=True)
        ],
    )
    return path(router.prefix, include((router.urls, prefix), namespace=prefix))


urlpatterns: list[URLPattern | URLResolver] = [
    project_urls(builtin_concrete_views, 'builtin'),
    project_urls(concrete_views, 'ours'),
]
