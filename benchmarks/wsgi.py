"""WSGI application of HTTP mode: `DJANGO_SETTINGS_MODULE` is the profile."""

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
