"""The dmr profiles: the same controllers, with the profile's auth.

Only this benchmark imports dmr's built-in JWT auth (``dmr.security.jwt``),
to compare with it; each profile imports only what it installs.
"""

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any, Final, TypeAlias

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.urls import URLPattern
from dmr import Controller
from dmr.routing import path
from dmr.security.base import AsyncAuth, SyncAuth
from typing_extensions import override

from benchmarks.apps.floor import (
    FloorAsync,
    FloorSync,
    MeResponse,
    Serializer,
    floor_urlpatterns,
)
from benchmarks.apps.spec import AppSpec, TokenEndpoints, TokenPair, me_path
from dmr_jwt import JWTAsyncAuth, JWToken, JWTSyncAuth
from dmr_jwt.views import (
    ObtainTokensAsyncController,
    ObtainTokensPayload,
    ObtainTokensResponse,
    ObtainTokensSyncController,
    RefreshTokenAsyncController,
    RefreshTokenPayload,
    RefreshTokenSyncController,
)

_Auths: TypeAlias = tuple[SyncAuth, AsyncAuth]

#: What the tuned profile turns on (see the performance issue).
TUNED: Final[dict[str, Any]] = {
    'token_cache_size': 4096,
    'user_cache_timeout': 60,
}

_TOKEN_ENDPOINTS: Final = TokenEndpoints(
    obtain={'sync': '/token/obtain/sync/', 'async': '/token/obtain/async/'},
    refresh={'sync': '/token/refresh/sync/', 'async': '/token/refresh/async/'},
    refresh_field='refresh_token',
    access_field='access_token',
)


# The auth of each profile:


def _dmr_jwt() -> _Auths:
    return JWTSyncAuth(), JWTAsyncAuth()


def _dmr_jwt_stateless() -> _Auths:
    return JWTSyncAuth(stateless=True), JWTAsyncAuth(stateless=True)


def _dmr_jwt_blocklist(**kwargs: Any) -> _Auths:
    from dmr_jwt.blocklist import (
        JWTokenBlocklistAsyncMixin,
        JWTokenBlocklistSyncMixin,
    )

    class BlocklistSync(JWTokenBlocklistSyncMixin, JWTSyncAuth):
        __slots__ = ()

    class BlocklistAsync(JWTokenBlocklistAsyncMixin, JWTAsyncAuth):
        __slots__ = ()

    return BlocklistSync(**kwargs), BlocklistAsync(**kwargs)


def _dmr_jwt_tuned() -> _Auths:
    return _dmr_jwt_blocklist(**TUNED)


def _dmr_builtin() -> _Auths:
    from dmr.security.jwt.auth.header import (
        HeaderJWTAsyncAuth,
        HeaderJWTSyncAuth,
    )

    return HeaderJWTSyncAuth(), HeaderJWTAsyncAuth()


def _dmr_builtin_blocklist() -> _Auths:
    from dmr.security.jwt.auth.header import (
        HeaderJWTAsyncAuth,
        HeaderJWTSyncAuth,
    )
    from dmr.security.jwt.blocklist.auth import (
        JWTokenBlocklistAsyncMixin,
        JWTokenBlocklistSyncMixin,
    )

    class BuiltinBlocklistSync(JWTokenBlocklistSyncMixin, HeaderJWTSyncAuth):
        __slots__ = ()

    class BuiltinBlocklistAsync(
        JWTokenBlocklistAsyncMixin,
        HeaderJWTAsyncAuth,
    ):
        __slots__ = ()

    return BuiltinBlocklistSync(), BuiltinBlocklistAsync()


_AUTHS: Final[dict[str, Callable[[], _Auths]]] = {
    'dmr-jwt': _dmr_jwt,
    'dmr-jwt-tuned': _dmr_jwt_tuned,
    'dmr-jwt-blocklist': _dmr_jwt_blocklist,
    'dmr-jwt-stateless': _dmr_jwt_stateless,
    'dmr-builtin': _dmr_builtin,
    'dmr-builtin-blocklist': _dmr_builtin_blocklist,
}


# The protected endpoint:


def _me_controllers(auths: _Auths) -> tuple[type[Any], type[Any]]:
    sync_auth, async_auth = auths

    class MeSync(Controller[Serializer]):
        auth = (sync_auth,)

        def get(self) -> MeResponse:
            return {'username': self.request.user.get_username()}

    class MeAsync(Controller[Serializer]):
        auth = (async_auth,)

        async def get(self) -> MeResponse:
            return {'username': self.request.user.get_username()}

    return MeSync, MeAsync


# The token endpoints of dmr-jwt:


def _pair(controller: Any) -> ObtainTokensResponse:
    return {
        'access_token': controller.create_jwt_token(token_type='access'),
        'refresh_token': controller.create_jwt_token(token_type='refresh'),
    }


class ObtainSync(
    ObtainTokensSyncController[
        Serializer,
        ObtainTokensPayload,
        ObtainTokensResponse,
    ],
):
    """dmr-jwt: obtain a token pair, sync."""

    @override
    def convert_auth_payload(
        self,
        payload: ObtainTokensPayload,
    ) -> ObtainTokensPayload:
        return payload

    @override
    def make_api_response(self) -> ObtainTokensResponse:
        return _pair(self)


class ObtainAsync(
    ObtainTokensAsyncController[
        Serializer,
        ObtainTokensPayload,
        ObtainTokensResponse,
    ],
):
    """dmr-jwt: obtain a token pair, async."""

    @override
    async def convert_auth_payload(
        self,
        payload: ObtainTokensPayload,
    ) -> ObtainTokensPayload:
        return payload

    @override
    async def make_api_response(self) -> ObtainTokensResponse:
        return _pair(self)


class RefreshSync(
    RefreshTokenSyncController[
        Serializer,
        RefreshTokenPayload,
        ObtainTokensResponse,
    ],
):
    """dmr-jwt: a new token pair for a refresh token, sync."""

    @override
    def convert_refresh_payload(self, payload: RefreshTokenPayload) -> str:
        return payload['refresh_token']

    @override
    def make_api_response(self) -> ObtainTokensResponse:
        return _pair(self)


class RefreshAsync(
    RefreshTokenAsyncController[
        Serializer,
        RefreshTokenPayload,
        ObtainTokensResponse,
    ],
):
    """dmr-jwt: a new token pair for a refresh token, async."""

    @override
    async def convert_refresh_payload(
        self,
        payload: RefreshTokenPayload,
    ) -> str:
        return payload['refresh_token']

    @override
    async def make_api_response(self) -> ObtainTokensResponse:
        return _pair(self)


def _dmr_jwt_token_views() -> tuple[Any, Any, Any, Any]:
    return (
        ObtainSync.as_view(),
        ObtainAsync.as_view(),
        RefreshSync.as_view(),
        RefreshAsync.as_view(),
    )


def _builtin_token_views() -> tuple[Any, Any, Any, Any]:
    from dmr.security.jwt.concrete_views import body

    return (
        body.ObtainTokensSyncController.as_view(serializer=Serializer),
        body.ObtainTokensAsyncController.as_view(serializer=Serializer),
        body.RefreshTokenSyncController.as_view(serializer=Serializer),
        body.RefreshTokenAsyncController.as_view(serializer=Serializer),
    )


# Minting the benchmark's tokens with the profile's own library:


def _mint(user: AbstractBaseUser) -> TokenPair:
    # Stateless mode reads the username from the token (documented way):
    # only that profile's tokens carry it.
    stateless = settings.BENCH_PROFILE == 'dmr-jwt-stateless'

    # Like the token controllers: one family per login (the blocklist
    # profiles check it on every request).
    family = uuid.uuid4().hex

    def encode(token_type: str) -> str:
        extras: dict[str, str] = {'type': token_type, 'family': family}
        if stateless:
            extras['username'] = user.get_username()
        return JWToken(
            sub=str(user.pk),
            exp=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
            jti=uuid.uuid4().hex,
            extras=extras,
        ).encode(settings.SECRET_KEY, 'HS256')

    return TokenPair(access=encode('access'), refresh=encode('refresh'))


def _mint_builtin(user: AbstractBaseUser) -> TokenPair:
    from dmr.security.jwt.token import JWToken as BuiltinJWToken

    def encode(token_type: str) -> str:
        return BuiltinJWToken(
            sub=str(user.pk),
            exp=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
            jti=uuid.uuid4().hex,
            extras={'type': token_type},
        ).encode(settings.SECRET_KEY, 'HS256')

    return TokenPair(access=encode('access'), refresh=encode('refresh'))


def _build() -> tuple[list[URLPattern], AppSpec]:
    profile: str = settings.BENCH_PROFILE
    patterns = floor_urlpatterns()
    if profile in _AUTHS:
        me_sync, me_async = _me_controllers(_AUTHS[profile]())
    else:  # the floor itself
        me_sync, me_async = FloorSync, FloorAsync
    patterns += [
        path(me_path('sync').lstrip('/'), me_sync.as_view()),
        path(me_path('async').lstrip('/'), me_async.as_view()),
    ]
    builtin = profile.startswith('dmr-builtin')
    spec = AppSpec(mint=_mint_builtin if builtin else _mint)
    token_views = {
        'dmr-jwt': _dmr_jwt_token_views,
        'dmr-builtin': _builtin_token_views,
    }.get(profile)
    if token_views is not None:
        obtain_sync, obtain_async, refresh_sync, refresh_async = token_views()
        views = {
            _TOKEN_ENDPOINTS.obtain['sync']: obtain_sync,
            _TOKEN_ENDPOINTS.obtain['async']: obtain_async,
            _TOKEN_ENDPOINTS.refresh['sync']: refresh_sync,
            _TOKEN_ENDPOINTS.refresh['async']: refresh_async,
        }
        patterns += [
            path(route.lstrip('/'), view) for route, view in views.items()
        ]
        spec = dataclasses.replace(spec, tokens=_TOKEN_ENDPOINTS)
    return patterns, spec


urlpatterns, BENCH = _build()
