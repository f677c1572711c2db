"""The JWT claims DTO: the only module of ``dmr_jwt`` that calls PyJWT.

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

Errors:

- every token that cannot be decoded or verified raises
  :exc:`dmr.exceptions.NotAuthenticatedError` (a ``401``), nothing else;
- a token that cannot be encoded raises
  :exc:`dmr.exceptions.InternalServerError` (a ``500``: our bug or config).
"""

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Final, Self, final

import jwt
from django.views.decorators.debug import sensitive_variables
from dmr.exceptions import InternalServerError
from jwt.types import Options

from dmr_jwt.claims import (
    from_timestamp,
    is_dict,
    is_json_unicode,
    is_non_empty_string,
    is_optional_string,
    is_unicode,
    none_if_empty,
    normalize_datetime,
    validate_audience,
)
from dmr_jwt.errors import Reason, token_error

__all__ = ('DecodeConfig', 'JWToken', 'is_non_empty_string', 'key_problem')

#: The claim that carries every non-registered value, as a nested object.
_EXTRAS_CLAIM: Final = 'extras'

#: Claims that every decoded token carries. A missing ``iat`` is refused,
#: never taken as "now": the "log out everywhere" watermark compares it.
_REQUIRED_CLAIMS: Final = frozenset(('sub', 'exp', 'iat'))

#: Leeway that makes ``__post_init__`` skip its time checks.
#: Used when the decoder has already verified time claims (or was told not to).
_TRUST_DECODER_LEEWAY: Final = 2**62

# Everything that decoding an untrusted string can raise,
# whatever the library or the claim value:
#
# - ``jwt.InvalidTokenError`` is the base of every PyJWT token error;
# - ``jwt.InvalidKeyError`` is *not* under it, and is raised for keys
#   that do not fit the algorithm (configuration, checked at start-up,
#   but a request must still never see a 500);
# - ``ValueError`` (includes ``UnicodeError``), ``TypeError``,
#   ``OverflowError`` and ``OSError`` come from claim conversion,
#   like ``exp=1e300`` or ``exp=Infinity`` (Python's json accepts it);
# - ``RecursionError`` comes from absurdly nested JSON in a header
#   or payload that PyJWT parses before the signature is checked.
_DECODE_ERRORS: Final = (
    jwt.InvalidTokenError,
    jwt.InvalidKeyError,
    ValueError,
    TypeError,
    OverflowError,
    OSError,
    RecursionError,
)

# What encoding can raise: PyJWT errors, a missing ``cryptography``
# (``NotImplementedError``), claims that are not JSON (``TypeError``),
# keys of a wrong shape (``ValueError``).
_ENCODE_ERRORS: Final = (
    jwt.PyJWTError,
    NotImplementedError,
    TypeError,
    ValueError,
)


class _MissingClaimError(ValueError):
    """A claim that all tokens carry (``sub``, ``exp``, ``iat``) is missing."""


#: What PyJWT's messages about a claim of the wrong type contain.
_CLAIM_MESSAGE: Final = ' claim ('

# Why decoding failed, the most specific class first
# (`InvalidSignatureError` is a `DecodeError`, every PyJWT error is an
# `InvalidTokenError`, `UnicodeError` and `_MissingClaimError` are
# `ValueError`s).
_REASONS: Final = (
    (_MissingClaimError, Reason.MISSING_CLAIM),
    # Only the token string itself can be invalid Unicode here:
    # PyJWT fails to encode it before looking at anything.
    (UnicodeError, Reason.MALFORMED),
    (jwt.InvalidSignatureError, Reason.INVALID_SIGNATURE),
    (jwt.ExpiredSignatureError, Reason.EXPIRED),
    (jwt.ImmatureSignatureError, Reason.NOT_YET_VALID),
    (jwt.InvalidAudienceError, Reason.INVALID_AUDIENCE),
    (jwt.InvalidIssuerError, Reason.INVALID_ISSUER),
    (jwt.MissingRequiredClaimError, Reason.MISSING_CLAIM),
    (jwt.InvalidAlgorithmError, Reason.ALGORITHM_NOT_ALLOWED),
    (jwt.InvalidIssuedAtError, Reason.INVALID_CLAIMS),
    (jwt.exceptions.InvalidSubjectError, Reason.INVALID_CLAIMS),
    (jwt.exceptions.InvalidJTIError, Reason.INVALID_CLAIMS),
    (jwt.DecodeError, Reason.MALFORMED),
    # A key that does not fit the token's algorithm (start-up checks
    # make sure our own key fits ours): the token is what is wrong.
    (jwt.InvalidKeyError, Reason.ALGORITHM_NOT_ALLOWED),
    (jwt.InvalidTokenError, Reason.MALFORMED),
    (RecursionError, Reason.MALFORMED),
)


def _reason_for(exc: BaseException) -> Reason:
    """Map an exception raised while decoding to a :class:`Reason`."""
    if isinstance(exc, jwt.DecodeError) and _CLAIM_MESSAGE in str(exc):
        # PyJWT raises a bare `DecodeError` both for a broken token and
        # for a well-formed one whose `exp`/`nbf` is not a number
        # ("Expiration Time claim (exp) must be an integer.").
        return Reason.INVALID_CLAIMS
    for exc_type, reason in _REASONS:
        if isinstance(exc, exc_type):
            return reason
    # `ValueError`, `TypeError`, `OverflowError`... from the claims.
    return Reason.INVALID_CLAIMS


@final
@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class DecodeConfig:
    """
    Everything that verifying a token needs, resolved once.

    Auth classes build one instance in ``__init__`` and reuse it for every
    request, so that no PyJWT option is rebuilt on the hot path.
    :meth:`JWToken.decode` builds a throwaway one per call.

    .. versionadded:: 0.1.0
    """

    secret: str = dataclasses.field(repr=False)
    algorithms: list[str]
    leeway: int
    issuer: str | Sequence[str] | None
    audience: str | Sequence[str] | None
    options: Options
    #: Leeway passed to ``__post_init__`` of the decoded token.
    post_init_leeway: int

    @classmethod
    @sensitive_variables('secret')
    def build(
        cls,
        *,
        secret: str,
        algorithm: str,
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
        Translate the documented keyword arguments into PyJWT's terms.

        See :meth:`JWToken.decode` for every argument.

        Raises:
            ValueError: *strict_audience* without a single audience,
                or the ``none`` algorithm.

        """
        if algorithm.lower() == 'none':
            raise ValueError('Unsigned tokens (`alg: none`) are never accepted')
        if strict_audience and not isinstance(accepted_audiences, str):
            raise ValueError(
                '`strict_audience=True` requires a single string '
                'in `accepted_audiences`',
            )
        options: Options = {
            'verify_signature': True,
            # A token that carries `aud` is always checked against the
            # configured audiences: with none configured, PyJWT rejects it
            # (RFC 7519, section 4.1.3).
            'verify_aud': True,
            'verify_iss': accepted_issuers is not None,
            'verify_exp': verify_exp,
            'verify_iat': verify_iat,
            'verify_nbf': verify_nbf,
            'verify_jti': verify_jti,
            'verify_sub': verify_sub,
            'strict_aud': strict_audience,
            'enforce_minimum_key_length': enforce_minimum_key_length,
            'require': list(require_claims or ()),
        }
        return cls(
            secret=secret,
            algorithms=[algorithm],
            leeway=leeway,
            issuer=none_if_empty(accepted_issuers),
            audience=none_if_empty(accepted_audiences),
            options=options,
            post_init_leeway=_TRUST_DECODER_LEEWAY,
        )


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
        if not is_non_empty_string(self.sub) or not is_unicode(self.sub):
            raise TypeError('`sub` must be a non-empty string')
        if not is_optional_string(self.iss):
            raise TypeError('`iss` must be a string')
        if not is_optional_string(self.jti):
            raise TypeError('`jti` must be a string')
        if not is_dict(self.extras) or not is_json_unicode(self.extras):
            raise TypeError('`extras` must be a dict of valid Unicode')
        validate_audience(self.aud)

        exp = normalize_datetime(self.exp, 'exp')
        iat = normalize_datetime(self.iat, 'iat')
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
        secret: str | bytes,
        algorithm: str,
        headers: dict[str, Any] | None = None,
    ) -> str:
        """
        Encode the token instance into a string.

        Args:
            secret: The secret with which the JWT is encoded.
            algorithm: The algorithm used to encode the JWT.
            headers: Optional headers to include
                in the JWT (e.g., ``{"kid": "..."}``).

        Returns:
            An encoded token string.

        Raises:
            InternalServerError: If encoding fails.

        """
        try:
            return jwt.encode(
                self.to_claims(),
                secret,
                algorithm=algorithm,
                headers=headers,
            )
        except _ENCODE_ERRORS:
            raise InternalServerError('Failed to encode token') from None

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
            NotAuthenticatedError: If the token is invalid.

        """
        config = DecodeConfig.build(
            secret=secret,
            algorithm=algorithm,
            leeway=leeway,
            accepted_audiences=accepted_audiences,
            accepted_issuers=accepted_issuers,
            require_claims=require_claims,
            verify_exp=verify_exp,
            verify_iat=verify_iat,
            verify_jti=verify_jti,
            verify_nbf=verify_nbf,
            verify_sub=verify_sub,
            strict_audience=strict_audience,
            enforce_minimum_key_length=enforce_minimum_key_length,
        )
        return cls.decode_with_config(encoded_token, config)

    @classmethod
    @sensitive_variables()
    def decode_with_config(
        cls,
        encoded_token: str,
        config: DecodeConfig,
    ) -> Self:
        """
        Decode and verify *encoded_token* with a prepared *config*.

        This is what :meth:`decode` and the auth classes call;
        override :meth:`decode_payload` or :meth:`from_claims`
        to customize a step.

        Raises:
            NotAuthenticatedError: If the token is invalid.

        .. versionadded:: 0.1.0
        """
        try:
            payload = cls.decode_payload(
                encoded_token,
                config.secret,
                config.algorithms,
                leeway=config.leeway,
                issuer=config.issuer,
                audience=config.audience,
                options=config.options,
            )
            return cls.from_claims(payload, leeway=config.post_init_leeway)
        except _DECODE_ERRORS as exc:
            raise token_error(_reason_for(exc)) from None

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
        options: Options | None,
    ) -> dict[str, Any]:
        """
        Decode and verify the JWT and return its payload.

        Raises PyJWT's own errors; :meth:`decode` turns them into ``401``.
        """
        return jwt.decode(
            encoded_token,
            secret,
            algorithms=algorithms,
            options=options,
            audience=audience,
            issuer=issuer,
            leeway=leeway,
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
            raise _MissingClaimError('`sub`, `exp` and `iat` are required')
        kwargs['exp'] = from_timestamp(kwargs['exp'])
        kwargs['iat'] = from_timestamp(kwargs['iat'])
        if 'nbf' in claims:
            # Not a field, but a NumericDate all the same (RFC 7519). Only
            # the registered, top-level claim: `extras.nbf` is the
            # application's own data.
            from_timestamp(claims['nbf'])
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


@sensitive_variables()
def key_problem(
    secret: str | bytes,
    algorithm: str,
    *,
    check_length: bool = True,
) -> str | None:
    """
    Return why *secret* cannot sign *algorithm* tokens safely, or ``None``.

    Uses PyJWT's own rules: an unknown algorithm, ``none``, a key that does
    not fit the algorithm, or (with *check_length*) a key below the minimum
    length that PyJWT enforces (RFC 7518, section 3.2: an HMAC key at least
    as long as the hash output).

    .. versionadded:: 0.1.0
    """
    if algorithm.lower() == 'none':
        return 'Unsigned tokens (`alg: none`) are never accepted.'
    try:
        algorithm_impl = jwt.get_algorithm_by_name(algorithm)
    except NotImplementedError:
        return f'Algorithm {algorithm!r} is not supported.'
    try:
        prepared_key = algorithm_impl.prepare_key(secret)
    except (jwt.InvalidKeyError, ValueError, TypeError) as exc:
        return f'The key does not fit {algorithm}: {exc}'
    if not check_length:
        return None
    return algorithm_impl.check_key_length(prepared_key)
