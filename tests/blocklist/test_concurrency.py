"""Blocking one token from many threads, processes or tasks at once.

The store relies on ``get_or_create`` over the unique ``jti``: every racer
must succeed, exactly one of them creates the row.

- PostgreSQL: real threads, each on its own connection.
- SQLite: the test database is in memory with a shared cache, where
  concurrent writers fail at once with "database table is locked" instead
  of waiting, so threads cannot race there reliably. The thread race runs
  in a subprocess instead, against a SQLite *file* (``DMR_JWT_TEST_SQLITE``
  is its ``NAME`` in ``tests/settings.py``), migrated by the subprocess.
  The losing path of ``get_or_create`` (the row appears between its
  ``SELECT`` and ``INSERT``) is also forced in-process, on every database.
- async: ``asyncio.gather`` of ``ablocklist``; the ORM runs its calls in one
  thread, so these are interleaved, not parallel.
"""

import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Final, Literal

import pytest
from asgiref.sync import sync_to_async
from django.db import connections
from django.db.models import QuerySet
from pytest_django import Settings

from dmr_jwt.blocklist import store
from dmr_jwt.blocklist.models import BlocklistedJWToken
from dmr_jwt.token import JWToken
from tests.blocklist.conftest import TokenFactory, require_postgres

_RACERS: Final = 8

_REPO_ROOT: Final = Path(__file__).resolve().parents[2]

_Jtis = Literal['same', 'distinct']

_JTIS: Final = pytest.mark.parametrize(
    'jtis',
    [
        pytest.param('same', id='same-jti'),
        pytest.param('distinct', id='distinct-jtis'),
    ],
)


def racing_tokens(jtis: _Jtis) -> list[JWToken]:
    """Tokens for every racer: all with one ``jti``, or each its own."""
    shared = uuid.uuid4().hex
    exp = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    return [
        JWToken(
            sub=str(index),
            exp=exp,
            jti=shared if jtis == 'same' else uuid.uuid4().hex,
        )
        for index in range(_RACERS)
    ]


def race_blocklist(tokens: list[JWToken]) -> list[bool]:
    """Blocklist *tokens* from one thread each, started together.

    Returns ``created`` of every call; re-raises the first error.
    """
    barrier = threading.Barrier(len(tokens))

    def racer(token: JWToken) -> bool:
        try:
            barrier.wait()
            return store.get_store().blocklist(token)[1]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        return list(pool.map(racer, tokens))


def _assert_race_result(
    *,
    jtis: _Jtis,
    created: list[bool],
    stored_jtis: list[str],
) -> None:
    assert len(created) == _RACERS
    if jtis == 'same':
        assert created.count(True) == 1
        assert len(stored_jtis) == 1
    else:
        assert all(created)
        assert len(set(stored_jtis)) == len(stored_jtis) == _RACERS


def _rows(settings: Settings) -> QuerySet[BlocklistedJWToken]:
    database = settings.DMR_JWT['BLOCKLIST_DATABASE']
    return BlocklistedJWToken.objects.using(database).all()


@pytest.fixture
def on_postgres(settings: Settings) -> None:
    """Keep the blocklist on PostgreSQL, without a cache."""
    require_postgres(settings)
    settings.DMR_JWT = {
        'BLOCKLIST_DATABASE': 'postgres',
        'BLOCKLIST_CACHE': None,
    }


@pytest.mark.django_db(databases='__all__', transaction=True)
@pytest.mark.usefixtures('on_postgres')
@_JTIS
def test_threads_on_postgres(*, settings: Settings, jtis: _Jtis) -> None:
    tokens = racing_tokens(jtis)

    created = race_blocklist(tokens)

    _assert_race_result(
        jtis=jtis,
        created=created,
        stored_jtis=list(_rows(settings).values_list('jti', flat=True)),
    )


@pytest.mark.django_db(databases='__all__', transaction=True)
@pytest.mark.usefixtures('on_postgres')
@_JTIS
async def test_gathered_tasks_on_postgres(
    *,
    settings: Settings,
    jtis: _Jtis,
) -> None:
    tokens = racing_tokens(jtis)
    try:
        results = await asyncio.gather(
            *(store.get_store().ablocklist(token) for token in tokens),
        )
        stored = await sync_to_async(
            lambda: list(_rows(settings).values_list('jti', flat=True)),
        )()
    finally:
        # The ORM's worker thread holds its own connection: a leftover
        # session would keep the test database from being dropped.
        await sync_to_async(connections.close_all)()

    _assert_race_result(
        jtis=jtis,
        created=[created for _row, created in results],
        stored_jtis=stored,
    )


#: Run by a subprocess against a SQLite file: migrate, race, report.
_SQLITE_RACE: Final = """
import json, sys
import django
django.setup()
from django.core.management import call_command
call_command('migrate', verbosity=0)
from dmr_jwt.blocklist.models import BlocklistedJWToken
from tests.blocklist.test_concurrency import race_blocklist, racing_tokens
report = {}
for jtis in ('same', 'distinct'):
    created = race_blocklist(racing_tokens(jtis))
    stored = list(BlocklistedJWToken.objects.values_list('jti', flat=True))
    BlocklistedJWToken.objects.all().delete()
    report[jtis] = {'created': created, 'stored_jtis': stored}
json.dump(report, sys.stdout)
"""


@pytest.fixture(scope='module')
def sqlite_file_race(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The race report of a subprocess that blocklists on a SQLite file."""
    database = tmp_path_factory.mktemp('sqlite-race') / 'blocklist.sqlite3'
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {'DMR_JWT_TEST_POSTGRES', 'DMR_JWT_TEST_REDIS'}
    }
    env.update(
        DJANGO_SETTINGS_MODULE='tests.settings',
        DMR_JWT_TEST_SQLITE=str(database),
        PYTHONPATH=os.pathsep.join([str(_REPO_ROOT), str(_REPO_ROOT / 'src')]),
    )
    completed = subprocess.run(  # noqa: S603  # our interpreter, our script
        [sys.executable, '-c', _SQLITE_RACE],
        cwd=_REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


@_JTIS
def test_threads_on_a_sqlite_file(
    *,
    sqlite_file_race: Any,
    jtis: _Jtis,
) -> None:
    report = sqlite_file_race[jtis]

    _assert_race_result(
        jtis=jtis,
        created=report['created'],
        stored_jtis=report['stored_jtis'],
    )


@pytest.mark.django_db(databases='__all__')
def test_losing_the_race_between_select_and_insert(
    *,
    settings: Settings,
    blocklist_database: str,
    build_token: TokenFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.DMR_JWT = {
        'BLOCKLIST_DATABASE': blocklist_database,
        'BLOCKLIST_CACHE': None,
    }
    token = build_token()
    winner, _ = store.get_store().blocklist(token)  # the other process
    real_get = QuerySet.get
    gets: list[dict[str, Any]] = []

    def get_missing_first(
        self: QuerySet[Any],
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        gets.append(kwargs)
        if len(gets) == 1:  # our SELECT ran before the winner's INSERT
            raise self.model.DoesNotExist
        return real_get(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, 'get', get_missing_first)

    row, created = store.get_store().blocklist(token)

    assert not created
    assert row.pk == winner.pk
    assert len(gets) == 2  # INSERT failed on the unique jti, then SELECT
    assert _rows(settings).count() == 1
