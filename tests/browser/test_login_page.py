"""
The demo's login page (``GET /``) in headless Chromium, over real HTTP.

The demo runs as ``make demo`` runs it (``manage.py runserver``, SQLite,
the demo user); the page logs in with the cookie API (``/api/cookie/``),
shows who is signed in, refreshes and logs out. Checked in the browser:
the token cookies are ``HttpOnly`` (``document.cookie`` never holds a
token), the CSRF token is rotated on login, a reload keeps the session
(and refreshes it when the access cookie is gone), a logout drops both
cookies and revokes the session (``/api/cookie/me/`` answers ``401``),
and a form posted from another origin without the CSRF token is refused
with ``403`` although the browser sends the cookies along.
"""

import json
from typing import Any, Final, Literal

import pytest
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from demo.api.management.commands.ensure_demo_user import PASSWORD, USERNAME
from tests.browser.harness import (
    DemoServer,
    OtherOrigin,
    auto_submitting_form,
    exchanges_with,
)

#: The cookie names of the demo: the framework's defaults, and Django's.
ACCESS: Final = 'access_token'
REFRESH: Final = 'refresh_token'
CSRF: Final = 'csrftoken'

#: Generous: the page makes one or two local requests per step.
_WAIT_SECONDS: Final = 15.0

SIGNED_IN: Final = f'signed in as {USERNAME}'
SIGNED_OUT: Final = 'signed out'


def all_cookies(chrome: WebDriver) -> dict[str, dict[str, Any]]:
    """
    Every cookie of the browser, by name, with all of its attributes.

    From DevTools, not WebDriver's ``get_cookies``: that one lists only the
    cookies of the current page's path, and the refresh cookie is scoped
    to the refresh endpoint.
    """
    cookies = chrome.execute_cdp_cmd('Network.getAllCookies', {})['cookies']
    return {cookie['name']: cookie for cookie in cookies}


def wait_for_status(chrome: WebDriver, text: str) -> None:
    """Wait until the page says *text* ("signed in as ...", "signed out")."""
    WebDriverWait(chrome, _WAIT_SECONDS).until(
        expected_conditions.text_to_be_present_in_element(
            (By.ID, 'who'),
            text,
        ),
        message=f'the page never said {text!r}',
    )
    assert chrome.find_element(By.ID, 'who').text == text


def wait_for_message(chrome: WebDriver, text: str) -> None:
    """Wait until the page's message line says *text*."""
    WebDriverWait(chrome, _WAIT_SECONDS).until(
        expected_conditions.text_to_be_present_in_element(
            (By.ID, 'message'),
            text,
        ),
        message=f'the page never said {text!r}',
    )


def open_page(chrome: WebDriver, demo: DemoServer) -> None:
    """Open the login page and wait until it knows who is signed in."""
    chrome.get(demo.url('/'))
    WebDriverWait(chrome, _WAIT_SECONDS).until(
        lambda driver: (
            driver.find_element(By.ID, 'who').text in {SIGNED_IN, SIGNED_OUT}
        ),
        message='the page never asked /api/cookie/me/',
    )


def log_in(chrome: WebDriver, password: str = PASSWORD) -> None:
    """Fill the form and submit it."""
    chrome.find_element(By.ID, 'username').send_keys(USERNAME)
    chrome.find_element(By.ID, 'password').send_keys(password)
    chrome.find_element(By.ID, 'login').click()


def fetch_status(chrome: WebDriver, path: str) -> int:
    """The status of a ``GET`` of *path* by the page's own ``fetch``."""
    status: int = chrome.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        fetch(arguments[0], {credentials: 'same-origin'})
          .then((response) => done(response.status))
          .catch((error) => done(String(error)));
        """,
        path,
    )
    return status


def assert_tokens_hidden_from_scripts(chrome: WebDriver) -> None:
    """Both token cookies are ``HttpOnly``: ``document.cookie`` lacks them."""
    cookies = all_cookies(chrome)
    visible: str = chrome.execute_script('return document.cookie;')
    for name in (ACCESS, REFRESH):
        assert cookies[name]['httpOnly'] is True, cookies[name]
        assert cookies[name]['value'], cookies[name]
        assert cookies[name]['value'] not in visible, visible
        assert f'{name}=' not in visible, visible
    # The one cookie a script needs, and may read.
    assert f'{CSRF}={cookies[CSRF]["value"]}' in visible, visible


def test_log_in_reload_refresh_log_out(
    chrome: WebDriver,
    demo_server: DemoServer,
) -> None:
    open_page(chrome, demo_server)
    wait_for_status(chrome, SIGNED_OUT)
    csrf_before = all_cookies(chrome)[CSRF]['value']

    log_in(chrome)
    wait_for_status(chrome, SIGNED_IN)
    cookies = all_cookies(chrome)
    # Login rotates the CSRF token, as `django.contrib.auth.login` does.
    assert cookies[CSRF]['value'] != csrf_before
    assert cookies[ACCESS]['path'] == '/'
    assert cookies[REFRESH]['path'] == '/api/cookie/refresh/'
    for name in (ACCESS, REFRESH):
        assert cookies[name]['sameSite'] == 'Lax', cookies[name]
        # `make demo` is plain http: the demo relaxes `Secure` for it.
        assert cookies[name]['secure'] is False, cookies[name]
    assert_tokens_hidden_from_scripts(chrome)

    chrome.refresh()
    wait_for_status(chrome, SIGNED_IN)

    chrome.find_element(By.ID, 'refresh').click()
    wait_for_message(chrome, 'Tokens refreshed.')
    wait_for_status(chrome, SIGNED_IN)
    refreshed = all_cookies(chrome)
    for name in (ACCESS, REFRESH):
        assert refreshed[name]['value'] != cookies[name]['value'], name
    assert_tokens_hidden_from_scripts(chrome)

    chrome.find_element(By.ID, 'logout').click()
    wait_for_message(chrome, 'Logged out.')
    wait_for_status(chrome, SIGNED_OUT)
    remaining = all_cookies(chrome)
    assert ACCESS not in remaining, remaining
    assert REFRESH not in remaining, remaining
    assert fetch_status(chrome, '/api/cookie/me/') == 401
    chrome.refresh()
    wait_for_status(chrome, SIGNED_OUT)
    # Revoked, not only forgotten: a copy taken before the logout is
    # refused too.
    status, _ = demo_server.get(
        '/api/cookie/me/',
        cookies={ACCESS: refreshed[ACCESS]['value']},
    )
    assert status == 401


def test_the_page_refreshes_an_expired_access_cookie_on_load(
    chrome: WebDriver,
    demo_server: DemoServer,
) -> None:
    open_page(chrome, demo_server)
    log_in(chrome)
    wait_for_status(chrome, SIGNED_IN)
    before = all_cookies(chrome)
    # What the browser does when the access cookie's Max-Age is over.
    chrome.execute_cdp_cmd(
        'Network.deleteCookies',
        {'name': ACCESS, 'url': demo_server.url('/')},
    )
    assert ACCESS not in all_cookies(chrome)

    chrome.refresh()
    wait_for_status(chrome, SIGNED_IN)

    after = all_cookies(chrome)
    assert after[ACCESS]['value'], after
    # Rotated: a new refresh token, the old one used up.
    assert after[REFRESH]['value'] != before[REFRESH]['value']
    assert_tokens_hidden_from_scripts(chrome)


def test_a_wrong_password_signs_nobody_in(
    chrome: WebDriver,
    demo_server: DemoServer,
) -> None:
    open_page(chrome, demo_server)
    log_in(chrome, password='not-the-password')

    wait_for_message(chrome, 'Login failed')
    wait_for_status(chrome, SIGNED_OUT)
    cookies = all_cookies(chrome)
    assert ACCESS not in cookies, cookies
    assert REFRESH not in cookies, cookies


@pytest.mark.parametrize('target', ['logout', 'refresh'])
def test_a_form_posted_from_another_origin_is_refused(
    chrome: WebDriver,
    demo_server: DemoServer,
    other_origin: OtherOrigin,
    target: Literal['logout', 'refresh'],
) -> None:
    open_page(chrome, demo_server)
    log_in(chrome)
    wait_for_status(chrome, SIGNED_IN)
    before = all_cookies(chrome)
    action = demo_server.url(f'/api/cookie/{target}/')
    exchanges_with(chrome, action)  # empty the network log

    # Another page posts a form to the demo: no CSRF token, but the
    # browser attaches the cookies (same site: `SameSite=Lax` lets them).
    chrome.get(other_origin.serve(auto_submitting_form(action)))
    WebDriverWait(chrome, _WAIT_SECONDS).until(
        lambda driver: driver.current_url == action,
        message='the forged form was never posted',
    )

    forged = exchanges_with(chrome, action)
    assert [exchange.status for exchange in forged] == [403], (
        demo_server.output()
    )
    # The cookie went along: only the CSRF check refused the request.
    assert f'{ACCESS}={before[ACCESS]["value"]}' in forged[0].cookie_header
    assert 'CSRF' in chrome.find_element(By.TAG_NAME, 'body').text
    after = all_cookies(chrome)
    for name in (ACCESS, REFRESH):
        # Neither dropped nor replaced.
        assert after[name]['value'] == before[name]['value'], name
    open_page(chrome, demo_server)
    wait_for_status(chrome, SIGNED_IN)
    # And the session still works outside the browser too.
    status, body = demo_server.get(
        '/api/cookie/me/',
        cookies={ACCESS: after[ACCESS]['value']},
    )
    assert (status, json.loads(body)) == (200, {'username': USERNAME})
