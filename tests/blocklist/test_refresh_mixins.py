"""The auth blocklist mixins on refresh controllers: `check_auth(user, token)`.

Through real HTTP, both serializers, sync and async: the controllers of
:mod:`tests.app.mixin_views`. ``JWTokenBlocklistSyncMixin`` /
``JWTokenBlocklistAsyncMixin`` on a refresh controller refuse every revoked
refresh token (blocklisted, before the user's watermark, of a revoked
family) with ``401``, alone and next to the refresh blocklist mixins; a
mixin of the wrong mode is refused when the class is made; a project that
overrides the one-argument ``check_auth(user)`` keeps working.
"""

import datetime as dt
import types
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from dmr.plugins.pydantic import PydanticSerializer
from typing_extensions import override

from dmr_jwt._internal.families import FAMILY_CLAIM
from dmr_jwt.blocklist import (
    JWTokenBlocklistAsyncMixin,
    JWTokenBlocklistSyncMixin,
    revoke_all_tokens,
    revoke_family,
)
from dmr_jwt.blocklist.models import BlocklistedJWToken
from dmr_jwt.errors import Reason
from dmr_jwt.token import JWToken
from tests.app import blocklist_views, mixin_views, views
from tests.app.blocklist_views import BlocklistSyncAuth
from tests.conftest import PASSWORD, Mode, SerializerName, assert_unauthorized

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = [
    pytest.mark.urls('tests.app.mixin_urls'),
    pytest.mark.django_db,
]

Url: TypeAlias = Callable[[str], str]

#: The refresh controllers with ``JWTokenBlocklist*Mixin``.
_WITH_AUTH_MIXIN: Final = ('jwtoken-mixin', 'both-mixins')


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # The blocklist caches its answers in the default cache: none may
    # survive from another test (the same `sub` comes back).
    caches['default'].clear()
    yield
    caches['default'].clear()


@pytest.fixture
def mixin_url(serializer: SerializerName, mode: Mode) -> Url:
    """Build ``/mixins/<serializer>/<name>/<mode>/`` for the axes."""

    def factory(name: str) -> str:
        return f'/mixins/{serializer}/{name}/{mode}/'

    return factory


def _obtain(client: Client, username: str) -> dict[str, str]:
    response = client.post(
        '/blocklist/pydantic/obtain/sync/',
        data={'username': username, 'password': PASSWORD},
        content_type='application/json',
    )
    assert response.status_code == 200, response.content
    pair: dict[str, str] = response.json()
    return pair


def _refresh(client: Client, url: str, refresh: str) -> 'Response':
    return client.post(
        url,
        data={'refresh_token': refresh},
        content_type='application/json',
    )


def _decoded(encoded: str) -> JWToken:
    from django.conf import settings  # noqa: PLC0415

    return JWToken.decode(encoded, settings.SECRET_KEY, 'HS256')


def _blocklist(encoded: str) -> None:
    # Through the documented `blocklist()` of an auth with the mixin.
    BlocklistSyncAuth().blocklist(_decoded(encoded))


def _before_watermark(user: User, encoded: str) -> None:
    revoke_all_tokens(user)


def _revoke_family(user: User, encoded: str) -> None:
    token = _decoded(encoded)
    revoke_family(
        token.extras[FAMILY_CLAIM],
        sub=token.sub,
        expires_at=token.exp + dt.timedelta(days=1),
    )


_Revoke: TypeAlias = Callable[[User, str], None]


@pytest.mark.parametrize('name', [*_WITH_AUTH_MIXIN, 'one-argument'])
def test_a_valid_refresh_token_is_refreshed(
    client: Client,
    user: User,
    mixin_url: Url,
    *,
    name: str,
) -> None:
    # No 500: the framework's `check_auth(user, token)` gets its token.
    pair = _obtain(client, user.username)

    response = _refresh(client, mixin_url(name), pair['refresh_token'])

    assert response.status_code == 200, response.content
    assert set(response.json()) == {'access_token', 'refresh_token'}


@pytest.mark.parametrize('name', _WITH_AUTH_MIXIN)
@pytest.mark.parametrize(
    'revoke',
    [
        pytest.param(lambda user, encoded: _blocklist(encoded), id='blocked'),
        pytest.param(_before_watermark, id='watermark'),
        pytest.param(_revoke_family, id='family'),
    ],
)
def test_a_revoked_refresh_token_is_refused(
    client: Client,
    user: User,
    mixin_url: Url,
    *,
    name: str,
    revoke: _Revoke,
) -> None:
    pair = _obtain(client, user.username)
    revoke(user, pair['refresh_token'])

    response = _refresh(client, mixin_url(name), pair['refresh_token'])

    assert_unauthorized(response, Reason.REVOKED, scheme=None)


def test_the_auth_mixin_alone_does_the_check(
    client: Client,
    user: User,
    mixin_url: Url,
) -> None:
    # The control: the same controller without the mixin refreshes a
    # blocklisted token, so the 401 above is the mixin's.
    pair = _obtain(client, user.username)
    _blocklist(pair['refresh_token'])

    plain = _refresh(
        client,
        mixin_url('one-argument'),
        pair['refresh_token'],
    )

    assert plain.status_code == 200, plain.content


def test_the_one_argument_override_still_runs(
    client: Client,
    db: Any,
    mixin_url: Url,
) -> None:
    User.objects.create_user(mixin_views.REFUSED_BY_OVERRIDE, password=PASSWORD)
    pair = _obtain(client, mixin_views.REFUSED_BY_OVERRIDE)

    response = _refresh(
        client, mixin_url('one-argument'), pair['refresh_token']
    )

    assert_unauthorized(response, Reason.USER_INACTIVE, scheme=None)


def test_an_inactive_user_is_refused_by_the_auth_mixin(
    client: Client,
    user: User,
    mixin_url: Url,
) -> None:
    # The mixin calls the controller's own `check_auth` too.
    pair = _obtain(client, user.username)
    User.objects.filter(pk=user.pk).update(is_active=False)

    response = _refresh(
        client,
        mixin_url('jwtoken-mixin'),
        pair['refresh_token'],
    )

    assert_unauthorized(response, Reason.USER_INACTIVE, scheme=None)


@pytest.mark.parametrize(
    ('mixin', 'controller'),
    [
        pytest.param(
            JWTokenBlocklistAsyncMixin,
            views._RefreshSync,
            id='async-mixin-on-sync',
        ),
        pytest.param(
            JWTokenBlocklistSyncMixin,
            views._RefreshAsync,
            id='sync-mixin-on-async',
        ),
        pytest.param(
            JWTokenBlocklistAsyncMixin,
            blocklist_views._RefreshSync,
            id='async-mixin-on-sync-blocklist-refresh',
        ),
        pytest.param(
            JWTokenBlocklistSyncMixin,
            blocklist_views._RefreshAsync,
            id='sync-mixin-on-async-blocklist-refresh',
        ),
    ],
)
def test_a_mixin_of_the_wrong_mode_is_refused_when_the_class_is_made(
    mixin: type[Any],
    controller: type[Any],
) -> None:
    with pytest.raises(ImproperlyConfigured, match='check_auth'):
        types.new_class('Wrong', (mixin, controller[PydanticSerializer]))


def test_a_one_argument_override_above_the_mixin_is_refused() -> None:
    # It would drop the token that the mixin checks: refused at start-up,
    # not a 500 (or an unchecked token) at the first refresh.
    with pytest.raises(ImproperlyConfigured, match='hides the token'):

        class Hiding(mixin_views._JWTokenMixinSync[PydanticSerializer]):
            @override
            def check_auth(self, user: Any) -> None:  # type: ignore[override]
                super().check_auth(user)


def test_a_two_argument_override_gets_the_token(
    client: Client,
    user: User,
) -> None:
    seen: list[JWToken | None] = []

    class Recording(views._RefreshSync[PydanticSerializer]):
        @override
        def check_auth(self, user: Any, token: JWToken | None = None) -> None:
            super().check_auth(user, token)
            seen.append(token)

    pair = _obtain(client, user.username)
    controller = Recording()
    assert controller._jwt_check_auth_takes_token

    token = _decoded(pair['refresh_token'])
    controller.check_auth(*controller._check_auth_args(user, token))

    assert seen == [token]


def test_the_mixin_refuses_a_call_without_the_token() -> None:
    controller = mixin_views.PydanticJWTokenMixinSync()

    with pytest.raises(TypeError, match='needs the token'):
        controller.check_auth(object())


def test_blocklist_on_a_refresh_controller_has_no_grace(
    client: Client,
    user: User,
) -> None:
    # A refresh controller verifies refresh tokens with no leeway and
    # always checks `exp`: the row lives exactly as long as the token.
    pair = _obtain(client, user.username)
    token = _decoded(pair['refresh_token'])

    row, created = mixin_views.PydanticJWTokenMixinSync().blocklist(token)

    assert created
    assert row.expires_at == token.exp
    assert BlocklistedJWToken.objects.get().jti == token.jti


def test_blocklist_on_an_auth_keeps_its_leeway(
    client: Client,
    user: User,
) -> None:
    pair = _obtain(client, user.username)
    token = _decoded(pair['access_token'])

    row, _ = BlocklistSyncAuth(leeway=30).blocklist(token)

    assert row.expires_at == token.exp + dt.timedelta(seconds=30)
