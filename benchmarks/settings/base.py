"""Settings that every profile shares.

* ``DEBUG = False``: no query log, nothing kept per request.
* No middleware: the protected endpoint is all there is.
* One SQLite file per process (``BENCH_DB``, made by the worker), so that
  the async path, which opens a connection per request thread, sees the
  same tables; persistent connections for the sync path.
* ``MD5PasswordHasher`` in every profile: obtaining tokens compares the
  libraries, not the cost of a slow password hash.
"""

import os
from typing import Any

SECRET_KEY = 'benchmarks-only-secret-key-' + 'b' * 64

DEBUG = False
ALLOWED_HOSTS = ['testserver', '127.0.0.1', 'localhost']
USE_TZ = True
TIME_ZONE = 'UTC'

INSTALLED_APPS = [
    'django.contrib.contenttypes',
    'django.contrib.auth',
]

MIDDLEWARE: list[str] = []

DATABASES: dict[str, dict[str, Any]] = {
    'default': {
        'ENGINE': 'django.db.backends.sqlite3',
        'NAME': os.environ.get('BENCH_DB', ':memory:'),
        'CONN_MAX_AGE': None,
    },
}

CACHES: dict[str, dict[str, Any]] = {
    'default': {
        'BACKEND': 'django.core.cache.backends.locmem.LocMemCache',
        'LOCATION': 'dmr-jwt-bench',
    },
}

PASSWORD_HASHERS = ['django.contrib.auth.hashers.MD5PasswordHasher']
DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'

#: Which auth the dmr urlconf wires; every profile module sets it.
BENCH_PROFILE = ''
