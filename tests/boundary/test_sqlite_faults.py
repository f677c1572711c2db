"""SQLite that cannot answer (``database is locked``): ``503``, then recovery.

A supplement to the PostgreSQL tests, which run without a server: the
SQLite cursor raises ``sqlite3.OperationalError('database is locked')``,
what SQLite says when another writer holds the lock for longer than its
timeout. Django turns it into :exc:`django.db.OperationalError`, as it
does for a real lock. Locking only writes lets the auth of logout and log
out everywhere through, so their controllers' own handlers answer.
"""

import contextlib
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from django.db.backends.sqlite3.base import SQLiteCursorWrapper
from django.test import Client

from tests.boundary.conftest import (
    ENDPOINTS,
    assert_unavailable,
    login,
    session_status,
)
from tests.conftest import Mode, SerializerName

pytestmark = [
    pytest.mark.urls('tests.app.faults_urls'),
    # Not in a test transaction: a failed statement would break it.
    pytest.mark.django_db(transaction=True),
]

_WRITES = ('INSERT', 'UPDATE', 'DELETE')


@contextlib.contextmanager
def locked(*, writes_only: bool = False) -> Iterator[None]:
    """SQLite is locked in the block: all statements, or only writes."""
    execute = SQLiteCursorWrapper.execute

    def locked_execute(cursor: Any, query: str, *args: Any) -> Any:
        statement = query.lstrip().upper()
        if not writes_only or statement.startswith(_WRITES):
            raise sqlite3.OperationalError('database is locked')
        return execute(cursor, query, *args)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SQLiteCursorWrapper, 'execute', locked_execute)
        yield


@pytest.mark.parametrize('name', list(ENDPOINTS))
def test_locked_database_is_503_then_recovers(
    *,
    client: Client,
    serializer: SerializerName,
    mode: Mode,
    name: str,
) -> None:
    endpoint = ENDPOINTS[name]
    tokens = login(client)

    with locked():
        response = endpoint.call(
            client,
            tokens,
            serializer=serializer,
            mode=mode,
        )
    assert_unavailable(response, 0)

    response = endpoint.call(client, tokens, serializer=serializer, mode=mode)
    assert response.status_code == 200, response.content


@pytest.mark.parametrize('name', ['logout', 'logout-everywhere'])
def test_failed_revocation_is_503_and_revokes_nothing(
    *,
    client: Client,
    serializer: SerializerName,
    mode: Mode,
    name: str,
) -> None:
    endpoint = ENDPOINTS[name]
    tokens = login(client)

    with locked(writes_only=True):
        response = endpoint.call(
            client,
            tokens,
            serializer=serializer,
            mode=mode,
        )
    assert_unavailable(response, 0)
    # The client is told to retry: the session is still valid, until then.
    assert (
        session_status(client, tokens, serializer=serializer, mode=mode) == 200
    )

    response = endpoint.call(client, tokens, serializer=serializer, mode=mode)
    assert response.status_code == 200, response.content
    assert (
        session_status(client, tokens, serializer=serializer, mode=mode) == 401
    )
