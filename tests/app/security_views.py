"""Servers of the security tests: one ``whoami`` endpoint, several auths.

Each server is the ``whoami`` controller of :mod:`tests.app.auth_views`
(sync and async twins, never copied) with one auth configuration:

- ``hs256``: the defaults (``HS256`` with ``settings.SECRET_KEY``);
- ``rs256`` / ``es256``: asymmetric, verified with the server's PUBLIC key;
- ``audience``: a custom audience and issuer;
- ``blocklist``: the defaults plus the blocklist mixins.

The server key pairs are generated once per test run, with
``cryptography`` (RSA 2048, EC P-256): the auth classes need the public
halves when their controllers are created. Tests sign valid tokens with
the private halves and forge tokens with their own keys.
"""

from collections.abc import Mapping, Sequence
from typing import Any, Final, TypeAlias

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from dmr import Controller
from dmr.plugins.pydantic import PydanticSerializer

from dmr_jwt import JWTAsyncAuth, JWTSyncAuth
from tests.app.auth_views import whoami_controllers
from tests.app.blocklist_views import BlocklistAsyncAuth, BlocklistSyncAuth

PrivateKey: TypeAlias = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

SERVER_RSA_KEY: Final = rsa.generate_private_key(
    public_exponent=65537,
    key_size=2048,
)
SERVER_EC_KEY: Final = ec.generate_private_key(ec.SECP256R1())

#: What the ``audience`` server accepts.
AUDIENCE: Final = 'https://api.example.com'
ISSUER: Final = 'https://issuer.example.com'


def public_pem(key: PrivateKey) -> str:
    """The PEM text of the public half of *key*."""
    return (
        key.public_key()
        .public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo,
        )
        .decode()
    )


#: ``name -> (sync auth class, async auth class, constructor keywords)``.
SERVERS: Final[
    Mapping[
        str,
        tuple[type[JWTSyncAuth], type[JWTAsyncAuth], Mapping[str, Any]],
    ]
] = {
    'hs256': (JWTSyncAuth, JWTAsyncAuth, {}),
    'rs256': (
        JWTSyncAuth,
        JWTAsyncAuth,
        {'algorithm': 'RS256', 'secret': public_pem(SERVER_RSA_KEY)},
    ),
    'es256': (
        JWTSyncAuth,
        JWTAsyncAuth,
        {'algorithm': 'ES256', 'secret': public_pem(SERVER_EC_KEY)},
    ),
    'audience': (
        JWTSyncAuth,
        JWTAsyncAuth,
        {'accepted_audiences': AUDIENCE, 'accepted_issuers': ISSUER},
    ),
    'blocklist': (BlocklistSyncAuth, BlocklistAsyncAuth, {}),
}


def _camel(name: str) -> str:
    return ''.join(part.title() for part in name.split('-'))


#: ``name -> (sync controller, async controller)`` for every server.
CONTROLLERS: Final[
    Mapping[str, Sequence[type[Controller[PydanticSerializer]]]]
] = {
    name: whoami_controllers(
        f'Security{_camel(name)}',
        sync_cls(**kwargs),
        async_cls(**kwargs),
    )
    for name, (sync_cls, async_cls, kwargs) in SERVERS.items()
}
