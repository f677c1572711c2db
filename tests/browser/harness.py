"""
The browser harness: headless Chromium, the demo over HTTP, another origin.

* :func:`chromium_paths` finds Debian's ``chromium`` and ``chromium-driver``
  (``/usr/bin/chromium``, ``/usr/bin/chromedriver``);
  :func:`launch_chromium` starts it headless, with a fresh profile and
  without any of the background connections that hang on a closed
  network, and with the DevTools network log on (:func:`exchanges_with`).
* :class:`DemoServer` serves the demo project (``examples/demo``) with
  ``manage.py runserver``, as ``make demo`` does, on a free port of
  ``127.0.0.1`` and a SQLite file of its own.
* :class:`OtherOrigin` serves one page from another port of
  ``127.0.0.1``: another origin of the same site, so that the browser does
  send the ``SameSite=Lax`` cookies with a form it posts to the demo.
"""

import contextlib
import dataclasses
import http.client
import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver
from typing_extensions import override

import dmr_jwt
from tests.faults.redis_server import free_port

__all__ = (
    'CHROMIUM_FLAGS',
    'DemoServer',
    'Exchange',
    'OtherOrigin',
    'auto_submitting_form',
    'chromium_paths',
    'exchanges_with',
    'launch_chromium',
)

#: The root of the repository (``examples/demo`` is in it).
_ROOT: Final = Path(__file__).resolve().parents[2]
_DEMO_DIR: Final = _ROOT / 'examples' / 'demo'

#: Where the ``dmr_jwt`` under test lives: the demo server runs that code.
_SRC: Final = Path(dmr_jwt.__file__).resolve().parents[1]

#: Headless, and nothing that phones home: on a closed network Chromium
#: otherwise waits on connections that never open.
CHROMIUM_FLAGS: Final = (
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
)

#: Longest wait for a command, for the server to answer, or to exit.
_COMMAND_SECONDS: Final = 120.0
_START_SECONDS: Final = 30.0
_STOP_SECONDS: Final = 10.0


def chromium_paths() -> tuple[str, str] | None:
    """``(chromium, chromedriver)`` if both are installed, else ``None``."""
    browser = shutil.which('chromium')
    driver = shutil.which('chromedriver')
    if browser is None or driver is None:
        return None
    return browser, driver


def launch_chromium(
    browser: str,
    driver: str,
    profile_dir: Path,
) -> WebDriver:
    """Headless Chromium with a fresh profile in *profile_dir*."""
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f'--user-data-dir={profile_dir}')
    # The DevTools network events: the status of every response.
    options.set_capability('goog:loggingPrefs', {'performance': 'ALL'})
    chrome = webdriver.Chrome(service=Service(driver), options=options)
    chrome.set_page_load_timeout(_START_SECONDS)
    chrome.set_script_timeout(_START_SECONDS)
    return chrome


@dataclasses.dataclass(frozen=True, slots=True)
class Exchange:
    """One request the browser made, as its DevTools network log saw it."""

    #: ``0``: no response (yet).
    status: int
    #: The ``Cookie`` header the browser sent (``''``: none).
    cookie_header: str


def exchanges_with(chrome: WebDriver, url: str) -> list[Exchange]:
    """
    The requests to *url* since the last call, with their responses.

    Read from the DevTools network log, which every call empties.
    """
    urls: dict[str, str] = {}
    cookies: dict[str, str] = {}
    statuses: dict[str, int] = {}
    for entry in chrome.get_log('performance'):  # type: ignore[no-untyped-call]
        event: dict[str, Any] = json.loads(entry['message'])['message']
        params = event['params']
        if event['method'] == 'Network.requestWillBeSent':
            urls[params['requestId']] = params['request']['url']
        elif event['method'] == 'Network.requestWillBeSentExtraInfo':
            headers = {
                name.lower(): value for name, value in params['headers'].items()
            }
            cookies[params['requestId']] = headers.get('cookie', '')
        elif event['method'] == 'Network.responseReceived':
            statuses[params['requestId']] = int(params['response']['status'])
    return [
        Exchange(
            status=statuses.get(request_id, 0),
            cookie_header=cookies.get(request_id, ''),
        )
        for request_id, request_url in urls.items()
        if request_url == url
    ]


class DemoServer:
    """The demo under ``manage.py runserver``, in a process group of its own."""

    def __init__(self, work_dir: Path) -> None:
        self.port = free_port()
        self.origin = f'http://127.0.0.1:{self.port}'
        self.log = work_dir / 'runserver.log'
        self._env = {
            **os.environ,
            'DJANGO_SETTINGS_MODULE': 'demo.settings',
            'DEMO_SQLITE_PATH': str(work_dir / 'demo.sqlite3'),
            # The code under test, not whatever the venv has installed.
            'PYTHONPATH': os.pathsep.join([str(_SRC), str(_DEMO_DIR)]),
        }
        # Never the servers of the fault tests: SQLite, local memory.
        self._env.pop('DEMO_DATABASE_URL', None)
        self._env.pop('DEMO_REDIS_URL', None)
        self._process: subprocess.Popen[bytes] | None = None

    def prepare(self) -> None:
        """Migrate the database and create the demo user, as ``make demo``."""
        for command in (['migrate', '--noinput'], ['ensure_demo_user']):
            done = subprocess.run(  # noqa: S603
                [sys.executable, 'manage.py', *command],
                cwd=_DEMO_DIR,
                env=self._env,
                check=False,
                capture_output=True,
                timeout=_COMMAND_SECONDS,
            )
            if done.returncode:
                output = (done.stdout + done.stderr).decode(errors='replace')
                raise RuntimeError(f'manage.py {command[0]}:\n{output}')

    def start(self) -> None:
        """Start ``runserver`` and wait until it answers."""
        with self.log.open('wb') as log:
            self._process = subprocess.Popen(  # noqa: S603
                [
                    sys.executable,
                    'manage.py',
                    'runserver',
                    '--noreload',
                    f'127.0.0.1:{self.port}',
                ],
                cwd=_DEMO_DIR,
                env=self._env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + _START_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f'runserver exited:\n{self.output()}')
            with contextlib.suppress(OSError):
                if self.get('/api/cookie/me/')[0] == 401:
                    return
            time.sleep(0.1)
        raise RuntimeError(f'runserver did not answer:\n{self.output()}')

    def close(self) -> None:
        """Stop the server (``SIGTERM``, then ``SIGKILL``)."""
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

    def url(self, path: str) -> str:
        """The absolute URL of *path* on the demo."""
        return f'{self.origin}{path}'

    def get(
        self,
        path: str,
        *,
        cookies: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        """One ``GET`` of *path*, outside the browser: ``(status, body)``."""
        headers = {'Connection': 'close'}
        if cookies:
            headers['Cookie'] = '; '.join(
                f'{name}={value}' for name, value in cookies.items()
            )
        connection = http.client.HTTPConnection(
            '127.0.0.1',
            self.port,
            timeout=_STOP_SECONDS,
        )
        try:
            connection.request('GET', path, headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def output(self) -> str:
        """The end of the server's output (its request log and errors)."""
        try:
            return self.log.read_text(errors='replace')[-3000:]
        except FileNotFoundError:
            return '(no log)'


class _OnePage(http.server.BaseHTTPRequestHandler):
    """Answers every ``GET`` with the page of its server."""

    server: '_PageServer'

    def do_GET(self) -> None:
        body = self.server.page.encode()
        self.send_response(200)
        self.send_header('Content-Type', 'text/html; charset=utf-8')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    @override
    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: pytest shows no server log."""


class _PageServer(http.server.ThreadingHTTPServer):
    page: str = ''


class OtherOrigin:
    """
    A page on another port of ``127.0.0.1``: another origin, the same site.

    Ports do not make sites: the browser sends the demo's ``SameSite=Lax``
    cookies along with a form this page posts to it. Only the CSRF check
    stands between the page and the user's session.
    """

    def __init__(self) -> None:
        self._server = _PageServer(('127.0.0.1', 0), _OnePage)
        self.origin = f'http://127.0.0.1:{self._server.server_address[1]}'
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            daemon=True,
        )

    def serve(self, page: str) -> str:
        """Serve *page* from now on; the URL to open it."""
        self._server.page = page
        return f'{self.origin}/'

    @contextlib.contextmanager
    def running(self) -> Iterator['OtherOrigin']:
        """Serve in a thread for the duration of the block."""
        self._thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=_STOP_SECONDS)


def auto_submitting_form(action: str) -> str:
    """A page that posts an empty form to *action* as soon as it loads."""
    return (
        '<!doctype html><html><body>'
        f'<form id="forged" method="post" action="{action}">'
        '<input type="hidden" name="anything" value="1"></form>'
        '<script>document.getElementById("forged").submit();</script>'
        '</body></html>'
    )
