"""The JWT claims DTO: encode and decode, with this package's own errors.

Wire format (the same as django-modern-rest's built-in JWT module, so
tokens issued by either verify in the other with the same secret)::

    {"sub": "1", "exp": 1778245039, "iat": 1778158639,
     "iss"?: "...", "aud"?: "..." | ["..."],
     "jti": "<uuid4 hex>", "extras": {"type": "access"}}

``sub``, ``exp`` and ``iat`` are required on decode: a token without
``iat`` is refused (``Token is missing a required claim``), never taken as
issued "now", so "log out everywhere" (which compares ``iat``) always sees
it. ``require_claims`` adds more; ``verify_iat=False`` skips the checks of
its value, not its presence.

Errors (:mod:`dmr_jwt.errors`):

- every token that cannot be decoded or verified raises
  :exc:`~dmr_jwt.errors.InvalidTokenError` with its
  :class:`~dmr_jwt.errors.Reason`, nothing else; the auth classes and the
  controllers answer it with ``401``;
- a token that cannot be encoded raises
  :exc:`~dmr_jwt.errors.TokenEncodeError` (our bug or configuration; a
  ``500`` at the HTTP boundary).

PyJWT is called through ``dmr_jwt._internal.pyjwt``, the only module
that imports it.
"""

import dataclasses
import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from typing import Any, Final, Self

from django.views.decorators.debug import sensitive_variables

from dmr_jwt._internal import claims as _claims
from dmr_jwt._internal import pyjwt as _pyjwt
from dmr_jwt.options import VerifyOptions as _VerifyOptions

__all__ = ('JWToken',)

#: The claim that carries every non-registered value, as a nested object.
_EXTRAS_CLAIM: Final = 'extras'

#: Claims that every decoded token carries. A missing ``iat`` is refused,
#: never taken as "now": the "log out everywhere" watermark compares it.
_REQUIRED_CLAIMS: Final = frozenset(('sub', 'exp', 'iat'))

#: Leeway that makes ``__post_init__`` skip its time checks.
#: Used when the decoder has already verified time claims (or was told not to).
_TRUST_DECODER_LEEWAY: Final = 2**62


@dataclasses.dataclass(frozen=True, slots=True)
class JWToken:
    """
    JWT Token DTO.

    Attributes:
        sub: Subject - usually a unique identifier
            of the user or equivalent entity.
        exp: Expiration - datetime for token expiration.
        iat: Issued at - should always be current now.
        iss: Issuer - optional unique identifier for the issuer.
        aud: Audience - intended audience(s).
        jti: JWT ID - a unique identifier of the JWT between different issuers.
        extras: Extra fields that were found on the JWT token.
            On the wire they live in a nested ``"extras"`` object;
            unknown top-level claims (like ``nbf``) are merged in on decode.

    Datetimes are normalized to UTC without microseconds;
    naive datetimes are taken as UTC.
    """

    sub: str
    exp: dt.datetime
    iat: dt.datetime = dataclasses.field(
        default_factory=lambda: dt.datetime.now(dt.UTC),
    )
    iss: str | None = None
    aud: str | Sequence[str] | None = None
    jti: str | None = None
    extras: dict[str, Any] = dataclasses.field(default_factory=dict)
    leeway: dataclasses.InitVar[int] = 0

    def __post_init__(self, leeway: int) -> None:
        """
        Runs extra validation.

        Checks the types of every claim, that ``exp`` is in the future and
        ``iat`` is not, both within *leeway* seconds.

        Raises:
            TypeError: If a claim has a wrong type.
            ValueError: If a time claim is out of range.

        """
        if not (
            _claims.is_non_empty_string(self.sub)
            and _claims.is_unicode(self.sub)
        ):
            raise TypeError('`sub` must be a non-empty string')
        if not _claims.is_optional_string(self.iss):
            raise TypeError('`iss` must be a string')
        if not _claims.is_optional_string(self.jti):
            raise TypeError('`jti` must be a string')
        if not (
            _claims.is_dict(self.extras)
            and _claims.is_json_unicode(self.extras)
        ):
            raise TypeError('`extras` must be a dict of valid Unicode')
        _claims.validate_audience(self.aud)

        exp = _claims.normalize_datetime(self.exp, 'exp')
        iat = _claims.normalize_datetime(self.iat, 'iat')
        object.__setattr__(self, 'exp', exp)
        object.__setattr__(self, 'iat', iat)
        if leeway >= _TRUST_DECODER_LEEWAY:
            return
        now = dt.datetime.now(dt.UTC).timestamp()
        if exp.timestamp() + leeway <= now:
            raise ValueError('`exp` must be a datetime in the future')
        if iat.timestamp() - leeway > now:
            raise ValueError('`iat` must be a current or a past datetime')

    # `()`, not `('secret')`: PyJWT's frames below hold it as `key`.
    @sensitive_variables()
    def encode(
        self,
        secret: str | bytes | _pyjwt.SigningKey,
        algorithm: str,
        headers: dict[str, Any] | None = None,
    ) -> str:
        """
        Encode the token instance into a string.

        Args:
            secret: The secret with which the JWT is encoded, or a
                private key (``cryptography``) for RS/PS/ES/EdDSA.
            algorithm: The algorithm used to encode the JWT.
            headers: Optional headers to include
                in the JWT (e.g., ``{"kid": "..."}``).

        Returns:
            An encoded token string.

        Raises:
            TokenEncodeError: If encoding fails (the key or the claims
                cannot work); controllers answer it with ``500``.

        """
        with _pyjwt.encode_errors():
            claims = self.to_claims()
        return _pyjwt.encode(claims, secret, algorithm, headers)

    def to_claims(self) -> dict[str, Any]:
        """
        Return the JSON claims of this token, in the wire order.

        ``None`` values are left out, datetimes become integer timestamps.
        Fields that subclasses add are written as top-level claims.
        """
        claims: dict[str, Any] = {
            'sub': self.sub,
            'exp': int(self.exp.timestamp()),
            'iat': int(self.iat.timestamp()),
        }
        if self.iss is not None:
            claims['iss'] = self.iss
        if self.aud is not None:
            claims['aud'] = (
                self.aud if isinstance(self.aud, str) else list(self.aud)
            )
        if self.jti is not None:
            claims['jti'] = self.jti
        for extra_field in _subclass_fields(type(self)):
            claim_value = getattr(self, extra_field)
            if claim_value is not None:
                claims[extra_field] = claim_value
        claims[_EXTRAS_CLAIM] = self.extras
        return claims

    @classmethod
    @sensitive_variables()
    def decode(
        cls,
        encoded_token: str,
        secret: str,
        algorithm: str,
        *,
        leeway: int = 0,
        accepted_audiences: str | Sequence[str] | None = None,
        accepted_issuers: str | Sequence[str] | None = None,
        require_claims: Sequence[str] | None = None,
        verify_exp: bool = True,
        verify_iat: bool = True,
        verify_jti: bool = True,
        verify_nbf: bool = True,
        verify_sub: bool = True,
        strict_audience: bool = False,
        enforce_minimum_key_length: bool = True,
    ) -> Self:
        """
        Decode a passed in token string and return a Token instance.

        The one decode path: the auth classes and the controllers call it
        too (with the keywords of their :class:`~dmr_jwt.VerifyOptions`),
        so a subclass that overrides it is used everywhere. To change one
        step, override :meth:`decode_payload` or :meth:`from_claims`.

        Args:
            encoded_token: A base64 string containing an encoded JWT.
            secret: The secret with which the JWT is encoded.
            algorithm: The algorithm used to encode the JWT.
            leeway: Number of potential seconds as a clock error
                for expired tokens.
            accepted_audiences: Verify the audience when decoding the token.
                A token that has ``aud`` is rejected when this is ``None``.
            accepted_issuers: Verify the issuer when decoding the token.
            require_claims: Verify that the given claims
                are present in the token
                (``sub``, ``exp`` and ``iat`` always are).
            verify_exp: Verify that the value of the ``exp`` (*expiration*)
                claim is in the future.
            verify_iat: Verify that ``iat`` (*issued at*)
                claim value is an integer (it must be present either way).
            verify_jti: Check that ``jti`` (*JWT ID*) claim is a string.
            verify_nbf: Verify that the value of the ``nbf`` (*not before*)
                claim is in the past.
            verify_sub: Check that ``sub`` (*subject*) claim is a string.
            strict_audience: Verify that the value of the ``aud``
                (*audience*) claim is a single value, and not a list of
                values, and matches ``audience`` exactly.
                Requires *accepted_audiences* to be a single string.
            enforce_minimum_key_length: Raise an auth error when
                keys are below minimum recommended length.

        Returns:
            A decoded Token instance.

        Raises:
            InvalidTokenError: If the token is invalid, with the reason;
                the auth classes answer it with ``401``.
            ValueError: Options that cannot work together
                (see :class:`~dmr_jwt.VerifyOptions`).

        """
        options = _interned_options(
            algorithm=algorithm,
            leeway=leeway,
            accepted_audiences=_hashable(accepted_audiences),
            accepted_issuers=_hashable(accepted_issuers),
            require_claims=tuple(require_claims or ()),
            verify_exp=verify_exp,
            verify_iat=verify_iat,
            verify_jti=verify_jti,
            verify_nbf=verify_nbf,
            verify_sub=verify_sub,
            strict_audience=strict_audience,
            enforce_minimum_key_length=enforce_minimum_key_length,
        )
        # A `try`, not a context manager: this is the request path.
        try:
            payload = cls.decode_payload(
                encoded_token,
                secret,
                **_pyjwt.decode_arguments(options),
            )
            return cls.from_claims(payload, leeway=_TRUST_DECODER_LEEWAY)
        except _pyjwt.DECODE_ERRORS as exc:
            raise _pyjwt.invalid_token(exc) from None

    @classmethod
    @sensitive_variables()
    def decode_payload(
        cls,
        encoded_token: str,
        secret: str,
        algorithms: list[str],
        *,
        leeway: int,
        issuer: str | Sequence[str] | None,
        audience: str | Sequence[str] | None,
        options: Any,
    ) -> dict[str, Any]:
        """
        Decode and verify the JWT and return its payload.

        *options* are PyJWT's ``options``. Raises PyJWT's own errors;
        :meth:`decode` turns them into
        :exc:`~dmr_jwt.errors.InvalidTokenError`.
        """
        return _pyjwt.decode_payload(
            encoded_token,
            secret,
            algorithms,
            leeway=leeway,
            issuer=issuer,
            audience=audience,
            options=options,
        )

    @classmethod
    def from_claims(
        cls,
        claims: Mapping[str, Any],
        *,
        leeway: int = 0,
    ) -> Self:
        """
        Build a token from verified JSON *claims*.

        Registered claims become fields, the nested ``extras`` object and
        every unknown top-level claim become :attr:`extras`. ``sub``,
        ``exp`` and ``iat`` are required: a token without ``iat`` is never
        taken as issued "now", so "log out everywhere" (which compares
        ``iat``) cannot miss it.

        Raises:
            ValueError: If a claim is missing or has a wrong type.
            OverflowError: If a timestamp is out of range.

        .. versionadded:: 0.1.0
        """
        fields = _all_fields(cls)
        nested = claims.get(_EXTRAS_CLAIM, {})
        if not isinstance(nested, dict):
            raise TypeError('`extras` claim must be an object')
        extras: dict[str, Any] = {}
        kwargs: dict[str, Any] = {}
        for name, claim_value in claims.items():
            if name == _EXTRAS_CLAIM:
                continue
            if name in fields:
                kwargs[name] = claim_value
            else:
                extras[name] = claim_value
        # The nested object wins: `extras.type` decides the token type,
        # whatever a top-level `type` claim says.
        extras.update(nested)
        if not _REQUIRED_CLAIMS.issubset(kwargs):
            raise _pyjwt.MissingClaimError(
                '`sub`, `exp` and `iat` are required'
            )
        kwargs['exp'] = _claims.from_timestamp(kwargs['exp'])
        kwargs['iat'] = _claims.from_timestamp(kwargs['iat'])
        if 'nbf' in claims:
            # Not a field, but a NumericDate all the same (RFC 7519). Only
            # the registered, top-level claim: `extras.nbf` is the
            # application's own data.
            _claims.from_timestamp(claims['nbf'])
        return cls(**kwargs, extras=extras, leeway=leeway)


#: The claims of :class:`JWToken` itself, without ``extras``.
_BASE_FIELDS: Final = frozenset(
    field.name
    for field in dataclasses.fields(JWToken)
    if field.name != _EXTRAS_CLAIM
)


def _all_fields(token_cls: type[JWToken]) -> frozenset[str]:
    if token_cls is JWToken:
        return _BASE_FIELDS
    return frozenset(
        field.name
        for field in dataclasses.fields(token_cls)
        if field.name != _EXTRAS_CLAIM
    )


def _subclass_fields(token_cls: type[JWToken]) -> tuple[str, ...]:
    if token_cls is JWToken:
        return ()
    return tuple(
        field.name
        for field in dataclasses.fields(token_cls)
        if field.name not in _BASE_FIELDS and field.name != _EXTRAS_CLAIM
    )


#: One :class:`~dmr_jwt.VerifyOptions` per set of keywords: the auth
#: classes call :meth:`JWToken.decode` with the same ones on every request.
_interned_options = functools.lru_cache(maxsize=64)(_VerifyOptions)


def _hashable(
    names: str | Sequence[str] | None,
) -> str | tuple[str, ...] | None:
    # Lists become tuples, so that `_interned_options` can key them.
    if names is None or isinstance(names, str):
        return names
    return tuple(names)
