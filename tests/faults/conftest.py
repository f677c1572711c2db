"""Helpers of the fault tests: unreachable servers, and the 503 they give.

PostgreSQL is made unreachable by pointing the ``postgres`` alias at a
port that nothing listens on (and closing its connection): the next query
fails to connect, as it does when the server is down. Restoring the port
is the server coming back: nothing restarts.
"""

import contextlib
import socket
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Final

import pytest
from django.db import connections
from pytest_django import Settings as SettingsWrapper

from tests.blocklist.conftest import require_postgres

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
BOUNDARY_LOGGER: Final = 'dmr_jwt._internal.boundary'


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
