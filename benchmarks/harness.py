"""Calling Django's handlers directly: no test client, no server.

A request is built once; each call copies its WSGI environ (or ASGI scope)
and hands it to ``WSGIHandler`` (or ``ASGIHandler``, inside one event loop),
exactly as a server would, then checks that the response is a ``200``
with the expected body: a benchmark that measures ``401`` is worthless.
"""

import asyncio
import dataclasses
import functools
import gc
import io
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Final, Protocol, TypeAlias

from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.db.backends.signals import connection_created

from benchmarks.profiles import Mode

#: Checks the body of a ``200`` response.
BodyCheck: TypeAlias = Callable[[bytes], bool]

_HOST: Final = 'testserver'


@dataclasses.dataclass(frozen=True, slots=True)
class Request:
    """One request, replayed as is."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes = b''


class Client(Protocol):
    """Sends the prebuilt request once per call."""

    def fetch(self) -> tuple[int, bytes]:
        """Send once and return the status and the body, unchecked."""

    def batch(self, number: int) -> tuple[float, int]:
        """Send *number* times: ``(seconds, failed responses)``."""


class WsgiClient:
    """Calls ``WSGIHandler`` like a WSGI server does."""

    __slots__ = ('_body', '_check', '_environ', '_handler', '_status')

    def __init__(
        self,
        handler: WSGIHandler,
        request: Request,
        check: BodyCheck,
    ) -> None:
        self._handler = handler
        self._body = request.body
        self._check = check
        self._status = ''
        self._environ: dict[str, Any] = {
            'REQUEST_METHOD': request.method,
            'PATH_INFO': request.path,
            'SCRIPT_NAME': '',
            'QUERY_STRING': '',
            'SERVER_NAME': _HOST,
            'SERVER_PORT': '80',
            'SERVER_PROTOCOL': 'HTTP/1.1',
            'REMOTE_ADDR': '127.0.0.1',
            'HTTP_HOST': _HOST,
            'wsgi.version': (1, 0),
            'wsgi.url_scheme': 'http',
            'wsgi.errors': sys.stderr,
            'wsgi.multithread': False,
            'wsgi.multiprocess': False,
            'wsgi.run_once': False,
        }
        if request.body:
            self._environ['CONTENT_LENGTH'] = str(len(request.body))
        for name, header_value in request.headers.items():
            key = name.upper().replace('-', '_')
            if key not in {'CONTENT_TYPE', 'CONTENT_LENGTH'}:
                key = f'HTTP_{key}'
            self._environ[key] = header_value

    def fetch(self) -> tuple[int, bytes]:
        """Send once and return the status and the body, unchecked."""
        content = self._send()
        return int(self._status.split(' ', 1)[0]), content

    def batch(self, number: int) -> tuple[float, int]:
        """Send *number* times: ``(seconds, failed responses)``."""
        check = self._check
        send = self._send
        failures = 0
        start = time.perf_counter()
        for _ in range(number):
            content = send()
            if self._status != '200 OK' or not check(content):
                failures += 1
        return time.perf_counter() - start, failures

    def _send(self) -> bytes:
        environ = self._environ.copy()
        environ['wsgi.input'] = io.BytesIO(self._body)
        response = self._handler(environ, self._start_response)
        try:
            return b''.join(response)
        finally:
            response.close()

    def _start_response(
        self,
        status: str,
        headers: list[tuple[str, str]],
        exc_info: object = None,
    ) -> Callable[[bytes], object]:
        self._status = status
        return _discard


def _discard(data: bytes) -> None:
    """The legacy WSGI ``write()`` callable: never used by Django."""


class _Exchange:
    """One ASGI request/response: the body in, the messages out."""

    __slots__ = ('chunks', 'request_body', 'sent', 'status')

    def __init__(self, request_body: bytes) -> None:
        self.request_body = request_body
        self.sent = False
        self.status = 0
        self.chunks: list[bytes] = []

    async def receive(self) -> dict[str, Any]:
        if not self.sent:
            self.sent = True
            return {
                'type': 'http.request',
                'body': self.request_body,
                'more_body': False,
            }
        # Django listens for a disconnect while it builds the response,
        # and cancels the listener when done: the client never leaves.
        await asyncio.get_running_loop().create_future()
        raise AssertionError('unreachable')  # pragma: no cover

    async def send(self, message: Mapping[str, Any]) -> None:
        if message['type'] == 'http.response.start':
            self.status = message['status']
        elif message['type'] == 'http.response.body':
            self.chunks.append(message.get('body', b''))


class AsgiClient:
    """Calls ``ASGIHandler`` like an ASGI server does, in one event loop."""

    __slots__ = ('_body', '_check', '_handler', '_loop', '_scope')

    def __init__(
        self,
        handler: ASGIHandler,
        request: Request,
        check: BodyCheck,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self._handler = handler
        self._body = request.body
        self._check = check
        self._loop = loop
        headers = [(b'host', _HOST.encode())]
        headers += [
            (name.lower().encode('latin-1'), header_value.encode('latin-1'))
            for name, header_value in request.headers.items()
        ]
        if request.body:
            headers.append((b'content-length', str(len(request.body)).encode()))
        self._scope: dict[str, Any] = {
            'type': 'http',
            'asgi': {'version': '3.0', 'spec_version': '2.3'},
            'http_version': '1.1',
            'method': request.method,
            'scheme': 'http',
            'path': request.path,
            'raw_path': request.path.encode(),
            'query_string': b'',
            'root_path': '',
            'headers': headers,
            'client': ('127.0.0.1', 50000),
            'server': (_HOST, 80),
        }

    def fetch(self) -> tuple[int, bytes]:
        """Send once and return the status and the body, unchecked."""
        exchange = self._loop.run_until_complete(self._send())
        return exchange.status, b''.join(exchange.chunks)

    def batch(self, number: int) -> tuple[float, int]:
        """Send *number* times: ``(seconds, failed responses)``."""
        return self._loop.run_until_complete(self._batch(number))

    async def _batch(self, number: int) -> tuple[float, int]:
        check = self._check
        send = self._send
        failures = 0
        start = time.perf_counter()
        for _ in range(number):
            exchange = await send()
            if exchange.status != 200 or not check(b''.join(exchange.chunks)):
                failures += 1
        return time.perf_counter() - start, failures

    async def _send(self) -> _Exchange:
        exchange = _Exchange(self._body)
        await self._handler(self._scope.copy(), exchange.receive, exchange.send)
        return exchange


def make_client(
    mode: Mode,
    request: Request,
    check: BodyCheck,
    loop: asyncio.AbstractEventLoop,
) -> Client:
    """A WSGI client for ``sync``, an ASGI client for ``async``."""
    if mode == 'sync':
        return WsgiClient(_wsgi_handler(), request, check)
    return AsgiClient(_asgi_handler(), request, check, loop)


# One handler of each kind per process, like a server: middleware is
# loaded once.


@functools.cache
def _wsgi_handler() -> WSGIHandler:
    return WSGIHandler()


@functools.cache
def _asgi_handler() -> ASGIHandler:
    return ASGIHandler()


# Queries:


class QueryCounter:
    """Counts the queries of every connection, in any thread."""

    def __init__(self) -> None:
        self.count = 0
        self._active = False

    def __call__(
        self,
        execute: Callable[..., Any],
        sql: str,
        params: Any,
        many: bool,
        context: dict[str, Any],
    ) -> Any:
        if self._active:
            self.count += 1
        return execute(sql, params, many, context)

    @contextmanager
    def counting(self) -> Iterator[None]:
        """Count queries of this thread and of connections opened meanwhile.

        Under ASGI, a request that touches the database runs in a fresh
        thread with a fresh connection: those are caught as they open.
        """
        self.count = 0
        self._active = True
        connection_created.connect(self._on_connection_created)
        try:
            with connection.execute_wrapper(self):
                yield
        finally:
            self._active = False
            connection_created.disconnect(self._on_connection_created)

    def _on_connection_created(self, *, connection: Any, **kwargs: Any) -> None:
        if self not in connection.execute_wrappers:
            connection.execute_wrappers.append(self)


def queries_per_request(client: Client, number: int) -> float:
    """Average number of queries of one request, over *number* requests."""
    counter = QueryCounter()
    with counter.counting():
        _, failures = client.batch(number)
    if failures:
        raise RuntimeError(f'{failures} failed responses while counting')
    return counter.count / number


# Timing:


@dataclasses.dataclass(frozen=True, slots=True)
class Timing:
    """Per-request times (µs) of each repeat, and the paired floor's."""

    samples_us: list[float]
    floor_samples_us: list[float]
    failures: int
    #: Requests per repeat.
    number: int

    @property
    def median_us(self) -> float:
        """Median per-request time."""
        return statistics.median(self.samples_us)

    @property
    def floor_median_us(self) -> float:
        """Median per-request time of the interleaved floor."""
        return statistics.median(self.floor_samples_us)

    @property
    def local_ratio(self) -> float:
        """Median of the per-repeat ratios to the interleaved floor."""
        return statistics.median(
            sample / floor
            for sample, floor in zip(
                self.samples_us,
                self.floor_samples_us,
                strict=True,
            )
        )


@dataclasses.dataclass(frozen=True, slots=True)
class Plan:
    """How long to measure: a time budget, so slow rows stay bounded."""

    #: Warm-up: this many requests of each client, or this long.
    warmup: int = 200
    warmup_seconds: float = 0.4
    #: Repeats of each client, each about this long.
    repeats: int = 9
    repeat_seconds: float = 0.25
    #: Bounds of the number of requests of one repeat.
    min_number: int = 20
    max_number: int = 2000
    #: Requests whose queries are counted, after the warm-up.
    query_sample: int = 20


def warm_up(client: Client, plan: Plan) -> float:
    """Warm *client* up; return its per-request time in seconds."""
    done = 0
    elapsed = 0.0
    while done < plan.warmup and elapsed < plan.warmup_seconds:
        seconds, failures = client.batch(10)
        if failures:
            raise RuntimeError(f'{failures} failed responses in the warm-up')
        done += 10
        elapsed += seconds
    return elapsed / done


def time_paired(target: Client, floor: Client, plan: Plan) -> Timing:
    """Warm both up, then alternate repeats of *target* and *floor*.

    Alternating (and swapping the order each repeat) makes the ratio to the
    floor immune to the slow drifts of a noisy machine. Both run the same
    number of requests per repeat, sized from the target's warm-up speed.
    """
    per_request = max(warm_up(target, plan), warm_up(floor, plan))
    number = round(plan.repeat_seconds / per_request)
    number = min(max(number, plan.min_number), plan.max_number)
    failures = 0
    samples: list[float] = []
    floor_samples: list[float] = []
    for repeat in range(plan.repeats):
        order = (
            ((target, samples), (floor, floor_samples))
            if repeat % 2 == 0
            else ((floor, floor_samples), (target, samples))
        )
        for client, bucket in order:
            gc.collect()
            seconds, failed = client.batch(number)
            failures += failed
            bucket.append(seconds / number * 1e6)
    return Timing(samples, floor_samples, failures, number)
