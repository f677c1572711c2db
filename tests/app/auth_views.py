"""Controllers for the auth tests: one ``whoami`` endpoint, many auth setups.

Every variant is the same generic controller; only its auth differs.
:func:`whoami_controllers` builds the sync and the async twin from a
table of auth configurations, so no controller body is ever copied.
"""

from collections.abc import Sequence
from typing import Any, ClassVar, Self, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from dmr import Controller
from dmr.exceptions import NotAuthenticatedError
from dmr.plugins.pydantic import PydanticSerializer
from dmr.serializer import BaseSerializer
from typing_extensions import TypedDict, override

from dmr_jwt import JWTAsyncAuth, JWToken, JWTSyncAuth, request_jwt

_S = TypeVar('_S', bound=BaseSerializer)


class WhoAmI(TypedDict):
    """What the ``whoami`` endpoints return about the authed request."""

    pk: str
    username: str
    model: str
    jti: str
    token_cls: str


class ScopedToken(JWToken):
    """A token class that overrides the documented ``decode``."""

    __slots__ = ()

    #: Only tokens with this ``extras.scope`` pass the custom ``decode``.
    required_scope: ClassVar[str] = 'api'

    @override
    @classmethod
    def decode(
        cls,
        encoded_token: str,
        secret: str,
        algorithm: str,
        **kwargs: Any,
    ) -> Self:
        token = super().decode(encoded_token, secret, algorithm, **kwargs)
        if token.extras.get('scope') != cls.required_scope:
            raise NotAuthenticatedError
        return token


class PlainSubclassToken(JWToken):
    """A token class that does not override ``decode``."""

    __slots__ = ()


class _EmailClaim:
    """Reads the user id from ``extras['email']``, as the docs suggest."""

    __slots__ = ()

    def claim_from_token(self, token: JWToken) -> str:
        return token.extras['email']  # type: ignore[no-any-return]


class EmailClaimSyncAuth(_EmailClaim, JWTSyncAuth):
    """Sync auth that finds users by the ``email`` extra claim."""

    __slots__ = ()


class EmailClaimAsyncAuth(_EmailClaim, JWTAsyncAuth):
    """Async auth that finds users by the ``email`` extra claim."""

    __slots__ = ()


def _whoami(controller: Controller[Any]) -> WhoAmI:
    user = controller.request.user
    assert isinstance(user, AbstractBaseUser)
    token = request_jwt(controller.request, strict=True)
    return {
        'pk': str(user.pk),
        'username': user.get_username(),
        'model': user._meta.label,
        'jti': token.jti or '',
        'token_cls': type(token).__qualname__,
    }


class _WhoAmISync(Controller[_S]):
    def get(self) -> WhoAmI:
        return _whoami(self)


class _WhoAmIAsync(Controller[_S]):
    async def get(self) -> WhoAmI:
        return _whoami(self)


def whoami_controllers(
    name: str,
    sync_auth: JWTSyncAuth,
    async_auth: JWTAsyncAuth,
) -> tuple[type[Controller[PydanticSerializer]], ...]:
    """Build the sync and the async ``whoami`` controller for one auth."""

    class WhoAmISync(_WhoAmISync[PydanticSerializer]):
        __qualname__ = f'WhoAmI{name}Sync'
        auth = (sync_auth,)

    class WhoAmIAsync(_WhoAmIAsync[PydanticSerializer]):
        __qualname__ = f'WhoAmI{name}Async'
        auth = (async_auth,)

    return WhoAmISync, WhoAmIAsync


#: ``name -> (sync auth class, async auth class, constructor keywords)``.
AUTH_VARIANTS: dict[
    str,
    tuple[type[JWTSyncAuth], type[JWTAsyncAuth], dict[str, Any]],
] = {
    'default': (JWTSyncAuth, JWTAsyncAuth, {}),
    'username': (JWTSyncAuth, JWTAsyncAuth, {'user_id_field': 'username'}),
    'email-claim': (
        EmailClaimSyncAuth,
        EmailClaimAsyncAuth,
        {'user_id_field': 'email'},
    ),
    'scoped-token': (JWTSyncAuth, JWTAsyncAuth, {'token_cls': ScopedToken}),
    'plain-subclass-token': (
        JWTSyncAuth,
        JWTAsyncAuth,
        {'token_cls': PlainSubclassToken},
    ),
    'x-token': (
        JWTSyncAuth,
        JWTAsyncAuth,
        {'auth_header': 'X-Token', 'security_scheme_name': 'x_token'},
    ),
    'x-token-bare': (
        JWTSyncAuth,
        JWTAsyncAuth,
        {
            'auth_header': 'X-Token',
            'auth_scheme': '',
            'security_scheme_name': 'x_token_bare',
        },
    ),
    'token-scheme': (
        JWTSyncAuth,
        JWTAsyncAuth,
        {'auth_scheme': 'Token', 'security_scheme_name': 'token_scheme'},
    ),
}


def _camel(name: str) -> str:
    return ''.join(part.title() for part in name.split('-'))


#: ``name -> (sync controller, async controller)`` for every variant.
CONTROLLERS: dict[str, Sequence[type[Controller[PydanticSerializer]]]] = {
    name: whoami_controllers(
        _camel(name),
        sync_cls(**kwargs),
        async_cls(**kwargs),
    )
    for name, (sync_cls, async_cls, kwargs) in AUTH_VARIANTS.items()
}
