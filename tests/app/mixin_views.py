"""Refresh controllers with the auth blocklist mixins, written once.

``JWTokenBlocklistSyncMixin`` / ``JWTokenBlocklistAsyncMixin`` (checked in
``check_auth(user, token)``, after the user lookup, as in
django-modern-rest 0.16) on the generic refresh controllers of
:mod:`tests.app.views`, alone and together with the refresh blocklist
mixins; plus a project controller that still overrides the one-argument
``check_auth(user)``. The leaves only pick the serializer.
"""

from typing import Any, Final, TypeVar

from dmr.plugins.msgspec import MsgspecSerializer
from dmr.plugins.pydantic import PydanticSerializer
from dmr.serializer import BaseSerializer
from typing_extensions import override

from dmr_jwt._internal.http_errors import token_error
from dmr_jwt.blocklist import (
    JWTokenBlocklistAsyncMixin,
    JWTokenBlocklistSyncMixin,
)
from dmr_jwt.errors import Reason
from tests.app import blocklist_views, views

_S = TypeVar('_S', bound=BaseSerializer)

#: The user that the one-argument ``check_auth`` override refuses.
REFUSED_BY_OVERRIDE: Final = 'refused-by-override'


class _JWTokenMixinSync(JWTokenBlocklistSyncMixin, views._RefreshSync[_S]): ...


class _JWTokenMixinAsync(
    JWTokenBlocklistAsyncMixin,
    views._RefreshAsync[_S],
): ...


class _BothMixinsSync(
    JWTokenBlocklistSyncMixin,
    blocklist_views._RefreshSync[_S],
): ...


class _BothMixinsAsync(
    JWTokenBlocklistAsyncMixin,
    blocklist_views._RefreshAsync[_S],
): ...


def _refuse(user: Any) -> None:
    if user.get_username() == REFUSED_BY_OVERRIDE:
        raise token_error(Reason.USER_INACTIVE)


class _OneArgumentCheckSync(views._RefreshSync[_S]):
    # The documented override of earlier releases: no token.
    @override
    def check_auth(self, user: Any) -> None:  # type: ignore[override]
        super().check_auth(user)
        _refuse(user)


class _OneArgumentCheckAsync(views._RefreshAsync[_S]):
    @override
    async def check_auth(self, user: Any) -> None:  # type: ignore[override]
        await super().check_auth(user)
        _refuse(user)


class PydanticJWTokenMixinSync(_JWTokenMixinSync[PydanticSerializer]): ...


class PydanticJWTokenMixinAsync(_JWTokenMixinAsync[PydanticSerializer]): ...


class PydanticBothMixinsSync(_BothMixinsSync[PydanticSerializer]): ...


class PydanticBothMixinsAsync(_BothMixinsAsync[PydanticSerializer]): ...


class PydanticOneArgumentSync(_OneArgumentCheckSync[PydanticSerializer]): ...


class PydanticOneArgumentAsync(_OneArgumentCheckAsync[PydanticSerializer]): ...


class MsgspecJWTokenMixinSync(_JWTokenMixinSync[MsgspecSerializer]): ...


class MsgspecJWTokenMixinAsync(_JWTokenMixinAsync[MsgspecSerializer]): ...


class MsgspecBothMixinsSync(_BothMixinsSync[MsgspecSerializer]): ...


class MsgspecBothMixinsAsync(_BothMixinsAsync[MsgspecSerializer]): ...


class MsgspecOneArgumentSync(_OneArgumentCheckSync[MsgspecSerializer]): ...


class MsgspecOneArgumentAsync(_OneArgumentCheckAsync[MsgspecSerializer]): ...
