"""Controllers for the performance tests: one ``me`` endpoint, many modes.

Every variant is the same generic controller; only its auth differs
(token cache, user cache, stateless, blocklist, the tuned profile...).
:func:`perf_controllers` builds the leaves of one auth configuration:
one per serializer and per sync/async, so no controller body is copied.

Unlike ``tests.app.auth_views.whoami_controllers``, the endpoint does not
insist on a user model: in stateless mode ``request.user`` is a
:class:`dmr_jwt._internal.users.TokenUser`.
"""

from typing import Any, Final, TypeAlias, TypeVar

from django.conf import settings
from dmr import Controller
from dmr.plugins.msgspec import MsgspecSerializer
from dmr.plugins.pydantic import PydanticSerializer
from dmr.serializer import BaseSerializer
from typing_extensions import TypedDict

from dmr_jwt import JWTAsyncAuth, JWTSyncAuth, request_jwt
from tests.app.blocklist_views import BlocklistAsyncAuth, BlocklistSyncAuth

_S = TypeVar('_S', bound=BaseSerializer)

#: Clock skew allowed by the ``token-cache-leeway`` variant, in seconds.
LEEWAY: Final = 30

#: Audiences of the two ``token-cache-audience-*`` variants.
AUDIENCE_A: Final = 'audience-a'
AUDIENCE_B: Final = 'audience-b'

#: The key of the ``token-cache-other-secret`` variant (64 bytes: HS256).
OTHER_SECRET: Final = 'perf-tests-other-secret-' + 'y' * 40

#: Seconds that the user cache variants remember a user.
USER_CACHE_TIMEOUT: Final = 60

#: The documented "tuned" profile (with the blocklist auth classes).
TUNED: Final[dict[str, Any]] = {
    'token_cache_size': 4096,
    'user_cache_timeout': USER_CACHE_TIMEOUT,
}

_TOKEN_CACHE: Final[dict[str, Any]] = {'token_cache_size': 64}


class PerfMe(TypedDict):
    """What the endpoint says about the authenticated request."""

    pk: str
    username: str
    user_cls: str
    is_authenticated: bool
    is_anonymous: bool
    jti: str


def _me(controller: Controller[Any]) -> PerfMe:
    user = controller.request.user
    token = request_jwt(controller.request, strict=True)
    return {
        'pk': str(user.pk),
        'username': user.get_username(),
        'user_cls': type(user).__qualname__,
        'is_authenticated': user.is_authenticated,
        'is_anonymous': user.is_anonymous,
        'jti': token.jti or '',
    }


class _MeSync(Controller[_S]):
    def get(self) -> PerfMe:
        return _me(self)


class _MeAsync(Controller[_S]):
    async def get(self) -> PerfMe:
        return _me(self)


_Pair: TypeAlias = tuple[type[Controller[Any]], type[Controller[Any]]]


def perf_controllers(
    name: str,
    sync_auth: JWTSyncAuth,
    async_auth: JWTAsyncAuth,
) -> dict[str, _Pair]:
    """Build ``serializer -> (sync, async)`` controllers for one auth."""

    class PydanticSync(_MeSync[PydanticSerializer]):
        __qualname__ = f'Perf{name}PydanticSync'
        auth = (sync_auth,)

    class PydanticAsync(_MeAsync[PydanticSerializer]):
        __qualname__ = f'Perf{name}PydanticAsync'
        auth = (async_auth,)

    class MsgspecSync(_MeSync[MsgspecSerializer]):
        __qualname__ = f'Perf{name}MsgspecSync'
        auth = (sync_auth,)

    class MsgspecAsync(_MeAsync[MsgspecSerializer]):
        __qualname__ = f'Perf{name}MsgspecAsync'
        auth = (async_auth,)

    return {
        'pydantic': (PydanticSync, PydanticAsync),
        'msgspec': (MsgspecSync, MsgspecAsync),
    }


_Variant: TypeAlias = tuple[
    type[JWTSyncAuth],
    type[JWTAsyncAuth],
    dict[str, Any],
]

#: ``name -> (sync auth class, async auth class, constructor keywords)``.
PERF_VARIANTS: Final[dict[str, _Variant]] = {
    'default': (JWTSyncAuth, JWTAsyncAuth, {}),
    'token-cache': (JWTSyncAuth, JWTAsyncAuth, _TOKEN_CACHE),
    'token-cache-leeway': (
        JWTSyncAuth,
        JWTAsyncAuth,
        {**_TOKEN_CACHE, 'leeway': LEEWAY},
    ),
    'token-cache-audience-a': (
        JWTSyncAuth,
        JWTAsyncAuth,
        {**_TOKEN_CACHE, 'accepted_audiences': AUDIENCE_A},
    ),
    'token-cache-audience-b': (
        JWTSyncAuth,
        JWTAsyncAuth,
        {**_TOKEN_CACHE, 'accepted_audiences': AUDIENCE_B},
    ),
    'token-cache-other-secret': (
        JWTSyncAuth,
        JWTAsyncAuth,
        {**_TOKEN_CACHE, 'secret': OTHER_SECRET},
    ),
    'user-cache': (
        JWTSyncAuth,
        JWTAsyncAuth,
        {'user_cache_timeout': USER_CACHE_TIMEOUT},
    ),
    'user-cache-username': (
        JWTSyncAuth,
        JWTAsyncAuth,
        {'user_cache_timeout': USER_CACHE_TIMEOUT, 'user_id_field': 'username'},
    ),
    'stateless': (JWTSyncAuth, JWTAsyncAuth, {'stateless': True}),
    'blocklist': (BlocklistSyncAuth, BlocklistAsyncAuth, {}),
    'blocklist-token-cache': (
        BlocklistSyncAuth,
        BlocklistAsyncAuth,
        _TOKEN_CACHE,
    ),
    'blocklist-stateless': (
        BlocklistSyncAuth,
        BlocklistAsyncAuth,
        {'stateless': True},
    ),
    'tuned': (BlocklistSyncAuth, BlocklistAsyncAuth, TUNED),
}

# Only with a configured Redis: every user save forgets the user in each
# cache alias in use, and an alias that does not exist cannot be asked.
if 'redis' in settings.CACHES:  # pragma: no branch
    PERF_VARIANTS['user-cache-redis'] = (
        JWTSyncAuth,
        JWTAsyncAuth,
        {'user_cache_timeout': USER_CACHE_TIMEOUT, 'user_cache_alias': 'redis'},
    )


def _camel(name: str) -> str:
    return ''.join(part.title() for part in name.split('-'))


#: ``variant -> serializer -> (sync controller, async controller)``.
CONTROLLERS: Final[dict[str, dict[str, _Pair]]] = {
    name: perf_controllers(
        _camel(name),
        sync_cls(**kwargs),
        async_cls(**kwargs),
    )
    for name, (sync_cls, async_cls, kwargs) in PERF_VARIANTS.items()
}
