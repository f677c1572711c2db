"""Controllers for the blocklist tests: every combination, written once.

The protected ``me``, the ``obtain`` and the ``refresh`` behaviours are
the generic controllers of :mod:`tests.app.views`; here they only get the
blocklist auth classes and the refresh blocklist mixins. ``logout`` is new:
it blocklists the token that authenticated the request. The leaves only pick
the serializer, so pydantic and msgspec run the very same code.
"""

from http import HTTPStatus
from typing import Any, TypeVar

from dmr import Controller, modify
from dmr.plugins.msgspec import MsgspecSerializer
from dmr.plugins.pydantic import PydanticSerializer
from dmr.security.base import request_auth
from dmr.serializer import BaseSerializer
from typing_extensions import TypedDict

from dmr_jwt import JWTAsyncAuth, JWTSyncAuth, request_jwt
from dmr_jwt.blocklist import (
    JWTokenBlocklistAsyncMixin,
    JWTokenBlocklistSyncMixin,
    RefreshTokenBlocklistAsyncMixin,
    RefreshTokenBlocklistSyncMixin,
)
from tests.app import views

_S = TypeVar('_S', bound=BaseSerializer)
_AuthT = TypeVar('_AuthT')


class BlocklistSyncAuth(JWTokenBlocklistSyncMixin, JWTSyncAuth):
    """Sync JWT auth that rejects blocklisted tokens."""

    __slots__ = ()


class BlocklistAsyncAuth(JWTokenBlocklistAsyncMixin, JWTAsyncAuth):
    """Async JWT auth that rejects blocklisted tokens."""

    __slots__ = ()


class LogoutResponse(TypedDict):
    """What ``logout`` returns: the blocklisted ``jti`` and if it was new."""

    jti: str
    created: bool


def _request_auth(
    controller: Controller[Any],
    auth_cls: type[_AuthT],
) -> _AuthT:
    # The auth instance that authenticated this request, as the framework
    # recorded it: `logout` must blocklist through that very instance.
    auth = request_auth(controller.request, strict=True)
    assert isinstance(auth, auth_cls)
    return auth


class _MeSync(views._MeSync[_S]):
    auth = (BlocklistSyncAuth(),)


class _MeAsync(views._MeAsync[_S]):
    auth = (BlocklistAsyncAuth(),)


class _LogoutSync(Controller[_S]):
    auth = (BlocklistSyncAuth(),)

    @modify(status_code=HTTPStatus.OK)
    def post(self) -> LogoutResponse:
        auth = _request_auth(self, BlocklistSyncAuth)
        row, created = auth.blocklist(request_jwt(self.request, strict=True))
        return {'jti': row.jti, 'created': created}


class _LogoutAsync(Controller[_S]):
    auth = (BlocklistAsyncAuth(),)

    @modify(status_code=HTTPStatus.OK)
    async def post(self) -> LogoutResponse:
        auth = _request_auth(self, BlocklistAsyncAuth)
        row, created = await auth.blocklist(
            request_jwt(self.request, strict=True),
        )
        return {'jti': row.jti, 'created': created}


class _RefreshSync(RefreshTokenBlocklistSyncMixin, views._RefreshSync[_S]): ...


class _RefreshAsync(
    RefreshTokenBlocklistAsyncMixin,
    views._RefreshAsync[_S],
): ...


# The leaves: one line per serializer.


class PydanticMeSync(_MeSync[PydanticSerializer]): ...


class PydanticMeAsync(_MeAsync[PydanticSerializer]): ...


class PydanticLogoutSync(_LogoutSync[PydanticSerializer]): ...


class PydanticLogoutAsync(_LogoutAsync[PydanticSerializer]): ...


class PydanticObtainSync(views._ObtainSync[PydanticSerializer]): ...


class PydanticObtainAsync(views._ObtainAsync[PydanticSerializer]): ...


class PydanticRefreshSync(_RefreshSync[PydanticSerializer]): ...


class PydanticRefreshAsync(_RefreshAsync[PydanticSerializer]): ...


class MsgspecMeSync(_MeSync[MsgspecSerializer]): ...


class MsgspecMeAsync(_MeAsync[MsgspecSerializer]): ...


class MsgspecLogoutSync(_LogoutSync[MsgspecSerializer]): ...


class MsgspecLogoutAsync(_LogoutAsync[MsgspecSerializer]): ...


class MsgspecObtainSync(views._ObtainSync[MsgspecSerializer]): ...


class MsgspecObtainAsync(views._ObtainAsync[MsgspecSerializer]): ...


class MsgspecRefreshSync(_RefreshSync[MsgspecSerializer]): ...


class MsgspecRefreshAsync(_RefreshAsync[MsgspecSerializer]): ...
