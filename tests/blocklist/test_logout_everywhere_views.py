"""The reusable log-out-everywhere controllers of the blocklist app.

``LogoutEverywhereSyncController`` / ``LogoutEverywhereAsyncController``
(:mod:`dmr_jwt.blocklist.views`) through real HTTP, both serializers, sync
and async: the controllers of :mod:`tests.app.everywhere_views`, next to
the blocklist ``me``, ``obtain`` and ``refresh`` (with the refresh
blocklist mixin). The clock is frozen (``freezegun``) where the second of
a login matters: the watermark is the next whole second after the call.
"""

import datetime as dt
import json
import types
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import jwt
import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import AsyncClient, Client, RequestFactory
from dmr.openapi import build_schema
from dmr.plugins.pydantic import PydanticSerializer
from freezegun import freeze_time
from freezegun.api import FrozenDateTimeFactory
from typing_extensions import override

from dmr_jwt import JWTAsyncAuth, JWTSyncAuth
from dmr_jwt.blocklist import (
    JWTokenBlocklistSyncMixin,
    LogoutEverywhereAsyncController,
    LogoutEverywhereSyncController,
)
from dmr_jwt.blocklist.models import TokenWatermark
from dmr_jwt.errors import Reason
from dmr_jwt.signals import all_tokens_revoked
from dmr_jwt.token import JWToken
from tests.app import everywhere_urls
from tests.app.blocklist_views import BlocklistAsyncAuth, BlocklistSyncAuth
from tests.app.everywhere_views import LoggedOutEverywhere
from tests.blocklist.conftest import BlocklistBackend, committed
from tests.conftest import (
    PASSWORD,
    Mode,
    SerializerName,
    assert_unauthorized,
    unauthorized,
)

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = [
    pytest.mark.urls('tests.app.everywhere_urls'),
    pytest.mark.usefixtures('clean_default_cache'),
]

Url: TypeAlias = Callable[[str], str]
Pair: TypeAlias = dict[str, str]

#: What every successful call answers.
LOGGED_OUT: Final[LoggedOutEverywhere] = {'logged_out_everywhere': True}

#: Half a second: the calls happen in the middle of a second.
HALF_SECOND: Final = dt.timedelta(milliseconds=500)

ONE_SECOND: Final = dt.timedelta(seconds=1)


@pytest.fixture
def clean_default_cache() -> Iterator[None]:
    """
    Start and end with an empty ``default`` cache.

    Watermarks are cached by ``sub``, and primary keys repeat from test to
    test: a watermark cached here must not revoke the tokens of another
    test's user.
    """
    caches['default'].clear()
    yield
    caches['default'].clear()


@pytest.fixture
def clock() -> Iterator[FrozenDateTimeFactory]:
    """A frozen clock, at a whole second (like ``iat``), moved by ``tick``."""
    start = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with freeze_time(start) as frozen:
        assert isinstance(frozen, FrozenDateTimeFactory)
        yield frozen


@pytest.fixture
def bl_url(serializer: SerializerName, mode: Mode) -> Url:
    """Build ``/blocklist/<serializer>/<name>/<mode>/`` for the axes."""

    def factory(name: str) -> str:
        return f'/blocklist/{serializer}/{name}/{mode}/'

    return factory


@pytest.fixture
def everywhere_url(serializer: SerializerName, mode: Mode) -> str:
    """``/everywhere/<serializer>/<mode>/`` for the axes."""
    return f'/everywhere/{serializer}/{mode}/'


@pytest.fixture
def controller(serializer: SerializerName, mode: Mode) -> type[Any]:
    """The controller class behind ``everywhere_url``."""
    pair = everywhere_urls.CONTROLLERS[serializer]
    return pair[everywhere_urls.MODES.index(mode)]


@pytest.fixture
def revocations() -> Iterator[list[dict[str, Any]]]:
    """Every ``all_tokens_revoked`` sent during the test: its arguments."""
    sent: list[dict[str, Any]] = []

    def receiver(sender: object, **kwargs: Any) -> None:
        kwargs.pop('signal')
        sent.append({'sender': sender, **kwargs})

    all_tokens_revoked.connect(receiver, weak=False)
    yield sent
    all_tokens_revoked.disconnect(receiver)


def _bearer(access: str | None) -> dict[str, str]:
    return {} if access is None else {'Authorization': f'Bearer {access}'}


def _obtain(client: Client, bl_url: Url, username: str) -> Pair:
    response = client.post(
        bl_url('obtain'),
        data={'username': username, 'password': PASSWORD},
        content_type='application/json',
    )
    assert response.status_code == 200, response.content
    pair: Pair = response.json()
    return pair


def _everywhere(client: Client, url: str, access: str | None) -> 'Response':
    with committed():
        return client.post(url, headers=_bearer(access))


def _me(client: Client, bl_url: Url, access: str) -> 'Response':
    return client.get(bl_url('me'), headers=_bearer(access))


def _refresh(client: Client, bl_url: Url, refresh: str) -> 'Response':
    return client.post(
        bl_url('refresh'),
        data={'refresh_token': refresh},
        content_type='application/json',
    )


def _assert_works(client: Client, bl_url: Url, pair: Pair) -> None:
    assert _me(client, bl_url, pair['access_token']).status_code == 200
    refreshed = _refresh(client, bl_url, pair['refresh_token'])
    assert refreshed.status_code == 200, refreshed.content


def _assert_revoked(client: Client, bl_url: Url, pair: Pair) -> None:
    assert_unauthorized(
        _me(client, bl_url, pair['access_token']),
        Reason.REVOKED,
    )
    assert_unauthorized(
        _refresh(client, bl_url, pair['refresh_token']),
        Reason.REVOKED,
        scheme=None,
    )


def _next_whole_second(moment: dt.datetime) -> dt.datetime:
    return moment.replace(microsecond=0) + ONE_SECOND


@pytest.mark.django_db(databases='__all__')
def test_revokes_every_earlier_token_of_that_user_only(
    *,
    client: Client,
    user: User,
    bl_url: Url,
    everywhere_url: str,
    clock: FrozenDateTimeFactory,
    blocklist_backend: BlocklistBackend,
) -> None:
    other = User.objects.create_user('other_user', password=PASSWORD)
    logins = [_obtain(client, bl_url, user.username)]
    clock.tick(ONE_SECOND)
    logins.append(_obtain(client, bl_url, user.username))
    others = _obtain(client, bl_url, other.username)
    clock.tick(HALF_SECOND)
    # Warm up: "no watermark" may be cached now, and must not survive.
    for pair in logins:
        assert _me(client, bl_url, pair['access_token']).status_code == 200

    response = _everywhere(client, everywhere_url, logins[0]['access_token'])

    assert response.status_code == 200, response.content
    assert response.json() == LOGGED_OUT
    # `iat` has whole seconds: a login in the same second is revoked too.
    same_second = _obtain(client, bl_url, user.username)
    for pair in (*logins, same_second):
        _assert_revoked(client, bl_url, pair)
    _assert_works(client, bl_url, others)
    # From the next whole second on, a login works again:
    clock.move_to(_next_whole_second(clock()))
    _assert_works(client, bl_url, _obtain(client, bl_url, user.username))
    watermark = TokenWatermark.objects.using(blocklist_backend.database).get()
    assert watermark.sub == str(user.pk)
    assert watermark.not_before == clock().replace(tzinfo=dt.UTC)


@pytest.mark.django_db
def test_one_watermark_per_user_moved_by_each_call(
    *,
    client: Client,
    user: User,
    bl_url: Url,
    everywhere_url: str,
    controller: type[Any],
    clock: FrozenDateTimeFactory,
    revocations: list[dict[str, Any]],
) -> None:
    first = _obtain(client, bl_url, user.username)
    clock.tick(HALF_SECOND)
    first_not_before = _next_whole_second(clock().replace(tzinfo=dt.UTC))

    response = _everywhere(client, everywhere_url, first['access_token'])

    assert response.status_code == 200, response.content
    assert response.json() == LOGGED_OUT
    row = TokenWatermark.objects.get()
    assert (row.sub, row.not_before) == (str(user.pk), first_not_before)
    assert revocations == [
        {
            'sender': controller,
            'sub': str(user.pk),
            'not_before': first_not_before,
        },
    ]
    not_before = revocations[0]['not_before']
    assert not_before.tzinfo is not None
    assert not_before.microsecond == 0

    # The revoked token cannot call again; a later login can.
    assert_unauthorized(
        _everywhere(client, everywhere_url, first['access_token']),
        Reason.REVOKED,
    )
    assert len(revocations) == 1
    clock.tick(dt.timedelta(seconds=3))
    second = _obtain(client, bl_url, user.username)
    second_not_before = _next_whole_second(clock().replace(tzinfo=dt.UTC))

    response = _everywhere(client, everywhere_url, second['access_token'])

    assert response.status_code == 200, response.content
    row = TokenWatermark.objects.get()
    assert (row.sub, row.not_before) == (str(user.pk), second_not_before)
    assert [sent['not_before'] for sent in revocations] == [
        first_not_before,
        second_not_before,
    ]
    _assert_revoked(client, bl_url, second)


def _no_token(user: User, pair: Pair) -> str | None:
    return None


def _malformed(user: User, pair: Pair) -> str | None:
    return 'not-a-jwt'


def _claims(user: User, **overrides: Any) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC)
    return {
        'sub': str(user.pk),
        'iat': now,
        'exp': now + dt.timedelta(minutes=5),
        'jti': uuid.uuid4().hex,
        'extras': {'type': 'access'},
        **overrides,
    }


def _wrong_secret(user: User, pair: Pair) -> str | None:
    return jwt.encode(_claims(user), 'another-secret-' + 'w' * 64, 'HS256')


def _expired(user: User, pair: Pair) -> str | None:
    expired = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    return jwt.encode(
        _claims(user, exp=expired),
        django_settings.SECRET_KEY,
        'HS256',
    )


def _refresh_token(user: User, pair: Pair) -> str | None:
    return pair['refresh_token']


@pytest.mark.parametrize(
    ('make_token', 'reason'),
    [
        pytest.param(_no_token, None, id='no-token'),
        pytest.param(_malformed, Reason.MALFORMED, id='malformed'),
        pytest.param(_wrong_secret, Reason.INVALID_SIGNATURE, id='signature'),
        pytest.param(_expired, Reason.EXPIRED, id='expired'),
        pytest.param(_refresh_token, Reason.WRONG_TYPE, id='refresh-token'),
    ],
)
@pytest.mark.django_db
def test_bad_or_missing_token_revokes_nothing(
    *,
    client: Client,
    user: User,
    bl_url: Url,
    everywhere_url: str,
    revocations: list[dict[str, Any]],
    make_token: Callable[[User, Pair], str | None],
    reason: Reason | None,
) -> None:
    pair = _obtain(client, bl_url, user.username)

    response = _everywhere(client, everywhere_url, make_token(user, pair))

    assert_unauthorized(response, reason)
    assert not TokenWatermark.objects.exists()
    assert revocations == []
    _assert_works(client, bl_url, pair)


@pytest.mark.django_db(transaction=True)
async def test_async_client_logs_out_everywhere(
    *,
    async_client: AsyncClient,
    user: User,
    serializer: SerializerName,
    revocations: list[dict[str, Any]],
) -> None:
    # The async controller under a real event loop, no frozen clock.
    base = f'/blocklist/{serializer}'
    other = await User.objects.acreate_user('other_user', password=PASSWORD)
    pairs: dict[str, Pair] = {}
    for username in (user.username, other.username):
        obtained = await async_client.post(
            f'{base}/obtain/async/',
            data={'username': username, 'password': PASSWORD},
            content_type='application/json',
        )
        assert obtained.status_code == 200, obtained.content
        pairs[username] = obtained.json()

    response = await async_client.post(
        f'/everywhere/{serializer}/async/',
        headers=_bearer(pairs[user.username]['access_token']),
    )

    assert response.status_code == 200, response.content
    assert response.json() == LOGGED_OUT
    revoked, kept = [
        await async_client.get(
            f'{base}/me/async/',
            headers=_bearer(pairs[username]['access_token']),
        )
        for username in (user.username, other.username)
    ]
    assert_unauthorized(revoked, Reason.REVOKED)
    assert kept.status_code == 200, kept.content
    row = await TokenWatermark.objects.aget()
    assert row.sub == str(user.pk)
    assert revocations == [
        {
            'sender': everywhere_urls.CONTROLLERS[serializer][1],
            'sub': str(user.pk),
            'not_before': row.not_before,
        },
    ]


@pytest.mark.parametrize(
    ('base', 'auth'),
    [
        pytest.param(
            LogoutEverywhereSyncController,
            (JWTSyncAuth(),),
            id='sync',
        ),
        pytest.param(
            LogoutEverywhereAsyncController,
            (JWTAsyncAuth(),),
            id='async',
        ),
        pytest.param(
            LogoutEverywhereSyncController,
            (BlocklistSyncAuth(), JWTSyncAuth()),
            id='sync-one-of-two',
        ),
        pytest.param(
            LogoutEverywhereAsyncController,
            (BlocklistAsyncAuth(), JWTAsyncAuth()),
            id='async-one-of-two',
        ),
    ],
)
def test_auth_without_the_blocklist_mixin_fails_at_class_creation(
    *,
    base: type[Any],
    auth: tuple[object, ...],
) -> None:
    with pytest.raises(
        ImproperlyConfigured, match=r'has no JWTokenBlocklist(Sync|Async)Mixin'
    ):
        types.new_class(
            'Broken',
            (base[PydanticSerializer, LoggedOutEverywhere],),
            exec_body=lambda namespace: namespace.update(auth=auth),
        )


@pytest.fixture(scope='module')
def schema() -> dict[str, Any]:
    """The schema of the log-out-everywhere endpoints."""
    return build_schema(everywhere_urls.router).convert()


def test_openapi_operation(
    *,
    schema: dict[str, Any],
    everywhere_url: str,
) -> None:
    operation = schema['paths'][everywhere_url]['post']

    assert operation['security'] == [{'jwt': []}]
    assert 'requestBody' not in operation
    responses = operation['responses']
    assert responses['200']['content'] == {
        'application/json': {
            'schema': {'$ref': '#/components/schemas/LoggedOutEverywhere'},
        },
    }
    assert set(responses['401']['headers']) == {'WWW-Authenticate'}
    assert schema['components']['schemas']['LoggedOutEverywhere'][
        'properties'
    ] == {
        'logged_out_everywhere': {
            'title': 'Logged Out Everywhere',
            'type': 'boolean',
        },
    }


class _StatelessBlocklistAuth(JWTokenBlocklistSyncMixin, JWTSyncAuth):
    __slots__ = ()


class _StatelessEverywhere(
    LogoutEverywhereSyncController[PydanticSerializer, LoggedOutEverywhere],
):
    # No user lookup: any `sub` of a valid token reaches the controller.
    auth = (_StatelessBlocklistAuth(stateless=True),)

    @override
    def make_api_response(self) -> LoggedOutEverywhere:
        return {'logged_out_everywhere': True}


@pytest.mark.django_db
def test_a_subject_too_long_to_store_is_a_401_not_a_500() -> None:
    now = dt.datetime.now(dt.UTC)
    token = JWToken(
        sub='x' * 300,
        exp=now + dt.timedelta(hours=1),
        iat=now,
        jti='long-subject',
        extras={'type': 'access'},
    ).encode(django_settings.SECRET_KEY, 'HS256')
    request = RequestFactory().post(
        '/',
        headers={'Authorization': f'Bearer {token}'},
    )

    response = _StatelessEverywhere.as_view()(request)

    assert isinstance(response, HttpResponse)
    assert response.status_code == 401, response.content
    assert json.loads(response.content) == unauthorized(Reason.INVALID_CLAIMS)
    assert not TokenWatermark.objects.exists()
