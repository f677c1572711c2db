"""Error reports: passwords, raw tokens and keys never show in them.

Every function of this package that holds a password, a raw token or a
key is decorated with Django's ``sensitive_variables`` (``()``, all of its
variables, where the values reach callees under other names, like PyJWT's
``key`` and ``jwt``). Django honours that in two ways, both limited:

- for a sync function the wrapper also hides the frames it calls, but only
  the names it lists, and the nearest wrapper wins;
- for an ``async def`` only the decorated coroutine's own frame is hidden,
  found by its file and first line, so the decorator must see the
  coroutine function itself (no other wrapper in between), and sync or
  async functions that it calls need their own decorator.

And Django's :class:`~django.views.debug.SafeExceptionReporterFilter`
hides nothing at all with ``DEBUG = True``: the debug page showed the
obtain password and the refresh token. So the requests that pass through
secrets get a filter that is always active (:func:`hide_secrets`): the
token controllers mark every request, the auth classes every request that
an unexpected exception leaves. Only frames and ``POST`` parameters
marked as sensitive are hidden; everything else of the report stays.

.. versionadded:: 0.1.0
"""

from typing import Any, Final

from django.http import HttpRequest
from django.views.debug import get_default_exception_reporter_filter

__all__ = ('hide_secret_frames', 'hide_secrets')

#: What ``sensitive_post_parameters()`` stores: every parameter.
_ALL: Final = '__ALL__'


def hide_secrets(request: HttpRequest) -> None:
    """
    Keep the secrets of *request* out of its error reports.

    Hides every ``POST`` parameter (``sensitive_post_parameters()``) and the
    frames marked with ``sensitive_variables`` (:func:`hide_secret_frames`),
    with ``DEBUG = True`` too.
    """
    # What `sensitive_post_parameters()` does, without its view wrapper:
    # that wrapper's frame would hold the parsed body in the traceback.
    request.sensitive_post_parameters = _ALL  # type: ignore[attr-defined]
    hide_secret_frames(request)


def hide_secret_frames(request: HttpRequest) -> None:
    """
    Report *request* through a filter that is active with ``DEBUG = True``.

    The filter is the project's ``DEFAULT_EXCEPTION_REPORTER_FILTER``,
    always active. A filter that the project set on the request stays.
    """
    if getattr(request, 'exception_reporter_filter', None) is not None:
        return
    filter_cls: type[Any] = type(get_default_exception_reporter_filter())
    active = _ACTIVE.get(filter_cls)
    if active is None:
        active = _ACTIVE.setdefault(filter_cls, _always_active(filter_cls))
    reporter_filter = active()
    request.exception_reporter_filter = reporter_filter  # type: ignore[attr-defined]


#: The always-active subclass of each filter class, made once.
_ACTIVE: Final[dict[type[Any], type[Any]]] = {}


def _always_active(filter_cls: type[Any]) -> type[Any]:
    """*filter_cls*, active whatever ``DEBUG`` says."""

    def is_active(self: object, request: HttpRequest | None) -> bool:
        return True

    return type(
        f'AlwaysActive{filter_cls.__name__}',
        (filter_cls,),
        {'is_active': is_active, '__module__': __name__},
    )
