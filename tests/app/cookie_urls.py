"""URLs of the cookie tests: ``/cookie/<what>/<serializer>/<mode>/``.

With the blocklist app: ``/cookie/refresh/blocklist/<serializer>/<mode>/``
and ``/cookie/blocklist/<what>/<serializer>/<mode>/`` (the rotating
refresh stays under the refresh cookie's ``Path``).

``<what>`` first, so that every refresh URL is under the refresh cookie's
``Path`` (``/cookie/refresh/``). The suite's own URLs stay mounted too
(the header auth's ``/api/<serializer>/me/<mode>/``).
"""

from django.urls import include
from dmr.routing import Router, path

from tests.app import cookie_blocklist_views, cookie_views
from tests.app import urls as app_urls

router = Router(
    'cookie/',
    [
        path(
            f'{name}/{serializer}/{mode}/',
            controller.as_view(),
            name=f'{name}-{serializer}-{mode}',
        )
        for name, by_serializer in cookie_views.CONTROLLERS.items()
        for serializer, pair in by_serializer.items()
        for mode, controller in zip(('sync', 'async'), pair, strict=True)
    ],
)


def _blocklist_path(name: str) -> str:
    if name == 'refresh':
        return 'refresh/blocklist'
    return f'blocklist/{name}'


blocklist_router = Router(
    'cookie/',
    [
        path(
            f'{_blocklist_path(name)}/{serializer}/{mode}/',
            controller.as_view(),
            name=f'blocklist-{name}-{serializer}-{mode}',
        )
        for name, by_serializer in cookie_blocklist_views.CONTROLLERS.items()
        for serializer, pair in by_serializer.items()
        for mode, controller in zip(('sync', 'async'), pair, strict=True)
    ],
)

urlpatterns = [
    *app_urls.urlpatterns,
    path(
        router.prefix,
        include(
            (router.urls + blocklist_router.urls, 'cookieapp'),
            namespace='cookie',
        ),
    ),
]
