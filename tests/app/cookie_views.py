"""Controllers for the cookie transport tests: every combination, once.

Cookie login, refresh and logout (the reusable controllers of
:mod:`dmr_jwt.views.cookie`), a ``me`` behind the cookie auth and one
behind the header auth; the leaves only pick the serializer. The refresh
cookie is scoped to :data:`REFRESH_PATH`, a prefix of every refresh URL.
"""

from typing import Any, Final, TypeVar

from dmr import Controller
from dmr.plugins.msgspec import MsgspecSerializer
from dmr.plugins.pydantic import PydanticSerializer
from dmr.serializer import BaseSerializer
from typing_extensions import override

from dmr_jwt import (
    CookieJWTAsyncAuth,
    CookieJWTSyncAuth,
    JWTAsyncAuth,
    JWTSyncAuth,
)
from dmr_jwt.views import (
    CookieLogoutAsyncController,
    CookieLogoutSyncController,
    CookieObtainTokensAsyncController,
    CookieObtainTokensSyncController,
    CookieRefreshTokensAsyncController,
    CookieRefreshTokensSyncController,
    ObtainTokensPayload,
)
from tests.app import views

_S = TypeVar('_S', bound=BaseSerializer)

#: ``Path`` of the refresh cookie: the refresh endpoints are under it.
REFRESH_PATH: Final = '/cookie/refresh/'


class _LoginSync(
    CookieObtainTokensSyncController[_S, ObtainTokensPayload],
):
    jwt_refresh_cookie_path = REFRESH_PATH

    @override
    def convert_auth_payload(
        self,
        payload: ObtainTokensPayload,
    ) -> ObtainTokensPayload:
        return payload


class _LoginAsync(
    CookieObtainTokensAsyncController[_S, ObtainTokensPayload],
):
    jwt_refresh_cookie_path = REFRESH_PATH

    @override
    async def convert_auth_payload(
        self,
        payload: ObtainTokensPayload,
    ) -> ObtainTokensPayload:
        return payload


class _RefreshSync(CookieRefreshTokensSyncController[_S]):
    jwt_refresh_cookie_path = REFRESH_PATH


class _RefreshAsync(CookieRefreshTokensAsyncController[_S]):
    jwt_refresh_cookie_path = REFRESH_PATH


class _LogoutSync(CookieLogoutSyncController[_S]):
    jwt_refresh_cookie_path = REFRESH_PATH


class _LogoutAsync(CookieLogoutAsyncController[_S]):
    jwt_refresh_cookie_path = REFRESH_PATH


class _MeSync(Controller[_S]):
    auth = (CookieJWTSyncAuth(),)

    def get(self) -> views.MeResponse:
        return views._me(self)

    def post(self) -> views.MeResponse:
        return views._me(self)


class _MeAsync(Controller[_S]):
    auth = (CookieJWTAsyncAuth(),)

    async def get(self) -> views.MeResponse:
        return views._me(self)

    async def post(self) -> views.MeResponse:
        return views._me(self)


class _EitherSync(Controller[_S]):
    # The cookie first: a request without the cookie falls through to the
    # header auth, with no CSRF error.
    auth = (CookieJWTSyncAuth(), JWTSyncAuth())

    def post(self) -> views.MeResponse:
        return views._me(self)


class _EitherAsync(Controller[_S]):
    auth = (CookieJWTAsyncAuth(), JWTAsyncAuth())

    async def post(self) -> views.MeResponse:
        return views._me(self)


class PydanticLoginSync(_LoginSync[PydanticSerializer]): ...


class PydanticLoginAsync(_LoginAsync[PydanticSerializer]): ...


class MsgspecLoginSync(_LoginSync[MsgspecSerializer]): ...


class MsgspecLoginAsync(_LoginAsync[MsgspecSerializer]): ...


class PydanticRefreshSync(_RefreshSync[PydanticSerializer]): ...


class PydanticRefreshAsync(_RefreshAsync[PydanticSerializer]): ...


class MsgspecRefreshSync(_RefreshSync[MsgspecSerializer]): ...


class MsgspecRefreshAsync(_RefreshAsync[MsgspecSerializer]): ...


class PydanticLogoutSync(_LogoutSync[PydanticSerializer]): ...


class PydanticLogoutAsync(_LogoutAsync[PydanticSerializer]): ...


class MsgspecLogoutSync(_LogoutSync[MsgspecSerializer]): ...


class MsgspecLogoutAsync(_LogoutAsync[MsgspecSerializer]): ...


class PydanticMeSync(_MeSync[PydanticSerializer]): ...


class PydanticMeAsync(_MeAsync[PydanticSerializer]): ...


class MsgspecMeSync(_MeSync[MsgspecSerializer]): ...


class MsgspecMeAsync(_MeAsync[MsgspecSerializer]): ...


class PydanticEitherSync(_EitherSync[PydanticSerializer]): ...


class PydanticEitherAsync(_EitherAsync[PydanticSerializer]): ...


class MsgspecEitherSync(_EitherSync[MsgspecSerializer]): ...


class MsgspecEitherAsync(_EitherAsync[MsgspecSerializer]): ...


#: ``name -> serializer -> (sync, async)``, for the URLs.
CONTROLLERS: Final[dict[str, dict[str, tuple[type[Any], type[Any]]]]] = {
    'login': {
        'pydantic': (PydanticLoginSync, PydanticLoginAsync),
        'msgspec': (MsgspecLoginSync, MsgspecLoginAsync),
    },
    'refresh': {
        'pydantic': (PydanticRefreshSync, PydanticRefreshAsync),
        'msgspec': (MsgspecRefreshSync, MsgspecRefreshAsync),
    },
    'logout': {
        'pydantic': (PydanticLogoutSync, PydanticLogoutAsync),
        'msgspec': (MsgspecLogoutSync, MsgspecLogoutAsync),
    },
    'me': {
        'pydantic': (PydanticMeSync, PydanticMeAsync),
        'msgspec': (MsgspecMeSync, MsgspecMeAsync),
    },
    'either': {
        'pydantic': (PydanticEitherSync, PydanticEitherAsync),
        'msgspec': (MsgspecEitherSync, MsgspecEitherAsync),
    },
}
