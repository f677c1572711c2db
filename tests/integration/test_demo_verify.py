"""The demo's ready-to-use verify controller: ``POST /api/auth/verify/``."""

from typing import Any, Final

import pytest
from django.contrib.auth.models import User
from django.test import Client

from demo.api.management.commands.ensure_demo_user import PASSWORD, USERNAME
from dmr_jwt.errors import Reason
from tests.conftest import assert_unauthorized

pytestmark = [pytest.mark.urls('demo.urls'), pytest.mark.django_db]

VERIFY: Final = '/api/auth/verify/'


def post_json(client: Client, path: str, body: Any, **extra: Any) -> Any:
    return client.post(path, body, content_type='application/json', **extra)


@pytest.fixture
def pair(client: Client) -> dict[str, str]:
    User.objects.create_user(USERNAME, password=PASSWORD)
    response = post_json(
        client,
        '/api/auth/',
        {'username': USERNAME, 'password': PASSWORD},
    )
    assert response.status_code == 200, response.content
    tokens: dict[str, str] = response.json()
    return tokens


def test_a_valid_access_token_is_204(
    client: Client,
    pair: dict[str, str],
) -> None:
    response = post_json(client, VERIFY, {'access_token': pair['access_token']})

    assert response.status_code == 204, response.content
    assert response.content == b''


def test_a_refresh_token_is_the_wrong_type(
    client: Client,
    pair: dict[str, str],
) -> None:
    response = post_json(
        client,
        VERIFY,
        {'access_token': pair['refresh_token']},
    )

    assert_unauthorized(response, Reason.WRONG_TYPE, scheme=None)


def test_a_logged_out_access_token_is_revoked(
    client: Client,
    pair: dict[str, str],
) -> None:
    access = pair['access_token']
    logout = post_json(
        client,
        '/api/auth/logout/',
        {},
        headers={'Authorization': f'Bearer {access}'},
    )
    assert logout.status_code == 204, logout.content

    response = post_json(client, VERIFY, {'access_token': access})

    assert_unauthorized(response, Reason.REVOKED, scheme=None)


def test_garbage_is_malformed(client: Client, db: Any) -> None:
    response = post_json(client, VERIFY, {'access_token': 'not-a-jwt'})

    assert_unauthorized(response, Reason.MALFORMED, scheme=None)
