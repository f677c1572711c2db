"""Refresh token rotation with reuse detection, through real HTTP.

The rotating refresh controllers of :mod:`tests.app.rotation_views`
(``/rotation/<serializer>/<mode>/``), next to the blocklist ``obtain`` and
``me`` (``/blocklist/<serializer>/<what>/<mode>/``): both serializers,
sync and async. Time is frozen and moved by hand: the grace period is
measured, never slept through.
"""

import datetime as dt
import json
import sys
import types
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import jwt
import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.dispatch import Signal
from django.test import Client
from django.urls import path
from dmr.plugins.pydantic import PydanticSerializer
from freezegun import freeze_time
from freezegun.api import FrozenDateTimeFactory
from pytest_django import Settings

from dmr_jwt.blocklist import (
    RefreshTokenBlocklistAsyncMixin,
    RefreshTokenBlocklistSyncMixin,
    store,
)
from dmr_jwt.blocklist._sessions import routed_token_lifetime
from dmr_jwt.blocklist.models import RevokedTokenFamily, UsedRefreshToken
from dmr_jwt.errors import Reason
from dmr_jwt.signals import (
    token_family_revoked,
    token_reuse_detected,
    tokens_refreshed,
    tokens_rotated,
)
from dmr_jwt.token import JWToken
from tests.app import blocklist_views, rotation_urls, rotation_views, views
from tests.app.rotation_views import GRACE
from tests.blocklist.conftest import BlocklistBackend
from tests.conftest import PASSWORD, Mode, SerializerName, assert_unauthorized

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = [
    pytest.mark.urls('tests.app.rotation_urls'),
    pytest.mark.django_db,
]

Tokens: TypeAlias = dict[str, str]
Calls: TypeAlias = dict[Signal, list[dict[str, Any]]]

_START: Final = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)
_SIGNALS: Final = (
    tokens_refreshed,
    tokens_rotated,
    token_reuse_detected,
    token_family_revoked,
)


class Api:
    """The endpoints of one serializer and mode, with one test client."""

    def __init__(self, client: Client, serializer: str, mode: str) -> None:
        self.client = client
        self.serializer = serializer
        self.mode = mode

    def login(self, username: str = 'test_user') -> Tokens:
        response = self.client.post(
            f'/blocklist/{self.serializer}/obtain/{self.mode}/',
            data={'username': username, 'password': PASSWORD},
            content_type='application/json',
        )
        assert response.status_code == 200, response.content
        tokens: Tokens = response.json()
        return tokens

    def refresh(self, refresh_token: str) -> 'Response':
        return self.client.post(
            f'/rotation/{self.serializer}/{self.mode}/',
            data=json.dumps({'refresh_token': refresh_token}),
            content_type='application/json',
        )

    def rotate(self, refresh_token: str) -> Tokens:
        response = self.refresh(refresh_token)
        assert response.status_code == 200, response.content
        tokens: Tokens = response.json()
        return tokens

    def me(self, access_token: str) -> 'Response':
        return self.client.get(
            f'/blocklist/{self.serializer}/me/{self.mode}/',
            headers={'Authorization': f'Bearer {access_token}'},
        )


@pytest.fixture
def api(client: Client, serializer: SerializerName, mode: Mode) -> Api:
    """The rotation endpoints of this test's serializer and mode."""
    return Api(client, serializer, mode)


@pytest.fixture
def clock() -> Iterator[FrozenDateTimeFactory]:
    """Frozen time, moved by the test."""
    with freeze_time(_START) as frozen:
        assert isinstance(frozen, FrozenDateTimeFactory)
        yield frozen


@pytest.fixture
def calls() -> Iterator[Calls]:
    """Record the calls of the refresh signals; disconnect afterwards."""
    recorded: Calls = {signal: [] for signal in _SIGNALS}

    def recorder(signal: Signal) -> Callable[..., None]:
        def receiver(**kwargs: Any) -> None:
            recorded[signal].append(kwargs)

        return receiver

    receivers = [(signal, recorder(signal)) for signal in _SIGNALS]
    for signal, receiver in receivers:
        signal.connect(receiver, weak=False)
    yield recorded
    for signal, receiver in receivers:
        assert signal.disconnect(receiver)


def claims(token: str) -> dict[str, Any]:
    """The verified claims of a token issued by the test controllers."""
    decoded: dict[str, Any] = jwt.decode(
        token,
        django_settings.SECRET_KEY,
        algorithms=['HS256'],
    )
    return decoded


def family(token: str) -> str:
    """The family id of a token issued by the test controllers."""
    family_id: str = claims(token)['extras']['family']
    return family_id


def assert_reused(response: 'Response') -> None:
    """The ``401`` of a used refresh token (no auth class: no challenge)."""
    assert_unauthorized(response, Reason.REUSED, scheme=None)


def assert_revoked(response: 'Response', *, challenge: bool) -> None:
    """The ``401`` of a revoked token."""
    assert_unauthorized(
        response,
        Reason.REVOKED,
        scheme='Bearer' if challenge else None,
    )


# A successful rotation:


@pytest.mark.usefixtures('clock')
def test_rotation_keeps_the_family_and_uses_the_token_up(
    api: Api,
    user: User,
) -> None:
    login = api.login()

    rotated = api.rotate(login['refresh_token'])

    assert family(rotated['access_token']) == family(login['refresh_token'])
    assert family(rotated['refresh_token']) == family(login['refresh_token'])
    assert (
        claims(rotated['refresh_token'])['jti']
        != (claims(login['refresh_token'])['jti'])
    )
    used = UsedRefreshToken.objects.get()
    old = claims(login['refresh_token'])
    assert used.jti == old['jti']
    assert used.family == old['extras']['family']
    assert used.sub == str(user.pk)
    assert used.used_at == _START
    # It outlives the token by an hour: flushing hosts may run ahead.
    assert used.expires_at == dt.datetime.fromtimestamp(
        old['exp'],
        dt.UTC,
    ) + dt.timedelta(hours=1)
    # The new pair works, and can rotate again:
    assert api.me(rotated['access_token']).status_code == 200
    assert api.rotate(rotated['refresh_token'])


def test_every_login_starts_a_family(api: Api, user: User) -> None:
    first, second = api.login(), api.login()

    assert family(first['access_token']) == family(first['refresh_token'])
    assert family(first['refresh_token']) != family(second['refresh_token'])


def test_without_rotation_a_refresh_token_stays_usable(
    client: Client,
    user: User,
    serializer: SerializerName,
    mode: Mode,
) -> None:
    # The documented default (and the built-in peer): no rotation.
    api = Api(client, serializer, mode)
    refresh_token = api.login()['refresh_token']

    for _ in range(2):
        response = client.post(
            f'/blocklist/{serializer}/refresh/{mode}/',
            data={'refresh_token': refresh_token},
            content_type='application/json',
        )
        assert response.status_code == 200, response.content
    assert not UsedRefreshToken.objects.exists()


# Replays: inside and after the grace period.


def test_replay_inside_the_grace_period_is_refused_without_revoking(
    api: Api,
    user: User,
    clock: FrozenDateTimeFactory,
    calls: Calls,
) -> None:
    login = api.login()
    rotated = api.rotate(login['refresh_token'])
    clock.tick(GRACE)  # the last moment of the grace period

    assert_reused(api.refresh(login['refresh_token']))

    assert not RevokedTokenFamily.objects.exists()
    assert api.me(login['access_token']).status_code == 200
    assert api.me(rotated['access_token']).status_code == 200
    assert api.rotate(rotated['refresh_token'])
    (reuse,) = calls[token_reuse_detected]
    assert reuse['family_revoked'] is False
    assert reuse['used_at'] == _START
    assert not calls[token_family_revoked]


def test_replay_after_the_grace_period_revokes_the_whole_family(
    api: Api,
    user: User,
    clock: FrozenDateTimeFactory,
    calls: Calls,
) -> None:
    login = api.login()
    other_login = api.login()  # another device: another family
    second = api.rotate(login['refresh_token'])
    third = api.rotate(second['refresh_token'])
    clock.tick(GRACE + dt.timedelta(seconds=1))

    # The attacker (or the victim) replays the first refresh token:
    assert_reused(api.refresh(login['refresh_token']))

    revoked = RevokedTokenFamily.objects.get()
    assert revoked.family == family(login['refresh_token'])
    assert revoked.cause == RevokedTokenFamily.Cause.REUSE
    assert revoked.sub == str(user.pk)
    # Every token of the family is refused, older and newer ones:
    for tokens in (login, second, third):
        assert_revoked(api.me(tokens['access_token']), challenge=True)
    assert_revoked(api.refresh(third['refresh_token']), challenge=False)
    # The other device is not affected:
    assert api.me(other_login['access_token']).status_code == 200
    assert api.rotate(other_login['refresh_token'])
    (reuse,) = calls[token_reuse_detected]
    assert reuse['family_revoked'] is True
    assert reuse['family'] == revoked.family
    assert reuse['token'].jti == claims(login['refresh_token'])['jti']
    (family_revoked,) = calls[token_family_revoked]
    assert family_revoked['family'] == revoked.family
    assert family_revoked['cause'] == 'reuse'


@pytest.mark.usefixtures('clock')
def test_signals_of_a_rotation(api: Api, user: User, calls: Calls) -> None:
    login = api.login()

    api.rotate(login['refresh_token'])

    assert len(calls[tokens_refreshed]) == 1
    (rotated,) = calls[tokens_rotated]
    assert set(rotated) == {
        'signal',
        'sender',
        'request',
        'user',
        'token',
        'family',
    }
    assert rotated['sender'] is getattr(
        rotation_views,
        f'{api.serializer.capitalize()}Rotating{api.mode.capitalize()}',
    )
    assert rotated['user'] == user
    assert isinstance(rotated['token'], JWToken)
    assert rotated['token'].jti == claims(login['refresh_token'])['jti']
    assert rotated['family'] == family(login['refresh_token'])
    assert not calls[token_reuse_detected]


def test_replay_of_a_token_without_family_revokes_what_it_issued(
    api: Api,
    user: User,
    clock: FrozenDateTimeFactory,
    calls: Calls,
) -> None:
    # A refresh token from before families (or from another issuer): its
    # refresh issues into a family named after its `jti`.
    legacy = JWToken(
        sub=str(user.pk),
        exp=_START + dt.timedelta(days=1),
        iat=_START,
        jti='legacy-refresh-token',
        extras={'type': 'refresh'},
    ).encode(django_settings.SECRET_KEY, 'HS256')
    other_login = api.login()
    rotated = api.rotate(legacy)
    assert family(rotated['access_token']) == 'legacy-refresh-token'
    assert UsedRefreshToken.objects.get().family == 'legacy-refresh-token'
    clock.tick(GRACE * 2)

    assert_reused(api.refresh(legacy))

    assert_revoked(api.me(rotated['access_token']), challenge=True)
    assert_revoked(api.refresh(rotated['refresh_token']), challenge=False)
    assert api.me(other_login['access_token']).status_code == 200
    assert RevokedTokenFamily.objects.get().family == 'legacy-refresh-token'
    (reuse,) = calls[token_reuse_detected]
    assert reuse['family'] == 'legacy-refresh-token'
    assert reuse['family_revoked'] is True


def test_replay_of_a_token_without_usable_family_or_jti_revokes_nothing(
    api: Api,
    user: User,
    clock: FrozenDateTimeFactory,
    calls: Calls,
) -> None:
    # A `jti` too long to name a family (at most 64 characters).
    legacy = JWToken(
        sub=str(user.pk),
        exp=_START + dt.timedelta(days=1),
        iat=_START,
        jti='j' * 65,
        extras={'type': 'refresh', 'family': 42},
    ).encode(django_settings.SECRET_KEY, 'HS256')
    rotated = api.rotate(legacy)
    clock.tick(GRACE * 2)

    assert_reused(api.refresh(legacy))

    # The new tokens got a family of their own, which stays valid:
    assert api.me(rotated['access_token']).status_code == 200
    assert not RevokedTokenFamily.objects.exists()
    (reuse,) = calls[token_reuse_detected]
    assert reuse['family'] is None
    assert reuse['family_revoked'] is False


@pytest.mark.usefixtures('clock')
def test_a_refused_refresh_does_not_use_the_token_up(
    api: Api,
    user: User,
) -> None:
    login = api.login()
    user.is_active = False
    user.save()

    response = api.refresh(login['refresh_token'])

    assert_unauthorized(response, Reason.USER_INACTIVE, scheme=None)
    assert not UsedRefreshToken.objects.exists()
    user.is_active = True
    user.save()
    assert api.rotate(login['refresh_token'])


@pytest.mark.django_db(databases='__all__')
def test_rotation_on_every_backend(
    *,
    client: Client,
    user: User,
    mode: Mode,
    blocklist_backend: BlocklistBackend,
    clock: FrozenDateTimeFactory,
) -> None:
    api = Api(client, 'pydantic', mode)
    login = api.login()
    second = api.rotate(login['refresh_token'])
    assert_reused(api.refresh(login['refresh_token']))  # inside grace
    assert api.me(second['access_token']).status_code == 200  # cached
    clock.tick(GRACE * 2)

    assert_reused(api.refresh(login['refresh_token']))

    assert_revoked(api.me(second['access_token']), challenge=True)
    assert_revoked(api.refresh(second['refresh_token']), challenge=False)
    database = blocklist_backend.database
    assert RevokedTokenFamily.objects.using(database).count() == 1
    assert UsedRefreshToken.objects.using(database).count() == 1


# Configuration mistakes, refused when the class is made:


def test_rotation_needs_the_refresh_blocklist_mixin() -> None:
    with pytest.raises(ImproperlyConfigured, match='not a setting'):

        class _NoMixin(views._RefreshSync[PydanticSerializer]):
            jwt_rotate_refresh_tokens = True


def test_the_grace_period_cannot_be_negative() -> None:
    with pytest.raises(ImproperlyConfigured, match='grace_period'):

        class _Negative(blocklist_views._RefreshAsync[PydanticSerializer]):
            jwt_rotate_refresh_tokens = True
            jwt_rotation_grace_period = dt.timedelta(seconds=-1)


def test_a_replay_revokes_the_family_inside_atomic_requests(
    *,
    client: Client,
    user: User,
    serializer: SerializerName,
    clock: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The `401` is a response, not an exception: the request's transaction
    # commits, and the revocation with it. (Django refuses ATOMIC_REQUESTS
    # for async views.)
    api = Api(client, serializer, 'sync')
    monkeypatch.setitem(
        connections.settings['default'],
        'ATOMIC_REQUESTS',
        True,  # noqa: FBT003
    )
    login = api.login()
    second = api.rotate(login['refresh_token'])
    clock.tick(GRACE * 2)

    assert_reused(api.refresh(login['refresh_token']))

    assert RevokedTokenFamily.objects.count() == 1
    assert_revoked(api.refresh(second['refresh_token']), challenge=False)


def test_the_async_mixin_cannot_rotate_a_sync_controller() -> None:
    # Its hooks would return coroutines that never run: no use, no check.
    with pytest.raises(ImproperlyConfigured, match='async'):

        class _WrongTwin(  # type: ignore[misc]
            RefreshTokenBlocklistAsyncMixin,
            views._RefreshSync[PydanticSerializer],
        ):
            jwt_rotate_refresh_tokens = True


def test_the_sync_mixin_cannot_rotate_an_async_controller() -> None:
    with pytest.raises(ImproperlyConfigured, match='async def'):

        class _WrongTwin(  # type: ignore[misc]
            RefreshTokenBlocklistSyncMixin,
            views._RefreshAsync[PydanticSerializer],
        ):
            jwt_rotate_refresh_tokens = True


def test_a_revoked_family_outlives_every_routed_controllers_tokens(
    *,
    api: Api,
    user: User,
    clock: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
) -> None:
    class _LongLived(blocklist_views._RefreshSync[PydanticSerializer]):
        jwt_refresh_expiration = dt.timedelta(days=400)

    # The lifetimes come from what the URLconf routes, not from imports.
    assert routed_token_lifetime() < dt.timedelta(days=400)
    urls = types.ModuleType('tests._long_lived_urls')
    urls.urlpatterns = [  # type: ignore[attr-defined]
        *rotation_urls.urlpatterns,
        path('long-lived/', _LongLived.as_view()),
    ]
    monkeypatch.setitem(sys.modules, urls.__name__, urls)
    settings.ROOT_URLCONF = urls.__name__
    assert routed_token_lifetime() == dt.timedelta(days=400)

    login = api.login()
    second = api.rotate(login['refresh_token'])
    clock.tick(GRACE * 2)
    assert_reused(api.refresh(login['refresh_token']))

    revoked = RevokedTokenFamily.objects.get()
    # Not the rotating controller's 10 days: the longest of any controller.
    assert revoked.expires_at >= _START + dt.timedelta(days=400)
    clock.move_to(_START + dt.timedelta(days=9))
    store.get_store().flush_expired()
    assert RevokedTokenFamily.objects.exists()
    assert_revoked(api.refresh(second['refresh_token']), challenge=False)
