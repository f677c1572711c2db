"""Controllers for the logout tests: every combination, written once.

The logout behaviour is one generic controller per mode on top of
:mod:`dmr_jwt.blocklist.views`; the leaves only pick the serializer.
"""

from typing import TypeVar

from dmr.plugins.msgspec import MsgspecSerializer
from dmr.plugins.pydantic import PydanticSerializer
from dmr.serializer import BaseSerializer
from typing_extensions import TypedDict, override

from dmr_jwt.blocklist import (
    LogoutAsyncController,
    LogoutPayload,
    LogoutSyncController,
)
from tests.app.blocklist_views import BlocklistAsyncAuth, BlocklistSyncAuth

_S = TypeVar('_S', bound=BaseSerializer)


class LoggedOut(TypedDict):
    """What the logout endpoints return."""

    logged_out: bool


class _LogoutSync(LogoutSyncController[_S, LogoutPayload, LoggedOut]):
    auth = (BlocklistSyncAuth(),)

    @override
    def convert_logout_payload(self, payload: LogoutPayload) -> str | None:
        return payload.get('refresh_token')

    @override
    def make_api_response(self) -> LoggedOut:
        return {'logged_out': True}


class _LogoutAsync(LogoutAsyncController[_S, LogoutPayload, LoggedOut]):
    auth = (BlocklistAsyncAuth(),)

    @override
    async def convert_logout_payload(
        self,
        payload: LogoutPayload,
    ) -> str | None:
        return payload.get('refresh_token')

    @override
    async def make_api_response(self) -> LoggedOut:
        return {'logged_out': True}


class PydanticLogoutSync(_LogoutSync[PydanticSerializer]): ...


class PydanticLogoutAsync(_LogoutAsync[PydanticSerializer]): ...


class MsgspecLogoutSync(_LogoutSync[MsgspecSerializer]): ...


class MsgspecLogoutAsync(_LogoutAsync[MsgspecSerializer]): ...
