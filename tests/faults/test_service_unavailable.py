"""A database that cannot be reached: ``503`` + ``Retry-After``, never ``500``.

Real PostgreSQL (``DMR_JWT_TEST_POSTGRES``): every model on it, the
``postgres`` alias pointed at a closed port for the faulty request, then
back. For auth (a plain and a blocklist protected endpoint), obtain,
refresh, logout and log out everywhere, sync and async, both serializers:
the framework's error body, ``Retry-After``, one log line, bounded time;
then the very same request answers normally, with nothing restarted.
"""

import dataclasses
import json
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Final, TypeAlias

import pytest
from django.contrib.auth.models import User
from django.db import connections
from django.test import Client

from dmr_jwt.errors import Reason
from tests.conftest import PASSWORD, Mode, SerializerName, assert_unauthorized
from tests.faults.conftest import (
    BOUNDARY_LOGGER,
    assert_unavailable,
    unreachable,
)

if TYPE_CHECKING:
    from tests.conftest import AnyResponse

pytestmark = [
    pytest.mark.urls('tests.app.faults_urls'),
    pytest.mark.django_db(transaction=True, databases='__all__'),
    pytest.mark.usefixtures('on_postgres'),
]

Tokens: TypeAlias = dict[str, str]


@dataclasses.dataclass(frozen=True, slots=True)
class Endpoint:
    """One endpoint under test: how to call it, what it answers when well."""

    path: str
    method: str = 'post'
    #: The body, from the session's tokens; ``None``: no body.
    body: Callable[[Tokens], dict[str, str]] | None = None
    authenticated: bool = True
    #: Whether a successful call revokes the session.
    revokes: bool = False

    def call(
        self,
        client: Client,
        tokens: Tokens,
        *,
        serializer: SerializerName,
        mode: Mode,
    ) -> 'AnyResponse':
        headers = (
            {'Authorization': f'Bearer {tokens["access_token"]}'}
            if self.authenticated
            else {}
        )
        url = self.path.format(serializer=serializer, mode=mode)
        if self.method == 'get':
            return client.get(url, headers=headers)
        return client.post(
            url,
            data=json.dumps(None if self.body is None else self.body(tokens)),
            content_type='application/json',
            headers=headers,
        )


ENDPOINTS: Final = {
    'auth': Endpoint('/api/{serializer}/me/{mode}/', method='get'),
    'blocklist-auth': Endpoint(
        '/blocklist/{serializer}/me/{mode}/',
        method='get',
    ),
    'obtain': Endpoint(
        '/api/{serializer}/obtain/{mode}/',
        body=lambda _: {'username': 'pg_user', 'password': PASSWORD},
        authenticated=False,
    ),
    'refresh': Endpoint(
        '/blocklist/{serializer}/refresh/{mode}/',
        body=lambda tokens: {'refresh_token': tokens['refresh_token']},
        authenticated=False,
    ),
    'logout': Endpoint(
        '/logout/{serializer}/{mode}/',
        body=lambda tokens: {'refresh_token': tokens['refresh_token']},
        revokes=True,
    ),
    'logout-everywhere': Endpoint(
        '/everywhere/{serializer}/{mode}/',
        revokes=True,
    ),
}

_ME: Final = ENDPOINTS['blocklist-auth']


def _login(client: Client) -> Tokens:
    User.objects.create_user('pg_user', password=PASSWORD)
    response = client.post(
        '/api/pydantic/obtain/sync/',
        data={'username': 'pg_user', 'password': PASSWORD},
        content_type='application/json',
    )
    assert response.status_code == 200, response.content
    tokens: Tokens = response.json()
    return tokens


@pytest.mark.parametrize('name', list(ENDPOINTS))
def test_unreachable_database_is_503_then_recovers(
    *,
    client: Client,
    caplog: pytest.LogCaptureFixture,
    serializer: SerializerName,
    mode: Mode,
    name: str,
) -> None:
    endpoint = ENDPOINTS[name]
    tokens = _login(client)

    with unreachable(), caplog.at_level(logging.WARNING, BOUNDARY_LOGGER):
        start = time.monotonic()
        response = endpoint.call(
            client,
            tokens,
            serializer=serializer,
            mode=mode,
        )
        assert_unavailable(response, time.monotonic() - start)

    records = [r for r in caplog.records if r.name == BOUNDARY_LOGGER]
    assert len(records) == 1
    assert records[0].exc_info is None
    assert 'OperationalError' in records[0].getMessage()

    # The server is back: the same request answers, nothing restarted.
    response = endpoint.call(client, tokens, serializer=serializer, mode=mode)
    assert response.status_code == 200, response.content
    after = _me_status(client, tokens, serializer=serializer, mode=mode)
    assert after == (401 if endpoint.revokes else 200)


def _me_status(
    client: Client,
    tokens: Tokens,
    *,
    serializer: SerializerName,
    mode: Mode,
) -> int:
    response = _ME.call(client, tokens, serializer=serializer, mode=mode)
    if response.status_code == 401:
        assert_unauthorized(response, Reason.REVOKED)
    return response.status_code


def _terminate_backend(pid: int) -> None:
    # Another connection kills this one's server process, as a restart or
    # a network cut would: its socket is dead, the object still open.
    admin = connections.create_connection('postgres')
    try:
        with admin.cursor() as cursor:
            cursor.execute('SELECT pg_terminate_backend(%s)', [pid])
    finally:
        admin.close()


def test_dropped_connection_is_not_reused(
    *,
    client: Client,
    serializer: SerializerName,
    mode: Mode,
) -> None:
    tokens = _login(client)
    assert _me_status(client, tokens, serializer=serializer, mode=mode) == 200
    connection = connections['postgres']
    assert connection.connection is not None
    _terminate_backend(connection.connection.info.backend_pid)

    start = time.monotonic()
    response = _ME.call(client, tokens, serializer=serializer, mode=mode)
    assert_unavailable(response, time.monotonic() - start)

    # The test client never closes connections between requests (Django's
    # `close_old_connections` is disconnected there): the boundary did.
    assert _me_status(client, tokens, serializer=serializer, mode=mode) == 200
