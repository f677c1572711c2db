"""The shared base of the JWT auth classes: configuration and verification.

:class:`BaseJWTAuth` resolves the documented constructor arguments once,
reads the token (through :class:`~dmr_jwt._internal.header.AuthHeaderMixin`),
decodes and verifies it and checks its type. It does no I/O: the sync and
async classes of :mod:`dmr_jwt.auth` add only the methods that touch the
database.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import (
    TYPE_CHECKING,
    ClassVar,
    Final,
    cast,
)

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.views.decorators.debug import sensitive_variables
from dmr.metadata import EndpointMetadata, ResponseSpec

from dmr_jwt._internal.boundary import auth_response_specs
from dmr_jwt._internal.claims import is_non_empty_string
from dmr_jwt._internal.header import AUTHORIZATION, AuthHeaderMixin, meta_key
from dmr_jwt._internal.http_errors import token_error
from dmr_jwt._internal.keyring import KeySource
from dmr_jwt._internal.option_attribute import OptionAttribute as _Option
from dmr_jwt._internal.users import SubjectLookup, TokenUser, set_request_user
from dmr_jwt._internal.verifier import TokenVerifier
from dmr_jwt.errors import InvalidTokenError, Reason
from dmr_jwt.keys import check_secret, get_secret, project_keys
from dmr_jwt.options import VerifyOptions
from dmr_jwt.token import JWToken

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from dmr.controller import Controller
    from dmr.serializer import BaseSerializer

__all__ = ('REQUEST_TOKEN_ATTR', 'BaseJWTAuth')

#: The request attribute that holds the token of an authenticated request.
REQUEST_TOKEN_ATTR: Final = '_dmr_jwt_token'  # noqa: S105


class BaseJWTAuth(AuthHeaderMixin):
    """
    The part of JWT auth that does no I/O, shared by sync and async.

    Subclass :class:`~dmr_jwt.auth.JWTSyncAuth` or
    :class:`~dmr_jwt.auth.JWTAsyncAuth`, not this class.

    Reads the token from a header, decodes and verifies it,
    checks its type and describes itself to OpenAPI.
    Configuration is resolved once, in ``__init__``;
    instances hold no per-request state and can be shared.
    """

    # The options under the names of the documented keywords, read-only
    # (django-modern-rest's auth has them as attributes).
    algorithm = _Option[str]('algorithm')
    leeway = _Option[int]('leeway')
    accepted_audiences = _Option['str | Sequence[str] | None'](
        'accepted_audiences',
    )
    accepted_issuers = _Option['str | Sequence[str] | None']('accepted_issuers')
    require_claims = _Option['Sequence[str]']('require_claims')
    verify_expiry = _Option[bool]('verify_exp')
    verify_issued_at = _Option[bool]('verify_iat')
    verify_jwt_id = _Option[bool]('verify_jti')
    verify_not_before = _Option[bool]('verify_nbf')
    verify_subject = _Option[bool]('verify_sub')
    strict_audience = _Option[bool]('strict_audience')
    enforce_minimum_key_length = _Option[bool]('enforce_minimum_key_length')

    #: Only tokens with this ``extras.type`` authenticate requests.
    expected_token_type: ClassVar[str] = 'access'  # noqa: S105

    #: Longer header values are rejected before any parsing
    #: (real tokens are a few hundred bytes).
    max_token_length: ClassVar[int] = 8 * 1024

    __slots__ = (
        '_meta_key',
        '_subject_lookup',
        '_verifier',
        'auth_header',
        'auth_scheme',
        'keys',
        'options',
        'secret',
        'security_scheme_name',
        'stateless',
        'token_cache_size',
        'token_cls',
        'user_cache_alias',
        'user_cache_timeout',
        'user_id_field',
    )

    @sensitive_variables('secret')
    def __init__(
        self,
        *,
        user_id_field: str = 'pk',
        algorithm: str = 'HS256',
        security_scheme_name: str = 'jwt',
        auth_header: str = AUTHORIZATION,
        auth_scheme: str = 'Bearer',
        secret: str | None = None,
        token_cls: type[JWToken] = JWToken,
        leeway: int | dt.timedelta = 0,
        accepted_audiences: str | Sequence[str] | None = None,
        accepted_issuers: str | Sequence[str] | None = None,
        require_claims: Sequence[str] | None = None,
        verify_expiry: bool = True,
        verify_issued_at: bool = True,
        verify_jwt_id: bool = True,
        verify_not_before: bool = True,
        verify_subject: bool = True,
        strict_audience: bool = False,
        enforce_minimum_key_length: bool = True,
        token_cache_size: int = 0,
        user_cache_timeout: int | None = None,
        user_cache_alias: str = 'default',
        stateless: bool = False,
        keys: KeySource | None = None,
    ) -> None:
        """
        Apply possible customizations.

        Args:
            user_id_field: User model field matched against ``sub``.
            algorithm: The only algorithm that tokens may be signed with.
            security_scheme_name: Name of the OpenAPI security scheme.
            auth_header: Header that carries the token.
            auth_scheme: Prefix of the header value, like ``Bearer``;
                an empty string means the header holds the bare token.
            secret: Verification key, ``settings.SECRET_KEY`` by default.
            token_cls: :class:`~dmr_jwt.token.JWToken` or a subclass.
            leeway: Seconds of clock skew allowed for time claims.
            accepted_audiences: Audiences that ``aud`` must match.
            accepted_issuers: Issuers that ``iss`` must match.
            require_claims: Claims that must be present.
            verify_expiry: Check ``exp``.
            verify_issued_at: Check ``iat``.
            verify_jwt_id: Check that ``jti`` is a string.
            verify_not_before: Check ``nbf``.
            verify_subject: Check that ``sub`` is a string.
            strict_audience: ``aud`` must be a single, exactly equal string.
            enforce_minimum_key_length: Refuse keys that are too short.
            token_cache_size: Remember up to this many verified tokens
                (process-wide, per verifying configuration), so a client
                that reuses its token skips signature verification;
                ``exp`` and ``nbf`` are still checked on every hit.
                ``0`` (the default) turns it off.
            user_cache_timeout: Cache users in Django's cache for this many
                seconds, so an authenticated request makes no query;
                saving or deleting a user forgets it. ``None``: no caching.
            user_cache_alias: The cache for *user_cache_timeout*.
            stateless: Never ask the database: ``request.user`` is a
                :class:`~dmr_jwt.TokenUser` built from the token.
                A deleted or deactivated user keeps access until the token
                expires.
            keys: Verify with these keys, picked by the token's ``kid``
                (:mod:`dmr_jwt.keys`): each key accepts only its own
                algorithm, *algorithm* is not used. Default: the project's
                ``DMR_JWT['KEYS']`` or ``JWKS_URL`` when set and no *secret*
                is given, else the one secret.

        Raises:
            ImproperlyConfigured: When the secret cannot verify *algorithm*
                tokens (too short, wrong kind, ``none``), or both *secret*
                and *keys* are given: a start-up error, never a
                per-request one.
            ValueError: *strict_audience* without a single audience.

        """
        self.user_id_field = user_id_field
        self.security_scheme_name = security_scheme_name
        self.auth_header = auth_header
        self.auth_scheme = auth_scheme
        if keys is not None and secret is not None:
            raise ImproperlyConfigured(
                f'{type(self).__qualname__}: give `secret` or `keys`, not both',
            )
        if keys is None and secret is None:
            keys = project_keys()
        #: The one secret, or ``None`` when *keys* verify.
        self.secret: str | None = (
            None if keys is not None else get_secret(secret)
        )
        #: Where the keys come from, or ``None`` for the one secret.
        self.keys = keys
        self.token_cls = token_cls
        if self.secret is not None:
            check_secret(
                self.secret,
                algorithm,
                owner=type(self).__qualname__,
                check_length=enforce_minimum_key_length,
            )
        #: Every verification knob, translated once (:mod:`dmr_jwt.options`).
        self.options = VerifyOptions(
            algorithm=algorithm,
            # PyJWT also takes a `timedelta`: seconds are what we compare.
            leeway=(
                int(leeway.total_seconds())
                if isinstance(leeway, dt.timedelta)
                else leeway
            ),
            accepted_audiences=accepted_audiences,
            accepted_issuers=accepted_issuers,
            require_claims=require_claims or (),
            verify_exp=verify_expiry,
            verify_iat=verify_issued_at,
            verify_jti=verify_jwt_id,
            verify_nbf=verify_not_before,
            verify_sub=verify_subject,
            strict_audience=strict_audience,
            enforce_minimum_key_length=enforce_minimum_key_length,
        )
        self.token_cache_size = token_cache_size
        self.user_cache_timeout = user_cache_timeout
        self.user_cache_alias = user_cache_alias
        self.stateless = stateless

        _check_user_cache(user_cache_timeout, user_cache_alias)
        self._meta_key = meta_key(auth_header)
        self._subject_lookup = SubjectLookup(
            user_id_field,
            cache_alias=user_cache_alias,
            cache_timeout=user_cache_timeout,
        )
        self._verifier = TokenVerifier(
            token_cls,
            self.options,
            secret=self.secret,
            keys=keys,
            cache_size=token_cache_size,
        )

    # Reading and decoding the token:

    @sensitive_variables()
    def prepare_token(self, request: HttpRequest) -> JWToken | None:
        """
        Fetches JWToken instance from the auth header.

        Returns ``None`` when the request carries no token for us,
        so that other auth instances of the chain can try.

        Raises:
            NotAuthenticatedError: When the request has a token of ours,
                but it is not valid.

        """
        header = self.get_token_from_request(request)
        if header is None:
            return None
        encoded_token = self.split_encoded_token(header)
        if encoded_token is None:
            return None
        return self.decode_token(encoded_token)

    @sensitive_variables()
    async def aprepare_keys(self, request: HttpRequest) -> None:
        """
        Let a key source that fetches (a remote JWKS) do it off the loop.

        The async auth awaits it before :meth:`prepare_token`; nothing
        happens for the one secret, a ring or a ring file.
        """
        if self.keys is None:
            return
        header = self.get_token_from_request(request)
        encoded_token = (
            None if header is None else self.split_encoded_token(header)
        )
        if encoded_token:
            await self._verifier.aprepare(encoded_token)

    @sensitive_variables()
    def decode_token(self, encoded_token: str) -> JWToken:
        """
        Decodes token object from the encoded string.

        Raises:
            NotAuthenticatedError: When the token is invalid,
                or is not of :attr:`expected_token_type`.

        """
        if not encoded_token or len(encoded_token) > self.max_token_length:
            raise token_error(Reason.MALFORMED)
        token = self._verify(encoded_token)
        if token.extras.get('type') != self.expected_token_type:
            raise token_error(Reason.WRONG_TYPE)
        return token

    def provide_response_specs(
        self,
        metadata: EndpointMetadata,
        controller_cls: type['Controller[BaseSerializer]'],
        existing_responses: Mapping[HTTPStatus, ResponseSpec],
    ) -> list[ResponseSpec]:
        """Responses of auth: ``401``; ``503`` for a sick database or cache."""
        return auth_response_specs(metadata, controller_cls, existing_responses)

    def claim_from_token(self, token: JWToken) -> str:
        """
        Return claim value from the token object.

        Override this method if you want to change how
        claim is extracted from token.
        For example, if you create ``email`` claim,
        it will be stored in ``.extras``.

        So, you would need to use: ``token.extras['email']``.
        """
        return token.sub

    # Helpers for the sync and async twins:

    def _subject(self, token: JWToken) -> str:
        # `claim_from_token` is a documented override point, often
        # `token.extras['email']`: a token without that claim is a bad
        # token (401), never a 500.
        try:
            subject = self.claim_from_token(token)
        except (LookupError, TypeError, ValueError):
            raise token_error(Reason.INVALID_CLAIMS) from None
        if not is_non_empty_string(subject):
            raise token_error(Reason.INVALID_CLAIMS)
        return subject

    def _check_user(self, user: 'AbstractBaseUser') -> None:
        if not user.is_active:
            raise token_error(Reason.USER_INACTIVE)

    def _store_on_request(
        self,
        request: HttpRequest,
        user: 'AbstractBaseUser',
        token: JWToken,
    ) -> None:
        set_request_user(request, user)
        setattr(request, REQUEST_TOKEN_ATTR, token)

    def _token_user(self, token: JWToken) -> 'AbstractBaseUser':
        # Stateless mode: a `TokenUser` stands where a user model would.
        return cast('AbstractBaseUser', TokenUser(token, self._subject(token)))

    @sensitive_variables()
    def _verify(self, encoded_token: str) -> JWToken:
        # A `try`, not `http_errors()`: this is the request path.
        try:
            return self._verifier.verify(encoded_token)
        except InvalidTokenError as exc:
            raise token_error(exc.reason) from None


def _check_user_cache(timeout: int | None, alias: str) -> None:
    from django.conf import settings  # noqa: PLC0415

    if timeout is not None and alias not in settings.CACHES:
        raise ImproperlyConfigured(
            f'user_cache_alias={alias!r} is not in CACHES',
        )
