"""The ``alg`` header never chooses how a token is verified.

Every server accepts exactly one algorithm, with its own key: ``none`` in
any casing, the algorithm confusion attack (an HMAC token keyed with the
server's PUBLIC key), asymmetric tokens at an HMAC server and any other
algorithm are refused with ``Token algorithm is not allowed``.
"""

from collections.abc import Callable
from typing import Any, Final

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from dmr_jwt import (
    InvalidTokenError,
    JWTAsyncAuth,
    JWToken,
    JWTSyncAuth,
    VerifyOptions,
)
from dmr_jwt.errors import Reason
from tests.app import security_views
from tests.security.harness import SERVERS, Check, Forge
from tests.security.tokens import (
    PrivateKey,
    b64url,
    craft,
    signature,
    unsigned,
)

pytestmark = [
    pytest.mark.urls('tests.app.security_urls'),
    pytest.mark.django_db,
]

_ASYMMETRIC: Final = ('rs256', 'es256')
_ALL: Final = ('hs256', *_ASYMMETRIC)

_NOT_ALLOWED: Final = Reason.ALGORITHM_NOT_ALLOWED


def _public_key_forms(key: PrivateKey) -> dict[str, bytes]:
    """What an attacker can use as the HMAC secret: the public key."""
    public = key.public_key()
    pem = public.public_bytes(
        serialization.Encoding.PEM,
        serialization.PublicFormat.SubjectPublicKeyInfo,
    )
    return {
        'pem': pem,
        'pem-stripped': pem.strip(),
        'der': public.public_bytes(
            serialization.Encoding.DER,
            serialization.PublicFormat.SubjectPublicKeyInfo,
        ),
        'openssh': public.public_bytes(
            serialization.Encoding.OpenSSH,
            serialization.PublicFormat.OpenSSH,
        ),
    }


def _server_key(server: str) -> PrivateKey:
    key = SERVERS[server].signing_key
    assert not isinstance(key, str | bytes)
    return key


@pytest.mark.parametrize('server', _ALL)
def test_servers_accept_their_own_tokens(
    *,
    check: Check,
    forge: Forge,
    server: str,
) -> None:
    # The positive control of this module: every setup below is sound.
    assert check(forge.token(server), server) == forge.outcome(None)


_NoneSignature = Callable[[Forge, str, str], str]

_NONE_SIGNATURES: Final[dict[str, _NoneSignature]] = {
    # `header.payload.`: what RFC 7519, section 6.1 calls an unsecured JWT.
    'without-signature': lambda forge, server, alg: unsigned(
        {'alg': alg, 'typ': 'JWT'},
        forge.claims(server),
    ),
    # Signed all the same, with the server's own HMAC secret.
    'hmac-signed': lambda forge, server, alg: craft(
        {'alg': alg, 'typ': 'JWT'},
        forge.claims(server),
        key=settings.SECRET_KEY,
        algorithm='HS256',
    ),
    # The header of a valid server token swapped for an `alg: none` one.
    'valid-signature-copied': lambda forge, server, alg: '.'.join(
        (
            b64url(f'{{"alg":"{alg}","typ":"JWT"}}'),
            *forge.token(server).split('.')[1:],
        )
    ),
    'garbage-signature': lambda forge, server, alg: unsigned(
        {'alg': alg},
        forge.claims(server),
        b64url(b'\x00' * 32),
    ),
}


@pytest.mark.parametrize('server', _ALL)
@pytest.mark.parametrize('alg', ['none', 'None', 'NONE', 'nOnE'])
@pytest.mark.parametrize('signature_kind', list(_NONE_SIGNATURES))
def test_alg_none_any_casing_is_rejected(
    *,
    check: Check,
    forge: Forge,
    server: str,
    alg: str,
    signature_kind: str,
) -> None:
    token = _NONE_SIGNATURES[signature_kind](forge, server, alg)

    assert check(token, server) == _NOT_ALLOWED


@pytest.mark.parametrize('server', _ASYMMETRIC)
@pytest.mark.parametrize('hmac_alg', ['HS256', 'HS384', 'HS512'])
@pytest.mark.parametrize('key_form', ['pem', 'pem-stripped', 'der', 'openssh'])
def test_hmac_token_keyed_with_the_public_key_is_rejected(
    *,
    check: Check,
    forge: Forge,
    server: str,
    hmac_alg: str,
    key_form: str,
) -> None:
    # The algorithm confusion attack: the public key is public, so an
    # attacker can HMAC anything with it; a server that let the token's
    # `alg` pick the algorithm would verify it with that same key.
    public_key = _public_key_forms(_server_key(server))[key_form]
    token = craft(
        {'alg': hmac_alg, 'typ': 'JWT'},
        forge.claims(server),
        key=public_key,
        algorithm=hmac_alg,
    )

    assert check(token, server) == _NOT_ALLOWED


@pytest.mark.parametrize('server', _ASYMMETRIC)
def test_hmac_server_never_takes_a_public_key_as_secret(
    *,
    forge: Forge,
    server: str,
) -> None:
    # The confusion needs a server whose HMAC secret is a public key:
    # refused at start-up, and (token layer) never a successful decode.
    public_pem = security_views.public_pem(_server_key(server))
    for auth_cls in (JWTSyncAuth, JWTAsyncAuth):
        with pytest.raises(ImproperlyConfigured, match='HS256'):
            auth_cls(algorithm='HS256', secret=public_pem)

    token = craft(
        {'alg': 'HS256', 'typ': 'JWT'},
        forge.claims(server),
        key=public_pem,
        algorithm='HS256',
    )
    for with_config in (False, True):
        outcome = _decode_with_secret(token, public_pem, with_config)
        assert outcome == _NOT_ALLOWED


def _decode_with_secret(
    token: str,
    secret: str,
    with_config: bool,
) -> Reason | None:
    # `decode_outcome` with a server that `SERVERS` cannot describe:
    # HS256 verified with the PEM text of a public key.
    try:
        if with_config:
            JWToken.decode(
                token,
                secret,
                **VerifyOptions(algorithm='HS256').decode_keywords(),
            )
        else:
            JWToken.decode(token, secret, 'HS256')
    except InvalidTokenError as exc:
        return exc.reason
    return None


_Signed = Callable[[Forge], str]


def _signed_by(server: str, alg: str) -> _Signed:
    """A valid token of *server*, except signed as *alg* by its key."""

    def build(forge: Forge) -> str:
        key = SERVERS[server].signing_key
        return craft(
            {'alg': alg, 'typ': 'JWT'},
            forge.claims(server),
            key=key,
            algorithm=alg,
        )

    return build


@pytest.mark.parametrize(
    ('server', 'build'),
    [
        # An asymmetric token at an HMAC server (the reverse confusion).
        pytest.param('hs256', _signed_by('rs256', 'RS256'), id='RS256-to-HS'),
        pytest.param('hs256', _signed_by('es256', 'ES256'), id='ES256-to-HS'),
        # Another asymmetric family, even signed with the right key pair.
        pytest.param('rs256', _signed_by('es256', 'ES256'), id='ES256-to-RS'),
        pytest.param('es256', _signed_by('rs256', 'RS256'), id='RS256-to-ES'),
        pytest.param('rs256', _signed_by('rs256', 'PS256'), id='PS256-to-RS'),
        pytest.param('rs256', _signed_by('rs256', 'RS512'), id='RS512-to-RS'),
        # Other HMAC algorithms, signed with the right secret.
        pytest.param('hs256', _signed_by('hs256', 'HS384'), id='HS384-to-HS'),
        pytest.param('hs256', _signed_by('hs256', 'HS512'), id='HS512-to-HS'),
    ],
)
def test_algorithm_other_than_the_configured_one_is_rejected(
    *,
    check: Check,
    forge: Forge,
    server: str,
    build: _Signed,
) -> None:
    assert check(build(forge), server) == _NOT_ALLOWED


@pytest.mark.parametrize(
    ('header', 'expected'),
    [
        pytest.param({'alg': 'HS256'}, None, id='control'),
        pytest.param({}, _NOT_ALLOWED, id='missing'),
        pytest.param({'alg': None}, _NOT_ALLOWED, id='null'),
        pytest.param({'alg': ''}, _NOT_ALLOWED, id='empty'),
        pytest.param({'alg': 'hs256'}, _NOT_ALLOWED, id='lowercase'),
        pytest.param({'alg': 'HS256 '}, _NOT_ALLOWED, id='trailing-space'),
        pytest.param({'alg': 'HS256\x00'}, _NOT_ALLOWED, id='nul'),
        pytest.param({'alg': ['HS256']}, _NOT_ALLOWED, id='list'),
        pytest.param({'alg': {'HS256': True}}, _NOT_ALLOWED, id='object'),
        pytest.param({'alg': 256}, _NOT_ALLOWED, id='number'),
        pytest.param({'alg': 'XS256'}, _NOT_ALLOWED, id='unknown'),
        # RFC 7515, section 5.2: the lexically last duplicate wins,
        # and that is the `alg` that is checked.
        pytest.param(
            '{"alg":"none","alg":"HS256"}',
            None,
            id='duplicate-last-is-HS256',
        ),
        pytest.param(
            '{"alg":"HS256","alg":"none"}',
            _NOT_ALLOWED,
            id='duplicate-last-is-none',
        ),
    ],
)
def test_alg_header_must_be_exactly_the_configured_one(
    *,
    check: Check,
    forge: Forge,
    header: dict[str, Any] | str,
    expected: Reason | None,
) -> None:
    # Signed by the server's own secret: only `alg` is wrong.
    token = craft(
        header,
        forge.claims(),
        key=settings.SECRET_KEY,
        algorithm='HS256',
    )

    assert check(token) == forge.outcome(expected)


@pytest.mark.parametrize('alg', ['HS256', 'HS384', 'HS512'])
def test_hand_made_hmac_is_the_real_hmac(*, alg: str) -> None:
    # The forgeries above mean something only if `signature` is the real
    # HMAC: it matches PyJWT's on a token that PyJWT is willing to sign.
    token = jwt.encode({'a': 1}, settings.SECRET_KEY, algorithm=alg)
    signing_input, _, encoded = token.rpartition('.')

    assert b64url(signature(signing_input, settings.SECRET_KEY, alg)) == (
        encoded
    )
