"""The HTTP boundary of token errors: ``401`` with a reason, or ``500``.

The token DTO raises :mod:`dmr_jwt.errors`; the auth classes and the
controllers run it inside :func:`http_errors`, the one place where those
become the framework's exceptions. ``token_error`` builds the ``401`` of a
:class:`~dmr_jwt.errors.Reason` and ``challenge_header`` its
``WWW-Authenticate`` value.
"""

import contextlib
from collections.abc import Iterator

from django.utils.translation import gettext_lazy
from dmr.exceptions import InternalServerError, NotAuthenticatedError

from dmr_jwt.errors import InvalidTokenError, Reason, TokenEncodeError

__all__ = ('challenge_header', 'http_errors', 'token_error')


def token_error(reason: Reason) -> NotAuthenticatedError:
    """Build the ``401`` for *reason*; the auth layer adds the challenge."""
    error = NotAuthenticatedError(gettext_lazy(reason.value))
    error.reason = reason  # type: ignore[attr-defined]
    return error


@contextlib.contextmanager
def http_errors() -> Iterator[None]:
    """
    Turn :mod:`dmr_jwt.errors` into the framework's exceptions.

    Raises:
        NotAuthenticatedError: For an :exc:`InvalidTokenError`, with its
            reason.
        InternalServerError: For a :exc:`TokenEncodeError`: the server's
            keys or claims cannot work.

    """
    try:
        yield
    except InvalidTokenError as exc:
        raise token_error(exc.reason) from None
    except TokenEncodeError:
        raise InternalServerError('Failed to encode token') from None


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
