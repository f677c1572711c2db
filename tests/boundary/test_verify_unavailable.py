"""Verify with a database that cannot be reached: ``503``, then recovers.

Real PostgreSQL (``DMR_JWT_TEST_POSTGRES``), every model on it: the
reusable verify controller with the blocklist mixin and the ready-to-use
verify and refresh controllers of :mod:`dmr_jwt.concrete_views` answer the
framework's ``503`` with ``Retry-After`` while the server is gone, and
``204`` / ``200`` again once it is back, with nothing restarted.
"""

import time
from typing import Final

import pytest
from django.test import Client

from tests.boundary.conftest import (
    Endpoint,
    assert_unavailable,
    login,
    unreachable,
)
from tests.conftest import Mode, SerializerName

pytestmark = [
    pytest.mark.urls('tests.app.verify_urls'),
    pytest.mark.django_db(transaction=True, databases='__all__'),
    pytest.mark.usefixtures('on_postgres'),
]

_ENDPOINTS: Final = {
    'verify-mixin': (
        Endpoint(
            '/verify/{serializer}/blocklist/{mode}/',
            body=lambda tokens: {'access_token': tokens['access_token']},
            authenticated=False,
        ),
        204,
    ),
    'concrete-verify': (
        Endpoint(
            '/concrete/{serializer}/verify/{mode}/',
            body=lambda tokens: {'access_token': tokens['access_token']},
            authenticated=False,
        ),
        204,
    ),
    'concrete-refresh': (
        Endpoint(
            '/concrete/{serializer}/refresh/{mode}/',
            body=lambda tokens: {'refresh_token': tokens['refresh_token']},
            authenticated=False,
        ),
        200,
    ),
}


@pytest.mark.parametrize('name', list(_ENDPOINTS))
def test_unreachable_database_is_503_then_recovers(
    *,
    client: Client,
    serializer: SerializerName,
    mode: Mode,
    name: str,
) -> None:
    endpoint, status_code = _ENDPOINTS[name]
    tokens = login(client)

    with unreachable():
        start = time.monotonic()
        response = endpoint.call(
            client,
            tokens,
            serializer=serializer,
            mode=mode,
        )
        assert_unavailable(response, time.monotonic() - start)

    response = endpoint.call(client, tokens, serializer=serializer, mode=mode)
    assert response.status_code == status_code, response.content
