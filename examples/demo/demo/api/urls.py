"""Routes of the demo API, all under ``api/``."""

from dmr.routing import Router, path

from demo.api import views

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
        path(
            'auth/logout-everywhere/',
            views.LogoutEverywhere.as_view(),
            name='logout-everywhere',
        ),
        path('me/', views.MeSync.as_view(), name='me'),
        path('me/async/', views.MeAsync.as_view(), name='me-async'),
        path('custom/me/', views.CustomMe.as_view(), name='custom-me'),
    ],
)
