"""Fixtures shared by the whole suite."""

from collections.abc import Callable
from typing import Any, Literal, TypeAlias

import pytest
from django.contrib.auth.models import User
from django.test import AsyncClient, Client

Mode: TypeAlias = Literal['sync', 'async']
SerializerName: TypeAlias = Literal['pydantic', 'msgspec']

PASSWORD = 'password'


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
