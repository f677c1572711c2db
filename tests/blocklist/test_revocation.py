"""The combined revocation check: blocklist, watermark, family in one read.

Every database and cache (``blocklist_backend``), both twins. The cache
calls are counted by wrapping the cache object that the store uses, so the
tests see exactly what the store asks the cache for.
"""

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any, Final, Literal
from unittest import mock

import pytest
from asgiref.sync import async_to_sync
from django.core.cache import caches
from django.db import connections
from django.test.utils import CaptureQueriesContext

from dmr_jwt.blocklist import store
from dmr_jwt.token import JWToken
from tests.blocklist.conftest import BlocklistBackend, committed
from tests.conftest import Mode

pytestmark = pytest.mark.django_db(databases='__all__')

Revoked = Literal['not-revoked', 'blocklisted', 'watermark', 'family']

_FAMILY: Final = 'f' * 32
_REVOCATIONS: Final = ('not-revoked', 'blocklisted', 'watermark', 'family')

_CACHED_ONLY: Final = pytest.mark.parametrize(
    'blocklist_cache',
    [pytest.param('locmem', id='locmem'), pytest.param('redis', id='redis')],
    indirect=True,
)
_NO_CACHE: Final = pytest.mark.parametrize(
    'blocklist_cache',
    [pytest.param('no-cache', id='no-cache')],
    indirect=True,
)


def _token(*, family: str | None = _FAMILY, sub: str = '42') -> JWToken:
    now = dt.datetime.now(dt.UTC)
    return JWToken(
        sub=sub,
        exp=now + dt.timedelta(hours=1),
        iat=now - dt.timedelta(minutes=5),
        jti=f'jti-{family}-{sub}',
        extras={} if family is None else {'family': family},
    )


def _revoke(how: Revoked, token: JWToken) -> None:
    if how == 'blocklisted':
        store.get_store().blocklist(token)
    elif how == 'watermark':
        with committed():
            store.revoke_all(token.sub)
    elif how == 'family':
        store.revoke_family(
            _FAMILY,
            sub=token.sub,
            expires_at=token.exp,
        )


def _is_revoked(mode: Mode, token: JWToken) -> bool:
    if mode == 'async':
        return async_to_sync(store.get_store().ais_revoked)(token)
    return store.get_store().is_revoked(token)


class CacheCalls:
    """The reads that the store made through one cache alias.

    ``get`` counts single reads of the store only, not those that a
    backend's ``get_many`` makes for itself.
    """

    def __init__(self, alias: str) -> None:
        self.cache = caches[alias]
        self.get_many: list[list[str]] = []
        self.get = 0

    def __enter__(self) -> 'CacheCalls':
        real_get_many = self.cache.get_many
        real_get = self.cache.get

        inside_get_many = False

        def get_many(keys: list[str], *args: Any, **kwargs: Any) -> Any:
            nonlocal inside_get_many
            self.get_many.append(list(keys))
            inside_get_many = True
            try:  # `LocMemCache` inherits a `get_many` that calls `get`
                return real_get_many(keys, *args, **kwargs)
            finally:
                inside_get_many = False

        def get(*args: Any, **kwargs: Any) -> Any:
            if not inside_get_many:
                self.get += 1
            return real_get(*args, **kwargs)

        self._patches = [
            mock.patch.object(self.cache, 'get_many', get_many),
            mock.patch.object(self.cache, 'get', get),
        ]
        for patch in self._patches:
            patch.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        for patch in self._patches:
            patch.stop()


@pytest.fixture
def fresh_cache(blocklist_backend: BlocklistBackend) -> Iterator[None]:
    """Nothing cached from earlier tests (subjects repeat)."""
    if blocklist_backend.cache is not None:
        caches[blocklist_backend.cache].clear()
    yield
    if blocklist_backend.cache is not None:
        caches[blocklist_backend.cache].clear()


@pytest.mark.usefixtures('fresh_cache')
@pytest.mark.parametrize('how', _REVOCATIONS)
def test_every_kind_of_revocation_is_found(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    how: Revoked,
) -> None:
    token = _token()
    _revoke(how, token)

    assert _is_revoked(mode, token) is (how != 'not-revoked')
    assert _is_revoked(mode, token) is (how != 'not-revoked')  # cached


@_CACHED_ONLY
@pytest.mark.usefixtures('fresh_cache')
@pytest.mark.parametrize('family', [_FAMILY, None], ids=['family', 'none'])
def test_steady_state_is_one_cache_read_and_no_query(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    family: str | None,
) -> None:
    assert blocklist_backend.cache is not None
    token = _token(family=family)
    _is_revoked(mode, token)  # learns the three "not revoked" answers

    with (
        CacheCalls(blocklist_backend.cache) as calls,
        CaptureQueriesContext(connections[blocklist_backend.database]) as sql,
    ):
        assert not _is_revoked(mode, token)

    assert sql.captured_queries == []
    assert calls.get == 0
    assert len(calls.get_many) == 1
    assert len(calls.get_many[0]) == (3 if family else 2)


@_NO_CACHE
@pytest.mark.usefixtures('fresh_cache')
def test_without_a_cache_each_answer_is_one_query(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
) -> None:
    token = _token()

    with CaptureQueriesContext(
        connections[blocklist_backend.database],
    ) as sql:
        assert not _is_revoked(mode, token)

    # The blocklist, the watermark, the family: in that order.
    assert len(sql.captured_queries) == 3


@_CACHED_ONLY
@pytest.mark.usefixtures('fresh_cache')
@pytest.mark.parametrize('how', _REVOCATIONS)
def test_a_broken_cache_falls_back_to_the_database(
    *,
    blocklist_backend: BlocklistBackend,
    mode: Mode,
    how: Revoked,
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert blocklist_backend.cache is not None
    token = _token()
    _revoke(how, token)
    cache = caches[blocklist_backend.cache]

    with (
        mock.patch.object(cache, 'get_many', side_effect=ConnectionError),
        mock.patch.object(cache, 'aget_many', side_effect=ConnectionError),
        caplog.at_level(logging.WARNING, logger='dmr_jwt.blocklist.store'),
    ):
        answer = _is_revoked(mode, token)

    assert answer is (how != 'not-revoked')
    assert 'revocation cache' in caplog.text
    assert 'failed on read' in caplog.text


def test_a_token_without_jti_cannot_be_checked(mode: Mode) -> None:
    token = JWToken(sub='42', exp=dt.datetime.now(dt.UTC) + dt.timedelta(1))

    with pytest.raises(store.BlocklistError):
        _is_revoked(mode, token)
