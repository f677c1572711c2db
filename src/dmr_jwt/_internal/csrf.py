"""Django's CSRF check, run by our cookie auth and cookie controllers.

Controllers of django-modern-rest are ``csrf_exempt``: Django's
:class:`~django.middleware.csrf.CsrfViewMiddleware` lets them through.
A request that a browser authenticates with a cookie on its own needs
the check all the same, so the cookie auth and the cookie controllers
run the middleware's own check here (the way Django REST framework's
``SessionAuthentication`` does), and answer a failure with the
framework's ``403`` body (:func:`dmr.security.csrf.csrf_message`).
"""

from http import HTTPStatus
from typing import TYPE_CHECKING, Any, final

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from dmr.response import APIError
from dmr.security.csrf import csrf_message

if TYPE_CHECKING:
    from dmr.controller import Controller

__all__ = ('csrf_failure', 'ensure_csrf')


@final
class _CsrfCheck(CsrfViewMiddleware):
    """The middleware's check, returning the reason of a failure."""

    # Not in django-stubs (private), and stable since Django 1.x: Django
    # REST framework's `CSRFCheck` overrides it the same way.
    def _reject(self, request: HttpRequest, reason: str) -> Any:
        # The middleware renders `CSRF_FAILURE_VIEW`; we want the reason.
        return reason


def _no_response(request: HttpRequest) -> HttpResponse:  # pragma: no cover
    # The middleware needs a `get_response`; the check never calls it.
    raise NotImplementedError


def csrf_failure(request: HttpRequest) -> str | None:
    """
    Run Django's CSRF check on *request*: the reason it fails, or ``None``.

    Safe methods pass; a request that the middleware already accepted
    passes without a second check (``csrf_processing_done``).
    """
    check = _CsrfCheck(_no_response)
    # `process_request` reads the CSRF cookie (or session) into `META`.
    check.process_request(request)
    # `_reject` returns the reason, where the stubs know a response.
    reason: str | None = check.process_view(  # type: ignore[assignment]
        request,
        None,  # type: ignore[arg-type]
        (),
        {},
    )
    return reason


def ensure_csrf(controller: 'Controller[Any]') -> None:
    """
    Refuse *controller*'s request with ``403`` when its CSRF check fails.

    The body is the framework's error body with its message: the reason
    only with ``DEBUG``, as django-modern-rest 0.16 answers.

    Raises:
        APIError: ``403`` when the check fails.

    """
    reason = csrf_failure(controller.request)
    if reason is not None:
        raise APIError(
            controller.format_error(csrf_message(reason)),
            status_code=HTTPStatus.FORBIDDEN,
        )
