"""``manage.py flush_expired_jwtokens`` and the store function behind it."""

import dataclasses
import datetime as dt
import io
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Final

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.db.models import QuerySet
from pytest_django import Settings

from dmr_jwt.blocklist import store
from dmr_jwt.blocklist.models import BlocklistedJWToken

pytestmark = pytest.mark.django_db(databases='__all__')

_COMMAND: Final = 'flush_expired_jwtokens'


@pytest.fixture
def database(settings: Settings, blocklist_database: str) -> str:
    """Keep the blocklist in *blocklist_database* (SQLite, PostgreSQL)."""
    settings.DMR_JWT = {'BLOCKLIST_DATABASE': blocklist_database}
    return blocklist_database


def _rows(database: str) -> QuerySet[BlocklistedJWToken]:
    return BlocklistedJWToken.objects.using(database).all()


def _jtis(database: str) -> set[str]:
    return set(_rows(database).values_list('jti', flat=True))


def _add_rows(database: str, *expires_at: dt.datetime) -> list[str]:
    """Store a row per expiry time; return their ``jti`` in that order."""
    rows = [
        BlocklistedJWToken(jti=uuid.uuid4().hex, sub='1', expires_at=when)
        for when in expires_at
    ]
    _rows(database).bulk_create(rows)
    return [row.jti for row in rows]


def _ago(seconds: int) -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(seconds=seconds)


def _add_expired_and_live(
    database: str,
    *,
    expired: int,
    live: int = 3,
) -> tuple[list[str], list[str]]:
    expired_jtis = _add_rows(
        database,
        *(_ago(60 * (index + 1)) for index in range(expired)),
    )
    live_jtis = _add_rows(
        database,
        *(_ago(-3600 * (index + 1)) for index in range(live)),
    )
    return expired_jtis, live_jtis


def _flush(*args: str) -> str:
    out = io.StringIO()
    call_command(_COMMAND, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@dataclasses.dataclass
class _Statement:
    sql: str
    params: tuple[Any, ...]


@contextmanager
def _statements(database: str) -> Iterator[list[_Statement]]:
    """Record every statement sent to *database*, with its parameters."""
    seen: list[_Statement] = []

    def record(
        execute: Callable[..., Any],
        sql: str,
        params: Any,
        many: bool,
        context: dict[str, Any],
    ) -> Any:
        seen.append(_Statement(sql=sql, params=tuple(params or ())))
        return execute(sql, params, many, context)

    with connections[database].execute_wrapper(record):
        yield seen


# The command:


@pytest.mark.parametrize(
    ('expired', 'batch_size', 'batches'),
    [
        pytest.param(5, 2, 3, id='5-by-2'),
        pytest.param(4, 2, 2, id='4-by-2'),
        pytest.param(5, 5, 1, id='5-by-5'),
        pytest.param(1, 1000, 1, id='1-by-1000'),
        pytest.param(0, 2, 0, id='none-expired'),
    ],
)
def test_command_deletes_exactly_the_expired_rows(
    *,
    database: str,
    expired: int,
    batch_size: int,
    batches: int,
) -> None:
    _, live_jtis = _add_expired_and_live(database, expired=expired)

    output = _flush('--batch-size', str(batch_size))

    assert _jtis(database) == set(live_jtis)
    assert re.search(rf'\bDeleted {expired}\b.*\b{batches} batch', output)


def test_command_without_options(*, database: str) -> None:
    _, live_jtis = _add_expired_and_live(database, expired=2)

    output = _flush()

    assert _jtis(database) == set(live_jtis)
    assert re.search(r'\bDeleted 2\b.*\b1 batch', output)


@pytest.mark.parametrize(
    ('expired', 'batch_size', 'batches'),
    [
        pytest.param(5, 2, 3, id='5-by-2'),
        pytest.param(0, 2, 0, id='none-expired'),
    ],
)
def test_command_dry_run_deletes_nothing(
    *,
    database: str,
    expired: int,
    batch_size: int,
    batches: int,
) -> None:
    expired_jtis, live_jtis = _add_expired_and_live(database, expired=expired)

    output = _flush('--dry-run', '--batch-size', str(batch_size))

    assert _jtis(database) == {*expired_jtis, *live_jtis}
    assert re.search(rf'\b{expired}\b.*\b{batches} batch', output)
    assert 'Deleted' not in output


@pytest.mark.parametrize('batch_size', ['0', '-1', 'two', '1.5'])
def test_command_rejects_a_bad_batch_size(
    *,
    database: str,
    batch_size: str,
) -> None:
    expired_jtis, live_jtis = _add_expired_and_live(database, expired=2)

    with pytest.raises(CommandError, match='batch-size'):
        _flush('--batch-size', batch_size)

    assert _jtis(database) == {*expired_jtis, *live_jtis}


def test_each_delete_is_bounded_by_the_batch_size(*, database: str) -> None:
    expired_jtis, live_jtis = _add_expired_and_live(database, expired=5)
    ids = dict(_rows(database).values_list('pk', 'jti'))

    with _statements(database) as statements:
        _flush('--batch-size', '2')

    deletes = [
        statement
        for statement in statements
        if statement.sql.lstrip().upper().startswith('DELETE')
    ]
    assert len(deletes) == 3
    deleted_ids = [
        [param for param in delete.params if isinstance(param, int)]
        for delete in deletes
    ]
    assert [len(batch) for batch in deleted_ids] == [2, 2, 1]
    assert {ids[pk] for batch in deleted_ids for pk in batch} == set(
        expired_jtis,
    )
    assert _jtis(database) == set(live_jtis)


# The store function:


def test_flush_expired_respects_the_cut_off(*, database: str) -> None:
    cut_off = dt.datetime(2030, 6, 1, 12, 0, tzinfo=dt.UTC)
    second = dt.timedelta(seconds=1)
    before, at, after = _add_rows(
        database,
        cut_off - second,
        cut_off,
        cut_off + second,
    )

    dry = store.flush_expired(now=cut_off, dry_run=True)
    result = store.flush_expired(now=cut_off)

    assert dry == store.FlushResult(deleted=1, batches=1)
    assert result == store.FlushResult(deleted=1, batches=1)
    assert _jtis(database) == {at, after}
    assert before not in _jtis(database)


def test_flush_expired_defaults_to_now(*, database: str) -> None:
    expired_jtis, live_jtis = _add_expired_and_live(database, expired=3)

    result = store.flush_expired(batch_size=2)

    assert result == store.FlushResult(deleted=3, batches=2)
    assert _jtis(database) == set(live_jtis)
    assert not set(expired_jtis) & _jtis(database)


@pytest.mark.parametrize('batch_size', [0, -1])
def test_flush_expired_rejects_a_bad_batch_size(
    *,
    database: str,
    batch_size: int,
) -> None:
    _add_expired_and_live(database, expired=1)

    with pytest.raises(ValueError, match='batch_size'):
        store.flush_expired(batch_size=batch_size)

    assert _rows(database).count() == 4
