"""The user cache of ``SubjectLookup`` down: the database answers.

``user_cache_timeout`` caches users in Django's cache; here that cache is
a Redis that cannot be reached (a closed port: redis-py raises its
``ConnectionError``). A request is answered from the database, with one
short log line per failed cache call; only with the database down too is
the answer a ``503``.
"""

import datetime as dt
import logging
import time
from typing import Final

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.test import Client
from pytest_django import Settings as SettingsWrapper

from dmr_jwt.token import JWToken
from tests.boundary.conftest import assert_unavailable, closed_port, unreachable
from tests.conftest import Mode

pytestmark = pytest.mark.urls('tests.app.faults_urls')

_CACHE_LOGGER: Final = 'dmr_jwt.cache'


@pytest.fixture
def cache_down(settings: SettingsWrapper) -> None:
    """The ``default`` cache (the user cache here): Redis on a closed port."""
    settings.CACHES = {
        **settings.CACHES,
        'default': {
            'BACKEND': 'django.core.cache.backends.redis.RedisCache',
            'LOCATION': f'redis://127.0.0.1:{closed_port()}/0',
        },
    }


def _access_token(user: User) -> str:
    now = dt.datetime.now(dt.UTC)
    return JWToken(
        sub=str(user.pk),
        exp=now + dt.timedelta(minutes=5),
        iat=now,
        jti='user-cache-test',
        extras={'type': 'access'},
    ).encode(django_settings.SECRET_KEY, 'HS256')


def _whoami(client: Client, mode: Mode, token: str) -> tuple[int, float]:
    start = time.monotonic()
    response = client.get(
        f'/faults/user-cache/{mode}/',
        headers={'Authorization': f'Bearer {token}'},
    )
    return response.status_code, time.monotonic() - start


@pytest.mark.django_db
@pytest.mark.usefixtures('cache_down')
def test_database_answers_when_the_cache_is_down(
    *,
    client: Client,
    caplog: pytest.LogCaptureFixture,
    user: User,
    mode: Mode,
) -> None:
    token = _access_token(user)
    with caplog.at_level(logging.WARNING, _CACHE_LOGGER):
        answers = [_whoami(client, mode, token) for _ in range(5)]

    assert [status for status, _seconds in answers] == [200] * 5
    assert all(seconds < 5 for _status, seconds in answers)
    # One line for the window, not one per call: the breaker is open.
    [record] = [r for r in caplog.records if r.name == _CACHE_LOGGER]
    assert record.exc_info is None
    assert 'ConnectionError' in record.getMessage()
    assert "the user cache 'default' failed on read" in record.getMessage()


@pytest.mark.django_db(transaction=True, databases='__all__')
@pytest.mark.usefixtures('on_postgres', 'cache_down')
def test_nothing_can_answer_is_503(*, client: Client, mode: Mode) -> None:
    user = User.objects.create_user('pg_cached')
    token = _access_token(user)

    with unreachable():
        start = time.monotonic()
        response = client.get(
            f'/faults/user-cache/{mode}/',
            headers={'Authorization': f'Bearer {token}'},
        )
        assert_unavailable(response, time.monotonic() - start)

    assert _whoami(client, mode, token)[0] == 200
