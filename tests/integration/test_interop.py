"""Tokens travel both ways between dmr_jwt and django-modern-rest's module.

With ``test_interop_concrete_views.py`` (and its URLs,
``tests/app/interop_urls.py``), the only modules of the suite that import
the built-in JWT module.
"""

import base64
import datetime as dt
import json
import uuid
from collections.abc import Callable, Sequence
from typing import Any, Final

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from dmr.security.jwt.token import JWToken as BuiltinJWToken

from dmr_jwt.token import JWToken
from tests.conftest import FAMILY_ID, PASSWORD

SECRET: Final = 'interop-test-secret-' + 'i' * 64
_CLAIM_NAMES: Final = ('sub', 'exp', 'iat', 'iss', 'aud', 'jti', 'extras')


def _in(seconds: int) -> dt.datetime:
    moment = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)
    return moment.replace(microsecond=0)


def _fields(token: JWToken | BuiltinJWToken) -> dict[str, Any]:
    """Every claim of *token*, with a sequence audience as a list."""
    fields = {name: getattr(token, name) for name in _CLAIM_NAMES}
    if fields['aud'] is not None and not isinstance(fields['aud'], str):
        fields['aud'] = list(fields['aud'])
    return fields


def _payload_items(encoded_token: str) -> list[tuple[str, Any]]:
    segment = encoded_token.split('.')[1]
    padded = segment + '=' * (-len(segment) % 4)
    payload: dict[str, Any] = json.loads(base64.urlsafe_b64decode(padded))
    return list(payload.items())


_CASES: Final = [
    pytest.param('HS256', None, None, id='hs256'),
    pytest.param('HS256', 'issuer', 'api', id='hs256-iss-aud'),
    pytest.param('HS512', 'issuer', ['api', 'web'], id='hs512-aud-list'),
    pytest.param('HS384', None, 'api', id='hs384-aud'),
]


def _claim_kwargs(
    iss: str | None,
    aud: str | list[str] | None,
) -> dict[str, Any]:
    return {
        'sub': '42',
        'exp': _in(3600),
        'iat': _in(-60),
        'iss': iss,
        'aud': aud,
        'jti': uuid.uuid4().hex,
        'extras': {'type': 'access', 'scope': {'read': True}},
    }


def _verify_kwargs(
    iss: str | None,
    aud: str | Sequence[str] | None,
) -> dict[str, Any]:
    accepted_audiences = aud[-1] if isinstance(aud, list) else aud
    return {
        'accepted_audiences': accepted_audiences,
        'accepted_issuers': iss,
    }


@pytest.mark.parametrize(('algorithm', 'iss', 'aud'), _CASES)
def test_builtin_token_verifies_with_ours(
    algorithm: str,
    iss: str | None,
    aud: str | list[str] | None,
) -> None:
    claims = _claim_kwargs(iss, aud)
    encoded = BuiltinJWToken(**claims).encode(SECRET, algorithm)

    token = JWToken.decode(
        encoded,
        SECRET,
        algorithm,
        **_verify_kwargs(iss, aud),
    )

    assert _fields(token) == claims
    assert token.extras['type'] == 'access'


@pytest.mark.parametrize(('algorithm', 'iss', 'aud'), _CASES)
def test_our_token_verifies_with_builtin(
    algorithm: str,
    iss: str | None,
    aud: str | list[str] | None,
) -> None:
    claims = _claim_kwargs(iss, aud)
    encoded = JWToken(**claims).encode(SECRET, algorithm)

    token = BuiltinJWToken.decode(
        encoded,
        SECRET,
        algorithm,
        **_verify_kwargs(iss, aud),
    )

    assert _fields(token) == claims
    assert token.extras['type'] == 'access'


@pytest.mark.parametrize(('algorithm', 'iss', 'aud'), _CASES)
def test_same_claims_in_the_same_order(
    algorithm: str,
    iss: str | None,
    aud: str | list[str] | None,
) -> None:
    claims = _claim_kwargs(iss, aud)

    ours = JWToken(**claims).encode(SECRET, algorithm)
    builtin = BuiltinJWToken(**claims).encode(SECRET, algorithm)

    assert _payload_items(ours) == _payload_items(builtin)


def test_builtin_access_token_authenticates(
    client: Client,
    user: User,
    url: Callable[[str], str],
) -> None:
    jti = uuid.uuid4().hex
    encoded = BuiltinJWToken(
        sub=str(user.pk),
        exp=_in(3600),
        jti=jti,
        extras={'type': 'access'},
    ).encode(settings.SECRET_KEY, 'HS256')

    response = client.get(
        url('me'),
        headers={'Authorization': f'Bearer {encoded}'},
    )

    assert response.status_code == 200, response.content
    assert response.json() == {'username': user.username, 'jti': jti}


def test_our_issued_tokens_verify_with_builtin(
    client: Client,
    user: User,
    url: Callable[[str], str],
) -> None:
    response = client.post(
        url('obtain'),
        {'username': user.username, 'password': PASSWORD},
        content_type='application/json',
    )
    assert response.status_code == 200, response.content

    for token_type in ('access', 'refresh'):
        token = BuiltinJWToken.decode(
            response.json()[f'{token_type}_token'],
            settings.SECRET_KEY,
            'HS256',
        )
        assert token.sub == str(user.pk)
        assert token.extras == {'type': token_type, 'family': FAMILY_ID}
        assert token.jti is not None
        assert len(token.jti) == 32
