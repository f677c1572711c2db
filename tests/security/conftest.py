"""Fixtures of the security tests: layers, forged tokens, attacker keys."""

import socket
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.contrib.auth.models import User
from django.test import Client

from tests.conftest import Mode
from tests.security.harness import (
    LAYERS,
    Check,
    Forge,
    Layer,
    Outcome,
    decode_outcome,
    http_outcome,
)


@pytest.fixture(params=LAYERS)
def layer(request: pytest.FixtureRequest) -> Layer:
    """The token layer (``decode``, ``config``) or an auth (sync, async)."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def check(layer: Layer, client: Client) -> Check:
    """Check a token at the current layer: its outcome, contract asserted."""

    def check_token(token: str, server: str = 'hs256') -> Outcome:
        if layer == 'decode':
            return decode_outcome(token, server)
        if layer == 'config':
            return decode_outcome(token, server, with_config=True)
        return http_outcome(client, token, server, mode=layer)

    return check_token


@pytest.fixture
def http_check(mode: Mode, client: Client) -> Check:
    """Like ``check``, through the sync or the async auth only."""

    def check_token(token: str, server: str = 'hs256') -> Outcome:
        return http_outcome(client, token, server, mode=mode)

    return check_token


@pytest.fixture
def forge(user: User) -> Forge:
    """Tokens for the test user, whose primary key is known."""
    return Forge(str(user.pk))


@pytest.fixture(scope='module')
def attacker_rsa_key() -> rsa.RSAPrivateKey:
    """The attacker's own RSA key pair."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope='module')
def attacker_ec_key() -> ec.EllipticCurvePrivateKey:
    """The attacker's own EC P-256 key pair."""
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def no_network() -> Iterator[list[tuple[Any, ...]]]:
    """
    Fail the test if anything tries to reach the network.

    Calls are recorded too: ``pytest.fail`` raises a ``BaseException``
    that no ``except Exception`` swallows, and the list proves it after.
    """
    calls: list[tuple[Any, ...]] = []

    def refuse(name: str) -> Callable[..., Any]:
        def fail(*args: Any, **kwargs: Any) -> Any:
            calls.append((name, args, kwargs))
            pytest.fail(f'{name} was called: {args!r}')

        return fail

    with (
        mock.patch.object(
            urllib.request,
            'urlopen',
            side_effect=refuse('urlopen'),
        ),
        mock.patch.object(
            socket,
            'create_connection',
            side_effect=refuse('create_connection'),
        ),
        mock.patch.object(
            socket,
            'getaddrinfo',
            side_effect=refuse('getaddrinfo'),
        ),
    ):
        yield calls
