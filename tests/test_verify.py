"""The verify controllers, through real HTTP and real URL routing.

Every case runs sync and async, with pydantic and msgspec, through the
reusable controller of :mod:`tests.app.verify_views` and the ready-to-use
one of :mod:`dmr_jwt.concrete_views` (routed with
``as_view(serializer=...)``): ``204`` for a valid token of the expected
type, ``401`` with the precise reason otherwise, ``400`` for a body that
does not parse.
"""

import datetime as dt
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from dmr.plugins.pydantic import PydanticSerializer
from freezegun import freeze_time
from typing_extensions import override

from dmr_jwt import JWToken
from dmr_jwt.errors import Reason
from dmr_jwt.views import (
    VerifyTokenAsyncController,
    VerifyTokenPayload,
    VerifyTokenSyncController,
)
from tests.app import verify_views
from tests.conftest import (
    PASSWORD,
    Mode,
    SerializerName,
    assert_unauthorized,
)

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = [
    pytest.mark.urls('tests.app.verify_urls'),
    pytest.mark.django_db,
]

Url: TypeAlias = Callable[[str], str]
Route: TypeAlias = Literal['reusable', 'concrete']

_FORGED_SECRET: Final = 'not-the-server-secret-' + 'f' * 64


@pytest.fixture(params=['reusable', 'concrete'])
def route(request: pytest.FixtureRequest) -> Route:
    """The reusable verify controller, or the ready-to-use one."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def verify_url(route: Route, serializer: SerializerName, mode: Mode) -> str:
    """The access token verify endpoint of the current axes."""
    prefix = 'verify' if route == 'reusable' else 'concrete'
    return f'/{prefix}/{serializer}/verify/{mode}/'


@pytest.fixture
def verify_refresh_url(serializer: SerializerName, mode: Mode) -> str:
    """The endpoint that verifies refresh tokens, of the current axes."""
    return f'/verify/{serializer}/refresh/{mode}/'


def obtain(client: Client, username: str = 'test_user') -> dict[str, str]:
    """A token pair from the suite's obtain endpoint."""
    response = client.post(
        '/api/pydantic/obtain/sync/',
        data={'username': username, 'password': PASSWORD},
        content_type='application/json',
    )
    assert response.status_code == 200, response.content
    pair: dict[str, str] = response.json()
    return pair


def post(client: Client, url: str, body: object) -> 'Response':
    """POST *body* as JSON (``bytes``: sent as they are)."""
    return client.post(url, data=body, content_type='application/json')


def _token(
    *,
    sub: object,
    token_type: str | None = 'access',  # noqa: S107
    issued_ago: dt.timedelta = dt.timedelta(seconds=1),
    secret: str | None = None,
) -> str:
    """A token that lives an hour from *issued_ago* (made then)."""
    issued = dt.datetime.now(dt.UTC) - issued_ago
    extras: dict[str, Any] = {} if token_type is None else {'type': token_type}
    with freeze_time(issued):
        token = JWToken(
            sub=str(sub),
            exp=issued + dt.timedelta(hours=1),
            iat=issued,
            jti=uuid.uuid4().hex,
            extras=extras,
        )
    return token.encode(secret or settings.SECRET_KEY, 'HS256')


def test_a_valid_access_token_is_204(
    client: Client,
    user: User,
    verify_url: str,
) -> None:
    access = obtain(client)['access_token']

    response = post(client, verify_url, {'access_token': access})

    assert response.status_code == 204, response.content
    assert response.content == b''
    assert response.headers['Cache-Control'] == 'no-store'


def test_a_valid_refresh_token_is_204_where_refresh_is_expected(
    client: Client,
    user: User,
    verify_refresh_url: str,
) -> None:
    refresh = obtain(client)['refresh_token']

    response = post(client, verify_refresh_url, {'refresh_token': refresh})

    assert response.status_code == 204, response.content
    assert response.content == b''


def test_a_refresh_token_is_the_wrong_type_for_access(
    client: Client,
    user: User,
    verify_url: str,
) -> None:
    refresh = obtain(client)['refresh_token']

    response = post(client, verify_url, {'access_token': refresh})

    assert_unauthorized(response, Reason.WRONG_TYPE, scheme=None)


def test_an_access_token_is_the_wrong_type_for_refresh(
    client: Client,
    user: User,
    verify_refresh_url: str,
) -> None:
    access = obtain(client)['access_token']

    response = post(client, verify_refresh_url, {'refresh_token': access})

    assert_unauthorized(response, Reason.WRONG_TYPE, scheme=None)


@pytest.mark.parametrize(
    ('make_token', 'reason'),
    [
        pytest.param(
            lambda pk: _token(sub=pk, issued_ago=dt.timedelta(hours=2)),
            Reason.EXPIRED,
            id='expired',
        ),
        pytest.param(
            lambda pk: _token(sub=pk, secret=_FORGED_SECRET),
            Reason.INVALID_SIGNATURE,
            id='forged',
        ),
        pytest.param(lambda pk: 'a.b.c', Reason.MALFORMED, id='garbage'),
        pytest.param(lambda pk: '', Reason.MALFORMED, id='empty'),
        pytest.param(
            lambda pk: 'x' * 10_000,
            Reason.MALFORMED,
            id='too-long',
        ),
        pytest.param(
            lambda pk: _token(sub=pk, token_type=None),
            Reason.WRONG_TYPE,
            id='untyped',
        ),
        pytest.param(
            lambda pk: _token(sub=pk + 1000),
            Reason.USER_INACTIVE,
            id='unknown-user',
        ),
        pytest.param(
            lambda pk: _token(sub='not-a-number'),
            Reason.USER_INACTIVE,
            id='unusable-subject',
        ),
    ],
)
def test_a_bad_token_is_401_with_its_reason(
    client: Client,
    user: User,
    verify_url: str,
    *,
    make_token: Callable[[int], str],
    reason: Reason,
) -> None:
    response = post(client, verify_url, {'access_token': make_token(user.pk)})

    assert_unauthorized(response, reason, scheme=None)


def test_an_inactive_user_is_401(
    client: Client,
    user: User,
    verify_url: str,
) -> None:
    access = obtain(client)['access_token']
    user.is_active = False
    user.save()

    response = post(client, verify_url, {'access_token': access})

    assert_unauthorized(response, Reason.USER_INACTIVE, scheme=None)


def test_a_deleted_user_is_401(
    client: Client,
    user: User,
    verify_url: str,
) -> None:
    access = obtain(client)['access_token']
    user.delete()

    response = post(client, verify_url, {'access_token': access})

    assert_unauthorized(response, Reason.USER_INACTIVE, scheme=None)


def test_the_token_expires_for_verify_too(
    client: Client,
    user: User,
    verify_url: str,
) -> None:
    with freeze_time(dt.datetime.now(dt.UTC)) as frozen:
        access = obtain(client)['access_token']
        first = post(client, verify_url, {'access_token': access})
        assert first.status_code == 204, first.content
        frozen.tick(dt.timedelta(days=1, seconds=1))

        response = post(client, verify_url, {'access_token': access})

    assert_unauthorized(response, Reason.EXPIRED, scheme=None)


@pytest.mark.parametrize(
    'body',
    [
        pytest.param({}, id='missing-field'),
        pytest.param({'access_token': 42}, id='not-a-string'),
        pytest.param({'token': 'a.b.c'}, id='wrong-field'),
        pytest.param(['a.b.c'], id='not-an-object'),
        pytest.param(b'{"access_token": ', id='not-json'),
    ],
)
def test_a_malformed_body_is_400(
    client: Client,
    user: User,
    verify_url: str,
    *,
    body: object,
) -> None:
    response = post(client, verify_url, body)

    assert response.status_code == 400, response.content
    assert response.json()['detail']


def test_verify_makes_one_user_query_and_sets_no_user(
    client: Client,
    user: User,
    serializer: SerializerName,
    mode: Mode,
) -> None:
    # The reusable one: no blocklist, so the user lookup is all there is.
    access = obtain(client)['access_token']

    with CaptureQueriesContext(connection) as queries:
        response = post(
            client,
            f'/verify/{serializer}/verify/{mode}/',
            {'access_token': access},
        )

    assert response.status_code == 204, response.content
    assert len(queries.captured_queries) == 1
    assert 'auth_user' in queries.captured_queries[0]['sql']


@pytest.mark.parametrize(
    'base',
    [VerifyTokenSyncController, VerifyTokenAsyncController],
)
def test_an_unknown_token_type_fails_at_class_creation(base: Any) -> None:
    with pytest.raises(ImproperlyConfigured, match='jwt_verify_token_type'):

        class Verify(base[PydanticSerializer, VerifyTokenPayload]):  # type: ignore[misc]
            jwt_verify_token_type = 'id'

            def convert_verify_payload(self, payload: Any) -> str:
                raise NotImplementedError


def test_a_hook_of_the_wrong_mode_fails_at_class_creation() -> None:
    with pytest.raises(ImproperlyConfigured, match='check_token'):

        class Verify(verify_views._VerifySync[PydanticSerializer]):
            @override
            async def check_token(self, token: JWToken) -> None:  # type: ignore[override]
                raise NotImplementedError


def test_a_misspelled_setting_fails_at_class_creation() -> None:
    with pytest.raises(ImproperlyConfigured, match='jwt_verify_token_type'):

        class Verify(verify_views._VerifySync[PydanticSerializer]):
            jwt_verify_token_typ = 'refresh'
