"""URLs: ``/<serializer>/<what>/<sync|async>/``."""

from django.urls import include
from dmr.routing import Router, path

from tests.app import views

_CONTROLLERS = {
    'pydantic': {
        'me': (views.PydanticMeSync, views.PydanticMeAsync),
        'obtain': (views.PydanticObtainSync, views.PydanticObtainAsync),
        'refresh': (views.PydanticRefreshSync, views.PydanticRefreshAsync),
    },
    'msgspec': {
        'me': (views.MsgspecMeSync, views.MsgspecMeAsync),
        'obtain': (views.MsgspecObtainSync, views.MsgspecObtainAsync),
        'refresh': (views.MsgspecRefreshSync, views.MsgspecRefreshAsync),
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
