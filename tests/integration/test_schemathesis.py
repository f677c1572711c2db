"""Schemathesis against the demo project's OpenAPI document.

Every operation of ``demo.urls`` gets generated requests, schema-valid
(positive) and schema-invalid (negative), through a real WSGI handler with
the demo's URLs. No response may be a server error, and each must match
the document: status code, content type, headers and body.

Generated credentials are never valid, so half of the cases get real ones:
a fresh access token of the demo user for the protected operations and,
where the generated body is schema-valid, the demo user's credentials or a
fresh refresh token in it. Fresh for each case, because logout revokes.
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
}

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


#: Real credentials for the schema-valid bodies, per operation path.
REAL_BODIES: Final[dict[str, BodyFactory]] = {
    '/api/auth/': lambda _: {'username': USERNAME, 'password': PASSWORD},
    '/api/auth/custom/': lambda _: {'email': EMAIL, 'password': PASSWORD},
    '/api/auth/refresh/': _real_refresh,
    '/api/auth/logout/': _real_refresh,
    '/api/auth/verify/': lambda client: {
        'access_token': _default_pair(client)['access_token'],
    },
}


def _operations() -> list[Any]:
    params = []
    for result in SCHEMA.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        operation = result.ok()
        if operation.path.startswith('/api/cookie/'):
            # Cookie transport needs a session's cookies and the CSRF
            # header, which generated cases cannot carry: tested by
            # tests/test_cookie_views.py and the browser tests instead.
            continue
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
    'mode',
    [
        pytest.param(GenerationMode.POSITIVE, id='positive'),
        pytest.param(GenerationMode.NEGATIVE, id='negative'),
    ],
)
@pytest.mark.parametrize(('path', 'method'), OPERATIONS)
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
        if real_credentials:
            _use_real_credentials(case, client)
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

    run()
    assert statuses >= _expected_statuses(path, method, mode)


def test_the_served_document_is_the_tested_one(app: WSGIHandler) -> None:
    response = Client(app).get('/docs/openapi.json/')
    assert response.status_code == HTTPStatus.OK
    assert response.json == demo_urls.schema.convert()
