"""System checks of dmr-jwt, registered by the blocklist app's ``ready()``.

Stable ids:

- ``dmr_jwt.E001``: blocklist mixins used, app not installed
  (registered by :mod:`dmr_jwt.blocklist.auth` on import);
- ``dmr_jwt.E002``: ``SECRET_KEY`` cannot sign HS256 tokens safely;
- ``dmr_jwt.E003``: unknown key in the ``DMR_JWT`` setting;
- ``dmr_jwt.E004``: ``DMR_JWT`` names a cache or database that is not there,
  or has a value of a wrong type;
- ``dmr_jwt.W001``: a per-process cache backs revocation: blocks made in
  one process reach the others only after ``BLOCKLIST_MAX_STALENESS``;
- ``dmr_jwt.W002``: the revocation cache is a Redis cache without a socket
  timeout: a frozen or unreachable Redis would stall requests (for as long
  as the kernel keeps the connection) instead of failing fast.
"""

from collections.abc import Mapping
from typing import Any

from django.core import checks
from django.core.cache import InvalidCacheBackendError, caches
from django.core.exceptions import ImproperlyConfigured

from dmr_jwt import conf as _conf
from dmr_jwt import keys as _keys
from dmr_jwt.blocklist import store as _store

__all__ = ('check_cache_scope', 'check_secret_key', 'check_settings')


@checks.register(checks.Tags.security)
def check_secret_key(**kwargs: Any) -> list[checks.CheckMessage]:
    """``dmr_jwt.E002``: the default signing key must fit HS256."""
    from django.conf import settings  # noqa: PLC0415

    try:
        secret_key = str(settings.SECRET_KEY)
    except ImproperlyConfigured:  # Django refuses an empty SECRET_KEY
        secret_key = ''
    problem = _keys.key_problem(secret_key, 'HS256')
    if problem is None:
        return []
    return [
        checks.Error(
            f'SECRET_KEY cannot sign HS256 JSON Web Tokens: {problem}',
            hint=(
                'Use a SECRET_KEY of at least 32 bytes, or give the auth '
                'classes and token controllers their own `secret`.'
            ),
            id='dmr_jwt.E002',
        ),
    ]


@checks.register()
def check_settings(**kwargs: Any) -> list[checks.CheckMessage]:
    """``dmr_jwt.E003`` and ``dmr_jwt.E004``: the ``DMR_JWT`` setting."""
    name = _conf.SETTINGS_NAME
    raw = _conf.get_raw_settings()
    if not isinstance(raw, Mapping):
        return [
            checks.Error(
                f'The {name} setting must be a dict, not {type(raw).__name__}.',
                id='dmr_jwt.E004',
            ),
        ]
    known = _conf.Settings.known_keys()
    messages: list[checks.CheckMessage] = [
        checks.Error(
            f'Unknown key {key!r} in the {name} setting.',
            hint=_RENAMED.get(key, f'Known keys: {", ".join(sorted(known))}.'),
            id='dmr_jwt.E003',
        )
        for key in sorted(set(raw) - known, key=repr)
    ]
    messages.extend(
        checks.Error(
            f'{name}[{key!r}] must be {_conf.EXPECTED_TYPES[key]}, '
            f'not {raw[key]!r}.',
            id='dmr_jwt.E004',
        )
        for key in _conf.invalid_values(raw)
    )
    messages.extend(_check_aliases(_conf.Settings.from_mapping(raw)))
    return messages


#: Keys of earlier versions, and what replaced them.
_RENAMED = {
    'BLOCKLIST_LOCAL_CACHE_TTL': (
        'Renamed to BLOCKLIST_MAX_STALENESS, which now bounds every cache, '
        'shared ones included.'
    ),
    'BLOCKLIST_SHARED_CACHE': (
        'Removed: every cache is now bounded by BLOCKLIST_MAX_STALENESS, '
        'so the store no longer needs to know. Silence dmr_jwt.W001 with '
        'SILENCED_SYSTEM_CHECKS.'
    ),
}


@checks.register(checks.Tags.caches)
def check_cache_scope(**kwargs: Any) -> list[checks.CheckMessage]:
    """``dmr_jwt.W001`` and ``dmr_jwt.W002``: the revocation cache."""
    resolved = _conf.Settings.from_mapping(_conf.get_settings_mapping())
    alias = resolved.BLOCKLIST_CACHE
    if alias is None:
        return []
    try:
        cache = caches[alias]
    except InvalidCacheBackendError:  # reported by `check_settings`
        return []
    if _store.is_per_process_cache(cache):
        return [
            checks.Warning(
                f'The blocklist is cached in {alias!r}, a per-process '
                'cache: a token revoked in one process is still accepted '
                'by the others for up to BLOCKLIST_MAX_STALENESS '
                f'({resolved.BLOCKLIST_MAX_STALENESS}) seconds.',
                hint=(
                    'With several processes, point '
                    'DMR_JWT["BLOCKLIST_CACHE"] at a shared cache (Redis, '
                    'Memcached). With one process, silence this warning '
                    'with SILENCED_SYSTEM_CHECKS = ["dmr_jwt.W001"].'
                ),
                id='dmr_jwt.W001',
            ),
        ]
    if _store.has_socket_timeout(cache) is False:
        return [
            checks.Warning(
                f'The revocation cache {alias!r} is a Redis cache without '
                'a socket timeout: a frozen or unreachable Redis stalls '
                'every request that checks a token.',
                hint=(
                    f"Set CACHES[{alias!r}]['OPTIONS'] = "
                    "{'socket_timeout': 0.25, 'socket_connect_timeout': "
                    "0.25} (django-redis: 'SOCKET_TIMEOUT' and "
                    "'SOCKET_CONNECT_TIMEOUT')."
                ),
                id='dmr_jwt.W002',
            ),
        ]
    return []


def _check_aliases(resolved: _conf.Settings) -> list[checks.CheckMessage]:
    from django.conf import settings  # noqa: PLC0415

    messages: list[checks.CheckMessage] = []
    cache_alias = resolved.BLOCKLIST_CACHE
    if cache_alias is not None and cache_alias not in settings.CACHES:
        messages.append(
            checks.Error(
                f'BLOCKLIST_CACHE names {cache_alias!r}, '
                'which is not in CACHES.',
                id='dmr_jwt.E004',
            ),
        )
    database = resolved.BLOCKLIST_DATABASE
    if database is not None and database not in settings.DATABASES:
        messages.append(
            checks.Error(
                f'BLOCKLIST_DATABASE names {database!r}, '
                'which is not in DATABASES.',
                id='dmr_jwt.E004',
            ),
        )
    return messages
