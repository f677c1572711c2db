"""Ready-to-use controllers that take and return the tokens in the body.

Each one only needs a serializer, given when it is routed:

.. code:: python

    from dmr.plugins.pydantic import PydanticSerializer
    from dmr.routing import path

    from dmr_jwt.concrete_views import ObtainTokensSyncController

    route = path(
        'login/',
        ObtainTokensSyncController.as_view(serializer=PydanticSerializer),
    )

Obtain takes :class:`~dmr_jwt.views.ObtainTokensPayload` and refresh
:class:`~dmr_jwt.views.RefreshTokenPayload`; both return
:class:`~dmr_jwt.views.ObtainTokensResponse`. Verify takes
:class:`~dmr_jwt.views.VerifyTokenPayload` (an access token) and answers
``204``. The names, payloads and responses are django-modern-rest 0.16's
(``dmr.security.jwt.concrete_views``).

When the blocklist app (``dmr_jwt.blocklist``) is installed, refresh and
verify refuse revoked tokens (``401`` "Token has been revoked"): logout
and "log out everywhere" hold for these controllers too. Custom logic
(rotation, other payloads) belongs to subclasses of :mod:`dmr_jwt.views`.
"""

from typing import Any, final

from dmr.serializer import BaseSerializer
from typing_extensions import TypeVar, override

from dmr_jwt import views as _views
from dmr_jwt._internal.concrete import RoutedWithSerializer as _Routed
from dmr_jwt._internal.controllers import TokenController as _TokenController
from dmr_jwt.concrete_views import _revocation
from dmr_jwt.token import JWToken as _JWToken

__all__ = (
    'ObtainTokensAsyncController',
    'ObtainTokensSyncController',
    'RefreshTokenAsyncController',
    'RefreshTokenSyncController',
    'VerifyTokenAsyncController',
    'VerifyTokenSyncController',
)

_SerializerT = TypeVar('_SerializerT', bound=BaseSerializer)


def _token_pair(
    controller: _TokenController[Any],
) -> _views.ObtainTokensResponse:
    """A fresh pair of access and refresh tokens for the request's user."""
    return {
        'access_token': controller.create_jwt_token(
            token_type='access',  # noqa: S106
        ),
        'refresh_token': controller.create_jwt_token(
            token_type='refresh',  # noqa: S106
        ),
    }


@final
class ObtainTokensSyncController(
    _Routed,
    _views.ObtainTokensSyncController[
        _SerializerT,
        _views.ObtainTokensPayload,
        _views.ObtainTokensResponse,
    ],
):
    """
    Sync controller to get access and refresh tokens, ready to be routed.

    Takes :class:`~dmr_jwt.views.ObtainTokensPayload` and returns
    :class:`~dmr_jwt.views.ObtainTokensResponse`; route it with
    ``as_view(serializer=...)``. See
    :class:`dmr_jwt.views.ObtainTokensSyncController` for the settings and
    hooks, and subclass that one for custom logic.

    .. versionadded:: 0.1.0
    """

    # Token endpoints take credentials themselves: the auth of the
    # project's settings must never be required for them.
    auth = None

    @override
    def convert_auth_payload(
        self,
        payload: _views.ObtainTokensPayload,
    ) -> _views.ObtainTokensPayload:
        """Default payload is already what ``authenticate`` expects."""
        return payload

    @override
    def make_api_response(self) -> _views.ObtainTokensResponse:
        """Return a fresh pair of access and refresh tokens."""
        return _token_pair(self)


@final
class ObtainTokensAsyncController(
    _Routed,
    _views.ObtainTokensAsyncController[
        _SerializerT,
        _views.ObtainTokensPayload,
        _views.ObtainTokensResponse,
    ],
):
    """
    Async controller to get access and refresh tokens, ready to be routed.

    See :class:`ObtainTokensSyncController`.

    .. versionadded:: 0.1.0
    """

    auth = None

    @override
    async def convert_auth_payload(
        self,
        payload: _views.ObtainTokensPayload,
    ) -> _views.ObtainTokensPayload:
        """Default payload is already what ``aauthenticate`` expects."""
        return payload

    @override
    async def make_api_response(self) -> _views.ObtainTokensResponse:
        """Return a fresh pair of access and refresh tokens."""
        return _token_pair(self)


@final
class RefreshTokenSyncController(
    _Routed,
    _views.RefreshTokenSyncController[
        _SerializerT,
        _views.RefreshTokenPayload,
        _views.ObtainTokensResponse,
    ],
):
    """
    Sync controller to refresh both tokens, ready to be routed.

    Takes :class:`~dmr_jwt.views.RefreshTokenPayload` and returns
    :class:`~dmr_jwt.views.ObtainTokensResponse`: the pair
    of :class:`ObtainTokensSyncController`. Refuses revoked refresh tokens
    when the blocklist app is installed (no rotation: that is a setting of
    ``RefreshTokenBlocklistSyncMixin`` on a controller of your own).

    .. versionadded:: 0.1.0
    """

    auth = None

    @override
    def check_refresh_token(self, token: _JWToken) -> None:
        """Refuse a revoked token, when the blocklist app is installed."""
        super().check_refresh_token(token)
        _revocation.reject_if_revoked(token)

    @override
    def convert_refresh_payload(
        self,
        payload: _views.RefreshTokenPayload,
    ) -> str:
        """Read the refresh token from the default payload."""
        return payload['refresh_token']

    @override
    def make_api_response(self) -> _views.ObtainTokensResponse:
        """Return a fresh pair of access and refresh tokens."""
        return _token_pair(self)


@final
class RefreshTokenAsyncController(
    _Routed,
    _views.RefreshTokenAsyncController[
        _SerializerT,
        _views.RefreshTokenPayload,
        _views.ObtainTokensResponse,
    ],
):
    """
    Async controller to refresh both tokens, ready to be routed.

    See :class:`RefreshTokenSyncController`.

    .. versionadded:: 0.1.0
    """

    auth = None

    @override
    async def check_refresh_token(self, token: _JWToken) -> None:
        """Refuse a revoked token, when the blocklist app is installed."""
        await super().check_refresh_token(token)
        await _revocation.areject_if_revoked(token)

    @override
    async def convert_refresh_payload(
        self,
        payload: _views.RefreshTokenPayload,
    ) -> str:
        """Read the refresh token from the default payload."""
        return payload['refresh_token']

    @override
    async def make_api_response(self) -> _views.ObtainTokensResponse:
        """Return a fresh pair of access and refresh tokens."""
        return _token_pair(self)


@final
class VerifyTokenSyncController(
    _Routed,
    _views.VerifyTokenSyncController[
        _SerializerT,
        _views.VerifyTokenPayload,
    ],
):
    """
    Sync controller to verify an access token, ready to be routed.

    Takes :class:`~dmr_jwt.views.VerifyTokenPayload` and answers an empty
    ``204 No Content`` when the token is a valid access token of an
    existing, active user that is not revoked (checked when the blocklist
    app is installed); ``401`` with the reason otherwise.

    .. versionadded:: 0.1.0
    """

    auth = None

    @override
    def check_token(self, token: _JWToken) -> None:
        """Refuse a revoked token, when the blocklist app is installed."""
        super().check_token(token)
        _revocation.reject_if_revoked(token)

    @override
    def convert_verify_payload(self, payload: _views.VerifyTokenPayload) -> str:
        """Read the access token from the default payload."""
        return payload['access_token']


@final
class VerifyTokenAsyncController(
    _Routed,
    _views.VerifyTokenAsyncController[
        _SerializerT,
        _views.VerifyTokenPayload,
    ],
):
    """
    Async controller to verify an access token, ready to be routed.

    See :class:`VerifyTokenSyncController`.

    .. versionadded:: 0.1.0
    """

    auth = None

    @override
    async def check_token(self, token: _JWToken) -> None:
        """Refuse a revoked token, when the blocklist app is installed."""
        await super().check_token(token)
        await _revocation.areject_if_revoked(token)

    @override
    async def convert_verify_payload(
        self,
        payload: _views.VerifyTokenPayload,
    ) -> str:
        """Read the access token from the default payload."""
        return payload['access_token']
