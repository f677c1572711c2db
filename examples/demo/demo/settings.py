"""
Settings of the demo project.

Local development only: DEBUG is on and the secret key is public.

SQLite and a per-process cache by default. ``DEMO_SQLITE_PATH`` moves the
SQLite file (the browser test gives each run its own). Two environment
variables point the demo at real servers instead (the fault tests run it
so, under gunicorn):

- ``DEMO_DATABASE_URL``: ``postgres://user:password@127.0.0.1:PORT/NAME``,
  the database (users and revocation rows);
- ``DEMO_REDIS_URL``: ``redis://127.0.0.1:PORT/0``, ``CACHES['default']``,
  which is also the revocation cache, with short socket timeouts.
"""

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent

# At least 64 bytes: the customized obtain controller signs with HS512,
# and PyJWT (like RFC 7518, section 3.2) wants a key as long as the hash.
SECRET_KEY = (
    'demo-only-insecure-secret-key-'
    '3f9c1e7a5b2d8f4c6e0a9b1d3f5e7c9a2b4d6f8e0c1a3b5d7f9e2c4a6b8d0f1e'
)

DEBUG = True

ALLOWED_HOSTS = ['localhost', '127.0.0.1']

INSTALLED_APPS = [
    # The admin: revoked tokens and families, and "log out everywhere"
    # as an action on users (`demo/api/admin.py`).
    'django.contrib.admin',
    'django.contrib.contenttypes',
    'django.contrib.auth',
    'django.contrib.sessions',
    'django.contrib.messages',
    # Serves the JS and CSS of the Swagger and Scalar pages (DEBUG only).
    'django.contrib.staticfiles',
    # Templates and static files of the OpenAPI pages.
    'dmr',
    # Revoked tokens (logout): the `BlocklistedJWToken` table and its checks.
    'dmr_jwt.blocklist',
    # The controllers and the `ensure_demo_user` command.
    'demo.api',
]

MIDDLEWARE = [
    'django.middleware.security.SecurityMiddleware',
    'django.contrib.sessions.middleware.SessionMiddleware',
    'django.middleware.common.CommonMiddleware',
    # The API controllers are CSRF-exempt (no cookies); the admin is not.
    'django.middleware.csrf.CsrfViewMiddleware',
    'django.contrib.auth.middleware.AuthenticationMiddleware',
    'django.contrib.messages.middleware.MessageMiddleware',
]

ROOT_URLCONF = 'demo.urls'

TEMPLATES = [
    {
        'BACKEND': 'django.template.backends.django.DjangoTemplates',
        'DIRS': [],
        'APP_DIRS': True,
        'OPTIONS': {
            'context_processors': [
                'django.template.context_processors.request',
                'django.contrib.auth.context_processors.auth',
                'django.contrib.messages.context_processors.messages',
            ],
        },
    },
]

WSGI_APPLICATION = 'demo.wsgi.application'

DATABASES: dict[str, dict[str, Any]] = {
    'default': {
        'ENGINE': 'django.db.backends.sqlite3',
        'NAME': os.environ.get('DEMO_SQLITE_PATH', BASE_DIR / 'db.sqlite3'),
    },
}


def _database_from_url(url: str) -> dict[str, Any]:
    """A ``DATABASES`` entry for ``postgres://user:password@host:port/name``."""
    parts = urlsplit(url)
    if parts.scheme not in {'postgres', 'postgresql'}:
        # Never the URL itself: it holds the password.
        raise ValueError('DEMO_DATABASE_URL: not a postgres:// URL')
    return {
        'ENGINE': 'django.db.backends.postgresql',
        'NAME': unquote(parts.path.lstrip('/')) or 'postgres',
        'USER': unquote(parts.username or 'postgres'),
        'PASSWORD': unquote(parts.password or ''),
        'HOST': parts.hostname or '127.0.0.1',
        'PORT': str(parts.port or 5432),
    }


DEMO_DATABASE_URL = os.environ.get('DEMO_DATABASE_URL')
if DEMO_DATABASE_URL:
    DATABASES['default'] = _database_from_url(DEMO_DATABASE_URL)

DEMO_REDIS_URL = os.environ.get('DEMO_REDIS_URL')
if DEMO_REDIS_URL:
    if urlsplit(DEMO_REDIS_URL).scheme not in {'redis', 'rediss'}:
        raise ValueError('DEMO_REDIS_URL: not a redis:// URL')
    # Shared by every process: a logout is seen by all workers at once.
    # Short socket timeouts: a frozen Redis costs a quarter of a second,
    # not the 20 s or more of the defaults (Django passes OPTIONS to
    # redis-py's ConnectionPool).
    CACHES = {
        'default': {
            'BACKEND': 'django.core.cache.backends.redis.RedisCache',
            'LOCATION': DEMO_REDIS_URL,
            'KEY_PREFIX': 'dmr-jwt-demo',
            'OPTIONS': {
                'socket_timeout': 0.25,
                'socket_connect_timeout': 0.25,
            },
        },
    }

# The blocklist is fronted by the `default` cache. Without DEMO_REDIS_URL
# there is no CACHES setting: Django's default `LocMemCache`, per process.
# The demo then runs one process (`runserver`), which sees every logout at
# once, so the per-process staleness warning (dmr_jwt.W001) does not
# apply and is silenced. In production with several workers, point
# `BLOCKLIST_CACHE` at a shared cache (Redis, as DEMO_REDIS_URL does)
# instead, so that a token revoked by one worker is refused by all of
# them at once.
DMR_JWT = {
    'BLOCKLIST_CACHE': 'default',
    # A new password logs the user out everywhere.
    'REVOKE_TOKENS_ON_PASSWORD_CHANGE': True,
}
SILENCED_SYSTEM_CHECKS = [] if DEMO_REDIS_URL else ['dmr_jwt.W001']

# The cookie API (`/api/cookie/`, used by the login page at `/`) marks its
# token cookies `Secure` only when this is on. LOCAL DEVELOPMENT ONLY: off,
# so that `make demo` works over plain http://127.0.0.1:8000 (browsers
# drop `Secure` cookies set over http). In production, over https, keep
# it on: the controllers' `jwt_cookie_secure` defaults to `True`, and
# nothing but this demo should ever turn it off.
DEMO_JWT_COOKIE_SECURE = False

DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'

USE_TZ = True
TIME_ZONE = 'UTC'

STATIC_URL = 'static/'
