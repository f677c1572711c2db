"""Revocation on verify (and the ready-to-use refresh), through real HTTP.

Every database and cache of ``blocklist_backend`` (SQLite and a real
PostgreSQL, local memory, a real Redis and none), sync and async: the
reusable verify controller with ``VerifyTokenBlocklist*Mixin``, and the
ready-to-use verify and refresh controllers of :mod:`dmr_jwt.concrete_views`
(the blocklist app is installed in the suite), refuse every kind of revoked
token with ``401`` "Token has been revoked" and accept the others.
"""

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Final, Literal, TypeAlias

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import caches
from django.test import Client

from dmr_jwt import JWToken
from dmr_jwt._internal.families import FAMILY_CLAIM
from dmr_jwt.blocklist import revoke_all_tokens, revoke_family
from dmr_jwt.errors import Reason
from tests.app.blocklist_views import BlocklistSyncAuth
from tests.blocklist.conftest import BlocklistBackend, committed
from tests.conftest import PASSWORD, Mode, assert_unauthorized

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = [
    pytest.mark.urls('tests.app.verify_urls'),
    pytest.mark.django_db(databases='__all__'),
]

Endpoint: TypeAlias = Literal['mixin-verify', 'concrete-verify', 'refresh']
Revoke: TypeAlias = Callable[[User, str], None]

#: The endpoints that check revocation, and the token each one takes.
_ENDPOINTS: Final[dict[Endpoint, tuple[str, str]]] = {
    'mixin-verify': ('/verify/pydantic/blocklist/{mode}/', 'access_token'),
    'concrete-verify': ('/concrete/pydantic/verify/{mode}/', 'access_token'),
    'refresh': ('/concrete/pydantic/refresh/{mode}/', 'refresh_token'),
}


@pytest.fixture(autouse=True)
def fresh_cache(blocklist_backend: BlocklistBackend) -> Iterator[None]:
    """Nothing cached from earlier tests (subjects repeat)."""
    caches['default'].clear()
    if blocklist_backend.cache is not None:
        caches[blocklist_backend.cache].clear()
    yield
    caches['default'].clear()
    if blocklist_backend.cache is not None:
        caches[blocklist_backend.cache].clear()


@pytest.fixture(params=list(_ENDPOINTS))
def endpoint(request: pytest.FixtureRequest) -> Endpoint:
    """Which controller checks the token."""
    return request.param  # type: ignore[no-any-return]


def _obtain(client: Client, user: User) -> dict[str, str]:
    response = client.post(
        '/concrete/pydantic/obtain/sync/',
        data={'username': user.get_username(), 'password': PASSWORD},
        content_type='application/json',
    )
    assert response.status_code == 200, response.content
    pair: dict[str, str] = response.json()
    return pair


def _present(
    client: Client,
    endpoint: Endpoint,
    mode: Mode,
    pair: dict[str, str],
) -> 'Response':
    url, field = _ENDPOINTS[endpoint]
    return client.post(
        url.format(mode=mode),
        data={field: pair[field]},
        content_type='application/json',
    )


def _decoded(encoded: str) -> JWToken:
    return JWToken.decode(encoded, settings.SECRET_KEY, 'HS256')


def _blocklist(user: User, encoded: str) -> None:
    BlocklistSyncAuth().blocklist(_decoded(encoded))


def _watermark(user: User, encoded: str) -> None:
    with committed():
        revoke_all_tokens(user)


def _family(user: User, encoded: str) -> None:
    token = _decoded(encoded)
    revoke_family(
        token.extras[FAMILY_CLAIM],
        sub=token.sub,
        expires_at=token.exp + dt.timedelta(days=1),
    )


def _field(endpoint: Endpoint) -> str:
    return _ENDPOINTS[endpoint][1]


@pytest.mark.parametrize(
    'revoke',
    [
        pytest.param(_blocklist, id='blocklisted'),
        pytest.param(_watermark, id='watermark'),
        pytest.param(_family, id='family'),
    ],
)
def test_a_revoked_token_is_401(
    client: Client,
    user: User,
    mode: Mode,
    *,
    endpoint: Endpoint,
    revoke: Revoke,
) -> None:
    pair = _obtain(client, user)
    before = _present(client, endpoint, mode, pair)
    assert before.status_code in {200, 204}, before.content

    revoke(user, pair[_field(endpoint)])
    response = _present(client, endpoint, mode, pair)

    assert_unauthorized(response, Reason.REVOKED, scheme=None)


def test_a_logout_revokes_the_session_for_verify_too(
    client: Client,
    user: User,
    mode: Mode,
    *,
    endpoint: Endpoint,
) -> None:
    # Logout (the blocklist's own controller) revokes the token family:
    # both tokens of the pair, wherever they are presented.
    pair = _obtain(client, user)
    logout = client.post(
        '/logout/pydantic/sync/',
        data={'refresh_token': pair['refresh_token']},
        content_type='application/json',
        headers={'Authorization': f'Bearer {pair["access_token"]}'},
    )
    assert logout.status_code in {200, 204}, logout.content

    response = _present(client, endpoint, mode, pair)

    assert_unauthorized(response, Reason.REVOKED, scheme=None)


def test_a_token_without_jti_cannot_be_checked(
    client: Client,
    user: User,
    mode: Mode,
    *,
    endpoint: Endpoint,
) -> None:
    now = dt.datetime.now(dt.UTC)
    token_type = 'refresh' if endpoint == 'refresh' else 'access'
    encoded = JWToken(
        sub=str(user.pk),
        exp=now + dt.timedelta(hours=1),
        iat=now,
        extras={'type': token_type},
    ).encode(settings.SECRET_KEY, 'HS256')

    response = _present(
        client,
        endpoint,
        mode,
        {_field(endpoint): encoded},
    )

    assert_unauthorized(response, Reason.MISSING_CLAIM, scheme=None)


def test_another_users_revocation_leaves_the_token_alone(
    client: Client,
    user: User,
    mode: Mode,
    *,
    endpoint: Endpoint,
) -> None:
    other = User.objects.create_user(uuid.uuid4().hex, password=PASSWORD)
    pair = _obtain(client, user)
    with committed():
        revoke_all_tokens(other)

    response = _present(client, endpoint, mode, pair)

    assert response.status_code in {200, 204}, response.content
