"""URLs of the performance tests: ``/perf/<serializer>/<variant>/<mode>/``."""

from django.urls import include
from dmr.routing import Router, path

from tests.app.perf_views import CONTROLLERS


def perf_path(serializer: str, variant: str, mode: str) -> str:
    """The path of the *variant* endpoint, for one serializer and mode."""
    return f'/perf/{serializer}/{variant}/{mode}/'


router = Router(
    'perf/',
    [
        path(
            f'{serializer}/{variant}/{mode}/',
            controller.as_view(),
            name=f'{serializer}-{variant}-{mode}',
        )
        for variant, by_serializer in CONTROLLERS.items()
        for serializer, pair in by_serializer.items()
        for mode, controller in zip(('sync', 'async'), pair, strict=True)
    ],
)

urlpatterns = [
    path(router.prefix, include((router.urls, 'perfapp'), namespace='perf')),
]
