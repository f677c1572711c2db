"""The cookie controllers with the blocklist app, on every backend.

Rotation with reuse detection, logout of the session and everywhere,
through the cookie endpoints of :mod:`tests.app.cookie_blocklist_views`
(``/cookie/refresh/blocklist/...`` and ``/cookie/blocklist/...``):
both serializers, sync and async, SQLite/PostgreSQL x locmem/Redis/none.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Final, TypeAlias

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django import Settings

from dmr_jwt.errors import Reason
from tests.blocklist.conftest import BlocklistBackend, committed
from tests.conftest import PASSWORD, Mode, SerializerName, assert_unauthorized

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = [
    pytest.mark.urls('tests.app.cookie_urls'),
    pytest.mark.django_db(databases=['default', 'postgres']),
]

_CSRF_MIDDLEWARE: Final = 'django.middleware.csrf.CsrfViewMiddleware'


class Browser:
    """One user agent on the blocklist cookie endpoints."""

    def __init__(self, serializer: str, mode: str) -> None:
        self.client = Client(enforce_csrf_checks=True)
        self.serializer = serializer
        self.mode = mode

    def login(self) -> None:
        response = self.client.post(
            f'/cookie/login/{self.serializer}/{self.mode}/',
            data={'username': 'test_user', 'password': PASSWORD},
            content_type='application/json',
        )
        assert response.status_code == 204, response.content

    def post(self, url: str) -> 'Response':
        return self.client.post(
            url,
            headers={'X-CSRFToken': self.client.cookies['csrftoken'].value},
        )

    def refresh(self) -> 'Response':
        return self.post(
            f'/cookie/refresh/blocklist/{self.serializer}/{self.mode}/',
        )

    def logout(self, what: str = 'logout') -> 'Response':
        return self.post(
            f'/cookie/blocklist/{what}/{self.serializer}/{self.mode}/',
        )

    def me(self) -> 'Response':
        return self.client.get(
            f'/cookie/blocklist/me/{self.serializer}/{self.mode}/',
        )

    def cookie(self, name: str) -> str:
        return self.client.cookies[name].value

    def set_cookie(self, name: str, value: str) -> None:
        self.client.cookies[name] = value


BrowserFactory: TypeAlias = Callable[[], Browser]


@pytest.fixture
def browser_factory(
    settings: Settings,
    user: User,
    serializer: SerializerName,
    mode: Mode,
    blocklist_backend: BlocklistBackend,
) -> BrowserFactory:
    """Browsers on this test's serializer, mode and blocklist backend."""
    settings.MIDDLEWARE = [_CSRF_MIDDLEWARE]

    def factory() -> Browser:
        return Browser(serializer, mode)

    return factory


def test_rotation_then_reuse_revokes_the_family(
    browser_factory: BrowserFactory,
) -> None:
    browser = browser_factory()
    browser.login()
    stolen = browser.cookie('refresh_token')

    rotated = browser.refresh()
    assert rotated.status_code == 204, rotated.content
    assert browser.cookie('refresh_token') != stolen

    # The thief replays the used refresh token (its own browser, no grace).
    thief = browser_factory()
    thief.login()
    thief.set_cookie('refresh_token', stolen)
    with committed():
        replay = thief.refresh()

    assert_unauthorized(replay, Reason.REUSED, scheme=None)
    # Within the grace period: refused, the family still stands.
    assert browser.me().status_code == 200


def test_used_refresh_cookie_is_refused(
    browser_factory: BrowserFactory,
) -> None:
    browser = browser_factory()
    browser.login()
    used = browser.cookie('refresh_token')
    assert browser.refresh().status_code == 204
    browser.set_cookie('refresh_token', used)

    assert_unauthorized(browser.refresh(), Reason.REUSED, scheme=None)


def test_logout_revokes_the_session(browser_factory: BrowserFactory) -> None:
    browser = browser_factory()
    browser.login()
    access = browser.cookie('access_token')
    refresh = browser.cookie('refresh_token')

    with committed():
        response = browser.logout()

    assert response.status_code == 204, response.content
    assert response.cookies['access_token'].value == ''
    assert response.cookies['refresh_token']['max-age'] == 0
    # Copies of the cookies taken before the logout are revoked too.
    browser.set_cookie('access_token', access)
    browser.set_cookie('refresh_token', refresh)
    assert_unauthorized(browser.me(), Reason.REVOKED, scheme=None)
    assert_unauthorized(browser.refresh(), Reason.REVOKED, scheme=None)


def test_logout_leaves_other_sessions(browser_factory: BrowserFactory) -> None:
    browser, other = browser_factory(), browser_factory()
    browser.login()
    other.login()

    with committed():
        assert browser.logout().status_code == 204

    assert other.me().status_code == 200
    assert other.refresh().status_code == 204


def test_logout_everywhere_revokes_every_session(
    browser_factory: BrowserFactory,
) -> None:
    browser, other = browser_factory(), browser_factory()
    other.login()
    browser.login()

    with committed():
        response = browser.logout('everywhere')

    assert response.status_code == 204, response.content
    assert_unauthorized(other.me(), Reason.REVOKED, scheme=None)
    assert_unauthorized(other.refresh(), Reason.REVOKED, scheme=None)


def test_logout_needs_a_valid_access_cookie(
    browser_factory: BrowserFactory,
) -> None:
    browser = browser_factory()
    browser.login()
    browser.set_cookie('access_token', 'not-a-token')

    response = browser.logout()

    assert_unauthorized(response, Reason.MALFORMED, scheme=None)
    assert 'refresh_token' not in response.cookies
