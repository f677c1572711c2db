import datetime as dt
import inspect
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, TypeAlias
from unittest import mock

import jwt
import pytest
from asgiref.sync import async_to_sync
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.test import AsyncClient, Client, RequestFactory
from pytest_django import Settings

from dmr_jwt import JWTAsyncAuth, JWToken, JWTSyncAuth, request_jwt
from tests.app.auth_views import PlainSubclassToken, ScopedToken
from tests.conftest import Mode

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

_AuthCls: TypeAlias = type[JWTSyncAuth] | type[JWTAsyncAuth]
_AnyAuth: TypeAlias = JWTSyncAuth | JWTAsyncAuth

_AUTH_CLASSES: Final[dict[Mode, _AuthCls]] = {
    'sync': JWTSyncAuth,
    'async': JWTAsyncAuth,
}

_UNAUTHORIZED_BODY: Final = {
    'detail': [{'msg': 'Not authenticated', 'type': 'security'}],
}

#: The documented constructor keywords and their defaults, except `secret`.
_DEFAULTS: Final[dict[str, Any]] = {
    'user_id_field': 'pk',
    'algorithm': 'HS256',
    'security_scheme_name': 'jwt',
    'auth_header': 'Authorization',
    'auth_scheme': 'Bearer',
    'token_cls': JWToken,
    'leeway': 0,
    'accepted_audiences': None,
    'accepted_issuers': None,
    'require_claims': None,
    'verify_expiry': True,
    'verify_issued_at': True,
    'verify_jwt_id': True,
    'verify_not_before': True,
    'verify_subject': True,
    'strict_audience': False,
    'enforce_minimum_key_length': True,
}

#: A non-default value for every documented keyword.
_CUSTOM: Final[dict[str, Any]] = {
    'user_id_field': 'username',
    'algorithm': 'HS512',
    'security_scheme_name': 'token',
    'auth_header': 'X-Token',
    'auth_scheme': 'Token',
    'secret': 'custom-secret-' + 'k' * 64,
    'token_cls': PlainSubclassToken,
    'leeway': 30,
    'accepted_audiences': 'web',
    'accepted_issuers': ['issuer-a', 'issuer-b'],
    'require_claims': ['jti'],
    'verify_expiry': False,
    'verify_issued_at': False,
    'verify_jwt_id': False,
    'verify_not_before': False,
    'verify_subject': False,
    'strict_audience': True,
    'enforce_minimum_key_length': False,
}

_METHODS: Final = (
    'prepare_token',
    'get_token_from_request',
    'split_encoded_token',
    'decode_token',
    'claim_from_token',
    'authenticate',
    'get_user',
    'check_auth',
    'set_request_attrs',
    'provide_response_specs',
    'security_schemes',
    'security_requirements',
    '__call__',
)

#: Methods that touch the database: coroutines on the async auth.
_IO_METHODS: Final = (
    'authenticate',
    'get_user',
    'check_auth',
    'set_request_attrs',
    '__call__',
)

_ARABIC_INDIC_DIGITS: Final = str.maketrans('0123456789', '٠١٢٣٤٥٦٧٨٩')


@pytest.fixture
def auth_cls(mode: Mode) -> _AuthCls:
    return _AUTH_CLASSES[mode]


@pytest.fixture
def auth_url(mode: Mode) -> Callable[[str], str]:
    """Build ``/auth/<variant>/<mode>/`` of ``tests.app.auth_urls``."""

    def factory(variant: str) -> str:
        return f'/auth/{variant}/{mode}/'

    return factory


def _encode(
    sub: str,
    *,
    token_type: str = 'access',  # noqa: S107
    secret: str | None = None,
    expires_in: dt.timedelta = dt.timedelta(hours=1),
    jti: str | None = None,
    extras: dict[str, Any] | None = None,
) -> str:
    now = dt.datetime.now(dt.UTC)
    return jwt.encode(
        {
            'sub': sub,
            'exp': int((now + expires_in).timestamp()),
            'iat': int(now.timestamp()),
            'jti': jti or uuid.uuid4().hex,
            'extras': {'type': token_type, **(extras or {})},
        },
        secret or django_settings.SECRET_KEY,
        algorithm='HS256',
    )


def _bearer(token: str) -> dict[str, str]:
    return {'Authorization': f'Bearer {token}'}


def _assert_unauthorized(
    response: '_MonkeyPatchedWSGIResponse',
    challenge: str | None = 'Bearer',
) -> None:
    assert response.status_code == 401, response.content
    assert response.json() == _UNAUTHORIZED_BODY
    assert response.headers.get('WWW-Authenticate') == challenge


def _authenticate(
    auth: _AnyAuth,
    request: HttpRequest,
) -> AbstractBaseUser:
    """Run the auth pipeline of either twin from sync code."""
    token = auth.prepare_token(request)
    assert token is not None
    if isinstance(auth, JWTAsyncAuth):
        return async_to_sync(auth.authenticate)(request, token)
    return auth.authenticate(request, token)


# Constructor and API surface:


def test_documented_signature(*, auth_cls: _AuthCls) -> None:
    parameters = inspect.signature(auth_cls).parameters

    assert {
        name: parameter.default for name, parameter in parameters.items()
    } == {**_DEFAULTS, 'secret': None}
    assert {parameter.kind for parameter in parameters.values()} == {
        inspect.Parameter.KEYWORD_ONLY,
    }


def test_default_attributes(
    *,
    auth_cls: _AuthCls,
    settings: Settings,
) -> None:
    settings.SECRET_KEY = 'secret-read-at-construction-' + 'z' * 64

    auth = auth_cls()

    assert {name: getattr(auth, name) for name in _DEFAULTS} == _DEFAULTS
    assert auth.secret == settings.SECRET_KEY


def test_custom_attributes(*, auth_cls: _AuthCls) -> None:
    auth = auth_cls(**_CUSTOM)

    assert {name: getattr(auth, name) for name in _CUSTOM} == _CUSTOM


@pytest.mark.parametrize('method_name', _METHODS)
def test_documented_methods(*, auth_cls: _AuthCls, method_name: str) -> None:
    assert callable(getattr(auth_cls, method_name))


@pytest.mark.parametrize('method_name', _IO_METHODS)
def test_io_methods_are_coroutines_only_on_async(*, method_name: str) -> None:
    assert inspect.iscoroutinefunction(getattr(JWTAsyncAuth, method_name))
    assert not inspect.iscoroutinefunction(getattr(JWTSyncAuth, method_name))


@pytest.mark.parametrize(
    ('auth_scheme', 'header', 'expected'),
    [
        pytest.param('Bearer', 'Bearer x', 'x', id='bearer'),
        pytest.param('Bearer', 'bearer x', 'x', id='lowercase-scheme'),
        pytest.param('Bearer', 'BEARER x', 'x', id='uppercase-scheme'),
        pytest.param('Bearer', 'Basic x', None, id='other-scheme'),
        pytest.param('Bearer', 'Bearerx', None, id='no-space'),
        pytest.param('Bearer', 'Bearer', None, id='scheme-only'),
        pytest.param('Bearer', 'x.y.z', None, id='bare-token'),
        pytest.param('Token', 'Token x', 'x', id='custom-scheme'),
        pytest.param('Token', 'Bearer x', None, id='custom-scheme-other'),
        pytest.param('', 'x.y.z', 'x.y.z', id='empty-scheme-bare'),
        pytest.param('', 'Bearer x', 'Bearer x', id='empty-scheme-whole'),
    ],
)
def test_split_encoded_token(
    *,
    auth_cls: _AuthCls,
    auth_scheme: str,
    header: str,
    expected: str | None,
) -> None:
    auth = auth_cls(auth_scheme=auth_scheme)

    assert auth.split_encoded_token(header) == expected


# HTTP behaviour of the default auth:


def test_valid_access_token(
    *,
    client: Client,
    user: User,
    url: Callable[[str], str],
) -> None:
    jti = uuid.uuid4().hex
    encoded = _encode(str(user.pk), jti=jti)

    response = client.get(url('me'), headers=_bearer(encoded))

    assert response.status_code == 200, response.content
    assert response.json() == {'username': user.username, 'jti': jti}


@pytest.mark.django_db(transaction=True)
async def test_valid_access_token_async_client(
    *,
    async_client: AsyncClient,
    user: User,
    serializer: str,
) -> None:
    jti = uuid.uuid4().hex

    response = await async_client.get(
        f'/api/{serializer}/me/async/',
        headers=_bearer(_encode(str(user.pk), jti=jti)),
    )

    assert response.status_code == 200, response.content
    assert response.json() == {'username': user.username, 'jti': jti}


def _no_header(user: User) -> dict[str, str]:
    return {}


def _refresh_token(user: User) -> dict[str, str]:
    return _bearer(_encode(str(user.pk), token_type='refresh'))


def _expired_token(user: User) -> dict[str, str]:
    return _bearer(_encode(str(user.pk), expires_in=dt.timedelta(seconds=-5)))


def _wrong_secret(user: User) -> dict[str, str]:
    return _bearer(_encode(str(user.pk), secret='another-secret-' + 'w' * 64))


def _not_a_jwt(user: User) -> dict[str, str]:
    return _bearer('not-a-jwt')


def _empty_token(user: User) -> dict[str, str]:
    return {'Authorization': 'Bearer '}


def _deleted_user(user: User) -> dict[str, str]:
    headers = _bearer(_encode(str(user.pk)))
    user.delete()
    return headers


def _inactive_user(user: User) -> dict[str, str]:
    user.is_active = False
    user.save(update_fields=['is_active'])
    return _bearer(_encode(str(user.pk)))


def _over_long_token(user: User) -> dict[str, str]:
    # Validly signed, only too long:
    return _bearer(_encode(str(user.pk), extras={'padding': 'p' * 9000}))


@pytest.mark.parametrize(
    'make_headers',
    [
        pytest.param(_no_header, id='no-header'),
        pytest.param(_refresh_token, id='refresh-as-access'),
        pytest.param(_expired_token, id='expired'),
        pytest.param(_wrong_secret, id='wrong-secret'),
        pytest.param(_not_a_jwt, id='not-a-jwt'),
        pytest.param(_empty_token, id='empty-token'),
        pytest.param(_deleted_user, id='deleted-user'),
        pytest.param(_inactive_user, id='inactive-user'),
        pytest.param(_over_long_token, id='over-8-kib'),
    ],
)
def test_unauthorized(
    *,
    client: Client,
    user: User,
    url: Callable[[str], str],
    make_headers: Callable[[User], dict[str, str]],
) -> None:
    response = client.get(url('me'), headers=make_headers(user))

    _assert_unauthorized(response)


def test_long_token_under_limit(
    *,
    client: Client,
    user: User,
    url: Callable[[str], str],
) -> None:
    token = _encode(str(user.pk), extras={'padding': 'p' * 5000})

    response = client.get(url('me'), headers=_bearer(token))

    assert len(token) < 8 * 1024
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    'make_subject',
    [
        pytest.param(lambda pk: 'abc', id='not-a-number'),
        pytest.param(lambda pk: '9' * 23, id='overflow'),
        pytest.param(lambda pk: f' {pk}', id='leading-space'),
        pytest.param(lambda pk: f'{pk} ', id='trailing-space'),
        pytest.param(lambda pk: f'+{pk}', id='plus-sign'),
        pytest.param(lambda pk: f'0{pk}', id='leading-zero'),
        pytest.param(lambda pk: f'{pk}.0', id='float'),
        pytest.param(
            lambda pk: str(pk).translate(_ARABIC_INDIC_DIGITS),
            id='arabic-indic-digits',
        ),
        pytest.param(lambda pk: str(pk + 1), id='no-such-user'),
    ],
)
def test_non_canonical_subject(
    *,
    client: Client,
    user: User,
    url: Callable[[str], str],
    make_subject: Callable[[int], str],
) -> None:
    subject = make_subject(user.pk)
    assert subject != str(user.pk)

    response = client.get(url('me'), headers=_bearer(_encode(subject)))

    _assert_unauthorized(response)


# Request attributes:


def test_request_attrs(*, auth_cls: _AuthCls, user: User) -> None:
    auth = auth_cls()
    encoded = _encode(str(user.pk))
    request = RequestFactory().get('/', headers=_bearer(encoded))

    authed_user = _authenticate(auth, request)

    assert authed_user == user
    assert request.user == user
    token = request_jwt(request, strict=True)
    assert token == auth.decode_token(encoded)
    assert request_jwt(request) is token


def test_request_jwt_without_token() -> None:
    request = RequestFactory().get('/')

    assert request_jwt(request) is None
    with pytest.raises(AttributeError):
        request_jwt(request, strict=True)


def test_instances_are_stateless(*, auth_cls: _AuthCls, user: User) -> None:
    other = User.objects.create_user('other_user')
    auth = auth_cls()
    slots = {
        slot
        for klass in type(auth).__mro__
        for slot in getattr(klass, '__slots__', ())
    }
    before = {slot: getattr(auth, slot) for slot in slots}

    authed = [
        _authenticate(
            auth,
            RequestFactory().get('/', headers=_bearer(_encode(str(pk)))),
        )
        for pk in (user.pk, other.pk, user.pk)
    ]

    assert authed == [user, other, user]
    assert not hasattr(auth, '__dict__')
    after = {slot: getattr(auth, slot) for slot in slots}
    assert after == before
    assert all(after[slot] is before[slot] for slot in slots)


# Custom user models and lookups, through `tests.app.auth_urls`:


#: Fields of one user of each custom user model.
_CUSTOM_USERS: Final[dict[str, dict[str, str]]] = {
    'testapp.UUIDUser': {'email': 'uuid@example.com'},
    'testapp.CodeUser': {'code': 'user-code-1'},
}


@pytest.fixture
def custom_user(
    request: pytest.FixtureRequest,
    settings: Settings,
    db: None,
) -> AbstractBaseUser:
    """Swap ``AUTH_USER_MODEL`` to ``request.param`` and create a user."""
    label: str = request.param
    settings.AUTH_USER_MODEL = label
    user_model = get_user_model()
    assert user_model._meta.label == label
    return user_model._default_manager.create(
        **_CUSTOM_USERS[label],
    )


@pytest.mark.urls('tests.app.auth_urls')
@pytest.mark.parametrize('custom_user', list(_CUSTOM_USERS), indirect=True)
def test_custom_user_model(
    *,
    client: Client,
    auth_url: Callable[[str], str],
    custom_user: AbstractBaseUser,
) -> None:
    response = client.get(
        auth_url('default'),
        headers=_bearer(_encode(str(custom_user.pk))),
    )

    assert response.status_code == 200, response.content
    assert response.json()['pk'] == str(custom_user.pk)
    assert response.json()['model'] == custom_user._meta.label


@pytest.mark.urls('tests.app.auth_urls')
@pytest.mark.parametrize('custom_user', ['testapp.UUIDUser'], indirect=True)
@pytest.mark.parametrize(
    'make_subject',
    [
        pytest.param(lambda pk: pk.hex, id='no-hyphens'),
        pytest.param(lambda pk: str(pk).upper(), id='uppercase'),
        pytest.param(lambda pk: f'{{{pk}}}', id='braces'),
        pytest.param(lambda pk: f'urn:uuid:{pk}', id='urn'),
        pytest.param(lambda pk: 'not-a-uuid', id='not-a-uuid'),
    ],
)
def test_non_canonical_uuid_subject(
    *,
    client: Client,
    auth_url: Callable[[str], str],
    custom_user: AbstractBaseUser,
    make_subject: Callable[[uuid.UUID], str],
) -> None:
    subject = make_subject(custom_user.pk)
    assert subject != str(custom_user.pk)

    response = client.get(
        auth_url('default'),
        headers=_bearer(_encode(subject)),
    )

    _assert_unauthorized(response)


@pytest.mark.urls('tests.app.auth_urls')
def test_user_id_field_username(
    *,
    client: Client,
    user: User,
    auth_url: Callable[[str], str],
) -> None:
    by_username = client.get(
        auth_url('username'),
        headers=_bearer(_encode(user.username)),
    )
    by_pk = client.get(
        auth_url('username'),
        headers=_bearer(_encode(str(user.pk))),
    )

    assert by_username.status_code == 200, by_username.content
    assert by_username.json()['pk'] == str(user.pk)
    _assert_unauthorized(by_pk)


@pytest.mark.urls('tests.app.auth_urls')
@pytest.mark.parametrize(
    ('extras', 'status_code'),
    [
        pytest.param({'email': 'user@example.com'}, 200, id='own-email'),
        pytest.param({'email': 'nobody@example.com'}, 401, id='other-email'),
        pytest.param({'email': ''}, 401, id='empty-email'),
        pytest.param({'email': 42}, 401, id='not-a-string'),
        pytest.param({}, 401, id='missing-email'),
    ],
)
def test_custom_claim_from_token(
    *,
    client: Client,
    user: User,
    auth_url: Callable[[str], str],
    extras: dict[str, object],
    status_code: int,
) -> None:
    user.email = 'user@example.com'
    user.save(update_fields=['email'])

    response = client.get(
        auth_url('email-claim'),
        # `sub` names nobody: only the `email` claim finds the user.
        headers=_bearer(_encode('0', extras=extras)),
    )

    assert response.status_code == status_code, response.content
    if status_code == 200:
        assert response.json()['username'] == user.username


@pytest.mark.urls('tests.app.auth_urls')
@pytest.mark.parametrize(
    ('variant', 'header', 'prefix', 'challenge'),
    [
        pytest.param('x-token', 'X-Token', 'Bearer ', None, id='x-token'),
        pytest.param('x-token-bare', 'X-Token', '', None, id='x-token-bare'),
        pytest.param(
            'token-scheme',
            'Authorization',
            'Token ',
            'Token',
            id='token-scheme',
        ),
    ],
)
def test_custom_header_and_scheme(
    *,
    client: Client,
    user: User,
    auth_url: Callable[[str], str],
    variant: str,
    header: str,
    prefix: str,
    challenge: str | None,
) -> None:
    encoded = _encode(str(user.pk))

    custom = client.get(auth_url(variant), headers={header: prefix + encoded})
    default = client.get(auth_url(variant), headers=_bearer(encoded))

    assert custom.status_code == 200, custom.content
    assert custom.json()['pk'] == str(user.pk)
    # Only the configured header and scheme are read:
    _assert_unauthorized(default, challenge)


# Custom token classes:


@pytest.mark.urls('tests.app.auth_urls')
@pytest.mark.parametrize(
    ('extras', 'status_code'),
    [
        pytest.param({'scope': 'api'}, 200, id='accepted-by-custom-decode'),
        pytest.param({}, 401, id='rejected-by-custom-decode'),
    ],
)
def test_token_cls_with_custom_decode(
    *,
    client: Client,
    user: User,
    auth_url: Callable[[str], str],
    extras: dict[str, str],
    status_code: int,
) -> None:
    response = client.get(
        auth_url('scoped-token'),
        headers=_bearer(_encode(str(user.pk), extras=extras)),
    )

    assert response.status_code == status_code, response.content
    if status_code == 200:
        assert response.json()['token_cls'] == 'ScopedToken'


@pytest.mark.urls('tests.app.auth_urls')
def test_token_cls_without_custom_decode(
    *,
    client: Client,
    user: User,
    auth_url: Callable[[str], str],
) -> None:
    response = client.get(
        auth_url('plain-subclass-token'),
        headers=_bearer(_encode(str(user.pk))),
    )

    assert response.status_code == 200, response.content
    assert response.json()['token_cls'] == 'PlainSubclassToken'


def test_custom_decode_gets_documented_arguments(*, auth_cls: _AuthCls) -> None:
    auth = auth_cls(
        token_cls=ScopedToken,
        secret=_CUSTOM['secret'],
        leeway=7,
        accepted_audiences='web',
        accepted_issuers='issuer',
        require_claims=['jti'],
        verify_not_before=False,
        strict_audience=True,
    )
    decoded = ScopedToken(
        sub='1',
        exp=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),
        extras={'type': 'access'},
    )

    with mock.patch.object(
        ScopedToken,
        'decode',
        return_value=decoded,
    ) as decode:
        token = auth.decode_token('encoded')

    assert token is decoded
    decode.assert_called_once_with(
        'encoded',
        _CUSTOM['secret'],
        'HS256',
        leeway=7,
        accepted_audiences='web',
        accepted_issuers='issuer',
        require_claims=['jti'],
        verify_exp=True,
        verify_iat=True,
        verify_jti=True,
        verify_nbf=False,
        verify_sub=True,
        strict_audience=True,
        enforce_minimum_key_length=True,
    )


def test_token_subclass_uses_fast_path(*, auth_cls: _AuthCls) -> None:
    auth = auth_cls(token_cls=PlainSubclassToken)
    encoded = _encode('1')

    with mock.patch.object(
        JWToken,
        'decode',
        side_effect=AssertionError('the documented `decode` was called'),
    ):
        token = auth.decode_token(encoded)

    assert type(token) is PlainSubclassToken
    assert token.sub == '1'
