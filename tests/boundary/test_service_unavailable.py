"""A database that cannot be reached: ``503`` + ``Retry-After``, never ``500``.

Real PostgreSQL (``DMR_JWT_TEST_POSTGRES``): every model on it, the
``postgres`` alias pointed at a closed port for the faulty request, then
back. For auth (a plain and a blocklist protected endpoint), obtain,
refresh, logout and log out everywhere, sync and async, both serializers:
the framework's error body, ``Retry-After``, one log line, bounded time;
then the very same request answers normally, with nothing restarted.
"""

import logging
import time
from typing import Any, Final
from unittest import mock

import pytest
from django.db import connections
from django.test import Client

from dmr_jwt._internal.users import SubjectLookup
from tests.boundary.conftest import (
    BOUNDARY_LOGGER,
    ENDPOINTS,
    assert_unavailable,
    login,
    session_status,
    terminate_backend,
    unreachable,
)
from tests.conftest import Mode, SerializerName

pytestmark = [
    pytest.mark.urls('tests.app.faults_urls'),
    pytest.mark.django_db(transaction=True, databases='__all__'),
    pytest.mark.usefixtures('on_postgres'),
]

#: A protected endpoint that also asks the blocklist.
_ME: Final = ENDPOINTS['blocklist-auth']


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
    tokens = login(client)

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
    after = session_status(client, tokens, serializer=serializer, mode=mode)
    assert after == (401 if endpoint.revokes else 200)


def test_dropped_connection_is_not_reused(
    *,
    client: Client,
    serializer: SerializerName,
    mode: Mode,
) -> None:
    tokens = login(client)
    assert (
        session_status(client, tokens, serializer=serializer, mode=mode) == 200
    )
    connection = connections['postgres']
    assert connection.connection is not None
    terminate_backend(connection.connection.info.backend_pid)

    start = time.monotonic()
    response = _ME.call(client, tokens, serializer=serializer, mode=mode)
    assert_unavailable(response, time.monotonic() - start)

    # The test client never closes connections between requests (Django's
    # `close_old_connections` is disconnected there): the boundary did.
    assert (
        session_status(client, tokens, serializer=serializer, mode=mode) == 200
    )


def test_a_fault_inside_atomic_requests_rolls_back_instead_of_a_500(
    *,
    client: Client,
    serializer: SerializerName,
) -> None:
    # Django opens the request's transaction before the view; the
    # connection dies during auth. The answer is the 503, and the request
    # transaction is rolled back (a commit on the dead connection would
    # raise past every handler).
    tokens = login(client)
    settings_dict = connections['postgres'].settings_dict
    settings_dict['ATOMIC_REQUESTS'] = True
    lookup = SubjectLookup.get_user

    def dies_then_looks_up(self: SubjectLookup, subject: str) -> Any:
        connection = connections['postgres']
        assert connection.in_atomic_block
        terminate_backend(connection.connection.info.backend_pid)
        return lookup(self, subject)

    try:
        with mock.patch.object(SubjectLookup, 'get_user', dies_then_looks_up):
            start = time.monotonic()
            response = _ME.call(
                client,
                tokens,
                serializer=serializer,
                mode='sync',  # Django refuses ATOMIC_REQUESTS on async views
            )
        assert_unavailable(response, time.monotonic() - start)
    finally:
        settings_dict['ATOMIC_REQUESTS'] = False

    status = session_status(client, tokens, serializer=serializer, mode='sync')
    assert status == 200
