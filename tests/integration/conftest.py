"""Fixtures of the HTTP tests of the performance modes."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches

from dmr_jwt import JWToken
from dmr_jwt.errors import InvalidTokenError, Reason
from tests.app.perf_urls import perf_path
from tests.conftest import Mode, SerializerName
from tests.integration.perf import Decoder, Url


@pytest.fixture(name='perf_url')
def perf_url_fixture(serializer: SerializerName, mode: Mode) -> Url:
    """Build ``/perf/<serializer>/<variant>/<mode>/`` for the axes."""

    def factory(variant: str) -> str:
        return perf_path(serializer, variant, mode)

    return factory


@pytest.fixture
def clean_default_cache() -> Iterator[None]:
    """Start and end with an empty ``default`` cache (users, blocklist)."""
    caches['default'].clear()
    yield
    caches['default'].clear()


@pytest.fixture
def decoder(monkeypatch: pytest.MonkeyPatch) -> Decoder:
    """Spy on ``JWToken.decode`` (optionally break it)."""
    spy = Decoder()
    original = JWToken.decode.__func__  # type: ignore[attr-defined]

    def decode(
        cls: type[JWToken],
        /,
        encoded: str,
        secret: str,
        **keywords: Any,
    ) -> JWToken:
        spy.calls.append(encoded)
        if spy.broken:
            raise InvalidTokenError(Reason.INVALID_SIGNATURE)
        return original(cls, encoded, secret, **keywords)  # type: ignore[no-any-return]

    monkeypatch.setattr(JWToken, 'decode', classmethod(decode))
    return spy
