"""The PyJWT adapter for tokens (:mod:`~dmr_jwt._internal.pyjwk`: for keys).

The two are the only modules of ``dmr_jwt`` that import ``jwt`` (an
import-linter contract in ``pyproject.toml`` keeps them so). This one signs
and verifies (``encode``, ``decode_payload``), reads the ``kid`` of a
header (``unverified_kid``) and maps everything that PyJWT or a claim
conversion can raise onto this package's own errors (``token_errors``,
``encode_errors``): :exc:`dmr_jwt.errors.InvalidTokenError` with a
:class:`~dmr_jwt.errors.Reason`, :exc:`dmr_jwt.errors.TokenEncodeError`.
"""

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any, Final, TypeAlias

import jwt
from cryptography.hazmat.primitives.asymmetric.ec import (
    EllipticCurvePrivateKey,
    EllipticCurvePublicKey,
)
from cryptography.hazmat.primitives.asymmetric.ed448 import (
    Ed448PrivateKey,
    Ed448PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.rsa import (
    RSAPrivateKey,
    RSAPublicKey,
)
from django.views.decorators.debug import sensitive_variables

from dmr_jwt.errors import InvalidTokenError, Reason, TokenEncodeError
from dmr_jwt.options import VerifyOptions

__all__ = (
    'DECODE_ERRORS',
    'MissingClaimError',
    'SigningKey',
    'VerifyingKey',
    'decode_arguments',
    'decode_payload',
    'encode',
    'encode_errors',
    'invalid_token',
    'token_errors',
    'unverified_kid',
)


#: What signs: an HMAC secret, or a private key that PyJWT takes.
SigningKey: TypeAlias = (
    str
    | bytes
    | RSAPrivateKey
    | EllipticCurvePrivateKey
    | Ed25519PrivateKey
    | Ed448PrivateKey
)
#: What verifies: an HMAC secret, or a public key that PyJWT takes.
VerifyingKey: TypeAlias = (
    str
    | bytes
    | RSAPublicKey
    | EllipticCurvePublicKey
    | Ed25519PublicKey
    | Ed448PublicKey
)


class MissingClaimError(ValueError):
    """A claim that all tokens carry (``sub``, ``exp``, ``iat``) is missing."""


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
DECODE_ERRORS: Final = (
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

#: What PyJWT's messages about a claim of the wrong type contain.
_CLAIM_MESSAGE: Final = ' claim ('

# Why decoding failed, the most specific class first
# (`InvalidSignatureError` is a `DecodeError`, every PyJWT error is an
# `InvalidTokenError`, `UnicodeError` and `MissingClaimError` are
# `ValueError`s).
_REASONS: Final = (
    (MissingClaimError, Reason.MISSING_CLAIM),
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


@contextlib.contextmanager
def token_errors() -> Iterator[None]:
    """
    Turn whatever verifying an untrusted token raised into our error.

    Raises:
        InvalidTokenError: With the :class:`Reason`; never the cause
            (``from None``: it may hold the token).

    """
    try:
        yield
    except DECODE_ERRORS as exc:
        raise invalid_token(exc) from None


@contextlib.contextmanager
def encode_errors() -> Iterator[None]:
    """
    Turn whatever encoding raised into :exc:`TokenEncodeError`.

    Raises:
        TokenEncodeError: Without the cause (it may hold the key).

    """
    try:
        yield
    except _ENCODE_ERRORS:
        raise TokenEncodeError('Failed to encode token') from None


# `()`, not `('key')`: PyJWT's frames below hold it as `key` too.
@sensitive_variables()
def encode(
    claims: dict[str, Any],
    secret: str | bytes | SigningKey,
    algorithm: str,
    headers: dict[str, Any] | None,
) -> str:
    """Sign *claims*; PyJWT's errors go through :func:`encode_errors`."""
    with encode_errors():
        return jwt.encode(claims, secret, algorithm=algorithm, headers=headers)


@sensitive_variables()
def decode_payload(
    encoded_token: str,
    secret: str | bytes | VerifyingKey,
    algorithms: list[str],
    *,
    leeway: int,
    issuer: str | Sequence[str] | None,
    audience: str | Sequence[str] | None,
    options: Any,
) -> dict[str, Any]:
    """Verify *encoded_token* and return its claims; raises PyJWT's errors."""
    return jwt.decode(
        encoded_token,
        secret,
        algorithms=algorithms,
        options=options,
        audience=audience,
        issuer=issuer,
        leeway=leeway,
    )


def decode_arguments(options: VerifyOptions) -> dict[str, Any]:
    """
    The keyword arguments of :func:`decode_payload` for *options*.

    Fresh lists and dicts on every call: ``decode_payload`` is an override
    point, and what one call does to its arguments must never reach the
    next one. Audiences and issuers are tuples (immutable; PyJWT iterates
    anything that is not a ``str``).
    """
    return {
        'algorithms': [options.algorithm],
        'leeway': options.leeway,
        'issuer': options.accepted_issuers,
        'audience': options.accepted_audiences,
        'options': options.pyjwt_options(),
    }


def invalid_token(exc: BaseException) -> InvalidTokenError:
    """The :exc:`InvalidTokenError` for one of :data:`DECODE_ERRORS`."""
    return InvalidTokenError(_reason_for(exc))


#: Longest ``kid`` that is looked up at all (RFC 7515 sets no limit).
MAX_KID_LENGTH: Final = 256


def unverified_kid(encoded_token: str) -> str | None:
    """
    The ``kid`` of a token's header, *before* the signature is checked.

    Only used to pick the key: nothing else of the header is trusted (``jku``
    and ``x5u`` are never followed; ``alg`` is checked against the key's own
    algorithm by PyJWT).

    Raises:
        InvalidTokenError: ``MALFORMED`` for a header that cannot be read,
            or a ``kid`` that is not a short, non-empty string.

    """
    try:
        header = jwt.get_unverified_header(encoded_token)
    except DECODE_ERRORS as exc:
        raise invalid_token(exc) from None
    kid = header.get('kid')
    if kid is None:
        return None
    if not isinstance(kid, str) or not kid or len(kid) > MAX_KID_LENGTH:
        raise InvalidTokenError(Reason.MALFORMED)
    return kid
