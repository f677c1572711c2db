"""URLs of the log-out-everywhere tests: ``/everywhere/<serializer>/<mode>/``.

The blocklist URLs (``/blocklist/...``: ``me``, ``obtain`` and the
``refresh`` with the blocklist mixin) stay mounted next to them.
"""

from django.urls import include
from dmr.controller import Controller
from dmr.routing import Router, path
from dmr.serializer import BaseSerializer

from tests.app import blocklist_urls
from tests.app import everywhere_views as views

_Pair = tuple[
    type[Controller[BaseSerializer]],
    type[Controller[BaseSerializer]],
]

#: The controller of each serializer, ``(sync, async)``.
CONTROLLERS: dict[str, _Pair] = {
    'pydantic': (views.PydanticEverywhereSync, views.PydanticEverywhereAsync),
    'msgspec': (views.MsgspecEverywhereSync, views.MsgspecEverywhereAsync),
}

#: The modes, in the order of each pair of :data:`CONTROLLERS`.
MODES = ('sync', 'async')

router = Router(
    'everywhere/',
    [
        path(
            f'{serializer}/{mode}/',
            controller.as_view(),
            name=f'{serializer}-{mode}',
        )
        for serializer, pair in CONTROLLERS.items()
        for mode, controller in zip(MODES, pair, strict=True)
    ],
)

urlpatterns = [
    *blocklist_urls.urlpatterns,
    path(
        router.prefix,
        include((router.urls, 'everywhereapp'), namespace='everywhere'),
    ),
]
