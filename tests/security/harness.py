"""One question, asked of every layer: is this token accepted, and if not, why?

A security case is a token and the outcome it must have. The outcome is
read the same way from every layer:

- the token layer: :meth:`JWToken.decode`, with its keywords and with
  those of a :class:`VerifyOptions`;
- the HTTP layer: the ``whoami`` controllers of
  :mod:`tests.app.security_views`, through their sync and async auth.

:func:`outcome_of` is where the HTTP contract is asserted, for every case:
a ``200`` names the authenticated user; a ``401`` has the framework's
error body with the exact :class:`Reason` message and the RFC 6750
challenge; anything else (a ``500`` first of all) fails the test.
"""

import dataclasses
import datetime as dt
import enum
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol, TypeAlias

from django.conf import settings
from django.test import Client

from dmr_jwt import InvalidTokenError, JWToken, VerifyOptions
from dmr_jwt.errors import Reason
from tests.app import security_views
from tests.conftest import Mode
from tests.security.tokens import Segment, SigningKey, craft

if TYPE_CHECKING:
    from django.test.client import (
        _MonkeyPatchedASGIResponse,
        _MonkeyPatchedWSGIResponse,
    )

__all__ = (
    'MISSING',
    'SERVERS',
    'Accepted',
    'Check',
    'Forge',
    'Layer',
    'NoToken',
    'Outcome',
    'Server',
    'decode_outcome',
    'http_outcome',
    'outcome_of',
)

#: Where a token is checked: the token layer (two ways) or an auth class.
Layer: TypeAlias = Literal['decode', 'config', 'sync', 'async']
LAYERS: Final[tuple[Layer, ...]] = ('decode', 'config', 'sync', 'async')


@dataclasses.dataclass(frozen=True, slots=True)
class Accepted:
    """The token was accepted, for this subject (the user's pk)."""

    pk: str


@enum.unique
class NoToken(enum.Enum):
    """The framework's plain ``401``: the auth found no token of its own."""

    NOT_AUTHENTICATED = 'Not authenticated'


Outcome: TypeAlias = Accepted | Reason | NoToken


class Check(Protocol):
    """Checks one token at one layer, as one server would."""

    def __call__(self, token: str, server: str = 'hs256') -> Outcome: ...


class _Missing(enum.Enum):
    MISSING = enum.auto()


#: A claim override that removes the claim.
MISSING: Final = _Missing.MISSING


@dataclasses.dataclass(frozen=True, slots=True)
class Server:
    """One auth configuration of :mod:`tests.app.security_views`."""

    name: str
    algorithm: str
    #: Private key (or HMAC secret) that signs this server's valid tokens.
    signing_key: SigningKey
    #: Claims that every valid token of this server carries.
    claims: Mapping[str, Any]

    def decode_kwargs(self) -> dict[str, Any]:
        """The :meth:`JWToken.decode` keywords of this server's auth."""
        auth_kwargs = security_views.SERVERS[self.name][2]
        return {
            'secret': auth_kwargs.get('secret') or settings.SECRET_KEY,
            'algorithm': self.algorithm,
            'accepted_audiences': auth_kwargs.get('accepted_audiences'),
            'accepted_issuers': auth_kwargs.get('accepted_issuers'),
        }


def _hs256(name: str, **claims: Any) -> Server:
    return Server(name, 'HS256', settings.SECRET_KEY, claims)


def _servers() -> dict[str, Server]:
    return {
        'hs256': _hs256('hs256'),
        'rs256': Server('rs256', 'RS256', security_views.SERVER_RSA_KEY, {}),
        'es256': Server('es256', 'ES256', security_views.SERVER_EC_KEY, {}),
        'audience': _hs256(
            'audience',
            aud=security_views.AUDIENCE,
            iss=security_views.ISSUER,
        ),
        'blocklist': _hs256('blocklist'),
    }


SERVERS: Final = _servers()


@dataclasses.dataclass(frozen=True, slots=True)
class Forge:
    """Builds the tokens of one test: valid ones for *pk*, and variations."""

    pk: str

    def claims(
        self,
        server: str = 'hs256',
        *,
        token_type: str = 'access',  # noqa: S107
        **overrides: Any,
    ) -> dict[str, Any]:
        """Valid claims for this server; an override of MISSING removes."""
        now = int(dt.datetime.now(dt.UTC).timestamp())
        claims: dict[str, Any] = {
            'sub': self.pk,
            'exp': now + 3600,
            'iat': now,
            'jti': uuid.uuid4().hex,
            **SERVERS[server].claims,
            'extras': {'type': token_type},
        }
        for name, claim_value in overrides.items():
            if claim_value is MISSING:
                claims.pop(name, None)
            else:
                claims[name] = claim_value
        return claims

    def token(
        self,
        server: str = 'hs256',
        *,
        header: Segment | None = None,
        payload: Segment | None = None,
        **overrides: Any,
    ) -> str:
        """A token signed with the server's own key: valid unless told."""
        spec = SERVERS[server]
        return craft(
            {'alg': spec.algorithm, 'typ': 'JWT'} if header is None else header,
            self.claims(server, **overrides) if payload is None else payload,
            key=spec.signing_key,
            algorithm=spec.algorithm,
        )

    def outcome(self, expected: Reason | None) -> Outcome:
        """*expected*, or acceptance for this user when it is ``None``."""
        return Accepted(self.pk) if expected is None else expected


def decode_outcome(
    token: str,
    server: str = 'hs256',
    *,
    with_config: bool = False,
) -> Outcome:
    """Decode *token* at the token layer, as *server*'s auth would."""
    kwargs = SERVERS[server].decode_kwargs()
    try:
        if with_config:
            secret = kwargs.pop('secret')
            decoded = JWToken.decode(
                token,
                secret,
                **VerifyOptions(**kwargs).decode_keywords(),
            )
        else:
            decoded = JWToken.decode(token, **kwargs)
    except InvalidTokenError as exc:
        return _reason_of(exc)
    return Accepted(decoded.sub)


def _reason_of(error: InvalidTokenError) -> Reason:
    """The reason of a token-layer refusal: its message is the reason's."""
    assert isinstance(error.reason, Reason), error
    assert str(error) == error.reason.value
    assert error.__suppress_context__
    return error.reason


def http_outcome(
    client: Client,
    token: str,
    server: str = 'hs256',
    *,
    mode: Mode,
) -> Outcome:
    """Send *token* as a bearer token to *server*'s ``whoami``."""
    response = client.get(
        f'/security/{server}/{mode}/',
        headers={'Authorization': f'Bearer {token}'},
    )
    return outcome_of(response)


def outcome_of(
    response: '_MonkeyPatchedWSGIResponse | _MonkeyPatchedASGIResponse',
    *,
    identity: str = 'pk',
    challenge: bool = True,
) -> Outcome:
    """
    Read the outcome of a response, asserting the whole HTTP contract.

    Args:
        response: A ``200`` (authenticated) or a ``401``.
        identity: The key of the ``200`` body that names the user.
        challenge: Whether an auth class answered (``WWW-Authenticate``);
            the refresh controllers have none.

    """
    assert response.status_code in {200, 401}, (
        response.status_code,
        response.content[:500],
    )
    body = response.json()
    if response.status_code == 200:
        assert 'WWW-Authenticate' not in response.headers
        return Accepted(body[identity])
    assert response.headers['Content-Type'] == 'application/json'
    message = body['detail'][0]['msg']
    outcome: Reason | NoToken = (
        NoToken(message)
        if message == NoToken.NOT_AUTHENTICATED.value
        else Reason(message)
    )
    assert body == {'detail': [{'msg': message, 'type': 'security'}]}
    if not challenge:
        assert 'WWW-Authenticate' not in response.headers
    elif isinstance(outcome, NoToken):
        # RFC 6750, section 3.1: no error code when no token was sent.
        assert response.headers['WWW-Authenticate'] == 'Bearer'
    else:
        assert response.headers['WWW-Authenticate'] == (
            f'Bearer error="invalid_token", error_description="{outcome.value}"'
        )
    return outcome
