"""A rotation seen by another, running process: no restart, within seconds.

The child process loads the ring through ``FileKeySource`` (as every
worker does with ``DMR_JWT['KEYS']``) and reports its signing key as soon
as it changes; this process runs ``manage.py jwt_keys``.
"""

import io
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Final

import pytest
from django.core.management import call_command

import dmr_jwt

#: How often the child checks the file: ``KEYS_RELOAD_INTERVAL``.
_RELOAD_INTERVAL: Final = 0.2

#: Generous: the child must see the change within its interval, plus the
#: scheduling of a loaded CI machine.
_BOUND: Final = 15.0

_CHILD: Final = """
import sys, time
from dmr_jwt.keys import FileKeySource

source = FileKeySource(sys.argv[1], reload_interval=float(sys.argv[2]))
seen = None
while True:
    ring = source.key_ring()
    kid = ring.signing_key().kid
    if kid != seen:
        seen = kid
        print(kid, ','.join(sorted(key.kid for key in ring.keys)), flush=True)
    time.sleep(0.01)
"""


def _lines(stream: io.TextIOBase, into: 'queue.Queue[str]') -> None:
    for line in stream:
        into.put(line.strip())


def _next_line(lines: 'queue.Queue[str]') -> str:
    try:
        return lines.get(timeout=_BOUND)
    except queue.Empty:
        pytest.fail(f'the running process saw nothing within {_BOUND}s')


def test_a_running_process_follows_the_rotation(tmp_path: Path) -> None:
    def keys(*args: str) -> None:
        call_command(
            'jwt_keys',
            *args[:1],
            '--dir',
            str(tmp_path),
            *args[1:],
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )

    keys('generate', '--kid', 'old')
    env = {
        **os.environ,
        'PYTHONPATH': str(Path(dmr_jwt.__file__).parent.parent),
    }
    env.pop('DJANGO_SETTINGS_MODULE', None)
    child = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            '-W',
            'error',
            '-c',
            _CHILD,
            str(tmp_path / 'ring.json'),
            str(_RELOAD_INTERVAL),
        ],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert child.stdout is not None
    reader = threading.Thread(
        target=_lines,
        args=(child.stdout, lines),
        daemon=True,
    )
    reader.start()
    try:
        assert _next_line(lines) == 'old old'
        keys('rotate', '--stage', '--kid', 'new')
        keys('rotate')
        started = time.monotonic()

        assert _next_line(lines) == 'new new,old'
        assert time.monotonic() - started < _BOUND

        keys('retire', 'old', '--force')
        keys('rotate', '--kid', 'newer')
        assert _next_line(lines) == 'newer new,newer'
    finally:
        child.kill()
        child.wait(timeout=30)
        reader.join(timeout=30)
        child.stdout.close()
