"""Django settings for the test suite."""

import os
from typing import Any
from urllib.parse import urlsplit

# 64 bytes: long enough for HS512, which the customized controller uses.
SECRET_KEY = 'tests-only-secret-key-' + 'x' * 64

DEBUG = False
USE_TZ = True
TIME_ZONE = 'UTC'

INSTALLED_APPS = [
    # The demo's URLs mount the admin; the admin tests use their own site.
    'django.contrib.admin',
    'django.contrib.contenttypes',
    'django.contrib.auth',
    'django.contrib.sessions',
    'django.contrib.messages',
    'dmr_jwt',
    'dmr_jwt.blocklist',
    'tests.app',
]

# Empty on purpose: the controllers are tested without middleware. The admin
# tests (`tests/blocklist/test_admin.py`) set the middleware they need.
MIDDLEWARE: list[str] = []

# For `django.contrib.admin`, which the admin tests mount themselves
# (`tests/app/admin_urls.py`).
TEMPLATES: list[dict[str, Any]] = [
    {
        'BACKEND': 'django.template.backends.django.DjangoTemplates',
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

ROOT_URLCONF = 'tests.app.urls'

DATABASES: dict[str, dict[str, Any]] = {
    'default': {
        'ENGINE': 'django.db.backends.sqlite3',
        'NAME': os.environ.get('DMR_JWT_TEST_SQLITE', ':memory:'),
    },
}

CACHES: dict[str, dict[str, Any]] = {
    'default': {
        'BACKEND': 'django.core.cache.backends.locmem.LocMemCache',
        'LOCATION': 'dmr-jwt-tests',
    },
}

# Real servers, when `.ci/run` (or you) started them. Tests that need them
# skip with a reason otherwise. See `.ci/services.sh`.
POSTGRES_URL = os.environ.get('DMR_JWT_TEST_POSTGRES')
REDIS_URL = os.environ.get('DMR_JWT_TEST_REDIS')

if POSTGRES_URL:
    _postgres = urlsplit(POSTGRES_URL)
    DATABASES['postgres'] = {
        'ENGINE': 'django.db.backends.postgresql',
        'NAME': _postgres.path.lstrip('/') or 'postgres',
        'USER': _postgres.username or 'postgres',
        'PASSWORD': _postgres.password or '',
        'HOST': _postgres.hostname or '127.0.0.1',
        'PORT': str(_postgres.port or 5432),
    }

if REDIS_URL:
    CACHES['redis'] = {
        'BACKEND': 'django.core.cache.backends.redis.RedisCache',
        'LOCATION': REDIS_URL,
        'KEY_PREFIX': 'dmr-jwt-tests',
        # What the README recommends: a sick Redis fails fast.
        'OPTIONS': {'socket_timeout': 1, 'socket_connect_timeout': 1},
    }

DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'

# Fast hashing: the suite creates many users.
PASSWORD_HASHERS = ['django.contrib.auth.hashers.MD5PasswordHasher']
SILENCED_SYSTEM_CHECKS = [
    'dmr_jwt.W001',  # one process: the suite
    # The admin (for the demo's URLs) without the global middleware: the
    # admin tests set it themselves.
    'admin.E408',
    'admin.E409',
    'admin.E410',
]
