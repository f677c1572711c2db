"""The async controllers under a real event loop (``AsyncClient``).

There the async ORM runs in a worker thread with its own connections, so
the boundary must close a failed connection in that thread, not in the
event loop's. Real PostgreSQL, every model on it: a closed port, and the
server process of the open connection killed; then recovery.
"""

import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.db import connections
from django.test import AsyncClient

from tests.boundary.conftest import (
    ENDPOINTS,
    Endpoint,
    Tokens,
    assert_unavailable,
    closed_port,
    terminate_backend,
)
from tests.conftest import PASSWORD, SerializerName

if TYPE_CHECKING:
    from tests.conftest import AnyResponse

pytestmark = [
    pytest.mark.urls('tests.app.faults_urls'),
    pytest.mark.django_db(transaction=True, databases='__all__'),
    pytest.mark.usefixtures('on_postgres', 'worker_connections'),
]


@pytest.fixture
async def worker_connections() -> AsyncIterator[None]:
    """Close the connections that the async ORM opened in its thread."""
    yield
    await sync_to_async(connections.close_all)()


def _close_worker_connection() -> None:
    connections['postgres'].close()


def _worker_backend_pid() -> int:
    connection = connections['postgres'].connection
    assert connection is not None
    pid: int = connection.info.backend_pid
    return pid


@contextlib.asynccontextmanager
async def _unreachable() -> AsyncIterator[None]:
    # One settings dict for the connections of every thread.
    settings_dict = connections['postgres'].settings_dict
    port = settings_dict['PORT']
    await sync_to_async(_close_worker_connection)()
    settings_dict['PORT'] = str(closed_port())
    try:
        yield
    finally:
        await sync_to_async(_close_worker_connection)()
        settings_dict['PORT'] = port


async def _login(client: AsyncClient) -> Tokens:
    await sync_to_async(User.objects.create_user)(
        'fault_user',
        password=PASSWORD,
    )
    response = await client.post(
        '/api/pydantic/obtain/async/',
        data={'username': 'fault_user', 'password': PASSWORD},
        content_type='application/json',
    )
    assert response.status_code == 200, response.content
    tokens: Tokens = response.json()
    return tokens


async def _call(
    client: AsyncClient,
    endpoint: Endpoint,
    tokens: Tokens,
    serializer: SerializerName,
) -> 'AnyResponse':
    url = endpoint.path.format(serializer=serializer, mode='async')
    headers = (
        {'Authorization': f'Bearer {tokens["access_token"]}'}
        if endpoint.authenticated
        else {}
    )
    if endpoint.method == 'get':
        return await client.get(url, headers=headers)
    body = None if endpoint.body is None else endpoint.body(tokens)
    return await client.post(
        url,
        data=json.dumps(body),
        content_type='application/json',
        headers=headers,
    )


@pytest.mark.parametrize('name', list(ENDPOINTS))
async def test_unreachable_database_is_503_then_recovers(
    *,
    async_client: AsyncClient,
    serializer: SerializerName,
    name: str,
) -> None:
    endpoint = ENDPOINTS[name]
    tokens = await _login(async_client)

    async with _unreachable():
        start = time.monotonic()
        response = await _call(async_client, endpoint, tokens, serializer)
        assert_unavailable(response, time.monotonic() - start)

    response = await _call(async_client, endpoint, tokens, serializer)
    assert response.status_code == 200, response.content


async def test_dropped_connection_is_not_reused(
    *,
    async_client: AsyncClient,
    serializer: SerializerName,
) -> None:
    me = ENDPOINTS['blocklist-auth']
    tokens = await _login(async_client)
    response = await _call(async_client, me, tokens, serializer)
    assert response.status_code == 200
    pid = await sync_to_async(_worker_backend_pid)()
    await sync_to_async(terminate_backend)(pid)

    start = time.monotonic()
    response = await _call(async_client, me, tokens, serializer)
    assert_unavailable(response, time.monotonic() - start)

    response = await _call(async_client, me, tokens, serializer)
    assert response.status_code == 200, response.content
