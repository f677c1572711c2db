"""The PyJWT adapter for keys: load, check, publish and fetch them.

With :mod:`~dmr_jwt._internal.pyjwt` (tokens), the only modules of
``dmr_jwt`` that import ``jwt`` (an import-linter contract in
``pyproject.toml``). PyJWT's own loaders and rules: ``prepare_key`` (which
refuses an HMAC secret for an asymmetric algorithm, a PEM key as an HMAC
secret, an EC key on the wrong curve), ``check_key_length``, ``to_jwk``,
``PyJWK`` and ``PyJWKClient``.
"""

import ssl
import urllib.error
from typing import Any

import jwt
from django.views.decorators.debug import sensitive_variables

from dmr_jwt.errors import KeysUnavailableError

__all__ = (
    'fetch_jwk_set',
    'key_length_problem',
    'key_problem',
    'load_public_jwk',
    'prepare_key',
    'private_jwk',
    'public_jwk',
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


@sensitive_variables()
def prepare_key(material: str | bytes, algorithm: str, *, private: bool) -> Any:
    """
    Load *material* (PEM text or an HMAC secret) as a key of *algorithm*.

    PyJWT's own loader: it refuses an HMAC secret for an asymmetric
    algorithm, a PEM key as an HMAC secret, and an EC key on another curve
    than its algorithm's. A private key is returned as one (it signs); the
    public half is ``public_key()`` of it.

    Raises:
        ValueError: Why the key does not fit; never the key itself.

    """
    problem = key_problem(material, algorithm, check_length=False)
    if problem is not None:
        raise ValueError(problem)
    key = jwt.get_algorithm_by_name(algorithm).prepare_key(material)
    if private and not isinstance(key, bytes) and not hasattr(key, 'sign'):
        raise ValueError(f'A private key is needed to sign {algorithm} tokens.')
    return key


def key_length_problem(key: Any, algorithm: str) -> str | None:
    """PyJWT's minimum key length rule for a prepared *key*, or ``None``."""
    return jwt.get_algorithm_by_name(algorithm).check_key_length(key)


def public_jwk(key: Any, algorithm: str) -> dict[str, Any]:
    """The public JWK (RFC 7517) of a prepared asymmetric *key*."""
    public = key.public_key() if hasattr(key, 'private_bytes') else key
    jwk: dict[str, Any] = jwt.get_algorithm_by_name(algorithm).to_jwk(
        public,
        as_dict=True,
    )
    return jwk


def fetch_jwk_set(
    url: str,
    *,
    timeout: float,
    ssl_context: ssl.SSLContext | None = None,
) -> list[Any]:
    """
    The members of the JWK Set at *url*, fetched by :class:`jwt.PyJWKClient`.

    PyJWT's client does the HTTP (redirects refused, every socket
    operation bounded by *timeout*) and the JSON; nothing is cached.

    Raises:
        KeysUnavailableError: Why it could not be had (a status, a
            connection error, not JSON); never the response body.

    """
    client = jwt.PyJWKClient(
        url, cache_jwk_set=False, timeout=timeout, ssl_context=ssl_context
    )
    try:
        document = client.fetch_data()
    except jwt.PyJWKClientConnectionError as exc:
        raise KeysUnavailableError(_fetch_failure(exc.__cause__)) from None
    except jwt.PyJWKClientError:
        raise KeysUnavailableError(
            'the response is not a JSON object'
        ) from None
    except ValueError:
        raise KeysUnavailableError('the response is not JSON') from None
    except OSError as exc:
        raise KeysUnavailableError(_fetch_failure(exc)) from None
    members = document.get('keys')
    if not isinstance(members, list):
        raise KeysUnavailableError('the response has no "keys" list')
    return members


def _fetch_failure(exc: BaseException | None) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f'HTTP status {exc.code}'
    if isinstance(exc, urllib.error.URLError):
        return f'cannot connect ({exc.reason})'
    if isinstance(exc, TimeoutError):
        return 'timed out'
    return f'connection failed ({type(exc).__name__})'


@sensitive_variables()
def load_public_jwk(jwk: dict[str, Any], algorithm: str) -> Any:
    """
    Load the public key of the JWK *jwk* (:class:`jwt.PyJWK`) for *algorithm*.

    Raises:
        ValueError: It is not a public key that fits *algorithm* (another
            ``kty`` or curve, a private key, an RSA key below 2048 bits);
            never PyJWT's message, which can quote the JWK.

    """
    try:
        algorithm_impl = jwt.get_algorithm_by_name(algorithm)
        # `prepare_key` of a loaded key checks it against the algorithm
        # (an EC key's curve); `PyJWK` alone does not.
        key = algorithm_impl.prepare_key(jwt.PyJWK(jwk, algorithm).key)
    except (jwt.PyJWTError, ValueError, TypeError, NotImplementedError):
        raise ValueError(f'not a valid {algorithm} public key') from None
    if isinstance(key, bytes) or hasattr(key, 'private_bytes'):
        raise ValueError('a private or symmetric key is never trusted')
    problem = algorithm_impl.check_key_length(key)
    if problem is not None:
        raise ValueError(problem)
    return key


def private_jwk(key: Any, algorithm: str) -> dict[str, Any]:
    """
    The JWK (RFC 7517) of a prepared signing *key*, private parameters too.

    Only for ``manage.py jwt_keys jwks --private``: never served.
    """
    jwk: dict[str, Any] = jwt.get_algorithm_by_name(algorithm).to_jwk(
        key,
        as_dict=True,
    )
    return jwk
