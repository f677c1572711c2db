"""Controllers for the rotation tests: every combination, written once.

Refresh controllers with ``jwt_rotate_refresh_tokens`` on top of the
blocklist refresh controllers of :mod:`tests.app.blocklist_views`; the
leaves only pick the serializer.
"""

import datetime as dt
from typing import Final, TypeVar

from dmr.plugins.msgspec import MsgspecSerializer
from dmr.plugins.pydantic import PydanticSerializer
from dmr.serializer import BaseSerializer

from tests.app import blocklist_views

_S = TypeVar('_S', bound=BaseSerializer)

#: The grace period of the rotating controllers (the default).
GRACE: Final = dt.timedelta(seconds=10)


class _RotatingSync(blocklist_views._RefreshSync[_S]):
    jwt_rotate_refresh_tokens = True


class _RotatingAsync(blocklist_views._RefreshAsync[_S]):
    jwt_rotate_refresh_tokens = True


class PydanticRotatingSync(_RotatingSync[PydanticSerializer]): ...


class PydanticRotatingAsync(_RotatingAsync[PydanticSerializer]): ...


class MsgspecRotatingSync(_RotatingSync[MsgspecSerializer]): ...


class MsgspecRotatingAsync(_RotatingAsync[MsgspecSerializer]): ...
