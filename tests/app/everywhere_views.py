"""Controllers for the log-out-everywhere tests: every combination, once.

The behaviour is one generic controller per mode on top of
:mod:`dmr_jwt.blocklist.views`, with the blocklist auth classes of
:mod:`tests.app.blocklist_views`; the leaves only pick the serializer.
"""

from typing import TypeVar

from dmr.plugins.msgspec import MsgspecSerializer
from dmr.plugins.pydantic import PydanticSerializer
from dmr.serializer import BaseSerializer
from typing_extensions import TypedDict, override

from dmr_jwt.blocklist import (
    LogoutEverywhereAsyncController,
    LogoutEverywhereSyncController,
)
from tests.app.blocklist_views import BlocklistAsyncAuth, BlocklistSyncAuth

_S = TypeVar('_S', bound=BaseSerializer)


class LoggedOutEverywhere(TypedDict):
    """What the log-out-everywhere endpoints return."""

    logged_out_everywhere: bool


class _EverywhereSync(LogoutEverywhereSyncController[_S, LoggedOutEverywhere]):
    auth = (BlocklistSyncAuth(),)

    @override
    def make_api_response(self) -> LoggedOutEverywhere:
        return {'logged_out_everywhere': True}


class _EverywhereAsync(
    LogoutEverywhereAsyncController[_S, LoggedOutEverywhere],
):
    auth = (BlocklistAsyncAuth(),)

    @override
    async def make_api_response(self) -> LoggedOutEverywhere:
        return {'logged_out_everywhere': True}


class PydanticEverywhereSync(_EverywhereSync[PydanticSerializer]): ...


class PydanticEverywhereAsync(_EverywhereAsync[PydanticSerializer]): ...


class MsgspecEverywhereSync(_EverywhereSync[MsgspecSerializer]): ...


class MsgspecEverywhereAsync(_EverywhereAsync[MsgspecSerializer]): ...
