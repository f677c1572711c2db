"""URLs of the auth tests: ``/auth/<variant>/<sync|async>/``."""

from django.urls import include
from dmr.routing import Router, path

from tests.app.auth_views import CONTROLLERS

router = Router(
    'auth/',
    [
        path(
            f'{name}/{mode}/',
            controller.as_view(),
            name=f'{name}-{mode}',
        )
        for name, pair in CONTROLLERS.items()
        for mode, controller in zip(('sync', 'async'), pair, strict=True)
    ],
)

urlpatterns = [
    path(router.prefix, include((router.urls, 'authapp'), namespace='auth')),
]
