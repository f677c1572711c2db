"""
Two real processes: an issuer that publishes a JWK Set, a resource server.

The issuer is ``python -m http.server`` serving ``.well-known/jwks.json``
from a directory that the test writes (the test holds the issuer's
private keys and signs its tokens). The resource server is
``examples/resource_server`` under ``manage.py runserver --noreload``: it
holds no key, only ``DMR_JWT['JWKS_URL']``.
"""

import contextlib
import datetime as dt
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final, final

import pytest

from dmr_jwt import JWToken
from dmr_jwt.errors import Reason
from dmr_jwt.keys import Key
from tests.conftest import unauthorized
from tests.faults.redis_server import free_port
from tests.jwks_server import JWKSServer, private_pem

_ROOT: Final = Path(__file__).resolve().parents[2]
_SRC: Final = _ROOT / 'src'
_RESOURCE_SERVER: Final = _ROOT / 'examples' / 'resource_server'

#: Seconds that a process may take to answer its first request.
_START_SECONDS: Final = 60.0
#: Seconds that one HTTP call of the test may take.
_CALL_SECONDS: Final = 10.0

#: The settings of the resource server, with a short refetch interval:
#: the tests may ask for new kids one after the other.
_TEST_SETTINGS: Final = """\
from resource_server.settings import *  # noqa: F403

DMR_JWT = {**DMR_JWT, 'JWKS_MIN_REFETCH_INTERVAL': 0.5, 'JWKS_TIMEOUT': 2.0}
"""


@final
class IssuerKey:
    """A key of the issuer: its PEM (to sign) and its public JWK."""

    def __init__(self, kid: str) -> None:
        """Generate an EdDSA key named *kid*."""
        self.kid = kid
        self.pem = private_pem('EdDSA')
        self.key = Key.from_material(kid, 'EdDSA', private_key=self.pem)

    def token(self, **headers: Any) -> str:
        """An access token of ``alice`` (subject ``42``), signed by it."""
        return JWToken(
            sub='42',
            exp=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5),
            extras={'type': 'access', 'username': 'alice'},
        ).encode(self.pem, 'EdDSA', headers={'kid': self.kid, **headers})


@final
class Process:
    """A child process that serves HTTP on a port of 127.0.0.1."""

    def __init__(
        self,
        command: list[str],
        *,
        port: int,
        cwd: Path,
        env: dict[str, str],
        log: Path,
    ) -> None:
        """Start *command* and wait until something answers on *port*."""
        self.port = port
        self.log = log
        with log.open('wb') as output:
            self._process = subprocess.Popen(  # noqa: S603
                command,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + _START_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f'{command} exited:\n{self.output()}')
            with contextlib.suppress(OSError):
                call(port, '/')
                return
            time.sleep(0.1)
        self.close()
        raise RuntimeError(f'{command} did not answer:\n{self.output()}')

    def output(self) -> str:
        """What the process printed so far (its end)."""
        return self.log.read_text(errors='replace')[-3000:]

    def close(self) -> None:
        """Terminate it (then kill it)."""
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)


@final
class Issuer:
    """``python -m http.server`` publishing the JWK Set of some keys."""

    def __init__(self, directory: Path, log: Path) -> None:
        """Serve *directory*, with an empty key set at first."""
        self._jwks = directory / '.well-known' / 'jwks.json'
        self._jwks.parent.mkdir(parents=True, exist_ok=True)
        self.publish([])
        port = free_port()
        self.url = f'http://127.0.0.1:{port}/.well-known/jwks.json'
        self.process = Process(
            [
                sys.executable,
                '-m',
                'http.server',
                str(port),
                '--bind',
                '127.0.0.1',
                '--directory',
                str(directory),
            ],
            port=port,
            cwd=directory,
            env=dict(os.environ),
            log=log,
        )

    def publish(self, keys: Iterable[IssuerKey]) -> None:
        """Publish the public keys of *keys* (replaced atomically)."""
        document = {'keys': [key.key.public_jwk() for key in keys]}
        draft = self._jwks.with_suffix('.tmp')
        draft.write_text(json.dumps(document), encoding='utf-8')
        draft.replace(self._jwks)


def resource_server(tmp_path: Path, jwks_url: str) -> Process:
    """``examples/resource_server`` verifying with the keys at *jwks_url*."""
    settings_dir = tmp_path / 'settings'
    settings_dir.mkdir(exist_ok=True)
    (settings_dir / 'resource_test_settings.py').write_text(_TEST_SETTINGS)
    port = free_port()
    return Process(
        [
            sys.executable,
            'manage.py',
            'runserver',
            f'127.0.0.1:{port}',
            '--noreload',
        ],
        port=port,
        cwd=_RESOURCE_SERVER,
        env={
            **os.environ,
            'DJANGO_SETTINGS_MODULE': 'resource_test_settings',
            'JWKS_URL': jwks_url,
            # The code under test, not whatever the venv has installed.
            'PYTHONPATH': os.pathsep.join(
                [str(_SRC), str(_RESOURCE_SERVER), str(settings_dir)],
            ),
        },
        log=tmp_path / f'resource-{port}.log',
    )


def call(
    port: int,
    path: str,
    token: str | None = None,
) -> tuple[int, dict[str, str], Any]:
    """``GET`` *path*: the status, the headers and the JSON body (or None)."""
    request = urllib.request.Request(
        f'http://127.0.0.1:{port}{path}',
        headers={} if token is None else {'Authorization': f'Bearer {token}'},
    )
    try:
        with urllib.request.urlopen(request, timeout=_CALL_SECONDS) as answer:  # noqa: S310
            status, headers, body = answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        with error:
            status, headers, body = error.code, error.headers, error.read()
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    return status, dict(headers), document


@pytest.fixture(scope='module')
def first_key() -> IssuerKey:
    """The issuer's key when the resource server starts: ``k1``."""
    return IssuerKey('k1')


@pytest.fixture(scope='module')
def issuer(
    tmp_path_factory: pytest.TempPathFactory,
    first_key: IssuerKey,
) -> Iterator[Issuer]:
    """The issuer process, publishing ``k1``."""
    directory = tmp_path_factory.mktemp('issuer')
    issuer = Issuer(directory / 'www', directory / 'issuer.log')
    issuer.publish([first_key])
    yield issuer
    issuer.process.close()


@pytest.fixture(scope='module')
def resource(
    tmp_path_factory: pytest.TempPathFactory,
    issuer: Issuer,
) -> Iterator[Process]:
    """The resource server process, verifying with the issuer's keys."""
    process = resource_server(tmp_path_factory.mktemp('resource'), issuer.url)
    yield process
    process.close()


ME: Final = '/api/me/'
ALICE: Final = {'subject': '42', 'username': 'alice'}


def test_a_token_of_the_issuer_is_accepted(
    resource: Process,
    first_key: IssuerKey,
) -> None:
    status, _, body = call(resource.port, ME, first_key.token())

    assert (status, body) == (200, ALICE), resource.output()


def test_a_token_of_an_unknown_kid_is_refused(resource: Process) -> None:
    stranger = IssuerKey('not-published')

    status, headers, body = call(resource.port, ME, stranger.token())

    assert (status, body) == (401, unauthorized(Reason.UNKNOWN_KEY))
    assert headers['WWW-Authenticate'] == (
        'Bearer error="invalid_token", '
        f'error_description="{Reason.UNKNOWN_KEY.value}"'
    )


def test_a_token_signed_by_another_key_with_a_known_kid_is_refused(
    resource: Process,
) -> None:
    forger = IssuerKey('k1')  # the kid of the issuer's key, not its key

    status, _, body = call(resource.port, ME, forger.token())

    assert (status, body) == (401, unauthorized(Reason.INVALID_SIGNATURE))


def test_jku_and_x5u_of_a_token_are_never_followed(resource: Process) -> None:
    attacker = IssuerKey('attacker')
    attacker_server = JWKSServer()
    try:
        attacker_server.publish([attacker.key])
        token = attacker.token(jku=attacker_server.url, x5u=attacker_server.url)

        status, _, body = call(resource.port, ME, token)

        assert (status, body) == (401, unauthorized(Reason.UNKNOWN_KEY))
        assert attacker_server.hits == 0
    finally:
        attacker_server.close()


def test_rotation_needs_no_restart(
    resource: Process,
    issuer: Issuer,
    first_key: IssuerKey,
) -> None:
    old_token = first_key.token()
    assert call(resource.port, ME, old_token)[0] == 200
    # The issuer publishes the next key next to the current one, and
    # signs new tokens with it: the resource server fetches the set again
    # for the new kid (at most once per refetch interval: retried here).
    second_key = IssuerKey('k2')
    issuer.publish([first_key, second_key])
    new_token = second_key.token()

    deadline = time.monotonic() + 20
    while (answer := call(resource.port, ME, new_token))[0] != 200:
        assert answer[0] == 401, answer
        assert time.monotonic() < deadline, resource.output()
        time.sleep(0.2)

    assert answer[2] == ALICE
    assert call(resource.port, ME, old_token)[:3:2] == (200, ALICE)


def test_no_key_set_ever_fetched_is_503(
    tmp_path: Path,
    first_key: IssuerKey,
) -> None:
    nowhere = f'http://127.0.0.1:{free_port()}/.well-known/jwks.json'
    process = resource_server(tmp_path, nowhere)
    try:
        status, headers, body = call(process.port, ME, first_key.token())
    finally:
        process.close()

    assert status == 503, process.output()
    assert body == {
        'detail': [
            {
                'msg': 'Service temporarily unavailable, retry later',
                'type': 'internal_error',
            },
        ],
    }
    assert headers['Retry-After'] == '5'
