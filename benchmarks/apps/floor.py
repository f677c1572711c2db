"""The no-auth floor: the same endpoint as every profile, without auth.

Every urlconf routes it, so that each profile process can measure it
interleaved with its own endpoint (a drift-free cross-check of the ratio);
the ``dmr-noauth`` profile serves it as its protected endpoint too.
"""

from typing import TypeAlias

from django.urls import URLPattern
from dmr import Controller
from dmr.plugins.pydantic import PydanticSerializer
from dmr.routing import path
from typing_extensions import TypedDict

from benchmarks.apps.spec import floor_path
from benchmarks.profiles import USERNAME

#: The serializer of every dmr controller of the benchmarks.
Serializer: TypeAlias = PydanticSerializer


class MeResponse(TypedDict):
    """What the protected endpoint returns."""

    username: str


class FloorSync(Controller[PydanticSerializer]):
    """No auth: the user is known, like the protected endpoints' user."""

    auth = None

    def get(self) -> MeResponse:
        """Return the same body as the protected endpoint."""
        return {'username': USERNAME}


class FloorAsync(Controller[PydanticSerializer]):
    """The async twin of :class:`FloorSync`."""

    auth = None

    async def get(self) -> MeResponse:
        """Return the same body as the protected endpoint."""
        return {'username': USERNAME}


def floor_urlpatterns() -> list[URLPattern]:
    """Routes of the floor, for every urlconf."""
    return [
        path(floor_path('sync').lstrip('/'), FloorSync.as_view()),
        path(floor_path('async').lstrip('/'), FloorAsync.as_view()),
    ]
