"""URLs of the fault tests: every endpoint of the package in one place.

The plain ``/api/...`` and ``/blocklist/...`` endpoints, ``/logout/...``,
``/everywhere/...``, and ``/faults/user-cache/<mode>/``: a protected
endpoint whose auth caches users in the ``default`` cache.
"""

from django.urls import include
from dmr.routing import Router, path

from dmr_jwt import JWTAsyncAuth, JWTSyncAuth
from tests.app import everywhere_urls, logout_urls
from tests.app.auth_views import whoami_controllers

router = Router(
    'faults/',
    [
        path(f'user-cache/{mode}/', controller.as_view(), name=mode)
        for mode, controller in zip(
            ('sync', 'async'),
            whoami_controllers(
                'UserCache',
                JWTSyncAuth(user_cache_timeout=60),
                JWTAsyncAuth(user_cache_timeout=60),
            ),
            strict=True,
        )
    ],
)

urlpatterns = [
    *logout_urls.urlpatterns,
    path(
        everywhere_urls.router.prefix,
        include(
            (everywhere_urls.router.urls, 'everywhereapp'),
            namespace='everywhere',
        ),
    ),
    path(
        router.prefix, include((router.urls, 'faultsapp'), namespace='faults')
    ),
]
