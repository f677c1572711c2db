"""Optional HTTP mode: real servers on 127.0.0.1, a bounded load generator.

For each profile: gunicorn (sync worker, 1 worker) serves the sync
endpoint, uvicorn (1 worker) the async one. One client thread sends
requests with ``http.client`` (keep-alive where the server allows it),
in short alternating windows on the profile's endpoint and on the floor
endpoint of the same server, each window capped in time and in count.
Only 127.0.0.1 is ever contacted; every server is stopped at the end.

With two CPUs or more, the client and the server are pinned to two
different CPUs (see :mod:`benchmarks.cpu`).
"""

import contextlib
import dataclasses
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

from benchmarks import cpu
from benchmarks.apps.spec import floor_path, me_path
from benchmarks.profiles import USERNAME, Mode, Profile

_HOST: Final = '127.0.0.1'


@dataclasses.dataclass(frozen=True, slots=True)
class HttpPlan:
    """Time and count bounds of HTTP mode."""

    warmup_seconds: float = 0.5
    rounds: int = 3
    window_seconds: float = 0.6
    window_max_requests: int = 5000
    startup_timeout: float = 20.0


QUICK_HTTP: Final = HttpPlan(
    warmup_seconds=0.1,
    rounds=1,
    window_seconds=0.2,
    window_max_requests=500,
)


def _cpus() -> tuple[int, int] | None:
    """``(client CPU, server CPU)``, or ``None`` when pinning is impossible."""
    cpus = cpu.available()
    if len(cpus) < 2:
        return None
    return cpus[0], cpus[1]


#: Read once, at import: the client pins itself later.
_CPU_PAIR: Final = _cpus()


@contextlib.contextmanager
def pinned_client() -> Iterator[None]:
    """Pin this process (the load generator) to its CPU, then restore."""
    if _CPU_PAIR is None:
        yield
        return
    before = os.sched_getaffinity(0)
    cpu.pin_to(_CPU_PAIR[0])
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def _pinned(command: list[str], server_cpu: int | None) -> list[str]:
    # Set the affinity before `exec`, so every process of the server
    # (gunicorn's worker too) inherits it.
    if server_cpu is None:
        return command
    launcher = (
        'import os, sys; '
        f'os.sched_setaffinity(0, {{{server_cpu}}}); '
        'os.execv(sys.argv[1], sys.argv[1:])'
    )
    return [sys.executable, '-c', launcher, *command]


def _command(server: str, port: int) -> list[str]:
    server_cpu = _CPU_PAIR[1] if _CPU_PAIR else None
    return _pinned(_server_command(server, port), server_cpu)


def _server_command(server: str, port: int) -> list[str]:
    if server == 'gunicorn':
        return [
            sys.executable,
            '-m',
            'gunicorn',
            '--workers',
            '1',
            '--bind',
            f'{_HOST}:{port}',
            '--log-level',
            'warning',
            'benchmarks.wsgi:application',
        ]
    return [
        sys.executable,
        '-m',
        'uvicorn',
        'benchmarks.asgi:application',
        '--host',
        _HOST,
        '--port',
        str(port),
        '--workers',
        '1',
        '--log-level',
        'warning',
        '--no-access-log',
        '--lifespan',
        'off',
    ]


_SERVERS: Final[tuple[tuple[str, Mode], ...]] = (
    ('gunicorn', 'sync'),
    ('uvicorn', 'async'),
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((_HOST, 0))
        port: int = sock.getsockname()[1]
        return port


class _Load:
    """One client: sends one request again and again, checks each answer."""

    def __init__(self, port: int, path: str, token: str) -> None:
        self._connection = http.client.HTTPConnection(_HOST, port, timeout=10)
        self._path = path
        self._headers = {'Authorization': f'Bearer {token}'}
        self._expected: bytes | None = None

    def send(self) -> bool:
        self._connection.request('GET', self._path, headers=self._headers)
        response = self._connection.getresponse()
        body = response.read()
        if self._expected is None and response.status == 200:
            if json.loads(body) != {'username': USERNAME}:
                return False
            self._expected = body
        return response.status == 200 and body == self._expected

    def window(self, seconds: float, max_requests: int) -> tuple[int, float]:
        """Send for *seconds* or *max_requests*: ``(requests, seconds)``."""
        done = 0
        start = time.perf_counter()
        deadline = start + seconds
        while done < max_requests and time.perf_counter() < deadline:
            if not self.send():
                raise RuntimeError(f'{self._path}: not 200 or wrong body')
            done += 1
        return done, time.perf_counter() - start

    def close(self) -> None:
        self._connection.close()


def _wait_ready(
    process: subprocess.Popen[bytes],
    port: int,
    path: str,
    timeout: float,
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f'the server exited ({process.returncode})')
        with contextlib.suppress(OSError, http.client.HTTPException):
            connection = http.client.HTTPConnection(_HOST, port, timeout=2)
            try:
                connection.request('GET', path)
                if connection.getresponse().status == 200:
                    return
            finally:
                connection.close()
        time.sleep(0.1)
    raise RuntimeError(f'the server did not answer within {timeout:g} s')


@contextlib.contextmanager
def _server(
    server: str,
    port: int,
    env: dict[str, str],
    root: Path,
    log: Path,
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open('wb') as log_file:
        process = subprocess.Popen(
            _command(server, port),
            cwd=root,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _measure(port: int, mode: Mode, token: str, plan: HttpPlan) -> Any:
    target = _Load(port, me_path(mode), token)
    floor = _Load(port, floor_path(mode), token)
    try:
        for load in (target, floor):
            load.window(plan.warmup_seconds, plan.window_max_requests)
        totals = {'target': [0, 0.0], 'floor': [0, 0.0]}
        for round_number in range(plan.rounds):
            order = [('target', target), ('floor', floor)]
            if round_number % 2:
                order.reverse()
            for key, load in order:
                done, seconds = load.window(
                    plan.window_seconds,
                    plan.window_max_requests,
                )
                totals[key][0] += done
                totals[key][1] += seconds
    finally:
        target.close()
        floor.close()
    rps = totals['target'][0] / totals['target'][1]
    floor_rps = totals['floor'][0] / totals['floor'][1]
    return {
        'rps': rps,
        'local_ratio': rps / floor_rps,
        'requests': int(totals['target'][0]),
    }


def _prepare(profile: Profile, database: Path, root: Path) -> str:
    completed = subprocess.run(
        [
            sys.executable,
            '-m',
            'benchmarks.worker',
            '--profile',
            profile.name,
            '--prepare',
            str(database),
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if completed.returncode:
        raise RuntimeError(completed.stderr.strip().splitlines()[-1])
    token: str = json.loads(completed.stdout.strip().splitlines()[-1])['access']
    return token


def run_profile(
    profile: Profile,
    plan: HttpPlan,
    root: Path,
) -> list[dict[str, Any]]:
    """Both servers for *profile* (those of its modes)."""
    rows = []
    with tempfile.TemporaryDirectory(prefix='dmr-jwt-bench-http-') as tmp:
        database = Path(tmp) / 'db.sqlite3'
        token = _prepare(profile, database, root)
        env = {
            **os.environ,
            'DJANGO_SETTINGS_MODULE': profile.settings_module,
            'BENCH_DB': str(database),
            'PYTHONPATH': str(root),
        }
        for server, mode in _SERVERS:
            if mode not in profile.modes:
                continue
            row: dict[str, Any] = {'profile': profile.name, 'server': server}
            port = _free_port()
            log = Path(tmp) / f'{server}.log'
            try:
                with _server(server, port, env, root, log) as process:
                    _wait_ready(
                        process,
                        port,
                        floor_path(mode),
                        plan.startup_timeout,
                    )
                    row.update(_measure(port, mode, token, plan))
            except (OSError, RuntimeError, http.client.HTTPException) as exc:
                tail = log.read_text(errors='replace').strip()[-300:]
                row['error'] = f'{exc} {tail}'.strip()
            rows.append(row)
    return rows
