"""URLs: ``/<serializer>/<what>/<sync|async>/``."""

from django.urls import include
from dmr.controller import Controller
from dmr.routing import Router, path
from dmr.serializer import BaseSerializer

from tests.app import views

_Pair = tuple[
    type[Controller[BaseSerializer]],
    type[Controller[BaseSerializer]],
]

_CONTROLLERS: dict[str, dict[str, _Pair]] = {
    'pydantic': {
        'me': (views.PydanticMeSync, views.PydanticMeAsync),
        'obtain': (views.PydanticObtainSync, views.PydanticObtainAsync),
        'refresh': (views.PydanticRefreshSync, views.PydanticRefreshAsync),
        'refresh-by-username': (
            views.PydanticRefreshByUsernameSync,
            views.PydanticRefreshByUsernameAsync,
        ),
        'custom-obtain': (
            views.PydanticCustomObtainSync,
            views.PydanticCustomObtainAsync,
        ),
        'custom-me': (views.PydanticCustomMeSync, views.PydanticCustomMeAsync),
    },
    'msgspec': {
        'me': (views.MsgspecMeSync, views.MsgspecMeAsync),
        'obtain': (views.MsgspecObtainSync, views.MsgspecObtainAsync),
        'refresh': (views.MsgspecRefreshSync, views.MsgspecRefreshAsync),
        'refresh-by-username': (
            views.MsgspecRefreshByUsernameSync,
            views.MsgspecRefreshByUsernameAsync,
        ),
        'custom-obtain': (
            views.MsgspecCustomObtainSync,
            views.MsgspecCustomObtainAsync,
        ),
        'custom-me': (views.MsgspecCustomMeSync, views.MsgspecCustomMeAsync),
    },
}

router = Router(
    'api/',
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
    path(router.prefix, include((router.urls, 'testapp'), namespace='api')),
]
