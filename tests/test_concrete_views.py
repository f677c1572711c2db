"""The ready-to-use controllers of ``dmr_jwt.concrete_views``.

Routed as a project routes them (``as_view(serializer=...)`` and nothing
else, :mod:`tests.app.verify_urls`), sync and async, pydantic and msgspec:
obtain, refresh and verify work together; ``as_view`` refuses a missing or
contradicting serializer; revocation is checked only when the blocklist app
is installed, decided per request, and importing the module never loads the
app; the OpenAPI schema documents every operation.
"""

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.test import Client
from dmr.exceptions import EndpointMetadataError
from dmr.openapi import build_schema
from dmr.plugins.msgspec import MsgspecSerializer
from dmr.plugins.pydantic import PydanticSerializer
from pytest_django import Settings

import dmr_jwt
from dmr_jwt.blocklist import revoke_all_tokens
from dmr_jwt.errors import Reason
from tests.app import verify_urls
from tests.blocklist.conftest import committed
from tests.conftest import (
    PASSWORD,
    Mode,
    SerializerName,
    assert_unauthorized,
)

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = [
    pytest.mark.urls('tests.app.verify_urls'),
    pytest.mark.django_db,
]

_ALL: Final = tuple(
    controller for pair in verify_urls.CONCRETE.values() for controller in pair
)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # The blocklist caches its answers in the default cache: none may
    # survive from another test (the same `sub` comes back).
    caches['default'].clear()
    yield
    caches['default'].clear()


@pytest.fixture
def concrete_url(serializer: SerializerName, mode: Mode) -> Any:
    """Build ``/concrete/<serializer>/<name>/<mode>/`` for the axes."""

    def factory(name: str) -> str:
        return f'/concrete/{serializer}/{name}/{mode}/'

    return factory


def _post(client: Client, url: str, body: object) -> 'Response':
    return client.post(url, data=body, content_type='application/json')


def _obtain(client: Client, url: str) -> dict[str, str]:
    response = _post(
        client,
        url,
        {'username': 'test_user', 'password': PASSWORD},
    )
    assert response.status_code == 200, response.content
    pair: dict[str, str] = response.json()
    return pair


def test_obtain_refresh_and_verify_work_together(
    client: Client,
    user: User,
    concrete_url: Any,
) -> None:
    pair = _obtain(client, concrete_url('obtain'))
    assert set(pair) == {'access_token', 'refresh_token'}

    refreshed = _post(
        client,
        concrete_url('refresh'),
        {'refresh_token': pair['refresh_token']},
    )
    assert refreshed.status_code == 200, refreshed.content
    assert refreshed.headers['Cache-Control'] == 'no-store'
    new_pair = refreshed.json()
    assert set(new_pair) == {'access_token', 'refresh_token'}
    assert new_pair['access_token'] != pair['access_token']

    for access in (pair['access_token'], new_pair['access_token']):
        verified = _post(
            client,
            concrete_url('verify'),
            {'access_token': access},
        )
        assert verified.status_code == 204, verified.content


def test_obtain_refuses_wrong_credentials(
    client: Client,
    user: User,
    concrete_url: Any,
) -> None:
    response = _post(
        client,
        concrete_url('obtain'),
        {'username': 'test_user', 'password': 'wrong'},
    )

    assert_unauthorized(response, None, scheme=None)


def test_refresh_refuses_an_access_token(
    client: Client,
    user: User,
    concrete_url: Any,
) -> None:
    pair = _obtain(client, concrete_url('obtain'))

    response = _post(
        client,
        concrete_url('refresh'),
        {'refresh_token': pair['access_token']},
    )

    assert_unauthorized(response, Reason.WRONG_TYPE, scheme=None)


@pytest.mark.parametrize(
    ('name', 'body'),
    [
        pytest.param('obtain', {'username': 'test_user'}, id='obtain'),
        pytest.param('refresh', {'access_token': 'a.b.c'}, id='refresh'),
        pytest.param('verify', {'refresh_token': 'a.b.c'}, id='verify'),
    ],
)
def test_a_body_of_another_payload_is_400(
    client: Client,
    user: User,
    concrete_url: Any,
    *,
    name: str,
    body: dict[str, str],
) -> None:
    response = _post(client, concrete_url(name), body)

    assert response.status_code == 400, response.content


@pytest.mark.parametrize('controller', _ALL, ids=lambda cls: cls.__name__)
def test_as_view_needs_a_serializer(controller: Any) -> None:
    with pytest.raises(EndpointMetadataError, match='needs a serializer'):
        controller.as_view()


@pytest.mark.parametrize('controller', _ALL, ids=lambda cls: cls.__name__)
def test_the_routed_class_is_the_one_a_project_would_write(
    controller: Any,
) -> None:
    view = controller.as_view(serializer=MsgspecSerializer)
    routed = view.view_class

    assert routed.__name__ == controller.__name__
    assert routed.__module__ == 'dmr_jwt.concrete_views.body'
    assert issubclass(routed, controller)
    assert routed.serializer is MsgspecSerializer
    assert not routed.is_abstract
    # Token endpoints never require the auth of the project's settings.
    assert routed.auth is None
    with pytest.raises(EndpointMetadataError, match='would contradict'):
        routed.as_view(serializer=PydanticSerializer)
    assert routed.as_view().view_class is routed


def test_revocation_is_not_checked_without_the_blocklist_app(
    client: Client,
    user: User,
    settings: Settings,
    concrete_url: Any,
) -> None:
    pair = _obtain(client, concrete_url('obtain'))
    with committed():
        revoke_all_tokens(user)
    verify = {'access_token': pair['access_token']}
    assert_unauthorized(
        _post(client, concrete_url('verify'), verify),
        Reason.REVOKED,
        scheme=None,
    )

    # The same routes, once the app is gone: decided per request.
    settings.INSTALLED_APPS = [
        app for app in settings.INSTALLED_APPS if app != 'dmr_jwt.blocklist'
    ]

    verified = _post(client, concrete_url('verify'), verify)
    refreshed = _post(
        client,
        concrete_url('refresh'),
        {'refresh_token': pair['refresh_token']},
    )

    assert verified.status_code == 204, verified.content
    assert refreshed.status_code == 200, refreshed.content


def test_importing_the_concrete_views_never_loads_the_blocklist() -> None:
    # A project without the app: routing the controllers loads nothing
    # of it (nor registers its system checks).
    code = (
        'import sys\n'
        'import django\n'
        'from django.conf import settings\n'
        'settings.configure(\n'
        "    SECRET_KEY='s' * 64,\n"
        "    INSTALLED_APPS=['django.contrib.contenttypes',\n"
        "                    'django.contrib.auth'],\n"
        ')\n'
        'django.setup()\n'
        'from dmr.plugins.pydantic import PydanticSerializer\n'
        'from dmr_jwt import concrete_views\n'
        'for name in concrete_views.__all__:\n'
        '    exported = getattr(concrete_views, name)\n'
        '    if isinstance(exported, type):  # not DEFAULT_*\n'
        '        exported.as_view(serializer=PydanticSerializer)\n'
        "loaded = sorted(m for m in sys.modules if 'blocklist' in m)\n"
        'assert not loaded, loaded\n'
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, '-W', 'error', '-c', code],
        env={'PYTHONPATH': str(Path(dmr_jwt.__file__).parent.parent)},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr


@pytest.fixture(scope='module')
def schema() -> dict[str, Any]:
    """The schema of the concrete controllers' routes."""
    return build_schema(verify_urls.concrete_router).convert()


def test_openapi_documents_the_verify_operation(
    *,
    schema: dict[str, Any],
    concrete_url: Any,
) -> None:
    operation = schema['paths'][concrete_url('verify')]['post']

    assert operation['summary'] == 'Verify the token on POST.'
    assert operation['requestBody']['content'] == {
        'application/json': {
            'schema': {'$ref': '#/components/schemas/VerifyTokenPayload'},
        },
    }
    responses = operation['responses']
    assert set(responses) >= {'204', '400', '401', '503'}
    assert '200' not in responses
    assert set(responses['204']['headers']) == {'Cache-Control'}
    assert responses['204']['description'] == 'No Content'
    assert 'security' not in operation
    assert schema['components']['schemas']['VerifyTokenPayload'] == {
        'description': 'Default request body type for the verify token '
        'endpoint.',
        'properties': {
            'access_token': {'title': 'Access Token', 'type': 'string'},
        },
        'required': ['access_token'],
        'title': 'VerifyTokenPayload',
        'type': 'object',
    }


@pytest.mark.parametrize(
    ('name', 'payload'),
    [('obtain', 'ObtainTokensPayload'), ('refresh', 'RefreshTokenPayload')],
)
def test_openapi_documents_the_token_operations(
    *,
    schema: dict[str, Any],
    concrete_url: Any,
    name: str,
    payload: str,
) -> None:
    operation = schema['paths'][concrete_url(name)]['post']

    assert operation['requestBody']['content'] == {
        'application/json': {
            'schema': {'$ref': f'#/components/schemas/{payload}'},
        },
    }
    responses = operation['responses']
    assert set(responses) >= {'200', '400', '401', '503'}
    assert responses['200']['content'] == {
        'application/json': {
            'schema': {'$ref': '#/components/schemas/ObtainTokensResponse'},
        },
    }
