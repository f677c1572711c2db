import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

import joserfc.jwk
import pytest
from asgiref.sync import async_to_sync
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import AsyncClient, Client
from django.urls import resolve
from dmr.openapi import build_schema
from dmr.plugins.pydantic import PydanticSerializer
from pytest_django import Settings

from dmr_jwt.errors import KeysUnavailableError
from dmr_jwt.keys import Key, KeyRing, project_keys
from dmr_jwt.views import JWKSAsyncController, JWKSSyncController
from tests.app import jwks_urls
from tests.app.jwks_views import (
    ALGORITHMS,
    CUSTOM_MAX_AGE,
    HMAC_KID,
    PRIVATE_PEMS,
    RING,
)
from tests.conftest import Mode, SerializerName

pytestmark = pytest.mark.urls('tests.app.jwks_urls')

#: Every private parameter of a JWK (RFC 7518, sections 6.2.2, 6.3.2, 6.4;
#: RFC 8037, section 2): none may ever be served.
PRIVATE_PARAMETERS: Final = frozenset(
    {'d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'},
)

#: What each key type publishes besides ``kid``, ``alg`` and ``use``.
_KEY_TYPES: Final = {
    'RS256': 'RSA',
    'PS256': 'RSA',
    'ES256': 'EC',
    'ES384': 'EC',
    'ES512': 'EC',
    'EdDSA': 'OKP',
}

_Get = Callable[..., Any]


@pytest.fixture
def jwks_url(serializer: SerializerName, mode: Mode) -> Callable[[str], str]:
    def factory(name: str) -> str:
        return f'/jwks/{serializer}/{name}/{mode}/'

    return factory


@pytest.fixture
def get(mode: Mode) -> _Get:
    """GET through the client of the mode: WSGI for sync, ASGI for async."""
    if mode == 'sync':
        return Client().get

    async_client = AsyncClient()

    def async_get(url: str, headers: dict[str, str] | None = None) -> Any:
        return async_to_sync(async_client.get)(url, headers=headers)

    return async_get


@pytest.fixture
def _fresh_project_keys() -> Iterator[None]:
    project_keys.cache_clear()
    yield
    project_keys.cache_clear()


def _independent_public_jwk(algorithm: str) -> dict[str, Any]:
    # joserfc's own export of the public half: not our code.
    key_type = _KEY_TYPES[algorithm]
    imported = joserfc.jwk.import_key(PRIVATE_PEMS[algorithm], key_type)  # type: ignore[call-overload]
    public: dict[str, Any] = imported.as_dict(private=False)
    public.pop('kid', None)
    return public


def test_serves_every_public_key_and_never_a_secret(
    *,
    get: _Get,
    jwks_url: Callable[[str], str],
) -> None:
    response = get(jwks_url('ring'))

    assert response.status_code == 200
    assert response['Content-Type'] == 'application/json'
    served = {jwk['kid']: jwk for jwk in response.json()['keys']}
    assert set(served) == {f'kid-{algorithm}' for algorithm in ALGORITHMS}
    assert HMAC_KID not in response.content.decode()
    for algorithm in ALGORITHMS:
        jwk = served[f'kid-{algorithm}']
        assert not PRIVATE_PARAMETERS & set(jwk), algorithm
        assert jwk['alg'] == algorithm
        assert jwk['use'] == 'sig'
        assert jwk['kty'] == _KEY_TYPES[algorithm]
        expected = _independent_public_jwk(algorithm)
        assert {name: jwk[name] for name in expected} == expected


def test_caching_headers(*, get: _Get, jwks_url: Callable[[str], str]) -> None:
    response = get(jwks_url('ring'))

    assert response['Cache-Control'] == 'public, max-age=300'
    etag = response['ETag']
    assert etag.startswith('"')
    assert etag.endswith('"')
    assert len(etag) > 16
    # The same ring, the same ETag, whichever controller serves it.
    assert get(jwks_url('ring'))['ETag'] == etag


@pytest.mark.parametrize(
    'if_none_match',
    ['{etag}', 'W/{etag}', '"other", {etag}', '*'],
)
def test_not_modified_when_the_etag_matches(
    *,
    get: _Get,
    jwks_url: Callable[[str], str],
    if_none_match: str,
) -> None:
    etag = get(jwks_url('ring'))['ETag']

    response = get(
        jwks_url('ring'),
        headers={'If-None-Match': if_none_match.format(etag=etag)},
    )

    assert response.status_code == 304
    assert response.content == b''
    assert response['ETag'] == etag
    assert response['Cache-Control'] == 'public, max-age=300'


@pytest.mark.parametrize('if_none_match', ['"other"', 'garbage', ''])
def test_modified_when_the_etag_differs(
    *,
    get: _Get,
    jwks_url: Callable[[str], str],
    if_none_match: str,
) -> None:
    response = get(jwks_url('ring'), headers={'If-None-Match': if_none_match})

    assert response.status_code == 200
    assert len(response.json()['keys']) == len(ALGORITHMS)


def test_needs_no_auth(*, get: _Get, jwks_url: Callable[[str], str]) -> None:
    response = get(
        jwks_url('ring'),
        headers={'Authorization': 'Bearer not-a-token'},
    )

    assert response.status_code == 200


@pytest.mark.usefixtures('_fresh_project_keys')
def test_project_keys_follow_a_rotation(
    *,
    get: _Get,
    jwks_url: Callable[[str], str],
    settings: Settings,
    tmp_path: Path,
) -> None:
    ring_file = tmp_path / 'ring.json'
    settings.DMR_JWT = {'KEYS': str(ring_file), 'KEYS_RELOAD_INTERVAL': 1e-6}
    call_command('jwt_keys', 'generate', '--kid', 'first', stdout=_null())
    before = get(jwks_url('project'))
    call_command(
        'jwt_keys', 'rotate', '--stage', '--kid', 'next', stdout=_null()
    )

    after = get(
        jwks_url('project'),
        headers={'If-None-Match': before['ETag']},
    )

    assert before['Cache-Control'] == f'public, max-age={CUSTOM_MAX_AGE}'
    assert [jwk['kid'] for jwk in before.json()['keys']] == ['first']
    assert after.status_code == 200
    assert after['ETag'] != before['ETag']
    assert [jwk['kid'] for jwk in after.json()['keys']] == ['first', 'next']


@pytest.mark.usefixtures('_fresh_project_keys')
def test_one_secret_publishes_an_empty_set(
    *,
    get: _Get,
    jwks_url: Callable[[str], str],
    settings: Settings,
) -> None:
    settings.DMR_JWT = {}

    response = get(jwks_url('project'))

    assert response.status_code == 200
    assert response.json() == {'keys': []}


def test_hmac_keys_are_never_served(
    *,
    get: _Get,
    jwks_url: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hmac_only = KeyRing(
        [Key.from_material('hmac', 'HS512', secret='x' * 64)],
    )
    monkeypatch.setattr(_view_class(jwks_url('ring')), 'jwt_keys', hmac_only)

    response = get(jwks_url('ring'))

    assert response.json() == {'keys': []}
    assert 'x' * 16 not in response.content.decode()


class _NeverFetched:
    def key_ring(self) -> KeyRing:
        raise KeysUnavailableError('no key set fetched yet')

    def verifying_key(self, kid: str | None) -> Key:
        raise KeysUnavailableError('no key set fetched yet')

    async def aprepare(self, kid: str | None) -> None:
        """Nothing to fetch."""


def test_unavailable_keys_are_a_503(
    *,
    get: _Get,
    jwks_url: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    view_class = _view_class(jwks_url('ring'))
    monkeypatch.setattr(view_class, 'jwt_keys', _NeverFetched())

    response = get(jwks_url('ring'))

    assert response.status_code == 503
    assert response['Retry-After'] == '5'
    assert response.json()['detail'][0]['type'] == 'internal_error'


@pytest.fixture(scope='module')
def schema() -> dict[str, Any]:
    return build_schema(jwks_urls.router).convert()


def test_openapi_documents_the_set_and_its_headers(
    *,
    schema: dict[str, Any],
    jwks_url: Callable[[str], str],
) -> None:
    operation = schema['paths'][jwks_url('ring')]['get']

    assert 'security' not in operation
    responses = operation['responses']
    assert {'200', '304', '503'} <= set(responses)
    assert '401' not in responses
    for status in ('200', '304'):
        assert set(responses[status]['headers']) == {'Cache-Control', 'ETag'}
    body = responses['200']['content']['application/json']['schema']
    assert body == {'$ref': '#/components/schemas/JWKSResponse'}
    components = schema['components']['schemas']
    assert components['JWKSResponse']['required'] == ['keys']
    assert set(components['JWK']['required']) == {'kty', 'kid', 'alg', 'use'}
    assert {'n', 'e', 'crv', 'x', 'y'} <= set(components['JWK']['properties'])
    assert not PRIVATE_PARAMETERS & set(components['JWK']['properties'])


@pytest.mark.parametrize('base', [JWKSSyncController, JWKSAsyncController])
def test_unknown_settings_are_refused(base: type[Any]) -> None:
    with pytest.raises(ImproperlyConfigured, match='jwt_jwks_max_age'):
        _subclass(base, jwt_jwks_maxage=60)


@pytest.mark.parametrize('max_age', [-1, 1.5, '300', True])
@pytest.mark.parametrize('base', [JWKSSyncController, JWKSAsyncController])
def test_max_age_is_a_non_negative_int(
    base: type[Any], max_age: object
) -> None:
    with pytest.raises(ImproperlyConfigured, match='non-negative int'):
        _subclass(base, jwt_jwks_max_age=max_age)


def test_ring_is_the_test_ring() -> None:
    # The fixtures above rely on it: one key per algorithm, one secret.
    assert len(RING) == len(ALGORITHMS) + 1
    assert RING.active is not None


def _subclass(base: type[Any], **attributes: object) -> type[Any]:
    return types.new_class(
        'Subclass',
        (base[PydanticSerializer],),
        exec_body=lambda namespace: namespace.update(attributes),
    )


def _view_class(url: str) -> type[Any]:
    view_class: type[Any] = resolve(url).func.view_class  # type: ignore[attr-defined]
    return view_class


def _null() -> Any:
    import io  # noqa: PLC0415

    return io.StringIO()
