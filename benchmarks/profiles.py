"""The profiles: what each benchmark process serves, and how to read it.

Every profile serves the same small protected ``GET`` endpoint that answers
``{"username": ...}``; they differ only in the framework and the auth.
"""

import dataclasses
from typing import Final, Literal, TypeAlias

Mode: TypeAlias = Literal['sync', 'async']
Endpoint: TypeAlias = Literal['me', 'obtain', 'refresh']

MODES: Final[tuple[Mode, ...]] = ('sync', 'async')

#: The one user of every profile.
USERNAME: Final = 'bench_user'
PASSWORD: Final = 'bench-password'

#: The profile every ratio is relative to.
FLOOR: Final = 'dmr-noauth'


@dataclasses.dataclass(frozen=True, slots=True)
class Profile:
    """One benchmark process."""

    name: str
    #: Django settings module, under ``benchmarks.settings``.
    settings: str
    #: One line for the table: framework and auth.
    label: str
    modes: tuple[Mode, ...] = MODES
    #: Whether this profile also measures its obtain and refresh endpoints.
    token_endpoints: bool = False
    #: Why a mode is missing, for the table.
    missing_async: str = ''

    @property
    def settings_module(self) -> str:
        """The importable settings module."""
        return f'benchmarks.settings.{self.settings}'


PROFILES: Final[tuple[Profile, ...]] = (
    Profile(
        FLOOR,
        'dmr_noauth',
        'dmr controller, no auth (the floor)',
    ),
    Profile(
        'dmr-jwt',
        'dmr_jwt',
        'dmr-jwt `JWTSyncAuth()` default',
        token_endpoints=True,
    ),
    Profile(
        'dmr-jwt-tuned',
        'dmr_jwt_tuned',
        'dmr-jwt tuned: token cache + user cache + cached blocklist',
    ),
    Profile(
        'dmr-jwt-blocklist',
        'dmr_jwt_blocklist',
        'dmr-jwt + blocklist (cached), default auth',
    ),
    Profile(
        'dmr-jwt-stateless',
        'dmr_jwt_stateless',
        'dmr-jwt `stateless=True` (no database)',
    ),
    Profile(
        'dmr-builtin',
        'dmr_builtin',
        "dmr's built-in `dmr.security.jwt` auth",
        token_endpoints=True,
    ),
    Profile(
        'dmr-builtin-blocklist',
        'dmr_builtin_blocklist',
        "dmr's built-in JWT auth + its blocklist",
    ),
    Profile(
        'drf-simplejwt',
        'drf_simplejwt',
        'DRF `APIView` + simplejwt `JWTAuthentication`',
        modes=('sync',),
        token_endpoints=True,
        missing_async='DRF is sync only',
    ),
    Profile(
        'ninja-jwt',
        'ninja_jwt',
        'django-ninja + ninja-jwt `JWTAuth` / `AsyncJWTAuth`',
        token_endpoints=True,
    ),
)


def get_profile(name: str) -> Profile:
    """Return the profile called *name*."""
    for profile in PROFILES:
        if profile.name == name:
            return profile
    raise KeyError(name)
