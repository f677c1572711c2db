"""What a profile's urlconf tells the worker."""

import dataclasses
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from benchmarks.profiles import Mode

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser


@dataclasses.dataclass(frozen=True, slots=True)
class TokenPair:
    """An access and a refresh token, issued by the profile's library."""

    access: str
    refresh: str


@dataclasses.dataclass(frozen=True, slots=True)
class TokenEndpoints:
    """Where and how to obtain and refresh tokens."""

    obtain: Mapping[Mode, str]
    refresh: Mapping[Mode, str]
    #: Name of the refresh token field in the refresh request body.
    refresh_field: str
    #: Name of the access token field in both responses.
    access_field: str


@dataclasses.dataclass(frozen=True, slots=True)
class AppSpec:
    """What the worker needs from a urlconf: how to mint tokens, and paths."""

    mint: Callable[['AbstractBaseUser'], TokenPair]
    tokens: TokenEndpoints | None = None


def me_path(mode: Mode) -> str:
    """Path of the protected endpoint."""
    return f'/me/{mode}/'


def floor_path(mode: Mode) -> str:
    """Path of the no-auth endpoint, served by every profile."""
    return f'/floor/{mode}/'
