"""What every token controller shares: settings, token creation, checks.

``TokenController`` holds the documented ``jwt_*`` settings and
``create_jwt_token``; ``RefreshTokenChecks`` verifies presented refresh
tokens. Neither does I/O nor knows the blocklist app (rotation is its
refresh mixins'). The public
controllers of :mod:`dmr_jwt.views` and :mod:`dmr_jwt.blocklist.views`
only orchestrate them; import those, not these.
"""

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeAlias

from django.core.exceptions import ImproperlyConfigured
from django.views.decorators.debug import sensitive_variables
from dmr import ResponseSpec, modify
from dmr.exceptions import NotAuthenticatedError
from dmr.security.base import NO_STORE_HEADERS
from dmr.serializer import BaseSerializer
from typing_extensions import TypeVar, override

from dmr_jwt._internal.boundary import (
    FaultBoundaryController,
    service_unavailable_spec,
)
from dmr_jwt._internal.families import (
    FAMILY_CLAIM,
    FAMILY_MAX_LENGTH,
    is_usable_family,
    new_family,
    refresh_family,
    request_family,
    set_request_family,
)
from dmr_jwt._internal.hooks import (
    check_auth_takes_token,
    refuse_unknown_settings,
    require_hook_modes,
)
from dmr_jwt._internal.http_errors import http_errors, token_error
from dmr_jwt._internal.users import SubjectLookup, set_request_user
from dmr_jwt.errors import Reason, TokenEncodeError
from dmr_jwt.keys import check_secret, get_secret
from dmr_jwt.options import VerifyOptions
from dmr_jwt.token import JWToken

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from dmr.endpoint import ModifyAnyCallable

__all__ = (
    'RefreshTokenChecks',
    'TokenController',
    'require_hook_modes',
    'token_endpoint_spec',
)

_SerializerT = TypeVar('_SerializerT', bound=BaseSerializer)

_TokenType: TypeAlias = Literal['access', 'refresh']

#: Refresh tokens longer than this are rejected before any parsing.
_MAX_TOKEN_LENGTH = 8 * 1024


def token_endpoint_spec(controller_cls: type[Any]) -> 'ModifyAnyCallable':
    """
    Spec of every endpoint that issues tokens: ``401``, ``503``, no-store.

    ``503``: the database or the cache could not answer (see
    :mod:`dmr_jwt._internal.boundary`).
    """
    return modify(
        status_code=controller_cls.response_status_code,
        extra_responses=[
            ResponseSpec(
                return_type=controller_cls.error_model,
                status_code=HTTPStatus.UNAUTHORIZED,
            ),
            service_unavailable_spec(controller_cls),
        ],
        # RFC 6749, section 5.1: token responses must not be cached.
        headers=NO_STORE_HEADERS,
    )


class TokenController(FaultBoundaryController[_SerializerT]):
    """
    Settings and token creation shared by every token controller.

    A database or cache that cannot answer gives ``503`` with
    ``Retry-After``, a body that the parser rejects (too large, nested too
    deeply, numbers out of range) ``400``, both with the framework's error
    body (see :class:`~dmr_jwt._internal.boundary.FaultBoundaryController`).

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
    of the request in ``extras.family``: a new one per login, the presented
    refresh token's on refresh. The family belongs to the request (like
    ``request.user``), never to state kept on the controller.

    A ``jwt_*`` class attribute that no base class declares is refused
    when the class is made: a typo, or a setting of a mixin (like the
    blocklist app's rotation) that is not among the bases.

    """

    jwt_audiences: ClassVar[str | Sequence[str] | None] = None
    jwt_issuer: ClassVar[str | None] = None
    jwt_algorithm: ClassVar[str] = 'HS256'
    jwt_expiration: ClassVar[dt.timedelta] = dt.timedelta(days=1)
    jwt_refresh_expiration: ClassVar[dt.timedelta] = dt.timedelta(days=10)
    jwt_secret: ClassVar[str | None] = None
    jwt_token_cls: ClassVar[type[JWToken]] = JWToken
    response_status_code: ClassVar[HTTPStatus] = HTTPStatus.OK

    @override
    def __init_subclass__(cls) -> None:
        """
        Check the settings and the signing key once, when a class is made.

        Raises:
            ImproperlyConfigured: When the key cannot sign
                :attr:`jwt_algorithm` tokens safely, or a ``jwt_*``
                attribute is not a setting of this class.

        """
        super().__init_subclass__()
        from django.conf import settings  # noqa: PLC0415

        refuse_unknown_settings(cls)
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
        with http_errors():
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
                raise TokenEncodeError('Failed to create token') from None
            return token.encode(
                get_secret(secret or self.jwt_secret),
                algorithm or self.jwt_algorithm,
                token_headers,
            )

    def make_jwt_id(self) -> str | None:
        """Create unique token's jwt id: a random UUID4 in hex."""
        return uuid.uuid4().hex

    @classmethod
    def jwt_verify_options(cls) -> VerifyOptions:
        """
        How this controller verifies the tokens that it is given.

        The signing settings (:attr:`jwt_algorithm`, :attr:`jwt_audiences`,
        :attr:`jwt_issuer`), no leeway, every claim checked.

        .. versionadded:: 0.1.0
        """
        return VerifyOptions(
            algorithm=cls.jwt_algorithm,
            accepted_audiences=cls.jwt_audiences,
            accepted_issuers=cls.jwt_issuer,
        )

    @property
    def token_family(self) -> str:
        """
        The token family of this request's tokens.

        On refresh, the presented refresh token's family (for a token
        without one: a family named after its ``jti``, see
        ``families.refresh_family``); otherwise a new one, from
        :meth:`make_token_family`.

        .. versionadded:: 0.1.0
        """
        family = request_family(self.request)
        if family is None:
            family = self.make_token_family()
            if not is_usable_family(family):
                raise ImproperlyConfigured(
                    f'{type(self).__qualname__}.make_token_family() must '
                    'return a non-empty str of at most '
                    f'{FAMILY_MAX_LENGTH} characters',
                )
            set_request_family(self.request, family)
        return family

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

    @sensitive_variables()
    def _check_credentials(self, credentials: Mapping[str, object]) -> None:
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


class RefreshTokenChecks(TokenController[_SerializerT]):
    """
    Refresh token checks, shared by the sync and async controllers.

    Attributes:
        jwt_user_id_field: User model field matched against ``token.sub``.
            Defaults to ``'pk'``.

    Rotation (``jwt_rotate_refresh_tokens``) is a setting of the blocklist
    app's refresh mixins, which implement it.
    """

    jwt_user_id_field: ClassVar[str] = 'pk'

    #: Whether ``check_auth`` is called with the token, decided per class.
    _jwt_check_auth_takes_token: ClassVar[bool] = True

    @override
    def __init_subclass__(cls) -> None:
        """Decide once how ``check_auth`` is called (see ``hooks``)."""
        super().__init_subclass__()
        cls._jwt_check_auth_takes_token = check_auth_takes_token(cls)

    @sensitive_variables()
    def _decode_refresh_token(self, encoded_token: object) -> JWToken:
        """Verify a refresh token: see :meth:`_decode_token`."""
        return self._decode_token(encoded_token, 'refresh')

    @sensitive_variables()
    def _decode_token(
        self,
        encoded_token: object,
        token_type: _TokenType,
    ) -> JWToken:
        """
        Verify a token: signature, time claims, ``extras.type``.

        The one decode path of the controllers that take a token (refresh,
        verify): :attr:`jwt_token_cls` with :meth:`jwt_verify_options`.

        Raises:
            NotAuthenticatedError: For any token that is not a valid,
                unexpired token of *token_type*.

        """
        if (
            not isinstance(encoded_token, str)
            or not encoded_token
            or len(encoded_token) > _MAX_TOKEN_LENGTH
        ):
            raise token_error(Reason.MALFORMED)
        with http_errors():
            token = self.jwt_token_cls.decode(
                encoded_token,
                get_secret(self.jwt_secret),
                **self.jwt_verify_options().decode_keywords(),
            )
        if token.extras.get('type') != token_type:
            raise token_error(Reason.WRONG_TYPE)
        return token

    def _continue_family(self, token: JWToken) -> None:
        """Issue this request's tokens into the family of *token*."""
        family = refresh_family(token)
        if family is not None:
            set_request_family(self.request, family)

    def _subject_lookup(self) -> SubjectLookup:
        return SubjectLookup(self.jwt_user_id_field)

    def _check_auth_args(self, user: Any, token: JWToken) -> tuple[Any, ...]:
        # `check_auth(user, token)`, as django-modern-rest 0.16 calls it;
        # `check_auth(user)` for classes that still override the
        # one-argument form (see `_internal.hooks.check_auth_takes_token`).
        if self._jwt_check_auth_takes_token:
            return (user, token)
        return (user,)

    def _check_active(self, user: Any) -> None:
        if not getattr(user, 'is_active', False):
            raise token_error(Reason.USER_INACTIVE)

    def _rotated_signal_kwargs(self, token: JWToken) -> dict[str, Any]:
        return {
            **self._user_signal_kwargs(),
            'token': token,
            'family': refresh_family(token),
        }
