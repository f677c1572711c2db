"""RemoteJWKS against a real HTTP server on 127.0.0.1 that the test controls.

Timings are generous bounds (a loaded CI machine), never sleeps that
assert: what happened is read from the server's count of requests.
"""

import asyncio
import datetime as dt
import gc
import itertools
import logging
import multiprocessing
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any, Final, TypeAlias

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from dmr.exceptions import NotAuthenticatedError
from pytest_django import Settings

from dmr_jwt import JWTAsyncAuth, JWToken, JWTSyncAuth
from dmr_jwt._internal.key import ASYMMETRIC_ALGORITHMS
from dmr_jwt.errors import InvalidTokenError, KeysUnavailableError, Reason
from dmr_jwt.keys import Key, KeyState, RemoteJWKS, project_keys
from tests.conftest import Mode, assert_token_error
from tests.jwks_server import JWKSServer, private_pem, signing_key

MakeSource: TypeAlias = Callable[..., RemoteJWKS]

#: Longest that anything bounded by a timeout of 0.5s may take here.
BOUND: Final = 3.0

#: What a private JWK member holds here: must never reach a log line.
PRIVATE_MARKER: Final = 'PRIVATE-MATERIAL-never-logged'


@pytest.fixture
def server() -> Iterator[JWKSServer]:
    """A JWKS server on 127.0.0.1, closed after the test."""
    jwks_server = JWKSServer()
    yield jwks_server
    jwks_server.close()


@pytest.fixture
def keys() -> tuple[Key, Key]:
    """Two EdDSA keys, ``k1`` and ``k2``."""
    return signing_key('k1'), signing_key('k2')


@pytest.fixture
def make_source(server: JWKSServer) -> Iterator[MakeSource]:
    """Build sources of the server (or another URL); closed after the test."""
    sources: list[RemoteJWKS] = []

    def factory(
        url: str | None = None,
        *,
        refresh_interval: float = 300.0,
        min_refetch_interval: float = 60.0,
        timeout: float = 2.0,
    ) -> RemoteJWKS:
        source = RemoteJWKS(
            server.url if url is None else url,
            refresh_interval=refresh_interval,
            min_refetch_interval=min_refetch_interval,
            timeout=timeout,
        )
        sources.append(source)
        return source

    yield factory
    for source in sources:
        source.close()


def wait_until(predicate: Callable[[], bool], within: float = 10.0) -> None:
    """Poll *predicate* until it holds; fail after *within* seconds."""
    deadline = time.monotonic() + within
    while not predicate():
        assert time.monotonic() < deadline, 'timed out waiting'
        time.sleep(0.01)


def ready(source: RemoteJWKS, server: JWKSServer) -> None:
    """Wait for the first fetch (it started at construction)."""
    # Once the server saw it, `key_ring` shares that fetch, asks for none.
    wait_until(lambda: server.hits >= 1)
    source.key_ring()


def lookup(source: RemoteJWKS, kid: str | None, mode: Mode) -> Key:
    """``verifying_key`` as the sync auth calls it, or as the async one."""
    if mode == 'sync':
        return source.verifying_key(kid)

    async def alookup() -> Key:
        await source.aprepare(kid)
        return source.verifying_key(kid)

    return asyncio.run(alookup())


def random_kid() -> str:
    """A ``kid`` that no set has."""
    return uuid.uuid4().hex


def test_the_first_fetch_starts_at_construction(
    server: JWKSServer,
    make_source: MakeSource,
    keys: tuple[Key, Key],
) -> None:
    server.publish(keys)
    source = make_source()

    wait_until(lambda: server.hits == 1)
    ring = source.key_ring()

    assert [key.kid for key in ring.keys] == ['k1', 'k2']
    for fetched, published in zip(ring.keys, keys, strict=True):
        assert fetched.algorithm == 'EdDSA'
        assert fetched.state is KeyState.VERIFYING
        assert fetched.signing_key is None
        assert fetched.public_jwk() == published.public_jwk()
    assert ring.active is None
    assert ring.legacy is None
    assert server.hits == 1


@pytest.mark.parametrize('mode', ['sync', 'async'])
def test_steady_state_never_fetches(
    server: JWKSServer,
    make_source: MakeSource,
    keys: tuple[Key, Key],
    mode: Mode,
) -> None:
    server.publish(keys)
    source = make_source(min_refetch_interval=0.001)
    ready(source, server)

    for _ in range(200):
        assert lookup(source, 'k1', mode).kid == 'k1'
        assert lookup(source, 'k2', mode).kid == 'k2'

    assert server.hits == 1


@pytest.mark.parametrize('mode', ['sync', 'async'])
def test_new_kid_is_picked_up_by_one_refetch(
    server: JWKSServer,
    make_source: MakeSource,
    keys: tuple[Key, Key],
    mode: Mode,
) -> None:
    first, second = keys
    server.publish([first])
    source = make_source()
    ready(source, server)
    # The issuer rotates: publishes the next key next to the current one.
    server.publish([first, second])

    fetched = lookup(source, 'k2', mode)

    assert fetched.public_jwk() == second.public_jwk()
    assert lookup(source, 'k1', mode).public_jwk() == first.public_jwk()
    assert server.hits == 2


def test_a_retired_key_is_dropped_by_the_background_refresh(
    server: JWKSServer,
    make_source: MakeSource,
    keys: tuple[Key, Key],
) -> None:
    first, second = keys
    server.publish([first, second])
    source = make_source(refresh_interval=0.1)
    ready(source, server)
    server.publish([second])

    wait_until(lambda: source.key_ring().get('k1') is None)

    with pytest.raises(InvalidTokenError) as exc_info:
        source.verifying_key('k1')
    assert exc_info.value.reason is Reason.UNKNOWN_KEY
    assert source.verifying_key('k2').kid == 'k2'


@pytest.mark.parametrize('mode', ['sync', 'async'])
def test_kid_absent_from_the_fresh_set_is_unknown(
    server: JWKSServer,
    make_source: MakeSource,
    keys: tuple[Key, Key],
    mode: Mode,
) -> None:
    server.publish(keys)
    source = make_source()
    ready(source, server)

    with pytest.raises(InvalidTokenError) as exc_info:
        lookup(source, 'k3', mode)

    assert exc_info.value.reason is Reason.UNKNOWN_KEY
    assert server.hits == 2


@pytest.mark.parametrize('mode', ['sync', 'async'])
def test_token_without_kid_is_unknown_without_a_fetch(
    server: JWKSServer,
    make_source: MakeSource,
    keys: tuple[Key, Key],
    mode: Mode,
) -> None:
    server.publish(keys)
    source = make_source(min_refetch_interval=0.001)
    ready(source, server)

    with pytest.raises(InvalidTokenError) as exc_info:
        lookup(source, None, mode)

    assert exc_info.value.reason is Reason.UNKNOWN_KEY
    assert server.hits == 1


def test_random_kid_flood_costs_one_fetch(
    server: JWKSServer,
    make_source: MakeSource,
    keys: tuple[Key, Key],
) -> None:
    server.publish(keys)
    source = make_source()
    ready(source, server)

    for _ in range(500):
        with pytest.raises(InvalidTokenError):
            source.verifying_key(random_kid())

    assert server.hits == 2
    assert source.verifying_key('k1').kid == 'k1'


def test_concurrent_random_kids_share_one_fetch(
    server: JWKSServer,
    make_source: MakeSource,
    keys: tuple[Key, Key],
) -> None:
    server.publish(keys)
    source = make_source()
    ready(source, server)
    # Slow enough for every thread to arrive while the fetch runs.
    server.answer(source.key_ring().jwks(), delay=0.3)
    outcomes: list[Reason] = []
    start = threading.Barrier(8)

    def flood() -> None:
        start.wait()
        for _ in range(50):
            try:
                source.verifying_key(random_kid())
            except InvalidTokenError as exc:
                outcomes.append(exc.reason)

    threads = [threading.Thread(target=flood) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcomes == [Reason.UNKNOWN_KEY] * 400
    assert server.hits == 2


async def test_async_random_kid_flood_costs_one_fetch(
    server: JWKSServer,
    make_source: MakeSource,
    keys: tuple[Key, Key],
) -> None:
    server.publish(keys)
    source = make_source()
    await asyncio.to_thread(ready, source, server)
    server.answer(source.key_ring().jwks(), delay=0.2)

    async def one() -> Reason:
        kid = random_kid()
        await source.aprepare(kid)
        try:
            source.verifying_key(kid)
        except InvalidTokenError as exc:
            return exc.reason
        raise AssertionError(kid)  # pragma: no cover

    reasons = await asyncio.gather(*(one() for _ in range(500)))

    assert reasons == [Reason.UNKNOWN_KEY] * 500
    assert server.hits == 2


FAILURES: Final = (
    pytest.param({'status': 500, 'body': b'{"keys": []}'}, id='http-500'),
    pytest.param({'status': 404, 'body': b'not found'}, id='http-404'),
    pytest.param({'body': b'{"keys": [}'}, id='invalid-json'),
    pytest.param({'body': b'[1, 2]'}, id='not-an-object'),
    pytest.param({'body': b'{"keys": {"kid": "k1"}}'}, id='keys-not-a-list'),
    pytest.param({'body': b'{"keys": []}'}, id='no-keys'),
    pytest.param({'body': b'{"keys": [{"kid": "k1"}]}'}, id='no-usable-key'),
    pytest.param({'body': b'{"keys": []}', 'delay': 5}, id='slow'),
)


@pytest.mark.parametrize('failure', FAILURES)
@pytest.mark.parametrize('mode', ['sync', 'async'])
def test_failed_refetch_keeps_the_last_good_set(
    server: JWKSServer,
    make_source: MakeSource,
    keys: tuple[Key, Key],
    failure: dict[str, Any],
    mode: Mode,
) -> None:
    server.publish(keys)
    source = make_source(timeout=0.5)
    ready(source, server)
    server.answer(**failure)

    started = time.monotonic()
    with pytest.raises(InvalidTokenError) as exc_info:
        lookup(source, 'k3', mode)

    assert time.monotonic() - started < BOUND
    assert exc_info.value.reason is Reason.UNKNOWN_KEY
    assert server.hits == 2
    assert lookup(source, 'k1', mode).kid == 'k1'
    assert [key.kid for key in source.key_ring().keys] == ['k1', 'k2']


def test_failed_refetch_is_logged(
    server: JWKSServer,
    make_source: MakeSource,
    keys: tuple[Key, Key],
    caplog: pytest.LogCaptureFixture,
) -> None:
    server.publish(keys)
    source = make_source()
    ready(source, server)
    server.answer(body=b'{"keys": [', status=503)

    with (
        caplog.at_level(logging.ERROR, logger='dmr_jwt.keys'),
        pytest.raises(InvalidTokenError),
    ):
        source.verifying_key('k3')

    assert [record.getMessage() for record in caplog.records] == [
        f'dmr_jwt: key set of {server.url} not fetched (HTTP status 503); '
        'keeping the previous keys',
    ]


def test_unreachable_server_keeps_the_last_good_set(
    server: JWKSServer,
    make_source: MakeSource,
    keys: tuple[Key, Key],
) -> None:
    server.publish(keys)
    source = make_source(timeout=0.5)
    ready(source, server)
    server.close()  # connections are refused from now on

    started = time.monotonic()
    with pytest.raises(InvalidTokenError) as exc_info:
        source.verifying_key('k3')

    assert time.monotonic() - started < BOUND
    assert exc_info.value.reason is Reason.UNKNOWN_KEY
    assert source.verifying_key('k1').kid == 'k1'


@pytest.mark.parametrize('failure', FAILURES)
@pytest.mark.parametrize('mode', ['sync', 'async'])
def test_never_fetched_is_unavailable(
    server: JWKSServer,
    make_source: MakeSource,
    failure: dict[str, Any],
    mode: Mode,
) -> None:
    server.answer(**failure)
    source = make_source(timeout=0.5)

    started = time.monotonic()
    with pytest.raises(KeysUnavailableError) as exc_info:
        lookup(source, 'k1', mode)

    assert time.monotonic() - started < BOUND
    assert str(exc_info.value) == (
        f'No key set could be fetched from {server.url}'
    )
    with pytest.raises(KeysUnavailableError):
        source.key_ring()


def test_refused_connection_is_unavailable(
    server: JWKSServer,
    make_source: MakeSource,
) -> None:
    url = server.url
    server.close()
    source = make_source(url, timeout=0.5)

    started = time.monotonic()
    with pytest.raises(KeysUnavailableError):
        source.verifying_key('k1')

    assert time.monotonic() - started < BOUND


def test_unavailable_server_is_not_hammered(
    server: JWKSServer,
    make_source: MakeSource,
) -> None:
    server.answer(status=500)
    source = make_source(timeout=0.5)
    wait_until(lambda: server.hits >= 1)

    for _ in range(200):
        with pytest.raises(KeysUnavailableError):
            source.verifying_key(random_kid())

    # The first fetch, and one that the first request asked for.
    assert server.hits == 2


def test_recovers_when_the_server_comes_back(
    server: JWKSServer,
    make_source: MakeSource,
    keys: tuple[Key, Key],
) -> None:
    server.answer(status=500)
    source = make_source(min_refetch_interval=0.05, timeout=0.5)
    with pytest.raises(KeysUnavailableError):
        source.verifying_key('k1')
    server.publish(keys)

    # A failed fetch is retried after `min_refetch_interval`, in the
    # background; a request asks for one after the same interval.
    wait_until(lambda: len(source.key_ring()) == 2)

    assert source.verifying_key('k1').kid == 'k1'


async def test_async_wait_does_not_block_the_event_loop(
    server: JWKSServer,
    make_source: MakeSource,
    keys: tuple[Key, Key],
) -> None:
    first, second = keys
    server.publish([first])
    source = make_source(timeout=5.0)
    await asyncio.to_thread(ready, source, server)
    server.answer(
        {'keys': [first.public_jwk(), second.public_jwk()]},
        delay=1.0,
    )
    ticks: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        while not stop.is_set():
            ticks.append(time.monotonic())
            await asyncio.sleep(0.01)

    ticking = asyncio.create_task(ticker())
    started = time.monotonic()
    await source.aprepare('k2')
    waited = time.monotonic() - started
    stop.set()
    await ticking

    assert source.verifying_key('k2').kid == 'k2'
    assert waited >= 0.9  # it did wait for the slow fetch...
    gaps = [later - earlier for earlier, later in itertools.pairwise(ticks)]
    assert len(ticks) >= 20  # ...while the loop kept running
    assert max(gaps) < 0.5


async def test_on_the_event_loop_nothing_waits(
    server: JWKSServer,
    make_source: MakeSource,
) -> None:
    server.answer({'keys': []}, delay=5)
    source = make_source(timeout=4.0)

    started = time.monotonic()
    with pytest.raises(KeysUnavailableError):
        source.verifying_key('k1')
    with pytest.raises(KeysUnavailableError):
        source.key_ring()

    assert time.monotonic() - started < 1.0


def test_a_closed_source_stops_its_thread(
    server: JWKSServer,
    keys: tuple[Key, Key],
) -> None:
    server.publish(keys)
    source = RemoteJWKS(server.url, timeout=2.0)
    ready(source, server)
    (thread,) = [
        thread
        for thread in threading.enumerate()
        if thread.name == f'dmr-jwt-jwks {server.url}'
    ]

    del source
    gc.collect()
    thread.join(timeout=5)

    assert not thread.is_alive()


def test_repr_and_logs_hide_credentials_in_the_url(
    server: JWKSServer,
    make_source: MakeSource,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server.answer(status=500)
    plain = server.url
    url = plain.replace('http://', 'http://user:pa55w0rd@') + '?api_key=t0ken'

    with caplog.at_level(logging.INFO, logger='dmr_jwt.keys'):
        source = make_source(url, timeout=0.5)
        with pytest.raises(KeysUnavailableError) as exc_info:
            source.verifying_key('k1')

    shown = [repr(source), str(exc_info.value), caplog.text]
    assert all(plain in text for text in shown)
    assert not any('pa55w0rd' in text or 't0ken' in text for text in shown)


@pytest.mark.parametrize(
    'url',
    [
        'http://example.com/.well-known/jwks.json',
        'http://10.0.0.1/jwks.json',
        'http://192.168.1.1/jwks.json',
        'http://[::2]/jwks.json',
        'http://127.0.0.1.example.com/jwks.json',
        'http://localhost.example.com/jwks.json',
        'ftp://127.0.0.1/jwks.json',
        'file:///etc/jwks.json',
        '/.well-known/jwks.json',
        'https:///jwks.json',
    ],
)
def test_plain_http_only_on_loopback(url: str) -> None:
    with pytest.raises(ImproperlyConfigured, match='https'):
        RemoteJWKS(url)


@pytest.mark.parametrize(
    'url',
    [
        'http://127.0.0.1:1/jwks.json',
        'http://127.8.9.10:1/jwks.json',
        'http://[::1]:1/jwks.json',
        'http://localhost:1/jwks.json',
        'HTTP://LOCALHOST:1/jwks.json',
        'https://127.0.0.1:1/jwks.json',
    ],
)
def test_loopback_or_https_is_accepted(
    make_source: MakeSource,
    url: str,
) -> None:
    source = make_source(url, timeout=0.5)

    assert source.url == url


@pytest.mark.parametrize(
    'option',
    ['refresh_interval', 'min_refetch_interval', 'timeout'],
)
@pytest.mark.parametrize('value', [0, -1.0])
def test_intervals_must_be_positive(
    server: JWKSServer,
    option: str,
    value: float,
) -> None:
    options: dict[str, Any] = {option: value}

    with pytest.raises(ImproperlyConfigured, match=option):
        RemoteJWKS(server.url, **options)


def test_jwks_url_setting_builds_a_remote_source(
    settings: Settings,
    server: JWKSServer,
    keys: tuple[Key, Key],
) -> None:
    server.publish(keys)
    settings.DMR_JWT = {
        'JWKS_URL': server.url,
        'JWKS_TIMEOUT': 1.5,
        'JWKS_MIN_REFETCH_INTERVAL': 30,
        'JWKS_REFRESH_INTERVAL': 120,
    }

    source = project_keys()

    assert isinstance(source, RemoteJWKS)
    try:
        assert source.url == server.url
        assert source.verifying_key('k2').kid == 'k2'
    finally:
        source.close()


def test_jwks_url_setting_refuses_plain_http(settings: Settings) -> None:
    settings.DMR_JWT = {'JWKS_URL': 'http://issuer.example.com/jwks.json'}

    with pytest.raises(ImproperlyConfigured, match='https'):
        project_keys()


def _rsa_1024() -> dict[str, Any]:
    key = Key.from_material(
        'other',
        'RS256',
        private_key=private_pem('RS256', rsa_bits=1024),
        enforce_minimum_key_length=False,
    )
    return _public_jwk(key)


def _public_jwk(key: Key, **changes: Any) -> dict[str, Any]:
    jwk = key.public_jwk()
    assert jwk is not None
    jwk.update(changes)
    return {name: value for name, value in jwk.items() if value is not None}


def _bad_members() -> list[Any]:
    """(What the member is, the member): each one must be skipped."""
    other = signing_key('other')
    eddsa = _public_jwk(other)
    return [
        pytest.param(_public_jwk(other, kid=None), id='no-kid'),
        pytest.param(_public_jwk(other, kid=''), id='empty-kid'),
        pytest.param(_public_jwk(other, kid=7), id='kid-not-a-string'),
        pytest.param(_public_jwk(other, kid='k' * 257), id='kid-too-long'),
        pytest.param(_public_jwk(other, alg=None), id='no-alg'),
        pytest.param(_public_jwk(other, alg='none'), id='alg-none'),
        pytest.param(_public_jwk(other, alg='HS256'), id='alg-hmac'),
        pytest.param(_public_jwk(other, alg='ES256K'), id='alg-unsupported'),
        pytest.param(_public_jwk(other, alg='RS256'), id='kty-mismatch'),
        pytest.param(
            {'kty': 'oct', 'kid': 'other', 'alg': 'HS256', 'k': PRIVATE_MARKER},
            id='oct-secret',
        ),
        pytest.param({**eddsa, 'd': PRIVATE_MARKER}, id='private-okp'),
        pytest.param(_public_jwk(other, use='enc'), id='use-enc'),
        pytest.param(_public_jwk(other, key_ops=['sign']), id='ops-sign'),
        pytest.param(_public_jwk(other, key_ops='verify'), id='ops-not-list'),
        pytest.param(
            _public_jwk(signing_key('other', 'ES384'), alg='ES256'),
            id='curve-mismatch',
        ),
        pytest.param(_rsa_1024(), id='rsa-1024'),
        pytest.param({**eddsa, 'x': 'not base64url!'}, id='broken-x'),
        pytest.param({**eddsa, 'kid': 'good'}, id='duplicate-kid'),
        pytest.param(['not', 'a', 'jwk'], id='not-an-object'),
    ]


@pytest.mark.parametrize('member', _bad_members())
def test_untrusted_members_are_skipped_and_logged(
    server: JWKSServer,
    make_source: MakeSource,
    member: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    good = signing_key('good')
    server.answer({'keys': [good.public_jwk(), member]})

    with caplog.at_level(logging.WARNING, logger='dmr_jwt.keys'):
        source = make_source()
        ready(source, server)
    (record,) = caplog.records

    assert [key.kid for key in source.key_ring().keys] == ['good']
    with pytest.raises(InvalidTokenError):
        source.verifying_key('other')
    assert record.getMessage().startswith(
        f'dmr_jwt: key #1{_label(member)} of {server.url} skipped, '
        'never trusted: ',
    )
    assert PRIVATE_MARKER not in caplog.text


def _label(member: Any) -> str:
    kid = member.get('kid') if isinstance(member, dict) else None
    if isinstance(kid, str) and 0 < len(kid) <= 256:
        return f' (kid {kid!r})'
    return ''


def test_every_public_key_algorithm_is_trusted(
    server: JWKSServer,
    make_source: MakeSource,
) -> None:
    published = [
        signing_key(f'kid-{algorithm}', algorithm)
        for algorithm in sorted(ASYMMETRIC_ALGORITHMS)
    ]
    server.publish(published)
    source = make_source()
    ready(source, server)

    assert [
        (key.kid, key.algorithm, key.public_jwk())
        for key in source.key_ring().keys
    ] == [(key.kid, key.algorithm, key.public_jwk()) for key in published]


def _lookup_in_child(source: RemoteJWKS, kid: str, results: Any) -> None:
    try:
        results.put(source.verifying_key(kid).kid)
    except Exception as exc:  # noqa: BLE001 (reported to the parent)
        results.put(repr(exc))


def test_a_forked_worker_gets_a_thread_of_its_own(
    server: JWKSServer,
    make_source: MakeSource,
    keys: tuple[Key, Key],
) -> None:
    first, second = keys
    server.publish([first])
    source = make_source()  # built before the fork: `gunicorn --preload`
    ready(source, server)
    server.publish([first, second])
    context = multiprocessing.get_context('fork')
    results = context.Queue()

    child = context.Process(
        target=_lookup_in_child,
        args=(source, 'k2', results),
    )
    child.start()
    child.join(timeout=30)

    # The child's own thread fetched the new kid (the parent's thread
    # does not exist in the child: without a new one, it would wait for
    # nothing and answer 503).
    assert results.get(timeout=5) == 'k2'
    assert child.exitcode == 0
    assert server.hits == 2


def _authenticate(auth: JWTSyncAuth | JWTAsyncAuth, token: str) -> Any:
    request = RequestFactory().get(
        '/', headers={'Authorization': f'Bearer {token}'}
    )
    prepared = auth.prepare_token(request)
    assert prepared is not None
    if isinstance(auth, JWTAsyncAuth):
        # A real event loop: the async auth awaits `aprepare` on it.
        return asyncio.run(auth.authenticate(request, prepared))
    return auth.authenticate(request, prepared)


def _issued(kid: str, pem: str) -> str:
    return JWToken(
        sub='42',
        exp=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5),
        extras={'type': 'access', 'username': 'alice'},
    ).encode(pem, 'EdDSA', headers={'kid': kid})


@pytest.mark.parametrize('auth_cls', [JWTSyncAuth, JWTAsyncAuth])
def test_the_auth_verifies_with_the_remote_keys(
    server: JWKSServer,
    make_source: MakeSource,
    auth_cls: type[JWTSyncAuth | JWTAsyncAuth],
) -> None:
    pem = private_pem()
    key = Key.from_material('k1', 'EdDSA', private_key=pem)
    server.publish([key])
    source = make_source()
    auth = auth_cls(keys=source, stateless=True)

    user = _authenticate(auth, _issued('k1', pem))
    with pytest.raises(NotAuthenticatedError) as exc_info:
        _authenticate(auth, _issued('k2', private_pem()))

    assert (user.pk, user.get_username()) == ('42', 'alice')
    assert_token_error(exc_info.value, Reason.UNKNOWN_KEY)
    assert server.hits == 2


@pytest.mark.parametrize('auth_cls', [JWTSyncAuth, JWTAsyncAuth])
def test_the_auth_raises_unavailable_while_no_set_was_fetched(
    server: JWKSServer,
    make_source: MakeSource,
    auth_cls: type[JWTSyncAuth | JWTAsyncAuth],
) -> None:
    server.answer(status=500)
    auth = auth_cls(keys=make_source(timeout=0.5), stateless=True)

    # The auth's boundary (`__call__`) answers it 503: the two-process
    # test in tests/integration/test_remote_jwks.py shows the response.
    with pytest.raises(KeysUnavailableError):
        _authenticate(auth, _issued('k1', private_pem()))
