"""Four gunicorn workers, one Redis: a logout is seen by every worker at once.

The demo (``examples/demo``) runs under gunicorn with
:data:`tests.faults.gunicorn_demo.WORKERS` sync workers on a free port of
``127.0.0.1``, on a fresh database of the configured PostgreSQL
(``DMR_JWT_TEST_POSTGRES``) and a Redis of this test
(``DEMO_DATABASE_URL`` / ``DEMO_REDIS_URL``). A bounded burst of sessions,
four at a time: each logs in, uses its token several times (so that
several workers see it accepted), logs out, then keeps using it. No
``500`` anywhere, and every request made after a logout returned is a
``401``, whichever worker answers it.
"""

import json
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Final

import pytest

from demo.api.management.commands.ensure_demo_user import PASSWORD, USERNAME
from tests.faults.gunicorn_demo import WORKERS, DemoServer, call, fresh_database
from tests.faults.redis_server import RedisServer

#: Sessions of the burst, and how many run at once.
_SESSIONS: Final = 30
_PARALLEL: Final = 4

#: Uses of a token before its logout, and after it.
_USES_BEFORE: Final = 4
_USES_AFTER: Final = 12

#: The protected endpoints of the demo: a sync and an async controller.
_ME: Final = ('/api/me/', '/api/me/async/')


@pytest.fixture
def demo(tmp_path: Path, redis_server: RedisServer) -> Iterator[DemoServer]:
    """The demo under gunicorn on PostgreSQL and the test's Redis."""
    admin_url = os.environ.get('DMR_JWT_TEST_POSTGRES')
    if not admin_url:
        reason = (
            'PostgreSQL is not configured: set DMR_JWT_TEST_POSTGRES '
            '(bash .ci/run starts a server and sets it)'
        )
        if os.environ.get('CI'):
            pytest.fail(f'CI must run the gunicorn test: {reason}')
        pytest.skip(reason)
    with fresh_database(admin_url) as database_url:
        server = DemoServer(
            tmp_path / 'gunicorn',
            database_url=database_url,
            redis_url=redis_server.url,
        )
        try:
            server.prepare()
            server.start()
            yield server
        finally:
            server.close()


def _session(port: int) -> dict[str, list[int]]:
    """One session of the burst: the statuses it got, by phase."""
    status, body = call(
        port,
        'POST',
        '/api/auth/',
        body={'username': USERNAME, 'password': PASSWORD},
    )
    assert status == 200, body
    pair = json.loads(body)
    access, refresh = pair['access_token'], pair['refresh_token']
    before = [
        call(port, 'GET', _ME[index % 2], token=access)[0]
        for index in range(_USES_BEFORE)
    ]
    logout, _ = call(
        port,
        'POST',
        '/api/auth/logout/',
        token=access,
        body={'refresh_token': refresh},
    )
    # From here on, the logout has returned.
    after = [
        call(port, 'GET', _ME[index % 2], token=access)[0]
        for index in range(_USES_AFTER)
    ]
    refreshed, _ = call(
        port,
        'POST',
        '/api/auth/refresh/',
        body={'refresh_token': refresh},
    )
    return {
        'login': [status],
        'before': before,
        'logout': [logout],
        'after': after,
        'refresh': [refreshed],
    }


def test_every_worker_refuses_a_token_once_its_logout_returned(
    demo: DemoServer,
) -> None:
    with ThreadPoolExecutor(max_workers=_PARALLEL) as pool:
        sessions = list(pool.map(_session, [demo.port] * _SESSIONS))

    statuses = [
        status
        for session in sessions
        for phase in session.values()
        for status in phase
    ]
    assert all(status < 500 for status in statuses), demo.errors()
    for session in sessions:
        assert session['before'] == [200] * _USES_BEFORE, session
        assert session['logout'] == [204], session
        assert session['after'] == [401] * _USES_AFTER, session
        assert session['refresh'] == [401], session
    # Every worker took part: the accepting and the refusing ones.
    assert len(demo.worker_pids()) == WORKERS, demo.worker_pids()
