"""JWT authentication for django-modern-rest.

The everyday names live here; the reusable controllers are in
:mod:`dmr_jwt.views`, the blocklist app in ``dmr_jwt.blocklist``.
"""

from dmr_jwt.auth import JWTAsyncAuth, JWTSyncAuth, request_jwt
from dmr_jwt.token import JWToken

__all__ = ('JWTAsyncAuth', 'JWTSyncAuth', 'JWToken', 'request_jwt')

__version__ = '0.1.0'
