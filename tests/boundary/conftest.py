"""Helpers of the fault tests: unreachable servers, and the 503 they give.

PostgreSQL is made unreachable by pointing the ``postgres`` alias at a
port that nothing listens on (and closing its connection): the next query
fails to connect, as it does when the server is down. Restoring the port
is the server coming back: nothing restarts.
"""

import contextlib
import dataclasses
import json
import socket
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.db import connections
from django.test import Client
from pytest_django import Settings as SettingsWrapper

from dmr_jwt.errors import Reason
from tests.blocklist.conftest import require_postgres
from tests.conftest import PASSWORD, Mode, SerializerName, assert_unauthorized

if TYPE_CHECKING:
    from tests.conftest import AnyResponse

#: The body of every ``503``: never the driver's message.
UNAVAILABLE: Final = {
    'detail': [
        {
            'msg': 'Service temporarily unavailable, retry later',
            'type': 'internal_error',
        },
    ],
}

#: A faulty request answers well within this (connection refused is fast).
MAX_SECONDS: Final = 5.0

#: The logger of the error boundary: one record per fault.
BOUNDARY_LOGGER: Final = 'dmr_jwt.boundary'


def closed_port() -> int:
    """A local TCP port that nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port: int = probe.getsockname()[1]
    return port


@contextlib.contextmanager
def unreachable(alias: str = 'postgres') -> Iterator[None]:
    """Make the database *alias* unreachable in the block, then restore it."""
    connection = connections[alias]
    port = connection.settings_dict['PORT']
    connection.close()
    # The settings dict is shared by the connections of every thread.
    connection.settings_dict['PORT'] = str(closed_port())
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict['PORT'] = port


class AllOnPostgres:
    """A database router that puts every model on the ``postgres`` alias."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        return 'postgres'

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return 'postgres'


@pytest.fixture(autouse=True)
def _no_blocklist_cache(settings: SettingsWrapper) -> None:
    # Every revocation check asks the database, and nothing cached by an
    # earlier test (a watermark of the same `sub`) decides this one.
    settings.DMR_JWT = {'BLOCKLIST_CACHE': None}
    caches['default'].clear()


@pytest.fixture
def on_postgres(settings: SettingsWrapper) -> None:
    """Users, blocklist and everything else on PostgreSQL, no cache."""
    require_postgres(settings)
    settings.DATABASE_ROUTERS = [f'{__name__}.AllOnPostgres']
    settings.DMR_JWT = {
        'BLOCKLIST_DATABASE': 'postgres',
        'BLOCKLIST_CACHE': None,
    }


def assert_unavailable(response: 'AnyResponse', seconds: float) -> None:
    """Assert the framework's ``503``: JSON error body, ``Retry-After``."""
    assert response.status_code == 503, response.content
    assert response['Content-Type'] == 'application/json'
    assert response.json() == UNAVAILABLE
    assert response['Retry-After'] == '5'
    assert seconds < MAX_SECONDS


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
        raw_body: str | None = None,
    ) -> 'AnyResponse':
        """Call the endpoint; *raw_body* replaces the usual body."""
        headers = (
            {'Authorization': f'Bearer {tokens["access_token"]}'}
            if self.authenticated
            else {}
        )
        url = self.path.format(serializer=serializer, mode=mode)
        if self.method == 'get':
            return client.get(url, headers=headers)
        if raw_body is None:
            raw_body = json.dumps(
                None if self.body is None else self.body(tokens),
            )
        return client.post(
            url,
            data=raw_body,
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
        body=lambda _: {'username': 'fault_user', 'password': PASSWORD},
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


def login(client: Client) -> Tokens:
    """Create ``fault_user`` and obtain its tokens, while all is well."""
    User.objects.create_user('fault_user', password=PASSWORD)
    response = client.post(
        '/api/pydantic/obtain/sync/',
        data={'username': 'fault_user', 'password': PASSWORD},
        content_type='application/json',
    )
    assert response.status_code == 200, response.content
    tokens: Tokens = response.json()
    return tokens


def session_status(
    client: Client,
    tokens: Tokens,
    *,
    serializer: SerializerName,
    mode: Mode,
) -> int:
    """Status of a blocklist protected request with *tokens* (200 or 401)."""
    response = ENDPOINTS['blocklist-auth'].call(
        client,
        tokens,
        serializer=serializer,
        mode=mode,
    )
    if response.status_code == 401:
        assert_unauthorized(response, Reason.REVOKED)
    return response.status_code


def terminate_backend(pid: int) -> None:
    """Kill the PostgreSQL server process *pid* (a connection's backend)."""
    # Another connection kills this one's server process, as a restart or
    # a network cut would: its socket is dead, the object still open.
    admin = connections.create_connection('postgres')
    try:
        with admin.cursor() as cursor:
            cursor.execute('SELECT pg_terminate_backend(%s)', [pid])
    finally:
        admin.close()
