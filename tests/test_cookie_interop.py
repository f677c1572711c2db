"""Cookie transport: OpenAPI, ready-to-use controllers, the peer's names.

A front end written for django-modern-rest 0.16's cookie controllers keeps
working: same cookie names, paths and flags by default (compared with the
peer itself), and the peer's cookie auth reads our cookies.
"""

from typing import Any, Final

import pytest
from django.contrib.auth.models import User
from django.test import Client, RequestFactory
from django.urls import include
from dmr.openapi import build_schema
from dmr.plugins.pydantic import PydanticSerializer
from dmr.routing import path
from dmr.security.jwt.auth import CookieJWTSyncAuth as PeerCookieAuth
from dmr.security.jwt.concrete_views import cookie as peer_concrete
from dmr.security.jwt.views import cookie as peer_views

from dmr_jwt import concrete_views
from dmr_jwt.auth import cookie as our_auth
from dmr_jwt.views import CookieObtainTokensSyncController
from tests.app import cookie_urls
from tests.conftest import PASSWORD

_COOKIE_SETTINGS: Final = (
    'jwt_access_cookie',
    'jwt_refresh_cookie',
    'jwt_access_cookie_path',
    'jwt_refresh_cookie_path',
    'jwt_cookie_domain',
    'jwt_cookie_secure',
    'jwt_cookie_httponly',
    'jwt_cookie_samesite',
    'jwt_cookie_description',
    'jwt_expiration',
    'jwt_refresh_expiration',
    'response_status_code',
)


def test_defaults_are_the_peers() -> None:
    peer = peer_views.CookieObtainTokensSyncController
    ours = CookieObtainTokensSyncController

    assert {name: getattr(ours, name) for name in _COOKIE_SETTINGS} == {
        name: getattr(peer, name) for name in _COOKIE_SETTINGS
    }
    assert our_auth.DEFAULT_ACCESS_COOKIE == 'access_token'
    assert our_auth.DEFAULT_REFRESH_COOKIE == 'refresh_token'
    assert (
        concrete_views.DEFAULT_REFRESH_COOKIE_PATH
        == peer_concrete.DEFAULT_REFRESH_COOKIE_PATH
    )
    auth = our_auth.CookieJWTSyncAuth()
    peer_auth = PeerCookieAuth()
    assert (auth.cookie_name, auth.security_scheme_name) == (
        peer_auth.cookie_name,
        peer_auth.security_scheme_name,
    )
    assert auth.csrf_scheme_name == peer_auth.csrf_scheme_name


_NAMES: Final = (
    'CookieObtainTokensSyncController',
    'CookieObtainTokensAsyncController',
    'CookieRefreshTokensSyncController',
    'CookieRefreshTokensAsyncController',
    'CookieLogoutSyncController',
    'CookieLogoutAsyncController',
)


@pytest.mark.parametrize('name', _NAMES)
def test_concrete_names_are_the_peers(name: str) -> None:
    ours = getattr(concrete_views, name)

    assert hasattr(peer_concrete, name)
    assert ours.jwt_refresh_cookie_path == '/'


_CONCRETE_URLS: Final = [
    path(
        f'{kind}/{mode}/',
        getattr(concrete_views, f'Cookie{cls}{mode.title()}Controller').as_view(
            serializer=PydanticSerializer,
            jwt_refresh_cookie_path='/concrete/refresh/',
        ),
    )
    for kind, cls in (
        ('login', 'ObtainTokens'),
        ('refresh', 'RefreshTokens'),
        ('logout', 'Logout'),
    )
    for mode in ('sync', 'async')
]

urlpatterns = [
    *cookie_urls.urlpatterns,
    path('concrete/', include(_CONCRETE_URLS)),
]


@pytest.mark.urls(__name__)
@pytest.mark.django_db
@pytest.mark.parametrize('mode', ['sync', 'async'])
def test_concrete_controllers_round_trip(
    user: User,
    mode: str,
) -> None:
    client = Client()
    login = client.post(
        f'/concrete/login/{mode}/',
        data={'username': 'test_user', 'password': PASSWORD},
        content_type='application/json',
    )
    assert login.status_code == 204, login.content
    assert login.cookies['refresh_token']['path'] == '/concrete/refresh/'

    assert client.get(f'/cookie/me/pydantic/{mode}/').status_code == 200
    # The peer's cookie auth reads our cookie: a front end keeps working.
    request = RequestFactory().get('/')
    request.COOKIES = {'access_token': client.cookies['access_token'].value}
    peer_token = PeerCookieAuth().prepare_token(request)
    assert peer_token is not None
    assert peer_token.sub == str(user.pk)
    refresh = client.post(f'/concrete/refresh/{mode}/')
    assert refresh.status_code == 204, refresh.content
    logout = client.post(f'/concrete/logout/{mode}/')
    assert logout.status_code == 204
    assert logout.cookies['access_token']['max-age'] == 0


@pytest.fixture(scope='module')
def schema() -> dict[str, Any]:
    """The schema of the cookie test URLs."""
    built: dict[str, Any] = build_schema(cookie_urls.router).convert()
    return built


def test_openapi_cookie_and_csrf_schemes(schema: dict[str, Any]) -> None:
    schemes = schema['components']['securitySchemes']

    assert schemes['jwt_cookie'] == {
        'type': 'apiKey',
        'name': 'access_token',
        'in': 'cookie',
        'description': 'JWT token auth via cookie',
    }
    assert schemes['csrf'] == {
        'type': 'apiKey',
        'name': 'csrftoken',
        'in': 'cookie',
        'description': 'CSRF protection',
    }
    me = schema['paths']['/cookie/me/pydantic/sync/']
    assert me['get']['security'] == [{'jwt_cookie': []}]
    assert me['post']['security'] == [{'jwt_cookie': [], 'csrf': []}]
    assert '403' in me['post']['responses']
    assert '403' not in me['get']['responses']


def test_openapi_set_cookie_responses(schema: dict[str, Any]) -> None:
    login = schema['paths']['/cookie/login/pydantic/sync/']['post']
    refresh = schema['paths']['/cookie/refresh/pydantic/sync/']['post']
    logout = schema['paths']['/cookie/logout/pydantic/sync/']['post']

    assert set(login['responses']['204']['headers']) == {
        'Cache-Control',
        'Set-Cookie: access_token',
        'Set-Cookie: refresh_token',
        'Set-Cookie: csrftoken',
    }
    assert {'401', '503'} <= set(login['responses'])
    assert '403' not in login['responses']
    for operation in (refresh, logout):
        assert {'204', '401', '403', '503'} <= set(operation['responses'])
        assert set(operation['responses']['204']['headers']) == {
            'Cache-Control',
            'Set-Cookie: access_token',
            'Set-Cookie: refresh_token',
        }
    dropped = logout['responses']['204']['headers']['Set-Cookie: access_token']
    assert dropped['description'] == (
        'Sent back empty and expired, so it is dropped.'
    )
