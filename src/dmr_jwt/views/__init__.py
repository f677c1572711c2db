"""Reusable controllers that issue, refresh and verify JWT tokens.

The controllers that take the tokens in the request body live in
:mod:`dmr_jwt.views.body`, the verify controllers in
:mod:`dmr_jwt.views.verify`; their names are re-exported here, as
django-modern-rest 0.16 does for ``dmr.security.jwt.views``.
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
from dmr_jwt.views.verify import (
    VerifyTokenAsyncController as VerifyTokenAsyncController,
)
from dmr_jwt.views.verify import VerifyTokenPayload as VerifyTokenPayload
from dmr_jwt.views.verify import (
    VerifyTokenSyncController as VerifyTokenSyncController,
)

__all__ = (
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
