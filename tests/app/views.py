"""Controllers for the test suite: every combination, written once.

Each behaviour is a small generic controller; the leaves only pick the
serializer (and, for the customized controller, the request model of that
serializer), so both pydantic and msgspec run the very same code.
"""

from collections.abc import Sequence
from typing import Any, ClassVar, Final, Protocol, TypeVar

import msgspec
import pydantic
from dmr import Controller
from dmr.plugins.msgspec import MsgspecSerializer
from dmr.plugins.pydantic import PydanticSerializer
from dmr.serializer import BaseSerializer
from typing_extensions import TypedDict, override

from dmr_jwt import JWTAsyncAuth, JWTSyncAuth, request_jwt
from dmr_jwt.views import (
    ObtainTokensAsyncController,
    ObtainTokensPayload,
    ObtainTokensResponse,
    ObtainTokensSyncController,
    RefreshTokenAsyncController,
    RefreshTokenPayload,
    RefreshTokenSyncController,
)

_S = TypeVar('_S', bound=BaseSerializer)

#: JWT settings of the customized controller from the docs.
CUSTOM_ALGORITHM: Final = 'HS512'
CUSTOM_ISSUER: Final = 'my-awesome-company'
CUSTOM_AUDIENCES: Final = ('dev', 'qa')

_AnyTokenController = (
    ObtainTokensSyncController[Any, Any, Any]
    | ObtainTokensAsyncController[Any, Any, Any]
    | RefreshTokenSyncController[Any, Any, Any]
    | RefreshTokenAsyncController[Any, Any, Any]
)


class MeResponse(TypedDict):
    """What the protected endpoints return."""

    username: str
    jti: str


def _me(controller: Controller[Any]) -> MeResponse:
    token = request_jwt(controller.request, strict=True)
    return {
        'username': controller.request.user.get_username(),
        'jti': token.jti or '',
    }


def _token_pair(
    controller: _AnyTokenController,
    subject: str | None = None,
) -> ObtainTokensResponse:
    return {
        'access_token': controller.create_jwt_token(
            token_type='access',
            subject=subject,
        ),
        'refresh_token': controller.create_jwt_token(
            token_type='refresh',
            subject=subject,
        ),
    }


class _MeSync(Controller[_S]):
    auth = (JWTSyncAuth(),)

    def get(self) -> MeResponse:
        return _me(self)


class _MeAsync(Controller[_S]):
    auth = (JWTAsyncAuth(),)

    async def get(self) -> MeResponse:
        return _me(self)


class _ObtainSync(
    ObtainTokensSyncController[_S, ObtainTokensPayload, ObtainTokensResponse],
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


class _ObtainAsync(
    ObtainTokensAsyncController[_S, ObtainTokensPayload, ObtainTokensResponse],
):
    @override
    async def convert_auth_payload(
        self,
        payload: ObtainTokensPayload,
    ) -> ObtainTokensPayload:
        return payload

    @override
    async def make_api_response(self) -> ObtainTokensResponse:
        return _token_pair(self)


class _RefreshSync(
    RefreshTokenSyncController[_S, RefreshTokenPayload, ObtainTokensResponse],
):
    @override
    def convert_refresh_payload(self, payload: RefreshTokenPayload) -> str:
        return payload['refresh_token']

    @override
    def make_api_response(self) -> ObtainTokensResponse:
        return _token_pair(self)


class _RefreshAsync(
    RefreshTokenAsyncController[
        _S,
        RefreshTokenPayload,
        ObtainTokensResponse,
    ],
):
    @override
    async def convert_refresh_payload(
        self,
        payload: RefreshTokenPayload,
    ) -> str:
        return payload['refresh_token']

    @override
    async def make_api_response(self) -> ObtainTokensResponse:
        return _token_pair(self)


# Refresh tokens whose `sub` is the username, not the primary key:


class _RefreshByUsernameSync(_RefreshSync[_S]):
    jwt_user_id_field = 'username'

    @override
    def make_api_response(self) -> ObtainTokensResponse:
        return _token_pair(self, self.request.user.get_username())


class _RefreshByUsernameAsync(_RefreshAsync[_S]):
    jwt_user_id_field = 'username'

    @override
    async def make_api_response(self) -> ObtainTokensResponse:
        return _token_pair(self, self.request.user.get_username())


# The customized obtain controller of the docs: `email` + `password` in,
# `{"auth": {"access": ..., "refresh": ...}}` out, HS512, issuer, audiences.


class _EmailCredentials(Protocol):
    email: str
    password: str


_EmailT = TypeVar('_EmailT', bound=_EmailCredentials)


class PydanticEmailCredentials(pydantic.BaseModel):
    """The customized request model, for pydantic."""

    email: str
    password: str


class MsgspecEmailCredentials(msgspec.Struct):
    """The customized request model, for msgspec."""

    email: str
    password: str


class CustomTokens(TypedDict):
    """The token pair of the customized response."""

    access: str
    refresh: str


class CustomTokensResponse(TypedDict):
    """The customized response body."""

    auth: CustomTokens


class _CustomJWTSettings:
    jwt_algorithm: ClassVar[str] = CUSTOM_ALGORITHM
    jwt_issuer: ClassVar[str | None] = CUSTOM_ISSUER
    jwt_audiences: ClassVar[str | Sequence[str] | None] = list(
        CUSTOM_AUDIENCES,
    )


def _email_credentials(payload: _EmailCredentials) -> ObtainTokensPayload:
    return {'username': payload.email, 'password': payload.password}


def _custom_pair(controller: _AnyTokenController) -> CustomTokensResponse:
    return {
        'auth': {
            'access': controller.create_jwt_token(token_type='access'),
            'refresh': controller.create_jwt_token(token_type='refresh'),
        },
    }


class _CustomObtainSync(
    _CustomJWTSettings,
    ObtainTokensSyncController[_S, _EmailT, CustomTokensResponse],
):
    @override
    def convert_auth_payload(self, payload: _EmailT) -> ObtainTokensPayload:
        return _email_credentials(payload)

    @override
    def make_api_response(self) -> CustomTokensResponse:
        return _custom_pair(self)


class _CustomObtainAsync(
    _CustomJWTSettings,
    ObtainTokensAsyncController[_S, _EmailT, CustomTokensResponse],
):
    @override
    async def convert_auth_payload(
        self,
        payload: _EmailT,
    ) -> ObtainTokensPayload:
        return _email_credentials(payload)

    @override
    async def make_api_response(self) -> CustomTokensResponse:
        return _custom_pair(self)


class _CustomMeSync(Controller[_S]):
    auth = (
        JWTSyncAuth(
            algorithm=CUSTOM_ALGORITHM,
            accepted_issuers=CUSTOM_ISSUER,
            accepted_audiences=list(CUSTOM_AUDIENCES),
        ),
    )

    def get(self) -> MeResponse:
        return _me(self)


class _CustomMeAsync(Controller[_S]):
    auth = (
        JWTAsyncAuth(
            algorithm=CUSTOM_ALGORITHM,
            accepted_issuers=CUSTOM_ISSUER,
            accepted_audiences=list(CUSTOM_AUDIENCES),
        ),
    )

    async def get(self) -> MeResponse:
        return _me(self)


# The leaves: one line per serializer.


class PydanticMeSync(_MeSync[PydanticSerializer]): ...


class PydanticMeAsync(_MeAsync[PydanticSerializer]): ...


class PydanticObtainSync(_ObtainSync[PydanticSerializer]): ...


class PydanticObtainAsync(_ObtainAsync[PydanticSerializer]): ...


class PydanticRefreshSync(_RefreshSync[PydanticSerializer]): ...


class PydanticRefreshAsync(_RefreshAsync[PydanticSerializer]): ...


class PydanticRefreshByUsernameSync(
    _RefreshByUsernameSync[PydanticSerializer],
): ...


class PydanticRefreshByUsernameAsync(
    _RefreshByUsernameAsync[PydanticSerializer],
): ...


class PydanticCustomObtainSync(
    _CustomObtainSync[PydanticSerializer, PydanticEmailCredentials],
): ...


class PydanticCustomObtainAsync(
    _CustomObtainAsync[PydanticSerializer, PydanticEmailCredentials],
): ...


class PydanticCustomMeSync(_CustomMeSync[PydanticSerializer]): ...


class PydanticCustomMeAsync(_CustomMeAsync[PydanticSerializer]): ...


class MsgspecMeSync(_MeSync[MsgspecSerializer]): ...


class MsgspecMeAsync(_MeAsync[MsgspecSerializer]): ...


class MsgspecObtainSync(_ObtainSync[MsgspecSerializer]): ...


class MsgspecObtainAsync(_ObtainAsync[MsgspecSerializer]): ...


class MsgspecRefreshSync(_RefreshSync[MsgspecSerializer]): ...


class MsgspecRefreshAsync(_RefreshAsync[MsgspecSerializer]): ...


class MsgspecRefreshByUsernameSync(
    _RefreshByUsernameSync[MsgspecSerializer],
): ...


class MsgspecRefreshByUsernameAsync(
    _RefreshByUsernameAsync[MsgspecSerializer],
): ...


class MsgspecCustomObtainSync(
    _CustomObtainSync[MsgspecSerializer, MsgspecEmailCredentials],
): ...


class MsgspecCustomObtainAsync(
    _CustomObtainAsync[MsgspecSerializer, MsgspecEmailCredentials],
): ...


class MsgspecCustomMeSync(_CustomMeSync[MsgspecSerializer]): ...


class MsgspecCustomMeAsync(_CustomMeAsync[MsgspecSerializer]): ...
