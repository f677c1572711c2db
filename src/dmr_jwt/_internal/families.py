"""Token families: every token of one login shares a family id.

The token controllers put the family in ``extras``::

    {"sub": "42", ..., "extras": {"type": "refresh", "family": "<uuid4 hex>"}}

A login (an obtain controller) starts a family; a refresh keeps the family
of the presented refresh token, so every access and refresh token that
descends from one login carries the same id. The family of the tokens
that a request issues is kept on the request (``request_family``), like
``request.user``. The blocklist app revokes a family at once (logout, or a
replayed refresh token). This module does no I/O.
"""

import uuid
from typing import Final, TypeGuard

from django.http import HttpRequest

from dmr_jwt._internal.claims import is_unicode
from dmr_jwt.token import JWToken

__all__ = (
    'FAMILY_CLAIM',
    'FAMILY_MAX_LENGTH',
    'is_usable_family',
    'new_family',
    'refresh_family',
    'request_family',
    'set_request_family',
    'token_family',
)

#: The key of the family id in a token's ``extras``.
FAMILY_CLAIM: Final = 'family'

#: Longest family id that is honoured (and stored when revoked).
FAMILY_MAX_LENGTH: Final = 64


def new_family() -> str:
    """A new, random family id: a UUID4 in hex."""
    return uuid.uuid4().hex


def token_family(token: JWToken) -> str | None:
    """
    The family id of *token*, or ``None`` when it has no usable one.

    See :func:`is_usable_family`. Tokens from other issuers may carry
    anything under ``extras``.
    """
    family = token.extras.get(FAMILY_CLAIM)
    return family if is_usable_family(family) else None


def refresh_family(token: JWToken) -> str | None:
    """
    The family that refreshing *token* issues into.

    Its own family; for a refresh token without one (issued before
    families existed, or by another issuer), a family named after its
    ``jti``, so that a replay of it can still revoke what it issued.
    ``None`` when neither is usable.
    """
    family = token_family(token)
    if family is None and is_usable_family(token.jti):
        return token.jti
    return family


def is_usable_family(family: object) -> TypeGuard[str]:
    """
    Whether *family* can be a family id.

    A non-empty string of at most :data:`FAMILY_MAX_LENGTH` characters
    that a database can store (no NUL, no lone surrogate).
    """
    return (
        isinstance(family, str)
        and 0 < len(family) <= FAMILY_MAX_LENGTH
        and '\x00' not in family
        and is_unicode(family)
    )


#: The request attribute that holds the family of the request's tokens.
_REQUEST_FAMILY_ATTR: Final = '_dmr_jwt_family'


def request_family(request: HttpRequest) -> str | None:
    """The family that *request* issues its tokens into, once decided."""
    family: str | None = getattr(request, _REQUEST_FAMILY_ATTR, None)
    return family


def set_request_family(request: HttpRequest, family: str) -> None:
    """Issue the tokens of *request* into *family* (like ``request.user``)."""
    setattr(request, _REQUEST_FAMILY_ATTR, family)
