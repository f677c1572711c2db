"""The errors of dmr-jwt, and why a token was refused.

Nothing outside the HTTP boundary raises an HTTP error: minting or reading
a token in a management command or a Celery task raises these, and only
the auth classes and controllers turn them into responses, in one place::

    JWTError                  every error that dmr-jwt raises itself
     +-- InvalidTokenError    a token that must not be trusted; ``.reason``
     |                        says which rule failed -> 401 at the boundary
     +-- TokenEncodeError     a token could not be signed (the key or the
     |                        claims: configuration or a bug) -> 500
     +-- KeysUnavailableError no key set could be had (a remote JWKS that
                              never answered) -> 503 at the boundary

Configuration that cannot work is Django's ``ImproperlyConfigured``, at
start-up (construction or a system check), never per request.

Every refusal at the HTTP boundary is
:exc:`dmr.exceptions.NotAuthenticatedError` (a ``401``) whose message
names the rule that failed, from a closed list (:class:`Reason`). Messages
never echo the token, the key or a trace.

The body carries the message in the active language (Django's translation
machinery); the ``WWW-Authenticate`` header carries RFC 6750's
``error="invalid_token"`` with the untranslated text as
``error_description``, because header values must stay ASCII::

    WWW-Authenticate: Bearer error="invalid_token",
                      error_description="Token has expired"

A request without any token gets the framework's plain
``Not authenticated`` and ``WWW-Authenticate: Bearer``
(RFC 6750, section 3.1: no error code when no credentials were sent).

.. versionadded:: 0.1.0
"""

import enum
from typing import final

__all__ = (
    'InvalidTokenError',
    'JWTError',
    'KeysUnavailableError',
    'Reason',
    'TokenEncodeError',
)


def gettext_noop(message: str) -> str:
    """
    Mark *message* for translation, without translating it now.

    Django's own ``gettext_noop`` reads settings, and this module must
    import before Django is configured. ``makemessages`` finds the
    messages by this name all the same.
    """
    return message


@enum.unique
class Reason(enum.Enum):
    """The rules a token can fail; the value is the English message."""

    MALFORMED = gettext_noop('Malformed token')
    INVALID_SIGNATURE = gettext_noop('Invalid token signature')
    ALGORITHM_NOT_ALLOWED = gettext_noop('Token algorithm is not allowed')
    UNKNOWN_KEY = gettext_noop('Token signing key is not known')
    EXPIRED = gettext_noop('Token has expired')
    NOT_YET_VALID = gettext_noop('Token is not valid yet')
    INVALID_AUDIENCE = gettext_noop('Token audience is not accepted')
    INVALID_ISSUER = gettext_noop('Token issuer is not accepted')
    MISSING_CLAIM = gettext_noop('Token is missing a required claim')
    INVALID_CLAIMS = gettext_noop('Token claims are invalid')
    WRONG_TYPE = gettext_noop('Wrong token type')
    REVOKED = gettext_noop('Token has been revoked')
    REUSED = gettext_noop('Refresh token has already been used')
    USER_INACTIVE = gettext_noop('User is inactive or does not exist')


# Only the messages above need it: not part of this module. (Defined under
# this very name because `makemessages` finds the messages by it.)
del gettext_noop


class JWTError(Exception):
    """The base of every error that dmr-jwt raises itself."""


@final
class InvalidTokenError(JWTError):
    """
    A token that must not be trusted: malformed, forged, expired...

    Attributes:
        reason: The rule that the token failed.

    """

    def __init__(self, reason: Reason) -> None:
        """Refuse a token for *reason*; the message is its English text."""
        super().__init__(reason.value)
        self.reason = reason


@final
class TokenEncodeError(JWTError):
    """A token could not be signed: a key or claims that cannot work."""


@final
class KeysUnavailableError(JWTError):
    """
    No verification keys could be had: a remote key set never fetched.

    The HTTP boundary answers it with ``503`` and ``Retry-After`` (a
    service fault, not the client's), never ``401`` and never ``500``.
    """
