"""URLs of the security tests: ``/security/<server>/<sync|async>/``.

The suite's own URLs (``/api/...``) and the blocklist ones
(``/blocklist/...``) stay mounted too: the security tests also attack
the default ``me`` and ``refresh`` endpoints.
"""

from django.urls import include
from dmr.routing import Router, path

from tests.app import blocklist_urls
from tests.app.security_views import CONTROLLERS

router = Router(
    'security/',
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
    *blocklist_urls.urlpatterns,
    path(
        router.prefix,
        include((router.urls, 'securityapp'), namespace='security'),
    ),
]
