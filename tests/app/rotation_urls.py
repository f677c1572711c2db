"""URLs of the rotation tests: ``/rotation/<serializer>/<mode>/``.

The blocklist URLs (``/blocklist/...``: ``me``, ``obtain`` and the
non-rotating ``refresh``) stay mounted next to them.
"""

from django.urls import include
from dmr.controller import Controller
from dmr.routing import Router, path
from dmr.serializer import BaseSerializer

from tests.app import blocklist_urls
from tests.app import rotation_views as views

_Pair = tuple[
    type[Controller[BaseSerializer]],
    type[Controller[BaseSerializer]],
]

_CONTROLLERS: dict[str, _Pair] = {
    'pydantic': (views.PydanticRotatingSync, views.PydanticRotatingAsync),
    'msgspec': (views.MsgspecRotatingSync, views.MsgspecRotatingAsync),
}

router = Router(
    'rotation/',
    [
        path(
            f'{serializer}/{mode}/',
            controller.as_view(),
            name=f'{serializer}-{mode}',
        )
        for serializer, pair in _CONTROLLERS.items()
        for mode, controller in zip(('sync', 'async'), pair, strict=True)
    ],
)

urlpatterns = [
    *blocklist_urls.urlpatterns,
    path(
        router.prefix,
        include((router.urls, 'rotationapp'), namespace='rotation'),
    ),
]
