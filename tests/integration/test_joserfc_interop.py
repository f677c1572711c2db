"""Interoperability with another JOSE library, joserfc, both ways.

- A token signed with a ring key verifies with joserfc, given nothing but
  the JSON that our JWKS endpoint serves.
- A token that joserfc signs with a ring key's private key verifies with
  dmr_jwt: ``JWToken.decode`` with the key, and the auth classes with
  ``keys=`` the ring (picked by ``kid``), sync and async.
"""

import contextlib
import datetime as dt
import uuid
import warnings
from collections.abc import Iterator
from typing import Any, Final

import pytest
from django.test import AsyncClient, Client
from joserfc import jwk, jwt
from joserfc.errors import JoseError, SecurityWarning

from dmr_jwt.errors import InvalidTokenError, Reason
from dmr_jwt.keys import Key
from dmr_jwt.token import JWToken
from tests.app.jwks_views import ALGORITHMS, PRIVATE_PEMS, RING

pytestmark = pytest.mark.urls('tests.app.jwks_urls')

_JWKS_URL: Final = '/jwks/pydantic/ring/sync/'

_KEY_TYPES: Final = {
    'RS256': 'RSA',
    'PS256': 'RSA',
    'ES256': 'EC',
    'ES384': 'EC',
    'ES512': 'EC',
    'EdDSA': 'OKP',
}


#: Another key of the ring, of the same family where there is one.
_OTHER: Final = {
    'RS256': 'PS256',
    'PS256': 'RS256',
    'ES256': 'ES384',
    'ES384': 'ES512',
    'ES512': 'ES256',
    'EdDSA': 'ES256',
}


@contextlib.contextmanager
def _eddsa_allowed() -> Iterator[None]:
    # joserfc warns that RFC 9864 deprecates the name `EdDSA` (for
    # `Ed25519`); PyJWT and most verifiers still use it, and so do we.
    with warnings.catch_warnings():
        warnings.filterwarnings(
            'ignore',
            message='EdDSA is deprecated',
            category=SecurityWarning,
        )
        yield


def _ring_key(algorithm: str) -> Key:
    key = RING.get(f'kid-{algorithm}')
    assert key is not None
    return key


def _claims() -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return {
        'sub': '42',
        'iat': int(now.timestamp()),
        'exp': int((now + dt.timedelta(minutes=5)).timestamp()),
        'jti': uuid.uuid4().hex,
    }


def _published_key_set() -> jwk.KeySet:
    response = Client().get(_JWKS_URL)
    assert response.status_code == 200
    return jwk.KeySet.import_key_set(response.json())


@pytest.mark.parametrize('algorithm', ALGORITHMS)
def test_our_token_verifies_with_joserfc_and_the_jwks(algorithm: str) -> None:
    key = _ring_key(algorithm)
    claims = _claims()
    token = JWToken.from_claims(claims)
    encoded = token.encode(key.signing_key, key.algorithm, {'kid': key.kid})
    key_set = _published_key_set()

    with _eddsa_allowed():
        decoded = jwt.decode(encoded, key_set, algorithms=[algorithm])

    assert decoded.header['kid'] == key.kid
    assert decoded.header['alg'] == algorithm
    # The wire format of the documented module: `extras` always there.
    assert decoded.claims == {**claims, 'extras': {}}
    jwt.JWTClaimsRegistry(
        sub={'essential': True, 'value': '42'},
        exp={'essential': True},
    ).validate(decoded.claims)


@pytest.mark.parametrize('algorithm', ALGORITHMS)
def test_joserfc_refuses_our_token_for_another_kid(algorithm: str) -> None:
    # The set is what picks the key: a token that names another ring key
    # than the one that signed it is refused (so the check above is real).
    key = _ring_key(algorithm)
    other = _ring_key(_OTHER[algorithm])
    token = JWToken.from_claims(_claims())
    encoded = token.encode(key.signing_key, key.algorithm, {'kid': other.kid})

    with _eddsa_allowed(), pytest.raises(JoseError):
        jwt.decode(encoded, _published_key_set(), algorithms=[algorithm])


def _joserfc_token(algorithm: str, claims: dict[str, Any]) -> str:
    key = _ring_key(algorithm)
    private = jwk.import_key(PRIVATE_PEMS[algorithm], _KEY_TYPES[algorithm])  # type: ignore[call-overload]
    with _eddsa_allowed():
        return jwt.encode(
            {'alg': algorithm, 'kid': key.kid},
            claims,
            private,
            algorithms=[algorithm],
        )


@pytest.mark.parametrize('algorithm', ALGORITHMS)
def test_joserfc_token_verifies_with_dmr_jwt(algorithm: str) -> None:
    claims = _claims()
    encoded = _joserfc_token(algorithm, claims)
    key = _ring_key(algorithm)

    token = JWToken.decode(encoded, key.verifying_key, key.algorithm)

    assert token.to_claims() == {**claims, 'extras': {}}
    # Picked by its `kid`, as the auth does.
    from dmr_jwt._internal.pyjwt import unverified_kid  # noqa: PLC0415

    picked = RING.verifying_key(unverified_kid(encoded))
    assert picked is key


@pytest.mark.parametrize('algorithm', ALGORITHMS)
def test_joserfc_token_is_refused_by_another_ring_key(algorithm: str) -> None:
    encoded = _joserfc_token(algorithm, _claims())
    other = _ring_key('EdDSA' if algorithm != 'EdDSA' else 'ES256')

    with pytest.raises(InvalidTokenError) as exc_info:
        JWToken.decode(encoded, other.verifying_key, other.algorithm)

    assert exc_info.value.reason is Reason.ALGORITHM_NOT_ALLOWED


@pytest.mark.parametrize('algorithm', ALGORITHMS)
@pytest.mark.parametrize('mode', ['sync', 'async'])
async def test_joserfc_token_passes_the_auth_with_the_ring(
    *,
    algorithm: str,
    mode: str,
) -> None:
    claims = {**_claims(), 'extras': {'type': 'access'}}
    encoded = _joserfc_token(algorithm, claims)

    response = await AsyncClient().get(
        f'/jwks/msgspec/me/{mode}/',
        headers={'Authorization': f'Bearer {encoded}'},
    )

    assert response.status_code == 200, response.content
    assert response.json() == {'sub': '42', 'jti': claims['jti']}


@pytest.mark.parametrize('mode', ['sync', 'async'])
async def test_joserfc_token_with_an_unknown_kid_is_refused(mode: str) -> None:
    private = jwk.import_key(PRIVATE_PEMS['ES256'], 'EC')
    encoded = jwt.encode(
        {'alg': 'ES256', 'kid': 'not-in-the-ring'},
        {**_claims(), 'extras': {'type': 'access'}},
        private,
        algorithms=['ES256'],
    )

    response = await AsyncClient().get(
        f'/jwks/pydantic/me/{mode}/',
        headers={'Authorization': f'Bearer {encoded}'},
    )

    assert response.status_code == 401
    assert response.json()['detail'][0]['msg'] == Reason.UNKNOWN_KEY.value
