"""URLs of the JWKS tests: ``/jwks/<serializer>/<name>/<mode>/``.

``ring`` and ``project`` serve key sets; ``me`` verifies with the ring.
"""

from django.urls import include
from dmr.controller import Controller
from dmr.routing import Router, path
from dmr.serializer import BaseSerializer

from tests.app import jwks_views as views

_Pair = tuple[
    type[Controller[BaseSerializer]],
    type[Controller[BaseSerializer]],
]

_CONTROLLERS: dict[str, dict[str, _Pair]] = {
    'pydantic': {
        'ring': (views.PydanticRingSync, views.PydanticRingAsync),
        'project': (views.PydanticProjectSync, views.PydanticProjectAsync),
        'me': (views.PydanticRingMeSync, views.PydanticRingMeAsync),
    },
    'msgspec': {
        'ring': (views.MsgspecRingSync, views.MsgspecRingAsync),
        'project': (views.MsgspecProjectSync, views.MsgspecProjectAsync),
        'me': (views.MsgspecRingMeSync, views.MsgspecRingMeAsync),
    },
}

router = Router(
    'jwks/',
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
    path(router.prefix, include((router.urls, 'jwksapp'), namespace='jwks')),
]
