"""
URLs of the demo project: the API, its docs and the admin.

The API is under ``api/``, its docs under ``docs/``, the admin under
``admin/``.

The schema is built once, at import, from the same router that serves
the API, so the docs always describe exactly what is routed.
"""

from django.contrib import admin
from django.urls import include, path
from dmr.openapi import OpenAPIConfig, build_schema
from dmr.openapi.views import OpenAPIJsonView, ScalarView, SwaggerView

from demo.api.pages import login_page
from demo.api.urls import router

schema = build_schema(
    router,
    config=OpenAPIConfig(title='dmr-jwt demo', version='0.1.0'),
)

urlpatterns = [
    # The login page of the cookie API (`demo/api/pages.py`).
    path('', login_page, name='login-page'),
    path('admin/', admin.site.urls),
    path(router.prefix, include((router.urls, 'demo'), namespace='api')),
    path('docs/openapi.json/', OpenAPIJsonView.as_view(schema), name='openapi'),
    path('docs/swagger/', SwaggerView.as_view(schema), name='swagger'),
    path('docs/scalar/', ScalarView.as_view(schema), name='scalar'),
]
