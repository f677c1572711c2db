"""The reusable logout controllers of :mod:`dmr_jwt.blocklist.views`.

Through real HTTP, both serializers, sync and async: the controllers of
:mod:`tests.app.logout_views`, next to the blocklist ``me``, ``obtain``
and ``refresh`` (with the refresh blocklist mixin).
"""

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from dmr.exceptions import EndpointMetadataError
from dmr.plugins.pydantic import PydanticSerializer
from typing_extensions import override

from dmr_jwt import JWTSyncAuth
from dmr_jwt.blocklist import LogoutPayload, LogoutSyncController
from dmr_jwt.blocklist.models import BlocklistedJWToken, RevokedTokenFamily
from dmr_jwt.errors import Reason
from tests.app.blocklist_views import BlocklistAsyncAuth, BlocklistSyncAuth
from tests.conftest import PASSWORD, Mode, SerializerName, assert_unauthorized

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = [
    pytest.mark.urls('tests.app.logout_urls'),
    pytest.mark.django_db,
]

Url: TypeAlias = Callable[[str], str]


@pytest.fixture
def bl_url(serializer: SerializerName, mode: Mode) -> Url:
    """Build ``/blocklist/<serializer>/<name>/<mode>/`` for the axes."""

    def factory(name: str) -> str:
        return f'/blocklist/{serializer}/{name}/{mode}/'

    return factory


@pytest.fixture
def logout_url(serializer: SerializerName, mode: Mode) -> str:
    """``/logout/<serializer>/<mode>/`` for the axes."""
    return f'/logout/{serializer}/{mode}/'


def _obtain(client: Client, bl_url: Url, username: str) -> dict[str, str]:
    response = client.post(
        bl_url('obtain'),
        data={'username': username, 'password': PASSWORD},
        content_type='application/json',
    )
    assert response.status_code == 200, response.content
    pair: dict[str, str] = response.json()
    return pair


def _logout(
    client: Client,
    url: str,
    body: dict[str, Any],
    access: str | None,
) -> 'Response':
    headers = {} if access is None else {'Authorization': f'Bearer {access}'}
    return client.post(
        url,
        data=json.dumps(body),
        content_type='application/json',
        headers=headers,
    )


def _me(client: Client, bl_url: Url, access: str) -> 'Response':
    return client.get(
        bl_url('me'),
        headers={'Authorization': f'Bearer {access}'},
    )


def _refresh(client: Client, bl_url: Url, refresh: str) -> 'Response':
    return client.post(
        bl_url('refresh'),
        data={'refresh_token': refresh},
        content_type='application/json',
    )


def test_logout_revokes_access_and_refresh_token(
    client: Client,
    user: User,
    bl_url: Url,
    logout_url: str,
) -> None:
    pair = _obtain(client, bl_url, user.username)
    assert _me(client, bl_url, pair['access_token']).status_code == 200

    response = _logout(
        client,
        logout_url,
        {'refresh_token': pair['refresh_token']},
        pair['access_token'],
    )

    assert response.status_code == 200, response.content
    assert response.json() == {'logged_out': True}
    assert BlocklistedJWToken.objects.count() == 2
    assert_unauthorized(
        _me(client, bl_url, pair['access_token']), Reason.REVOKED
    )
    assert_unauthorized(
        _refresh(client, bl_url, pair['refresh_token']),
        Reason.REVOKED,
        scheme=None,
    )


def test_empty_body_ends_the_session_of_the_access_token(
    client: Client,
    user: User,
    bl_url: Url,
    logout_url: str,
) -> None:
    pair = _obtain(client, bl_url, user.username)
    other_login = _obtain(client, bl_url, user.username)

    response = _logout(client, logout_url, {}, pair['access_token'])

    assert response.status_code == 200, response.content
    assert BlocklistedJWToken.objects.count() == 1
    assert RevokedTokenFamily.objects.get().cause == 'logout'
    assert_unauthorized(
        _me(client, bl_url, pair['access_token']), Reason.REVOKED
    )
    # The refresh token of the same login is in the revoked family:
    assert_unauthorized(
        _refresh(client, bl_url, pair['refresh_token']),
        Reason.REVOKED,
        scheme=None,
    )
    # Another login of the same user is another session:
    assert _me(client, bl_url, other_login['access_token']).status_code == 200
    assert (
        _refresh(client, bl_url, other_login['refresh_token']).status_code
        == 200
    )


def test_logout_revokes_tokens_issued_from_the_refresh_token_family(
    client: Client,
    user: User,
    bl_url: Url,
    logout_url: str,
) -> None:
    first = _obtain(client, bl_url, user.username)
    refreshed = _refresh(client, bl_url, first['refresh_token'])
    assert refreshed.status_code == 200, refreshed.content
    second: dict[str, str] = refreshed.json()

    response = _logout(
        client,
        logout_url,
        {'refresh_token': second['refresh_token']},
        second['access_token'],
    )

    assert response.status_code == 200, response.content
    # Neither the older tokens of the login nor the newer ones work:
    for access in (first['access_token'], second['access_token']):
        assert_unauthorized(_me(client, bl_url, access), Reason.REVOKED)
    for refresh in (first['refresh_token'], second['refresh_token']):
        assert_unauthorized(
            _refresh(client, bl_url, refresh),
            Reason.REVOKED,
            scheme=None,
        )


@pytest.mark.parametrize(
    ('use_foreign', 'reason'),
    [
        pytest.param(True, Reason.INVALID_CLAIMS, id='foreign-refresh-token'),
        pytest.param(False, Reason.WRONG_TYPE, id='access-as-refresh-token'),
    ],
)
def test_bad_refresh_token_revokes_nothing(
    client: Client,
    user: User,
    bl_url: Url,
    logout_url: str,
    *,
    use_foreign: bool,
    reason: Reason,
) -> None:
    User.objects.create_user('other_user', password=PASSWORD)
    pair = _obtain(client, bl_url, user.username)
    foreign = _obtain(client, bl_url, 'other_user')
    presented = (
        foreign['refresh_token'] if use_foreign else pair['access_token']
    )

    response = _logout(
        client,
        logout_url,
        {'refresh_token': presented},
        pair['access_token'],
    )

    assert response.status_code == 401, response.content
    assert response.json()['detail'][0]['msg'] == reason.value
    assert not BlocklistedJWToken.objects.exists()
    assert _me(client, bl_url, pair['access_token']).status_code == 200
    assert _refresh(client, bl_url, foreign['refresh_token']).status_code == 200


def test_no_token_is_unauthorized(
    client: Client,
    user: User,
    bl_url: Url,
    logout_url: str,
) -> None:
    pair = _obtain(client, bl_url, user.username)

    response = _logout(
        client,
        logout_url,
        {'refresh_token': pair['refresh_token']},
        None,
    )

    assert_unauthorized(response)
    assert not BlocklistedJWToken.objects.exists()


def test_logout_without_the_blocklist_mixin_fails_at_start_up() -> None:
    with pytest.raises(
        ImproperlyConfigured, match=r'has no JWTokenBlocklist(Sync|Async)Mixin'
    ):

        class _Broken(
            LogoutSyncController[PydanticSerializer, LogoutPayload, None],
        ):
            auth = (JWTSyncAuth(),)

            @override
            def convert_logout_payload(
                self,
                payload: LogoutPayload,
            ) -> str | None:
                return None

            @override
            def make_api_response(self) -> None:
                return None


def test_an_async_blocklist_auth_on_a_sync_logout_fails_at_start_up() -> None:
    # django-modern-rest itself refuses it when the class is made.
    with pytest.raises(EndpointMetadataError, match='SyncAuth'):

        class _WrongTwin(
            LogoutSyncController[PydanticSerializer, LogoutPayload, None],
        ):
            auth = (BlocklistAsyncAuth(),)

            @override
            def convert_logout_payload(
                self,
                payload: LogoutPayload,
            ) -> str | None:
                return None

            @override
            def make_api_response(self) -> None:
                return None


def test_an_async_hook_on_a_sync_logout_controller_fails() -> None:
    with pytest.raises(ImproperlyConfigured, match='must be `def`'):

        class _WrongHook(
            LogoutSyncController[PydanticSerializer, LogoutPayload, None],
        ):
            auth = (BlocklistSyncAuth(),)

            @override
            async def convert_logout_payload(  # type: ignore[override]
                self,
                payload: LogoutPayload,
            ) -> str | None:
                return None

            @override
            def make_api_response(self) -> None:
                return None
