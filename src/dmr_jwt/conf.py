"""Project-wide settings of dmr-jwt: the ``DMR_JWT`` dict in Django settings.

Every key is declared once, in :class:`Settings`, with its default.
Settings are read on first use and cached; Django's ``setting_changed``
signal (``override_settings`` in tests) clears the cache.
Unknown keys are reported by the ``dmr_jwt.E003`` system check.

.. code:: python

    DMR_JWT = {
        'BLOCKLIST_CACHE': 'default',
        'BLOCKLIST_LOCAL_CACHE_TTL': 5,
    }
"""

import dataclasses
import functools
from typing import Any, Final, final

from django.core.signals import setting_changed
from django.dispatch import receiver

__all__ = ('SETTINGS_NAME', 'Settings', 'get_settings')

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
        BLOCKLIST_LOCAL_CACHE_TTL: Seconds that a per-process cache
            (``LocMemCache``) may remember "not blocklisted": the longest
            time another process keeps accepting a token blocked elsewhere.
            Shared caches (Redis, Memcached, database, file) see every block
            at once, so they remember answers until the token expires.
        BLOCKLIST_SHARED_CACHE: Whether ``BLOCKLIST_CACHE`` is shared by
            every process; ``None`` infers it from the backend class.

    """

    BLOCKLIST_CACHE: str | None = 'default'
    BLOCKLIST_DATABASE: str | None = None
    BLOCKLIST_LOCAL_CACHE_TTL: int = 5
    BLOCKLIST_SHARED_CACHE: bool | None = None

    @classmethod
    def known_keys(cls) -> frozenset[str]:
        """Every key that ``DMR_JWT`` may contain."""
        return frozenset(field.name for field in dataclasses.fields(cls))

    @classmethod
    def from_mapping(cls, raw: dict[str, Any]) -> 'Settings':
        """Build settings from a ``DMR_JWT`` dict, ignoring unknown keys."""
        known = cls.known_keys()
        return cls(**{key: raw[key] for key in raw if key in known})


@functools.cache
def get_settings() -> Settings:
    """Return the resolved ``DMR_JWT`` settings, read once."""
    return Settings.from_mapping(get_raw_settings())


def get_raw_settings() -> dict[str, Any]:
    """Return the ``DMR_JWT`` dict as the project wrote it."""
    from django.conf import settings  # noqa: PLC0415

    raw = getattr(settings, SETTINGS_NAME, None) or {}
    return dict(raw)


@receiver(setting_changed)
def _reset_settings(*, setting: str, **kwargs: Any) -> None:
    if setting in {SETTINGS_NAME, 'CACHES', 'DATABASES'}:
        get_settings.cache_clear()
