"""``manage.py flush_expired_jwtokens`` and the store function behind it."""

import dataclasses
import datetime as dt
import io
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Final, TypeAlias

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.db.models import QuerySet
from pytest_django import Settings

from dmr_jwt.blocklist import store
from dmr_jwt.blocklist.models import (
    BlocklistedJWToken,
    RevokedTokenFamily,
    UsedRefreshToken,
)

pytestmark = pytest.mark.django_db(databases='__all__')

_COMMAND: Final = 'flush_expired_jwtokens'

#: A table whose rows carry ``expires_at``.
_Table: TypeAlias = (
    type[BlocklistedJWToken] | type[UsedRefreshToken] | type[RevokedTokenFamily]
)

#: Every table that the command flushes, and the unique key of its rows.
_KEYS: Final[dict[_Table, str]] = {
    BlocklistedJWToken: 'jti',
    UsedRefreshToken: 'jti',
    RevokedTokenFamily: 'family',
}


@pytest.fixture
def database(settings: Settings, blocklist_database: str) -> str:
    """Keep the blocklist in *blocklist_database* (SQLite, PostgreSQL)."""
    settings.DMR_JWT = {'BLOCKLIST_DATABASE': blocklist_database}
    return blocklist_database


@pytest.fixture(
    params=[
        pytest.param(BlocklistedJWToken, id='blocklisted'),
        pytest.param(UsedRefreshToken, id='used-refresh'),
        pytest.param(RevokedTokenFamily, id='revoked-family'),
    ],
)
def table(request: pytest.FixtureRequest) -> _Table:
    """Each table whose rows expire: the command flushes every one."""
    return request.param  # type: ignore[no-any-return]


def _rows(database: str, table: _Table) -> QuerySet[Any]:
    return table._default_manager.using(database).all()


def _keys(database: str, table: _Table) -> set[str]:
    return set(_rows(database, table).values_list(_KEYS[table], flat=True))


def _add_rows(
    database: str,
    table: _Table,
    *expires_at: dt.datetime,
) -> list[str]:
    """Store a row per expiry time; return their keys in that order."""
    rows = [
        table(**{_KEYS[table]: uuid.uuid4().hex}, sub='1', expires_at=when)
        for when in expires_at
    ]
    _rows(database, table).bulk_create(rows)
    return [getattr(row, _KEYS[table]) for row in rows]


def _ago(seconds: int) -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(seconds=seconds)


def _add_expired_and_live(
    database: str,
    table: _Table,
    *,
    expired: int,
    live: int = 3,
) -> tuple[list[str], list[str]]:
    expired_keys = _add_rows(
        database,
        table,
        *(_ago(60 * (index + 1)) for index in range(expired)),
    )
    live_keys = _add_rows(
        database,
        table,
        *(_ago(-3600 * (index + 1)) for index in range(live)),
    )
    return expired_keys, live_keys


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
    table: _Table,
    expired: int,
    batch_size: int,
    batches: int,
) -> None:
    _, live_keys = _add_expired_and_live(database, table, expired=expired)

    output = _flush('--batch-size', str(batch_size))

    assert _keys(database, table) == set(live_keys)
    assert re.search(rf'\bDeleted {expired}\b.*\b{batches} batch', output)


def test_command_without_options(*, database: str, table: _Table) -> None:
    _, live_keys = _add_expired_and_live(database, table, expired=2)

    output = _flush()

    assert _keys(database, table) == set(live_keys)
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
    table: _Table,
    expired: int,
    batch_size: int,
    batches: int,
) -> None:
    expired_keys, live_keys = _add_expired_and_live(
        database,
        table,
        expired=expired,
    )

    output = _flush('--dry-run', '--batch-size', str(batch_size))

    assert _keys(database, table) == {*expired_keys, *live_keys}
    assert re.search(rf'\b{expired}\b.*\b{batches} batch', output)
    assert 'Deleted' not in output


@pytest.mark.parametrize('batch_size', ['0', '-1', 'two', '1.5'])
def test_command_rejects_a_bad_batch_size(
    *,
    database: str,
    table: _Table,
    batch_size: str,
) -> None:
    expired_keys, live_keys = _add_expired_and_live(database, table, expired=2)

    with pytest.raises(CommandError, match='batch-size'):
        _flush('--batch-size', batch_size)

    assert _keys(database, table) == {*expired_keys, *live_keys}


def test_each_delete_is_bounded_by_the_batch_size(
    *, database: str, table: _Table
) -> None:
    expired_keys, live_keys = _add_expired_and_live(database, table, expired=5)
    ids = dict(_rows(database, table).values_list('pk', _KEYS[table]))

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
        expired_keys,
    )
    assert _keys(database, table) == set(live_keys)


# Every table at once:


@pytest.mark.parametrize(
    ('expired', 'batch_size', 'batches'),
    [
        pytest.param((3, 3, 3), 2, 6, id='3-3-3-by-2'),
        pytest.param((0, 5, 1), 2, 4, id='0-5-1-by-2'),
        pytest.param((1, 0, 4), 4, 2, id='1-0-4-by-4'),
        pytest.param((2, 2, 2), 1000, 3, id='2-2-2-by-1000'),
        pytest.param((0, 0, 0), 2, 0, id='none-expired'),
    ],
)
def test_command_flushes_every_table_in_batches_of_its_own(
    *,
    database: str,
    expired: tuple[int, int, int],
    batch_size: int,
    batches: int,
) -> None:
    # A batch never spans two tables: 3 + 3 + 3 rows by 2 are 6 batches.
    rows = {
        table: _add_expired_and_live(database, table, expired=count)
        for table, count in zip(_KEYS, expired, strict=True)
    }
    total = sum(expired)

    dry = store.get_store().flush_expired(batch_size=batch_size, dry_run=True)
    with _statements(database) as statements:
        output = _flush('--batch-size', str(batch_size))

    assert dry == store.FlushResult(deleted=total, batches=batches)
    assert re.search(rf'\bDeleted {total}\b.*\b{batches} batch', output)
    deletes = [
        statement.sql
        for statement in statements
        if statement.sql.lstrip().upper().startswith('DELETE')
    ]
    assert len(deletes) == batches
    for table, (expired_keys, live_keys) in rows.items():
        assert _keys(database, table) == set(live_keys)
        assert not set(expired_keys) & _keys(database, table)


# The store function:


def test_flush_expired_respects_the_cut_off(
    *, database: str, table: _Table
) -> None:
    cut_off = dt.datetime(2030, 6, 1, 12, 0, tzinfo=dt.UTC)
    second = dt.timedelta(seconds=1)
    before, at, after = _add_rows(
        database,
        table,
        cut_off - second,
        cut_off,
        cut_off + second,
    )

    dry = store.get_store().flush_expired(now=cut_off, dry_run=True)
    result = store.get_store().flush_expired(now=cut_off)

    assert dry == store.FlushResult(deleted=1, batches=1)
    assert result == store.FlushResult(deleted=1, batches=1)
    assert _keys(database, table) == {at, after}
    assert before not in _keys(database, table)


def test_flush_expired_defaults_to_now(*, database: str, table: _Table) -> None:
    expired_keys, live_keys = _add_expired_and_live(database, table, expired=3)

    result = store.get_store().flush_expired(batch_size=2)

    assert result == store.FlushResult(deleted=3, batches=2)
    assert _keys(database, table) == set(live_keys)
    assert not set(expired_keys) & _keys(database, table)


@pytest.mark.parametrize('batch_size', [0, -1])
def test_flush_expired_rejects_a_bad_batch_size(
    *,
    database: str,
    table: _Table,
    batch_size: int,
) -> None:
    _add_expired_and_live(database, table, expired=1)

    with pytest.raises(ValueError, match='batch_size'):
        store.get_store().flush_expired(batch_size=batch_size)

    assert _rows(database, table).count() == 4
