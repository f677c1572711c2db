"""
The one controller of the resource server.

``GET /api/me/``: who the bearer token belongs to. The token is verified
with the issuer's published keys (``DMR_JWT['JWKS_URL']``), picked by its
``kid``: ``401`` for a ``kid`` that the issuer does not publish, ``503``
while the key set could never be fetched.
"""

from typing import cast

from dmr import Controller
from dmr.plugins.pydantic import PydanticSerializer
from typing_extensions import TypedDict

from dmr_jwt import JWTSyncAuth, TokenUser


class MeResponse(TypedDict):
    """Who the token belongs to, from its claims alone."""

    subject: str
    username: str


class Me(Controller[PydanticSerializer]):
    """Who am I: from the token, no database."""

    # No key and no secret: `DMR_JWT['JWKS_URL']` gives the keys.
    auth = (JWTSyncAuth(stateless=True),)

    def get(self) -> MeResponse:
        """The subject and the username of the verified token."""
        # What the stateless auth makes `request.user`.
        user = cast(TokenUser, self.request.user)
        return {'subject': user.pk, 'username': user.get_username()}
