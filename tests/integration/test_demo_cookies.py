"""
The demo's cookie API and login page, through Django's test client.

The browser drives them end to end (``tests/browser/``); here, what a
browser cannot show: the page's configuration, the OpenAPI description,
and that outside the demo's own settings (which relax ``Secure`` for
``make demo`` over http) the cookies keep ``Secure`` on.
"""

import json
import re
from pathlib import Path
from typing import Any, Final

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django import Settings

from demo.api.management.commands.ensure_demo_user import PASSWORD, USERNAME

pytestmark = [pytest.mark.urls('demo.urls'), pytest.mark.django_db]

_TEMPLATES: Final = (
    Path(__file__).parents[2]
    / 'examples'
    / 'demo'
    / 'demo'
    / 'api'
    / 'templates'
)

_COOKIE_PATHS: Final = (
    '/api/cookie/login/',
    '/api/cookie/refresh/',
    '/api/cookie/logout/',
)


@pytest.fixture
def page_templates(settings: Settings) -> None:
    """The demo's templates (the suite does not install the demo app)."""
    settings.TEMPLATES = [
        {
            'BACKEND': 'django.template.backends.django.DjangoTemplates',
            'DIRS': [str(_TEMPLATES)],
        },
    ]


@pytest.mark.usefixtures('page_templates')
def test_the_page_sets_the_csrf_cookie_and_knows_the_api(
    client: Client,
) -> None:
    response = client.get('/')

    assert response.status_code == 200
    assert response['Content-Type'].startswith('text/html')
    csrf = response.cookies['csrftoken']
    assert csrf.value
    # The one cookie the page's script reads.
    assert not csrf['httponly']
    content = response.content.decode()
    match = re.search(
        r'<script id="config" type="application/json">(.*?)</script>',
        content,
    )
    assert match is not None, content
    assert json.loads(match.group(1)) == {
        'urls': {
            'login': '/api/cookie/login/',
            'refresh': '/api/cookie/refresh/',
            'logout': '/api/cookie/logout/',
            'me': '/api/cookie/me/',
        },
        'csrfCookie': 'csrftoken',
        'csrfHeader': 'X-Csrftoken',
    }
    # No script from anywhere else: the page works offline.
    assert '<script src' not in content


@pytest.mark.usefixtures('page_templates')
def test_the_page_is_get_only(client: Client) -> None:
    assert client.post('/').status_code == 405


def test_outside_the_demo_settings_the_cookies_stay_secure(
    client: Client,
) -> None:
    User.objects.create_user(USERNAME, password=PASSWORD)

    response = client.post(
        '/api/cookie/login/',
        {'username': USERNAME, 'password': PASSWORD},
        content_type='application/json',
    )

    assert response.status_code == 204, response.content
    access = response.cookies['access_token']
    refresh = response.cookies['refresh_token']
    for cookie in (access, refresh):
        assert cookie['secure'] is True
        assert cookie['httponly'] is True
        assert cookie['samesite'] == 'lax'
    assert access['path'] == '/'
    assert refresh['path'] == '/api/cookie/refresh/'


def test_the_cookie_api_is_documented(client: Client) -> None:
    schema: dict[str, Any] = client.get('/docs/openapi.json/').json()

    paths = schema['paths']
    assert paths['/api/cookie/me/']['get']['security'] == [{'jwt_cookie': []}]
    assert schema['components']['securitySchemes']['jwt_cookie'] == {
        'type': 'apiKey',
        'description': 'JWT token auth via cookie',
        'name': 'access_token',
        'in': 'cookie',
    }
    for path in _COOKIE_PATHS:
        assert '204' in paths[path]['post']['responses'], path
    # Refresh and logout are called with the cookies alone: CSRF.
    for path in _COOKIE_PATHS[1:]:
        assert '403' in paths[path]['post']['responses'], path
