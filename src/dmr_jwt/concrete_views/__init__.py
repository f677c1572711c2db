"""Ready-to-use JWT controllers that only need a serializer.

Route one with ``as_view(serializer=...)``, there is nothing else to write.
The names are django-modern-rest 0.16's ``dmr.security.jwt.concrete_views``:
a project switches by changing the import. Custom logic belongs to the
reusable :mod:`dmr_jwt.views` instead.
"""

from dmr_jwt.concrete_views.body import (
    ObtainTokensAsyncController as ObtainTokensAsyncController,
)
from dmr_jwt.concrete_views.body import (
    ObtainTokensSyncController as ObtainTokensSyncController,
)
from dmr_jwt.concrete_views.body import (
    RefreshTokenAsyncController as RefreshTokenAsyncController,
)
from dmr_jwt.concrete_views.body import (
    RefreshTokenSyncController as RefreshTokenSyncController,
)
from dmr_jwt.concrete_views.body import (
    VerifyTokenAsyncController as VerifyTokenAsyncController,
)
from dmr_jwt.concrete_views.body import (
    VerifyTokenSyncController as VerifyTokenSyncController,
)
from dmr_jwt.concrete_views.cookie import (
    DEFAULT_REFRESH_COOKIE_PATH as DEFAULT_REFRESH_COOKIE_PATH,
)
from dmr_jwt.concrete_views.cookie import (
    CookieLogoutAsyncController as CookieLogoutAsyncController,
)
from dmr_jwt.concrete_views.cookie import (
    CookieLogoutSyncController as CookieLogoutSyncController,
)
from dmr_jwt.concrete_views.cookie import (
    CookieObtainTokensAsyncController as CookieObtainTokensAsyncController,
)
from dmr_jwt.concrete_views.cookie import (
    CookieObtainTokensSyncController as CookieObtainTokensSyncController,
)
from dmr_jwt.concrete_views.cookie import (
    CookieRefreshTokensAsyncController as CookieRefreshTokensAsyncController,
)
from dmr_jwt.concrete_views.cookie import (
    CookieRefreshTokensSyncController as CookieRefreshTokensSyncController,
)

__all__ = (
    'DEFAULT_REFRESH_COOKIE_PATH',
    'CookieLogoutAsyncController',
    'CookieLogoutSyncController',
    'CookieObtainTokensAsyncController',
    'CookieObtainTokensSyncController',
    'CookieRefreshTokensAsyncController',
    'CookieRefreshTokensSyncController',
    'ObtainTokensAsyncController',
    'ObtainTokensSyncController',
    'RefreshTokenAsyncController',
    'RefreshTokenSyncController',
    'VerifyTokenAsyncController',
    'VerifyTokenSyncController',
)
