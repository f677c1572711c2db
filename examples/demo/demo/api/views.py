"""
Controllers of the demo API.

* ``POST /api/auth/``: the documented minimal obtain controller.
* ``POST /api/auth/custom/``: the documented customized one: e-mail login,
  its own response shape, HS512, issuer and audiences.
* ``POST /api/auth/refresh/``: a new token pair for a refresh token, with
  rotation: each refresh token works once; a used one presented again after
  the grace period (10 s) revokes every token of its login (its family).
* ``POST /api/auth/logout/``: end the session: revoke the access token of
  the request, the refresh token given (optional), and their family.
* ``POST /api/auth/logout-everywhere/``: revoke every token of the user
  issued so far, on every device.
* ``GET /api/me/``, ``GET /api/me/async/``: who am I, sync and async;
  logged-out access tokens are refused.
* ``GET /api/custom/me/``: who am I, for the customized tokens only.
"""

from http import HTTPStatus
from typing import Any, Final

import msgspec
from django.contrib.auth.models import User
from dmr import Controller
from dmr.plugins.msgspec import MsgspecSerializer
from dmr.plugins.pydantic import PydanticSerializer
from typing_extensions import TypedDict, override

from dmr_jwt import JWTAsyncAuth, JWTSyncAuth
from dmr_jwt.blocklist import (
    JWTokenBlocklistAsyncMixin,
    JWTokenBlocklistSyncMixin,
    LogoutEverywhereSyncController,
    LogoutPayload,
    LogoutSyncController,
    RefreshTokenBlocklistSyncMixin,
)
from dmr_jwt.views import (
    ObtainTokensPayload,
    ObtainTokensResponse,
    ObtainTokensSyncController,
    RefreshTokenPayload,
    RefreshTokenSyncController,
)

#: Claims of the customized tokens, checked again by `CustomMe`.
CUSTOM_ALGORITHM: Final = 'HS512'
CUSTOM_ISSUER: Final = 'my-awesome-company'
CUSTOM_AUDIENCES: Final = ('dev', 'qa')


class BlocklistJWTSyncAuth(JWTokenBlocklistSyncMixin, JWTSyncAuth):
    """JWT auth that refuses logged-out (blocklisted) access tokens."""

    __slots__ = ()


class BlocklistJWTAsyncAuth(JWTokenBlocklistAsyncMixin, JWTAsyncAuth):
    """The async twin of `BlocklistJWTSyncAuth`."""

    __slots__ = ()


class MeResponse(TypedDict):
    """Who the token belongs to."""

    username: str


def _me(controller: Controller[PydanticSerializer]) -> MeResponse:
    return {'username': controller.request.user.get_username()}


def _token_pair(
    controller: ObtainTokensSyncController[PydanticSerializer, Any, Any]
    | RefreshTokenSyncController[PydanticSerializer, Any, Any],
) -> ObtainTokensResponse:
    return {
        'access_token': controller.create_jwt_token(token_type='access'),
        'refresh_token': controller.create_jwt_token(token_type='refresh'),
    }


# The documented defaults: `{"username", "password"}` in,
# `{"access_token", "refresh_token"}` out, HS256 with `SECRET_KEY`.


class ObtainTokens(
    ObtainTokensSyncController[
        PydanticSerializer,
        ObtainTokensPayload,
        ObtainTokensResponse,
    ],
):
    @override
    def convert_auth_payload(
        self,
        payload: ObtainTokensPayload,
    ) -> ObtainTokensPayload:
        return payload

    @override
    def make_api_response(self) -> ObtainTokensResponse:
        return _token_pair(self)


class RefreshTokens(
    # First in the bases: a logged-out refresh token cannot refresh,
    # and rotation needs it.
    RefreshTokenBlocklistSyncMixin,
    RefreshTokenSyncController[
        PydanticSerializer,
        RefreshTokenPayload,
        ObtainTokensResponse,
    ],
):
    # Every refresh token works once; a replay after the grace period
    # revokes the whole login (token family).
    jwt_rotate_refresh_tokens = True

    @override
    def convert_refresh_payload(self, payload: RefreshTokenPayload) -> str:
        return payload['refresh_token']

    @override
    def make_api_response(self) -> ObtainTokensResponse:
        return _token_pair(self)


class MeSync(Controller[PydanticSerializer]):
    auth = (BlocklistJWTSyncAuth(),)

    def get(self) -> MeResponse:
        return _me(self)


class MeAsync(Controller[PydanticSerializer]):
    auth = (BlocklistJWTAsyncAuth(),)

    async def get(self) -> MeResponse:
        return _me(self)


# Logout: revoke the tokens of a session, or of every session.


class Logout(
    LogoutSyncController[PydanticSerializer, LogoutPayload, None],
):
    """
    End the session: blocklist both tokens and revoke their family.

    `{}` ends the session of the access token. A refresh token that is not
    a valid refresh token of the same user is a `401`, and then nothing
    is revoked.
    """

    auth = (BlocklistJWTSyncAuth(),)
    response_status_code = HTTPStatus.NO_CONTENT

    @override
    def convert_logout_payload(self, payload: LogoutPayload) -> str | None:
        return payload.get('refresh_token')

    @override
    def make_api_response(self) -> None:
        return None


class LogoutEverywhere(
    LogoutEverywhereSyncController[PydanticSerializer, None]
):
    """Revoke every token of the caller issued so far, on every device."""

    auth = (BlocklistJWTSyncAuth(),)
    response_status_code = HTTPStatus.NO_CONTENT

    @override
    def make_api_response(self) -> None:
        return None


# The documented customized controller, with msgspec this time.


class EmailCredentials(msgspec.Struct):
    """Log in with an e-mail instead of a username."""

    email: str
    password: str


class TokenPair(msgspec.Struct):
    """The two tokens, with short names."""

    access: str
    refresh: str


class CustomTokensResponse(msgspec.Struct):
    """Tokens nested under ``auth``."""

    auth: TokenPair


class CustomObtainTokens(
    ObtainTokensSyncController[
        MsgspecSerializer,
        EmailCredentials,
        CustomTokensResponse,
    ],
):
    jwt_algorithm = CUSTOM_ALGORITHM
    jwt_issuer = CUSTOM_ISSUER
    jwt_audiences = CUSTOM_AUDIENCES

    @override
    def convert_auth_payload(
        self,
        payload: EmailCredentials,
    ) -> ObtainTokensPayload:
        # The documented example passes the e-mail on as the username.
        # Here `email` is a real e-mail address, so we look the user up
        # by it and authenticate with that user's username: the password
        # check stays with Django's auth backends.
        return {
            'username': _username_for_email(payload.email),
            'password': payload.password,
        }

    @override
    def make_api_response(self) -> CustomTokensResponse:
        return CustomTokensResponse(
            auth=TokenPair(
                access=self.create_jwt_token(token_type='access'),
                refresh=self.create_jwt_token(token_type='refresh'),
            ),
        )


class CustomMe(Controller[PydanticSerializer]):
    auth = (
        JWTSyncAuth(
            algorithm=CUSTOM_ALGORITHM,
            accepted_issuers=CUSTOM_ISSUER,
            accepted_audiences=list(CUSTOM_AUDIENCES),
        ),
    )

    def get(self) -> MeResponse:
        return _me(self)


def _username_for_email(email: str) -> str:
    """The username of the only user with *email*, or ``''``."""
    usernames = list(
        User.objects.filter(email__iexact=email).values_list(
            'username',
            flat=True,
        )[:2],
    )
    # An unknown or shared e-mail gives no username. `authenticate()`
    # then fails like for a wrong password, and still runs the password
    # hasher once, so the answer does not tell which e-mails exist.
    return usernames[0] if len(usernames) == 1 else ''
