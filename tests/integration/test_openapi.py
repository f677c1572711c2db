from collections.abc import Callable
from typing import Any, Final

import pytest
from dmr.openapi import build_schema
from dmr.routing import Router, path

from dmr_jwt import JWTAsyncAuth, JWTSyncAuth
from tests.app import auth_urls, urls
from tests.app.auth_views import AUTH_VARIANTS, whoami_controllers

_ERROR_MODEL_CONTENT: Final = {
    'application/json': {
        'schema': {'$ref': '#/components/schemas/ErrorModel'},
    },
}

# Excerpts of the documented openapi.json (the JWT auth docs page):

_DOC_JWT_SCHEME: Final = {
    'type': 'http',
    'scheme': 'Bearer',
    'bearerFormat': 'JWT',
    'description': 'JWT token auth',
}

_DOC_OBTAIN_PAYLOAD_DESCRIPTION: Final = (
    'Payload for default version of a jwt request body.\n\n'
    'Is also used as kwargs for :func:`django.contrib.auth.authenticate`.'
)

_DOC_SCHEMAS: Final[dict[str, dict[str, Any]]] = {
    'ErrorDetail': {
        'description': 'Base schema for error details description.',
        'properties': {
            'loc': {
                'items': {
                    'anyOf': [{'type': 'integer'}, {'type': 'string'}],
                },
                'title': 'Loc',
                'type': 'array',
            },
            'msg': {'title': 'Msg', 'type': 'string'},
            'type': {'title': 'Type', 'type': 'string'},
        },
        'required': ['msg'],
        'title': 'ErrorDetail',
        'type': 'object',
    },
    'ErrorModel': {
        'description': (
            'Default error response schema.\n\nCan be customized.\n'
            'See :ref:`customizing-error-messages` for more details.'
        ),
        'properties': {
            'detail': {
                'items': {'$ref': '#/components/schemas/ErrorDetail'},
                'title': 'Detail',
                'type': 'array',
            },
        },
        'required': ['detail'],
        'title': 'ErrorModel',
        'type': 'object',
    },
    'ObtainTokensPayload': {
        'description': _DOC_OBTAIN_PAYLOAD_DESCRIPTION,
        'properties': {
            'password': {'title': 'Password', 'type': 'string'},
            'username': {'title': 'Username', 'type': 'string'},
        },
        'required': ['username', 'password'],
        'title': 'ObtainTokensPayload',
        'type': 'object',
    },
    'ObtainTokensResponse': {
        'description': 'Default response type for refresh token endpoint.',
        'properties': {
            'access_token': {'title': 'Access Token', 'type': 'string'},
            'refresh_token': {'title': 'Refresh Token', 'type': 'string'},
        },
        'required': ['access_token', 'refresh_token'],
        'title': 'ObtainTokensResponse',
        'type': 'object',
    },
    'RefreshTokenPayload': {
        'description': (
            'Default request body type for the refresh token endpoint.'
        ),
        'properties': {
            'refresh_token': {'title': 'Refresh Token', 'type': 'string'},
        },
        'required': ['refresh_token'],
        'title': 'RefreshTokenPayload',
        'type': 'object',
    },
}

_DOC_TOKEN_ENDPOINT_ERRORS: Final = {
    '400': {
        'content': _ERROR_MODEL_CONTENT,
        'description': 'Raised when request components cannot be parsed',
    },
    '401': {
        'content': _ERROR_MODEL_CONTENT,
        'description': 'Unauthorized',
    },
}


def _ref(name: str) -> dict[str, Any]:
    return {
        'application/json': {'schema': {'$ref': f'#/components/schemas/{name}'}}
    }


@pytest.fixture(scope='module')
def schema() -> dict[str, Any]:
    """The schema of ``tests.app.urls``: me, obtain and refresh endpoints."""
    return build_schema(urls.router).convert()


@pytest.fixture(scope='module')
def auth_schema() -> dict[str, Any]:
    """The schema of ``tests.app.auth_urls``: one endpoint per auth setup."""
    return build_schema(auth_urls.router).convert()


def test_jwt_security_scheme(*, schema: dict[str, Any]) -> None:
    assert schema['components']['securitySchemes']['jwt'] == _DOC_JWT_SCHEME


@pytest.mark.parametrize('name', list(_DOC_SCHEMAS))
def test_documented_components(*, schema: dict[str, Any], name: str) -> None:
    assert schema['components']['schemas'][name] == _DOC_SCHEMAS[name]


def test_protected_operation(
    *,
    schema: dict[str, Any],
    url: Callable[[str], str],
) -> None:
    operation = schema['paths'][url('me')]['get']

    assert operation['security'] == [{'jwt': []}]
    unauthorized = operation['responses']['401']
    assert unauthorized['content'] == _ERROR_MODEL_CONTENT
    assert unauthorized['description'] == 'Raised when auth was not successful'
    assert set(unauthorized['headers']) == {'WWW-Authenticate'}


@pytest.mark.parametrize(
    ('endpoint', 'payload', 'summary'),
    [
        pytest.param(
            'obtain',
            'ObtainTokensPayload',
            'By default tokens are acquired on post.',
            id='obtain',
        ),
        pytest.param(
            'refresh',
            'RefreshTokenPayload',
            'Refresh tokens on POST.',
            id='refresh',
        ),
    ],
)
def test_token_operation(
    *,
    schema: dict[str, Any],
    url: Callable[[str], str],
    endpoint: str,
    payload: str,
    summary: str,
) -> None:
    operation = schema['paths'][url(endpoint)]['post']

    assert operation['summary'] == summary
    assert operation['requestBody'] == {
        'content': _ref(payload),
        'description': _DOC_SCHEMAS[payload]['description'],
        'required': True,
    }
    responses = operation['responses']
    assert responses['200']['content'] == _ref('ObtainTokensResponse')
    assert set(responses['200']['headers']) == {'Cache-Control'}
    for status_code, response in _DOC_TOKEN_ENDPOINT_ERRORS.items():
        assert responses[status_code] == response
    assert 'security' not in operation


@pytest.mark.parametrize(
    ('auth_kwargs', 'scheme_name', 'scheme'),
    [
        pytest.param({}, 'jwt', _DOC_JWT_SCHEME, id='default'),
        pytest.param(
            {'security_scheme_name': 'token_auth'},
            'token_auth',
            _DOC_JWT_SCHEME,
            id='custom-name',
        ),
        pytest.param(
            {'auth_scheme': 'Token'},
            'jwt',
            {**_DOC_JWT_SCHEME, 'scheme': 'Token'},
            id='custom-scheme',
        ),
        pytest.param(
            {'auth_header': 'X-Token'},
            'jwt',
            {
                'type': 'apiKey',
                'name': 'X-Token',
                'in': 'header',
                'description': (
                    'JWT token auth via `X-Token` header '
                    'in `Bearer <token>` format'
                ),
            },
            id='custom-header',
        ),
        pytest.param(
            {
                'auth_header': 'X-Token',
                'auth_scheme': 'Token',
                'security_scheme_name': 'x_token',
            },
            'x_token',
            {
                'type': 'apiKey',
                'name': 'X-Token',
                'in': 'header',
                'description': (
                    'JWT token auth via `X-Token` header '
                    'in `Token <token>` format'
                ),
            },
            id='custom-header-scheme-and-name',
        ),
        pytest.param(
            {'auth_header': 'X-Token', 'auth_scheme': ''},
            'jwt',
            {
                'type': 'apiKey',
                'name': 'X-Token',
                'in': 'header',
                'description': (
                    'JWT token auth via `X-Token` header in `<token>` format'
                ),
            },
            id='custom-header-bare-token',
        ),
        pytest.param(
            {'auth_scheme': ''},
            'jwt',
            {
                'type': 'apiKey',
                'name': 'Authorization',
                'in': 'header',
                'description': (
                    'JWT token auth via `Authorization` header '
                    'in `<token>` format'
                ),
            },
            id='bare-authorization',
        ),
    ],
)
def test_security_scheme_of_auth(
    *,
    auth_kwargs: dict[str, Any],
    scheme_name: str,
    scheme: dict[str, str],
) -> None:
    router = Router(
        'api/',
        [
            path(f'{mode}/', controller.as_view())
            for mode, controller in zip(
                ('sync', 'async'),
                whoami_controllers(
                    'Schema',
                    JWTSyncAuth(**auth_kwargs),
                    JWTAsyncAuth(**auth_kwargs),
                ),
                strict=True,
            )
        ],
    )

    built = build_schema(router).convert()

    # Both twins describe themselves the same way, or building would fail:
    assert built['components']['securitySchemes'] == {scheme_name: scheme}
    for mode in ('sync', 'async'):
        operation = built['paths'][f'/api/{mode}/']['get']
        assert operation['security'] == [{scheme_name: []}]
        unauthorized = operation['responses']['401']
        assert unauthorized['content'] == _ERROR_MODEL_CONTENT
        # Only `http` schemes can be sent as a `WWW-Authenticate` challenge:
        assert ('headers' in unauthorized) is (scheme['type'] == 'http')


@pytest.mark.parametrize('variant', list(AUTH_VARIANTS))
@pytest.mark.parametrize('mode', ['sync', 'async'])
def test_auth_urls_security_requirements(
    *,
    auth_schema: dict[str, Any],
    variant: str,
    mode: str,
) -> None:
    auth_kwargs = AUTH_VARIANTS[variant][2]
    scheme_name = auth_kwargs.get('security_scheme_name', 'jwt')

    operation = auth_schema['paths'][f'/auth/{variant}/{mode}/']['get']

    assert operation['security'] == [{scheme_name: []}]
    assert scheme_name in auth_schema['components']['securitySchemes']
