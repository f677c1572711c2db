"""What the logout controllers require of their auth, and how they answer.

Shared by :mod:`dmr_jwt.blocklist.views`; does no I/O.
"""

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from dmr import Controller, modify
from dmr.security.base import request_auth

from dmr_jwt._internal import boundary as _boundary
from dmr_jwt._internal import controllers as _controllers
from dmr_jwt._internal.http_errors import token_error
from dmr_jwt.blocklist import auth as _mixins
from dmr_jwt.blocklist.store import BlocklistError
from dmr_jwt.errors import Reason

if TYPE_CHECKING:
    from dmr.endpoint import ModifyAnyCallable

__all__ = (
    'blocklist_auth',
    'logout_endpoint_spec',
    'require_blocklist_auth',
    'unstorable_claims_refused',
)

_MixinT = TypeVar('_MixinT')


def logout_endpoint_spec(controller_cls: type[Any]) -> 'ModifyAnyCallable':
    """Spec of the logout endpoints; their ``401`` comes from ``auth``."""
    return modify(
        status_code=controller_cls.response_status_code,
        extra_responses=[_boundary.service_unavailable_spec(controller_cls)],
    )


def require_blocklist_auth(cls: type[Any], *hooks: str) -> None:
    # The auth instances set on the class need the blocklist mixin of the
    # controller's mode; hooks must be of that mode too.
    mixin: type[Any] | None = getattr(cls, '_jwt_blocklist_mixin', None)
    if mixin is None:
        return
    is_async = mixin is _mixins.JWTokenBlocklistAsyncMixin
    _controllers.require_hook_modes(cls, *hooks, is_async=is_async)
    auths = cls.__dict__.get('auth')
    if isinstance(auths, list | tuple):
        for auth in auths:
            if not isinstance(auth, mixin):
                raise ImproperlyConfigured(
                    f'{cls.__qualname__}.auth: {type(auth).__qualname__} '
                    f'has no {mixin.__name__}, so it cannot log out',
                )


@contextlib.contextmanager
def unstorable_claims_refused() -> Iterator[None]:
    # A `sub` longer than its column (255) cannot be revoked: a 401, not a
    # database error.
    try:
        yield
    except BlocklistError:
        raise token_error(Reason.INVALID_CLAIMS) from None


def blocklist_auth(
    controller: Controller[Any], mixin: type[_MixinT]
) -> _MixinT:
    """The auth instance of this request; it must have the blocklist."""
    auth = request_auth(controller.request, strict=True)
    if not isinstance(auth, mixin):
        raise TypeError(
            f'{type(controller).__qualname__}.auth must use {mixin.__name__}',
        )
    return auth
