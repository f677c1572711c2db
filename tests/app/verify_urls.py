"""URLs of the verify and concrete controller tests.

``/verify/<serializer>/<what>/<mode>/``: the reusable verify controllers
of :mod:`tests.app.verify_views`; ``/concrete/<serializer>/<what>/<mode>/``:
the controllers of :mod:`dmr_jwt.concrete_views`, routed as a project
routes them, with ``as_view(serializer=...)`` and nothing else. The suite's
own URLs (``/api/...``, ``/blocklist/...``, ``/logout/...``) stay mounted
too.
"""

from typing import Any

from django.urls import include
from dmr.controller import Controller
from dmr.plugins.msgspec import MsgspecSerializer
from dmr.plugins.pydantic import PydanticSerializer
from dmr.routing import Router, path
from dmr.serializer import BaseSerializer

from dmr_jwt import concrete_views
from tests.app import logout_urls
from tests.app import verify_views as views

_Pair = tuple[
    type[Controller[BaseSerializer]],
    type[Controller[BaseSerializer]],
]

_VERIFY: dict[str, dict[str, _Pair]] = {
    'pydantic': {
        'verify': (views.PydanticVerifySync, views.PydanticVerifyAsync),
        'refresh': (
            views.PydanticVerifyRefreshSync,
            views.PydanticVerifyRefreshAsync,
        ),
        'blocklist': (
            views.PydanticVerifyBlocklistSync,
            views.PydanticVerifyBlocklistAsync,
        ),
    },
    'msgspec': {
        'verify': (views.MsgspecVerifySync, views.MsgspecVerifyAsync),
        'refresh': (
            views.MsgspecVerifyRefreshSync,
            views.MsgspecVerifyRefreshAsync,
        ),
        'blocklist': (
            views.MsgspecVerifyBlocklistSync,
            views.MsgspecVerifyBlocklistAsync,
        ),
    },
}

#: The serializers a project passes to ``as_view(serializer=...)``.
SERIALIZERS: dict[str, type[BaseSerializer]] = {
    'pydantic': PydanticSerializer,
    'msgspec': MsgspecSerializer,
}

#: The concrete controllers, sync and async, by what they do.
CONCRETE: dict[str, tuple[type[Any], type[Any]]] = {
    'obtain': (
        concrete_views.ObtainTokensSyncController,
        concrete_views.ObtainTokensAsyncController,
    ),
    'refresh': (
        concrete_views.RefreshTokenSyncController,
        concrete_views.RefreshTokenAsyncController,
    ),
    'verify': (
        concrete_views.VerifyTokenSyncController,
        concrete_views.VerifyTokenAsyncController,
    ),
}

router = Router(
    'verify/',
    [
        path(
            f'{serializer}/{name}/{mode}/',
            controller.as_view(),
            name=f'{serializer}-{name}-{mode}',
        )
        for serializer, named in _VERIFY.items()
        for name, pair in named.items()
        for mode, controller in zip(('sync', 'async'), pair, strict=True)
    ],
)

concrete_router = Router(
    'concrete/',
    [
        path(
            f'{serializer_name}/{name}/{mode}/',
            controller.as_view(serializer=serializer),
            name=f'{serializer_name}-{name}-{mode}',
        )
        for serializer_name, serializer in SERIALIZERS.items()
        for name, pair in CONCRETE.items()
        for mode, controller in zip(('sync', 'async'), pair, strict=True)
    ],
)

urlpatterns = [
    *logout_urls.urlpatterns,
    path(
        router.prefix, include((router.urls, 'verifyapp'), namespace='verify')
    ),
    path(
        concrete_router.prefix,
        include((concrete_router.urls, 'concreteapp'), namespace='concrete'),
    ),
]
