"""Reusable controllers that issue, refresh and verify JWT tokens.

The controllers that take the tokens in the request body live in
:mod:`dmr_jwt.views.body`, those that set them as cookies in
:mod:`dmr_jwt.views.cookie`, the verify controllers in
:mod:`dmr_jwt.views.verify`; their names are re-exported here, as
django-modern-rest 0.16 does for ``dmr.security.jwt.views``. So are the
JWKS controllers of :mod:`dmr_jwt.views.jwks` (the public keys).
"""

from dmr_jwt._internal.reports import hide_secrets as hide_secrets
from dmr_jwt.views.body import (
    ObtainTokensAsyncController as ObtainTokensAsyncController,
)
from dmr_jwt.views.body import ObtainTokensPayload as ObtainTokensPayload
from dmr_jwt.views.body import ObtainTokensResponse as ObtainTokensResponse
from dmr_jwt.views.body import (
    ObtainTokensSyncController as ObtainTokensSyncController,
)
from dmr_jwt.views.body import (
    RefreshTokenAsyncController as RefreshTokenAsyncController,
)
from dmr_jwt.views.body import RefreshTokenPayload as RefreshTokenPayload
from dmr_jwt.views.body import (
    RefreshTokenSyncController as RefreshTokenSyncController,
)
from dmr_jwt.views.cookie import (
    CookieLogoutAsyncController as CookieLogoutAsyncController,
)
from dmr_jwt.views.cookie import (
    CookieLogoutSyncController as CookieLogoutSyncController,
)
from dmr_jwt.views.cookie import (
    CookieObtainTokensAsyncController as CookieObtainTokensAsyncController,
)
from dmr_jwt.views.cookie import (
    CookieObtainTokensSyncController as CookieObtainTokensSyncController,
)
from dmr_jwt.views.cookie import (
    CookieRefreshTokensAsyncController as CookieRefreshTokensAsyncController,
)
from dmr_jwt.views.cookie import (
    CookieRefreshTokensSyncController as CookieRefreshTokensSyncController,
)
from dmr_jwt.views.jwks import JWK as JWK
from dmr_jwt.views.jwks import JWKSAsyncController as JWKSAsyncController
from dmr_jwt.views.jwks import JWKSResponse as JWKSResponse
from dmr_jwt.views.jwks import JWKSSyncController as JWKSSyncController
from dmr_jwt.views.verify import (
    VerifyTokenAsyncController as VerifyTokenAsyncController,
)
from dmr_jwt.views.verify import VerifyTokenPayload as VerifyTokenPayload
from dmr_jwt.views.verify import (
    VerifyTokenSyncController as VerifyTokenSyncController,
)

__all__ = (
    'JWK',
    'CookieLogoutAsyncController',
    'CookieLogoutSyncController',
    'CookieObtainTokensAsyncController',
    'CookieObtainTokensSyncController',
    'CookieRefreshTokensAsyncController',
    'CookieRefreshTokensSyncController',
    'JWKSAsyncController',
    'JWKSResponse',
    'JWKSSyncController',
    'ObtainTokensAsyncController',
    'ObtainTokensPayload',
    'ObtainTokensResponse',
    'ObtainTokensSyncController',
    'RefreshTokenAsyncController',
    'RefreshTokenPayload',
    'RefreshTokenSyncController',
    'VerifyTokenAsyncController',
    'VerifyTokenPayload',
    'VerifyTokenSyncController',
    'hide_secrets',
)
