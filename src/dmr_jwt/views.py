"""Reusable controllers that issue and refresh JWT tokens.

Subclass one, give it the serializer, payload and response types,
and define the two documented hooks. Everything that does no I/O
(settings, token creation, refresh token checks) is written once in
``_TokenController`` and ``_RefreshTokenMixin``; the sync and async
controllers only orchestrate it around ``authenticate``/``aauthenticate``
and the user lookup.
"""

import datetime as dt
import uuid
from abc import abstractmethod
from collections.abc import Sequence
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, TypeAlias

from django.contrib.auth import aauthenticate, authenticate
from django.core.exceptions import ImproperlyConfigured
from django.views.decorators.debug import (
    sensitive_post_parameters,
    sensitive_variables,
)
from dmr import Body, Controller, ResponseSpec, modify
from dmr.decorators import endpoint_decorator
from dmr.exceptions import InternalServerError, NotAuthenticatedError
from dmr.security.base import NO_STORE_HEADERS
from dmr.serializer import BaseSerializer
from typing_extensions import TypedDict, TypeVar, override

from dmr_jwt.errors import Reason, token_error
from dmr_jwt.families import (
    FAMILY_CLAIM,
    FAMILY_MAX_LENGTH,
    is_usable_family,
    new_family,
    refresh_family,
)
from dmr_jwt.keys import check_secret, get_secret
from dmr_jwt.signals import (
    login_failed,
    tokens_obtained,
    tokens_refreshed,
    tokens_rotated,
)
from dmr_jwt.token import JWToken
from dmr_jwt.users import SubjectLookup, set_request_user

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from dmr.endpoint import ModifyAnyCallable

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

_TokenType: TypeAlias = Literal['access', 'refresh']

#: Refresh tokens longer than this are rejected before any parsing.
_MAX_TOKEN_LENGTH = 8 * 1024


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


def _token_endpoint_spec(controller_cls: type[Any]) -> 'ModifyAnyCallable':
    """Spec of every endpoint that issues tokens: ``401`` and ``no-store``."""
    return modify(
        status_code=controller_cls.response_status_code,
        extra_responses=[
            ResponseSpec(
                return_type=controller_cls.error_model,
                status_code=HTTPStatus.UNAUTHORIZED,
            ),
        ],
        # RFC 6749, section 5.1: token responses must not be cached.
        headers=NO_STORE_HEADERS,
    )


class _TokenController(Controller[_SerializerT]):
    """
    Settings and token creation shared by every token controller.

    Attributes:
        jwt_audiences: String or sequence of string of audiences
            for JWT token.
        jwt_issuer: String of who issued this JWT token.
        jwt_algorithm: Default algorithm to use for token signing.
        jwt_expiration: Default access token expiration timedelta.
        jwt_refresh_expiration: Default refresh token expiration timedelta.
        jwt_secret: Alternative token secret for signing.
            By default uses ``settings.SECRET_KEY``.
        jwt_token_cls: Possible custom JWT token class.
        response_status_code: Status code of a successful response.

    Every token made by :meth:`create_jwt_token` carries the token family
    of the request in ``extras.family`` (see :mod:`dmr_jwt.families`):
    a new one per login, the presented refresh token's on refresh.

    """

    jwt_audiences: ClassVar[str | Sequence[str] | None] = None
    jwt_issuer: ClassVar[str | None] = None
    jwt_algorithm: ClassVar[str] = 'HS256'
    jwt_expiration: ClassVar[dt.timedelta] = dt.timedelta(days=1)
    jwt_refresh_expiration: ClassVar[dt.timedelta] = dt.timedelta(days=10)
    jwt_secret: ClassVar[str | None] = None
    jwt_token_cls: ClassVar[type[JWToken]] = JWToken
    response_status_code: ClassVar[HTTPStatus] = HTTPStatus.OK

    #: The family of the tokens of this request, made on first use.
    _jwt_family: str | None = None

    @override
    def __init_subclass__(cls) -> None:
        """
        Check the signing key once, when a concrete controller is made.

        Raises:
            ImproperlyConfigured: When the key cannot sign
                :attr:`jwt_algorithm` tokens safely.

        """
        super().__init_subclass__()
        from django.conf import settings  # noqa: PLC0415

        if not cls.is_abstract and settings.configured:
            check_secret(
                get_secret(cls.jwt_secret),
                cls.jwt_algorithm,
                owner=cls.__qualname__,
            )

    @sensitive_variables('secret')
    def create_jwt_token(
        self,
        *,
        expiration: dt.datetime | None = None,
        token_type: _TokenType | None = None,
        subject: str | None = None,
        issuer: str | None = None,
        audiences: str | Sequence[str] | None = None,
        jwt_id: str | None = None,
        secret: str | None = None,
        algorithm: str | None = None,
        token_headers: dict[str, Any] | None = None,
    ) -> str:
        """
        Create correct jwt token of a given expiration and token_type.

        Without *expiration*, a ``refresh`` token expires after
        :attr:`jwt_refresh_expiration`, any other after
        :attr:`jwt_expiration`. Without *subject*, the token is for
        ``request.user``. ``extras`` holds *token_type* (when given) and
        :attr:`token_family`.

        Raises:
            InternalServerError: When the token cannot be created.

        """
        now = dt.datetime.now(dt.UTC)
        if expiration is None:
            expiration = now + (
                self.jwt_refresh_expiration
                if token_type == 'refresh'  # noqa: S105
                else self.jwt_expiration
            )
        try:
            token = self.jwt_token_cls(
                sub=subject or str(self.request.user.pk),
                exp=expiration,
                iat=now,
                iss=issuer or self.jwt_issuer,
                aud=audiences or self.jwt_audiences,
                jti=jwt_id or self.make_jwt_id(),
                extras=self._token_extras(token_type),
            )
        except (TypeError, ValueError):
            raise InternalServerError('Failed to create token') from None
        return token.encode(
            get_secret(secret or self.jwt_secret),
            algorithm or self.jwt_algorithm,
            token_headers,
        )

    def make_jwt_id(self) -> str | None:
        """Create unique token's jwt id: a random UUID4 in hex."""
        return uuid.uuid4().hex

    @property
    def token_family(self) -> str:
        """
        The token family of this request's tokens.

        On refresh, the presented refresh token's family (for a token
        without one: a family named after its ``jti``, see
        :func:`dmr_jwt.families.refresh_family`); otherwise a new one, from
        :meth:`make_token_family`.

        .. versionadded:: 0.1.0
        """
        if self._jwt_family is None:
            family = self.make_token_family()
            if not is_usable_family(family):
                raise ImproperlyConfigured(
                    f'{type(self).__qualname__}.make_token_family() must '
                    'return a non-empty str of at most '
                    f'{FAMILY_MAX_LENGTH} characters',
                )
            self._jwt_family = family
        return self._jwt_family

    def make_token_family(self) -> str:
        """
        Create the id of a new token family: a random UUID4 in hex.

        Override it to use your own ids (at most 64 characters).

        .. versionadded:: 0.1.0
        """
        return new_family()

    def _token_extras(self, token_type: _TokenType | None) -> dict[str, Any]:
        extras: dict[str, Any] = {FAMILY_CLAIM: self.token_family}
        if token_type:
            extras['type'] = token_type
        return extras

    def _check_credentials(self, credentials: ObtainTokensPayload) -> None:
        # No database stores NUL in text (PostgreSQL raises for it):
        # such credentials can match nobody.
        if any(
            isinstance(credential, str) and '\x00' in credential
            for credential in credentials.values()
        ):
            raise NotAuthenticatedError

    def _accept_user(self, user: 'AbstractBaseUser | None') -> None:
        """Make *user* the request's user, or fail with ``401``."""
        if user is None or not user.is_active:
            raise NotAuthenticatedError
        set_request_user(self.request, user)

    def _signal_kwargs(self) -> dict[str, Any]:
        """Arguments of the ``login_failed`` signal: never credentials."""
        return {'sender': type(self), 'request': self.request}

    def _user_signal_kwargs(self) -> dict[str, Any]:
        """Arguments of the signals sent once tokens are issued."""
        return {**self._signal_kwargs(), 'user': self.request.user}


class ObtainTokensSyncController(
    _TokenController[_SerializerT],
    Generic[_SerializerT, _ObtainTokensT, _TokensResponseT],
):
    """
    Sync controller to get access and refresh tokens.

    See Also:
        https://pyjwt.readthedocs.io/en/stable
        for all the JWT terms and options explanation.

    """

    @sensitive_variables()
    @endpoint_decorator(sensitive_post_parameters())
    @modify.lazy(_token_endpoint_spec)
    def post(self, parsed_body: Body[_ObtainTokensT]) -> _TokensResponseT:
        """By default tokens are acquired on post."""
        return self.login(parsed_body)

    @sensitive_variables()
    def login(self, parsed_body: _ObtainTokensT) -> _TokensResponseT:
        """Perform the sync login routine for user."""
        credentials = self.convert_auth_payload(parsed_body)
        try:
            self._check_credentials(credentials)
            self._accept_user(authenticate(self.request, **credentials))
        except NotAuthenticatedError:
            login_failed.send(**self._signal_kwargs())
            raise
        response = self.make_api_response()
        tokens_obtained.send(**self._user_signal_kwargs())
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
    _TokenController[_SerializerT],
    Generic[_SerializerT, _ObtainTokensT, _TokensResponseT],
):
    """
    Async controller to get access and refresh tokens.

    See :class:`ObtainTokensSyncController`.
    """

    @sensitive_variables()
    @endpoint_decorator(sensitive_post_parameters())
    @modify.lazy(_token_endpoint_spec)
    async def post(
        self,
        parsed_body: Body[_ObtainTokensT],
    ) -> _TokensResponseT:
        """By default tokens are acquired on post."""
        return await self.login(parsed_body)

    @sensitive_variables()
    async def login(self, parsed_body: _ObtainTokensT) -> _TokensResponseT:
        """Perform the async login routine for user."""
        credentials = await self.convert_auth_payload(parsed_body)
        try:
            self._check_credentials(credentials)
            self._accept_user(await aauthenticate(self.request, **credentials))
        except NotAuthenticatedError:
            await login_failed.asend(**self._signal_kwargs())
            raise
        response = await self.make_api_response()
        await tokens_obtained.asend(**self._user_signal_kwargs())
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


class _RefreshTokenMixin(_TokenController[_SerializerT]):
    """
    Refresh token checks, shared by the sync and async controllers.

    Attributes:
        jwt_user_id_field: User model field matched against ``token.sub``.
            Defaults to ``'pk'``.
        jwt_rotate_refresh_tokens: Use every refresh token up on its first
            successful refresh (rotation), and revoke its whole family
            when it is presented again after
            :attr:`jwt_rotation_grace_period`. Needs the blocklist app's
            refresh mixin. Defaults to ``False``.
        jwt_rotation_grace_period: How long after its use a used refresh
            token only gets a ``401`` (a retry after a lost response, two
            tabs refreshing at once) instead of revoking its family.
            Defaults to 10 seconds.

    """

    jwt_user_id_field: ClassVar[str] = 'pk'
    jwt_rotate_refresh_tokens: ClassVar[bool] = False
    jwt_rotation_grace_period: ClassVar[dt.timedelta] = dt.timedelta(
        seconds=10,
    )

    #: Set by the blocklist app's refresh mixins, which implement rotation.
    _jwt_can_rotate: ClassVar[bool] = False

    @override
    def __init_subclass__(cls) -> None:
        """
        Refuse rotation settings that cannot work, at start-up.

        Raises:
            ImproperlyConfigured: When rotation is on without the blocklist
                app's refresh mixin, or the grace period is negative.

        """
        super().__init_subclass__()
        if cls.jwt_rotate_refresh_tokens and not cls._jwt_can_rotate:
            raise ImproperlyConfigured(
                f'{cls.__qualname__}: jwt_rotate_refresh_tokens needs '
                'RefreshTokenBlocklistSyncMixin or '
                'RefreshTokenBlocklistAsyncMixin from dmr_jwt.blocklist',
            )
        if cls.jwt_rotation_grace_period < dt.timedelta(0):
            raise ImproperlyConfigured(
                f'{cls.__qualname__}: jwt_rotation_grace_period '
                'must not be negative',
            )

    @sensitive_variables()
    def _decode_refresh_token(self, encoded_token: object) -> JWToken:
        """
        Verify a refresh token: signature, time claims, ``extras.type``.

        Raises:
            NotAuthenticatedError: For any token that is not a valid,
                unexpired refresh token.

        """
        if (
            not isinstance(encoded_token, str)
            or not encoded_token
            or len(encoded_token) > _MAX_TOKEN_LENGTH
        ):
            raise token_error(Reason.MALFORMED)
        token = self.jwt_token_cls.decode(
            encoded_token,
            get_secret(self.jwt_secret),
            self.jwt_algorithm,
            accepted_audiences=self.jwt_audiences,
            accepted_issuers=self.jwt_issuer,
        )
        if token.extras.get('type') != 'refresh':
            raise token_error(Reason.WRONG_TYPE)
        # New tokens stay in the family of the presented one.
        self._jwt_family = refresh_family(token)
        return token

    def _subject_lookup(self) -> SubjectLookup:
        return SubjectLookup(self.jwt_user_id_field)

    def _check_active(self, user: Any) -> None:
        if not getattr(user, 'is_active', False):
            raise token_error(Reason.USER_INACTIVE)

    def _rotated_signal_kwargs(self, token: JWToken) -> dict[str, Any]:
        return {
            **self._user_signal_kwargs(),
            'token': token,
            'family': refresh_family(token),
        }


class RefreshTokenSyncController(
    _RefreshTokenMixin[_SerializerT],
    Generic[_SerializerT, _RefreshTokensT, _TokensResponseT],
):
    """
    Sync controller to refresh access and refresh tokens.

    Accepts a refresh token in the request body, validates it,
    loads the user, and calls :meth:`make_api_response`
    to build the response.
    """

    @sensitive_variables()
    @endpoint_decorator(sensitive_post_parameters())
    @modify.lazy(_token_endpoint_spec)
    def post(self, parsed_body: Body[_RefreshTokensT]) -> _TokensResponseT:
        """Refresh tokens on POST."""
        return self.refresh(parsed_body)

    @sensitive_variables()
    def refresh(self, parsed_body: _RefreshTokensT) -> _TokensResponseT:
        """Validate the refresh token, load user, and return new tokens."""
        token = self._decode_refresh_token(
            self.convert_refresh_payload(parsed_body),
        )
        self.check_refresh_token(token)
        user = self._subject_lookup().get_user(token.sub)
        self.check_auth(user)
        set_request_user(self.request, user)
        if self.jwt_rotate_refresh_tokens:
            self.use_refresh_token(token)
        response = self.make_api_response()
        tokens_refreshed.send(**self._user_signal_kwargs(), token=token)
        if self.jwt_rotate_refresh_tokens:
            tokens_rotated.send(**self._rotated_signal_kwargs(token))
        return response

    def check_refresh_token(self, token: JWToken) -> None:
        """
        Run extra checks of a valid refresh token, before the user lookup.

        Does nothing by default; the blocklist app's
        ``RefreshTokenBlocklistSyncMixin`` rejects revoked tokens here.

        .. versionadded:: 0.1.0
        """

    def use_refresh_token(self, token: JWToken) -> None:
        """
        Use the refresh token up, with :attr:`jwt_rotate_refresh_tokens`.

        Called after every check passed, before :meth:`make_api_response`.
        ``RefreshTokenBlocklistSyncMixin`` implements it; raise
        :exc:`~dmr.exceptions.NotAuthenticatedError` to refuse the refresh.

        .. versionadded:: 0.1.0
        """
        raise NotImplementedError

    def check_auth(self, user: Any) -> None:
        """Run extra auth checks, raise if something is wrong."""
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
    _RefreshTokenMixin[_SerializerT],
    Generic[_SerializerT, _RefreshTokensT, _TokensResponseT],
):
    """
    Async controller to refresh access and refresh tokens.

    See :class:`RefreshTokenSyncController`.
    """

    @sensitive_variables()
    @endpoint_decorator(sensitive_post_parameters())
    @modify.lazy(_token_endpoint_spec)
    async def post(
        self,
        parsed_body: Body[_RefreshTokensT],
    ) -> _TokensResponseT:
        """Refresh tokens on POST."""
        return await self.refresh(parsed_body)

    @sensitive_variables()
    async def refresh(self, parsed_body: _RefreshTokensT) -> _TokensResponseT:
        """Validate the refresh token, load user, and return new tokens."""
        token = self._decode_refresh_token(
            await self.convert_refresh_payload(parsed_body),
        )
        await self.check_refresh_token(token)
        user = await self._subject_lookup().aget_user(token.sub)
        await self.check_auth(user)
        set_request_user(self.request, user)
        if self.jwt_rotate_refresh_tokens:
            await self.use_refresh_token(token)
        response = await self.make_api_response()
        await tokens_refreshed.asend(**self._user_signal_kwargs(), token=token)
        if self.jwt_rotate_refresh_tokens:
            await tokens_rotated.asend(**self._rotated_signal_kwargs(token))
        return response

    async def check_refresh_token(self, token: JWToken) -> None:
        """See :meth:`RefreshTokenSyncController.check_refresh_token`."""

    async def use_refresh_token(self, token: JWToken) -> None:
        """See :meth:`RefreshTokenSyncController.use_refresh_token`."""
        raise NotImplementedError

    async def check_auth(self, user: Any) -> None:
        """Run extra auth checks, raise if something is wrong."""
        self._check_active(user)

    @abstractmethod
    async def convert_refresh_payload(self, payload: _RefreshTokensT) -> str:
        """Extract the refresh token string from the request payload."""
        raise NotImplementedError

    @abstractmethod
    async def make_api_response(self) -> _TokensResponseT:
        """Build the token pair response after a successful refresh."""
        raise NotImplementedError
