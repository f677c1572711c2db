"""URLs of the blocklist tests: ``/blocklist/<serializer>/<what>/<mode>/``.

The suite's own URLs stay mounted too, so a test can compare the
blocklist endpoints with the plain ``/api/...`` ones.
"""

from django.urls import include
from dmr.controller import Controller
from dmr.routing import Router, path
from dmr.serializer import BaseSerializer

from tests.app import blocklist_views as views
from tests.app import urls as app_urls

_Pair = tuple[
    type[Controller[BaseSerializer]],
    type[Controller[BaseSerializer]],
]

_CONTROLLERS: dict[str, dict[str, _Pair]] = {
    'pydantic': {
        'me': (views.PydanticMeSync, views.PydanticMeAsync),
        'logout': (views.PydanticLogoutSync, views.PydanticLogoutAsync),
        'obtain': (views.PydanticObtainSync, views.PydanticObtainAsync),
        'refresh': (views.PydanticRefreshSync, views.PydanticRefreshAsync),
    },
    'msgspec': {
        'me': (views.MsgspecMeSync, views.MsgspecMeAsync),
        'logout': (views.MsgspecLogoutSync, views.MsgspecLogoutAsync),
        'obtain': (views.MsgspecObtainSync, views.MsgspecObtainAsync),
        'refresh': (views.MsgspecRefreshSync, views.MsgspecRefreshAsync),
    },
}

router = Router(
    'blocklist/',
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
    *app_urls.urlpatterns,
    path(
        router.prefix,
        include((router.urls, 'blocklistapp'), namespace='blocklist'),
    ),
]
