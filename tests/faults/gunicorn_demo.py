"""The demo under gunicorn, on PostgreSQL and Redis: the multi-process harness.

:func:`fresh_database` creates a database of its own on the configured
PostgreSQL (dropped afterwards); :class:`DemoServer` migrates it, creates
the demo user and serves the demo (``examples/demo``) with gunicorn on a
free port of ``127.0.0.1``, configured by ``DEMO_DATABASE_URL`` and
``DEMO_REDIS_URL``; :func:`call` is one HTTP request to it.
"""

import contextlib
import http.client
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

import dmr_jwt
from tests.faults.redis_server import free_port

__all__ = ('WORKERS', 'DemoServer', 'call', 'fresh_database')

#: The root of the repository (``examples/demo`` is in it).
_ROOT: Final = Path(__file__).resolve().parents[2]

#: Where the ``dmr_jwt`` under test lives: gunicorn runs that very code.
_SRC: Final = Path(dmr_jwt.__file__).resolve().parents[1]

#: gunicorn worker processes.
WORKERS: Final = 4

#: Longest wait for a command, for gunicorn to answer, or to exit.
_COMMAND_SECONDS: Final = 120.0
_START_SECONDS: Final = 30.0
_STOP_SECONDS: Final = 10.0

#: Timeout of one HTTP call to the demo (seconds).
_CALL_TIMEOUT: Final = 10.0


@contextlib.contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """
    A new, empty database on the server of *admin_url*; dropped at the end.

    Yields its ``postgres://user:password@host:port/name`` URL.
    """
    name = f'dmr_jwt_demo_{uuid.uuid4().hex[:12]}'
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(
            sql.SQL('CREATE DATABASE {}').format(sql.Identifier(name))
        )
    parts = urlsplit(admin_url)
    try:
        yield urlunsplit(('postgres', parts.netloc, f'/{name}', '', ''))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(
                sql.SQL('DROP DATABASE IF EXISTS {} WITH (FORCE)').format(
                    sql.Identifier(name),
                ),
            )


class DemoServer:
    """The demo project under gunicorn, in a process group of its own."""

    def __init__(self, log_dir: Path, *, database_url: str, redis_url: str):
        self.port = free_port()
        self.log_dir = log_dir
        self.access_log = log_dir / 'access.log'
        self.error_log = log_dir / 'error.log'
        self._env = {
            **os.environ,
            'DJANGO_SETTINGS_MODULE': 'demo.settings',
            'DEMO_DATABASE_URL': database_url,
            'DEMO_REDIS_URL': redis_url,
            # The code under test, not whatever the venv has installed.
            'PYTHONPATH': os.pathsep.join(
                [str(_SRC), str(_ROOT / 'examples' / 'demo')],
            ),
        }
        self._process: subprocess.Popen[bytes] | None = None
        log_dir.mkdir(parents=True, exist_ok=True)

    def prepare(self) -> None:
        """Migrate the database and create the demo user."""
        for command in (['migrate', '--noinput'], ['ensure_demo_user']):
            subprocess.run(  # noqa: S603
                [sys.executable, 'manage.py', *command],
                cwd=_ROOT / 'examples' / 'demo',
                env=self._env,
                check=True,
                capture_output=True,
                timeout=_COMMAND_SECONDS,
            )

    def start(self) -> None:
        """Start gunicorn and wait until a worker answers."""
        self._process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                '-m',
                'gunicorn',
                '--workers',
                str(WORKERS),
                '--bind',
                f'127.0.0.1:{self.port}',
                '--chdir',
                str(_ROOT / 'examples' / 'demo'),
                '--timeout',
                '30',
                '--access-logfile',
                str(self.access_log),
                # The worker's pid and the status: who served what.
                '--access-logformat',
                '%(p)s %(s)s %(r)s',
                '--error-logfile',
                str(self.error_log),
                'demo.wsgi:application',
            ],
            env=self._env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + _START_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f'gunicorn exited:\n{self.errors()}')
            with contextlib.suppress(OSError):
                if call(self.port, 'GET', '/api/me/')[0] == 401:
                    return
            time.sleep(0.1)
        raise RuntimeError(f'gunicorn did not answer:\n{self.errors()}')

    def close(self) -> None:
        """Stop gunicorn and its workers (``SIGTERM``, then ``SIGKILL``)."""
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=_STOP_SECONDS)

    def worker_pids(self) -> set[str]:
        """The pids of the workers that answered a request so far."""
        lines = self.access_log.read_text().splitlines()
        return {line.split(' ', 1)[0] for line in lines if line}

    def errors(self) -> str:
        """The end of gunicorn's error log."""
        try:
            return self.error_log.read_text(errors='replace')[-3000:]
        except FileNotFoundError:
            return '(no log)'


def call(
    port: int,
    method: str,
    path: str,
    *,
    token: str | None = None,
    body: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    """One request to the demo on *port*: ``(status, body)``."""
    headers = {'Connection': 'close'}
    if token is not None:
        headers['Authorization'] = f'Bearer {token}'
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers['Content-Type'] = 'application/json'
    connection = http.client.HTTPConnection(
        '127.0.0.1',
        port,
        timeout=_CALL_TIMEOUT,
    )
    try:
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()
