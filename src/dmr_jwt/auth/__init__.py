"""JWT auth for django-modern-rest controllers.

The ``Authorization: Bearer`` auth lives in :mod:`dmr_jwt.auth.header`,
the cookie auth in :mod:`dmr_jwt.auth.cookie`; their names are
re-exported here, as django-modern-rest 0.16 does for
``dmr.security.jwt.auth``.
"""

from dmr_jwt.auth.cookie import CookieJWTAsyncAuth as CookieJWTAsyncAuth
from dmr_jwt.auth.cookie import CookieJWTSyncAuth as CookieJWTSyncAuth
from dmr_jwt.auth.header import HeaderJWTAsyncAuth as HeaderJWTAsyncAuth
from dmr_jwt.auth.header import HeaderJWTSyncAuth as HeaderJWTSyncAuth
from dmr_jwt.auth.header import JWTAsyncAuth as JWTAsyncAuth
from dmr_jwt.auth.header import JWTSyncAuth as JWTSyncAuth
from dmr_jwt.auth.header import request_jwt as request_jwt

__all__ = (
    'CookieJWTAsyncAuth',
    'CookieJWTSyncAuth',
    'HeaderJWTAsyncAuth',
    'HeaderJWTSyncAuth',
    'JWTAsyncAuth',
    'JWTSyncAuth',
    'request_jwt',
)
