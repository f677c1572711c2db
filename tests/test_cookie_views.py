"""The cookie controllers and the cookie auth, through real HTTP.

``/cookie/<what>/<serializer>/<mode>/`` (:mod:`tests.app.cookie_urls`):
both serializers, sync and async. The client enforces CSRF as a browser
would meet it (``enforce_csrf_checks=True``); Django's CSRF middleware is
installed where a test needs the CSRF cookie that login rotates.
"""

import datetime as dt
from http.cookies import Morsel
from typing import TYPE_CHECKING, Any, Final

import jwt
import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.test import Client
from pytest_django import Settings

from dmr_jwt.errors import Reason
from tests.app.cookie_views import REFRESH_PATH
from tests.conftest import PASSWORD, Mode, SerializerName, assert_unauthorized

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = [
    pytest.mark.urls('tests.app.cookie_urls'),
    pytest.mark.django_db,
]

#: The framework's body of a failed CSRF check (``DEBUG = False``).
CSRF_FAILED: Final = {'detail': [{'msg': 'CSRF Failed.'}]}

_CSRF_MIDDLEWARE: Final = 'django.middleware.csrf.CsrfViewMiddleware'


class Browser:
    """One user agent: the cookie endpoints of a serializer and mode."""

    def __init__(self, serializer: str, mode: str) -> None:
        self.client = Client(enforce_csrf_checks=True)
        self.serializer = serializer
        self.mode = mode

    def url(self, name: str) -> str:
        return f'/cookie/{name}/{self.serializer}/{self.mode}/'

    def login(self, password: str = PASSWORD) -> 'Response':
        return self.client.post(
            self.url('login'),
            data={'username': 'test_user', 'password': password},
            content_type='application/json',
        )

    def csrf_headers(self) -> dict[str, str]:
        return {'X-CSRFToken': self.client.cookies['csrftoken'].value}

    def post(self, name: str, *, csrf: bool = True) -> 'Response':
        headers = self.csrf_headers() if csrf else {}
        return self.client.post(self.url(name), headers=headers)

    def cookie(self, name: str) -> str:
        return self.client.cookies[name].value


@pytest.fixture
def csrf_middleware(settings: Settings) -> None:
    """Django's CSRF middleware: it sends the CSRF cookie."""
    settings.MIDDLEWARE = [_CSRF_MIDDLEWARE]


@pytest.fixture
def browser(
    user: User,
    serializer: SerializerName,
    mode: Mode,
    csrf_middleware: None,
) -> Browser:
    """A browser for this test's serializer and mode, not logged in yet."""
    return Browser(serializer, mode)


def _claims(encoded: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(
        encoded,
        django_settings.SECRET_KEY,
        algorithms=['HS256'],
    )
    return claims


def _attributes(morsel: 'Morsel[str]') -> dict[str, Any]:
    return {
        key: morsel[key]
        for key in ('path', 'max-age', 'domain', 'secure', 'httponly')
    } | {'samesite': morsel['samesite']}


def test_login_sets_both_cookies_and_answers_204(browser: Browser) -> None:
    response = browser.login()

    assert response.status_code == 204, response.content
    assert response.content == b''
    assert response.headers['Cache-Control'] == 'no-store'
    assert _attributes(response.cookies['access_token']) == {
        'path': '/',
        'max-age': 86400,
        'domain': '',
        'secure': True,
        'httponly': True,
        'samesite': 'lax',
    }
    assert _attributes(response.cookies['refresh_token']) == {
        'path': REFRESH_PATH,
        'max-age': 864000,
        'domain': '',
        'secure': True,
        'httponly': True,
        'samesite': 'lax',
    }
    access = _claims(response.cookies['access_token'].value)
    refresh = _claims(response.cookies['refresh_token'].value)
    assert access['extras']['type'] == 'access'
    assert refresh['extras']['type'] == 'refresh'
    assert access['extras']['family'] == refresh['extras']['family']
    assert access['sub'] == refresh['sub'] == str(User.objects.get().pk)


def test_wrong_password_sets_nothing(browser: Browser) -> None:
    response = browser.login(password='wrong')

    assert_unauthorized(response, scheme=None)
    assert 'access_token' not in response.cookies


def test_login_rotates_the_csrf_token(browser: Browser) -> None:
    # A CSRF cookie from before the login (a form the page showed).
    browser.client.get(browser.url('me'))
    browser.client.cookies['csrftoken'] = 'a' * 32

    response = browser.login()

    rotated = response.cookies['csrftoken'].value
    assert rotated
    assert rotated != 'a' * 32


def test_cookie_authenticates_safe_requests_without_csrf(
    browser: Browser,
) -> None:
    browser.login()

    response = browser.client.get(browser.url('me'))

    assert response.status_code == 200, response.content
    assert response.json()['username'] == 'test_user'


def test_unsafe_request_with_the_cookie_needs_csrf(browser: Browser) -> None:
    browser.login()

    refused = browser.post('me', csrf=False)
    accepted = browser.post('me')

    assert refused.status_code == 403
    assert refused.json() == CSRF_FAILED
    assert accepted.status_code == 201, accepted.content


def test_csrf_token_of_another_session_is_refused(browser: Browser) -> None:
    browser.login()

    response = browser.client.post(
        browser.url('me'),
        headers={'X-CSRFToken': 'b' * 32},
    )

    assert response.status_code == 403
    assert response.json() == CSRF_FAILED


def test_header_transport_needs_no_csrf(browser: Browser) -> None:
    browser.login()
    access = browser.cookie('access_token')
    header_only = Client(enforce_csrf_checks=True)

    response = header_only.post(
        browser.url('either'),
        headers={'Authorization': f'Bearer {access}'},
    )

    assert response.status_code == 201, response.content


def test_cookie_token_is_not_read_from_the_header(browser: Browser) -> None:
    browser.login()
    access = browser.cookie('access_token')

    response = Client().get(
        browser.url('me'),
        headers={'Authorization': f'Bearer {access}'},
    )

    assert_unauthorized(response, scheme=None)


def test_header_auth_does_not_read_the_cookie(
    browser: Browser,
    serializer: SerializerName,
    mode: Mode,
) -> None:
    browser.login()

    response = browser.client.get(f'/api/{serializer}/me/{mode}/')

    assert_unauthorized(response)


def test_invalid_cookie_gets_the_precise_reason(browser: Browser) -> None:
    browser.login()
    browser.client.cookies['access_token'] = browser.cookie('refresh_token')

    response = browser.client.get(browser.url('me'))

    assert_unauthorized(response, Reason.WRONG_TYPE, scheme=None)


def test_refresh_sets_new_cookies_in_the_same_family(
    browser: Browser,
) -> None:
    browser.login()
    old_access = _claims(browser.cookie('access_token'))
    old_refresh = browser.cookie('refresh_token')

    response = browser.post('refresh')

    assert response.status_code == 204, response.content
    assert response.headers['Cache-Control'] == 'no-store'
    new_access = _claims(response.cookies['access_token'].value)
    new_refresh = response.cookies['refresh_token'].value
    assert response.cookies['refresh_token']['path'] == REFRESH_PATH
    assert new_refresh != old_refresh
    assert new_access['jti'] != old_access['jti']
    assert new_access['extras']['family'] == old_access['extras']['family']
    assert browser.client.get(browser.url('me')).status_code == 200


def test_refresh_needs_csrf(browser: Browser) -> None:
    browser.login()

    response = browser.post('refresh', csrf=False)

    assert response.status_code == 403
    assert response.json() == CSRF_FAILED
    assert 'access_token' not in response.cookies


def test_refresh_without_the_cookie_is_401(browser: Browser) -> None:
    browser.login()
    del browser.client.cookies['refresh_token']

    response = browser.post('refresh')

    assert_unauthorized(response, scheme=None)


def test_refresh_refuses_an_access_token(browser: Browser) -> None:
    browser.login()
    browser.client.cookies['refresh_token'] = browser.cookie('access_token')

    response = browser.post('refresh')

    assert_unauthorized(response, Reason.WRONG_TYPE, scheme=None)


def test_logout_drops_both_cookies(browser: Browser) -> None:
    browser.login()

    response = browser.post('logout')

    assert response.status_code == 204, response.content
    for name, path in (('access_token', '/'), ('refresh_token', REFRESH_PATH)):
        morsel = response.cookies[name]
        assert morsel.value == ''
        assert morsel['max-age'] == 0
        assert morsel['path'] == path
        assert morsel['httponly'] is True
        assert morsel['secure'] is True
    assert_unauthorized(browser.client.get(browser.url('me')), scheme=None)


def test_logout_needs_csrf(browser: Browser) -> None:
    browser.login()

    response = browser.post('logout', csrf=False)

    assert response.status_code == 403
    assert 'access_token' not in response.cookies


def test_without_the_middleware_csrf_still_holds(
    user: User,
    serializer: SerializerName,
    mode: Mode,
) -> None:
    # No CSRF cookie is ever sent: every unsafe cookie request is refused.
    browser = Browser(serializer, mode)
    browser.login()

    response = browser.post('refresh', csrf=False)

    assert response.status_code == 403


def test_tokens_of_a_login_expire_with_their_cookies(browser: Browser) -> None:
    response = browser.login()
    access = _claims(response.cookies['access_token'].value)

    lifetime = dt.timedelta(seconds=access['exp'] - access['iat'])

    assert (
        lifetime.total_seconds() == response.cookies['access_token']['max-age']
    )
