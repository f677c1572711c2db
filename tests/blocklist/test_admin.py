"""The admin of :mod:`dmr_jwt.blocklist.admin`, through Django's real admin.

The site of :mod:`tests.app.admin_urls` (a project's ``UserAdmin`` with
the ``log_out_everywhere`` action, the read-only revocation admins),
driven with the test client by logged-in staff users: permissions are the
admin's own, with sessions, authentication and messages middleware.
"""

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Final

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.messages import SUCCESS, WARNING, get_messages
from django.core.cache import caches
from django.db import models
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time
from freezegun.api import FrozenDateTimeFactory
from pytest_django import Settings

from dmr_jwt.blocklist.models import (
    BlocklistedJWToken,
    RevokedTokenFamily,
    TokenWatermark,
    UsedRefreshToken,
)
from dmr_jwt.blocklist.store import get_store
from dmr_jwt.token import JWToken

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = [
    pytest.mark.urls('tests.app.admin_urls'),
    pytest.mark.django_db,
    pytest.mark.usefixtures('admin_project'),
]

#: The moment the admin acts (frozen): the watermark is the next second.
_NOW: Final = dt.datetime(2026, 11, 29, 12, 0, 0, 250_000, tzinfo=dt.UTC)
_WATERMARK: Final = dt.datetime(2026, 11, 29, 12, 0, 1, tzinfo=dt.UTC)

#: ``tests.app.admin_urls.SITE_NAME``, which is imported on the first
#: request only: the module needs the admin app, which the tests install.
SITE_NAME: Final = 'jwt_admin'

_ACTION: Final = 'log_out_everywhere'
_ACTION_DESCRIPTION: Final = 'Log out everywhere (revoke all their JWTs)'

#: Users the admin may select; ``bystander`` is never selected.
_USERNAMES: Final = ('alice', 'bob', 'bystander')


@pytest.fixture
def clock() -> Iterator[FrozenDateTimeFactory]:
    """Time frozen at ``_NOW``, moved by the test."""
    with freeze_time(_NOW) as frozen:
        assert isinstance(frozen, FrozenDateTimeFactory)
        yield frozen


@pytest.fixture
def admin_project(
    settings: Settings,
    clock: FrozenDateTimeFactory,
) -> Iterator[None]:
    """
    What a project with the admin has and the suite's settings lack.

    The middleware of a logged-in session; time is frozen. The cache is
    cleared around the test: watermarks are cached, and user ids come back
    in the next test.
    """
    settings.MIDDLEWARE = [
        'django.contrib.sessions.middleware.SessionMiddleware',
        'django.contrib.auth.middleware.AuthenticationMiddleware',
        'django.contrib.messages.middleware.MessageMiddleware',
    ]
    caches['default'].clear()
    yield
    caches['default'].clear()


def _staff(
    username: str,
    *permissions: str,
    superuser: bool = False,
) -> User:
    user = User.objects.create_user(
        username,
        is_staff=True,
        is_superuser=superuser,
    )
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label='auth',
            codename__in=permissions,
        ),
    )
    return user


@pytest.fixture
def users() -> dict[str, User]:
    """The users that an admin may log out, by username."""
    return {name: User.objects.create_user(name) for name in _USERNAMES}


def _changelist(model: type[models.Model]) -> str:
    meta = model._meta
    return reverse(f'{SITE_NAME}:{meta.app_label}_{meta.model_name}_changelist')


def _offered_actions(response: 'Response') -> dict[str, str]:
    """The actions in the changelist's drop-down: name -> description."""
    action_form = response.context['action_form']
    if action_form is None:
        return {}
    return {
        name: str(description)
        for name, description in action_form.fields['action'].choices
        if name
    }


def _log_out(client: Client, *selected: User) -> 'Response':
    return client.post(
        _changelist(User),
        {
            'action': _ACTION,
            '_selected_action': [str(user.pk) for user in selected],
        },
    )


def _messages(response: 'Response') -> list[tuple[int, str]]:
    return [
        (sent.level, str(sent.message))
        for sent in get_messages(response.wsgi_request)
    ]


def _token(user: User, *, issued_at: dt.datetime) -> JWToken:
    return JWToken(
        sub=str(user.pk),
        exp=_NOW + dt.timedelta(hours=2),
        iat=issued_at,
        jti=uuid.uuid4().hex,
        extras={'type': 'access'},
    )


def _is_logged_out(user: User) -> bool:
    """Whether a token issued just now, before the action, is refused."""
    return get_store().is_revoked_by_watermark(
        _token(user, issued_at=_NOW.replace(microsecond=0)),
    )


# Staff who may change users get the action, and it works:

_MAY_CHANGE_USERS: Final = (
    pytest.param({'superuser': True}, id='superuser'),
    pytest.param(
        {'permissions': ('change_user',)},
        id='staff-with-change-permission',
    ),
)


@pytest.fixture(params=_MAY_CHANGE_USERS)
def user_admin(request: pytest.FixtureRequest, client: Client) -> User:
    """A logged-in staff user who may change users."""
    kind = request.param
    admin = _staff(
        'admin',
        *kind.get('permissions', ()),
        superuser=kind.get('superuser', False),
    )
    client.force_login(admin)
    return admin


@pytest.mark.usefixtures('user_admin')
def test_action_is_offered(client: Client) -> None:
    response = client.get(_changelist(User))

    assert response.status_code == 200
    assert _offered_actions(response)[_ACTION] == _ACTION_DESCRIPTION


@pytest.mark.parametrize(
    ('selected', 'message'),
    [
        pytest.param(('alice',), 'Logged 1 user out everywhere.', id='one'),
        pytest.param(
            ('alice', 'bob'),
            'Logged 2 users out everywhere.',
            id='two',
        ),
    ],
)
def test_action_logs_the_selected_users_out_everywhere(
    *,
    client: Client,
    user_admin: User,
    users: dict[str, User],
    selected: tuple[str, ...],
    message: str,
) -> None:
    response = _log_out(client, *(users[name] for name in selected))

    # The admin answers like for every action: back to the changelist.
    assert response.status_code == 302
    assert response['Location'] == _changelist(User)
    assert _messages(response) == [(SUCCESS, message)]
    # One watermark per selected user, at the next second:
    assert dict(TokenWatermark.objects.values_list('sub', 'not_before')) == {
        str(users[name].pk): _WATERMARK for name in selected
    }
    for name, user in users.items():
        assert _is_logged_out(user) is (name in selected), name
    assert not _is_logged_out(user_admin)


@pytest.mark.usefixtures('user_admin')
def test_tokens_of_the_next_second_stay_valid(
    *,
    client: Client,
    users: dict[str, User],
    clock: FrozenDateTimeFactory,
) -> None:
    alice = users['alice']
    earlier = [
        _token(alice, issued_at=_NOW - dt.timedelta(seconds=seconds_ago))
        for seconds_ago in (3600, 60, 1, 0)
    ]

    response = _log_out(client, alice)

    assert response.status_code == 302
    assert response['Location'] == _changelist(User)
    # Issued before the action, or in the same second after it: revoked.
    clock.move_to(_WATERMARK - dt.timedelta(microseconds=1))
    same_second = _token(alice, issued_at=dt.datetime.now(dt.UTC))
    for token in (*earlier, same_second):
        assert get_store().is_revoked_by_watermark(token), token.iat
    # From the next second on (read from the cache, then the database):
    for seconds_later in (0, 1, 60):
        clock.move_to(_WATERMARK + dt.timedelta(seconds=seconds_later))
        later = _token(alice, issued_at=dt.datetime.now(dt.UTC))
        assert not get_store().is_revoked_by_watermark(later), later.iat


# Staff who may not change users do not get the action:


@pytest.mark.parametrize(
    ('permissions', 'status', 'sent'),
    [
        # No action at all: the admin shows the list again.
        pytest.param(('view_user',), 200, [], id='view'),
        # "Delete selected" only: the admin refuses the unknown action.
        pytest.param(
            ('view_user', 'delete_user'),
            302,
            [(WARNING, 'No action selected.')],
            id='view-and-delete',
        ),
    ],
)
def test_staff_without_change_permission_cannot_log_users_out(
    *,
    client: Client,
    users: dict[str, User],
    permissions: tuple[str, ...],
    status: int,
    sent: list[tuple[int, str]],
) -> None:
    client.force_login(_staff('viewer', *permissions))

    listed = client.get(_changelist(User))
    response = _log_out(client, users['alice'], users['bob'])

    assert listed.status_code == 200
    assert _ACTION not in _offered_actions(listed)
    # Posting the action anyway revokes nothing:
    assert response.status_code == status
    assert _messages(response) == sent
    assert not TokenWatermark.objects.exists()
    assert not _is_logged_out(users['alice'])
    assert not _is_logged_out(users['bob'])


def test_staff_without_any_permission_is_refused(
    client: Client,
    users: dict[str, User],
) -> None:
    client.force_login(_staff('nobody'))

    assert client.get(_changelist(User)).status_code == 403
    assert _log_out(client, users['alice']).status_code == 403
    assert not TokenWatermark.objects.exists()


# The revocation tables: read-only.


def _row(model: type[models.Model]) -> models.Model:
    expires_at = _NOW + dt.timedelta(hours=1)
    family = uuid.uuid4().hex
    rows: dict[type[models.Model], models.Model] = {
        BlocklistedJWToken: BlocklistedJWToken(
            jti='jti-1',
            sub='1',
            expires_at=expires_at,
        ),
        TokenWatermark: TokenWatermark(sub='1', not_before=_WATERMARK),
        RevokedTokenFamily: RevokedTokenFamily(
            family=family,
            sub='1',
            cause=RevokedTokenFamily.Cause.REUSE,
            expires_at=expires_at,
        ),
        UsedRefreshToken: UsedRefreshToken(
            jti='jti-1',
            family=family,
            sub='1',
            expires_at=expires_at,
        ),
    }
    row = rows[model]
    row.save()
    return row


@pytest.fixture(
    params=[
        RevokedTokenFamily,
        UsedRefreshToken,
        BlocklistedJWToken,
        TokenWatermark,
    ],
    ids=lambda model: model.__name__,
)
def revocation_model(request: pytest.FixtureRequest) -> type[models.Model]:
    """A revocation table with its read-only admin."""
    return request.param  # type: ignore[no-any-return]


def _admin_url(model: type[models.Model], view: str, *args: object) -> str:
    meta = model._meta
    return reverse(
        f'{SITE_NAME}:{meta.app_label}_{meta.model_name}_{view}',
        args=args,
    )


def test_revocation_admin_lists_the_rows(
    client: Client,
    revocation_model: type[models.Model],
) -> None:
    client.force_login(_staff('root', superuser=True))
    row = _row(revocation_model)

    response = client.get(_changelist(revocation_model))

    assert response.status_code == 200
    assert list(response.context['cl'].result_list) == [row]
    assert response.context['has_add_permission'] is False
    # No action either: not even "delete selected".
    assert _offered_actions(response) == {}


def test_revocation_admin_is_read_only(
    client: Client,
    revocation_model: type[models.Model],
) -> None:
    client.force_login(_staff('root', superuser=True))
    row = _row(revocation_model)

    detail = client.get(_admin_url(revocation_model, 'change', row.pk))
    changed = client.post(_admin_url(revocation_model, 'change', row.pk), {})
    add = client.get(_admin_url(revocation_model, 'add'))
    delete = client.get(_admin_url(revocation_model, 'delete', row.pk))
    deleted = client.post(
        _admin_url(revocation_model, 'delete', row.pk),
        {'post': 'yes'},
    )

    # Superusers may look at a row, never save, add or delete one:
    assert detail.status_code == 200
    assert detail.context['has_change_permission'] is False
    assert detail.context['has_delete_permission'] is False
    assert changed.status_code == 403
    assert add.status_code == 403
    assert delete.status_code == 403
    assert deleted.status_code == 403
    assert revocation_model._default_manager.get(pk=row.pk) == row
