"""Unit checks of the reusable token controllers in ``dmr_jwt.views``."""

import datetime as dt
import re
import uuid
from collections.abc import Callable
from typing import Any, Final, TypeAlias, TypeVar

import jwt
import pytest
from dirty_equals import IsStr
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, override_settings
from dmr.exceptions import NotAuthenticatedError
from dmr.plugins.pydantic import PydanticSerializer
from dmr.serializer import BaseSerializer
from freezegun import freeze_time
from typing_extensions import override

from dmr_jwt import JWToken
from dmr_jwt.errors import Reason
from dmr_jwt.views import (
    ObtainTokensAsyncController,
    ObtainTokensPayload,
    ObtainTokensResponse,
    ObtainTokensSyncController,
    RefreshTokenAsyncController,
    RefreshTokenPayload,
    RefreshTokenSyncController,
)
from tests.app import views
from tests.conftest import assert_token_error

_TokenController: TypeAlias = (
    ObtainTokensSyncController[Any, Any, Any]
    | ObtainTokensAsyncController[Any, Any, Any]
    | RefreshTokenSyncController[Any, Any, Any]
    | RefreshTokenAsyncController[Any, Any, Any]
)

_BASES: Final = (
    ObtainTokensSyncController,
    ObtainTokensAsyncController,
    RefreshTokenSyncController,
    RefreshTokenAsyncController,
)
_REFRESH_BASES: Final = (
    RefreshTokenSyncController,
    RefreshTokenAsyncController,
)
#: Concrete controllers of the test app, one per base above.
_LEAVES: Final = (
    views.PydanticObtainSync,
    views.PydanticObtainAsync,
    views.PydanticRefreshSync,
    views.PydanticRefreshAsync,
)
#: Generic (serializer-less) controllers of the test app, one per base.
_GENERIC: Final = (
    views._ObtainSync,
    views._ObtainAsync,
    views._RefreshSync,
    views._RefreshAsync,
)

_S = TypeVar('_S', bound=BaseSerializer)

_NOW: Final = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
_USER_PK: Final = 42
_HEX32: Final = IsStr(regex=r'[0-9a-f]{32}')


def _ids(classes: tuple[type[Any], ...]) -> list[str]:
    return [klass.__name__ for klass in classes]


def _controller(
    controller_cls: type[_TokenController] = views.PydanticObtainSync,
) -> _TokenController:
    controller = controller_cls()
    request = RequestFactory().post('/')
    # An unsaved user: `create_jwt_token` only reads its primary key.
    request.user = User(pk=_USER_PK, username='unit')
    controller.setup(request)
    return controller


# Class attributes:


@pytest.mark.parametrize('controller_cls', _BASES, ids=_ids(_BASES))
def test_class_attribute_defaults(controller_cls: type[Any]) -> None:
    assert controller_cls.jwt_audiences is None
    assert controller_cls.jwt_issuer is None
    assert controller_cls.jwt_algorithm == 'HS256'
    assert controller_cls.jwt_expiration == dt.timedelta(days=1)
    assert controller_cls.jwt_refresh_expiration == dt.timedelta(days=10)
    assert controller_cls.jwt_secret is None
    assert controller_cls.jwt_token_cls is JWToken


@pytest.mark.parametrize(
    'controller_cls',
    _REFRESH_BASES,
    ids=_ids(_REFRESH_BASES),
)
def test_refresh_user_id_field_default(controller_cls: type[Any]) -> None:
    assert controller_cls.jwt_user_id_field == 'pk'


# `create_jwt_token`:


def _default_claims() -> dict[str, Any]:
    timestamp = int(_NOW.timestamp())
    return {
        'sub': str(_USER_PK),
        'exp': timestamp + 24 * 3600,
        'iat': timestamp,
        'jti': _HEX32,
        'extras': {'family': _HEX32},
    }


_OTHER_SECRET: Final = 'another-secret-only-for-this-test-' + 'y' * 40


@pytest.mark.parametrize(
    ('kwargs', 'claims', 'headers'),
    [
        pytest.param({}, {}, {}, id='defaults'),
        pytest.param(
            {'expiration': _NOW + dt.timedelta(minutes=5)},
            {'exp': int(_NOW.timestamp()) + 300},
            {},
            id='expiration',
        ),
        pytest.param(
            {'token_type': 'access'},
            {'extras': {'type': 'access', 'family': _HEX32}},
            {},
            id='token_type-access',
        ),
        pytest.param(
            {'token_type': 'refresh'},
            {
                'exp': int(_NOW.timestamp()) + 10 * 24 * 3600,
                'extras': {'type': 'refresh', 'family': _HEX32},
            },
            {},
            id='token_type-refresh',
        ),
        pytest.param({'subject': 'alice'}, {'sub': 'alice'}, {}, id='subject'),
        pytest.param({'issuer': 'me'}, {'iss': 'me'}, {}, id='issuer'),
        pytest.param({'audiences': 'web'}, {'aud': 'web'}, {}, id='audience'),
        pytest.param(
            {'audiences': ('web', 'ios')},
            {'aud': ['web', 'ios']},
            {},
            id='audiences',
        ),
        pytest.param({'jwt_id': 'id-1'}, {'jti': 'id-1'}, {}, id='jwt_id'),
        pytest.param({'secret': _OTHER_SECRET}, {}, {}, id='secret'),
        pytest.param(
            {'algorithm': 'HS512'},
            {},
            {'alg': 'HS512'},
            id='algorithm',
        ),
        pytest.param(
            {'token_headers': {'kid': 'key-1'}},
            {},
            {'kid': 'key-1'},
            id='token_headers',
        ),
    ],
)
def test_create_jwt_token(
    *,
    kwargs: dict[str, Any],
    claims: dict[str, Any],
    headers: dict[str, Any],
) -> None:
    with freeze_time(_NOW):
        token = _controller().create_jwt_token(**kwargs)
        decoded = jwt.decode(
            token,
            kwargs.get('secret', settings.SECRET_KEY),
            algorithms=[kwargs.get('algorithm', 'HS256')],
            options={'verify_aud': False},
        )

    assert decoded == {**_default_claims(), **claims}
    assert jwt.get_unverified_header(token) == {
        'alg': 'HS256',
        'typ': 'JWT',
        **headers,
    }


def test_create_jwt_token_uses_the_given_secret_only() -> None:
    token = _controller().create_jwt_token(secret=_OTHER_SECRET)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, settings.SECRET_KEY, algorithms=['HS256'])


@pytest.mark.parametrize(
    ('token_type', 'lifetime'),
    [
        pytest.param(None, dt.timedelta(days=1), id='untyped'),
        pytest.param('access', dt.timedelta(days=1), id='access'),
        pytest.param('refresh', dt.timedelta(days=10), id='refresh'),
    ],
)
@pytest.mark.parametrize('controller_cls', _LEAVES, ids=_ids(_LEAVES))
def test_default_expiration(
    controller_cls: type[_TokenController],
    *,
    token_type: Any,
    lifetime: dt.timedelta,
) -> None:
    with freeze_time(_NOW):
        token = _controller(controller_cls).create_jwt_token(
            token_type=token_type,
        )
        decoded = JWToken.decode(token, settings.SECRET_KEY, 'HS256')

    assert decoded.iat == _NOW
    assert decoded.exp == _NOW + lifetime


def test_class_attributes_configure_tokens() -> None:
    class Configured(views.PydanticObtainSync):
        jwt_audiences = ('web',)
        jwt_issuer = 'issuer'
        jwt_algorithm = 'HS384'
        jwt_expiration = dt.timedelta(minutes=1)
        jwt_refresh_expiration = dt.timedelta(minutes=2)
        jwt_secret = _OTHER_SECRET

    with freeze_time(_NOW):
        controller = _controller(Configured)
        access = controller.create_jwt_token(token_type='access')
        refresh = controller.create_jwt_token(token_type='refresh')
        access_claims = jwt.decode(
            access,
            _OTHER_SECRET,
            algorithms=['HS384'],
            audience='web',
            issuer='issuer',
        )
        refresh_claims = jwt.decode(
            refresh,
            _OTHER_SECRET,
            algorithms=['HS384'],
            audience='web',
            issuer='issuer',
        )

    timestamp = int(_NOW.timestamp())
    assert access_claims['exp'] == timestamp + 60
    assert refresh_claims['exp'] == timestamp + 120
    assert access_claims['aud'] == refresh_claims['aud'] == ['web']


# Token families:


def test_tokens_of_one_request_share_a_new_family() -> None:
    controller = _controller()

    tokens = [
        controller.create_jwt_token(token_type=token_type)
        for token_type in ('access', 'refresh')
    ]

    families = {
        jwt.decode(token, settings.SECRET_KEY, algorithms=['HS256'])['extras'][
            'family'
        ]
        for token in tokens
    }
    assert families == {controller.token_family}
    assert controller.token_family != _controller().token_family


@pytest.mark.parametrize(
    'family',
    [
        pytest.param('', id='empty'),
        pytest.param('f' * 65, id='too-long'),
        pytest.param('a\x00b', id='nul'),
        pytest.param(42, id='not-a-string'),
    ],
)
def test_an_unusable_custom_family_is_refused(*, family: object) -> None:
    class BadFamily(views.PydanticObtainSync):
        @override
        def make_token_family(self) -> str:
            return family  # type: ignore[return-value]

    with pytest.raises(ImproperlyConfigured, match='make_token_family'):
        _controller(BadFamily).create_jwt_token(token_type='access')


def test_a_custom_family_is_used() -> None:
    class OwnFamily(views.PydanticObtainSync):
        @override
        def make_token_family(self) -> str:
            return 'f' * 64

    token = _controller(OwnFamily).create_jwt_token(token_type='refresh')

    claims = jwt.decode(token, settings.SECRET_KEY, algorithms=['HS256'])
    assert claims['extras'] == {'type': 'refresh', 'family': 'f' * 64}


# `make_jwt_id`:


def test_make_jwt_id_is_a_uuid4_hex() -> None:
    jwt_id = _controller().make_jwt_id()
    assert jwt_id is not None
    assert re.fullmatch(r'[0-9a-f]{32}', jwt_id)
    assert uuid.UUID(hex=jwt_id).version == 4


def test_make_jwt_id_is_unique() -> None:
    controller = _controller()
    assert len({controller.make_jwt_id() for _ in range(100)}) == 100


def test_tokens_get_fresh_jwt_ids() -> None:
    controller = _controller()
    first = jwt.decode(
        controller.create_jwt_token(),
        settings.SECRET_KEY,
        algorithms=['HS256'],
    )
    second = jwt.decode(
        controller.create_jwt_token(),
        settings.SECRET_KEY,
        algorithms=['HS256'],
    )
    assert first['jti'] != second['jti']


def test_make_jwt_id_returning_none_leaves_jti_out() -> None:
    class WithoutJwtId(views.PydanticObtainSync):
        @override
        def make_jwt_id(self) -> str | None:
            return None

    token = _controller(WithoutJwtId).create_jwt_token(token_type='access')
    claims = jwt.decode(token, settings.SECRET_KEY, algorithms=['HS256'])
    assert 'jti' not in claims
    assert JWToken.decode(token, settings.SECRET_KEY, 'HS256').jti is None


# Refresh tokens that are refused before any user lookup:


def _refresh_claims_token(token_type: str | None) -> str:
    return JWToken(
        sub=str(_USER_PK),
        exp=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),
        extras={} if token_type is None else {'type': token_type},
    ).encode(settings.SECRET_KEY, 'HS256')


_REFRESH_LEAVES: Final = (views.PydanticRefreshSync, views.PydanticRefreshAsync)


@pytest.mark.parametrize(
    ('make_token', 'reason'),
    [
        # Unreachable through HTTP (the body is validated as a string),
        # but `convert_refresh_payload` is user code:
        pytest.param(lambda: None, Reason.MALFORMED, id='not-a-string'),
        pytest.param(lambda: b'a.b.c', Reason.MALFORMED, id='bytes'),
        pytest.param(lambda: '', Reason.MALFORMED, id='empty'),
        pytest.param(lambda: 'x' * 10_000, Reason.MALFORMED, id='too-long'),
        pytest.param(lambda: 'a.b.c', Reason.MALFORMED, id='garbage'),
        pytest.param(
            lambda: _refresh_claims_token('access'),
            Reason.WRONG_TYPE,
            id='access-token',
        ),
        pytest.param(
            lambda: _refresh_claims_token(None),
            Reason.WRONG_TYPE,
            id='untyped-token',
        ),
    ],
)
@pytest.mark.parametrize(
    'controller_cls',
    _REFRESH_LEAVES,
    ids=_ids(_REFRESH_LEAVES),
)
def test_decode_refresh_token_reasons(
    controller_cls: type[_TokenController],
    *,
    make_token: Callable[[], object],
    reason: Reason,
) -> None:
    controller = _controller(controller_cls)
    assert isinstance(
        controller,
        RefreshTokenSyncController | RefreshTokenAsyncController,
    )

    with pytest.raises(NotAuthenticatedError) as exc_info:
        controller._decode_refresh_token(make_token())

    assert_token_error(exc_info.value, reason)


@pytest.mark.parametrize(
    'controller_cls',
    _REFRESH_LEAVES,
    ids=_ids(_REFRESH_LEAVES),
)
def test_check_active_refuses_inactive_users(
    controller_cls: type[_TokenController],
) -> None:
    controller = _controller(controller_cls)
    assert isinstance(
        controller,
        RefreshTokenSyncController | RefreshTokenAsyncController,
    )

    with pytest.raises(NotAuthenticatedError) as exc_info:
        controller._check_active(User(is_active=False))

    assert_token_error(exc_info.value, Reason.USER_INACTIVE)


# Configuration errors at class creation:


@pytest.mark.parametrize(
    ('secret', 'algorithm'),
    [
        pytest.param('k3y!', 'HS256', id='hs256-4-bytes'),
        pytest.param('q' * 31, 'HS256', id='hs256-31-bytes'),
        pytest.param('q' * 63, 'HS512', id='hs512-63-bytes'),
    ],
)
@pytest.mark.parametrize('leaf', _LEAVES, ids=_ids(_LEAVES))
def test_short_secret_fails_at_class_creation(
    leaf: type[_TokenController],
    *,
    secret: str,
    algorithm: str,
) -> None:
    with pytest.raises(ImproperlyConfigured) as exc_info:

        class WeakSecret(leaf):  # type: ignore[valid-type, misc]
            jwt_secret = secret
            jwt_algorithm = algorithm

    assert 'WeakSecret' in str(exc_info.value)
    assert secret not in str(exc_info.value)


@pytest.mark.parametrize('leaf', _LEAVES, ids=_ids(_LEAVES))
def test_long_enough_secret_is_accepted(leaf: type[_TokenController]) -> None:
    class StrongSecret(leaf):  # type: ignore[valid-type, misc]
        jwt_secret = 's' * 64
        jwt_algorithm = 'HS512'

    assert not StrongSecret.is_abstract


def test_short_settings_secret_key_fails_at_class_creation() -> None:
    with (
        override_settings(SECRET_KEY='k3y!'),
        pytest.raises(ImproperlyConfigured),
    ):

        class UsesSecretKey(views.PydanticObtainSync): ...


@pytest.mark.parametrize('generic', _GENERIC, ids=_ids(_GENERIC))
def test_abstract_controller_is_not_checked(generic: type[Any]) -> None:
    # Without a serializer nothing can be served, so nothing is signed:
    # only the concrete subclass is checked.
    class AbstractWeak(generic[_S]):  # type: ignore[misc]
        jwt_secret = 'short'

    assert AbstractWeak.is_abstract
    with pytest.raises(ImproperlyConfigured):

        class ConcreteWeak(AbstractWeak[PydanticSerializer]): ...


# Payload and response types:


@pytest.mark.parametrize(
    ('typed_dict', 'keys'),
    [
        pytest.param(
            ObtainTokensPayload,
            {'username', 'password'},
            id='ObtainTokensPayload',
        ),
        pytest.param(
            ObtainTokensResponse,
            {'access_token', 'refresh_token'},
            id='ObtainTokensResponse',
        ),
        pytest.param(
            RefreshTokenPayload,
            {'refresh_token'},
            id='RefreshTokenPayload',
        ),
    ],
)
def test_typed_dict_keys(typed_dict: Any, keys: set[str]) -> None:
    assert typed_dict.__required_keys__ == keys
    assert typed_dict.__optional_keys__ == frozenset()


# Generic and abstract until given a serializer:


@pytest.mark.parametrize(
    ('base', 'generic', 'leaf'),
    list(zip(_BASES, _GENERIC, _LEAVES, strict=True)),
    ids=_ids(_BASES),
)
def test_controllers_are_generic_and_abstract(
    base: type[Any],
    generic: type[Any],
    leaf: type[Any],
) -> None:
    serializer, payload, response = base.__parameters__
    assert serializer.__bound__ is BaseSerializer
    assert payload.__bound__ is None
    assert response.__bound__ is None

    assert base.is_abstract
    assert generic.is_abstract
    assert not leaf.is_abstract
    assert leaf.serializer is PydanticSerializer
    assert set(leaf.api_endpoints) == {'POST'}
