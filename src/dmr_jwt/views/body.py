"""Reusable controllers that take and return JWT tokens in the body.

Subclass one, give it the serializer, payload and response types,
and define the two documented hooks. Everything that does no I/O
(settings, token creation, refresh token checks) is written once in
``TokenController`` (``dmr_jwt._internal.controllers``) and
``RefreshTokenChecks`` (``dmr_jwt._internal.token_checks``); the sync and async
controllers only orchestrate it around ``authenticate``/``aauthenticate``
and the user lookup.
"""

from abc import abstractmethod
from typing import Any, Final, Generic

from django.contrib.auth import aauthenticate, authenticate
from django.views.decorators.debug import sensitive_variables
from dmr import Body, modify
from dmr.exceptions import NotAuthenticatedError
from dmr.serializer import BaseSerializer
from typing_extensions import TypedDict, TypeVar, override

from dmr_jwt import signals as _signals
from dmr_jwt._internal import controllers as _controllers
from dmr_jwt._internal import reports as _reports
from dmr_jwt._internal import token_checks as _token_checks
from dmr_jwt._internal import users as _users
from dmr_jwt.token import JWToken as _JWToken

__all__ = (
    'ObtainTokensAsyncController',
    'ObtainTokensPayload',
    'ObtainTokensResponse',
    'ObtainTokensSyncController',
    'RefreshTokenAsyncController',
    'RefreshTokenPayload',
    'RefreshTokenSyncController',
)

_SerializerT = TypeVar('_SerializerT', bound=BaseSerializer)
_ObtainTokensT = TypeVar('_ObtainTokensT')
_RefreshTokensT = TypeVar('_RefreshTokensT')
_TokensResponseT = TypeVar('_TokensResponseT')


#: The hooks of the refresh controllers, all sync or all async.
_REFRESH_HOOKS: Final = (
    'check_refresh_token',
    'use_refresh_token',
    'check_auth',
    'convert_refresh_payload',
    'make_api_response',
)


class ObtainTokensPayload(TypedDict):
    """
    Payload for default version of a jwt request body.

    Is also used as kwargs for :func:`django.contrib.auth.authenticate`.
    """

    username: str
    password: str


class ObtainTokensResponse(TypedDict):
    """Default response type for refresh token endpoint."""

    access_token: str
    refresh_token: str


class RefreshTokenPayload(TypedDict):
    """Default request body type for the refresh token endpoint."""

    refresh_token: str


class ObtainTokensSyncController(
    _controllers.TokenController[_SerializerT],
    Generic[_SerializerT, _ObtainTokensT, _TokensResponseT],
):
    """
    Sync controller to get access and refresh tokens.

    See Also:
        https://pyjwt.readthedocs.io/en/stable
        for all the JWT terms and options explanation.

    """

    @override
    def __init_subclass__(cls) -> None:
        """Refuse hooks of the wrong mode (see ``require_hook_modes``)."""
        super().__init_subclass__()
        _controllers.require_hook_modes(
            cls,
            'convert_auth_payload',
            'make_api_response',
            is_async=False,
        )

    @sensitive_variables()
    @modify.lazy(_controllers.token_endpoint_spec)
    def post(self, parsed_body: Body[_ObtainTokensT]) -> _TokensResponseT:
        """By default tokens are acquired on post."""
        _reports.hide_secrets(self.request)
        return self.login(parsed_body)

    @sensitive_variables()
    def login(self, parsed_body: _ObtainTokensT) -> _TokensResponseT:
        """Perform the sync login routine for user."""
        credentials = self.convert_auth_payload(parsed_body)
        try:
            self._check_credentials(credentials)
            self._accept_user(authenticate(self.request, **credentials))
        except NotAuthenticatedError:
            _signals.login_failed.send(**self._signal_kwargs())
            raise
        response = self.make_api_response()
        _signals.tokens_obtained.send(**self._user_signal_kwargs())
        return response

    @abstractmethod
    def convert_auth_payload(
        self,
        payload: _ObtainTokensT,
    ) -> ObtainTokensPayload:
        """
        Convert your custom payload to kwargs that django supports.

        See :func:`django.contrib.auth.authenticate` docs
        on which kwargs it supports.

        Basically it needs ``username`` and ``password`` strings.
        """
        raise NotImplementedError

    @abstractmethod
    def make_api_response(self) -> _TokensResponseT:
        """Abstract method to create a response payload."""
        raise NotImplementedError


class ObtainTokensAsyncController(
    _controllers.TokenController[_SerializerT],
    Generic[_SerializerT, _ObtainTokensT, _TokensResponseT],
):
    """
    Async controller to get access and refresh tokens.

    See :class:`ObtainTokensSyncController`.
    """

    @override
    def __init_subclass__(cls) -> None:
        """Refuse hooks of the wrong mode (see ``require_hook_modes``)."""
        super().__init_subclass__()
        _controllers.require_hook_modes(
            cls,
            'convert_auth_payload',
            'make_api_response',
            is_async=True,
        )

    @sensitive_variables()
    @modify.lazy(_controllers.token_endpoint_spec)
    async def post(
        self,
        parsed_body: Body[_ObtainTokensT],
    ) -> _TokensResponseT:
        """By default tokens are acquired on post."""
        _reports.hide_secrets(self.request)
        return await self.login(parsed_body)

    @sensitive_variables()
    async def login(self, parsed_body: _ObtainTokensT) -> _TokensResponseT:
        """Perform the async login routine for user."""
        credentials = await self.convert_auth_payload(parsed_body)
        try:
            self._check_credentials(credentials)
            self._accept_user(await aauthenticate(self.request, **credentials))
        except NotAuthenticatedError:
            await _signals.login_failed.asend(**self._signal_kwargs())
            raise
        response = await self.make_api_response()
        await _signals.tokens_obtained.asend(**self._user_signal_kwargs())
        return response

    @abstractmethod
    async def convert_auth_payload(
        self,
        payload: _ObtainTokensT,
    ) -> ObtainTokensPayload:
        """See :meth:`ObtainTokensSyncController.convert_auth_payload`."""
        raise NotImplementedError

    @abstractmethod
    async def make_api_response(self) -> _TokensResponseT:
        """Abstract method to create a response payload."""
        raise NotImplementedError


class RefreshTokenSyncController(
    _token_checks.RefreshTokenChecks[_SerializerT],
    Generic[_SerializerT, _RefreshTokensT, _TokensResponseT],
):
    """
    Sync controller to refresh access and refresh tokens.

    Accepts a refresh token in the request body, validates it,
    loads the user, and calls :meth:`make_api_response`
    to build the response.
    """

    @override
    def __init_subclass__(cls) -> None:
        """Refuse hooks of the wrong mode (see ``require_hook_modes``)."""
        super().__init_subclass__()
        _controllers.require_hook_modes(cls, *_REFRESH_HOOKS, is_async=False)

    @sensitive_variables()
    @modify.lazy(_controllers.token_endpoint_spec)
    def post(self, parsed_body: Body[_RefreshTokensT]) -> _TokensResponseT:
        """Refresh tokens on POST."""
        _reports.hide_secrets(self.request)
        return self.refresh(parsed_body)

    @sensitive_variables()
    def refresh(self, parsed_body: _RefreshTokensT) -> _TokensResponseT:
        """Validate the refresh token, load user, and return new tokens."""
        token = self._decode_refresh_token(
            self.convert_refresh_payload(parsed_body),
        )
        # Hooks below see the family that this refresh issues into.
        self._continue_family(token)
        self.check_refresh_token(token)
        user = self._subject_lookup().get_user(token.sub)
        self.check_auth(*self._check_auth_args(user, token))
        _users.set_request_user(self.request, user)
        rotated = self.use_refresh_token(token)
        response = self.make_api_response()
        _signals.tokens_refreshed.send(
            **self._user_signal_kwargs(), token=token
        )
        if rotated:
            _signals.tokens_rotated.send(**self._rotated_signal_kwargs(token))
        return response

    def check_refresh_token(self, token: _JWToken) -> None:
        """
        Run extra checks of a valid refresh token, before the user lookup.

        Does nothing by default; the blocklist app's
        ``RefreshTokenBlocklistSyncMixin`` rejects revoked tokens here.

        .. versionadded:: 0.1.0
        """

    def use_refresh_token(self, token: _JWToken) -> bool:
        """
        Use the refresh token up; return whether it was (rotation).

        Called after every check passed, before :meth:`make_api_response`;
        ``tokens_rotated`` is sent when it returns ``True``. Does nothing
        by default; ``RefreshTokenBlocklistSyncMixin`` implements rotation
        (its ``jwt_rotate_refresh_tokens``). Raise
        :exc:`~dmr.exceptions.NotAuthenticatedError` to refuse the refresh.

        .. versionadded:: 0.1.0
        """
        return False

    def check_auth(self, user: Any, token: _JWToken | None = None) -> None:
        """
        Run extra auth checks, raise if something is wrong.

        Called after the user lookup with the user and the verified refresh
        *token*, as django-modern-rest 0.16 calls it, so the blocklist app's
        ``JWTokenBlocklistSyncMixin`` works here too. A subclass that
        overrides the earlier ``check_auth(self, user)`` is called with the
        user alone.
        """
        self._check_active(user)

    @abstractmethod
    def convert_refresh_payload(self, payload: _RefreshTokensT) -> str:
        """Extract the refresh token string from the request payload."""
        raise NotImplementedError

    @abstractmethod
    def make_api_response(self) -> _TokensResponseT:
        """Build the token pair response after a successful refresh."""
        raise NotImplementedError


class RefreshTokenAsyncController(
    _token_checks.RefreshTokenChecks[_SerializerT],
    Generic[_SerializerT, _RefreshTokensT, _TokensResponseT],
):
    """
    Async controller to refresh access and refresh tokens.

    See :class:`RefreshTokenSyncController`.
    """

    @override
    def __init_subclass__(cls) -> None:
        """Refuse hooks of the wrong mode (see ``require_hook_modes``)."""
        super().__init_subclass__()
        _controllers.require_hook_modes(cls, *_REFRESH_HOOKS, is_async=True)

    @sensitive_variables()
    @modify.lazy(_controllers.token_endpoint_spec)
    async def post(
        self,
        parsed_body: Body[_RefreshTokensT],
    ) -> _TokensResponseT:
        """Refresh tokens on POST."""
        _reports.hide_secrets(self.request)
        return await self.refresh(parsed_body)

    @sensitive_variables()
    async def refresh(self, parsed_body: _RefreshTokensT) -> _TokensResponseT:
        """Validate the refresh token, load user, and return new tokens."""
        token = self._decode_refresh_token(
            await self.convert_refresh_payload(parsed_body),
        )
        # Hooks below see the family that this refresh issues into.
        self._continue_family(token)
        await self.check_refresh_token(token)
        user = await self._subject_lookup().aget_user(token.sub)
        await self.check_auth(*self._check_auth_args(user, token))
        _users.set_request_user(self.request, user)
        rotated = await self.use_refresh_token(token)
        response = await self.make_api_response()
        await _signals.tokens_refreshed.asend(
            **self._user_signal_kwargs(), token=token
        )
        if rotated:
            await _signals.tokens_rotated.asend(
                **self._rotated_signal_kwargs(token)
            )
        return response

    async def check_refresh_token(self, token: _JWToken) -> None:
        """See :meth:`RefreshTokenSyncController.check_refresh_token`."""

    async def use_refresh_token(self, token: _JWToken) -> bool:
        """See :meth:`RefreshTokenSyncController.use_refresh_token`."""
        return False

    async def check_auth(
        self,
        user: Any,
        token: _JWToken | None = None,
    ) -> None:
        """See :meth:`RefreshTokenSyncController.check_auth`."""
        self._check_active(user)

    @abstractmethod
    async def convert_refresh_payload(self, payload: _RefreshTokensT) -> str:
        """Extract the refresh token string from the request payload."""
        raise NotImplementedError

    @abstractmethod
    async def make_api_response(self) -> _TokensResponseT:
        """Build the token pair response after a successful refresh."""
        raise NotImplementedError
