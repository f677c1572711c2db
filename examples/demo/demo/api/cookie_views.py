"""
The cookie API of the demo, for browsers: the login page (``GET /``) uses it.

* ``POST /api/cookie/login/``: ``{"username", "password"}`` in, ``204`` out
  with the access and refresh tokens in ``HttpOnly`` cookies, and a new
  CSRF token (Django's ``csrftoken`` cookie).
* ``POST /api/cookie/refresh/``: a new pair of cookies for the refresh
  cookie, which the browser sends to this path only; with rotation, as
  ``/api/auth/refresh/``. CSRF header required.
* ``POST /api/cookie/logout/``: the session revoked (the access cookie's
  token and its family) and both cookies dropped. A valid access cookie
  and the CSRF header required.
* ``GET /api/cookie/me/``: who the access cookie belongs to.

The cookies are ``Secure`` unless the ``DEMO_JWT_COOKIE_SECURE`` setting
is off, which the demo's settings do for ``make demo`` over plain http
only. The reusable controllers, not the ready-to-use ones of
``dmr_jwt.concrete_views``: those keep ``Secure`` on, as production must.
"""

from typing import Final

from django.conf import settings
from dmr import Controller
from dmr.plugins.pydantic import PydanticSerializer
from typing_extensions import override

from demo.api.views import MeResponse
from dmr_jwt.auth import CookieJWTSyncAuth
from dmr_jwt.blocklist import (
    CookieLogoutBlocklistSyncMixin,
    JWTokenBlocklistSyncMixin,
    RefreshTokenBlocklistSyncMixin,
)
from dmr_jwt.views import (
    CookieLogoutSyncController,
    CookieObtainTokensSyncController,
    CookieRefreshTokensSyncController,
    ObtainTokensPayload,
)

#: Where the browser sends the refresh cookie: the refresh endpoint only.
REFRESH_PATH: Final = '/api/cookie/refresh/'

#: ``Secure`` on the token cookies: on unless the settings turn it off
#: (the demo's do, for local development over plain http only).
COOKIE_SECURE: Final[bool] = getattr(settings, 'DEMO_JWT_COOKIE_SECURE', True)


class CookieLogin(
    CookieObtainTokensSyncController[
        PydanticSerializer,
        ObtainTokensPayload,
        None,
    ],
):
    jwt_refresh_cookie_path = REFRESH_PATH
    jwt_cookie_secure = COOKIE_SECURE

    @override
    def convert_auth_payload(
        self,
        payload: ObtainTokensPayload,
    ) -> ObtainTokensPayload:
        return payload


class CookieRefresh(
    # First in the bases, as for `/api/auth/refresh/`: a logged-out
    # refresh token cannot refresh, and rotation needs it.
    RefreshTokenBlocklistSyncMixin,
    CookieRefreshTokensSyncController[PydanticSerializer, None],
):
    jwt_refresh_cookie_path = REFRESH_PATH
    jwt_cookie_secure = COOKIE_SECURE
    jwt_rotate_refresh_tokens = True


class BlocklistCookieJWTSyncAuth(JWTokenBlocklistSyncMixin, CookieJWTSyncAuth):
    """Cookie auth that refuses logged-out (blocklisted) access tokens."""

    __slots__ = ()


class CookieLogout(
    # Revokes the session, as `/api/auth/logout/` does: a copy of the
    # cookies taken before the logout is refused afterwards.
    CookieLogoutBlocklistSyncMixin,
    CookieLogoutSyncController[PydanticSerializer, None],
):
    auth = (BlocklistCookieJWTSyncAuth(),)
    # The same cookies as the login sets, or the browser keeps them.
    jwt_refresh_cookie_path = REFRESH_PATH
    jwt_cookie_secure = COOKIE_SECURE


class CookieMe(Controller[PydanticSerializer]):
    auth = (BlocklistCookieJWTSyncAuth(),)

    def get(self) -> MeResponse:
        return {'username': self.request.user.get_username()}
