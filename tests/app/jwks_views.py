"""JWKS controllers of the test suite, and the ring that they publish.

The ring holds one key of each asymmetric family (RSA, RSA-PSS, ECDSA on
its three curves, EdDSA) and an HMAC secret, which must never be served.
Its keys are made here with ``cryptography`` directly: the tests do not
trust the code they test (``manage.py jwt_keys``) to make them.
"""

from typing import Any, Final

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from dmr import Controller
from dmr.plugins.msgspec import MsgspecSerializer
from dmr.plugins.pydantic import PydanticSerializer
from dmr.serializer import BaseSerializer
from typing_extensions import TypedDict, TypeVar

from dmr_jwt import JWTAsyncAuth, JWTSyncAuth, request_jwt
from dmr_jwt.keys import Key, KeyRing, KeyState
from dmr_jwt.views import JWKSAsyncController, JWKSSyncController

_S = TypeVar('_S', bound=BaseSerializer)

#: The asymmetric algorithms that the interop tests sign with.
ALGORITHMS: Final = ('RS256', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA')

#: The HMAC key of the ring: never published.
HMAC_KID: Final = 'kid-HS256'
HMAC_SECRET: Final = 'jwks-tests-hmac-secret-' + 's' * 64

#: ``max-age`` of the customized controllers.
CUSTOM_MAX_AGE: Final = 60


def _private_key(algorithm: str) -> Any:
    if algorithm.startswith(('RS', 'PS')):
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    curves: dict[str, ec.EllipticCurve] = {
        'ES256': ec.SECP256R1(),
        'ES384': ec.SECP384R1(),
        'ES512': ec.SECP521R1(),
    }
    if algorithm in curves:
        return ec.generate_private_key(curves[algorithm])
    return ed25519.Ed25519PrivateKey.generate()


def private_pem(algorithm: str) -> bytes:
    """A new private key for *algorithm*, as PKCS#8 PEM."""
    pem: bytes = _private_key(algorithm).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return pem


#: The private key of each asymmetric key of :data:`RING`, by algorithm.
PRIVATE_PEMS: Final = {
    algorithm: private_pem(algorithm) for algorithm in ALGORITHMS
}

#: The ring: the RS256 key signs, the others only verify.
RING: Final = KeyRing(
    [
        *(
            Key.from_material(
                f'kid-{algorithm}',
                algorithm,
                private_key=pem,
                state=KeyState.ACTIVE if algorithm == 'RS256' else 'verifying',
            )
            for algorithm, pem in PRIVATE_PEMS.items()
        ),
        Key.from_material(
            HMAC_KID,
            'HS256',
            secret=HMAC_SECRET,
            state=KeyState.VERIFYING,
        ),
    ],
)


class RingMeResponse(TypedDict):
    """What the endpoints that verify with :data:`RING` return."""

    sub: str
    jti: str


def _ring_me(controller: Controller[Any]) -> RingMeResponse:
    token = request_jwt(controller.request, strict=True)
    return {'sub': token.sub, 'jti': token.jti or ''}


class _RingMeSync(Controller[_S]):
    """Verifies with the ring, by `kid`; no database (stateless)."""

    auth = (JWTSyncAuth(keys=RING, stateless=True),)

    def get(self) -> RingMeResponse:
        return _ring_me(self)


class _RingMeAsync(Controller[_S]):
    """Verifies with the ring, by `kid`; no database (stateless)."""

    auth = (JWTAsyncAuth(keys=RING, stateless=True),)

    async def get(self) -> RingMeResponse:
        return _ring_me(self)


class _RingSync(JWKSSyncController[_S]):
    jwt_keys = RING


class _RingAsync(JWKSAsyncController[_S]):
    jwt_keys = RING


class _ProjectSync(JWKSSyncController[_S]):
    """The project's keys (``DMR_JWT['KEYS']``), cached for a minute."""

    jwt_jwks_max_age = CUSTOM_MAX_AGE


class _ProjectAsync(JWKSAsyncController[_S]):
    """The project's keys (``DMR_JWT['KEYS']``), cached for a minute."""

    jwt_jwks_max_age = CUSTOM_MAX_AGE


class PydanticRingSync(_RingSync[PydanticSerializer]): ...


class PydanticRingAsync(_RingAsync[PydanticSerializer]): ...


class MsgspecRingSync(_RingSync[MsgspecSerializer]): ...


class MsgspecRingAsync(_RingAsync[MsgspecSerializer]): ...


class PydanticProjectSync(_ProjectSync[PydanticSerializer]): ...


class PydanticProjectAsync(_ProjectAsync[PydanticSerializer]): ...


class MsgspecProjectSync(_ProjectSync[MsgspecSerializer]): ...


class MsgspecProjectAsync(_ProjectAsync[MsgspecSerializer]): ...


class PydanticRingMeSync(_RingMeSync[PydanticSerializer]): ...


class PydanticRingMeAsync(_RingMeAsync[PydanticSerializer]): ...


class MsgspecRingMeSync(_RingMeSync[MsgspecSerializer]): ...


class MsgspecRingMeAsync(_RingMeAsync[MsgspecSerializer]): ...
