"""Secrets never reach an error report: the debug page and the admin email.

An exception raised inside obtain, refresh, logout and the auth classes,
sync and async, captured on the real request path (Django's test client,
``got_request_exception``), rendered as Django renders it: the technical
500 page with ``DEBUG = True`` (HTML and text) and an ``AdminEmailHandler``
email (text body and HTML alternative). The password, the raw tokens and
the keys appear nowhere; the report is still a full report (the exception
type, our frames, the cleansed substitute).
"""

import dataclasses
import logging
import sys
from collections.abc import Callable, Iterator
from typing import Any, Final, Literal
from unittest import mock

import jwt
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.core.cache import caches
from django.core.signals import got_request_exception
from django.http import HttpRequest
from django.test import Client
from django.utils.log import AdminEmailHandler
from django.views.debug import ExceptionReporter
from django.views.decorators.debug import sensitive_variables
from pytest_django import Settings as SettingsWrapper

from dmr_jwt.blocklist.store import RevocationStore
from tests.app.perf_views import OTHER_SECRET
from tests.conftest import Mode

pytestmark = [
    pytest.mark.urls('tests.app.mixin_urls'),
    pytest.mark.django_db,
]

#: A password that nothing else in a report could contain.
SECRET_PASSWORD: Final = 'pw-7f3a9c-never-in-a-report'

_Sign = Literal['sign', 'verify']


class Boom(RuntimeError):  # noqa: N818
    """The unexpected error, raised deep inside our code."""


@dataclasses.dataclass
class Captured:
    """The request and ``sys.exc_info()`` of an unhandled exception."""

    request: HttpRequest
    exc_info: Any


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    caches['default'].clear()
    yield
    caches['default'].clear()


@pytest.fixture
def secret_user(db: Any) -> User:
    """A user whose password is :data:`SECRET_PASSWORD`."""
    return User.objects.create_user('reported', password=SECRET_PASSWORD)


@pytest.fixture
def captured() -> Iterator[list[Captured]]:
    """Every unhandled exception of a request, as Django's handler saw it."""
    seen: list[Captured] = []

    def record(sender: object, request: HttpRequest, **kwargs: Any) -> None:
        seen.append(Captured(request, sys.exc_info()))

    got_request_exception.connect(record)
    yield seen
    got_request_exception.disconnect(record)


def _obtain(client: Client) -> dict[str, str]:
    response = client.post(
        '/blocklist/pydantic/obtain/sync/',
        {'username': 'reported', 'password': SECRET_PASSWORD},
        content_type='application/json',
    )
    assert response.status_code == 200, response.content
    pair: dict[str, str] = response.json()
    return pair


def _raising(name: _Sign) -> Any:
    # Raised by PyJWT itself, while its frames hold the key as `key` and
    # the raw token as `jwt`.
    return mock.patch.object(
        jwt.algorithms.HMACAlgorithm,
        name,
        side_effect=Boom('boom'),
    )


def _assert_clean_report(
    html: str | None,
    text: str,
    secrets: list[str],
    frames: list[str],
) -> None:
    for report in (text,) if html is None else (html, text):
        # A real report: the exception and our frames are there.
        assert 'Boom' in report
        for frame in frames:
            assert frame in report
        for secret in secrets:
            assert secret not in report
    # Frame variables are in the HTML only: they were cleansed.
    assert html is None or '********************' in html


@dataclasses.dataclass(frozen=True)
class _Case:
    """A request whose handling raises :class:`Boom` inside our code."""

    patch: Callable[[Mode], Any]
    request: Callable[[Client, Mode, dict[str, str]], Any]
    #: Which of the pair the request carries (the password always).
    carries: tuple[str, ...]
    secret: str
    frames: tuple[str, ...]


def _post(path: str, body: Callable[[dict[str, str]], dict[str, str]]) -> Any:
    def request(client: Client, mode: Mode, pair: dict[str, str]) -> Any:
        return client.post(
            path.format(mode=mode),
            body(pair),
            content_type='application/json',
            headers={'Authorization': f'Bearer {pair["access_token"]}'},
        )

    return request


def _obtain_body(pair: dict[str, str]) -> dict[str, str]:
    return {'username': 'reported', 'password': SECRET_PASSWORD}


def _refresh_body(pair: dict[str, str]) -> dict[str, str]:
    return {'refresh_token': pair['refresh_token']}


@sensitive_variables('credentials')
def _failing_authenticate(request: Any = None, **credentials: Any) -> None:
    # Decorated as Django's own `authenticate` is: Django's frames are
    # Django's business, ours are what this test is about.
    raise Boom('boom')


@sensitive_variables('credentials')
async def _failing_aauthenticate(
    request: Any = None,
    **credentials: Any,
) -> None:
    raise Boom('boom')


def _authenticate(mode: Mode) -> Any:
    if mode == 'sync':
        return mock.patch(
            'dmr_jwt.views.body.authenticate', _failing_authenticate
        )
    return mock.patch(
        'dmr_jwt.views.body.aauthenticate', _failing_aauthenticate
    )


def _make_api_response(mode: Mode) -> Any:
    return mock.patch('tests.app.views._token_pair', side_effect=Boom('boom'))


def _revoke_family(mode: Mode) -> Any:
    name = 'revoke_family' if mode == 'sync' else 'arevoke_family'
    return mock.patch.object(RevocationStore, name, side_effect=Boom('boom'))


def _other_secret_me(client: Client, mode: Mode, pair: dict[str, str]) -> Any:
    # The auth of this variant verifies with its own key, `OTHER_SECRET`.
    token = jwt.encode(
        jwt.decode(pair['access_token'], options={'verify_signature': False}),
        OTHER_SECRET,
        algorithm='HS256',
    )
    pair['access_token'] = token
    return client.get(
        f'/perf/pydantic/token-cache-other-secret/{mode}/',
        headers={'Authorization': f'Bearer {token}'},
    )


_OBTAIN: Final = '/api/pydantic/obtain/{mode}/'
_REFRESH: Final = '/blocklist/pydantic/refresh/{mode}/'

CASES: Final = {
    'obtain-authenticate': _Case(
        _authenticate,
        _post(_OBTAIN, _obtain_body),
        ('access_token',),
        settings.SECRET_KEY,
        ('login',),
    ),
    'obtain-signing': _Case(
        lambda mode: _raising('sign'),
        _post(_OBTAIN, _obtain_body),
        ('access_token',),
        settings.SECRET_KEY,
        ('login', 'create_jwt_token', 'encode'),
    ),
    'refresh-verifying': _Case(
        lambda mode: _raising('verify'),
        _post(_REFRESH, _refresh_body),
        ('refresh_token',),
        settings.SECRET_KEY,
        ('refresh', '_decode_refresh_token', 'decode_payload'),
    ),
    'refresh-make-api-response': _Case(
        _make_api_response,
        _post(_REFRESH, _refresh_body),
        ('refresh_token', 'access_token'),
        settings.SECRET_KEY,
        ('refresh', 'make_api_response'),
    ),
    'logout': _Case(
        _revoke_family,
        _post('/logout/pydantic/{mode}/', _refresh_body),
        ('refresh_token', 'access_token'),
        settings.SECRET_KEY,
        ('logout',),
    ),
    'auth-verifying': _Case(
        lambda mode: _raising('verify'),
        _other_secret_me,
        ('access_token',),
        OTHER_SECRET,
        ('prepare_token', 'decode_token', 'decode_payload'),
    ),
}


def _run(
    client: Client,
    case: _Case,
    mode: Mode,
) -> tuple[Any, dict[str, str]]:
    pair = _obtain(client)
    raising = Client(raise_request_exception=False)
    with case.patch(mode):
        response = case.request(raising, mode, pair)
    assert response.status_code == 500
    return response, pair


def _secrets(case: _Case, pair: dict[str, str]) -> list[str]:
    return [
        SECRET_PASSWORD,
        case.secret,
        settings.SECRET_KEY,
        *(pair[name] for name in case.carries),
    ]


@pytest.mark.parametrize('name', CASES)
def test_the_debug_page_shows_no_secret(
    client: Client,
    secret_user: User,
    captured: list[Captured],
    settings: SettingsWrapper,
    mode: Mode,
    *,
    name: str,
) -> None:
    settings.DEBUG = True
    case = CASES[name]

    response, pair = _run(client, case, mode)

    # The page that Django's handler rendered (`technical_500_response`),
    # and the text version of the same report.
    html = response.content.decode()
    (report,) = captured
    text = ExceptionReporter(
        report.request, *report.exc_info
    ).get_traceback_text()
    _assert_clean_report(html, text, _secrets(case, pair), list(case.frames))


@pytest.fixture
def admin_email(settings: SettingsWrapper) -> Iterator[None]:
    """Mail ``django.request`` errors to the admins, HTML included."""
    settings.ADMINS = [('Admin', 'admin@example.com')]
    handler = AdminEmailHandler(include_html=True)
    handler.setLevel(logging.ERROR)
    logger = logging.getLogger('django.request')
    logger.addHandler(handler)
    yield
    logger.removeHandler(handler)


@pytest.mark.usefixtures('admin_email')
@pytest.mark.parametrize('debug', [False, True])
@pytest.mark.parametrize('name', CASES)
def test_the_admin_email_shows_no_secret(
    client: Client,
    secret_user: User,
    settings: SettingsWrapper,
    mode: Mode,
    *,
    name: str,
    debug: bool,
) -> None:
    settings.DEBUG = debug
    case = CASES[name]

    _, pair = _run(client, case, mode)

    # Django's own `mail_admins` (DEBUG = False only, text) and ours.
    assert len(mail.outbox) == (1 if debug else 2)
    with_html = 0
    for email in mail.outbox:
        assert 'Internal Server Error' in email.subject
        html = None
        for content, content_type in email.alternatives:  # type: ignore[attr-defined]
            assert content_type == 'text/html'
            html = content
            with_html += 1
        _assert_clean_report(
            html,
            str(email.body),
            _secrets(case, pair),
            [],
        )
    assert with_html == 1


def test_a_filter_set_by_the_project_stays(
    secret_user: User,
    captured: list[Captured],
) -> None:
    # `hide_secrets` never replaces a per-request filter of the project.
    from django.views.debug import SafeExceptionReporterFilter  # noqa: PLC0415

    from dmr_jwt._internal.reports import hide_secrets  # noqa: PLC0415

    own = SafeExceptionReporterFilter()
    request = HttpRequest()
    request.exception_reporter_filter = own  # type: ignore[attr-defined]

    hide_secrets(request)

    assert request.exception_reporter_filter is own  # type: ignore[attr-defined]
    assert request.sensitive_post_parameters == '__ALL__'  # type: ignore[attr-defined]
