"""Schemathesis against the demo project's OpenAPI document.

Every operation of ``demo.urls`` gets generated requests, schema-valid
(positive) and schema-invalid (negative), through a real WSGI handler with
the demo's URLs. No response may be a server error, and each must match
the document: status code, content type, headers and body.

Generated credentials are never valid, so half of the cases get real ones:
a fresh access token of the demo user for the protected operations (in
``Authorization``, or in the access cookie with Django's CSRF cookie and
header for the cookie API) and, where the generated body is schema-valid,
the demo user's credentials or a fresh token in it; the cookie refresh
gets a fresh refresh cookie. Fresh for each case, because logout revokes.
"""

from collections.abc import Callable, Iterator
from http import HTTPStatus
from typing import Any, Final, TypeAlias

import hypothesis
import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core.cache import caches
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import strategies as st
from pytest_django import Settings
from schemathesis import Case, CheckFunction, GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.parameters import ParameterLocation
from schemathesis.core.result import Err
from werkzeug.test import Client

from demo import urls as demo_urls
from demo.api.management.commands.ensure_demo_user import (
    EMAIL,
    PASSWORD,
    USERNAME,
)

pytestmark = [pytest.mark.urls('demo.urls'), pytest.mark.django_db]

#: Per operation and generation mode: enough to reach every documented
#: response, few enough for the whole file to run in seconds.
MAX_EXAMPLES: Final = 40

#: The document the demo serves at ``/docs/openapi.json/``.
SCHEMA: Final = schemathesis.openapi.from_dict(demo_urls.schema.convert())
#: Django's own WSGI handler: the settings, URLs and middleware of the test.
SCHEMA.app = WSGIHandler()

CHECKS: Final[list[CheckFunction]] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    positive_data_acceptance,
]

#: Checks that dmr's generated document fails, not the demo nor dmr-jwt,
#: per operation path and response status. Such responses must be empty.
SCHEMA_QUIRKS: Final[dict[tuple[str, int], list[CheckFunction]]] = {
    # dmr documents the 204 of a `-> None` controller as `application/json`
    # with schema `{"type": "null"}`. The response rightly has no body,
    # and an empty body is no JSON `null`.
    ('/api/auth/logout/', HTTPStatus.NO_CONTENT): [response_schema_conformance],
    ('/api/auth/logout-everywhere/', HTTPStatus.NO_CONTENT): [
        response_schema_conformance,
    ],
    ('/api/auth/verify/', HTTPStatus.NO_CONTENT): [response_schema_conformance],
    # dmr documents each cookie a response sets as a header of its own,
    # named `Set-Cookie: <name>`, which no response can have:
    # `assert_documented_cookies` checks the cookies instead.
    **{
        (path, HTTPStatus.NO_CONTENT): [
            response_schema_conformance,
            response_headers_conformance,
        ]
        for path in (
            '/api/cookie/login/',
            '/api/cookie/refresh/',
            '/api/cookie/logout/',
        )
    },
}

#: How dmr names a documented cookie among the response headers.
SET_COOKIE_PREFIX: Final = 'Set-Cookie: '

#: Set by Django's CSRF middleware, which the suite's settings leave out.
MIDDLEWARE_COOKIES: Final = frozenset({'csrftoken'})

#: The cookie API: the access token in a cookie, and Django's CSRF check.
COOKIE_PATHS: Final = frozenset(
    {
        '/api/cookie/login/',
        '/api/cookie/refresh/',
        '/api/cookie/logout/',
        '/api/cookie/me/',
    }
)

#: A CSRF token for the cookie and the header (Django's format: 32 chars).
CSRF_TOKEN: Final = 'schemathesisCsrfTokenValue012345'

#: Operations that want the customized access token (HS512, issuer,
#: audiences) instead of the default one.
CUSTOM_TOKEN_PATHS: Final = frozenset({'/api/custom/me/'})

BodyFactory: TypeAlias = Callable[[Client], dict[str, str]]


def _obtain(client: Client, path: str, body: dict[str, str]) -> Any:
    response = client.post(path, json=body)
    assert response.status_code == HTTPStatus.OK, response.get_data()
    return response.json


def _default_pair(client: Client) -> dict[str, str]:
    credentials = {'username': USERNAME, 'password': PASSWORD}
    pair: dict[str, str] = _obtain(client, '/api/auth/', credentials)
    return pair


def _custom_access(client: Client) -> str:
    credentials = {'email': EMAIL, 'password': PASSWORD}
    tokens = _obtain(client, '/api/auth/custom/', credentials)
    access: str = tokens['auth']['access']
    return access


def _real_refresh(client: Client) -> dict[str, str]:
    return {'refresh_token': _default_pair(client)['refresh_token']}


def _real_access(client: Client) -> dict[str, str]:
    return {'access_token': _default_pair(client)['access_token']}


#: Real credentials for the schema-valid bodies, per operation path.
REAL_BODIES: Final[dict[str, BodyFactory]] = {
    '/api/auth/': lambda _: {'username': USERNAME, 'password': PASSWORD},
    '/api/auth/custom/': lambda _: {'email': EMAIL, 'password': PASSWORD},
    '/api/auth/refresh/': _real_refresh,
    '/api/auth/logout/': _real_refresh,
    '/api/auth/verify/': _real_access,
    '/api/cookie/login/': lambda _: {
        'username': USERNAME,
        'password': PASSWORD,
    },
}


def _operations() -> list[Any]:
    params = []
    for result in SCHEMA.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        operation = result.ok()
        params.append(
            pytest.param(operation.path, operation.method, id=operation.label),
        )
    return params


OPERATIONS: Final = _operations()


@pytest.fixture
def app(settings: Settings) -> Iterator[WSGIHandler]:
    """The WSGI handler, which must not close the test's DB connection."""
    # The Host the WSGI transport of Schemathesis sends.
    settings.ALLOWED_HOSTS = ['localhost']
    # Like Django's test client: the test's transaction outlives requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    # Revocation answers are cached by `sub`, and every test's demo user is
    # `sub` 1 again: a watermark cached by the log-out-everywhere run must
    # not revoke the next operation's tokens.
    caches['default'].clear()
    yield SCHEMA.app
    caches['default'].clear()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def demo_user(db: Any) -> User:
    return User.objects.create_user(USERNAME, EMAIL, PASSWORD)


def _is_negative_at(case: Case[Any], location: ParameterLocation) -> bool:
    return case.meta is not None and case.meta.is_negative_at(location)


def _use_real_credentials(case: Case[Any], client: Client) -> None:
    """Replace generated credentials, but keep schema-invalid parts."""
    path = case.operation.path
    if path in COOKIE_PATHS:
        _use_real_cookies(case, client)
    else:
        secured = bool(case.operation.definition.raw.get('security'))
        if secured and not _is_negative_at(case, ParameterLocation.HEADER):
            if path in CUSTOM_TOKEN_PATHS:
                access = _custom_access(client)
            else:
                access = _default_pair(client)['access_token']
            case.headers['Authorization'] = f'Bearer {access}'
    body = REAL_BODIES.get(path)
    if (
        body is not None
        and isinstance(case.body, dict)
        and not _is_negative_at(case, ParameterLocation.BODY)
    ):
        case.body = {**case.body, **body(client)}


def _use_credentials(case: Case[Any], client: Client, *, real: bool) -> None:
    """Real credentials (*real*), or only what every browser sends."""
    if real:
        _use_real_credentials(case, client)
    elif case.operation.path in COOKIE_PATHS:
        _use_real_cookies(case)


def _use_real_cookies(
    case: Case[Any],
    client: Client | None = None,
) -> None:
    """
    What a browser sends to the cookie API: cookies and the CSRF header.

    Django's CSRF cookie and header always (the page has them), so that
    a case without real tokens (*client* ``None``) is refused for its
    tokens (``401``), not for CSRF.
    """
    if _is_negative_at(case, ParameterLocation.COOKIE):
        return
    cookies = {'csrftoken': CSRF_TOKEN}
    if client is not None:
        pair = _default_pair(client)
        cookies['access_token'] = pair['access_token']
        if case.operation.path == '/api/cookie/refresh/':
            cookies['refresh_token'] = pair['refresh_token']
    case.cookies.update(cookies)
    case.headers['X-CSRFToken'] = CSRF_TOKEN


def assert_documented_cookies(case: Case[Any], response: Any) -> None:
    """Every cookie documented for the response's status is set."""
    responses = case.operation.definition.raw['responses']
    documented = responses.get(str(response.status_code), {}).get('headers', {})
    expected = {
        name.removeprefix(SET_COOKIE_PREFIX)
        for name in documented
        if name.startswith(SET_COOKIE_PREFIX)
    }
    sent = {
        value.split('=', 1)[0].strip()
        for value in response.headers.get('set-cookie', [])
    }
    assert expected - MIDDLEWARE_COOKIES <= sent, (expected, sent)


def _has_inputs(path: str, method: str) -> bool:
    """Whether the operation takes anything a request can get wrong."""
    definition = SCHEMA[path][method].definition.raw
    return any(
        definition.get(key) for key in ('parameters', 'requestBody', 'security')
    )


def _expected_statuses(
    path: str,
    method: str,
    mode: GenerationMode,
) -> set[int]:
    """Statuses the run must reach, so that it tests more than rejections."""
    definition = SCHEMA[path][method].definition.raw
    if mode == GenerationMode.POSITIVE:
        success = min(int(code) for code in definition['responses'])
        return {success, HTTPStatus.UNAUTHORIZED}
    if 'requestBody' in definition:
        return {HTTPStatus.BAD_REQUEST}
    # Nothing but the `Authorization` header to get wrong.
    return {HTTPStatus.UNAUTHORIZED}


@pytest.mark.parametrize(
    ('path', 'method', 'mode'),
    [
        pytest.param(
            *operation.values,
            mode,
            id=f'{operation.id}-{mode.value}',
        )
        for operation in OPERATIONS
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        # Without parameters, body or auth, a request cannot be invalid
        # (the cookie refresh: the browser sends the cookie on its own).
        if mode == GenerationMode.POSITIVE or _has_inputs(*operation.values)
    ],
)
def test_operation_conforms_to_the_schema(
    app: WSGIHandler,
    demo_user: User,
    path: str,
    method: str,
    mode: GenerationMode,
) -> None:
    client = Client(app)
    statuses: set[int] = set()

    @hypothesis.settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
    )
    @hypothesis.given(
        case=SCHEMA[path][method].as_strategy(mode),
        real_credentials=st.booleans(),
    )
    def run(case: Case[Any], *, real_credentials: bool) -> None:
        _use_credentials(case, client, real=real_credentials)
        response = case.call()
        statuses.add(response.status_code)
        quirks = SCHEMA_QUIRKS.get((path, response.status_code), [])
        if quirks:
            assert response.content == b''
        case.validate_response(
            response,
            checks=CHECKS,
            excluded_checks=quirks,
        )
        if response_headers_conformance in quirks:
            assert_documented_cookies(case, response)

    run()
    assert statuses >= _expected_statuses(path, method, mode)


def test_the_served_document_is_the_tested_one(app: WSGIHandler) -> None:
    response = Client(app).get('/docs/openapi.json/')
    assert response.status_code == HTTPStatus.OK
    assert response.json == demo_urls.schema.convert()
