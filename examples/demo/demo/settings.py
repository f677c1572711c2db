"""
Settings of the demo project.

Local development only: DEBUG is on and the secret key is public.
"""

from pathlib import Path

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

DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.sqlite3',
        'NAME': BASE_DIR / 'db.sqlite3',
    },
}

# The blocklist is fronted by the `default` cache. There is no CACHES
# setting, so that is Django's default `LocMemCache`: one per process.
# The demo runs one process (`runserver`), which sees every logout at
# once, so the per-process staleness warning (dmr_jwt.W001) does not
# apply and is silenced below. In production with several workers, point
# `BLOCKLIST_CACHE` at a shared cache (Redis) instead, so that a token
# revoked by one worker is refused by all of them at once.
DMR_JWT = {
    'BLOCKLIST_CACHE': 'default',
    # A new password logs the user out everywhere.
    'REVOKE_TOKENS_ON_PASSWORD_CHANGE': True,
}

SILENCED_SYSTEM_CHECKS = ['dmr_jwt.W001']  # one process: see above

DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'

USE_TZ = True
TIME_ZONE = 'UTC'

STATIC_URL = 'static/'
