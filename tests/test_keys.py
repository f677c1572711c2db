from typing import Final

import pytest
from django.core.exceptions import ImproperlyConfigured
from pytest_django import Settings

from dmr_jwt import JWTAsyncAuth, JWTSyncAuth
from dmr_jwt.keys import check_secret, get_secret, key_problem

#: Distinctive, so that a message that leaks it is easy to spot.
SHORT_SECRET: Final = 'sh0rt-s3cr3t-xyz'
LONG_SECRET: Final = 'l0ng-s3cr3t-' + 'z' * 64
SECRET: Final = 'unit-test-secret-' + 'k' * 64


@pytest.mark.parametrize('secret', [SHORT_SECRET, LONG_SECRET, 'x'])
def test_get_secret_returns_the_given_secret(secret: str) -> None:
    assert get_secret(secret) == secret


@pytest.mark.parametrize('secret', [None, ''])
def test_get_secret_defaults_to_settings(
    settings: Settings,
    secret: str | None,
) -> None:
    settings.SECRET_KEY = LONG_SECRET

    assert get_secret(secret) == LONG_SECRET
    assert get_secret() == LONG_SECRET


def test_get_secret_reads_settings_at_call_time(
    settings: Settings,
) -> None:
    settings.SECRET_KEY = LONG_SECRET
    first = get_secret()
    settings.SECRET_KEY = LONG_SECRET + '-rotated'

    assert (first, get_secret()) == (LONG_SECRET, LONG_SECRET + '-rotated')


@pytest.mark.parametrize(
    ('secret', 'algorithm', 'reason'),
    [
        pytest.param(SHORT_SECRET, 'HS256', '16 bytes', id='short-hs256'),
        pytest.param(LONG_SECRET[:63], 'HS512', '63 bytes', id='short-hs512'),
        pytest.param(LONG_SECRET, 'none', 'alg: none', id='alg-none'),
        pytest.param(LONG_SECRET, 'HS999', 'not supported', id='unknown-alg'),
        pytest.param(LONG_SECRET, 'RS256', 'does not fit', id='hmac-for-rsa'),
    ],
)
def test_check_secret_names_owner_and_hides_secret(
    secret: str,
    algorithm: str,
    reason: str,
) -> None:
    with pytest.raises(ImproperlyConfigured) as exc_info:
        check_secret(secret, algorithm, owner='MyAuth')

    message = str(exc_info.value)
    assert message.startswith('MyAuth: ')
    assert algorithm in message
    assert reason in message
    assert secret not in message


@pytest.mark.parametrize(
    ('algorithm', 'length'),
    [('HS256', 32), ('HS384', 48), ('HS512', 64)],
)
def test_check_secret_accepts_a_long_enough_key(
    algorithm: str,
    length: int,
) -> None:
    check_secret('k' * length, algorithm, owner='MyAuth')


def test_check_secret_can_skip_the_length() -> None:
    check_secret(SHORT_SECRET, 'HS512', owner='MyAuth', check_length=False)


@pytest.mark.parametrize('algorithm', ['none', 'HS999'])
def test_check_secret_never_skips_unusable_algorithms(algorithm: str) -> None:
    with pytest.raises(ImproperlyConfigured, match='MyAuth'):
        check_secret(LONG_SECRET, algorithm, owner='MyAuth', check_length=False)


_AUTH_CLASSES: Final = [
    pytest.param(JWTSyncAuth, id='sync'),
    pytest.param(JWTAsyncAuth, id='async'),
]


@pytest.mark.parametrize('auth_cls', _AUTH_CLASSES)
def test_auth_rejects_a_short_secret(
    auth_cls: type[JWTSyncAuth | JWTAsyncAuth],
) -> None:
    with pytest.raises(ImproperlyConfigured) as exc_info:
        auth_cls(secret=SHORT_SECRET)

    message = str(exc_info.value)
    assert auth_cls.__qualname__ in message
    assert SHORT_SECRET not in message


@pytest.mark.parametrize('auth_cls', _AUTH_CLASSES)
def test_auth_rejects_a_short_settings_secret(
    settings: Settings,
    auth_cls: type[JWTSyncAuth | JWTAsyncAuth],
) -> None:
    settings.SECRET_KEY = SHORT_SECRET

    with pytest.raises(ImproperlyConfigured) as exc_info:
        auth_cls()

    assert SHORT_SECRET not in str(exc_info.value)


@pytest.mark.parametrize('auth_cls', _AUTH_CLASSES)
def test_auth_checks_the_length_for_its_algorithm(
    auth_cls: type[JWTSyncAuth | JWTAsyncAuth],
) -> None:
    auth_cls(secret='k' * 32, algorithm='HS256')
    with pytest.raises(ImproperlyConfigured, match='HS512'):
        auth_cls(secret='k' * 32, algorithm='HS512')


@pytest.mark.parametrize('auth_cls', _AUTH_CLASSES)
def test_auth_accepts_a_short_secret_when_not_enforced(
    auth_cls: type[JWTSyncAuth | JWTAsyncAuth],
) -> None:
    auth = auth_cls(secret=SHORT_SECRET, enforce_minimum_key_length=False)

    assert auth.secret == SHORT_SECRET


@pytest.mark.parametrize('auth_cls', _AUTH_CLASSES)
@pytest.mark.parametrize('enforce_minimum_key_length', [True, False])
def test_auth_never_accepts_alg_none(
    auth_cls: type[JWTSyncAuth | JWTAsyncAuth],
    *,
    enforce_minimum_key_length: bool,
) -> None:
    with pytest.raises(ImproperlyConfigured, match='alg: none'):
        auth_cls(
            secret=LONG_SECRET,
            algorithm='none',
            enforce_minimum_key_length=enforce_minimum_key_length,
        )


# key_problem: PyJWT's own rules, through `dmr_jwt._internal.pyjwk`.


@pytest.mark.parametrize(
    ('secret', 'algorithm', 'check_length', 'reason'),
    [
        pytest.param('k' * 31, 'HS256', True, '31 bytes', id='hs256-short'),
        pytest.param('k' * 47, 'HS384', True, '47 bytes', id='hs384-short'),
        pytest.param('k' * 63, 'HS512', True, '63 bytes', id='hs512-short'),
        pytest.param(b'k' * 5, 'HS256', True, '5 bytes', id='short-bytes'),
        pytest.param(SECRET, 'none', True, 'alg: none', id='none'),
        pytest.param(SECRET, 'NONE', False, 'alg: none', id='none-upper'),
        pytest.param('', 'none', False, 'alg: none', id='none-empty-key'),
        pytest.param(SECRET, 'HS999', True, 'not supported', id='unknown'),
        pytest.param(SECRET, 'hs256', True, 'not supported', id='lowercase'),
        pytest.param(SECRET, 'RS256', False, 'does not fit', id='rsa'),
        pytest.param(
            '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----',
            'HS256',
            False,
            'does not fit',
            id='pem-as-hmac-secret',
        ),
    ],
)
def test_key_problem_reported(
    secret: str | bytes,
    algorithm: str,
    reason: str,
    *,
    check_length: bool,
) -> None:
    problem = key_problem(secret, algorithm, check_length=check_length)

    assert problem is not None
    assert reason in problem


@pytest.mark.parametrize(
    ('secret', 'algorithm', 'check_length'),
    [
        pytest.param('k' * 32, 'HS256', True, id='hs256-exact'),
        pytest.param('k' * 48, 'HS384', True, id='hs384-exact'),
        pytest.param('k' * 64, 'HS512', True, id='hs512-exact'),
        pytest.param(b'k' * 64, 'HS256', True, id='bytes'),
        pytest.param('k' * 5, 'HS256', False, id='short-unchecked'),
        pytest.param('k' * 5, 'HS512', False, id='short-hs512-unchecked'),
    ],
)
def test_key_problem_ok(
    secret: str | bytes,
    algorithm: str,
    *,
    check_length: bool,
) -> None:
    assert key_problem(secret, algorithm, check_length=check_length) is None
