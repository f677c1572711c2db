"""Fixtures shared by the whole suite."""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias

import pytest
from dirty_equals import IsStr
from django.contrib.auth.models import User
from django.test import AsyncClient, Client
from dmr.exceptions import NotAuthenticatedError
from pytest_django import Settings

from dmr_jwt._internal.http_errors import challenge_header
from dmr_jwt.errors import InvalidTokenError, Reason
from tests.i18n import GERMAN, write_mo

if TYPE_CHECKING:
    from django.test.client import (
        _MonkeyPatchedASGIResponse,
        _MonkeyPatchedWSGIResponse,
    )

Mode: TypeAlias = Literal['sync', 'async']
SerializerName: TypeAlias = Literal['pydantic', 'msgspec']

PASSWORD = 'password'

#: What a token family id made by the controllers looks like.
FAMILY_ID: Final = IsStr(regex=r'[0-9a-f]{32}')

#: The framework's message for a request that carries no token at all.
NOT_AUTHENTICATED: Final = 'Not authenticated'

#: What ``assert_unauthorized`` accepts: a response of either test client.
AnyResponse: TypeAlias = (
    '_MonkeyPatchedWSGIResponse | _MonkeyPatchedASGIResponse'
)


def unauthorized(reason: Reason | None = None) -> dict[str, Any]:
    """
    The body of a ``401``: the message of *reason*.

    ``None``: the framework's plain ``Not authenticated``, for requests
    without a token and for wrong credentials.
    """
    msg = NOT_AUTHENTICATED if reason is None else reason.value
    return {'detail': [{'msg': msg, 'type': 'security'}]}


def challenge(reason: Reason | None = None, scheme: str = 'Bearer') -> str:
    """
    The ``WWW-Authenticate`` value of a ``401`` (RFC 6750, section 3).

    Written out here, not built by ``dmr_jwt.errors.challenge_header``:
    the tests must not trust the code they test.
    """
    if reason is None:
        return scheme
    return f'{scheme} error="invalid_token", error_description="{reason.value}"'


def assert_unauthorized(
    response: AnyResponse,
    reason: Reason | None = None,
    *,
    scheme: str | None = 'Bearer',
) -> None:
    """
    Assert a ``401`` that says *reason* (``None``: no token was sent).

    *scheme* is the auth scheme of the challenge; ``None`` when the
    endpoint sends no ``WWW-Authenticate`` at all (no auth class, like the
    token controllers, or a token that is not in ``Authorization``).
    """
    assert response.status_code == 401, response.content
    assert response.json() == unauthorized(reason)
    expected = None if scheme is None else challenge(reason, scheme)
    assert response.headers.get('WWW-Authenticate') == expected


def assert_invalid_token(error: BaseException, reason: Reason) -> None:
    """Assert that *error* is the token layer's refusal for *reason*."""
    assert isinstance(error, InvalidTokenError)
    assert error.reason is reason
    assert str(error) == reason.value
    assert error.__suppress_context__


def assert_token_error(error: BaseException, reason: Reason) -> None:
    """Assert that *error* is the ``401`` of *reason*, with its challenge."""
    assert isinstance(error, NotAuthenticatedError)
    assert str(error) == reason.value
    assert challenge_header('Bearer', error) == challenge(reason)


@pytest.fixture(params=['sync', 'async'])
def mode(request: pytest.FixtureRequest) -> Mode:
    """Run a test once through sync and once through async controllers."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture(params=['pydantic', 'msgspec'])
def serializer(request: pytest.FixtureRequest) -> SerializerName:
    """Run a test once per serializer."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def url(serializer: SerializerName, mode: Mode) -> Callable[[str], str]:
    """Build ``/api/<serializer>/<name>/<mode>/`` for the current axes."""

    def factory(name: str) -> str:
        return f'/api/{serializer}/{name}/{mode}/'

    return factory


@pytest.fixture
def german(tmp_path: Path, settings: Settings) -> None:
    """Install ``tests.i18n.GERMAN``: the ``de`` catalog of ``LOCALE_PATHS``."""
    write_mo(tmp_path / 'de' / 'LC_MESSAGES' / 'django.mo', GERMAN)
    # Assigning the setting makes Django forget its loaded catalogs.
    settings.LOCALE_PATHS = [str(tmp_path)]


@pytest.fixture
def user(db: Any) -> User:
    """An active user with a known password."""
    return User.objects.create_user('test_user', password=PASSWORD)


@pytest.fixture
def client() -> Client:
    """Django's test client (overrides pytest-django's, same thing)."""
    return Client()


@pytest.fixture
def async_client() -> AsyncClient:
    """Django's async test client."""
    return AsyncClient()


@pytest.fixture(autouse=True)
def _fresh_revocation_store() -> Iterator[None]:
    # The store is built once per settings, with its circuit breaker: a
    # test that broke the cache must not leave the breaker open for the
    # next one.
    from dmr_jwt.blocklist.store import get_store  # noqa: PLC0415

    get_store.cache_clear()
    yield
    get_store.cache_clear()
