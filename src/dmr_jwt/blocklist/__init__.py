"""The blocklist app: revoke JWT tokens before they expire.

Add ``'dmr_jwt.blocklist'`` to ``INSTALLED_APPS``, run ``migrate``, and mix
:class:`JWTokenBlocklistSyncMixin` / :class:`JWTokenBlocklistAsyncMixin`
into the auth classes and :class:`RefreshTokenBlocklistSyncMixin` /
:class:`RefreshTokenBlocklistAsyncMixin` into the refresh controllers (with
``jwt_rotate_refresh_tokens = True`` for rotation with reuse detection);
:class:`VerifyTokenBlocklistSyncMixin` /
:class:`VerifyTokenBlocklistAsyncMixin` into the verify controllers;
:class:`LogoutSyncController` / :class:`LogoutAsyncController` end the
caller's session (its token family), :func:`revoke_all_tokens` and
:class:`LogoutEverywhereSyncController` /
:class:`LogoutEverywhereAsyncController` log a user out everywhere;
:class:`CookieLogoutBlocklistSyncMixin` /
:class:`CookieLogoutBlocklistAsyncMixin` do the same for the cookie logout
controllers of :mod:`dmr_jwt.views.cookie`.
Nothing here imports models at import time, so this package is safe to
import while Django populates its apps.
"""

from dmr_jwt.blocklist.auth import (
    JWTokenBlocklistAsyncMixin,
    JWTokenBlocklistSyncMixin,
    RefreshTokenBlocklistAsyncMixin,
    RefreshTokenBlocklistSyncMixin,
)
from dmr_jwt.blocklist.cookie import (
    CookieLogoutBlocklistAsyncMixin,
    CookieLogoutBlocklistSyncMixin,
)
from dmr_jwt.blocklist.store import (
    arevoke_all,
    arevoke_all_tokens,
    arevoke_family,
    revoke_all,
    revoke_all_tokens,
    revoke_family,
)
from dmr_jwt.blocklist.verify import (
    VerifyTokenBlocklistAsyncMixin,
    VerifyTokenBlocklistSyncMixin,
    areject_revoked,
    reject_revoked,
)
from dmr_jwt.blocklist.views import (
    LogoutAsyncController,
    LogoutEverywhereAsyncController,
    LogoutEverywhereSyncController,
    LogoutPayload,
    LogoutSyncController,
)

__all__ = (
    'CookieLogoutBlocklistAsyncMixin',
    'CookieLogoutBlocklistSyncMixin',
    'JWTokenBlocklistAsyncMixin',
    'JWTokenBlocklistSyncMixin',
    'LogoutAsyncController',
    'LogoutEverywhereAsyncController',
    'LogoutEverywhereSyncController',
    'LogoutPayload',
    'LogoutSyncController',
    'RefreshTokenBlocklistAsyncMixin',
    'RefreshTokenBlocklistSyncMixin',
    'VerifyTokenBlocklistAsyncMixin',
    'VerifyTokenBlocklistSyncMixin',
    'areject_revoked',
    'arevoke_all',
    'arevoke_all_tokens',
    'arevoke_family',
    'reject_revoked',
    'revoke_all',
    'revoke_all_tokens',
    'revoke_family',
)
