"""Hooks of the token controllers, checked when a controller class is made.

A wrong hook fails at start-up, with a message that says what to change,
never at the first request.
"""

import difflib
import inspect
from typing import Any, Final

from django.core.exceptions import ImproperlyConfigured

__all__ = (
    'check_auth_takes_token',
    'refuse_unknown_settings',
    'require_hook_modes',
)


def require_hook_modes(
    cls: type[Any],
    *hooks: str,
    is_async: bool,
) -> None:
    """
    Refuse, when the class is made, hooks of the wrong mode.

    A sync controller awaits nothing: an ``async def`` hook (say, the async
    blocklist mixin on a sync refresh controller) would return a coroutine
    that never runs, and its checks with it. An async controller awaits
    every hook: a sync one fails at the first request.

    Raises:
        ImproperlyConfigured: When a hook is not ``async def`` in an async
            controller, or is in a sync one.

    """
    for hook in hooks:
        method = getattr(cls, hook, None)
        if method is None or inspect.iscoroutinefunction(method) == is_async:
            continue
        wanted = 'async def' if is_async else 'def'
        raise ImproperlyConfigured(
            f'{cls.__qualname__}.{hook} must be `{wanted}` in a '
            f'{"async" if is_async else "sync"} controller: mix in the '
            f'{"Async" if is_async else "Sync"} variant of mixins',
        )


def _takes_token(method: Any) -> bool:
    """Whether *method* (unbound) can be called as ``(self, user, token)``."""
    try:
        inspect.signature(method).bind(None, None, None)
    except TypeError:
        return False
    return True


def check_auth_takes_token(cls: type[Any]) -> bool:
    """
    Whether the refresh controller *cls* calls ``check_auth(user, token)``.

    Yes when every ``check_auth`` of its MRO takes the token (as
    django-modern-rest 0.16's do); a project class that overrides the
    earlier, one-argument ``check_auth(user)`` is called with the user
    alone, so it keeps working, ``super().check_auth(user)`` included.

    Raises:
        ImproperlyConfigured: When a ``check_auth`` that needs the token
            (the blocklist mixins') would not get it.

    """
    overrides = [
        klass.__dict__['check_auth']
        for klass in cls.__mro__
        if 'check_auth' in klass.__dict__
    ]
    if all(_takes_token(method) for method in overrides):
        return True
    if getattr(cls, '_jwt_check_auth_needs_token', False):
        raise ImproperlyConfigured(
            f'{cls.__qualname__}: a `check_auth(self, user)` override hides '
            'the token from the blocklist mixin: override '
            '`check_auth(self, user, token)` and pass both to super()',
        )
    return False


#: The prefix of the controllers' class-attribute settings.
_SETTING_PREFIX: Final = 'jwt_'


def refuse_unknown_settings(cls: type[Any]) -> None:
    """
    Refuse a ``jwt_*`` attribute of *cls* that no class of its MRO declares.

    Settings are declared with an annotation (``jwt_expiration:
    ClassVar[...] = ...``); methods are not settings. A typo, or a setting
    of a mixin that is not among the bases, would otherwise do nothing.

    Raises:
        ImproperlyConfigured: Naming the attribute and the close matches.

    """
    declared = {
        name
        for klass in cls.__mro__
        for name in inspect.get_annotations(klass)
        if name.startswith(_SETTING_PREFIX)
    }
    for name, attribute in vars(cls).items():
        if (
            not name.startswith(_SETTING_PREFIX)
            or name in declared
            or callable(attribute)
            or isinstance(attribute, classmethod | staticmethod | property)
        ):
            continue
        close = difflib.get_close_matches(name, sorted(declared), n=3)
        hint = f' Did you mean {", ".join(close)}?' if close else ''
        raise ImproperlyConfigured(
            f'{cls.__qualname__}.{name} is not a setting of this '
            f'controller.{hint} A setting that a mixin adds needs the '
            'mixin among the bases.',
        )
