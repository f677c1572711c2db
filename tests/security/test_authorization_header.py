"""What the ``Authorization`` header must look like, and nothing else.

The token is read from ``Authorization: Bearer <token>`` only; the scheme
is case-insensitive (RFC 9110, section 11.1). Another scheme, a bare
token, a token in the query string or a cookie is "no token": the
framework's plain ``401`` with ``WWW-Authenticate: Bearer`` and no error
code (RFC 6750, section 3.1). A bearer header that holds anything but one
token is a malformed token, never a login.

These run through the suite's own ``/api/<serializer>/me/<mode>/``:
both serializers render the errors.
"""

import base64
from collections.abc import Callable
from typing import Final

import pytest
from django.contrib.auth.models import User
from django.test import AsyncClient, Client

from dmr_jwt.errors import Reason
from tests.security.harness import Accepted, Forge, NoToken, Outcome, outcome_of
from tests.security.tokens import unsigned

pytestmark = pytest.mark.django_db

_NO_TOKEN: Final = NoToken.NOT_AUTHENTICATED
_MALFORMED: Final = Reason.MALFORMED
_ACCEPTED: Final = 'accepted'


def _basic() -> str:
    return 'Basic ' + base64.b64encode(b'test_user:password').decode()


@pytest.mark.parametrize(
    ('template', 'expected'),
    [
        pytest.param('Bearer {token}', _ACCEPTED, id='control'),
        pytest.param('bearer {token}', _ACCEPTED, id='lowercase-scheme'),
        pytest.param('BEARER {token}', _ACCEPTED, id='uppercase-scheme'),
        pytest.param('bEaReR {token}', _ACCEPTED, id='mixed-case-scheme'),
        # RFC 9110, section 11.4: `1*SP` between the scheme and the token.
        pytest.param('Bearer  {token}', _ACCEPTED, id='two-spaces'),
        pytest.param('{token}', _NO_TOKEN, id='bare-token'),
        pytest.param(_basic(), _NO_TOKEN, id='basic-scheme'),
        pytest.param('Token {token}', _NO_TOKEN, id='token-scheme'),
        pytest.param('JWT {token}', _NO_TOKEN, id='jwt-scheme'),
        pytest.param('Bearer:{token}', _NO_TOKEN, id='colon-separator'),
        pytest.param('Bearer\t{token}', _NO_TOKEN, id='tab-separator'),
        pytest.param('Bearer', _NO_TOKEN, id='scheme-only'),
        pytest.param('', _NO_TOKEN, id='empty-header'),
        pytest.param('Bearer ', _MALFORMED, id='scheme-and-space'),
        pytest.param(
            'Bearer {token}, Bearer {token}',
            _MALFORMED,
            id='two-credentials-comma',
        ),
        pytest.param(
            'Bearer {token} Bearer {token}',
            _MALFORMED,
            id='two-credentials-space',
        ),
        pytest.param(
            'Bearer garbage, Bearer {token}',
            _MALFORMED,
            id='garbage-then-valid',
        ),
        pytest.param('Bearer Bearer {token}', _MALFORMED, id='scheme-twice'),
        pytest.param('Bearer {token} x', _MALFORMED, id='trailing-word'),
    ],
)
def test_authorization_header_must_be_bearer_and_one_token(
    *,
    client: Client,
    url: Callable[[str], str],
    forge: Forge,
    user: User,
    template: str,
    expected: Outcome | str,
) -> None:
    header = template.format(token=forge.token())
    response = client.get(url('me'), headers={'Authorization': header})

    assert outcome_of(response, identity='username') == (
        Accepted(user.username) if expected == _ACCEPTED else expected
    )


@pytest.mark.parametrize(
    'where',
    ['query-access-token', 'query-token', 'cookie', 'other-header'],
)
def test_token_outside_the_authorization_header_is_no_token(
    *,
    client: Client,
    url: Callable[[str], str],
    forge: Forge,
    user: User,
    where: str,
) -> None:
    token = forge.token()
    headers: dict[str, str] = {}
    query: dict[str, str] = {}
    if where == 'query-access-token':
        query['access_token'] = token
    elif where == 'query-token':
        query['token'] = token
    elif where == 'cookie':
        client.cookies['access_token'] = token
        client.cookies['Authorization'] = f'Bearer {token}'
    else:
        headers['X-Token'] = f'Bearer {token}'

    response = client.get(url('me'), query_params=query, headers=headers)
    control = client.get(
        url('me'),
        query_params=query,
        headers={**headers, 'Authorization': f'Bearer {token}'},
    )

    assert outcome_of(response, identity='username') == _NO_TOKEN
    assert outcome_of(control, identity='username') == Accepted(user.username)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ('build', 'expected'),
    [
        pytest.param(
            lambda forge: f'Bearer {forge.token()}',
            _ACCEPTED,
            id='control',
        ),
        pytest.param(
            lambda forge: f'bearer {forge.token()}',
            _ACCEPTED,
            id='lowercase-scheme',
        ),
        pytest.param(lambda forge: forge.token(), _NO_TOKEN, id='bare-token'),
        pytest.param(lambda forge: 'Bearer ', _MALFORMED, id='empty-token'),
        pytest.param(
            lambda forge: 'Bearer ' + unsigned({'alg': 'none'}, forge.claims()),
            Reason.ALGORITHM_NOT_ALLOWED,
            id='alg-none',
        ),
        pytest.param(
            lambda forge: 'Bearer ' + 'a' * 1_000_000,
            _MALFORMED,
            id='huge',
        ),
        pytest.param(
            lambda forge: f'Bearer \xe9{forge.token()}',
            _MALFORMED,
            id='latin1',
        ),
    ],
)
async def test_asgi_requests_get_the_same_answers(
    *,
    async_client: AsyncClient,
    url: Callable[[str], str],
    forge: Forge,
    user: User,
    build: Callable[[Forge], str],
    expected: Outcome | str,
) -> None:
    # Through ASGI, where header values arrive as latin-1 bytes.
    response = await async_client.get(
        url('me'),
        headers={'Authorization': build(forge)},
    )

    assert outcome_of(response, identity='username') == (
        Accepted(user.username) if expected == _ACCEPTED else expected
    )
