"""``REVOKE_TOKENS_ON_PASSWORD_CHANGE``: a new password logs a user out.

:mod:`dmr_jwt.blocklist.password`: saving an existing user after
``set_password()`` writes their watermark (every earlier token is
revoked), with the setting on only, in the transaction of the save.
Through the ORM, and end to end through the blocklist controllers of
:mod:`tests.app.blocklist_views`. Time is frozen and moved by hand.
"""

import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import User
from django.core import serializers
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from freezegun import freeze_time
from freezegun.api import FrozenDateTimeFactory
from pytest_django import Settings

from dmr_jwt.blocklist.models import TokenWatermark
from dmr_jwt.blocklist.store import get_store
from dmr_jwt.errors import Reason
from dmr_jwt.signals import all_tokens_revoked
from dmr_jwt.token import JWToken
from tests.blocklist.conftest import committed
from tests.conftest import PASSWORD, Mode, SerializerName, assert_unauthorized

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.urls('tests.app.blocklist_urls')

Revocations: TypeAlias = list[dict[str, Any]]
Save: TypeAlias = Literal['save', 'asave']

#: The password change happens at this (frozen) moment...
_NOW: Final = dt.datetime(2026, 11, 29, 12, 0, 0, 500_000, tzinfo=dt.UTC)
#: ...so tokens issued before this one are revoked.
_WATERMARK: Final = dt.datetime(2026, 11, 29, 12, 0, 1, tzinfo=dt.UTC)

_NEW_PASSWORD: Final = 'a-new-password'

_ON: Final = {'REVOKE_TOKENS_ON_PASSWORD_CHANGE': True}


class _RollbackError(Exception):
    """Raised to roll a transaction back."""


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    """Watermarks are cached, and user ids come back in the next test."""
    caches['default'].clear()
    yield
    caches['default'].clear()


@pytest.fixture
def clock() -> Iterator[FrozenDateTimeFactory]:
    """Time frozen at ``_NOW``, moved by the test."""
    with freeze_time(_NOW) as frozen:
        assert isinstance(frozen, FrozenDateTimeFactory)
        yield frozen


@pytest.fixture
def revocations() -> Iterator[Revocations]:
    """Every ``all_tokens_revoked`` sent during the test: its arguments."""
    sent: Revocations = []

    def receiver(sender: object, **kwargs: Any) -> None:
        kwargs.pop('signal')
        sent.append({'sender': sender, **kwargs})

    all_tokens_revoked.connect(receiver, weak=False)
    yield sent
    assert all_tokens_revoked.disconnect(receiver)


def _token(user: User, *, issued_at: dt.datetime) -> JWToken:
    return JWToken(
        sub=str(user.pk),
        exp=issued_at + dt.timedelta(hours=1),
        iat=issued_at,
        jti=uuid.uuid4().hex,
        extras={'type': 'access'},
    )


def _save(user: User, how: Save) -> None:
    with committed():
        if how == 'asave':
            async_to_sync(user.asave)()
        else:
            user.save()


_SAVES: Final = (
    pytest.param('save', id='save'),
    pytest.param('asave', id='asave'),
)


# With the setting on:


@pytest.mark.django_db
@pytest.mark.parametrize('how', _SAVES)
def test_new_password_revokes_earlier_tokens(
    *,
    user: User,
    settings: Settings,
    clock: FrozenDateTimeFactory,
    revocations: Revocations,
    how: Save,
) -> None:
    settings.DMR_JWT = _ON
    other = User.objects.create_user('other_user', password=PASSWORD)
    earlier = _token(user, issued_at=_NOW - dt.timedelta(minutes=5))
    others = _token(other, issued_at=_NOW - dt.timedelta(minutes=5))

    user.set_password(_NEW_PASSWORD)
    _save(user, how)

    row = TokenWatermark.objects.get()
    assert (row.sub, row.not_before) == (str(user.pk), _WATERMARK)
    assert revocations == [
        {'sender': None, 'sub': str(user.pk), 'not_before': _WATERMARK},
    ]
    assert get_store().is_revoked_by_watermark(earlier)
    assert not get_store().is_revoked_by_watermark(others)
    # Tokens issued with the new password, from the next second on:
    clock.move_to(_WATERMARK)
    assert not get_store().is_revoked_by_watermark(
        _token(user, issued_at=_WATERMARK)
    )
    # The password itself was saved, as without the setting:
    user.refresh_from_db()
    assert user.check_password(_NEW_PASSWORD)


@pytest.mark.django_db
def test_only_the_password_save_revokes(
    *,
    user: User,
    settings: Settings,
    clock: FrozenDateTimeFactory,
) -> None:
    settings.DMR_JWT = _ON
    user.set_password(_NEW_PASSWORD)
    user.save(update_fields=['password'])
    clock.move_to(_NOW + dt.timedelta(minutes=1))

    # Django forgets the new password after the save: the next saves are
    # not password changes.
    user.first_name = 'Changed'
    user.save()
    user.save()

    row = TokenWatermark.objects.get()
    assert (row.sub, row.not_before) == (str(user.pk), _WATERMARK)


def _set_password_and_save(user: User) -> None:
    user.set_password(_NEW_PASSWORD)
    user.save()


def _save_without_password(user: User) -> None:
    user.first_name = 'Changed'
    user.save()


def _loaddata_save(user: User) -> None:
    # What `loaddata` does: a "raw" save of a deserialized object.
    data = serializers.serialize('json', [user])
    (loaded,) = serializers.deserialize('json', data)
    assert isinstance(loaded.object, User)
    loaded.object.set_password(_NEW_PASSWORD)
    loaded.save()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ('dmr_jwt', 'change'),
    [
        pytest.param(None, _set_password_and_save, id='setting-missing'),
        pytest.param(
            {'REVOKE_TOKENS_ON_PASSWORD_CHANGE': False},
            _set_password_and_save,
            id='setting-off',
        ),
        pytest.param(_ON, _save_without_password, id='no-new-password'),
        pytest.param(_ON, _loaddata_save, id='raw-save'),
    ],
)
def test_saves_that_revoke_nothing(
    *,
    user: User,
    settings: Settings,
    revocations: Revocations,
    dmr_jwt: dict[str, bool] | None,
    change: Callable[[User], None],
) -> None:
    if dmr_jwt is not None:
        settings.DMR_JWT = dmr_jwt
    earlier = _token(user, issued_at=dt.datetime.now(dt.UTC))

    change(user)

    assert not TokenWatermark.objects.exists()
    assert revocations == []
    assert not get_store().is_revoked_by_watermark(earlier)


def _create_with_set_password(username: str, password: str) -> User:
    # A new user saved after `set_password`: Django remembers the password.
    created = User(username=username)
    created.set_password(password)
    created.save()
    return created


@pytest.mark.django_db
@pytest.mark.parametrize(
    'create',
    [
        pytest.param(User.objects.create_user, id='create_user'),
        pytest.param(User.objects.create_superuser, id='create_superuser'),
        pytest.param(_create_with_set_password, id='set_password-and-save'),
    ],
)
def test_new_users_have_no_tokens_to_revoke(
    *,
    settings: Settings,
    revocations: Revocations,
    create: Callable[..., User],
) -> None:
    settings.DMR_JWT = _ON

    created = create('new_user', password=PASSWORD)

    assert created.check_password(PASSWORD)
    assert not TokenWatermark.objects.exists()
    assert revocations == []


# In the transaction of the save:


def _change_password_and_fail(user: User) -> None:
    with transaction.atomic():
        user.set_password(_NEW_PASSWORD)
        user.save()
        assert TokenWatermark.objects.exists()  # in the transaction
        raise _RollbackError


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    'cache',
    [
        pytest.param(None, id='no-cache'),
        pytest.param('default', id='locmem'),
    ],
)
def test_rolled_back_password_change_revokes_nothing(
    *,
    user: User,
    settings: Settings,
    cache: str | None,
) -> None:
    settings.DMR_JWT = {**_ON, 'BLOCKLIST_CACHE': cache}
    earlier = _token(user, issued_at=dt.datetime.now(dt.UTC))

    with pytest.raises(_RollbackError):
        _change_password_and_fail(user)

    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not TokenWatermark.objects.exists()
    assert not get_store().is_revoked_by_watermark(earlier)


# End to end: tokens obtained at the blocklist controllers.


def _obtain(client: Client, url: str, password: str) -> dict[str, str]:
    response = client.post(
        url,
        data={'username': 'test_user', 'password': password},
        content_type='application/json',
    )
    assert response.status_code == 200, response.content
    pair: dict[str, str] = response.json()
    return pair


def _me(client: Client, url: str, access: str) -> 'Response':
    return client.get(url, headers={'Authorization': f'Bearer {access}'})


def _refresh(client: Client, url: str, refresh: str) -> 'Response':
    return client.post(
        url,
        data=json.dumps({'refresh_token': refresh}),
        content_type='application/json',
    )


@pytest.mark.django_db
def test_password_change_logs_the_user_out_over_http(
    *,
    client: Client,
    user: User,
    settings: Settings,
    clock: FrozenDateTimeFactory,
    serializer: SerializerName,
    mode: Mode,
) -> None:
    settings.DMR_JWT = _ON
    base = f'/blocklist/{serializer}'
    obtain, me = f'{base}/obtain/{mode}/', f'{base}/me/{mode}/'
    refresh = f'{base}/refresh/{mode}/'
    clock.move_to(_NOW - dt.timedelta(seconds=1))
    old = _obtain(client, obtain, PASSWORD)
    assert _me(client, me, old['access_token']).status_code == 200

    clock.move_to(_NOW)  # within this second:
    user.set_password(_NEW_PASSWORD)
    with committed():
        user.save()
    same_second = _obtain(client, obtain, _NEW_PASSWORD)

    clock.move_to(_NOW + dt.timedelta(seconds=1))
    assert_unauthorized(_me(client, me, old['access_token']), Reason.REVOKED)
    assert_unauthorized(
        _refresh(client, refresh, old['refresh_token']),
        Reason.REVOKED,
        scheme=None,
    )
    # Issued in the second of the change: revoked too (`iat` is seconds).
    assert_unauthorized(
        _me(client, me, same_second['access_token']),
        Reason.REVOKED,
    )
    clock.move_to(_NOW + dt.timedelta(seconds=2))
    new = _obtain(client, obtain, _NEW_PASSWORD)
    response = _me(client, me, new['access_token'])
    assert response.status_code == 200, response.content
    assert _refresh(client, refresh, new['refresh_token']).status_code == 200


@pytest.mark.django_db
def test_without_the_setting_old_tokens_keep_working_over_http(
    *,
    client: Client,
    user: User,
    clock: FrozenDateTimeFactory,
) -> None:
    old = _obtain(client, '/blocklist/pydantic/obtain/sync/', PASSWORD)

    user.set_password(_NEW_PASSWORD)
    user.save()
    clock.move_to(_NOW + dt.timedelta(seconds=1))

    response = _me(client, '/blocklist/pydantic/me/sync/', old['access_token'])
    assert response.status_code == 200, response.content
