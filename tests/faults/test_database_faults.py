"""The revocation database unreachable: ``503``, never ``500``; no restart.

The blocklist lives on PostgreSQL (``DMR_JWT_TEST_POSTGRES``); the test
points its connection at a closed port of ``127.0.0.1`` (as if the server
were down), then back. Redis (the test's own) stays healthy. While the
database is away, a logout cannot be written: it answers ``503`` with a
``Retry-After`` header (so the client retries), and nothing answers
``500``. Once it is back, the same logout works and the token is refused,
without restarting anything.
"""

import pytest
from django.contrib.auth.models import User

from tests.boundary.conftest import unreachable
from tests.conftest import PASSWORD
from tests.faults.probe import Probe

pytestmark = [
    pytest.mark.urls('tests.faults.urls'),
    pytest.mark.django_db(transaction=True, databases='__all__'),
]


@pytest.mark.parametrize('blocklist_database', ['postgres'], indirect=True)
def test_logout_without_its_database_is_a_503_then_works(
    probe: Probe,
    blocklist_database: str,
) -> None:
    User.objects.create_user('test_user', password=PASSWORD)
    session = probe.login()
    assert probe.me(session.access) == 200

    with unreachable(blocklist_database):
        response = probe.try_logout(session)
        statuses = [probe.me(session.access) for _ in range(3)]
        refused = probe.refresh(session.refresh)

    assert response.status_code == 503, response.content
    assert response.headers['Retry-After']
    assert response.json()['detail'][0]['msg']
    assert set(statuses) <= {200, 503}
    assert refused is None
    probe.check_calls()
    # Back: the retried logout is written and seen at once.
    probe.logout(session)
    assert probe.me(session.access) == 401
    assert probe.refresh(session.refresh) is None
