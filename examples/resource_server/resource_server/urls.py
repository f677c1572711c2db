"""Routes of the resource server: ``GET /api/me/``."""

from django.urls import include, path
from dmr.routing import Router
from dmr.routing import path as api_path

from resource_server import views

router = Router(
    'api/',
    [api_path('me/', views.Me.as_view(), name='me')],
)

urlpatterns = [
    path(router.prefix, include((router.urls, 'resource'), namespace='api')),
]
