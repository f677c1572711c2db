"""Many refreshes with one refresh token at once: exactly one wins.

Eight threads, each with its own test client (so its own database
connection), post the same refresh token to a rotating refresh controller
at the same moment, through the whole request stack:

- PostgreSQL: in this process, the blocklist tables on the ``postgres``
  alias (``transaction=True``: every thread sees committed rows only).
- SQLite: in a subprocess against a SQLite *file* (the in-memory test
  database refuses concurrent writers instead of making them wait; see
  :mod:`tests.blocklist.test_concurrency`), migrated by the subprocess.

The losers all fall inside the grace period: ``401`` "already used", and
the family stays valid.
"""

import json
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Final

import pytest
from django.contrib.auth.models import User
from django.db import connections
from django.test import Client
from pytest_django import Settings

from dmr_jwt.blocklist.models import RevokedTokenFamily, UsedRefreshToken
from dmr_jwt.errors import Reason
from tests.blocklist.conftest import require_postgres
from tests.conftest import PASSWORD, Mode, unauthorized

_RACERS: Final = 8

_REPO_ROOT: Final = Path(__file__).resolve().parents[2]

_MODES: Final = ('sync', 'async')


def login(mode: str) -> dict[str, str]:
    """Obtain a token pair for ``test_user``."""
    response = Client().post(
        f'/blocklist/pydantic/obtain/{mode}/',
        data={'username': 'test_user', 'password': PASSWORD},
        content_type='application/json',
    )
    assert response.status_code == 200, response.content
    tokens: dict[str, str] = response.json()
    return tokens


def race_refresh(mode: str, refresh_token: str) -> list[tuple[int, Any]]:
    """Refresh with *refresh_token* from every racer at once.

    Returns ``(status, body)`` of every response; re-raises the first error.
    """
    barrier = threading.Barrier(_RACERS)

    def racer(_: int) -> tuple[int, Any]:
        client = Client()
        try:
            barrier.wait()
            response = client.post(
                f'/rotation/pydantic/{mode}/',
                data={'refresh_token': refresh_token},
                content_type='application/json',
            )
            return response.status_code, response.json()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=_RACERS) as pool:
        return list(pool.map(racer, range(_RACERS)))


def assert_one_winner(results: list[tuple[int, Any]]) -> None:
    """Exactly one new pair; every other racer got "already used"."""
    statuses = sorted(status for status, _body in results)
    assert statuses == [200] + [401] * (_RACERS - 1), results
    for status, body in results:
        if status == 401:
            assert body == unauthorized(Reason.REUSED)
        else:
            assert set(body) == {'access_token', 'refresh_token'}


@pytest.mark.urls('tests.app.rotation_urls')
@pytest.mark.django_db(databases='__all__', transaction=True)
@pytest.mark.parametrize('mode', _MODES)
def test_threads_on_postgres(*, settings: Settings, mode: Mode) -> None:
    require_postgres(settings)
    settings.DMR_JWT = {
        'BLOCKLIST_DATABASE': 'postgres',
        'BLOCKLIST_CACHE': None,
    }
    User.objects.create_user('test_user', password=PASSWORD)
    tokens = login(mode)

    results = race_refresh(mode, tokens['refresh_token'])

    assert_one_winner(results)
    assert UsedRefreshToken.objects.using('postgres').count() == 1
    assert not RevokedTokenFamily.objects.using('postgres').exists()


#: Run by a subprocess against a SQLite file: migrate, race, report.
_SQLITE_RACE: Final = """
import json, sys
import django
django.setup()
from django.core.management import call_command
from django.test.utils import override_settings, setup_test_environment
setup_test_environment()
call_command('migrate', verbosity=0)
from django.contrib.auth.models import User
from dmr_jwt.blocklist.models import RevokedTokenFamily, UsedRefreshToken
from tests.blocklist.test_rotation_concurrency import login, race_refresh
from tests.conftest import PASSWORD
User.objects.create_user('test_user', password=PASSWORD)
report = {}
with override_settings(ROOT_URLCONF='tests.app.rotation_urls'):
    for mode in ('sync', 'async'):
        results = race_refresh(mode, login(mode)['refresh_token'])
        report[mode] = {
            'results': results,
            'used': UsedRefreshToken.objects.count(),
            'revoked': RevokedTokenFamily.objects.count(),
        }
        UsedRefreshToken.objects.all().delete()
json.dump(report, sys.stdout)
"""


@pytest.fixture(scope='module')
def sqlite_file_race(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The race report of a subprocess that refreshes on a SQLite file."""
    database = tmp_path_factory.mktemp('rotation-race') / 'rotation.sqlite3'
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


@pytest.mark.parametrize('mode', _MODES)
def test_threads_on_a_sqlite_file(*, sqlite_file_race: Any, mode: Mode) -> None:
    report = sqlite_file_race[mode]

    assert_one_winner([tuple(result) for result in report['results']])
    assert report['used'] == 1
    assert report['revoked'] == 0
