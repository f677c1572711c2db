"""Verify controllers for the test suite: every combination, written once.

``verify`` is the reusable controller with the default payload, ``refresh``
the same for refresh tokens (``jwt_verify_token_type = 'refresh'``, the
token in ``refresh_token``), ``blocklist`` the first with the blocklist
app's verify mixin. The leaves only pick the serializer.
"""

from typing import TypeVar

from dmr.plugins.msgspec import MsgspecSerializer
from dmr.plugins.pydantic import PydanticSerializer
from dmr.serializer import BaseSerializer
from typing_extensions import override

from dmr_jwt.blocklist import (
    VerifyTokenBlocklistAsyncMixin,
    VerifyTokenBlocklistSyncMixin,
)
from dmr_jwt.views import (
    RefreshTokenPayload,
    VerifyTokenAsyncController,
    VerifyTokenPayload,
    VerifyTokenSyncController,
)

_S = TypeVar('_S', bound=BaseSerializer)


class _VerifySync(VerifyTokenSyncController[_S, VerifyTokenPayload]):
    @override
    def convert_verify_payload(self, payload: VerifyTokenPayload) -> str:
        return payload['access_token']


class _VerifyAsync(VerifyTokenAsyncController[_S, VerifyTokenPayload]):
    @override
    async def convert_verify_payload(
        self,
        payload: VerifyTokenPayload,
    ) -> str:
        return payload['access_token']


class _VerifyRefreshSync(VerifyTokenSyncController[_S, RefreshTokenPayload]):
    jwt_verify_token_type = 'refresh'

    @override
    def convert_verify_payload(self, payload: RefreshTokenPayload) -> str:
        return payload['refresh_token']


class _VerifyRefreshAsync(
    VerifyTokenAsyncController[_S, RefreshTokenPayload],
):
    jwt_verify_token_type = 'refresh'

    @override
    async def convert_verify_payload(
        self,
        payload: RefreshTokenPayload,
    ) -> str:
        return payload['refresh_token']


class _VerifyBlocklistSync(VerifyTokenBlocklistSyncMixin, _VerifySync[_S]): ...


class _VerifyBlocklistAsync(
    VerifyTokenBlocklistAsyncMixin,
    _VerifyAsync[_S],
): ...


# The leaves: one line per serializer.


class PydanticVerifySync(_VerifySync[PydanticSerializer]): ...


class PydanticVerifyAsync(_VerifyAsync[PydanticSerializer]): ...


class PydanticVerifyRefreshSync(_VerifyRefreshSync[PydanticSerializer]): ...


class PydanticVerifyRefreshAsync(_VerifyRefreshAsync[PydanticSerializer]): ...


class PydanticVerifyBlocklistSync(
    _VerifyBlocklistSync[PydanticSerializer],
): ...


class PydanticVerifyBlocklistAsync(
    _VerifyBlocklistAsync[PydanticSerializer],
): ...


class MsgspecVerifySync(_VerifySync[MsgspecSerializer]): ...


class MsgspecVerifyAsync(_VerifyAsync[MsgspecSerializer]): ...


class MsgspecVerifyRefreshSync(_VerifyRefreshSync[MsgspecSerializer]): ...


class MsgspecVerifyRefreshAsync(_VerifyRefreshAsync[MsgspecSerializer]): ...


class MsgspecVerifyBlocklistSync(_VerifyBlocklistSync[MsgspecSerializer]): ...


class MsgspecVerifyBlocklistAsync(
    _VerifyBlocklistAsync[MsgspecSerializer],
): ...
