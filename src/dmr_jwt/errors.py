"""Why a token was refused: short, translatable, never leaking.

Every refusal is :exc:`dmr.exceptions.NotAuthenticatedError` (a ``401``)
whose message names the rule that failed, from a closed list
(:class:`Reason`). Messages never echo the token, the key or a trace.

The body carries the message in the active language (Django's translation
machinery); the ``WWW-Authenticate`` header carries RFC 6750's
``error="invalid_token"`` with the untranslated text as
``error_description``, because header values must stay ASCII::

    WWW-Authenticate: Bearer error="invalid_token",
                      error_description="Token has expired"

A request without any token gets the framework's plain
``Not authenticated`` and ``WWW-Authenticate: Bearer``
(RFC 6750, section 3.1: no error code when no credentials were sent).
"""

import enum

from django.utils.translation import gettext_lazy
from dmr.exceptions import NotAuthenticatedError

__all__ = ('Reason', 'challenge_header', 'token_error')


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


def token_error(reason: Reason) -> NotAuthenticatedError:
    """Build the ``401`` for *reason*; the auth layer adds the challenge."""
    error = NotAuthenticatedError(gettext_lazy(reason.value))
    error.reason = reason  # type: ignore[attr-defined]
    return error


def challenge_header(scheme: str, error: NotAuthenticatedError) -> str:
    """
    The ``WWW-Authenticate`` value for *error* under auth *scheme*.

    Errors that carry a :class:`Reason` get RFC 6750's ``invalid_token``
    error code; others (no token at all) only name the scheme.
    """
    reason: Reason | None = getattr(error, 'reason', None)
    if reason is None:
        return scheme
    return f'{scheme} error="invalid_token", error_description="{reason.value}"'
