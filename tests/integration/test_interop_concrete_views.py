"""A project switches ``dmr.security.jwt.concrete_views`` for ours: same API.

The same project URLs (:mod:`tests.app.interop_urls`) route
django-modern-rest's ready-to-use controllers and ours, by changing the
import only. The same requests get the same status codes and the same
bodies; where ours is more precise (the reason of a refused token), the
body has the same shape. Tokens issued before the switch keep working
after it, and the other way round.

With ``test_interop.py`` and ``tests/app/interop_urls.py``, the only
modules of the suite that import the built-in JWT module.
"""

from collections.abc import Iterator
from typing import TYPE_CHECKING, Final, Literal, TypeAlias

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.test import Client
from dmr.security.jwt import concrete_views as builtin_concrete_views

from dmr_jwt import concrete_views
from dmr_jwt.errors import Reason
from tests.conftest import NOT_AUTHENTICATED, PASSWORD, Mode, SerializerName

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = [
    pytest.mark.urls('tests.app.interop_urls'),
    pytest.mark.django_db,
]

Side: TypeAlias = Literal['builtin', 'ours']

_NAMES: Final = (
    'ObtainTokensSyncController',
    'ObtainTokensAsyncController',
    'RefreshTokenSyncController',
    'RefreshTokenAsyncController',
    'VerifyTokenSyncController',
    'VerifyTokenAsyncController',
)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    caches['default'].clear()
    yield
    caches['default'].clear()


class Project:
    """The token endpoints of one side, for the current axes."""

    def __init__(
        self,
        client: Client,
        side: Side,
        serializer: SerializerName,
        mode: Mode,
    ) -> None:
        self.client = client
        self.side = side
        self.serializer = serializer
        self.mode = mode

    def post(self, name: str, body: object) -> 'Response':
        return self.client.post(
            f'/{self.side}/{name}/{self.serializer}/{self.mode}/',
            data=body,
            content_type='application/json',
        )

    def login(self) -> dict[str, str]:
        response = self.post(
            'login',
            {'username': 'test_user', 'password': PASSWORD},
        )
        assert response.status_code == 200, response.content
        pair: dict[str, str] = response.json()
        return pair


def _outcome(response: 'Response') -> tuple[int, object]:
    """What a client of the endpoint relies on: status and body."""
    if response.status_code == 204:
        return 204, response.content
    body = response.json()
    if response.status_code == 200:
        return 200, sorted(body)  # the tokens themselves differ
    return response.status_code, body


def _walk(project: Project, user: User) -> dict[str, tuple[int, object]]:
    """The requests a front end makes, and a few that go wrong."""
    pair = project.login()
    refreshed = project.post(
        'refresh', {'refresh_token': pair['refresh_token']}
    )
    outcomes = {
        'login': _outcome(
            project.post(
                'login',
                {'username': 'test_user', 'password': PASSWORD},
            ),
        ),
        'login-wrong-password': _outcome(
            project.post(
                'login',
                {'username': 'test_user', 'password': 'wrong'},
            ),
        ),
        'login-no-password': _outcome(
            project.post('login', {'username': 'test_user'}),
        ),
        'refresh': _outcome(refreshed),
        'refresh-no-token': _outcome(project.post('refresh', {})),
        'verify': _outcome(
            project.post('verify', {'access_token': pair['access_token']}),
        ),
        'verify-refreshed': _outcome(
            project.post(
                'verify',
                {'access_token': refreshed.json()['access_token']},
            ),
        ),
        'verify-no-token': _outcome(project.post('verify', {})),
        'verify-not-json': _outcome(project.post('verify', b'{"access')),
    }
    assert user.is_active
    return outcomes


#: Refused tokens: ours says why, django-modern-rest does not.
_REFUSED: Final = {
    'refresh-with-access': Reason.WRONG_TYPE,
    'verify-with-refresh': Reason.WRONG_TYPE,
    'verify-garbage': Reason.MALFORMED,
    'verify-inactive': Reason.USER_INACTIVE,
}


def _refusals(project: Project, user: User) -> dict[str, 'Response']:
    pair = project.login()
    User.objects.filter(pk=user.pk).update(is_active=False)
    inactive = project.post('verify', {'access_token': pair['access_token']})
    User.objects.filter(pk=user.pk).update(is_active=True)
    return {
        'verify-inactive': inactive,
        'refresh-with-access': project.post(
            'refresh',
            {'refresh_token': pair['access_token']},
        ),
        'verify-with-refresh': project.post(
            'verify',
            {'access_token': pair['refresh_token']},
        ),
        'verify-garbage': project.post('verify', {'access_token': 'a.b.c'}),
    }


def test_the_names_are_the_same() -> None:
    for name in _NAMES:
        assert hasattr(builtin_concrete_views, name)
        assert name in concrete_views.__all__


def test_the_same_requests_get_the_same_answers(
    client: Client,
    user: User,
    serializer: SerializerName,
    mode: Mode,
) -> None:
    builtin = _walk(Project(client, 'builtin', serializer, mode), user)
    ours = _walk(Project(client, 'ours', serializer, mode), user)

    assert ours == builtin
    assert ours['verify'] == (204, b'')
    assert ours['refresh'] == (200, ['access_token', 'refresh_token'])


def test_refused_tokens_are_401_and_ours_say_why(
    client: Client,
    user: User,
    serializer: SerializerName,
    mode: Mode,
) -> None:
    builtin = _refusals(Project(client, 'builtin', serializer, mode), user)
    ours = _refusals(Project(client, 'ours', serializer, mode), user)

    assert set(builtin) == set(ours) == set(_REFUSED)
    for case, reason in _REFUSED.items():
        assert builtin[case].status_code == ours[case].status_code == 401
        assert builtin[case].json() == {
            'detail': [{'msg': NOT_AUTHENTICATED, 'type': 'security'}],
        }
        assert ours[case].json() == {
            'detail': [{'msg': reason.value, 'type': 'security'}],
        }


@pytest.mark.parametrize(
    ('issuer', 'checker'),
    [
        pytest.param('builtin', 'ours', id='issued-before-the-switch'),
        pytest.param('ours', 'builtin', id='issued-after-the-switch'),
    ],
)
def test_tokens_work_across_the_switch(
    client: Client,
    user: User,
    serializer: SerializerName,
    mode: Mode,
    *,
    issuer: Side,
    checker: Side,
) -> None:
    pair = Project(client, issuer, serializer, mode).login()
    other = Project(client, checker, serializer, mode)

    verified = other.post('verify', {'access_token': pair['access_token']})
    refreshed = other.post('refresh', {'refresh_token': pair['refresh_token']})

    assert verified.status_code == 204, verified.content
    assert refreshed.status_code == 200, refreshed.content
    assert set(refreshed.json()) == {'access_token', 'refresh_token'}
