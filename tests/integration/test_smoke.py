from collections.abc import Callable

from django.contrib.auth.models import User
from django.test import Client

from tests.conftest import PASSWORD


def test_obtain_call_refresh(
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
    tokens = response.json()
    me = client.get(
        url('me'),
        headers={'Authorization': f'Bearer {tokens["access_token"]}'},
    )
    assert me.status_code == 200, me.content
    assert me.json()['username'] == 'test_user'
    refreshed = client.post(
        url('refresh'),
        {'refresh_token': tokens['refresh_token']},
        content_type='application/json',
    )
    assert refreshed.status_code == 200, refreshed.content
