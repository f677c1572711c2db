"""Controllers for the test suite: every combination, written once.

Each behaviour is a small generic controller; the leaves only pick the
serializer, so both pydantic and msgspec run the very same code.
"""

from typing import Any, TypeVar

from dmr import Controller
from dmr.plugins.msgspec import MsgspecSerializer
from dmr.plugins.pydantic import PydanticSerializer
from dmr.serializer import BaseSerializer
from typing_extensions import TypedDict

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
    controller: ObtainTokensSyncController[Any, Any, Any]
    | ObtainTokensAsyncController[Any, Any, Any]
    | RefreshTokenSyncController[Any, Any, Any]
    | RefreshTokenAsyncController[Any, Any, Any],
) -> ObtainTokensResponse:
    return {
        'access_token': controller.create_jwt_token(token_type='access'),
        'refresh_token': controller.create_jwt_token(token_type='refresh'),
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
    def convert_auth_payload(
        self,
        payload: ObtainTokensPayload,
    ) -> ObtainTokensPayload:
        return payload

    def make_api_response(self) -> ObtainTokensResponse:
        return _token_pair(self)


class _ObtainAsync(
    ObtainTokensAsyncController[_S, ObtainTokensPayload, ObtainTokensResponse],
):
    async def convert_auth_payload(
        self,
        payload: ObtainTokensPayload,
    ) -> ObtainTokensPayload:
        return payload

    async def make_api_response(self) -> ObtainTokensResponse:
        return _token_pair(self)


class _RefreshSync(
    RefreshTokenSyncController[_S, RefreshTokenPayload, ObtainTokensResponse],
):
    def convert_refresh_payload(self, payload: RefreshTokenPayload) -> str:
        return payload['refresh_token']

    def make_api_response(self) -> ObtainTokensResponse:
        return _token_pair(self)


class _RefreshAsync(
    RefreshTokenAsyncController[
        _S,
        RefreshTokenPayload,
        ObtainTokensResponse,
    ],
):
    async def convert_refresh_payload(
        self,
        payload: RefreshTokenPayload,
    ) -> str:
        return payload['refresh_token']

    async def make_api_response(self) -> ObtainTokensResponse:
        return _token_pair(self)


# The leaves: one line per serializer.


class PydanticMeSync(_MeSync[PydanticSerializer]): ...


class PydanticMeAsync(_MeAsync[PydanticSerializer]): ...


class PydanticObtainSync(_ObtainSync[PydanticSerializer]): ...


class PydanticObtainAsync(_ObtainAsync[PydanticSerializer]): ...


class PydanticRefreshSync(_RefreshSync[PydanticSerializer]): ...


class PydanticRefreshAsync(_RefreshAsync[PydanticSerializer]): ...


class MsgspecMeSync(_MeSync[MsgspecSerializer]): ...


class MsgspecMeAsync(_MeAsync[MsgspecSerializer]): ...


class MsgspecObtainSync(_ObtainSync[MsgspecSerializer]): ...


class MsgspecObtainAsync(_ObtainAsync[MsgspecSerializer]): ...


class MsgspecRefreshSync(_RefreshSync[MsgspecSerializer]): ...


class MsgspecRefreshAsync(_RefreshAsync[MsgspecSerializer]): ...
