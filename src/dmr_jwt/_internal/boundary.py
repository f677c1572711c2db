"""The error boundary: a sick service is a ``503``, a bad body a ``400``.

Every exception that a backing service or a request body can raise on the
way through our auth and controllers is mapped here, once, for the sync
and async paths alike (like httpx's ``map_httpcore_exceptions``):

- **Service faults** answer ``503 Service Unavailable`` with the
  framework's error body and ``Retry-After``:
  :exc:`django.db.OperationalError` and :exc:`django.db.InterfaceError`
  (the database cannot be reached, dropped the connection, timed out,
  is shutting down), :exc:`OSError` (sockets, timeouts, file caches) and
  redis-py's ``ConnectionError`` / ``TimeoutError`` that a cache backend
  lets through, and :exc:`~dmr_jwt.errors.KeysUnavailableError` (a remote
  key set that could never be fetched). Other
  :exc:`django.db.DatabaseError` subclasses stay ``500``:
  ``ProgrammingError`` (a missing table: run ``migrate``),
  ``IntegrityError``, ``DataError``, ``InternalError`` and
  ``NotSupportedError`` are bugs or misconfiguration, which a retry
  cannot fix.
- **Body faults** answer ``400`` with the error body: bodies over
  ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (and Django's other upload limits), a
  body that could not be read, nesting too deep for the parser, numbers out
  of range (``1e999``).

The body never holds the exception text (a driver's message can name
hosts, users, DSNs); the log gets one line per fault, no traceback.
After a database fault, connections that failed are closed (outside
transactions), so the next query reconnects: the service recovers by
itself, nothing needs a restart.

Two entry points: auth (which runs on any user controller, before any
controller-level handler) catches :data:`ANSWERED` and calls
:func:`answer_fault` / :func:`aanswer_fault`, which raise an
:class:`~dmr.response.APIError` that the framework renders as it is; our
controllers inherit :class:`FaultBoundaryController`, whose
``handle_error`` / ``handle_async_error`` also see the faults of body
parsing, which happens before the endpoint runs.
"""

import contextlib
import logging
import traceback
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Final, NoReturn

from asgiref.sync import sync_to_async
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, UnreadablePostError
from dmr import Controller, ResponseSpec
from dmr.errors import ErrorType
from dmr.headers import HeaderSpec
from dmr.parsers import Parser
from dmr.response import APIError
from dmr.security.base import unauth_response_spec
from dmr.serializer import BaseSerializer
from typing_extensions import TypeVar, override

from dmr_jwt.errors import KeysUnavailableError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from dmr.endpoint import Endpoint
    from dmr.metadata import EndpointMetadata

__all__ = (
    'ANSWERED',
    'RETRY_AFTER_SECONDS',
    'SERVICE_FAULTS',
    'FaultBoundaryController',
    'aanswer_fault',
    'answer_fault',
    'arelease_after',
    'auth_response_specs',
    'describe_fault',
    'error_response',
    'fault_error',
    'release_after',
    'service_unavailable_spec',
)

_SerializerT = TypeVar('_SerializerT', bound=BaseSerializer)

# A stable name (the module is private): one place to configure.
_logger: Final = logging.getLogger('dmr_jwt.boundary')

#: What ``Retry-After`` of a ``503`` says: seconds to wait before retrying.
RETRY_AFTER_SECONDS: Final = 5

#: The message of a ``503``: never the exception's own text.
SERVICE_UNAVAILABLE_MESSAGE: Final = (
    'Service temporarily unavailable, retry later'
)

_RETRY_AFTER: Final = 'Retry-After'

#: Faults of the database connection itself (Django's wrappers).
_DATABASE_FAULTS: Final = (OperationalError, InterfaceError)


def _cache_faults() -> tuple[type[Exception], ...]:
    try:
        from redis import exceptions  # noqa: PLC0415
    except ImportError:  # pragma: no cover (redis is optional)
        return ()
    return (exceptions.ConnectionError, exceptions.TimeoutError)


#: Everything that means "a backing service did not answer": ``503``.
SERVICE_FAULTS: Final[tuple[type[Exception], ...]] = (
    *_DATABASE_FAULTS,
    OSError,
    # A remote key set (JWKS) that could never be fetched.
    KeysUnavailableError,
    *_cache_faults(),
)

#: Longest exception message that the log line quotes.
_MAX_LOGGED_MESSAGE: Final = 200


def _number_faults() -> tuple[type[Exception], ...]:
    try:
        import msgspec  # noqa: PLC0415
    except ImportError:  # pragma: no cover (msgspec is optional)
        return ()
    # The msgspec JSON parser raises it for `1e999` even when decoding into
    # `Any`, where the framework expects only `DecodeError`.
    return (msgspec.ValidationError,)


#: Raised inside a body parser, they are the body's fault.
_NUMBER_FAULTS: Final = _number_faults()

#: Body faults of Django's request and their messages.
_BODY_FAULTS: Final[tuple[tuple[type[Exception], str], ...]] = (
    (RequestDataTooBig, 'Request body is too large'),
    (TooManyFieldsSent, 'Request body has too many fields'),
    (TooManyFilesSent, 'Request body has too many files'),
    # An `OSError`: the client went away, the database did not.
    (UnreadablePostError, 'Request body could not be read'),
)

#: Everything that :func:`fault_error` may answer.
ANSWERED: Final[tuple[type[Exception], ...]] = (
    *SERVICE_FAULTS,
    *(fault for fault, _ in _BODY_FAULTS),
    RecursionError,
    *_NUMBER_FAULTS,
)


def service_unavailable_spec(controller_cls: type[Any]) -> ResponseSpec:
    """The OpenAPI ``503`` of every endpoint behind our auth or controllers."""
    return ResponseSpec(
        controller_cls.error_model,
        status_code=HTTPStatus.SERVICE_UNAVAILABLE,
        description=(
            'Raised when the database or the cache cannot answer; '
            'retry after `Retry-After` seconds'
        ),
        headers={
            _RETRY_AFTER: HeaderSpec(
                description='Seconds to wait before retrying the request',
            ),
        },
    )


def fault_error(
    controller: 'Controller[Any]',
    exc: BaseException,
) -> APIError[Any] | None:
    """
    The error that answers *exc*, or ``None`` when it is not ours to answer.

    A body fault is a ``400``; a service fault a ``503``, logged in one
    line. Everything else is left to the framework (a ``500``).
    """
    message = _body_fault_message(exc)
    if message is not None:
        return APIError(
            controller.format_error(message, error_type=ErrorType.value_error),
            status_code=HTTPStatus.BAD_REQUEST,
        )
    if not isinstance(exc, SERVICE_FAULTS):
        return None
    # One line, no traceback: a sick service fails every request.
    _logger.warning(
        'dmr_jwt: %s answers 503: %s',
        type(controller).__qualname__,
        describe_fault(exc),
    )
    return APIError(
        controller.format_error(
            SERVICE_UNAVAILABLE_MESSAGE,
            error_type=ErrorType.internal_error,
        ),
        status_code=HTTPStatus.SERVICE_UNAVAILABLE,
        headers={_RETRY_AFTER: str(RETRY_AFTER_SECONDS)},
    )


def error_response(
    controller: 'Controller[Any]',
    error: APIError[Any],
) -> HttpResponse:
    """Render *error* the way the framework renders a raised one."""
    return controller.to_error(
        error.raw_data,
        status_code=error.status_code,
        headers=error.headers,
    )


def release_after(exc: BaseException | None) -> None:
    """
    After a database fault, close the connections that failed.

    Django closes them at the end of a request (``close_old_connections``
    on ``request_finished``); not every server or test client sends that
    signal, and a connection inside a transaction is never closed there.
    Closing here, outside transactions, makes the next query reconnect.
    A connection in a transaction (``ATOMIC_REQUESTS``) is marked for
    rollback instead: the request failed, none of its writes may commit,
    and ``atomic`` closes a connection whose rollback fails, where a
    commit on it would raise past every handler (an HTML ``500``).
    """
    if not isinstance(exc, _DATABASE_FAULTS):
        return
    for connection in connections.all(initialized_only=True):
        if not connection.errors_occurred:
            continue
        if connection.in_atomic_block:
            connection.set_rollback(True)
            continue
        with contextlib.suppress(*SERVICE_FAULTS):
            connection.close()


#: :func:`release_after` where the async ORM runs its queries.
arelease_after: Final = sync_to_async(release_after, thread_sensitive=True)


def answer_fault(controller: 'Controller[Any]', exc: Exception) -> NoReturn:
    """
    Raise the :class:`APIError` that answers *exc*, or *exc* itself.

    For auth, which runs on any controller, before any controller-level
    handler: the framework renders an :class:`APIError` raised there as it
    is. Catch :data:`ANSWERED` (free when nothing is raised) and call this;
    see :func:`fault_error`.
    """
    error = fault_error(controller, exc)
    if error is None:
        raise exc
    release_after(exc)
    raise error from None


async def aanswer_fault(
    controller: 'Controller[Any]',
    exc: Exception,
) -> NoReturn:
    """:func:`answer_fault` for async auth: releases where the ORM runs."""
    error = fault_error(controller, exc)
    if error is None:
        raise exc
    await arelease_after(exc)
    raise error from None


class FaultBoundaryController(Controller[_SerializerT]):
    """
    The base of our controllers: faults are answered, never ``500``.

    Body faults (the parser and Django's request run before the endpoint,
    inside the framework's handler chain) and service faults of any hook
    reach :meth:`handle_error` / :meth:`handle_async_error`, which answer
    them with :func:`fault_error`. Others go on to the next handler.
    """

    @override
    def handle_error(
        self,
        endpoint: 'Endpoint',
        controller: 'Controller[Any]',
        exc: Exception,
    ) -> HttpResponse:
        """Answer body and service faults; pass on the others."""
        error = fault_error(controller, exc)
        if error is None:
            return super().handle_error(endpoint, controller, exc)
        release_after(exc)
        return error_response(controller, error)

    @override
    async def handle_async_error(
        self,
        endpoint: 'Endpoint',
        controller: 'Controller[Any]',
        exc: Exception,
    ) -> HttpResponse:
        """Answer body and service faults; pass on the others."""
        error = fault_error(controller, exc)
        if error is None:
            return await super().handle_async_error(endpoint, controller, exc)
        await arelease_after(exc)
        return error_response(controller, error)


def _body_fault_message(exc: BaseException) -> str | None:
    for fault, message in _BODY_FAULTS:
        if isinstance(exc, fault):
            return message
    if not isinstance(exc, (RecursionError, *_NUMBER_FAULTS)):
        return None
    if not _raised_by_parser(exc):
        return None
    if isinstance(exc, RecursionError):
        return 'Request body is nested too deeply'
    # msgspec's own message: the reason and the place, never the input.
    return str(exc)


def _raised_by_parser(exc: BaseException) -> bool:
    # Raised by the body parser, it is the client's fault; raised by any
    # other code (a hook that recurses) it stays a bug: a `500`.
    return any(
        isinstance(frame.f_locals.get('self'), Parser)
        for frame, _ in traceback.walk_tb(exc.__traceback__)
    )


def describe_fault(exc: BaseException) -> str:
    """
    *exc* for a one-line log record: its type and its message's first line.

    Drivers put the host and the reason there (``Connection refused``);
    the rest of a long message and the traceback are left out.
    """
    lines = str(exc).strip().splitlines()
    message = lines[0][:_MAX_LOGGED_MESSAGE] if lines else ''
    return f'{type(exc).__qualname__}: {message}'


def auth_response_specs(
    metadata: 'EndpointMetadata',
    controller_cls: type[Controller[BaseSerializer]],
    existing_responses: 'Mapping[HTTPStatus, ResponseSpec]',
) -> list[ResponseSpec]:
    """The responses of our auth: the framework's ``401``, and our ``503``."""
    return [
        spec
        for spec in (
            unauth_response_spec(controller_cls, metadata),
            service_unavailable_spec(controller_cls),
        )
        if spec.status_code not in existing_responses
    ]
