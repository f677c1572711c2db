"""The blocklist app: revoke JWT tokens before they expire.

Add ``'dmr_jwt.blocklist'`` to ``INSTALLED_APPS``, run ``migrate``, and mix
:class:`JWTokenBlocklistSyncMixin` / :class:`JWTokenBlocklistAsyncMixin`
into the auth classes; :class:`LogoutSyncController` /
:class:`LogoutAsyncController` revoke the caller's tokens.
:func:`revoke_all_tokens` logs a user out
everywhere. Nothing here imports models at import time,
so this package is safe to import while Django populates its apps.
"""

from dmr_jwt.blocklist.auth import (
    JWTokenBlocklistAsyncMixin,
    JWTokenBlocklistSyncMixin,
    RefreshTokenBlocklistAsyncMixin,
    RefreshTokenBlocklistSyncMixin,
)
from dmr_jwt.blocklist.views import (
    LogoutAsyncController,
    LogoutPayload,
    LogoutSyncController,
)
from dmr_jwt.blocklist.watermarks import arevoke_all_tokens, revoke_all_tokens

__all__ = (
    'JWTokenBlocklistAsyncMixin',
    'JWTokenBlocklistSyncMixin',
    'LogoutAsyncController',
    'LogoutPayload',
    'LogoutSyncController',
    'RefreshTokenBlocklistAsyncMixin',
    'RefreshTokenBlocklistSyncMixin',
    'arevoke_all_tokens',
    'revoke_all_tokens',
)
