"""JWT authentication for django-modern-rest.

The everyday names live here; the reusable controllers are in
:mod:`dmr_jwt.views`, the blocklist app in ``dmr_jwt.blocklist``, the
signals in :mod:`dmr_jwt.signals`, key material in :mod:`dmr_jwt.keys`,
the ``DMR_JWT`` settings in :mod:`dmr_jwt.conf`. Everything under
``dmr_jwt._internal`` is private and may change in any release.
"""

from dmr_jwt._internal.users import TokenUser
from dmr_jwt.auth import (
    CookieJWTAsyncAuth,
    CookieJWTSyncAuth,
    HeaderJWTAsyncAuth,
    HeaderJWTSyncAuth,
    JWTAsyncAuth,
    JWTSyncAuth,
    request_jwt,
)
from dmr_jwt.errors import InvalidTokenError, JWTError, Reason, TokenEncodeError
from dmr_jwt.options import VerifyOptions
from dmr_jwt.token import JWToken

__all__ = (
    'CookieJWTAsyncAuth',
    'CookieJWTSyncAuth',
    'HeaderJWTAsyncAuth',
    'HeaderJWTSyncAuth',
    'InvalidTokenError',
    'JWTAsyncAuth',
    'JWTError',
    'JWTSyncAuth',
    'JWToken',
    'Reason',
    'TokenEncodeError',
    'TokenUser',
    'VerifyOptions',
    'request_jwt',
)

__version__ = '0.1.0'
