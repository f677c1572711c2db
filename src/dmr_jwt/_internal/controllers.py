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
    request_family,
    set_request_family,
)
from dmr_jwt._internal.hooks import (
    refuse_unknown_settings,
    require_hook_modes,
)
from dmr_jwt._internal.http_errors import http_errors
from dmr_jwt._internal.keyring import KeyRing, KeySource
from dmr_jwt._internal.users import set_request_user
from dmr_jwt._internal.verifier import TokenVerifier
from dmr_jwt.conf import get_settings
from dmr_jwt.errors import TokenEncodeError
from dmr_jwt.keys import check_secret, get_secret, project_keys
from dmr_jwt.options import VerifyOptions
from dmr_jwt.token import JWToken

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from dmr.endpoint import ModifyAnyCallable

__all__ = (
    'TokenController',
    'TokenType',
    'require_hook_modes',
    'token_endpoint_spec',
)

_SerializerT = TypeVar('_SerializerT', bound=BaseSerializer)

#: The ``extras.type`` of the tokens that the controllers issue.
TokenType: TypeAlias = Literal['access', 'refresh']


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
        jwt_keys: Sign with the active key of this
            :class:`~dmr_jwt.keys.KeySource` (tokens carry its ``kid``) and
            verify by ``kid``. Default: the project's ``DMR_JWT['KEYS']``
            when set and :attr:`jwt_secret` is not; :attr:`jwt_algorithm`
            is then the key's own.
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
    jwt_keys: ClassVar[KeySource | None] = None
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
        if isinstance(cls.jwt_keys, KeyRing) and not cls.is_abstract:
            cls.jwt_keys.signing_key()  # a ring that cannot sign: say so now
        if (
            not cls.is_abstract
            and settings.configured
            and cls.jwt_keys is None
            and (cls.jwt_secret is not None or get_settings().KEYS is None)
        ):
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
        token_type: TokenType | None = None,
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
            keys = None if secret or algorithm else self.jwt_key_source()
            if keys is None:
                return token.encode(
                    get_secret(secret or self.jwt_secret),
                    algorithm or self.jwt_algorithm,
                    token_headers,
                )
            key = keys.key_ring().signing_key()
            return token.encode(
                key.signing_key,
                key.algorithm,
                {**(token_headers or {}), 'kid': key.kid},
            )

    def make_jwt_id(self) -> str | None:
        """Create unique token's jwt id: a random UUID4 in hex."""
        return uuid.uuid4().hex

    @classmethod
    def jwt_key_source(cls) -> KeySource | None:
        """
        Where this controller's keys come from; ``None``: one secret.

        :attr:`jwt_keys`; else, unless :attr:`jwt_secret` is set, the
        project's (``DMR_JWT['KEYS']``).

        .. versionadded:: 0.1.0
        """
        if cls.jwt_keys is not None:
            return cls.jwt_keys
        if cls.jwt_secret is not None:
            return None
        return project_keys()

    def jwt_token_verifier(self) -> TokenVerifier:
        """How this controller verifies the tokens it is given."""
        keys = self.jwt_key_source()
        return TokenVerifier(
            self.jwt_token_cls,
            self.jwt_verify_options(),
            secret=None if keys is not None else get_secret(self.jwt_secret),
            keys=keys,
        )

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

    def _token_extras(self, token_type: TokenType | None) -> dict[str, Any]:
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
