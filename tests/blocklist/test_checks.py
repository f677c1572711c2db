"""The system checks of dmr-jwt, called directly and through Django.

Each check function is called directly, and the same messages must come
out of :func:`django.core.checks.run_checks`, which proves that the check
is registered. ``run_checks`` ignores ``SILENCED_SYSTEM_CHECKS`` (the
``check`` command applies it), so ``dmr_jwt.W001``, silenced for this
suite, is still visible here.
"""

from collections.abc import Callable, Sequence
from typing import Any, Final, TypeAlias

import pytest
from django.core import checks
from django.core.checks import CheckMessage
from django.test.utils import modify_settings
from pytest_django import Settings

from dmr_jwt.blocklist.auth import _check_app_installed
from dmr_jwt.blocklist.checks import (
    check_cache_scope,
    check_secret_key,
    check_settings,
)
from dmr_jwt.conf import Settings as DmrJwtSettings
from tests.blocklist.conftest import require_redis

Check: TypeAlias = Callable[..., Sequence[CheckMessage]]

#: A key that must never show up in a message: it is too short, but real.
_SHORT_SECRET: Final = 'do-not-leak-this-key'


def _with_id(messages: Sequence[CheckMessage], check_id: str) -> list[Any]:
    return [message for message in messages if message.id == check_id]


def _run(check: Check, check_id: str) -> list[Any]:
    """The *check_id* messages of *check*, which Django must run too."""
    direct = _with_id(check(), check_id)
    assert _with_id(checks.run_checks(), check_id) == direct
    return direct


# dmr_jwt.E001: the mixins are used without the app.


def test_e001_when_the_app_is_not_installed() -> None:
    with modify_settings(INSTALLED_APPS={'remove': ['dmr_jwt.blocklist']}):
        (error,) = _run(_check_app_installed, 'dmr_jwt.E001')

    assert error.level == checks.ERROR
    assert "'dmr_jwt.blocklist'" in error.msg
    assert "'dmr_jwt.blocklist'" in error.hint


def test_no_e001_when_the_app_is_installed() -> None:
    assert _run(_check_app_installed, 'dmr_jwt.E001') == []


# dmr_jwt.E002: SECRET_KEY and HS256.


@pytest.mark.parametrize(
    'secret',
    [
        pytest.param(_SHORT_SECRET, id='short'),
        pytest.param('k' * 31, id='one-byte-short'),
    ],
)
def test_e002_for_a_short_secret_key(settings: Settings, secret: str) -> None:
    settings.SECRET_KEY = secret

    (error,) = _run(check_secret_key, 'dmr_jwt.E002')

    assert error.level == checks.ERROR
    assert error.msg.startswith('SECRET_KEY cannot sign HS256')
    assert secret not in error.msg
    assert secret not in error.hint


@pytest.mark.parametrize(
    'secret',
    [
        pytest.param('k' * 32, id='32-bytes'),
        pytest.param('k' * 64, id='64-bytes'),
    ],
)
def test_no_e002_for_a_long_secret_key(settings: Settings, secret: str) -> None:
    settings.SECRET_KEY = secret

    assert _run(check_secret_key, 'dmr_jwt.E002') == []


def test_e002_for_an_empty_secret_key(settings: Settings) -> None:
    settings.SECRET_KEY = ''

    (error,) = _with_id(check_secret_key(), 'dmr_jwt.E002')

    assert error.level == checks.ERROR


# dmr_jwt.E003: unknown keys in DMR_JWT.


@pytest.mark.parametrize(
    'key',
    [
        pytest.param('BLOCKLIST_CACHE ', id='trailing-space'),
        pytest.param('blocklist_cache', id='lowercase'),
        pytest.param('BLACKLIST_CACHE', id='blacklist'),
    ],
)
def test_e003_for_an_unknown_key(settings: Settings, key: str) -> None:
    settings.DMR_JWT = {key: 'default'}

    (error,) = _run(check_settings, 'dmr_jwt.E003')

    assert error.level == checks.ERROR
    assert repr(key) in error.msg
    assert 'BLOCKLIST_CACHE' in error.hint


def test_e003_once_per_unknown_key(settings: Settings) -> None:
    settings.DMR_JWT = {'B': 1, 'A': 2, 'BLOCKLIST_CACHE': 'default'}

    errors = _run(check_settings, 'dmr_jwt.E003')

    assert [error.msg for error in errors] == [
        "Unknown key 'A' in the DMR_JWT setting.",
        "Unknown key 'B' in the DMR_JWT setting.",
    ]


def test_no_e003_for_known_keys(settings: Settings) -> None:
    settings.DMR_JWT = {
        'BLOCKLIST_CACHE': 'default',
        'BLOCKLIST_DATABASE': 'default',
        'BLOCKLIST_MAX_STALENESS': 5,
        'CACHE_BACKOFF': 0.5,
        'REVOKE_TOKENS_ON_PASSWORD_CHANGE': True,
        'KEYS': None,
        'KEYS_RELOAD_INTERVAL': 2,
        'JWKS_URL': None,
        'JWKS_REFRESH_INTERVAL': 60,
        'JWKS_MIN_REFETCH_INTERVAL': 5,
        'JWKS_TIMEOUT': 2.5,
    }
    assert set(settings.DMR_JWT) == DmrJwtSettings.known_keys()

    assert _run(check_settings, 'dmr_jwt.E003') == []


# dmr_jwt.E004: names that are not there, values of a wrong type.


@pytest.mark.parametrize(
    ('dmr_jwt', 'message'),
    [
        pytest.param(
            {'BLOCKLIST_CACHE': 'missing'},
            "BLOCKLIST_CACHE names 'missing', which is not in CACHES.",
            id='missing-cache',
        ),
        pytest.param(
            {'BLOCKLIST_DATABASE': 'missing'},
            "BLOCKLIST_DATABASE names 'missing', which is not in DATABASES.",
            id='missing-database',
        ),
        *(
            pytest.param(
                {'BLOCKLIST_MAX_STALENESS': ttl},
                "DMR_JWT['BLOCKLIST_MAX_STALENESS'] must be a positive "
                f'int (seconds), not {ttl!r}.',
                id=f'ttl-{ttl_id}',
            )
            for ttl, ttl_id in [
                (0, 'zero'),
                (-1, 'negative'),
                ('5', 'str'),
                (5.0, 'float'),
                (True, 'bool'),
                (None, 'none'),
            ]
        ),
        *(
            pytest.param(
                {'CACHE_BACKOFF': backoff},
                "DMR_JWT['CACHE_BACKOFF'] must be a positive "
                f'number (seconds), not {backoff!r}.',
                id=f'backoff-{backoff_id}',
            )
            for backoff, backoff_id in [
                (0, 'zero'),
                (-0.5, 'negative'),
                ('5', 'str'),
                (True, 'bool'),
                (float('inf'), 'infinite'),
                (None, 'none'),
            ]
        ),
    ],
)
def test_e004(
    settings: Settings,
    dmr_jwt: dict[str, object],
    message: str,
) -> None:
    settings.DMR_JWT = dmr_jwt

    (error,) = _run(check_settings, 'dmr_jwt.E004')

    assert error.level == checks.ERROR
    assert error.msg == message


@pytest.mark.parametrize(
    'dmr_jwt',
    [
        pytest.param({}, id='defaults'),
        pytest.param(
            {
                'BLOCKLIST_CACHE': 'default',
                'BLOCKLIST_DATABASE': 'default',
                'BLOCKLIST_MAX_STALENESS': 1,
            },
            id='existing-aliases',
        ),
        pytest.param(
            {'BLOCKLIST_CACHE': None, 'BLOCKLIST_DATABASE': None},
            id='no-aliases',
        ),
    ],
)
def test_no_e004(settings: Settings, dmr_jwt: dict[str, object]) -> None:
    settings.DMR_JWT = dmr_jwt

    assert _run(check_settings, 'dmr_jwt.E004') == []


def test_e004_for_an_unhashable_cache_alias(settings: Settings) -> None:
    settings.DMR_JWT = {'BLOCKLIST_CACHE': ['default']}

    assert _with_id(check_settings(), 'dmr_jwt.E004')


def test_e003_says_what_replaced_a_key_of_an_earlier_version(
    settings: Settings,
) -> None:
    settings.DMR_JWT = {
        'BLOCKLIST_LOCAL_CACHE_TTL': 5,
        'BLOCKLIST_SHARED_CACHE': False,
    }

    local_ttl, shared = _run(check_settings, 'dmr_jwt.E003')

    assert 'BLOCKLIST_LOCAL_CACHE_TTL' in local_ttl.msg
    assert 'Renamed to BLOCKLIST_MAX_STALENESS' in (local_ttl.hint or '')
    assert 'BLOCKLIST_SHARED_CACHE' in shared.msg
    assert 'Removed' in (shared.hint or '')


def test_error_for_a_dmr_jwt_setting_that_is_not_a_dict(
    settings: Settings,
) -> None:
    settings.DMR_JWT = ['BLOCKLIST_CACHE']

    assert any(
        (message.id or '').startswith('dmr_jwt.E')
        for message in check_settings()
    )


# dmr_jwt.W001: a per-process cache in front of the blocklist.


@pytest.mark.parametrize(
    'dmr_jwt',
    [
        pytest.param({}, id='default-cache'),
        pytest.param({'BLOCKLIST_CACHE': 'default'}, id='explicit-cache'),
    ],
)
def test_w001_for_a_local_memory_cache(
    settings: Settings,
    dmr_jwt: dict[str, object],
) -> None:
    settings.DMR_JWT = {**dmr_jwt, 'BLOCKLIST_MAX_STALENESS': 7}

    (warning,) = _run(check_cache_scope, 'dmr_jwt.W001')

    assert warning.level == checks.WARNING
    assert "'default'" in warning.msg
    assert '(7) seconds' in warning.msg
    assert 'SILENCED_SYSTEM_CHECKS' in (warning.hint or '')
    # This suite runs in one process and silences it, as the hint says.
    assert warning.is_silenced()


@pytest.mark.parametrize(
    'dmr_jwt',
    [
        pytest.param({'BLOCKLIST_CACHE': None}, id='no-cache'),
        # Reported as dmr_jwt.E004 instead.
        pytest.param({'BLOCKLIST_CACHE': 'missing'}, id='missing-cache'),
    ],
)
def test_no_w001(settings: Settings, dmr_jwt: dict[str, object]) -> None:
    settings.DMR_JWT = dmr_jwt

    assert _run(check_cache_scope, 'dmr_jwt.W001') == []


def test_no_w001_for_redis(settings: Settings) -> None:
    require_redis(settings)
    settings.DMR_JWT = {'BLOCKLIST_CACHE': 'redis'}

    assert _run(check_cache_scope, 'dmr_jwt.W001') == []


# dmr_jwt.W002: a Redis revocation cache without a socket timeout.


def _redis_cache(settings: Settings, **options: object) -> None:
    require_redis(settings)
    settings.CACHES = {
        **settings.CACHES,
        'revocations': {
            'BACKEND': 'django.core.cache.backends.redis.RedisCache',
            'LOCATION': settings.REDIS_URL,
            'OPTIONS': options,
        },
    }
    settings.DMR_JWT = {'BLOCKLIST_CACHE': 'revocations'}


def test_w002_for_redis_without_a_socket_timeout(settings: Settings) -> None:
    _redis_cache(settings)

    (warning,) = _run(check_cache_scope, 'dmr_jwt.W002')

    assert warning.level == checks.WARNING
    assert "'revocations'" in warning.msg
    assert "'socket_timeout': 0.25" in (warning.hint or '')


@pytest.mark.parametrize(
    'options',
    [
        pytest.param({'socket_timeout': 0.25}, id='float'),
        pytest.param(
            {'socket_timeout': 1, 'socket_connect_timeout': 1},
            id='int-both',
        ),
    ],
)
def test_no_w002_with_a_socket_timeout(
    settings: Settings,
    options: dict[str, object],
) -> None:
    _redis_cache(settings, **options)

    assert _run(check_cache_scope, 'dmr_jwt.W002') == []


@pytest.mark.parametrize('timeout', [0, True, None, '0.25'])
def test_w002_for_a_socket_timeout_that_bounds_nothing(
    settings: Settings,
    timeout: object,
) -> None:
    _redis_cache(settings, socket_timeout=timeout)

    assert _run(check_cache_scope, 'dmr_jwt.W002')


def test_no_w002_for_local_memory(settings: Settings) -> None:
    settings.DMR_JWT = {'BLOCKLIST_CACHE': 'default'}

    assert _run(check_cache_scope, 'dmr_jwt.W002') == []
