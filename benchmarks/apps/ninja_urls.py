"""The ``ninja-jwt`` profile: django-ninja + django-ninja-jwt.

The protected endpoint is a plain ``NinjaAPI`` route with ``JWTAuth`` (sync)
or ``AsyncJWTAuth`` (async); the token endpoints are ninja-jwt's own
controllers, which need django-ninja-extra's ``NinjaExtraAPI``.
"""

from typing import Any, Final

from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from django.urls import URLPattern, URLResolver, path
from ninja import NinjaAPI, Schema
from ninja_extra import NinjaExtraAPI
from ninja_jwt.authentication import AsyncJWTAuth, JWTAuth
from ninja_jwt.controller import (
    AsyncNinjaJWTDefaultController,
    NinjaJWTDefaultController,
)
from ninja_jwt.tokens import RefreshToken

from benchmarks.apps.floor import floor_urlpatterns
from benchmarks.apps.spec import AppSpec, TokenEndpoints, TokenPair


class MeOut(Schema):
    """What the protected endpoint returns."""

    username: str


me_api = NinjaAPI(urls_namespace='bench-me', docs_url=None)


@me_api.get('/sync/', auth=JWTAuth(), response=MeOut)
def me_sync(request: HttpRequest) -> dict[str, Any]:
    """Who am I, sync."""
    return {'username': request.user.get_username()}


@me_api.get('/async/', auth=AsyncJWTAuth(), response=MeOut)
async def me_async(request: HttpRequest) -> dict[str, Any]:
    """Who am I, async."""
    return {'username': request.user.get_username()}


sync_tokens = NinjaExtraAPI(urls_namespace='bench-tokens-sync', docs_url=None)
sync_tokens.register_controllers(NinjaJWTDefaultController)
async_tokens = NinjaExtraAPI(
    urls_namespace='bench-tokens-async',
    docs_url=None,
)
async_tokens.register_controllers(AsyncNinjaJWTDefaultController)


def _mint(user: AbstractBaseUser) -> TokenPair:
    refresh = RefreshToken.for_user(user)  # type: ignore[misc]
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh))


urlpatterns: list[URLPattern | URLResolver] = [
    *floor_urlpatterns(),
    path('me/', me_api.urls),
    path('token-sync/', sync_tokens.urls),
    path('token-async/', async_tokens.urls),
]

BENCH: Final = AppSpec(
    mint=_mint,
    tokens=TokenEndpoints(
        obtain={
            'sync': '/token-sync/token/pair',
            'async': '/token-async/token/pair',
        },
        refresh={
            'sync': '/token-sync/token/refresh',
            'async': '/token-async/token/refresh',
        },
        refresh_field='refresh',
        access_field='access',
    ),
)
