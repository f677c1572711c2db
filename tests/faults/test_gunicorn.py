"""Four gunicorn workers, one Redis: a logout is seen by every worker at once.

The demo (``examples/demo``) runs under gunicorn with
:data:`tests.faults.gunicorn_demo.WORKERS` sync workers on a free port of
``127.0.0.1``, on a fresh database of the configured PostgreSQL
(``DMR_JWT_TEST_POSTGRES``) and a Redis of this test
(``DEMO_DATABASE_URL`` / ``DEMO_REDIS_URL``). A bounded burst of sessions,
four at a time: each logs in, uses its token several times (so that
several workers see it accepted), logs out, then keeps using it. No
``500`` anywhere, and every request made after a logout returned is a
``401``, whichever worker answers it. Then the same with Redis frozen
(``SIGSTOP``) during the logouts: no ``500``, every logout answers ``204``
in bounded time, and every token is refused once
``BLOCKLIST_MAX_STALENESS`` has passed since its logout returned.
"""

import json
import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

import pytest

from demo.api.management.commands.ensure_demo_user import PASSWORD, USERNAME
from tests.faults.conftest import running_redis
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

#: Sessions logged out while Redis is frozen.
_FROZEN_SESSIONS: Final = 8

#: The demo's ``BLOCKLIST_MAX_STALENESS`` (the default), plus slack.
_STALENESS: Final = 5.0 + 0.5

#: Longest a call may take, even with Redis frozen (seconds).
_CALL_BOUND: Final = 3.0


@pytest.fixture(scope='module')
def demo_redis(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RedisServer]:
    """The Redis of the demo, for the whole module."""
    with running_redis(tmp_path_factory.mktemp('demo-redis')) as server:
        yield server


@pytest.fixture(scope='module')
def demo(
    tmp_path_factory: pytest.TempPathFactory,
    demo_redis: RedisServer,
) -> Iterator[DemoServer]:
    """The demo under gunicorn on PostgreSQL and the module's Redis."""
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
            tmp_path_factory.mktemp('gunicorn'),
            database_url=database_url,
            redis_url=demo_redis.url,
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


def _login_and_use(port: int) -> tuple[str, str]:
    """Log in and use the access token (cached "not revoked")."""
    status, body = call(
        port,
        'POST',
        '/api/auth/',
        body={'username': USERNAME, 'password': PASSWORD},
    )
    assert status == 200, body
    pair = json.loads(body)
    for index in range(_USES_BEFORE):
        assert (
            call(port, 'GET', _ME[index % 2], token=pair['access_token'])[0]
            == 200
        )
    return pair['access_token'], pair['refresh_token']


def _timed(port: int, method: str, path: str, **kwargs: Any) -> int:
    started = time.monotonic()
    status, body = call(port, method, path, **kwargs)
    elapsed = time.monotonic() - started
    assert status < 500 or status == 503, body[:500]
    assert elapsed < _CALL_BOUND, (method, path, elapsed)
    return status


def test_a_frozen_redis_delays_no_logout_and_revives_no_token(
    demo: DemoServer,
    demo_redis: RedisServer,
) -> None:
    port = demo.port
    with ThreadPoolExecutor(max_workers=_PARALLEL) as pool:
        pairs = list(pool.map(_login_and_use, [port] * _FROZEN_SESSIONS))

        demo_redis.freeze()
        try:
            logouts = list(
                pool.map(
                    lambda pair: _timed(
                        port,
                        'POST',
                        '/api/auth/logout/',
                        token=pair[0],
                        body={'refresh_token': pair[1]},
                    ),
                    pairs,
                ),
            )
            logged_out = time.monotonic()
            during = [
                _timed(port, 'GET', _ME[index % 2], token=access)
                for index, (access, _) in enumerate(pairs)
            ]
        finally:
            demo_redis.thaw()

    assert logouts == [204] * _FROZEN_SESSIONS
    assert set(during) <= {200, 401, 503}
    # Polling, not a timing assertion: wait out the staleness bound.
    while time.monotonic() < logged_out + _STALENESS:
        time.sleep(0.1)
    for access, refresh in pairs:
        after = [
            _timed(port, 'GET', _ME[index % 2], token=access)
            for index in range(_USES_AFTER)
        ]
        assert after == [401] * _USES_AFTER
        refreshed = _timed(
            port,
            'POST',
            '/api/auth/refresh/',
            body={'refresh_token': refresh},
        )
        assert refreshed == 401
