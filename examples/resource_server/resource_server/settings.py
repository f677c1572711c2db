"""
Settings of the resource server: a service that only verifies tokens.

It holds no key at all. The public keys come from the JWK Set that the
issuer (the demo, ``make demo``) publishes; ``JWKS_URL`` overrides where::

    JWKS_URL=https://auth.example.com/.well-known/jwks.json

No database and no user table: the auth is ``stateless``, the user of a
request is built from the verified token alone.
"""

import os
import secrets

# Django needs one, and nothing here signs with it: a new one per start.
SECRET_KEY = os.environ.get('DJANGO_SECRET_KEY') or secrets.token_urlsafe(64)

DEBUG = os.environ.get('DJANGO_DEBUG', '1') == '1'

ALLOWED_HOSTS = ['localhost', '127.0.0.1']

INSTALLED_APPS: list[str] = []

MIDDLEWARE = ['django.middleware.common.CommonMiddleware']

ROOT_URLCONF = 'resource_server.urls'

WSGI_APPLICATION = 'resource_server.wsgi.application'

DATABASES: dict[str, dict[str, str]] = {}

DMR_JWT = {
    # `https`, or `http` on a loopback address only.
    'JWKS_URL': os.environ.get(
        'JWKS_URL',
        'http://127.0.0.1:8000/.well-known/jwks.json',
    ),
}

LOGGING = {
    'version': 1,
    'disable_existing_loggers': False,
    'handlers': {'console': {'class': 'logging.StreamHandler'}},
    # Fetches of the key set, keys skipped, failures.
    'loggers': {'dmr_jwt.keys': {'handlers': ['console'], 'level': 'INFO'}},
}

USE_TZ = True
TIME_ZONE = 'UTC'
