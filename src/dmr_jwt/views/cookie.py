"""Reusable controllers that set and clear the tokens as cookies.

The names, settings and answers of django-modern-rest 0.16's cookie
controllers: login and refresh answer ``204 No Content`` with both tokens
in ``HttpOnly``, ``Secure``, ``SameSite`` cookies (the refresh cookie
scoped to ``jwt_refresh_cookie_path``); logout sends both back empty and
expired. Login rotates Django's CSRF token; refresh and logout, which a
browser calls with its cookies alone, require Django's CSRF check.

Everything else is the body controllers' code
(``dmr_jwt._internal.controllers``): token creation and families,
refresh token verification, the hooks (``check_refresh_token``,
``use_refresh_token``, ``check_auth``), signals, and so the blocklist
app's mixins: ``RefreshTokenBlocklistSyncMixin`` (rotation with reuse
detection) on the refresh controllers, ``CookieLogoutBlocklistSyncMixin``
(revocation) on the logout controllers, whose
:meth:`~CookieLogoutSyncController.revoke_tokens` does nothing by default.
"""

from abc import abstractmethod
from typing import Any, Final, Generic

from django.contrib.auth import aauthenticate, authenticate
from django.http import HttpResponse
from django.views.decorators.debug import sensitive_variables
from dmr import Body, validate
from dmr.exceptions import NotAuthenticatedError
from dmr.serializer import BaseSerializer
from typing_extensions import TypeVar, override

from dmr_jwt import signals as _signals
from dmr_jwt._internal import controllers as _controllers
from dmr_jwt._internal import cookie_controller as _cookies
from dmr_jwt._internal import reports as _reports
from dmr_jwt._internal import users as _users
from dmr_jwt.token import JWToken as _JWToken
from dmr_jwt.views.body import ObtainTokensPayload as _ObtainTokensPayload

__all__ = (
    'CookieLogoutAsyncController',
    'CookieLogoutSyncController',
    'CookieObtainTokensAsyncController',
    'CookieObtainTokensSyncController',
    'CookieRefreshTokensAsyncController',
    'CookieRefreshTokensSyncController',
)

_SerializerT = TypeVar('_SerializerT', bound=BaseSerializer)
_ObtainTokensT = TypeVar('_ObtainTokensT')
_CookieResponseT = TypeVar('_CookieResponseT', default=None)

#: The hooks of each controller, all sync or all async.
_OBTAIN_HOOKS: Final = ('convert_auth_payload', 'make_api_response')
_LOGOUT_HOOKS: Final = ('revoke_tokens', 'make_api_response')
_REFRESH_HOOKS: Final = (
    'check_refresh_token',
    'use_refresh_token',
    'check_auth',
    'make_api_response',
)


class CookieObtainTokensSyncController(
    _cookies.CookieTokensController[_SerializerT, _CookieResponseT],
    Generic[_SerializerT, _ObtainTokensT, _CookieResponseT],
):
    """
    Sync controller that logs in and sets both tokens as cookies.

    Works like :class:`~dmr_jwt.views.ObtainTokensSyncController` (same
    credentials checks, ``401``, signals), but answers ``204`` with the
    tokens in cookies for :class:`~dmr_jwt.auth.CookieJWTSyncAuth`, and
    rotates Django's CSRF token. Set ``jwt_refresh_cookie_path``.
    """

    @override
    def __init_subclass__(cls) -> None:
        """Refuse hooks of the wrong mode (see ``require_hook_modes``)."""
        super().__init_subclass__()
        _controllers.require_hook_modes(cls, *_OBTAIN_HOOKS, is_async=False)

    @sensitive_variables()
    @validate.lazy(_cookies.obtain_endpoint_spec)
    def post(self, parsed_body: Body[_ObtainTokensT]) -> HttpResponse:
        """Log in on POST."""
        _reports.hide_secrets(self.request)
        return self.login(parsed_body)

    @sensitive_variables()
    def login(self, parsed_body: _ObtainTokensT) -> HttpResponse:
        """Authenticate, rotate the CSRF token, set the token cookies."""
        credentials = self.convert_auth_payload(parsed_body)
        try:
            self._check_credentials(credentials)
            self._accept_user(authenticate(self.request, **credentials))
        except NotAuthenticatedError:
            _signals.login_failed.send(**self._signal_kwargs())
            raise
        self.rotate_csrf_token()
        response = self.cookie_response(
            self.make_api_response(),
            self.issue_cookies(),
        )
        _signals.tokens_obtained.send(**self._user_signal_kwargs())
        return response

    @abstractmethod
    def convert_auth_payload(
        self,
        payload: _ObtainTokensT,
    ) -> _ObtainTokensPayload:
        """Convert your payload to ``authenticate`` keyword arguments."""
        raise NotImplementedError

    def make_api_response(self) -> _CookieResponseT:  # type: ignore[empty-body]
        """
        The body sent with the cookies: none by default.

        The tokens are in ``HttpOnly`` cookies: a body with them would
        hand them to any script on the page. Return a body and change
        ``response_status_code`` from ``204`` if you need one.
        """


class CookieObtainTokensAsyncController(
    _cookies.CookieTokensController[_SerializerT, _CookieResponseT],
    Generic[_SerializerT, _ObtainTokensT, _CookieResponseT],
):
    """
    Async controller that logs in and sets both tokens as cookies.

    See :class:`CookieObtainTokensSyncController`.
    """

    @override
    def __init_subclass__(cls) -> None:
        """Refuse hooks of the wrong mode (see ``require_hook_modes``)."""
        super().__init_subclass__()
        _controllers.require_hook_modes(cls, *_OBTAIN_HOOKS, is_async=True)

    @sensitive_variables()
    @validate.lazy(_cookies.obtain_endpoint_spec)
    async def post(self, parsed_body: Body[_ObtainTokensT]) -> HttpResponse:
        """Log in on POST."""
        _reports.hide_secrets(self.request)
        return await self.login(parsed_body)

    @sensitive_variables()
    async def login(self, parsed_body: _ObtainTokensT) -> HttpResponse:
        """See :meth:`CookieObtainTokensSyncController.login`."""
        credentials = await self.convert_auth_payload(parsed_body)
        try:
            self._check_credentials(credentials)
            self._accept_user(await aauthenticate(self.request, **credentials))
        except NotAuthenticatedError:
            await _signals.login_failed.asend(**self._signal_kwargs())
            raise
        self.rotate_csrf_token()
        response = self.cookie_response(
            await self.make_api_response(),
            self.issue_cookies(),
        )
        await _signals.tokens_obtained.asend(**self._user_signal_kwargs())
        return response

    @abstractmethod
    async def convert_auth_payload(
        self,
        payload: _ObtainTokensT,
    ) -> _ObtainTokensPayload:
        """Convert your payload to ``aauthenticate`` keyword arguments."""
        raise NotImplementedError

    async def make_api_response(self) -> _CookieResponseT:  # type: ignore[empty-body]
        """See :meth:`CookieObtainTokensSyncController.make_api_response`."""


class _CookieRefreshChecks(
    _cookies.CookieTokensController[_SerializerT, _CookieResponseT],
    _controllers.RefreshTokenChecks[_SerializerT],
):
    """The cookie settings with the refresh token checks."""


class CookieRefreshTokensSyncController(
    _CookieRefreshChecks[_SerializerT, _CookieResponseT],
    Generic[_SerializerT, _CookieResponseT],
):
    """
    Sync controller that refreshes both token cookies.

    ``POST`` with no body: CSRF is checked (the browser sends the cookie
    on its own), the refresh cookie verified exactly as
    :class:`~dmr_jwt.views.RefreshTokenSyncController` verifies a body's
    refresh token, with the same hooks, and a new pair of cookies is set
    in the same token family. A missing cookie is a ``401``.
    """

    @override
    def __init_subclass__(cls) -> None:
        """Refuse hooks of the wrong mode (see ``require_hook_modes``)."""
        super().__init_subclass__()
        _controllers.require_hook_modes(cls, *_REFRESH_HOOKS, is_async=False)

    @sensitive_variables()
    @validate.lazy(_cookies.refresh_endpoint_spec)
    def post(self) -> HttpResponse:
        """Refresh both cookies on POST."""
        _reports.hide_secrets(self.request)
        return self.refresh()

    @sensitive_variables()
    def refresh(self) -> HttpResponse:
        """Check CSRF and the refresh cookie, set new cookies."""
        self.check_csrf()
        token = self._decode_refresh_token(
            self.get_cookie_token(self.jwt_refresh_cookie),
        )
        # Hooks below see the family that this refresh issues into.
        self._continue_family(token)
        self.check_refresh_token(token)
        user = self._subject_lookup().get_user(token.sub)
        self.check_auth(*self._check_auth_args(user, token))
        _users.set_request_user(self.request, user)
        rotated = self.use_refresh_token(token)
        response = self.cookie_response(
            self.make_api_response(),
            self.issue_cookies(),
        )
        _signals.tokens_refreshed.send(
            **self._user_signal_kwargs(), token=token
        )
        if rotated:
            _signals.tokens_rotated.send(**self._rotated_signal_kwargs(token))
        return response

    def check_refresh_token(self, token: _JWToken) -> None:
        """See :meth:`dmr_jwt.views.RefreshTokenSyncController.check_refresh_token`."""  # noqa: E501

    def use_refresh_token(self, token: _JWToken) -> bool:
        """See :meth:`dmr_jwt.views.RefreshTokenSyncController.use_refresh_token`."""  # noqa: E501
        return False

    def check_auth(self, user: Any, token: _JWToken | None = None) -> None:
        """See :meth:`dmr_jwt.views.RefreshTokenSyncController.check_auth`."""
        self._check_active(user)

    def make_api_response(self) -> _CookieResponseT:  # type: ignore[empty-body]
        """See :meth:`CookieObtainTokensSyncController.make_api_response`."""


class CookieRefreshTokensAsyncController(
    _CookieRefreshChecks[_SerializerT, _CookieResponseT],
    Generic[_SerializerT, _CookieResponseT],
):
    """
    Async controller that refreshes both token cookies.

    See :class:`CookieRefreshTokensSyncController`.
    """

    @override
    def __init_subclass__(cls) -> None:
        """Refuse hooks of the wrong mode (see ``require_hook_modes``)."""
        super().__init_subclass__()
        _controllers.require_hook_modes(cls, *_REFRESH_HOOKS, is_async=True)

    @sensitive_variables()
    @validate.lazy(_cookies.refresh_endpoint_spec)
    async def post(self) -> HttpResponse:
        """Refresh both cookies on POST."""
        _reports.hide_secrets(self.request)
        return await self.refresh()

    @sensitive_variables()
    async def refresh(self) -> HttpResponse:
        """See :meth:`CookieRefreshTokensSyncController.refresh`."""
        self.check_csrf()
        token = self._decode_refresh_token(
            self.get_cookie_token(self.jwt_refresh_cookie),
        )
        self._continue_family(token)
        await self.check_refresh_token(token)
        user = await self._subject_lookup().aget_user(token.sub)
        await self.check_auth(*self._check_auth_args(user, token))
        _users.set_request_user(self.request, user)
        rotated = await self.use_refresh_token(token)
        response = self.cookie_response(
            await self.make_api_response(),
            self.issue_cookies(),
        )
        await _signals.tokens_refreshed.asend(
            **self._user_signal_kwargs(), token=token
        )
        if rotated:
            await _signals.tokens_rotated.asend(
                **self._rotated_signal_kwargs(token)
            )
        return response

    async def check_refresh_token(self, token: _JWToken) -> None:
        """See :meth:`CookieRefreshTokensSyncController.check_refresh_token`."""

    async def use_refresh_token(self, token: _JWToken) -> bool:
        """See :meth:`CookieRefreshTokensSyncController.use_refresh_token`."""
        return False

    async def check_auth(
        self,
        user: Any,
        token: _JWToken | None = None,
    ) -> None:
        """See :meth:`CookieRefreshTokensSyncController.check_auth`."""
        self._check_active(user)

    async def make_api_response(self) -> _CookieResponseT:  # type: ignore[empty-body]
        """See :meth:`CookieObtainTokensSyncController.make_api_response`."""


class CookieLogoutSyncController(
    _CookieRefreshChecks[_SerializerT, _CookieResponseT],
    Generic[_SerializerT, _CookieResponseT],
):
    """
    Sync controller that drops both token cookies.

    ``POST`` with no body: CSRF is checked, then both cookies are sent
    back empty and expired (``Max-Age=0``) with ``204``. Transport only,
    as in django-modern-rest: a token copied before stays valid until it
    expires, unless :meth:`revoke_tokens` revokes it (the blocklist
    app's ``CookieLogoutBlocklistSyncMixin``).
    """

    @override
    def __init_subclass__(cls) -> None:
        """Refuse hooks of the wrong mode (see ``require_hook_modes``)."""
        super().__init_subclass__()
        _controllers.require_hook_modes(cls, *_LOGOUT_HOOKS, is_async=False)

    @sensitive_variables()
    @validate.lazy(_cookies.logout_endpoint_spec)
    def post(self) -> HttpResponse:
        """Log out on POST."""
        return self.logout()

    def logout(self) -> HttpResponse:
        """Check CSRF, revoke (:meth:`revoke_tokens`), drop the cookies."""
        self.check_csrf()
        self.revoke_tokens()
        return self.cookie_response(
            self.make_api_response(),
            self.discard_cookies(),
        )

    def revoke_tokens(self) -> None:
        """Revoke the tokens of this session: nothing by default."""

    def make_api_response(self) -> _CookieResponseT:  # type: ignore[empty-body]
        """The body sent with the dropped cookies: none by default."""


class CookieLogoutAsyncController(
    _CookieRefreshChecks[_SerializerT, _CookieResponseT],
    Generic[_SerializerT, _CookieResponseT],
):
    """
    Async controller that drops both token cookies.

    See :class:`CookieLogoutSyncController`.
    """

    @override
    def __init_subclass__(cls) -> None:
        """Refuse hooks of the wrong mode (see ``require_hook_modes``)."""
        super().__init_subclass__()
        _controllers.require_hook_modes(cls, *_LOGOUT_HOOKS, is_async=True)

    @sensitive_variables()
    @validate.lazy(_cookies.logout_endpoint_spec)
    async def post(self) -> HttpResponse:
        """Log out on POST."""
        return await self.logout()

    async def logout(self) -> HttpResponse:
        """See :meth:`CookieLogoutSyncController.logout`."""
        self.check_csrf()
        await self.revoke_tokens()
        return self.cookie_response(
            await self.make_api_response(),
            self.discard_cookies(),
        )

    async def revoke_tokens(self) -> None:
        """See :meth:`CookieLogoutSyncController.revoke_tokens`."""

    async def make_api_response(self) -> _CookieResponseT:  # type: ignore[empty-body]
        """See :meth:`CookieLogoutSyncController.make_api_response`."""
