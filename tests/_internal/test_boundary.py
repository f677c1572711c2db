"""The error boundary: what it answers, what it leaves alone, the schema.

The HTTP behaviour (real PostgreSQL and Redis faults, bad bodies) is in
``tests/faults``; here are the mapping's edges and the OpenAPI ``503``.
"""

from http import HTTPStatus
from typing import Any, Final

import msgspec
import pytest
from django.db import (
    DatabaseError,
    DataError,
    IntegrityError,
    InterfaceError,
    InternalError,
    OperationalError,
    ProgrammingError,
)
from django.http import UnreadablePostError
from django.test import RequestFactory
from dmr.openapi import build_schema
from dmr.parsers import Parser
from dmr.routing import Router
from redis import exceptions as redis_errors
from typing_extensions import override

from dmr_jwt._internal.boundary import (
    RETRY_AFTER_SECONDS,
    SERVICE_UNAVAILABLE_MESSAGE,
    describe_fault,
    fault_error,
)
from tests.app import (
    blocklist_urls,
    everywhere_urls,
    faults_urls,
    logout_urls,
    urls,
)
from tests.app.views import PydanticObtainSync

_DSN: Final = 'postgresql://admin:hunter2@db.internal:5432/prod'


@pytest.fixture
def controller() -> PydanticObtainSync:
    """A controller, for its ``format_error``."""
    instance = PydanticObtainSync()
    instance.request = RequestFactory().post('/')
    return instance


@pytest.mark.parametrize(
    'exc',
    [
        OperationalError(f'could not connect to {_DSN}'),
        InterfaceError('connection already closed'),
        ConnectionRefusedError(111, 'Connection refused'),
        TimeoutError('timed out'),
        OSError('No route to host'),
        redis_errors.ConnectionError(f'Error connecting to {_DSN}'),
        redis_errors.TimeoutError('Timeout reading from socket'),
        redis_errors.BusyLoadingError('Redis is loading the dataset'),
    ],
    ids=type,
)
def test_service_faults_are_503(
    *,
    controller: PydanticObtainSync,
    exc: Exception,
) -> None:
    error = fault_error(controller, exc)

    assert error is not None
    assert error.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert error.headers == {'Retry-After': str(RETRY_AFTER_SECONDS)}
    # Never the driver's message: it can name hosts, users, passwords.
    assert error.raw_data == {
        'detail': [
            {'msg': SERVICE_UNAVAILABLE_MESSAGE, 'type': 'internal_error'},
        ],
    }


@pytest.mark.parametrize(
    'exc',
    [
        # A missing table: run `migrate`, retrying does not help.
        ProgrammingError('relation "dmr_jwt_blocklist" does not exist'),
        IntegrityError('duplicate key'),
        DataError('value too long'),
        InternalError('current transaction is aborted'),
        DatabaseError('something else'),
        ValueError('a bug'),
        # Raised by a hook, not by the body parser: a bug, a 500.
        RecursionError('maximum recursion depth exceeded'),
        msgspec.ValidationError('Expected `int`, got `str`'),
    ],
    ids=type,
)
def test_other_errors_are_left_to_the_framework(
    *,
    controller: PydanticObtainSync,
    exc: Exception,
) -> None:
    assert fault_error(controller, exc) is None


def test_unreadable_body_is_400_not_503(controller: PydanticObtainSync) -> None:
    # An `OSError`: the client went away mid-body, no service is sick.
    error = fault_error(controller, UnreadablePostError('connection reset'))

    assert error is not None
    assert error.status_code == HTTPStatus.BAD_REQUEST


class _DeepParser(Parser):
    __slots__ = ()

    content_type = 'application/json'

    @override
    def parse(self, *args: Any, **kwargs: Any) -> Any:
        raise RecursionError('maximum recursion depth exceeded')


def test_recursion_in_a_parser_is_400(controller: PydanticObtainSync) -> None:
    with pytest.raises(RecursionError) as raised:
        _DeepParser().parse(b'[[[')
    error = fault_error(controller, raised.value)

    assert error is not None
    assert error.status_code == HTTPStatus.BAD_REQUEST
    assert error.raw_data == {
        'detail': [
            {'msg': 'Request body is nested too deeply', 'type': 'value_error'},
        ],
    }


def test_fault_description_is_one_short_line() -> None:
    exc = OperationalError('connection refused\n' + 'detail ' * 100)

    assert describe_fault(exc) == 'OperationalError: connection refused'
    assert len(describe_fault(OSError('x' * 1000))) < 220


_ROUTERS: Final[dict[str, Router]] = {
    'api': urls.router,
    'blocklist': blocklist_urls.router,
    'logout': logout_urls.router,
    'everywhere': everywhere_urls.router,
    'faults': faults_urls.router,
}


@pytest.mark.parametrize('router_name', list(_ROUTERS))
def test_every_operation_documents_503(router_name: str) -> None:
    schema = build_schema(_ROUTERS[router_name]).convert()

    operations = [
        operation
        for path_item in schema['paths'].values()
        for operation in path_item.values()
    ]
    assert operations
    for operation in operations:
        unavailable = operation['responses']['503']
        assert unavailable['content'] == {
            'application/json': {
                'schema': {'$ref': '#/components/schemas/ErrorModel'},
            },
        }
        assert set(unavailable['headers']) == {'Retry-After'}
        assert unavailable['headers']['Retry-After']['required'] is True
