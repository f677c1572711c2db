"""Only the server's own key makes a signature: every other one is refused.

A valid token of each server is mutated: its signature stripped,
truncated, zeroed, flipped, swapped; its header or payload changed and
re-encoded without re-signing. Tokens signed with any other key are
refused too. The reason is always ``Invalid token signature``, except
when the signature segment is not base64url at all (``Malformed token``).
"""

import json
import secrets
from collections.abc import Callable
from typing import Final

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.conf import settings

from dmr_jwt.errors import Reason
from tests.security.harness import SERVERS, Check, Forge
from tests.security.tokens import (
    SigningKey,
    b64url,
    craft,
    decode_segment,
    replace_segment,
    signature_bytes,
    with_signature,
)

pytestmark = [
    pytest.mark.urls('tests.app.security_urls'),
    pytest.mark.django_db,
]

_SERVERS: Final = ('hs256', 'rs256', 'es256')

_BAD_SIGNATURE: Final = Reason.INVALID_SIGNATURE

_Mutation = Callable[[str], str]


def _flip_bits(raw: bytes) -> bytes:
    return bytes([raw[0] ^ 0x01, *raw[1:-1], raw[-1] ^ 0x80])


def _truncate_text(length: int) -> _Mutation:
    def mutate(token: str) -> str:
        encoded = token.rsplit('.', 1)[1]
        return replace_segment(token, 2, encoded[:length])

    return mutate


_SIGNATURE_MUTATIONS: Final[dict[str, tuple[_Mutation, Reason | None]]] = {
    'control': (lambda token: token, None),
    'stripped': (lambda token: replace_segment(token, 2, ''), _BAD_SIGNATURE),
    'truncated-half': (
        lambda token: with_signature(token, signature_bytes(token)[:16]),
        _BAD_SIGNATURE,
    ),
    'truncated-one-byte': (
        lambda token: with_signature(token, signature_bytes(token)[:-1]),
        _BAD_SIGNATURE,
    ),
    # 40 base64url characters are 30 whole bytes: a shorter signature.
    'truncated-40-chars': (_truncate_text(40), _BAD_SIGNATURE),
    # 41 characters are no base64 at all (length 1 modulo 4).
    'truncated-41-chars': (_truncate_text(41), Reason.MALFORMED),
    'extended': (
        lambda token: with_signature(token, signature_bytes(token) + b'\0'),
        _BAD_SIGNATURE,
    ),
    'doubled': (
        lambda token: with_signature(token, signature_bytes(token) * 2),
        _BAD_SIGNATURE,
    ),
    'zeroed': (
        lambda token: with_signature(
            token,
            bytes(len(signature_bytes(token))),
        ),
        _BAD_SIGNATURE,
    ),
    'bits-flipped': (
        lambda token: with_signature(token, _flip_bits(signature_bytes(token))),
        _BAD_SIGNATURE,
    ),
    'not-base64url': (
        lambda token: replace_segment(token, 2, '!!!!'),
        Reason.MALFORMED,
    ),
}


@pytest.mark.parametrize('server', _SERVERS)
@pytest.mark.parametrize('mutation_name', list(_SIGNATURE_MUTATIONS))
def test_mutated_signature_is_rejected(
    *,
    check: Check,
    forge: Forge,
    server: str,
    mutation_name: str,
) -> None:
    mutate, expected = _SIGNATURE_MUTATIONS[mutation_name]

    assert check(mutate(forge.token(server)), server) == forge.outcome(
        expected,
    )


@pytest.mark.parametrize('server', _SERVERS)
def test_signature_of_another_token_is_rejected(
    *,
    check: Check,
    forge: Forge,
    server: str,
) -> None:
    # Two valid tokens of the same server; the signatures swapped.
    mine = forge.token(server)
    other = forge.token(server, sub='another-subject')

    assert check(mine, server) == forge.outcome(None)
    assert check(
        with_signature(mine, signature_bytes(other)),
        server,
    ) == (_BAD_SIGNATURE)


def _edit_payload(**changes: object) -> _Mutation:
    def mutate(token: str) -> str:
        payload = {**decode_segment(token, 1), **changes}
        return replace_segment(token, 1, b64url(json.dumps(payload)))

    return mutate


def _edit_header(**changes: object) -> _Mutation:
    def mutate(token: str) -> str:
        header = {**decode_segment(token, 0), **changes}
        return replace_segment(token, 0, b64url(json.dumps(header)))

    return mutate


def _reencode(index: int) -> _Mutation:
    # The same JSON object, written with other whitespace: other bytes.
    def mutate(token: str) -> str:
        segment = decode_segment(token, index)
        return replace_segment(token, index, b64url(json.dumps(segment)))

    return mutate


_SEGMENT_MUTATIONS: Final[dict[str, tuple[_Mutation, Reason | None]]] = {
    'control': (lambda token: token, None),
    'payload-sub': (_edit_payload(sub='2'), _BAD_SIGNATURE),
    'payload-exp': (_edit_payload(exp=2**40), _BAD_SIGNATURE),
    'payload-type': (
        _edit_payload(extras={'type': 'refresh'}),
        _BAD_SIGNATURE,
    ),
    'payload-extra-claim': (_edit_payload(admin=True), _BAD_SIGNATURE),
    'payload-same-json-other-bytes': (_reencode(1), _BAD_SIGNATURE),
    'header-kid': (_edit_header(kid='other'), _BAD_SIGNATURE),
    'header-typ': (_edit_header(typ='at+jwt'), _BAD_SIGNATURE),
    'header-same-json-other-bytes': (_reencode(0), _BAD_SIGNATURE),
}


@pytest.mark.parametrize('server', _SERVERS)
@pytest.mark.parametrize('mutation_name', list(_SEGMENT_MUTATIONS))
def test_tampered_header_or_payload_is_rejected(
    *,
    check: Check,
    forge: Forge,
    server: str,
    mutation_name: str,
) -> None:
    mutate, expected = _SEGMENT_MUTATIONS[mutation_name]

    assert check(mutate(forge.token(server)), server) == forge.outcome(
        expected,
    )


def test_tampered_refresh_token_does_not_become_an_access_token(
    *,
    check: Check,
    forge: Forge,
) -> None:
    refresh = forge.token(token_type='refresh')
    tampered = _edit_payload(extras={'type': 'access'})(refresh)

    assert check(tampered) == _BAD_SIGNATURE


@pytest.fixture
def wrong_keys(
    attacker_rsa_key: rsa.RSAPrivateKey,
    attacker_ec_key: ec.EllipticCurvePrivateKey,
) -> dict[str, SigningKey]:
    """Keys that are not the server's, by name."""
    secret = settings.SECRET_KEY
    return {
        'hs256-other-secret': secrets.token_urlsafe(64),
        'hs256-secret-one-char-off': secret[:-1] + chr(ord(secret[-1]) ^ 1),
        'hs256-secret-prefix': secret[:32],
        'hs256-empty-secret': b'',
        'rs256-attacker-key': attacker_rsa_key,
        'es256-attacker-key': attacker_ec_key,
    }


@pytest.mark.parametrize(
    'key_name',
    [
        'hs256-other-secret',
        'hs256-secret-one-char-off',
        'hs256-secret-prefix',
        'hs256-empty-secret',
        'rs256-attacker-key',
        'es256-attacker-key',
    ],
)
def test_token_signed_with_a_wrong_key_is_rejected(
    *,
    check: Check,
    forge: Forge,
    wrong_keys: dict[str, SigningKey],
    key_name: str,
) -> None:
    server = key_name.split('-', 1)[0]
    algorithm = SERVERS[server].algorithm
    forged = craft(
        {'alg': algorithm, 'typ': 'JWT'},
        forge.claims(server),
        key=wrong_keys[key_name],
        algorithm=algorithm,
    )

    assert check(forge.token(server), server) == forge.outcome(None)
    assert check(forged, server) == _BAD_SIGNATURE
