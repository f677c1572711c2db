"""Ready-to-use controllers that set and clear the tokens as cookies.

Each one only needs a serializer, given when it is routed, and takes the
refresh cookie's path there too (django-modern-rest 0.16's
``dmr.security.jwt.concrete_views`` names and ``as_view`` keywords):

.. code:: python

    route = path(
        'login/',
        CookieObtainTokensSyncController.as_view(
            serializer=PydanticSerializer,
            jwt_refresh_cookie_path='/api/cookie/refresh/',
        ),
    )

``jwt_refresh_cookie_path`` defaults to :data:`DEFAULT_REFRESH_COOKIE_PATH`
(``'/'``): a ready-to-use controller cannot know the URL of your refresh
endpoint, so the refresh token goes with every request until you give it;
give the same value to login, refresh and logout. When the blocklist app is
installed, refresh refuses revoked refresh tokens, as the body refresh of
:mod:`dmr_jwt.concrete_views` does. Logout only drops the cookies (as in
the framework); for revocation subclass
:class:`dmr_jwt.views.CookieLogoutSyncController` with the blocklist app's
``CookieLogoutBlocklistSyncMixin``.
"""

import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Final, final

from dmr.serializer import BaseSerializer
from typing_extensions import TypeVar, override

from dmr_jwt import views as _views
from dmr_jwt._internal.concrete import RoutedWithSerializer as _Routed
from dmr_jwt._internal.concrete import with_serializer as _with_serializer
from dmr_jwt._internal.cookie_controller import StrOrPromise as _StrOrPromise
from dmr_jwt.concrete_views import _revocation
from dmr_jwt.token import JWToken as _JWToken

if TYPE_CHECKING:
    from django.http import HttpResponseBase

__all__ = (
    'DEFAULT_REFRESH_COOKIE_PATH',
    'CookieLogoutAsyncController',
    'CookieLogoutSyncController',
    'CookieObtainTokensAsyncController',
    'CookieObtainTokensSyncController',
    'CookieRefreshTokensAsyncController',
    'CookieRefreshTokensSyncController',
)

_SerializerT = TypeVar('_SerializerT', bound=BaseSerializer)
_CookieResponseT = TypeVar('_CookieResponseT', default=None)

#: The widest scope, so that a controller works wherever it is routed;
#: narrow it to the URL of your refresh endpoint.
DEFAULT_REFRESH_COOKIE_PATH: Final = '/'


class _RoutedCookie(_Routed):
    """``as_view(serializer=..., jwt_refresh_cookie_path=...)``."""

    jwt_refresh_cookie_path: ClassVar[_StrOrPromise | None] = (
        DEFAULT_REFRESH_COOKIE_PATH
    )

    @override
    @classmethod
    def as_view(
        cls,
        *,
        serializer: type[BaseSerializer] | None = None,
        jwt_refresh_cookie_path: _StrOrPromise | None = None,
        **initkwargs: Any,
    ) -> Callable[..., 'HttpResponseBase']:
        """
        Route this controller with its serializer (and cookie path).

        *serializer* is required; *jwt_refresh_cookie_path* replaces
        :data:`DEFAULT_REFRESH_COOKIE_PATH`; *initkwargs* go to Django.

        Raises:
            EndpointMetadataError: Without a serializer.

        """
        routed = _with_serializer(cls, serializer)
        if jwt_refresh_cookie_path is not None:
            namespace = {
                'jwt_refresh_cookie_path': jwt_refresh_cookie_path,
                '__module__': cls.__module__,
                '__qualname__': cls.__qualname__,
            }
            routed = types.new_class(
                cls.__name__,
                (routed,),
                exec_body=lambda body: body.update(namespace),
            )
        if routed is cls:
            return super().as_view(**initkwargs)
        return routed.as_view(**initkwargs)


@final
class CookieObtainTokensSyncController(
    _RoutedCookie,
    _views.CookieObtainTokensSyncController[
        _SerializerT,
        _views.ObtainTokensPayload,
        _CookieResponseT,
    ],
):
    """
    Sync cookie login, ready to be routed.

    Takes :class:`~dmr_jwt.views.ObtainTokensPayload`, answers ``204``
    with both cookies. See
    :class:`dmr_jwt.views.CookieObtainTokensSyncController`.

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


@final
class CookieObtainTokensAsyncController(
    _RoutedCookie,
    _views.CookieObtainTokensAsyncController[
        _SerializerT,
        _views.ObtainTokensPayload,
        _CookieResponseT,
    ],
):
    """
    Async cookie login, ready to be routed.

    See :class:`CookieObtainTokensSyncController`.

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


@final
class CookieRefreshTokensSyncController(
    _RoutedCookie,
    _views.CookieRefreshTokensSyncController[_SerializerT, _CookieResponseT],
):
    """
    Sync cookie refresh, ready to be routed.

    Refuses revoked refresh tokens when the blocklist app is installed.
    See :class:`dmr_jwt.views.CookieRefreshTokensSyncController`.

    .. versionadded:: 0.1.0
    """

    auth = None

    @override
    def check_refresh_token(self, token: _JWToken) -> None:
        """Refuse a revoked refresh token (with the blocklist app)."""
        super().check_refresh_token(token)
        _revocation.reject_if_revoked(token)


@final
class CookieRefreshTokensAsyncController(
    _RoutedCookie,
    _views.CookieRefreshTokensAsyncController[_SerializerT, _CookieResponseT],
):
    """
    Async cookie refresh, ready to be routed.

    See :class:`CookieRefreshTokensSyncController`.

    .. versionadded:: 0.1.0
    """

    auth = None

    @override
    async def check_refresh_token(self, token: _JWToken) -> None:
        """Refuse a revoked refresh token (with the blocklist app)."""
        await super().check_refresh_token(token)
        await _revocation.areject_if_revoked(token)


@final
class CookieLogoutSyncController(
    _RoutedCookie,
    _views.CookieLogoutSyncController[_SerializerT, _CookieResponseT],
):
    """
    Sync cookie logout (drops both cookies), ready to be routed.

    See :class:`dmr_jwt.views.CookieLogoutSyncController`.

    .. versionadded:: 0.1.0
    """

    auth = None


@final
class CookieLogoutAsyncController(
    _RoutedCookie,
    _views.CookieLogoutAsyncController[_SerializerT, _CookieResponseT],
):
    """
    Async cookie logout (drops both cookies), ready to be routed.

    See :class:`CookieLogoutSyncController`.

    .. versionadded:: 0.1.0
    """

    auth = None
