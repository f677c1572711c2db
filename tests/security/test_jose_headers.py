"""JOSE header parameters never choose the key, and never reach the network.

``kid``, ``jku``, ``x5u``, ``jwk`` and ``x5c`` are ignored: the key is the
configured one, nothing is fetched (``urlopen``, ``create_connection`` and
``getaddrinfo`` fail the test if called). A token signed with the
attacker's key and carrying that key in its header is refused; a token
signed with the right key is accepted whatever those headers say.

``crit`` (RFC 7515, section 4.1.11) with extensions we do not understand,
and ``b64: false`` (RFC 7797, unencoded payloads) are refused.
"""

import base64
import datetime as dt
import json
import socket
import urllib.request
from collections.abc import Callable
from typing import Any, Final

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from jwt.algorithms import ECAlgorithm, HMACAlgorithm, RSAAlgorithm

from dmr_jwt.errors import Reason
from tests.security.harness import SERVERS, Check, Forge
from tests.security.tokens import (
    PrivateKey,
    SigningKey,
    b64url,
    craft,
    signature,
)

pytestmark = [
    pytest.mark.urls('tests.app.security_urls'),
    pytest.mark.django_db,
    pytest.mark.usefixtures('no_network'),
]

_MALFORMED: Final = Reason.MALFORMED

#: The attacker's HMAC secret, for the ``hs256`` server.
_ATTACKER_SECRET: Final = b'attacker-chosen-secret-' + b'a' * 64


def _certificate(key: PrivateKey) -> x509.Certificate:
    """A self-signed certificate for the attacker's *key*."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'attacker')])
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )


@pytest.fixture(scope='module')
def attacker(
    attacker_rsa_key: rsa.RSAPrivateKey,
    attacker_ec_key: ec.EllipticCurvePrivateKey,
) -> dict[str, tuple[SigningKey, dict[str, Any]]]:
    """
    ``server -> (attacker's signing key, its jwk and x5c headers)``.

    The certificate chain of the ``hs256`` server is the RSA one: there
    is no certificate for an HMAC secret, an attacker can still send one.
    """
    rsa_chain = [_der_base64(_certificate(attacker_rsa_key))]
    return {
        'hs256': (
            _ATTACKER_SECRET,
            {
                'jwk': HMACAlgorithm.to_jwk(_ATTACKER_SECRET, as_dict=True),
                'x5c': rsa_chain,
            },
        ),
        'rs256': (
            attacker_rsa_key,
            {
                'jwk': RSAAlgorithm.to_jwk(
                    attacker_rsa_key.public_key(),
                    as_dict=True,
                ),
                'x5c': rsa_chain,
            },
        ),
        'es256': (
            attacker_ec_key,
            {
                'jwk': ECAlgorithm.to_jwk(
                    attacker_ec_key.public_key(),
                    as_dict=True,
                ),
                'x5c': [_der_base64(_certificate(attacker_ec_key))],
            },
        ),
    }


def _der_base64(certificate: x509.Certificate) -> str:
    # RFC 7515, section 4.1.6: standard base64 of DER, not base64url.
    der = certificate.public_bytes(serialization.Encoding.DER)
    return base64.b64encode(der).decode()


_KEY_HEADERS: Final[dict[str, Callable[[dict[str, Any]], dict[str, Any]]]] = {
    'jwk': lambda material: {'jwk': material['jwk']},
    'x5c': lambda material: {'x5c': material['x5c']},
    'jku': lambda material: {'jku': 'https://attacker.example/jwks.json'},
    'x5u': lambda material: {'x5u': 'https://attacker.example/chain.pem'},
    'kid': lambda material: {'kid': 'attacker-key'},
    'all-of-them': lambda material: {
        'jwk': material['jwk'],
        'x5c': material['x5c'],
        'jku': 'http://127.0.0.1:1/jwks.json',
        'x5u': 'http://127.0.0.1:1/chain.pem',
        'kid': 'attacker-key',
    },
}


@pytest.mark.parametrize('server', ['hs256', 'rs256', 'es256'])
@pytest.mark.parametrize('header_name', list(_KEY_HEADERS))
def test_key_headers_are_never_fetched_nor_trusted(
    *,
    check: Check,
    forge: Forge,
    attacker: dict[str, tuple[SigningKey, dict[str, Any]]],
    no_network: list[tuple[Any, ...]],
    server: str,
    header_name: str,
) -> None:
    attacker_key, material = attacker[server]
    algorithm = SERVERS[server].algorithm
    header = {
        'alg': algorithm,
        'typ': 'JWT',
        **_KEY_HEADERS[header_name](material),
    }
    forged = craft(
        header,
        forge.claims(server),
        key=attacker_key,
        algorithm=algorithm,
    )
    # The very same header on a token that the server did sign:
    # the headers are ignored, so it is accepted.
    genuine = forge.token(server, header=header)

    assert check(forged, server) == Reason.INVALID_SIGNATURE
    assert check(genuine, server) == forge.outcome(None)
    assert no_network == []


@pytest.mark.parametrize(
    ('kid', 'expected'),
    [
        # `kid` is ignored: there is one key, and it verifies the token.
        # A `kid` that names no key (or a path, or SQL) changes nothing.
        pytest.param('no-such-key', None, id='pointing-nowhere'),
        pytest.param('../../../../dev/null', None, id='path-traversal'),
        pytest.param("' OR '1'='1", None, id='sql'),
        pytest.param('', None, id='empty'),
        # PyJWT checks its type all the same (RFC 7515, section 4.1.4).
        pytest.param(1, _MALFORMED, id='number'),
        pytest.param(None, _MALFORMED, id='null'),
        pytest.param(['k'], _MALFORMED, id='list'),
    ],
)
def test_kid_is_ignored_but_must_be_a_string(
    *,
    check: Check,
    forge: Forge,
    kid: object,
    expected: Reason | None,
) -> None:
    token = forge.token(header={'alg': 'HS256', 'typ': 'JWT', 'kid': kid})

    assert check(token) == forge.outcome(expected)


@pytest.mark.parametrize(
    ('extra_header', 'expected'),
    [
        pytest.param({}, None, id='control'),
        pytest.param({'crit': ['exp'], 'exp': 1}, _MALFORMED, id='unknown'),
        pytest.param(
            {'crit': ['urn:example:must-understand']},
            _MALFORMED,
            id='unknown-and-absent',
        ),
        pytest.param({'crit': []}, _MALFORMED, id='empty-list'),
        pytest.param({'crit': 'b64', 'b64': True}, _MALFORMED, id='string'),
        pytest.param({'crit': [1]}, _MALFORMED, id='number-in-list'),
        pytest.param({'crit': ['b64']}, _MALFORMED, id='b64-absent'),
        # RFC 7797: `b64: true` is the default, understood, and harmless.
        pytest.param(
            {'crit': ['b64'], 'b64': True},
            None,
            id='b64-true-understood',
        ),
        pytest.param({'b64': False}, _MALFORMED, id='b64-false-without-crit'),
    ],
)
def test_crit_with_unknown_extensions_is_rejected(
    *,
    check: Check,
    forge: Forge,
    extra_header: dict[str, Any],
    expected: Reason | None,
) -> None:
    # Signed with the server's secret: only the header is wrong.
    token = forge.token(header={'alg': 'HS256', **extra_header})

    assert check(token) == forge.outcome(expected)


def _unencoded(forge: Forge, *, detached: bool) -> str:
    """
    An RFC 7797 token: ``b64: false``, the payload signed as raw JSON.

    Attached, the raw JSON stands between the dots (it has no dot);
    detached, the payload segment is empty.
    """
    header = b64url(
        json.dumps({'alg': 'HS256', 'b64': False, 'crit': ['b64']}),
    )
    payload = json.dumps(forge.claims(), separators=(',', ':'))
    assert '.' not in payload
    raw_signature = signature(
        f'{header}.{payload}',
        settings.SECRET_KEY,
        'HS256',
    )
    middle = '' if detached else payload
    return f'{header}.{middle}.{b64url(raw_signature)}'


@pytest.mark.parametrize('detached', [False, True])
def test_unencoded_payload_b64_false_is_rejected(
    *,
    check: Check,
    forge: Forge,
    detached: bool,
) -> None:
    assert check(forge.token()) == forge.outcome(None)
    assert check(_unencoded(forge, detached=detached)) == _MALFORMED


def _fetch_swallowing_errors() -> None:
    # What a careless JWKS client would do: any error means "no key".
    try:
        urllib.request.urlopen('https://attacker.example/jwks.json')
    except Exception:  # noqa: BLE001
        return


def test_network_guard_catches_a_fetch(
    *,
    no_network: list[tuple[Any, ...]],
) -> None:
    # The guard of this module is real: a fetch fails the test, even
    # inside `except Exception`, and is recorded.
    with pytest.raises(pytest.fail.Exception, match='urlopen'):
        _fetch_swallowing_errors()
    with pytest.raises(pytest.fail.Exception, match='create_connection'):
        socket.create_connection(('127.0.0.1', 1))

    assert [call[0] for call in no_network] == [
        'urlopen',
        'create_connection',
    ]
