import datetime as dt
import inspect
import uuid
from collections.abc import Callable
from typing import Any, Final, TypeAlias
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
from dmr.exceptions import NotAuthenticatedError
from pytest_django import Settings

from dmr_jwt import JWTAsyncAuth, JWToken, JWTSyncAuth, request_jwt
from dmr_jwt.errors import Reason
from tests.app.auth_views import PlainSubclassToken, ScopedToken
from tests.conftest import Mode, assert_token_error, assert_unauthorized

_AuthCls: TypeAlias = type[JWTSyncAuth] | type[JWTAsyncAuth]
_AnyAuth: TypeAlias = JWTSyncAuth | JWTAsyncAuth

_AUTH_CLASSES: Final[dict[Mode, _AuthCls]] = {
    'sync': JWTSyncAuth,
    'async': JWTAsyncAuth,
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


def _call(auth: _AnyAuth, method_name: str, *args: object) -> object:
    """Call a method of either twin from sync code."""
    method = getattr(auth, method_name)
    if isinstance(auth, JWTAsyncAuth):
        return async_to_sync(method)(*args)
    return method(*args)


# Constructor and API surface:


_PERFORMANCE_DEFAULTS: Final = {
    'token_cache_size': 0,
    'user_cache_timeout': None,
    'user_cache_alias': 'default',
    'stateless': False,
}


def test_documented_signature(*, auth_cls: _AuthCls) -> None:
    parameters = inspect.signature(auth_cls).parameters

    # The 18 documented keywords, then our opt-in performance keywords
    # and the key ring.
    assert {
        name: parameter.default for name, parameter in parameters.items()
    } == {
        **_DEFAULTS,
        'secret': None,
        **_PERFORMANCE_DEFAULTS,
        # The key ring (`dmr_jwt.keys`): the project's by default.
        'keys': None,
    }
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

    # Sequences are kept as tuples (the options are hashable).
    assert {name: getattr(auth, name) for name in _DEFAULTS} == {
        **_DEFAULTS,
        'require_claims': (),
    }
    assert auth.secret == settings.SECRET_KEY


def test_custom_attributes(*, auth_cls: _AuthCls) -> None:
    auth = auth_cls(**_CUSTOM)

    assert {name: getattr(auth, name) for name in _CUSTOM} == {
        **_CUSTOM,
        'accepted_issuers': ('issuer-a', 'issuer-b'),
        'require_claims': ('jti',),
    }


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


def _other_scheme(user: User) -> dict[str, str]:
    return {'Authorization': f'Basic {_encode(str(user.pk))}'}


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


def _claims_token(user: User, **claims: object) -> dict[str, str]:
    """A token signed with the right key, with *claims* changed."""
    now = int(dt.datetime.now(dt.UTC).timestamp())
    payload: dict[str, object] = {
        'sub': str(user.pk),
        'exp': now + 3600,
        'iat': now,
        'jti': uuid.uuid4().hex,
        'extras': {'type': 'access'},
        **claims,
    }
    return _bearer(
        jwt.encode(payload, django_settings.SECRET_KEY, algorithm='HS256'),
    )


def _other_algorithm(user: User) -> dict[str, str]:
    now = int(dt.datetime.now(dt.UTC).timestamp())
    return _bearer(
        jwt.encode(
            {'sub': str(user.pk), 'exp': now + 3600, 'extras': {}},
            django_settings.SECRET_KEY,
            algorithm='HS512',
        ),
    )


def _alg_none(user: User) -> dict[str, str]:
    now = int(dt.datetime.now(dt.UTC).timestamp())
    unsigned = jwt.encode(
        {'sub': str(user.pk), 'exp': now + 3600, 'extras': {'type': 'access'}},
        '',
        algorithm='none',
    )
    return _bearer(unsigned)


def _tampered(user: User) -> dict[str, str]:
    # The payload of another user under this user's signature.
    head, _, signature = _encode(str(user.pk)).split('.')
    other_body = _encode(str(user.pk + 1)).split('.')[1]
    return _bearer(f'{head}.{other_body}.{signature}')


@pytest.mark.parametrize(
    ('make_headers', 'reason'),
    [
        pytest.param(_no_header, None, id='no-header'),
        pytest.param(_other_scheme, None, id='other-scheme'),
        pytest.param(_refresh_token, Reason.WRONG_TYPE, id='refresh-as-access'),
        pytest.param(
            lambda user: _claims_token(user, extras={}),
            Reason.WRONG_TYPE,
            id='no-type',
        ),
        pytest.param(_expired_token, Reason.EXPIRED, id='expired'),
        pytest.param(
            lambda user: _claims_token(user, nbf=2**40),
            Reason.NOT_YET_VALID,
            id='not-before-in-the-future',
        ),
        pytest.param(
            lambda user: _claims_token(user, aud='web'),
            Reason.INVALID_AUDIENCE,
            id='audience-not-accepted',
        ),
        pytest.param(
            lambda user: _claims_token(user, sub=user.pk),
            Reason.INVALID_CLAIMS,
            id='int-subject',
        ),
        pytest.param(
            lambda user: _claims_token(user, jti=1),
            Reason.INVALID_CLAIMS,
            id='int-jti',
        ),
        pytest.param(
            lambda user: _claims_token(user, extras='access'),
            Reason.INVALID_CLAIMS,
            id='extras-not-an-object',
        ),
        pytest.param(
            _wrong_secret, Reason.INVALID_SIGNATURE, id='wrong-secret'
        ),
        pytest.param(_tampered, Reason.INVALID_SIGNATURE, id='tampered'),
        pytest.param(
            _other_algorithm,
            Reason.ALGORITHM_NOT_ALLOWED,
            id='other-algorithm',
        ),
        pytest.param(_alg_none, Reason.ALGORITHM_NOT_ALLOWED, id='alg-none'),
        pytest.param(_not_a_jwt, Reason.MALFORMED, id='not-a-jwt'),
        pytest.param(_empty_token, Reason.MALFORMED, id='empty-token'),
        pytest.param(_over_long_token, Reason.MALFORMED, id='over-8-kib'),
        pytest.param(_deleted_user, Reason.USER_INACTIVE, id='deleted-user'),
        pytest.param(_inactive_user, Reason.USER_INACTIVE, id='inactive-user'),
    ],
)
def test_unauthorized(
    *,
    client: Client,
    user: User,
    url: Callable[[str], str],
    make_headers: Callable[[User], dict[str, str]],
    reason: Reason | None,
) -> None:
    response = client.get(url('me'), headers=make_headers(user))

    assert_unauthorized(response, reason)


@pytest.mark.django_db(transaction=True)
async def test_unauthorized_async_client(
    *,
    async_client: AsyncClient,
    user: User,
    serializer: str,
) -> None:
    # The async auth under a real event loop: the user lookup fails in the
    # async ORM, and the challenge is still added.
    response = await async_client.get(
        f'/api/{serializer}/me/async/',
        headers=_bearer(_encode(str(user.pk + 1))),
    )

    assert_unauthorized(response, Reason.USER_INACTIVE)


@pytest.mark.parametrize(
    ('header', 'reason'),
    [
        pytest.param('Bearer not-a-jwt', Reason.MALFORMED, id='malformed'),
        pytest.param('Basic dXNlcjpwYXNz', None, id='other-scheme'),
    ],
)
def test_challenge_never_echoes_the_token(
    *,
    client: Client,
    url: Callable[[str], str],
    header: str,
    reason: Reason | None,
) -> None:
    response = client.get(url('me'), headers={'Authorization': header})

    assert_unauthorized(response, reason)
    token = header.partition(' ')[2]
    assert token not in response.headers['WWW-Authenticate']
    assert token not in response.content.decode()


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

    assert_unauthorized(response, Reason.USER_INACTIVE)


# The reasons of the auth pipeline, step by step:


@pytest.mark.parametrize(
    ('make_token', 'reason'),
    [
        pytest.param(lambda pk: '', Reason.MALFORMED, id='empty'),
        pytest.param(
            lambda pk: _encode(pk, extras={'padding': 'p' * 9000}),
            Reason.MALFORMED,
            id='too-long',
        ),
        pytest.param(
            lambda pk: _encode(pk, token_type='refresh'),
            Reason.WRONG_TYPE,
            id='refresh-token',
        ),
        pytest.param(
            lambda pk: _encode(pk, expires_in=dt.timedelta(seconds=-5)),
            Reason.EXPIRED,
            id='expired',
        ),
    ],
)
def test_decode_token_reasons(
    *,
    auth_cls: _AuthCls,
    make_token: Callable[[str], str],
    reason: Reason,
) -> None:
    with pytest.raises(NotAuthenticatedError) as exc_info:
        auth_cls().decode_token(make_token('1'))

    assert_token_error(exc_info.value, reason)


@pytest.mark.parametrize(
    ('make_subject', 'reason'),
    [
        pytest.param(lambda user: str(user.pk + 1), Reason.USER_INACTIVE),
        pytest.param(lambda user: 'abc', Reason.USER_INACTIVE),
    ],
    ids=['no-such-user', 'not-a-number'],
)
def test_get_user_reasons(
    *,
    auth_cls: _AuthCls,
    user: User,
    make_subject: Callable[[User], str],
    reason: Reason,
) -> None:
    auth = auth_cls()
    token = auth.decode_token(_encode(make_subject(user)))

    with pytest.raises(NotAuthenticatedError) as exc_info:
        _call(auth, 'get_user', token)

    assert_token_error(exc_info.value, reason)


def test_check_auth_inactive_user(*, auth_cls: _AuthCls, user: User) -> None:
    auth = auth_cls()
    token = auth.decode_token(_encode(str(user.pk)))
    user.is_active = False

    with pytest.raises(NotAuthenticatedError) as exc_info:
        _call(auth, 'check_auth', user, token)

    assert_token_error(exc_info.value, Reason.USER_INACTIVE)


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

    assert_unauthorized(response, Reason.USER_INACTIVE)


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
    assert_unauthorized(by_pk, Reason.USER_INACTIVE)


@pytest.mark.urls('tests.app.auth_urls')
@pytest.mark.parametrize(
    ('extras', 'reason'),
    [
        pytest.param({'email': 'user@example.com'}, None, id='own-email'),
        pytest.param(
            {'email': 'nobody@example.com'},
            Reason.USER_INACTIVE,
            id='other-email',
        ),
        pytest.param({'email': ''}, Reason.INVALID_CLAIMS, id='empty-email'),
        pytest.param({'email': 42}, Reason.INVALID_CLAIMS, id='not-a-string'),
        pytest.param({}, Reason.INVALID_CLAIMS, id='missing-email'),
    ],
)
def test_custom_claim_from_token(
    *,
    client: Client,
    user: User,
    auth_url: Callable[[str], str],
    extras: dict[str, object],
    reason: Reason | None,
) -> None:
    user.email = 'user@example.com'
    user.save(update_fields=['email'])

    response = client.get(
        auth_url('email-claim'),
        # `sub` names nobody: only the `email` claim finds the user.
        headers=_bearer(_encode('0', extras=extras)),
    )

    if reason is None:
        assert response.status_code == 200, response.content
        assert response.json()['username'] == user.username
    else:
        assert_unauthorized(response, reason)


@pytest.mark.urls('tests.app.auth_urls')
@pytest.mark.parametrize(
    ('variant', 'header', 'prefix', 'scheme'),
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
    scheme: str | None,
) -> None:
    encoded = _encode(str(user.pk))
    expired = _encode(str(user.pk), expires_in=dt.timedelta(seconds=-5))

    custom = client.get(auth_url(variant), headers={header: prefix + encoded})
    default = client.get(auth_url(variant), headers=_bearer(encoded))
    refused = client.get(auth_url(variant), headers={header: prefix + expired})

    assert custom.status_code == 200, custom.content
    assert custom.json()['pk'] == str(user.pk)
    # Only the configured header and scheme are read:
    assert_unauthorized(default, None, scheme=scheme)
    # RFC 6750's challenge only goes with `Authorization: <scheme>`:
    assert_unauthorized(refused, Reason.EXPIRED, scheme=scheme)


# Custom token classes:


@pytest.mark.urls('tests.app.auth_urls')
def test_token_cls_with_custom_decode(
    *,
    client: Client,
    user: User,
    auth_url: Callable[[str], str],
) -> None:
    response = client.get(
        auth_url('scoped-token'),
        headers=_bearer(_encode(str(user.pk), extras={'scope': 'api'})),
    )

    assert response.status_code == 200, response.content
    assert response.json()['token_cls'] == 'ScopedToken'


@pytest.mark.urls('tests.app.auth_urls')
@pytest.mark.parametrize(
    ('make_headers', 'reason'),
    [
        # `ScopedToken.decode` raises a bare `NotAuthenticatedError`: its
        # message is kept, and the challenge names no error.
        pytest.param(
            lambda user: _bearer(_encode(str(user.pk))),
            None,
            id='own-error-of-custom-decode',
        ),
        # Errors of the inherited `decode` still say why:
        pytest.param(_expired_token, Reason.EXPIRED, id='expired'),
        pytest.param(_wrong_secret, Reason.INVALID_SIGNATURE, id='signature'),
    ],
)
def test_token_cls_with_custom_decode_rejects(
    *,
    client: Client,
    user: User,
    auth_url: Callable[[str], str],
    make_headers: Callable[[User], dict[str, str]],
    reason: Reason | None,
) -> None:
    response = client.get(
        auth_url('scoped-token'),
        headers=make_headers(user),
    )

    assert_unauthorized(response, reason)


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
    # One decode path: the documented `decode`, with every keyword.
    decode.assert_called_once_with(
        'encoded',
        _CUSTOM['secret'],
        algorithm='HS256',
        leeway=7,
        accepted_audiences='web',
        accepted_issuers='issuer',
        require_claims=('jti',),
        verify_exp=True,
        verify_iat=True,
        verify_jti=True,
        verify_nbf=False,
        verify_sub=True,
        strict_audience=True,
        enforce_minimum_key_length=True,
    )
