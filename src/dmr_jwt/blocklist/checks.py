"""System checks of dmr-jwt, registered by the blocklist app's ``ready()``.

Stable ids:

- ``dmr_jwt.E001``: blocklist mixins used, app not installed
  (registered by :mod:`dmr_jwt.blocklist.auth` on import);
- ``dmr_jwt.E002``: ``SECRET_KEY`` cannot sign HS256 tokens safely;
- ``dmr_jwt.E003``: unknown key in the ``DMR_JWT`` setting;
- ``dmr_jwt.E004``: ``DMR_JWT`` names a cache or database that is not there,
  or has a value of a wrong type;
- ``dmr_jwt.W001``: a per-process cache backs revocation: blocks made in
  one process reach the others only after ``BLOCKLIST_LOCAL_CACHE_TTL``.
"""

from typing import Any

from django.core import checks
from django.core.cache import caches

from dmr_jwt.blocklist.store import is_per_process_cache
from dmr_jwt.conf import SETTINGS_NAME, Settings, get_raw_settings
from dmr_jwt.token import key_problem


@checks.register(checks.Tags.security)
def check_secret_key(**kwargs: Any) -> list[checks.CheckMessage]:
    """``dmr_jwt.E002``: the default signing key must fit HS256."""
    from django.conf import settings  # noqa: PLC0415

    problem = key_problem(str(settings.SECRET_KEY), 'HS256')
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
    raw = get_raw_settings()
    messages: list[checks.CheckMessage] = [
        checks.Error(
            f'Unknown key {key!r} in the {SETTINGS_NAME} setting.',
            hint=f'Known keys: {", ".join(sorted(Settings.known_keys()))}.',
            id='dmr_jwt.E003',
        )
        for key in sorted(set(raw) - Settings.known_keys())
    ]
    resolved = Settings.from_mapping(raw)
    messages.extend(_check_aliases(resolved))
    if not _is_positive_int(resolved.BLOCKLIST_LOCAL_CACHE_TTL):
        messages.append(
            checks.Error(
                'BLOCKLIST_LOCAL_CACHE_TTL must be a positive integer '
                '(seconds).',
                id='dmr_jwt.E004',
            ),
        )
    return messages


@checks.register(checks.Tags.caches)
def check_cache_scope(**kwargs: Any) -> list[checks.CheckMessage]:
    """``dmr_jwt.W001``: a per-process cache in front of the blocklist."""
    resolved = Settings.from_mapping(get_raw_settings())
    alias = resolved.BLOCKLIST_CACHE
    if alias is None or resolved.BLOCKLIST_SHARED_CACHE is not None:
        return []
    try:
        cache = caches[alias]
    except Exception:  # noqa: BLE001  # reported by `check_settings`
        return []
    if not is_per_process_cache(cache):
        return []
    return [
        checks.Warning(
            f'The blocklist is cached in {alias!r}, a per-process cache: '
            'a token blocklisted in one process is still accepted by the '
            'others for up to BLOCKLIST_LOCAL_CACHE_TTL '
            f'({resolved.BLOCKLIST_LOCAL_CACHE_TTL}) seconds.',
            hint=(
                'With several processes, point DMR_JWT["BLOCKLIST_CACHE"] '
                'at a shared cache (Redis, Memcached). With one process, '
                'silence this warning with '
                'DMR_JWT["BLOCKLIST_SHARED_CACHE"] = False, or '
                'SILENCED_SYSTEM_CHECKS = ["dmr_jwt.W001"].'
            ),
            id='dmr_jwt.W001',
        ),
    ]


def _check_aliases(resolved: Settings) -> list[checks.CheckMessage]:
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


def _is_positive_int(setting_value: object) -> bool:
    return (
        isinstance(setting_value, int)
        and not isinstance(setting_value, bool)
        and setting_value > 0
    )
