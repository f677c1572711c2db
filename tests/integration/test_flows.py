"""HTTP flows through the token controllers: obtain, call, refresh, fail.

Every test runs for both serializers and both sync and async controllers
through the ``url`` fixture. Each asserts the exact status code, so a
``500`` (Django's test client re-raises server errors) fails the test.
"""

import base64
import datetime as dt
import inspect
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import jwt
import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.contrib.auth.models import User
from django.test import AsyncClient, Client, RequestFactory
from django.urls import resolve

from dmr_jwt import JWToken
from dmr_jwt.errors import Reason
from tests.app.views import CUSTOM_ALGORITHM, CUSTOM_AUDIENCES, CUSTOM_ISSUER
from tests.conftest import (
    FAMILY_ID,
    PASSWORD,
    SerializerName,
    assert_unauthorized,
)

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

Url: TypeAlias = Callable[[str], str]
Tokens: TypeAlias = dict[str, str]

EMAIL: Final = 'user@example.com'


def _post(client: Client, path: str, body: object) -> 'Response':
    return client.post(path, body, content_type='application/json')


def _obtain(client: Client, url: Url, username: str, password: str) -> Tokens:
    response = _post(
        client,
        url('obtain'),
        {'username': username, 'password': password},
    )
    assert response.status_code == 200, response.content
    return response.json()  # type: ignore[no-any-return]


def _me(client: Client, path: str, access_token: str) -> 'Response':
    return client.get(path, headers={'Authorization': f'Bearer {access_token}'})


def _claims(
    token: str,
    *,
    algorithm: str = 'HS256',
    audience: str | None = None,
) -> dict[str, Any]:
    return jwt.decode(
        token,
        settings.SECRET_KEY,
        algorithms=[algorithm],
        audience=audience,
    )


def _assert_token_refused(
    response: 'Response',
    reason: Reason | None = None,
) -> None:
    # The token controllers have no auth class: no challenge to send.
    assert_unauthorized(response, reason, scheme=None)


def _assert_me_rejects(response: 'Response', reason: Reason) -> None:
    # Protected endpoints also send the challenge (RFC 9110, 11.6.1),
    # with the reason (RFC 6750, section 3).
    assert_unauthorized(response, reason)


# The happy path:


def test_obtain_call_refresh_call(
    client: Client,
    user: User,
    url: Url,
) -> None:
    obtained = _post(
        client,
        url('obtain'),
        {'username': user.username, 'password': PASSWORD},
    )
    assert obtained.status_code == 200, obtained.content
    assert obtained.headers['Cache-Control'] == 'no-store'
    tokens: Tokens = obtained.json()
    assert set(tokens) == {'access_token', 'refresh_token'}

    access = _claims(tokens['access_token'])
    me = _me(client, url('me'), tokens['access_token'])
    assert me.status_code == 200, me.content
    assert me.json() == {
        'username': user.username,
        'jti': access['jti'],
    }

    refreshed = _post(
        client,
        url('refresh'),
        {'refresh_token': tokens['refresh_token']},
    )
    assert refreshed.status_code == 200, refreshed.content
    assert refreshed.headers['Cache-Control'] == 'no-store'
    new_tokens: Tokens = refreshed.json()
    new_access = _claims(new_tokens['access_token'])
    new_refresh = _claims(new_tokens['refresh_token'])
    assert new_access['sub'] == new_refresh['sub'] == str(user.pk)
    family = _claims(tokens['refresh_token'])['extras']['family']
    assert new_access['extras'] == {'type': 'access', 'family': family}
    assert new_refresh['extras'] == {'type': 'refresh', 'family': family}
    old_jtis = {access['jti'], _claims(tokens['refresh_token'])['jti']}
    assert new_access['jti'] not in old_jtis
    assert new_refresh['jti'] not in old_jtis
    assert new_access['jti'] != new_refresh['jti']

    me_again = _me(client, url('me'), new_tokens['access_token'])
    assert me_again.status_code == 200, me_again.content
    assert me_again.json() == {
        'username': user.username,
        'jti': new_access['jti'],
    }


@pytest.mark.django_db(transaction=True)
async def test_async_flow_with_async_client(
    async_client: AsyncClient,
    serializer: SerializerName,
) -> None:
    # The async controllers under a real event loop, ORM calls included.
    await User.objects.acreate_user('async_user', password=PASSWORD)
    base = f'/api/{serializer}'
    obtained = await async_client.post(
        f'{base}/obtain/async/',
        {'username': 'async_user', 'password': PASSWORD},
        content_type='application/json',
    )
    assert obtained.status_code == 200, obtained.content
    refreshed = await async_client.post(
        f'{base}/refresh/async/',
        {'refresh_token': obtained.json()['refresh_token']},
        content_type='application/json',
    )
    assert refreshed.status_code == 200, refreshed.content
    me = await async_client.get(
        f'{base}/me/async/',
        headers={
            'Authorization': f'Bearer {refreshed.json()["access_token"]}',
        },
    )
    assert me.status_code == 200, me.content
    assert me.json()['username'] == 'async_user'


# Obtain failures:


@pytest.mark.parametrize(
    ('username', 'password'),
    [
        pytest.param('test_user', 'wrong-password', id='wrong-password'),
        pytest.param('test_user', '', id='empty-password'),
        pytest.param('unknown_user', PASSWORD, id='unknown-username'),
        pytest.param('', PASSWORD, id='empty-username'),
        # No database stores NUL in text: refused, never a 500.
        pytest.param('test_user\x00', PASSWORD, id='nul-in-username'),
        pytest.param('test_user', f'{PASSWORD}\x00', id='nul-in-password'),
    ],
)
def test_obtain_rejects_bad_credentials(
    client: Client,
    user: User,
    url: Url,
    *,
    username: str,
    password: str,
) -> None:
    response = _post(
        client,
        url('obtain'),
        {'username': username, 'password': password},
    )
    # Wrong credentials say nothing more: no user enumeration.
    _assert_token_refused(response)


def test_inactive_user_is_rejected_everywhere(
    client: Client,
    user: User,
    url: Url,
) -> None:
    tokens = _obtain(client, url, user.username, PASSWORD)
    user.is_active = False
    user.save(update_fields=['is_active'])

    _assert_token_refused(
        _post(
            client,
            url('obtain'),
            {'username': user.username, 'password': PASSWORD},
        ),
    )
    _assert_token_refused(
        _post(
            client,
            url('refresh'),
            {'refresh_token': tokens['refresh_token']},
        ),
        Reason.USER_INACTIVE,
    )
    _assert_me_rejects(
        _me(client, url('me'), tokens['access_token']),
        Reason.USER_INACTIVE,
    )


# Malformed bodies: `400` with the serializer's own message.


def _value_error(msg: str, *loc: str) -> dict[str, Any]:
    detail: dict[str, Any] = {'msg': msg, 'type': 'value_error'}
    if loc:
        detail['loc'] = list(loc)
    return {'detail': [detail]}


_MALFORMED_JSON: Final = _value_error(
    'JSON is malformed: object keys must be strings (byte 1)',
)


@pytest.mark.parametrize(
    ('name', 'body', 'expected'),
    [
        pytest.param(
            'obtain',
            '{username: "test_user"}',
            {'pydantic': _MALFORMED_JSON, 'msgspec': _MALFORMED_JSON},
            id='obtain-malformed-json',
        ),
        pytest.param(
            'obtain',
            {'username': 'test_user'},
            {
                'pydantic': _value_error(
                    'Field required',
                    'parsed_body',
                    'password',
                ),
                'msgspec': _value_error(
                    'Object missing required field `password`'
                    ' - at `$.parsed_body`',
                ),
            },
            id='obtain-missing-field',
        ),
        pytest.param(
            'obtain',
            {'username': 1, 'password': PASSWORD},
            {
                'pydantic': _value_error(
                    'Input should be a valid string',
                    'parsed_body',
                    'username',
                ),
                'msgspec': _value_error(
                    'Expected `str`, got `int` - at `$.parsed_body.username`',
                ),
            },
            id='obtain-wrong-type',
        ),
        pytest.param(
            'obtain',
            [],
            {
                'pydantic': _value_error(
                    'Input should be a valid dictionary',
                    'parsed_body',
                ),
                'msgspec': _value_error(
                    'Expected `object`, got `array` - at `$.parsed_body`',
                ),
            },
            id='obtain-not-an-object',
        ),
        pytest.param(
            'refresh',
            '{refresh_token: "x"}',
            {'pydantic': _MALFORMED_JSON, 'msgspec': _MALFORMED_JSON},
            id='refresh-malformed-json',
        ),
        pytest.param(
            'refresh',
            {},
            {
                'pydantic': _value_error(
                    'Field required',
                    'parsed_body',
                    'refresh_token',
                ),
                'msgspec': _value_error(
                    'Object missing required field `refresh_token`'
                    ' - at `$.parsed_body`',
                ),
            },
            id='refresh-missing-field',
        ),
        pytest.param(
            'refresh',
            {'refresh_token': None},
            {
                'pydantic': _value_error(
                    'Input should be a valid string',
                    'parsed_body',
                    'refresh_token',
                ),
                'msgspec': _value_error(
                    'Expected `str`, got `null`'
                    ' - at `$.parsed_body.refresh_token`',
                ),
            },
            id='refresh-wrong-type',
        ),
    ],
)
def test_malformed_body(
    client: Client,
    user: User,
    url: Url,
    serializer: SerializerName,
    *,
    name: str,
    body: object,
    expected: dict[SerializerName, dict[str, Any]],
) -> None:
    response = _post(client, url(name), body)
    assert response.status_code == 400, response.content
    assert response.json() == expected[serializer]


# Refresh failures: each factory makes the token to send.

TokenFactory: TypeAlias = Callable[[User, Tokens], str]


def _encode_refresh(**claims: Any) -> str:
    now = int(dt.datetime.now(dt.UTC).timestamp())
    payload = {
        'sub': '1',
        'exp': now + 3600,
        'iat': now,
        'jti': 'a' * 32,
        'extras': {'type': 'refresh'},
        **claims,
    }
    return jwt.encode(payload, settings.SECRET_KEY, algorithm='HS256')


def _access_token(user: User, tokens: Tokens) -> str:
    return tokens['access_token']


def _jwtoken_refresh(user: User, *, expires_in: dt.timedelta) -> str:
    # `JWToken` refuses to build a token that is already expired, unless
    # the leeway covers it: a day of leeway lets us make one.
    now = dt.datetime.now(dt.UTC)
    return JWToken(
        sub=str(user.pk),
        exp=now + expires_in,
        iat=now - dt.timedelta(hours=2),
        extras={'type': 'refresh'},
        leeway=24 * 3600,
    ).encode(settings.SECRET_KEY, 'HS256')


def _expired_refresh_token(user: User, tokens: Tokens) -> str:
    return _jwtoken_refresh(user, expires_in=-dt.timedelta(hours=1))


def _expired_by_one_second(user: User, tokens: Tokens) -> str:
    now = int(dt.datetime.now(dt.UTC).timestamp())
    return _encode_refresh(sub=str(user.pk), exp=now - 1, iat=now - 60)


def _tampered_refresh_token(user: User, tokens: Tokens) -> str:
    # Another subject with the original signature.
    header, payload, signature = tokens['refresh_token'].split('.')
    claims = json.loads(base64.urlsafe_b64decode(payload + '=='))
    claims['sub'] = str(user.pk + 1)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b'=')
    return f'{header}.{forged.decode()}.{signature}'


def _other_secret(user: User, tokens: Tokens) -> str:
    return jwt.encode(
        _claims(tokens['refresh_token']),
        'another-secret-that-is-long-enough-for-hs256!',
        algorithm='HS256',
    )


def _other_algorithm(user: User, tokens: Tokens) -> str:
    return jwt.encode(
        _claims(tokens['refresh_token']),
        settings.SECRET_KEY,
        algorithm='HS512',
    )


def _without_type(user: User, tokens: Tokens) -> str:
    return _encode_refresh(sub=str(user.pk), extras={})


def _deleted_user(user: User, tokens: Tokens) -> str:
    user.delete()
    return tokens['refresh_token']


def _unknown_subject(user: User, tokens: Tokens) -> str:
    return _encode_refresh(sub=str(user.pk + 1000))


def _inactive_user(user: User, tokens: Tokens) -> str:
    user.is_active = False
    user.save(update_fields=['is_active'])
    return tokens['refresh_token']


def _oversized(user: User, tokens: Tokens) -> str:
    # Validly signed, only too long:
    return _encode_refresh(sub=str(user.pk), padding='p' * 9000)


@pytest.mark.parametrize(
    ('make_token', 'reason'),
    [
        pytest.param(_access_token, Reason.WRONG_TYPE, id='access-token'),
        pytest.param(_without_type, Reason.WRONG_TYPE, id='no-token-type'),
        pytest.param(_expired_refresh_token, Reason.EXPIRED, id='expired'),
        pytest.param(
            _expired_by_one_second,
            Reason.EXPIRED,
            id='expired-one-second-ago',
        ),
        pytest.param(
            lambda user, tokens: _encode_refresh(
                sub=str(user.pk),
                nbf=2**40,
            ),
            Reason.NOT_YET_VALID,
            id='not-before-in-the-future',
        ),
        pytest.param(
            lambda user, tokens: _encode_refresh(sub=str(user.pk), aud='web'),
            Reason.INVALID_AUDIENCE,
            id='audience-not-accepted',
        ),
        pytest.param(
            lambda user, tokens: _encode_refresh(sub=user.pk),
            Reason.INVALID_CLAIMS,
            id='int-subject',
        ),
        pytest.param(
            lambda user, tokens: 'garbage',
            Reason.MALFORMED,
            id='garbage',
        ),
        pytest.param(lambda user, tokens: '', Reason.MALFORMED, id='empty'),
        pytest.param(
            lambda user, tokens: 'a.b.c',
            Reason.MALFORMED,
            id='three-garbage-parts',
        ),
        pytest.param(
            lambda user, tokens: 'x' * 10_000,
            Reason.MALFORMED,
            id='oversized-garbage',
        ),
        pytest.param(_oversized, Reason.MALFORMED, id='oversized'),
        pytest.param(
            _tampered_refresh_token,
            Reason.INVALID_SIGNATURE,
            id='tampered',
        ),
        pytest.param(
            _other_secret,
            Reason.INVALID_SIGNATURE,
            id='other-secret',
        ),
        pytest.param(
            _other_algorithm,
            Reason.ALGORITHM_NOT_ALLOWED,
            id='other-algorithm',
        ),
        pytest.param(_deleted_user, Reason.USER_INACTIVE, id='deleted-user'),
        pytest.param(
            _inactive_user,
            Reason.USER_INACTIVE,
            id='inactive-user',
        ),
        pytest.param(
            _unknown_subject,
            Reason.USER_INACTIVE,
            id='unknown-subject',
        ),
    ],
)
def test_refresh_rejects(
    client: Client,
    user: User,
    url: Url,
    *,
    make_token: TokenFactory,
    reason: Reason,
) -> None:
    tokens = _obtain(client, url, user.username, PASSWORD)
    response = _post(
        client,
        url('refresh'),
        {'refresh_token': make_token(user, tokens)},
    )
    _assert_token_refused(response, reason)


@pytest.mark.parametrize(
    'make_token',
    [
        pytest.param(
            lambda user: _encode_refresh(sub=str(user.pk)),
            id='jwt-encode',
        ),
        pytest.param(
            lambda user: _jwtoken_refresh(
                user,
                expires_in=dt.timedelta(hours=1),
            ),
            id='jwtoken',
        ),
    ],
)
def test_refresh_accepts_a_hand_made_refresh_token(
    client: Client,
    user: User,
    url: Url,
    *,
    make_token: Callable[[User], str],
) -> None:
    # The control for `test_refresh_rejects`: the same helpers that make
    # the expired tokens there make valid tokens here.
    response = _post(
        client,
        url('refresh'),
        {'refresh_token': make_token(user)},
    )
    assert response.status_code == 200, response.content
    assert _claims(response.json()['access_token'])['sub'] == str(user.pk)


# Secrets stay out of error reports.


@pytest.mark.parametrize('name', ['obtain', 'refresh', 'custom-obtain'])
def test_token_endpoints_hide_post_parameters(
    user: User,
    url: Url,
    *,
    name: str,
) -> None:
    # Django's `sensitive_post_parameters` marks the request it is called
    # with: `request.sensitive_post_parameters = '__ALL__'`. That attribute
    # is exactly what `SafeExceptionReporterFilter.get_post_parameters`
    # reads when it builds an error report, so it is the observable contract.
    # The test client builds its own request object, so we build the
    # request ourselves, resolve the real view of the URL and call it
    # directly: afterwards, our request object carries the mark only if the
    # decorator ran around the endpoint. The body is well-formed (the
    # endpoint only runs after parsing) and holds wrong credentials.
    request = RequestFactory().post(
        url(name),
        {
            'username': user.username,
            'email': user.username,
            'password': 'not-the-password',
            'refresh_token': 'not-a-token',
        },
        content_type='application/json',
    )
    assert not hasattr(request, 'sensitive_post_parameters')

    response = resolve(request.path).func(request)
    if inspect.isawaitable(response):
        response = async_to_sync(_await)(response)

    assert response.status_code == 401
    marked = getattr(request, 'sensitive_post_parameters', None)
    assert marked == '__ALL__'


async def _await(awaitable: Any) -> Any:
    return await awaitable


# The customized obtain controller of the docs.


@pytest.fixture
def email_user(db: Any) -> User:
    """A user whose username is an email, for the customized controller."""
    return User.objects.create_user(EMAIL, password=PASSWORD)


def test_custom_obtain_issues_customized_tokens(
    client: Client,
    email_user: User,
    url: Url,
) -> None:
    response = _post(
        client,
        url('custom-obtain'),
        {'email': EMAIL, 'password': PASSWORD},
    )
    assert response.status_code == 200, response.content
    assert response.headers['Cache-Control'] == 'no-store'
    body = response.json()
    assert list(body) == ['auth']
    assert set(body['auth']) == {'access', 'refresh'}

    for token, token_type in (
        (body['auth']['access'], 'access'),
        (body['auth']['refresh'], 'refresh'),
    ):
        assert jwt.get_unverified_header(token)['alg'] == CUSTOM_ALGORITHM
        claims = _claims(token, algorithm=CUSTOM_ALGORITHM, audience='qa')
        assert claims['iss'] == CUSTOM_ISSUER
        assert claims['aud'] == list(CUSTOM_AUDIENCES)
        assert claims['sub'] == str(email_user.pk)
        assert claims['extras'] == {'type': token_type, 'family': FAMILY_ID}

    me = _me(client, url('custom-me'), body['auth']['access'])
    assert me.status_code == 200, me.content
    assert me.json()['username'] == EMAIL


def test_custom_tokens_and_default_tokens_do_not_mix(
    client: Client,
    email_user: User,
    url: Url,
) -> None:
    custom = _post(
        client,
        url('custom-obtain'),
        {'email': EMAIL, 'password': PASSWORD},
    ).json()
    default = _obtain(client, url, EMAIL, PASSWORD)

    # HS512 with an audience: the default endpoint (HS256, no audience)
    # refuses it, and the customized endpoint refuses the default token,
    # both for the algorithm (checked before any claim).
    _assert_me_rejects(
        _me(client, url('me'), custom['auth']['access']),
        Reason.ALGORITHM_NOT_ALLOWED,
    )
    _assert_me_rejects(
        _me(client, url('custom-me'), default['access_token']),
        Reason.ALGORITHM_NOT_ALLOWED,
    )
    # Neither is a refresh token that the default refresh endpoint accepts.
    _assert_token_refused(
        _post(
            client,
            url('refresh'),
            {'refresh_token': custom['auth']['refresh']},
        ),
        Reason.ALGORITHM_NOT_ALLOWED,
    )


@pytest.mark.parametrize(
    'body',
    [
        pytest.param({'email': EMAIL, 'password': 'wrong'}, id='wrong-pass'),
        pytest.param(
            {'email': 'other@example.com', 'password': PASSWORD},
            id='unknown-email',
        ),
    ],
)
def test_custom_obtain_rejects_bad_credentials(
    client: Client,
    email_user: User,
    url: Url,
    *,
    body: dict[str, str],
) -> None:
    _assert_token_refused(_post(client, url('custom-obtain'), body))


# A refresh controller that finds users by username.


def test_refresh_by_username(client: Client, user: User, url: Url) -> None:
    response = _post(
        client,
        url('refresh-by-username'),
        {'refresh_token': _encode_refresh(sub=user.username)},
    )
    assert response.status_code == 200, response.content
    tokens: Tokens = response.json()
    assert _claims(tokens['access_token'])['sub'] == user.username
    refresh_claims = _claims(tokens['refresh_token'])
    assert refresh_claims['sub'] == user.username
    assert refresh_claims['extras'] == {'type': 'refresh', 'family': FAMILY_ID}


@pytest.mark.parametrize(
    ('name', 'subject_field'),
    [
        pytest.param('refresh-by-username', 'pk', id='pk-to-by-username'),
        pytest.param('refresh', 'username', id='username-to-by-pk'),
    ],
)
def test_refresh_subject_must_match_the_lookup_field(
    client: Client,
    user: User,
    url: Url,
    *,
    name: str,
    subject_field: str,
) -> None:
    subject = str(getattr(user, subject_field))
    response = _post(
        client,
        url(name),
        {'refresh_token': _encode_refresh(sub=subject)},
    )
    _assert_token_refused(response, Reason.USER_INACTIVE)
