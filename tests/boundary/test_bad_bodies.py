"""Bodies that the parser rejects are ``400`` with the error body, never 500.

Every token controller of the package, both serializers, sync and async:
nesting deeper than the parser can go (``RecursionError`` inside it), a
number out of range (``1e999``), a body over Django's
``DATA_UPLOAD_MAX_MEMORY_SIZE`` (Django's own HTML ``400`` otherwise).
"""

import json
from typing import Final

import pytest
from dirty_equals import IsStr
from django.conf import settings
from django.test import Client

from tests.boundary.conftest import ENDPOINTS, login
from tests.conftest import Mode, SerializerName

pytestmark = [
    pytest.mark.urls('tests.app.faults_urls'),
    pytest.mark.django_db,
]

_DEPTH: Final = 100_000

#: ``name -> (body, the message of the 400)``.
_BAD_BODIES: Final = {
    'nested-arrays': (
        '[' * _DEPTH + ']' * _DEPTH,
        'Request body is nested too deeply',
    ),
    'nested-objects': (
        '{"a":' * _DEPTH + '1' + '}' * _DEPTH,
        'Request body is nested too deeply',
    ),
    'number-out-of-range': (
        '{"refresh_token": 1e999}',
        IsStr(regex=r'Number out of range.*'),
    ),
    'too-large': (
        json.dumps(
            {
                'refresh_token': 'x' * settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
            }
        ),
        'Request body is too large',
    ),
}

#: The controllers that parse a body (log out everywhere takes none).
_PARSING: Final = ('obtain', 'refresh', 'logout')


@pytest.mark.parametrize('body_name', list(_BAD_BODIES))
@pytest.mark.parametrize('name', _PARSING)
def test_bad_body_is_400(
    *,
    client: Client,
    serializer: SerializerName,
    mode: Mode,
    name: str,
    body_name: str,
) -> None:
    tokens = login(client)
    body, message = _BAD_BODIES[body_name]

    response = ENDPOINTS[name].call(
        client,
        tokens,
        serializer=serializer,
        mode=mode,
        raw_body=body,
    )

    assert response.status_code == 400, response.content
    assert response['Content-Type'] == 'application/json'
    assert response.json() == {
        'detail': [{'msg': message, 'type': 'value_error'}],
    }


@pytest.mark.parametrize('body_name', list(_BAD_BODIES))
def test_log_out_everywhere_reads_no_body(
    *,
    client: Client,
    serializer: SerializerName,
    mode: Mode,
    body_name: str,
) -> None:
    tokens = login(client)
    body, _ = _BAD_BODIES[body_name]

    response = ENDPOINTS['logout-everywhere'].call(
        client,
        tokens,
        serializer=serializer,
        mode=mode,
        raw_body=body,
    )

    assert response.status_code == 200, response.content
