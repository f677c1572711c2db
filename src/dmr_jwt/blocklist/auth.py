"""Mixins that add the blocklist to JWT auth classes and refresh controllers.

.. code:: python

    class BlocklistJWTSyncAuth(JWTokenBlocklistSyncMixin, JWTSyncAuth): ...

Revocation goes through :mod:`dmr_jwt.blocklist.store`; in steady state
a check is two cache reads and no query. A token without ``jti`` cannot be
revoked, so these mixins reject it with ``401``. They also reject every
token issued before its user's "log out everywhere" watermark
(:func:`dmr_jwt.blocklist.revoke_all_tokens`), compared with ``iat``.
A token without ``iat`` is taken as issued when it is decoded, so the
watermark cannot revoke it: require the claim
(``require_claims=['iat']``) when other issuers may leave it out.
"""

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core import checks
from typing_extensions import override

from dmr_jwt.blocklist import store, watermarks
from dmr_jwt.errors import Reason, token_error
from dmr_jwt.signals import token_revoked
from dmr_jwt.token import JWToken

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    from dmr_jwt.auth import JWTAsyncAuth, JWTSyncAuth
    from dmr_jwt.blocklist.models import BlocklistedJWToken
    from dmr_jwt.views import (
        RefreshTokenAsyncController,
        RefreshTokenSyncController,
    )

    _SyncAuthBase = JWTSyncAuth
    _AsyncAuthBase = JWTAsyncAuth
    _SyncRefreshBase = RefreshTokenSyncController[Any, Any, Any]
    _AsyncRefreshBase = RefreshTokenAsyncController[Any, Any, Any]
else:
    _SyncAuthBase = _AsyncAuthBase = object
    _SyncRefreshBase = _AsyncRefreshBase = object

__all__ = (
    'JWTokenBlocklistAsyncMixin',
    'JWTokenBlocklistSyncMixin',
    'RefreshTokenBlocklistAsyncMixin',
    'RefreshTokenBlocklistSyncMixin',
)


class JWTokenBlocklistSyncMixin(_SyncAuthBase):
    """Sync mixin for working with tokens blocklist."""

    __slots__ = ()

    def blocklist(self, token: JWToken) -> tuple['BlocklistedJWToken', bool]:
        """
        Add token to the blocklist: ``(row, created)``.

        Raises:
            NotAuthenticatedError: If the token has no usable ``jti``.

        """
        try:
            row, created = store.blocklist(token, grace=_grace(self))
        except store.BlocklistError:
            raise token_error(Reason.MISSING_CLAIM) from None
        if created:
            token_revoked.send(**_revoked_kwargs(self, token, row))
        return row, created

    @override
    def check_auth(self, user: 'AbstractBaseUser', token: JWToken) -> None:
        """Reject a blocklisted token, or one issued before the watermark."""
        super().check_auth(user, token)
        _reject_if_revoked(token, _grace(self))


class JWTokenBlocklistAsyncMixin(_AsyncAuthBase):
    """Async mixin for working with tokens blocklist."""

    __slots__ = ()

    async def blocklist(
        self,
        token: JWToken,
    ) -> tuple['BlocklistedJWToken', bool]:
        """Add token to the blocklist. See the sync mixin."""
        try:
            row, created = await store.ablocklist(token, grace=_grace(self))
        except store.BlocklistError:
            raise token_error(Reason.MISSING_CLAIM) from None
        if created:
            await token_revoked.asend(**_revoked_kwargs(self, token, row))
        return row, created

    @override
    async def check_auth(
        self,
        user: 'AbstractBaseUser',
        token: JWToken,
    ) -> None:
        """Reject a blocklisted token, or one issued before the watermark."""
        await super().check_auth(user, token)
        await _areject_if_blocklisted(token, _grace(self))


class RefreshTokenBlocklistSyncMixin(_SyncRefreshBase):
    """Makes a sync refresh controller reject blocklisted refresh tokens."""

    @override
    def check_refresh_token(self, token: JWToken) -> None:
        """Reject a revoked refresh token, or one without ``jti``."""
        super().check_refresh_token(token)
        _reject_if_revoked(token)


class RefreshTokenBlocklistAsyncMixin(_AsyncRefreshBase):
    """Makes an async refresh controller reject blocklisted refresh tokens."""

    @override
    async def check_refresh_token(self, token: JWToken) -> None:
        """Reject a revoked refresh token, or one without ``jti``."""
        await super().check_refresh_token(token)
        await _areject_if_blocklisted(token)


def _revoked_kwargs(
    auth: object,
    token: JWToken,
    row: 'BlocklistedJWToken',
) -> dict[str, Any]:
    # The `token_revoked` payload, documented in `dmr_jwt.signals`.
    return {
        'sender': type(auth),
        'token': token,
        'jti': row.jti,
        'sub': row.sub,
    }


def _grace(auth: 'JWTSyncAuth | JWTAsyncAuth') -> dt.timedelta:
    # How long after `exp` this auth still accepts a token.
    if not auth.verify_expiry:
        return _FOREVER
    return dt.timedelta(seconds=auth.leeway)


#: Tokens that never expire stay revoked (practically) forever.
_FOREVER = dt.timedelta(days=365 * 100)


def _reject_if_revoked(
    token: JWToken,
    grace: dt.timedelta = dt.timedelta(0),
) -> None:
    try:
        blocked = store.is_blocklisted(token, grace=grace)
    except store.BlocklistError:
        raise token_error(Reason.MISSING_CLAIM) from None
    if blocked or watermarks.is_revoked_by_watermark(token, grace=grace):
        raise token_error(Reason.REVOKED)


async def _areject_if_blocklisted(
    token: JWToken,
    grace: dt.timedelta = dt.timedelta(0),
) -> None:
    try:
        blocked = await store.ais_blocklisted(token, grace=grace)
    except store.BlocklistError:
        raise token_error(Reason.MISSING_CLAIM) from None
    if blocked or await watermarks.ais_revoked_by_watermark(token, grace=grace):
        raise token_error(Reason.REVOKED)


@checks.register(checks.Tags.security)
def _check_app_installed(**kwargs: Any) -> list[checks.CheckMessage]:
    # Registered on import: whoever imports these mixins uses the blocklist,
    # and the app's own `ready()` never runs when the app is not installed.
    from django.apps import apps  # noqa: PLC0415

    if apps.is_installed('dmr_jwt.blocklist'):
        return []
    return [
        checks.Error(
            'The dmr_jwt blocklist mixins are used, '
            "but 'dmr_jwt.blocklist' is not in INSTALLED_APPS.",
            hint="Add 'dmr_jwt.blocklist' to INSTALLED_APPS and migrate.",
            id='dmr_jwt.E001',
        ),
    ]
