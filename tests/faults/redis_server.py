"""A dedicated ``redis-server`` that a test can break on purpose.

:class:`RedisServer` runs one server per test, on its own free port of
``127.0.0.1`` and in its own data directory, in the foreground as a child
of the test process, so that the test can stop it, freeze it (``SIGSTOP``),
restart it from its saved RDB snapshot ("restarted with old data") or fill
it to ``maxmemory``. Every wait is bounded; :meth:`RedisServer.close`
(the fixture's teardown) thaws and kills it whatever the test did.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Final, Literal, TypeAlias

import redis

__all__ = (
    'REDIS_SERVER',
    'EvictionPolicy',
    'RedisServer',
    'free_port',
)

#: The server binary, or ``None`` when it is not installed.
REDIS_SERVER: Final = shutil.which('redis-server')

#: What :meth:`RedisServer.fill_to_maxmemory` does once memory is full.
EvictionPolicy: TypeAlias = Literal['noeviction', 'allkeys-lru']

#: Longest wait for a server to answer ``PING`` or to exit.
_WAIT_SECONDS: Final = 10.0

#: Socket timeouts of the harness's own admin client.
_ADMIN_TIMEOUT: Final = 2.0

#: Size of one filler value, and the most values one fill may write.
_FILLER_BYTES: Final = 64 * 1024
_MAX_FILLERS: Final = 200

#: How far above the memory in use ``maxmemory`` is set before filling.
_HEADROOM_BYTES: Final = 1024 * 1024


def free_port() -> int:
    """A TCP port of ``127.0.0.1`` that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        port: int = sock.getsockname()[1]
        return port


class RedisServer:
    """One ``redis-server`` child process, and the faults it can suffer."""

    def __init__(self, data_dir: Path, *, port: int | None = None) -> None:
        if REDIS_SERVER is None:  # pragma: no cover
            raise RuntimeError('redis-server is not installed')
        self.data_dir = data_dir
        self.port = free_port() if port is None else port
        self._process: subprocess.Popen[bytes] | None = None
        self._frozen = False
        data_dir.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:PORT/0``."""
        return f'redis://127.0.0.1:{self.port}/0'

    @property
    def log_path(self) -> Path:
        """The server's log file."""
        return self.data_dir / 'redis.log'

    # Life cycle:

    def start(self) -> None:
        """Start the server (loading ``dump.rdb`` if there is one)."""
        assert self._process is None, 'already running'
        assert REDIS_SERVER is not None
        self._process = subprocess.Popen(  # noqa: S603
            [
                REDIS_SERVER,
                '--port',
                str(self.port),
                '--bind',
                '127.0.0.1',
                '--save',
                '',
                '--appendonly',
                'no',
                '--dir',
                str(self.data_dir),
                '--dbfilename',
                'dump.rdb',
                '--logfile',
                str(self.log_path),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._wait_until_ready()

    def stop(self) -> None:
        """Shut the server down (``SIGTERM``, then ``SIGKILL``), no save."""
        self._end(signal.SIGTERM)

    def kill(self) -> None:
        """Kill the server with ``SIGKILL``: a crash, no save."""
        self._end(signal.SIGKILL)

    def freeze(self) -> None:
        """
        Stop the process (``SIGSTOP``): it keeps its port and its data.

        Connections still open (the kernel accepts them) but nothing is
        answered: every call waits for its socket timeout.
        """
        self._signal(signal.SIGSTOP)
        self._frozen = True

    def thaw(self) -> None:
        """Let a frozen server run again (``SIGCONT``)."""
        if self._frozen:
            self._signal(signal.SIGCONT)
            self._frozen = False

    def save(self) -> None:
        """Write the RDB snapshot now (``SAVE``)."""
        with self.admin() as client:
            client.save()

    def restart_from_saved(self) -> None:
        """Crash (``SIGKILL``) and start again on the same port and data."""
        self.kill()
        self.start()

    def close(self) -> None:
        """Thaw and kill the server if it runs: the fixture's teardown."""
        with contextlib.suppress(ProcessLookupError):
            self.thaw()
        self.kill()

    # Memory:

    def fill_to_maxmemory(self, policy: EvictionPolicy = 'noeviction') -> None:
        """
        Fill the server up to a small ``maxmemory``.

        ``noeviction``: filled until writes fail with ``OOM``; reads and
        deletes still work. ``allkeys-lru``: filled past the limit, so
        every write evicts keys (the cached answers among them).
        """
        with self.admin() as client:
            used = int(client.info('memory')['used_memory'])
            client.config_set('maxmemory', str(used + _HEADROOM_BYTES))
            client.config_set('maxmemory-policy', policy)
            filler = b'x' * _FILLER_BYTES
            for index in range(_MAX_FILLERS):
                try:
                    client.set(f'filler:{index}', filler)
                except redis.ResponseError:  # OOM: full
                    return
                if policy != 'noeviction' and self._evicted(client):
                    return
            raise AssertionError(f'{policy}: redis never filled up')

    def reset_maxmemory(self) -> None:
        """Lift the memory limit and drop the fillers: the fault is over."""
        with self.admin() as client:
            client.config_set('maxmemory', '0')
            client.config_set('maxmemory-policy', 'noeviction')
            fillers = list(client.scan_iter('filler:*', count=1000))
            if fillers:
                client.delete(*fillers)

    def evicted_keys(self) -> int:
        """How many keys the server has evicted since it started."""
        with self.admin() as client:
            return self._evicted(client)

    @contextlib.contextmanager
    def admin(self) -> Iterator[redis.Redis]:
        """A short-lived client of the harness (not the app's)."""
        client = redis.Redis(
            host='127.0.0.1',
            port=self.port,
            socket_timeout=_ADMIN_TIMEOUT,
            socket_connect_timeout=_ADMIN_TIMEOUT,
        )
        try:
            yield client
        finally:
            client.close()

    # Helpers:

    @staticmethod
    def _evicted(client: redis.Redis) -> int:
        return int(client.info('stats')['evicted_keys'])

    def _signal(self, signum: signal.Signals) -> None:
        assert self._process is not None, 'not running'
        os.kill(self._process.pid, signum)

    def _end(self, signum: signal.Signals) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if self._frozen:
            # A stopped process does not act on SIGTERM until it runs.
            os.kill(process.pid, signal.SIGCONT)
            self._frozen = False
        process.send_signal(signum)
        try:
            process.wait(timeout=_WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=_WAIT_SECONDS)

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + _WAIT_SECONDS
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                self._process = None
                raise RuntimeError(f'redis-server exited:\n{self._log()}')
            with contextlib.suppress(redis.RedisError), self.admin() as client:
                # LOADING (an RDB being read) raises BusyLoadingError.
                if client.ping():
                    return
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f'redis-server did not answer:\n{self._log()}')

    def _log(self) -> str:
        try:
            return self.log_path.read_text(errors='replace')[-2000:]
        except FileNotFoundError:
            return '(no log)'
