"""What the logout controllers require of their auth, and how they answer.

Shared by :mod:`dmr_jwt.blocklist.views` and :mod:`dmr_jwt.blocklist.cookie`
(body and cookie logout); does no I/O.
"""

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.views.decorators.debug import sensitive_variables
from dmr import Controller, modify
from dmr.security.base import request_auth

from dmr_jwt._internal import boundary as _boundary
from dmr_jwt._internal import controllers as _controllers
from dmr_jwt._internal import families as families_
from dmr_jwt._internal.http_errors import token_error
from dmr_jwt.auth import request_jwt
from dmr_jwt.blocklist import _sessions
from dmr_jwt.blocklist import auth as _mixins
from dmr_jwt.blocklist.store import BlocklistError
from dmr_jwt.errors import Reason
from dmr_jwt.token import JWToken

if TYPE_CHECKING:
    from dmr.endpoint import ModifyAnyCallable

__all__ = (
    'blocklist_auth',
    'families_to_revoke',
    'logout_endpoint_spec',
    'require_blocklist_auth',
    'tokens_to_revoke',
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


@sensitive_variables()
def tokens_to_revoke(
    controller: Any,
    encoded_refresh: str | None,
) -> tuple[JWToken, JWToken | None]:
    """
    The calling access token and the verified refresh token, if any.

    *controller* is a logout controller (``RefreshTokenChecks``): the
    refresh token is verified as its refresh controllers verify it.

    Raises:
        NotAuthenticatedError: When the refresh token is not a valid
            refresh token of the access token's ``sub``.

    """
    access = request_jwt(controller.request, strict=True)
    if encoded_refresh is None:
        return access, None
    refresh: JWToken = controller._decode_refresh_token(encoded_refresh)  # noqa: SLF001
    if refresh.sub != access.sub:
        raise token_error(Reason.INVALID_CLAIMS)
    return access, refresh


def families_to_revoke(
    controller: Any,
    access: JWToken,
    refresh: JWToken | None,
) -> list[dict[str, Any]]:
    """``revoke_family`` arguments for each family of the session."""
    tokens = [token for token in (access, refresh) if token is not None]
    families = dict.fromkeys(
        family
        for family in (
            None if refresh is None else families_.refresh_family(refresh),
            families_.token_family(access),
        )
        if family is not None
    )
    return [
        {
            'family': family,
            'sub': access.sub,
            'expires_at': _sessions.family_expiry(controller, *tokens),
            'cause': 'logout',
            'sender': type(controller),
        }
        for family in families
    ]
