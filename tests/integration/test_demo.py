"""The demo project (``make demo``), driven through Django's test client.

The URLs are the demo's own (``demo.urls``); the settings are the suite's,
so the demo app is not installed: its command is called as an instance.
"""

import datetime as dt
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any, Final, Literal, TypeAlias

import jwt
import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.cache import caches
from django.core.management import call_command
from django.test import AsyncClient, Client, TestCase
from freezegun import freeze_time
from pytest_django import Settings

import dmr_jwt
from demo.api.management.commands.ensure_demo_user import (
    EMAIL,
    PASSWORD,
    USERNAME,
    Command,
)
from dmr_jwt.blocklist.models import BlocklistedJWToken
from dmr_jwt.errors import Reason
from tests.conftest import FAMILY_ID, assert_unauthorized, unauthorized

pytestmark = [pytest.mark.urls('demo.urls'), pytest.mark.django_db]

TokenName: TypeAlias = Literal[
    'access',
    'refresh',
    'custom_access',
    'custom_refresh',
]

#: Refresh tokens that cannot log out a session of the demo user.
ForeignToken: TypeAlias = Literal[
    'other-user',
    'access',
    'custom_refresh',
    'no-jti',
    'wrong-key',
    'garbage',
]

DEMO_DIR: Final = Path(__file__).parents[2] / 'examples' / 'demo'


def ensure_demo_user() -> str:
    stdout = StringIO()
    # An instance, not the name: the demo app is not in the test settings.
    call_command(Command(), stdout=stdout)
    return stdout.getvalue()


def bearer(token: str) -> dict[str, str]:
    return {'Authorization': f'Bearer {token}'}


def post_json(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, body, content_type='application/json')


@pytest.fixture
def demo_user(db: Any) -> User:
    ensure_demo_user()
    return User.objects.get(username=USERNAME)


@pytest.fixture
def tokens(client: Client, demo_user: User) -> dict[TokenName, str]:
    default = post_json(
        client,
        '/api/auth/',
        {'username': USERNAME, 'password': PASSWORD},
    ).json()
    custom = post_json(
        client,
        '/api/auth/custom/',
        {'email': EMAIL, 'password': PASSWORD},
    ).json()['auth']
    return {
        'access': default['access_token'],
        'refresh': default['refresh_token'],
        'custom_access': custom['access'],
        'custom_refresh': custom['refresh'],
    }


def assert_me(client: Client, path: str, token: str) -> None:
    response = client.get(path, headers=bearer(token))
    assert response.status_code == 200, response.content
    assert response.json() == {'username': USERNAME}


def assert_not_authenticated(
    response: Any,
    reason: Reason | None = None,
) -> None:
    """A ``401`` of an endpoint without auth class: no challenge."""
    assert_unauthorized(response, reason, scheme=None)


def obtain(client: Client, username: str = USERNAME) -> dict[str, str]:
    response = post_json(
        client,
        '/api/auth/',
        {'username': username, 'password': PASSWORD},
    )
    assert response.status_code == 200, response.content
    pair: dict[str, str] = response.json()
    return pair


def logout(client: Client, access: str, body: Any) -> Any:
    return client.post(
        '/api/auth/logout/',
        body,
        content_type='application/json',
        headers=bearer(access),
    )


def refresh(client: Client, refresh_token: str) -> Any:
    return post_json(
        client,
        '/api/auth/refresh/',
        {'refresh_token': refresh_token},
    )


def jti_of(token: str) -> str:
    jti: str = jwt.decode(token, options={'verify_signature': False})['jti']
    return jti


def blocklisted_jtis() -> set[str]:
    return set(BlocklistedJWToken.objects.values_list('jti', flat=True))


# The curl session of the docs, step by step.


def test_obtain_me_refresh_flow(client: Client, demo_user: User) -> None:
    obtained = post_json(
        client,
        '/api/auth/',
        {'username': USERNAME, 'password': PASSWORD},
    )
    assert obtained.status_code == 200, obtained.content
    assert obtained.headers['Cache-Control'] == 'no-store'
    pair = obtained.json()
    assert set(pair) == {'access_token', 'refresh_token'}

    assert_me(client, '/api/me/', pair['access_token'])
    assert_me(client, '/api/me/async/', pair['access_token'])

    refreshed = post_json(
        client,
        '/api/auth/refresh/',
        {'refresh_token': pair['refresh_token']},
    )
    assert refreshed.status_code == 200, refreshed.content
    new_pair = refreshed.json()
    assert set(new_pair) == {'access_token', 'refresh_token'}
    assert new_pair['access_token'] != pair['access_token']
    assert_me(client, '/api/me/', new_pair['access_token'])


# The async ORM runs in another thread: with SQLite in memory, it sees the
# test's rows only once they are committed.
@pytest.mark.django_db(transaction=True)
async def test_me_async_with_async_client(
    async_client: AsyncClient,
    tokens: dict[TokenName, str],
) -> None:
    response = await async_client.get(
        '/api/me/async/',
        headers=bearer(tokens['access']),
    )
    assert response.status_code == 200, response.content
    assert response.json() == {'username': USERNAME}


@pytest.mark.parametrize(
    'email',
    [
        pytest.param(EMAIL, id='exact'),
        pytest.param(EMAIL.upper(), id='case-insensitive'),
    ],
)
def test_custom_obtain_flow(
    client: Client,
    demo_user: User,
    email: str,
) -> None:
    response = post_json(
        client,
        '/api/auth/custom/',
        {'email': email, 'password': PASSWORD},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {'auth'}
    assert set(body['auth']) == {'access', 'refresh'}
    for token_type in ('access', 'refresh'):
        token = body['auth'][token_type]
        assert jwt.get_unverified_header(token)['alg'] == 'HS512'
        claims = jwt.decode(
            token,
            django_settings.SECRET_KEY,
            algorithms=['HS512'],
            audience='qa',
            issuer='my-awesome-company',
        )
        assert claims['sub'] == str(demo_user.pk)
        assert claims['aud'] == ['dev', 'qa']
        assert claims['extras'] == {'type': token_type, 'family': FAMILY_ID}

    assert_me(client, '/api/custom/me/', body['auth']['access'])


# What the demo must refuse.


@pytest.mark.parametrize(
    ('path', 'token_name', 'reason'),
    [
        pytest.param('/api/me/', 'refresh', Reason.WRONG_TYPE, id='me-refresh'),
        pytest.param(
            '/api/me/async/',
            'refresh',
            Reason.WRONG_TYPE,
            id='me-async-refresh',
        ),
        # HS512 tokens on an HS256 endpoint, and the other way round:
        pytest.param(
            '/api/me/',
            'custom_access',
            Reason.ALGORITHM_NOT_ALLOWED,
            id='me-custom',
        ),
        pytest.param(
            '/api/me/async/',
            'custom_access',
            Reason.ALGORITHM_NOT_ALLOWED,
            id='me-async-custom',
        ),
        pytest.param(
            '/api/custom/me/',
            'access',
            Reason.ALGORITHM_NOT_ALLOWED,
            id='custom-me-default',
        ),
        pytest.param(
            '/api/custom/me/',
            'custom_refresh',
            Reason.WRONG_TYPE,
            id='custom-me-custom-refresh',
        ),
    ],
)
def test_protected_endpoints_reject_wrong_tokens(
    client: Client,
    tokens: dict[TokenName, str],
    path: str,
    token_name: TokenName,
    reason: Reason,
) -> None:
    response = client.get(path, headers=bearer(tokens[token_name]))
    assert_unauthorized(response, reason)


@pytest.mark.parametrize(
    'path',
    ['/api/me/', '/api/me/async/', '/api/custom/me/'],
)
def test_protected_endpoints_need_a_token(client: Client, path: str) -> None:
    response = client.get(path)
    assert_unauthorized(response, None)


@pytest.mark.parametrize(
    ('token_name', 'reason'),
    [
        pytest.param('access', Reason.WRONG_TYPE, id='access'),
        pytest.param(
            'custom_refresh',
            Reason.ALGORITHM_NOT_ALLOWED,
            id='custom-refresh',
        ),
    ],
)
def test_refresh_rejects_other_tokens(
    client: Client,
    tokens: dict[TokenName, str],
    token_name: TokenName,
    reason: Reason,
) -> None:
    response = post_json(
        client,
        '/api/auth/refresh/',
        {'refresh_token': tokens[token_name]},
    )
    assert_not_authenticated(response, reason)


@pytest.mark.parametrize(
    ('path', 'body'),
    [
        pytest.param(
            '/api/auth/',
            {'username': USERNAME, 'password': 'wrong'},
            id='wrong-password',
        ),
        pytest.param(
            '/api/auth/',
            {'username': EMAIL, 'password': PASSWORD},
            id='email-as-username',
        ),
        pytest.param(
            '/api/auth/custom/',
            {'email': EMAIL, 'password': 'wrong'},
            id='custom-wrong-password',
        ),
        pytest.param(
            '/api/auth/custom/',
            {'email': 'nobody@example.com', 'password': PASSWORD},
            id='custom-unknown-email',
        ),
        pytest.param(
            '/api/auth/custom/',
            {'email': USERNAME, 'password': PASSWORD},
            id='custom-username-as-email',
        ),
    ],
)
def test_obtain_rejects_bad_credentials(
    client: Client,
    demo_user: User,
    path: str,
    body: dict[str, str],
) -> None:
    assert_not_authenticated(post_json(client, path, body))


def test_custom_obtain_rejects_a_shared_email(
    client: Client,
    demo_user: User,
) -> None:
    User.objects.create_user('other_user', email=EMAIL, password=PASSWORD)
    response = post_json(
        client,
        '/api/auth/custom/',
        {'email': EMAIL, 'password': PASSWORD},
    )
    assert_not_authenticated(response)


def test_custom_obtain_rejects_an_inactive_user(
    client: Client,
    demo_user: User,
) -> None:
    User.objects.filter(pk=demo_user.pk).update(is_active=False)
    response = post_json(
        client,
        '/api/auth/custom/',
        {'email': EMAIL, 'password': PASSWORD},
    )
    assert_not_authenticated(response)


# Logout: the blocklist app.


def test_logout_flow(client: Client, demo_user: User) -> None:
    pair = obtain(client)
    access, refresh_token = pair['access_token'], pair['refresh_token']
    assert_me(client, '/api/me/', access)

    response = logout(client, access, {'refresh_token': refresh_token})
    assert response.status_code == 204, response.content
    assert response.content == b''
    assert blocklisted_jtis() == {jti_of(access), jti_of(refresh_token)}

    for path in ('/api/me/', '/api/me/async/'):
        response = client.get(path, headers=bearer(access))
        assert_unauthorized(response, Reason.REVOKED)
    assert_not_authenticated(refresh(client, refresh_token), Reason.REVOKED)
    # The revoked access token cannot log out again either.
    assert_unauthorized(logout(client, access, {}), Reason.REVOKED)

    new_pair = obtain(client)
    assert_me(client, '/api/me/', new_pair['access_token'])
    assert_me(client, '/api/me/async/', new_pair['access_token'])
    assert refresh(client, new_pair['refresh_token']).status_code == 200


def test_logout_without_a_refresh_token(
    client: Client,
    demo_user: User,
) -> None:
    pair = obtain(client)
    other_login = obtain(client)
    response = logout(client, pair['access_token'], {})
    assert response.status_code == 204, response.content
    assert blocklisted_jtis() == {jti_of(pair['access_token'])}
    assert_unauthorized(
        client.get('/api/me/', headers=bearer(pair['access_token'])),
        Reason.REVOKED,
    )
    # The session ends: its refresh token is in the revoked family.
    assert_unauthorized(
        refresh(client, pair['refresh_token']),
        Reason.REVOKED,
        scheme=None,
    )
    # Another login is another session.
    assert_me(client, '/api/me/', other_login['access_token'])


def test_replayed_refresh_token_logs_the_session_out(
    client: Client,
    demo_user: User,
) -> None:
    with freeze_time() as clock:
        pair = obtain(client)
        rotated = refresh(client, pair['refresh_token'])
        assert rotated.status_code == 200, rotated.content
        new_pair = rotated.json()
        # A retry right away: refused, the session lives on.
        assert_unauthorized(
            refresh(client, pair['refresh_token']),
            Reason.REUSED,
            scheme=None,
        )
        assert_me(client, '/api/me/', new_pair['access_token'])
        clock.tick(dt.timedelta(seconds=11))  # past the grace period

        # The stolen, used refresh token comes back: the session is over.
        assert_unauthorized(
            refresh(client, pair['refresh_token']),
            Reason.REUSED,
            scheme=None,
        )
        assert_unauthorized(
            client.get('/api/me/', headers=bearer(new_pair['access_token'])),
            Reason.REVOKED,
        )
        assert_unauthorized(
            refresh(client, new_pair['refresh_token']),
            Reason.REVOKED,
            scheme=None,
        )


@pytest.fixture
def forget_watermarks() -> Iterator[None]:
    """Clear the cache after the test: user ids repeat in the next one."""
    yield
    caches['default'].clear()


@pytest.mark.usefixtures('forget_watermarks')
def test_logout_everywhere(client: Client, demo_user: User) -> None:
    with freeze_time() as clock:
        phone, laptop = obtain(client), obtain(client)
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = client.post(
                '/api/auth/logout-everywhere/',
                headers=bearer(phone['access_token']),
            )
        assert response.status_code == 204, response.content
        for pair in (phone, laptop):
            assert_unauthorized(
                client.get('/api/me/', headers=bearer(pair['access_token'])),
                Reason.REVOKED,
            )
        clock.tick(dt.timedelta(seconds=1))
        assert_me(client, '/api/me/', obtain(client)['access_token'])


def _foreign_refresh_token(
    kind: ForeignToken,
    client: Client,
    tokens: dict[TokenName, str],
    demo_user: User,
) -> str:
    if kind == 'other-user':
        User.objects.create_user('other_user', password=PASSWORD)
        return obtain(client, 'other_user')['refresh_token']
    if kind == 'garbage':
        return 'not-a-jwt'
    if kind in {'access', 'custom_refresh'}:
        return tokens[kind]
    now = dt.datetime.now(dt.UTC)
    claims: dict[str, Any] = {
        'sub': str(demo_user.pk),
        'exp': now + dt.timedelta(hours=1),
        'iat': now,
        'extras': {'type': 'refresh'},
    }
    if kind == 'no-jti':
        # Valid, of the same user, but it cannot be blocklisted.
        return jwt.encode(claims, django_settings.SECRET_KEY, 'HS256')
    # 'wrong-key': well-formed, but signed with another key.
    claims['jti'] = uuid.uuid4().hex
    return jwt.encode(claims, 'another-secret-' + 'y' * 64, 'HS256')


@pytest.mark.parametrize(
    ('kind', 'reason'),
    [
        # A valid refresh token, of someone else: the demo says no more.
        pytest.param('other-user', Reason.INVALID_CLAIMS, id='other-user'),
        pytest.param(
            'access',
            Reason.WRONG_TYPE,
            id='access-token',
        ),
        pytest.param(
            'custom_refresh',
            Reason.ALGORITHM_NOT_ALLOWED,
            id='custom-refresh-token',
        ),
        pytest.param('no-jti', Reason.MISSING_CLAIM, id='no-jti'),
        pytest.param('wrong-key', Reason.INVALID_SIGNATURE, id='wrong-key'),
        pytest.param('garbage', Reason.MALFORMED, id='garbage'),
    ],
)
def test_logout_rejects_a_foreign_refresh_token(
    client: Client,
    tokens: dict[TokenName, str],
    demo_user: User,
    kind: ForeignToken,
    reason: Reason | None,
) -> None:
    foreign = _foreign_refresh_token(kind, client, tokens, demo_user)
    response = logout(client, tokens['access'], {'refresh_token': foreign})
    assert response.status_code == 401, response.content
    assert response.json() == unauthorized(reason)
    # The access token of the request is fine: the challenge names no
    # error, whatever is wrong with the refresh token of the body.
    assert response.headers['WWW-Authenticate'] == 'Bearer'
    # Nothing is revoked: neither the access token nor the foreign token.
    assert blocklisted_jtis() == set()
    assert_me(client, '/api/me/', tokens['access'])
    if kind == 'other-user':
        assert refresh(client, foreign).status_code == 200


@pytest.mark.parametrize(
    ('token_name', 'reason'),
    [
        pytest.param(None, None, id='no-token'),
        pytest.param('refresh', Reason.WRONG_TYPE, id='refresh-token'),
        pytest.param(
            'custom_access',
            Reason.ALGORITHM_NOT_ALLOWED,
            id='custom-access-token',
        ),
    ],
)
def test_logout_needs_an_access_token(
    client: Client,
    tokens: dict[TokenName, str],
    token_name: TokenName | None,
    reason: Reason | None,
) -> None:
    headers = {} if token_name is None else bearer(tokens[token_name])
    response = client.post(
        '/api/auth/logout/',
        {'refresh_token': tokens['refresh']},
        content_type='application/json',
        headers=headers,
    )
    assert_unauthorized(response, reason)
    assert blocklisted_jtis() == set()


@pytest.mark.parametrize(
    'body',
    [
        pytest.param([], id='list'),
        pytest.param({'refresh_token': 1}, id='number'),
        pytest.param({'refresh_token': None}, id='null'),
    ],
)
def test_logout_rejects_a_malformed_body(
    client: Client,
    tokens: dict[TokenName, str],
    body: Any,
) -> None:
    response = logout(client, tokens['access'], body)
    assert response.status_code == 400, response.content
    assert response.json()['detail'][0]['type'] == 'value_error'
    assert blocklisted_jtis() == set()


# The docs.


def test_openapi_json(client: Client) -> None:
    response = client.get('/docs/openapi.json/')
    assert response.status_code == 200
    assert response['Content-Type'] == 'application/json'
    schema = response.json()
    assert schema['components']['securitySchemes']['jwt'] == {
        'type': 'http',
        'scheme': 'Bearer',
        'bearerFormat': 'JWT',
        'description': 'JWT token auth',
    }
    paths = schema['paths']
    assert set(paths) == {
        '/api/auth/',
        '/api/auth/custom/',
        '/api/auth/refresh/',
        '/api/auth/logout/',
        '/api/auth/logout-everywhere/',
        '/api/auth/verify/',
        '/api/me/',
        '/api/me/async/',
        '/api/custom/me/',
        '/api/cookie/login/',
        '/api/cookie/refresh/',
        '/api/cookie/logout/',
        '/api/cookie/me/',
    }
    for path in ('/api/me/', '/api/me/async/', '/api/custom/me/'):
        assert paths[path]['get']['security'] == [{'jwt': []}]
    logout_spec = paths['/api/auth/logout/']['post']
    assert logout_spec['security'] == [{'jwt': []}]
    assert {'204', '400', '401'} <= set(logout_spec['responses'])
    assert '200' not in logout_spec['responses']
    for path in ('/api/auth/', '/api/auth/custom/', '/api/auth/refresh/'):
        assert 'security' not in paths[path]['post']
        assert '401' in paths[path]['post']['responses']


@pytest.mark.parametrize('path', ['/docs/swagger/', '/docs/scalar/'])
def test_docs_pages(
    client: Client,
    settings: Settings,
    path: str,
) -> None:
    # The pages need what the demo settings install and the suite's do not.
    settings.INSTALLED_APPS = [
        *settings.INSTALLED_APPS,
        'django.contrib.staticfiles',
        'dmr',
    ]
    settings.TEMPLATES = [
        {
            'BACKEND': 'django.template.backends.django.DjangoTemplates',
            'APP_DIRS': True,
        },
    ]
    settings.STATIC_URL = 'static/'
    response = client.get(path)
    assert response.status_code == 200
    assert response['Content-Type'].startswith('text/html')
    content = response.content.decode()
    assert '<title>dmr-jwt demo</title>' in content
    assert '/api/custom/me/' in content


# The `ensure_demo_user` command.


def test_ensure_demo_user_is_idempotent(db: Any) -> None:
    assert ensure_demo_user() == f"Created user '{USERNAME}'.\n"
    assert ensure_demo_user() == f"User '{USERNAME}' is up to date.\n"
    user = User.objects.get()
    assert user.username == USERNAME
    assert user.email == EMAIL
    assert user.is_active
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(
    ('changes', 'reset_fields'),
    [
        pytest.param({'password': 'changed'}, 'password', id='password'),
        pytest.param({'email': 'x@example.com'}, 'email', id='email'),
        pytest.param({'is_active': False}, 'is_active', id='is-active'),
        pytest.param(
            {'password': 'changed', 'email': '', 'is_active': False},
            'password, email, is_active',
            id='all',
        ),
    ],
)
def test_ensure_demo_user_resets_the_user(
    demo_user: User,
    changes: dict[str, Any],
    reset_fields: str,
) -> None:
    password = changes.pop('password', None)
    if password is not None:
        demo_user.set_password(password)
    for name, value in changes.items():
        setattr(demo_user, name, value)
    demo_user.save()

    expected = f"Reset user '{USERNAME}': {reset_fields}.\n"
    assert ensure_demo_user() == expected
    user = User.objects.get()
    assert user.pk == demo_user.pk
    assert user.email == EMAIL
    assert user.is_active
    assert user.check_password(PASSWORD)
    assert ensure_demo_user() == f"User '{USERNAME}' is up to date.\n"


# The demo settings themselves, as `make demo` loads them.


def test_demo_settings_pass_the_system_checks() -> None:
    env = {
        name: value
        for name, value in os.environ.items()
        if name != 'DJANGO_SETTINGS_MODULE'
    }
    # The code under test, not whatever the venv has installed.
    env['PYTHONPATH'] = str(Path(dmr_jwt.__file__).resolve().parents[1])
    result = subprocess.run(
        [sys.executable, 'manage.py', 'check', '--fail-level', 'WARNING'],
        cwd=DEMO_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert 'System check identified no issues' in result.stdout
