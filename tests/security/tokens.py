"""Forging tokens by hand, byte by byte: what an attacker would send.

PyJWT refuses to build most of these tokens (``alg: none``, an HMAC token
keyed with a PEM public key, ``NaN`` claims...), so every segment is
written here: JSON text (or any bytes), base64url without padding, and a
signature made with :mod:`hmac` or with PyJWT's algorithm objects.
"""

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any, Final, TypeAlias

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

PrivateKey: TypeAlias = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

#: A signing key: an HMAC secret (any bytes) or an asymmetric private key.
SigningKey: TypeAlias = str | bytes | PrivateKey

#: A JSON segment: an object to serialize, raw JSON text, or raw bytes.
Segment: TypeAlias = Mapping[str, Any] | str | bytes

_HMAC_DIGESTS: Final = {
    'HS256': hashlib.sha256,
    'HS384': hashlib.sha384,
    'HS512': hashlib.sha512,
}


def b64url(data: str | bytes) -> str:
    """Base64url without padding (RFC 7515, section 2)."""
    raw = data.encode() if isinstance(data, str) else data
    return base64.urlsafe_b64encode(raw).rstrip(b'=').decode()


def b64url_decode(segment: str) -> bytes:
    """The bytes of one base64url segment, padding added back."""
    return base64.urlsafe_b64decode(segment + '=' * (-len(segment) % 4))


def segment_bytes(segment: Segment) -> bytes:
    """The bytes of a segment: compact JSON for a mapping."""
    if isinstance(segment, bytes):
        return segment
    if isinstance(segment, str):
        return segment.encode('utf-8', errors='surrogatepass')
    return json.dumps(dict(segment), separators=(',', ':')).encode()


def json_with_raw(claims: Mapping[str, Any], **raw: str) -> str:
    """
    Compact JSON of *claims*, with the *raw* values written as they are.

    ``json_with_raw(claims, exp='NaN')`` writes ``"exp":NaN``: JSON text
    that no encoder of ours would produce, but Python's parser accepts.
    """
    members = [
        f'{json.dumps(name)}:{json.dumps(claim_value)}'
        for name, claim_value in claims.items()
        if name not in raw
    ]
    members.extend(f'{json.dumps(name)}:{text}' for name, text in raw.items())
    return '{' + ','.join(members) + '}'


def signature(signing_input: str, key: SigningKey, algorithm: str) -> bytes:
    """
    Sign *signing_input* with *key*, as *algorithm* says, by hand.

    HMAC uses :mod:`hmac` with the key bytes as they are, PEM included
    (PyJWT refuses that: it is the algorithm confusion attack).
    """
    message = signing_input.encode()
    if algorithm in _HMAC_DIGESTS:
        assert isinstance(key, str | bytes)
        secret = key.encode() if isinstance(key, str) else key
        return hmac.new(secret, message, _HMAC_DIGESTS[algorithm]).digest()
    assert not isinstance(key, str | bytes)
    signer = jwt.get_algorithm_by_name(algorithm)
    return signer.sign(message, key)


def craft(
    header: Segment,
    payload: Segment,
    *,
    key: SigningKey,
    algorithm: str,
) -> str:
    """A compact JWS of these exact segments, signed with *key*."""
    signing_input = (
        f'{b64url(segment_bytes(header))}.{b64url(segment_bytes(payload))}'
    )
    return f'{signing_input}.{b64url(signature(signing_input, key, algorithm))}'


def unsigned(header: Segment, payload: Segment, signature_: str = '') -> str:
    """A compact JWS of these segments with a given (or no) signature."""
    return (
        f'{b64url(segment_bytes(header))}.'
        f'{b64url(segment_bytes(payload))}.{signature_}'
    )


def replace_segment(token: str, index: int, segment: str) -> str:
    """*token* with its segment *index* replaced, nothing re-signed."""
    parts = token.split('.')
    parts[index] = segment
    return '.'.join(parts)


def decode_segment(token: str, index: int) -> dict[str, Any]:
    """The JSON object in segment *index* of *token*."""
    decoded: dict[str, Any] = json.loads(
        b64url_decode(token.split('.')[index]),
    )
    return decoded


def signature_bytes(token: str) -> bytes:
    """The raw signature of *token*."""
    return b64url_decode(token.rsplit('.', 1)[1])


def with_signature(token: str, raw: bytes) -> str:
    """*token* with its signature replaced by *raw*, encoded."""
    return replace_segment(token, 2, b64url(raw))
