"""Controllers for the cookie tests with the blocklist app.

The cookie auth with the blocklist mixin, a rotating cookie refresh
(``RefreshTokenBlocklist*Mixin``), and the cookie logout with
``CookieLogoutBlocklist*Mixin``: for this session and everywhere. Login is
the plain cookie login of :mod:`tests.app.cookie_views`. The leaves only
pick the serializer.
"""

from typing import Any, Final, TypeVar

from dmr import Controller
from dmr.plugins.msgspec import MsgspecSerializer
from dmr.plugins.pydantic import PydanticSerializer
from dmr.serializer import BaseSerializer

from dmr_jwt import CookieJWTAsyncAuth, CookieJWTSyncAuth
from dmr_jwt.blocklist import (
    CookieLogoutBlocklistAsyncMixin,
    CookieLogoutBlocklistSyncMixin,
    JWTokenBlocklistAsyncMixin,
    JWTokenBlocklistSyncMixin,
    RefreshTokenBlocklistAsyncMixin,
    RefreshTokenBlocklistSyncMixin,
)
from dmr_jwt.views import (
    CookieLogoutAsyncController,
    CookieLogoutSyncController,
    CookieRefreshTokensAsyncController,
    CookieRefreshTokensSyncController,
)
from tests.app import cookie_views, views

_S = TypeVar('_S', bound=BaseSerializer)


class BlocklistCookieSyncAuth(JWTokenBlocklistSyncMixin, CookieJWTSyncAuth):
    """Sync cookie auth that rejects revoked tokens."""

    __slots__ = ()


class BlocklistCookieAsyncAuth(
    JWTokenBlocklistAsyncMixin,
    CookieJWTAsyncAuth,
):
    """Async cookie auth that rejects revoked tokens."""

    __slots__ = ()


class _MeSync(Controller[_S]):
    auth = (BlocklistCookieSyncAuth(),)

    def get(self) -> views.MeResponse:
        return views._me(self)


class _MeAsync(Controller[_S]):
    auth = (BlocklistCookieAsyncAuth(),)

    async def get(self) -> views.MeResponse:
        return views._me(self)


class _RefreshSync(
    RefreshTokenBlocklistSyncMixin,
    CookieRefreshTokensSyncController[_S],
):
    jwt_refresh_cookie_path = cookie_views.REFRESH_PATH
    jwt_rotate_refresh_tokens = True


class _RefreshAsync(
    RefreshTokenBlocklistAsyncMixin,
    CookieRefreshTokensAsyncController[_S],
):
    jwt_refresh_cookie_path = cookie_views.REFRESH_PATH
    jwt_rotate_refresh_tokens = True


class _LogoutSync(
    CookieLogoutBlocklistSyncMixin,
    CookieLogoutSyncController[_S],
):
    auth = (BlocklistCookieSyncAuth(),)
    jwt_refresh_cookie_path = cookie_views.REFRESH_PATH


class _LogoutAsync(
    CookieLogoutBlocklistAsyncMixin,
    CookieLogoutAsyncController[_S],
):
    auth = (BlocklistCookieAsyncAuth(),)
    jwt_refresh_cookie_path = cookie_views.REFRESH_PATH


class _EverywhereSync(_LogoutSync[_S]):
    jwt_logout_everywhere = True


class _EverywhereAsync(_LogoutAsync[_S]):
    jwt_logout_everywhere = True


class PydanticMeSync(_MeSync[PydanticSerializer]): ...


class PydanticMeAsync(_MeAsync[PydanticSerializer]): ...


class MsgspecMeSync(_MeSync[MsgspecSerializer]): ...


class MsgspecMeAsync(_MeAsync[MsgspecSerializer]): ...


class PydanticRefreshSync(_RefreshSync[PydanticSerializer]): ...


class PydanticRefreshAsync(_RefreshAsync[PydanticSerializer]): ...


class MsgspecRefreshSync(_RefreshSync[MsgspecSerializer]): ...


class MsgspecRefreshAsync(_RefreshAsync[MsgspecSerializer]): ...


class PydanticLogoutSync(_LogoutSync[PydanticSerializer]): ...


class PydanticLogoutAsync(_LogoutAsync[PydanticSerializer]): ...


class MsgspecLogoutSync(_LogoutSync[MsgspecSerializer]): ...


class MsgspecLogoutAsync(_LogoutAsync[MsgspecSerializer]): ...


class PydanticEverywhereSync(_EverywhereSync[PydanticSerializer]): ...


class PydanticEverywhereAsync(_EverywhereAsync[PydanticSerializer]): ...


class MsgspecEverywhereSync(_EverywhereSync[MsgspecSerializer]): ...


class MsgspecEverywhereAsync(_EverywhereAsync[MsgspecSerializer]): ...


#: ``name -> serializer -> (sync, async)``, for the URLs.
CONTROLLERS: Final[dict[str, dict[str, tuple[type[Any], type[Any]]]]] = {
    'login': cookie_views.CONTROLLERS['login'],
    'me': {
        'pydantic': (PydanticMeSync, PydanticMeAsync),
        'msgspec': (MsgspecMeSync, MsgspecMeAsync),
    },
    'refresh': {
        'pydantic': (PydanticRefreshSync, PydanticRefreshAsync),
        'msgspec': (MsgspecRefreshSync, MsgspecRefreshAsync),
    },
    'logout': {
        'pydantic': (PydanticLogoutSync, PydanticLogoutAsync),
        'msgspec': (MsgspecLogoutSync, MsgspecLogoutAsync),
    },
    'everywhere': {
        'pydantic': (PydanticEverywhereSync, PydanticEverywhereAsync),
        'msgspec': (MsgspecEverywhereSync, MsgspecEverywhereAsync),
    },
}
