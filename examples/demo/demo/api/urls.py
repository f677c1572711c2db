"""Routes of the demo API, all under ``api/``."""

from dmr.plugins.pydantic import PydanticSerializer
from dmr.routing import Router, path

from demo.api import cookie_views, views
from dmr_jwt.concrete_views import VerifyTokenSyncController

router = Router(
    'api/',
    [
        path('auth/', views.ObtainTokens.as_view(), name='auth'),
        path(
            'auth/custom/',
            views.CustomObtainTokens.as_view(),
            name='auth-custom',
        ),
        path('auth/refresh/', views.RefreshTokens.as_view(), name='refresh'),
        path('auth/logout/', views.Logout.as_view(), name='logout'),
        # Ready to use: `{"access_token"}` in, `204` or `401` with the reason.
        path(
            'auth/verify/',
            VerifyTokenSyncController.as_view(serializer=PydanticSerializer),
            name='verify',
        ),
        path(
            'auth/logout-everywhere/',
            views.LogoutEverywhere.as_view(),
            name='logout-everywhere',
        ),
        path('me/', views.MeSync.as_view(), name='me'),
        path('me/async/', views.MeAsync.as_view(), name='me-async'),
        path('custom/me/', views.CustomMe.as_view(), name='custom-me'),
        # For browsers: the tokens in HttpOnly cookies (`GET /` uses them).
        path(
            'cookie/login/',
            cookie_views.CookieLogin.as_view(),
            name='cookie-login',
        ),
        path(
            'cookie/refresh/',
            cookie_views.CookieRefresh.as_view(),
            name='cookie-refresh',
        ),
        path(
            'cookie/logout/',
            cookie_views.CookieLogout.as_view(),
            name='cookie-logout',
        ),
        path('cookie/me/', cookie_views.CookieMe.as_view(), name='cookie-me'),
    ],
)
