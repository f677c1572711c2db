"""Django settings for the test suite."""

import os

# 64 bytes: long enough for HS512, which the customized controller uses.
SECRET_KEY = 'tests-only-secret-key-' + 'x' * 64

DEBUG = False
USE_TZ = True
TIME_ZONE = 'UTC'

INSTALLED_APPS = [
    'django.contrib.contenttypes',
    'django.contrib.auth',
    'tests.app',
]

MIDDLEWARE: list[str] = []

ROOT_URLCONF = 'tests.app.urls'

DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.sqlite3',
        'NAME': os.environ.get('DMR_JWT_TEST_SQLITE', ':memory:'),
    },
}

DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'

# Fast hashing: the suite creates many users.
PASSWORD_HASHERS = ['django.contrib.auth.hashers.MD5PasswordHasher']
