"""URLs of the refresh mixin tests: ``/mixins/<serializer>/<what>/<mode>/``.

Every other refresh controller of the suite stays mounted next to them:
``/api/...``, ``/blocklist/...``, ``/logout/...``, ``/rotation/...`` and
the auth variants of ``/perf/...``, so one test can walk all of them.
"""

from django.urls import include
from dmr.controller import Controller
from dmr.routing import Router, path
from dmr.serializer import BaseSerializer

from tests.app import logout_urls, perf_urls, rotation_urls
from tests.app import mixin_views as views

_Pair = tuple[
    type[Controller[BaseSerializer]],
    type[Controller[BaseSerializer]],
]

_CONTROLLERS: dict[str, dict[str, _Pair]] = {
    'pydantic': {
        'jwtoken-mixin': (
            views.PydanticJWTokenMixinSync,
            views.PydanticJWTokenMixinAsync,
        ),
        'both-mixins': (
            views.PydanticBothMixinsSync,
            views.PydanticBothMixinsAsync,
        ),
        'one-argument': (
            views.PydanticOneArgumentSync,
            views.PydanticOneArgumentAsync,
        ),
    },
    'msgspec': {
        'jwtoken-mixin': (
            views.MsgspecJWTokenMixinSync,
            views.MsgspecJWTokenMixinAsync,
        ),
        'both-mixins': (
            views.MsgspecBothMixinsSync,
            views.MsgspecBothMixinsAsync,
        ),
        'one-argument': (
            views.MsgspecOneArgumentSync,
            views.MsgspecOneArgumentAsync,
        ),
    },
}

router = Router(
    'mixins/',
    [
        path(
            f'{serializer}/{name}/{mode}/',
            controller.as_view(),
            name=f'{serializer}-{name}-{mode}',
        )
        for serializer, named in _CONTROLLERS.items()
        for name, pair in named.items()
        for mode, controller in zip(('sync', 'async'), pair, strict=True)
    ],
)

urlpatterns = [
    *logout_urls.urlpatterns,
    path(
        rotation_urls.router.prefix,
        include(
            (rotation_urls.router.urls, 'rotationapp'), namespace='rotation'
        ),
    ),
    path(
        perf_urls.router.prefix,
        include((perf_urls.router.urls, 'perfapp'), namespace='perf'),
    ),
    path(
        router.prefix,
        include((router.urls, 'mixinapp'), namespace='mixins'),
    ),
]
