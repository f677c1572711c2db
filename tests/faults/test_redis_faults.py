"""Revocation under Redis faults: never accepted past the staleness bound.

Each test runs its own ``redis-server`` as the revocation cache
(:mod:`tests.faults.conftest`), warms the tokens (a protected ``GET`` caches
"not revoked"), breaks Redis (:data:`tests.faults.scenarios.FAULTS`),
revokes (logout, log out everywhere, or logout of a rotated session) and
keeps using the revoked tokens through the fault and after Redis is back.
The store's guarantee, as asserted by :class:`tests.faults.probe.Probe`:

- no call answers a ``5xx`` other than ``503``, none takes longer than
  :data:`tests.faults.probe.CALL_BOUND`;
- the revocation answers ``200``/``204`` (the database row is written);
- every call with a revoked token (or with a pair a revoked refresh token
  still minted) made later than the revocation's return plus
  ``BLOCKLIST_MAX_STALENESS`` is refused, during and after the fault;
- after recovery a fresh login works and its token is accepted, without
  restarting anything.
"""

import logging
import time
from typing import Final, Literal, TypeAlias

import pytest
from django.contrib.auth.models import User
from pytest_django import Settings as SettingsWrapper

from tests.conftest import PASSWORD
from tests.faults.probe import MARGIN, Pair, Probe
from tests.faults.redis_server import RedisServer
from tests.faults.scenarios import FAULTS, Fault, poll

pytestmark = [
    pytest.mark.urls('tests.faults.urls'),
    pytest.mark.django_db(transaction=True, databases='__all__'),
]

Action: TypeAlias = Literal['logout', 'everywhere', 'rotated-logout']

#: Polling rounds after recovery, when every deadline has passed.
_ROUNDS_AFTER_RECOVERY: Final = 3

#: Every action on SQLite; PostgreSQL (when configured) for the logout.
_ACTIONS: Final = [
    *(
        pytest.param(action, 'sqlite', id=f'{action}-sqlite')
        for action in ('logout', 'everywhere', 'rotated-logout')
    ),
    pytest.param('logout', 'postgres', id='logout-postgres'),
]


@pytest.fixture
def user(db: None) -> User:
    """The user of the sessions (``test_user``)."""
    return User.objects.create_user('test_user', password=PASSWORD)


@pytest.mark.parametrize('fault', FAULTS, ids=str)
@pytest.mark.parametrize(
    ('action', 'blocklist_database'),
    _ACTIONS,
    indirect=['blocklist_database'],
)
def test_revoked_tokens_die_within_the_bound(
    probe: Probe,
    redis_server: RedisServer,
    user: User,
    fault: Fault,
    action: Action,
) -> None:
    rotate = action == 'rotated-logout'
    first = session = probe.login()
    other = probe.login()
    if rotate:
        # A rotated session: its first refresh token is used (its reuse
        # is in the grace period); the logout ends the whole family.
        session = _required(probe.refresh(first.refresh, rotate=True))
    for pair in (session, other):
        assert probe.me(pair.access) == 200  # cached "not revoked"
    if not rotate:
        assert probe.refresh(session.refresh) is not None  # cached too

    fault.inject(redis_server)
    if action == 'everywhere':
        probe.everywhere(session, other)
    else:
        probe.logout(session)
    if rotate:
        probe.revoke_with(first, session.refresh)
    poll(probe, until=probe.past_deadline() + MARGIN, rotate=rotate)
    fault.recover(redis_server)
    poll(probe, until=0, rotate=rotate, rounds=_ROUNDS_AFTER_RECOVERY)

    probe.check_calls()
    probe.check_revocations()
    if action != 'everywhere':
        assert probe.me(other.access) == 200  # only the session ended
    fresh = probe.login()
    assert probe.me(fresh.access) == 200
    probe.logout(fresh)
    assert probe.me(fresh.access) == 401


@pytest.mark.parametrize('blocklist_database', ['sqlite'], indirect=True)
def test_a_frozen_redis_is_paid_for_once_per_backoff(
    probe: Probe,
    redis_server: RedisServer,
    user: User,
    settings: SettingsWrapper,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A long back-off: the whole burst falls into one window.
    settings.DMR_JWT = {**settings.DMR_JWT, 'CACHE_BACKOFF': 30}
    session = probe.login()
    assert probe.me(session.access) == 200
    redis_server.freeze()
    caplog.set_level(logging.WARNING)
    started = time.monotonic()

    statuses = [probe.me(session.access) for _ in range(20)]
    probe.logout(session)
    statuses.append(probe.me(session.access))

    elapsed = time.monotonic() - started
    probe.check_calls()
    assert statuses == [200] * 20 + [401]
    records = [
        record
        for record in caplog.records
        if record.name.startswith('dmr_jwt')
        and record.levelno >= logging.WARNING
    ]
    assert len(records) <= 2, [record.getMessage() for record in records]
    # One socket timeout (0.25 s) or two, not one per call.
    assert elapsed < 2.0, elapsed


def _required(pair: Pair | None) -> Pair:
    assert pair is not None
    return pair
