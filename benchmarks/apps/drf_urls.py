"""The ``drf-simplejwt`` profile: DRF + djangorestframework-simplejwt.

DRF views are sync only, so this profile has no async row.
"""

from typing import Final

from django.contrib.auth.base_user import AbstractBaseUser
from django.urls import URLPattern, URLResolver, path

# DRF ships no type hints (mypy is optional for the benchmarks).
from rest_framework.permissions import (  # type: ignore[import-untyped]
    IsAuthenticated,
)
from rest_framework.request import Request  # type: ignore[import-untyped]
from rest_framework.response import Response  # type: ignore[import-untyped]
from rest_framework.views import APIView  # type: ignore[import-untyped]
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from benchmarks.apps.floor import floor_urlpatterns
from benchmarks.apps.spec import AppSpec, TokenEndpoints, TokenPair, me_path


class MeView(APIView):  # type: ignore[misc]
    """The protected endpoint."""

    authentication_classes = (JWTAuthentication,)
    permission_classes = (IsAuthenticated,)

    def get(self, request: Request) -> Response:
        """Who am I."""
        return Response({'username': request.user.get_username()})


def _mint(user: AbstractBaseUser) -> TokenPair:
    refresh = RefreshToken.for_user(user)
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh))


_OBTAIN: Final = '/token/obtain/sync/'
_REFRESH: Final = '/token/refresh/sync/'

urlpatterns: list[URLPattern | URLResolver] = [
    *floor_urlpatterns(),
    path(me_path('sync').lstrip('/'), MeView.as_view()),
    path(_OBTAIN.lstrip('/'), TokenObtainPairView.as_view()),
    path(_REFRESH.lstrip('/'), TokenRefreshView.as_view()),
]

BENCH: Final = AppSpec(
    mint=_mint,
    tokens=TokenEndpoints(
        obtain={'sync': _OBTAIN},
        refresh={'sync': _REFRESH},
        refresh_field='refresh',
        access_field='access',
    ),
)
