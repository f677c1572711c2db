"""Project-wide settings of dmr-jwt: the ``DMR_JWT`` dict in Django settings.

Every key is declared once, in :class:`Settings`, with its default.
Settings are read on first use and cached; Django's ``setting_changed``
signal (``override_settings`` in tests) clears the cache.
Unknown keys are reported by the ``dmr_jwt.E003`` system check.

.. code:: python

    DMR_JWT = {
        'BLOCKLIST_CACHE': 'default',
        'BLOCKLIST_MAX_STALENESS': 5,
    }
"""

import dataclasses
import functools
import os
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final, final

from django.core.signals import setting_changed
from django.dispatch import receiver

__all__ = (
    'EXPECTED_TYPES',
    'SETTINGS_NAME',
    'Settings',
    'get_raw_settings',
    'get_settings',
    'get_settings_mapping',
    'invalid_values',
)

#: The name of the Django setting.
SETTINGS_NAME: Final = 'DMR_JWT'


@final
@dataclasses.dataclass(frozen=True, slots=True)
class Settings:
    """
    Resolved ``DMR_JWT`` settings.

    Attributes:
        BLOCKLIST_CACHE: Alias in ``CACHES`` that fronts the blocklist,
            or ``None`` to ask the database on every check.
        BLOCKLIST_DATABASE: Alias in ``DATABASES`` that stores blocklisted
            tokens, or ``None`` for the default database router.
        BLOCKLIST_MAX_STALENESS: Seconds that any cache may remember an
            answer that can still turn into "revoked" ("not revoked", a
            watermark): the longest time a revoked token is still accepted
            by a process whose cache missed the revocation (a per-process
            cache, or a shared cache that was unreachable, frozen,
            restarted with old data or evicted the entry).
        CACHE_BACKOFF: Seconds that the revocation store and the user
            cache leave their cache alone after a failed call, answering
            from the database only (and logging once per window).
        KEYS: The project's key ring (:mod:`dmr_jwt.keys`): a list of key
            entries, or the path of a ring file written by
            ``manage.py jwt_keys`` (re-read when it changes). ``None``:
            one secret, ``SECRET_KEY`` unless an auth or controller is
            given its own.
        KEYS_RELOAD_INTERVAL: Seconds between two checks whether the ring
            file changed (one ``stat``).
        JWKS_URL: Verify with the public keys published at this URL
            (``https``, or ``http`` on a loopback address) instead of a
            key of our own: for services that only verify tokens.
        JWKS_REFRESH_INTERVAL: Seconds between two background refreshes
            of the remote key set.
        JWKS_MIN_REFETCH_INTERVAL: Shortest time between two fetches for
            a ``kid`` that the set does not have (a flood of random
            ``kid`` s costs one fetch per interval).
        JWKS_TIMEOUT: Seconds that one fetch of the key set may take.
        REVOKE_TOKENS_ON_PASSWORD_CHANGE: Log a user out everywhere
            (:func:`dmr_jwt.blocklist.revoke_all_tokens`) when their
            password changes: when a user saved after ``set_password()``.
            Needs the blocklist app.

    """

    BLOCKLIST_CACHE: str | None = 'default'
    BLOCKLIST_DATABASE: str | None = None
    BLOCKLIST_MAX_STALENESS: int = 5
    CACHE_BACKOFF: float = 5.0
    KEYS: str | os.PathLike[str] | Sequence[Mapping[str, Any]] | None = None
    KEYS_RELOAD_INTERVAL: float = 1.0
    JWKS_URL: str | None = None
    JWKS_REFRESH_INTERVAL: float = 300.0
    JWKS_MIN_REFETCH_INTERVAL: float = 10.0
    JWKS_TIMEOUT: float = 5.0
    REVOKE_TOKENS_ON_PASSWORD_CHANGE: bool = False

    @classmethod
    def known_keys(cls) -> frozenset[str]:
        """Every key that ``DMR_JWT`` may contain."""
        return frozenset(field.name for field in dataclasses.fields(cls))

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> 'Settings':
        """
        Build settings from a ``DMR_JWT`` mapping.

        Unknown keys and values of a wrong type are ignored here (defaults
        apply); the system checks report both at start-up.
        """
        return cls(
            **{
                key: setting_value
                for key, setting_value in raw.items()
                if key in _VALIDATORS and _VALIDATORS[key](setting_value)
            }
        )


def invalid_values(raw: Mapping[str, Any]) -> list[str]:
    """Return the known keys of *raw* whose values have a wrong type."""
    return sorted(
        key
        for key, setting_value in raw.items()
        if key in _VALIDATORS and not _VALIDATORS[key](setting_value)
    )


def _is_optional_alias(setting_value: object) -> bool:
    return setting_value is None or (
        isinstance(setting_value, str) and bool(setting_value)
    )


def _is_positive_int(setting_value: object) -> bool:
    return (
        isinstance(setting_value, int)
        and not isinstance(setting_value, bool)
        and setting_value > 0
    )


def _is_positive_number(setting_value: object) -> bool:
    return (
        isinstance(setting_value, int | float)
        and not isinstance(setting_value, bool)
        and 0 < setting_value < float('inf')
    )


def _is_bool(setting_value: object) -> bool:
    return isinstance(setting_value, bool)


def _is_key_ring(setting_value: object) -> bool:
    # Entries are checked when the ring is loaded, with their own messages.
    if setting_value is None or isinstance(setting_value, os.PathLike):
        return True
    if isinstance(setting_value, str):
        return bool(setting_value)
    return isinstance(setting_value, list | tuple) and all(
        isinstance(entry, Mapping) for entry in setting_value
    )


def _is_optional_url(setting_value: object) -> bool:
    return setting_value is None or (
        isinstance(setting_value, str) and bool(setting_value)
    )


#: What a valid value of each key looks like.
_VALIDATORS: Final[dict[str, Callable[[object], bool]]] = {
    'BLOCKLIST_CACHE': _is_optional_alias,
    'BLOCKLIST_DATABASE': _is_optional_alias,
    'BLOCKLIST_MAX_STALENESS': _is_positive_int,
    'CACHE_BACKOFF': _is_positive_number,
    'KEYS': _is_key_ring,
    'KEYS_RELOAD_INTERVAL': _is_positive_number,
    'JWKS_URL': _is_optional_url,
    'JWKS_REFRESH_INTERVAL': _is_positive_number,
    'JWKS_MIN_REFETCH_INTERVAL': _is_positive_number,
    'JWKS_TIMEOUT': _is_positive_number,
    'REVOKE_TOKENS_ON_PASSWORD_CHANGE': _is_bool,
}

#: What each key expects, for error messages.
EXPECTED_TYPES: Final = MappingProxyType(
    {
        'BLOCKLIST_CACHE': 'a cache alias (str) or None',
        'BLOCKLIST_DATABASE': 'a database alias (str) or None',
        'BLOCKLIST_MAX_STALENESS': 'a positive int (seconds)',
        'CACHE_BACKOFF': 'a positive number (seconds)',
        'KEYS': 'a list of key entries (dicts), a ring file path, or None',
        'KEYS_RELOAD_INTERVAL': 'a positive number (seconds)',
        'JWKS_URL': 'a URL (str) or None',
        'JWKS_REFRESH_INTERVAL': 'a positive number (seconds)',
        'JWKS_MIN_REFETCH_INTERVAL': 'a positive number (seconds)',
        'JWKS_TIMEOUT': 'a positive number (seconds)',
        'REVOKE_TOKENS_ON_PASSWORD_CHANGE': 'True or False',
    }
)


@functools.cache
def get_settings() -> Settings:
    """Return the resolved ``DMR_JWT`` settings, read once."""
    return Settings.from_mapping(get_settings_mapping())


def get_raw_settings() -> object:
    """Return the ``DMR_JWT`` setting as the project wrote it, or ``{}``."""
    from django.conf import settings  # noqa: PLC0415

    raw = getattr(settings, SETTINGS_NAME, None)
    return {} if raw is None else raw


def get_settings_mapping() -> Mapping[str, Any]:
    """Return ``DMR_JWT`` when it is a mapping, else ``{}`` (checks say why)."""
    raw = get_raw_settings()
    return raw if isinstance(raw, Mapping) else {}


@receiver(setting_changed)
def _reset_settings(*, setting: str, **kwargs: Any) -> None:
    if setting in {SETTINGS_NAME, 'CACHES', 'DATABASES'}:
        get_settings.cache_clear()
