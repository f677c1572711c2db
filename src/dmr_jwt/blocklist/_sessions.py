"""Sessions: what a replayed refresh token leads to, how long a family lives.

Shared by the blocklist mixins and the logout controllers; does no I/O.
"""

import dataclasses
import datetime as dt
from typing import Any, final

from dmr_jwt._internal.families import refresh_family
from dmr_jwt._internal.routes import (
    controller_token_lifetime,
    routed_token_lifetime,
)
from dmr_jwt.token import JWToken

__all__ = ('Replay', 'family_expiry', 'routed_token_lifetime')


@final
@dataclasses.dataclass(frozen=True, slots=True)
class Replay:
    """A used refresh token presented again, and what it leads to."""

    controller: Any
    token: JWToken
    family: str | None
    used_at: dt.datetime
    revokes_family: bool

    @classmethod
    def of(
        cls, controller: Any, token: JWToken, used_at: dt.datetime
    ) -> 'Replay':
        family = refresh_family(token)
        since_use = dt.datetime.now(dt.UTC) - used_at
        return cls(
            controller=controller,
            token=token,
            family=family,
            used_at=used_at,
            revokes_family=(
                family is not None
                and since_use > controller.jwt_rotation_grace_period
            ),
        )

    def revoke_family_kwargs(self) -> dict[str, Any]:
        assert self.family is not None  # noqa: S101
        return {
            'family': self.family,
            'sub': self.token.sub,
            'expires_at': family_expiry(self.controller, self.token),
            'cause': 'reuse',
            'sender': type(self.controller),
        }

    def signal_kwargs(self) -> dict[str, Any]:
        # The `token_reuse_detected` payload, documented in `dmr_jwt.signals`.
        return {
            'sender': type(self.controller),
            'request': self.controller.request,
            'token': self.token,
            'family': self.family,
            'used_at': self.used_at,
            'family_revoked': self.revokes_family,
        }


def family_expiry(controller: Any, *tokens: JWToken) -> dt.datetime:
    """
    When the last token of a family revoked by *controller* expires.

    A family only grows through refreshes, so once it is revoked no token
    of it outlives the longest lifetime that a token controller gives a
    token: the longest of this controller's and of every token controller
    routed by the URLconf of this request (the controllers that issue
    the family's tokens, :func:`routed_token_lifetime`), and no presented
    token outlives its own ``exp``. Plus a margin for the auth classes'
    leeway.
    """
    lifetime: dt.timedelta = max(
        controller_token_lifetime(type(controller)) or dt.timedelta(0),
        routed_token_lifetime(getattr(controller.request, 'urlconf', None)),
    )
    expires_at = max(
        [dt.datetime.now(dt.UTC) + lifetime, *(token.exp for token in tokens)],
    )
    return expires_at + _FAMILY_EXPIRY_MARGIN


#: Leeway of the auth classes that check the family's access tokens.
_FAMILY_EXPIRY_MARGIN = dt.timedelta(days=1)
