"""ASGI application of HTTP mode: `DJANGO_SETTINGS_MODULE` is the profile."""

from django.core.asgi import get_asgi_application

application = get_asgi_application()
