"""The blocklist on the verify controllers: a revoked token is ``401``.

.. code:: python

    class Verify(
        VerifyTokenBlocklistSyncMixin,
        VerifyTokenSyncController[PydanticSerializer, VerifyTokenPayload],
    ): ...

The mixins reject, in ``check_token`` (before the user lookup, so a
revoked token costs no user query), every token that the refresh mixins
reject: blocklisted, issued before its user's "log out everywhere"
watermark, or of a revoked family; and a token without ``jti``, which
cannot be revoked. Unlike simplejwt's verify, which skips its blocklist
unless rotation is on, a verify with the mixin never skips it.

:func:`reject_revoked` / :func:`areject_revoked` are that check alone,
for controllers of your own; the ready-to-use verify and refresh
controllers of :mod:`dmr_jwt.concrete_views` call them whenever this app
is installed.

.. versionadded:: 0.1.0
"""

from typing import TYPE_CHECKING, Any

from typing_extensions import override

from dmr_jwt.blocklist.auth import _areject_if_revoked, _reject_if_revoked
from dmr_jwt.token import JWToken as _JWToken

if TYPE_CHECKING:
    from dmr_jwt.views import (
        VerifyTokenAsyncController,
        VerifyTokenSyncController,
    )

    _SyncVerifyBase = VerifyTokenSyncController[Any, Any]
    _AsyncVerifyBase = VerifyTokenAsyncController[Any, Any]
else:
    _SyncVerifyBase = _AsyncVerifyBase = object

__all__ = (
    'VerifyTokenBlocklistAsyncMixin',
    'VerifyTokenBlocklistSyncMixin',
    'areject_revoked',
    'reject_revoked',
)


def reject_revoked(token: _JWToken) -> None:
    """
    Refuse *token* with ``401`` if it is revoked, sync.

    Revoked: blocklisted, issued before its user's watermark, or of a
    revoked family. The token must be verified already (signature,
    ``exp``): its claims are trusted.

    Raises:
        NotAuthenticatedError: "Token has been revoked", or "Token is
            missing a required claim" for a token without a usable
            ``jti``.

    """
    _reject_if_revoked(token)


async def areject_revoked(token: _JWToken) -> None:
    """Refuse *token* with ``401`` if it is revoked, async.

    See :func:`reject_revoked`.
    """
    await _areject_if_revoked(token)


class VerifyTokenBlocklistSyncMixin(_SyncVerifyBase):
    """Makes a sync verify controller reject revoked tokens."""

    @override
    def check_token(self, token: _JWToken) -> None:
        """Reject a revoked token, or one without ``jti``."""
        super().check_token(token)
        reject_revoked(token)


class VerifyTokenBlocklistAsyncMixin(_AsyncVerifyBase):
    """Makes an async verify controller reject revoked tokens."""

    @override
    async def check_token(self, token: _JWToken) -> None:
        """Reject a revoked token, or one without ``jti``."""
        await super().check_token(token)
        await areject_revoked(token)
