"""`iat` is required: every auth and refresh path refuses a token without it.

A token signed with the right key but without ``iat``, if it were taken
as issued "now", could never be revoked by the log-out-everywhere
watermark (which compares ``iat``). Through real HTTP, both serializers,
sync and async: every auth variant (plain, token cache, stateless,
blocklist, tuned), every refresh controller of the suite and the logout
controller's refresh token answer ``401`` "Token is missing a required
claim", and the same token with an ``iat`` is accepted (the control).
"""

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any, Final

import jwt
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import caches
from django.test import Client

from dmr_jwt._internal.auth_base import BaseJWTAuth
from dmr_jwt.blocklist import revoke_all_tokens
from dmr_jwt.blocklist.models import (
    BlocklistedJWToken,
    RevokedTokenFamily,
    TokenWatermark,
    UsedRefreshToken,
)
from dmr_jwt.errors import Reason
from dmr_jwt.signals import tokens_refreshed, tokens_rotated
from tests.app.perf_urls import perf_path
from tests.app.perf_views import CONTROLLERS
from tests.conftest import PASSWORD, Mode, SerializerName, assert_unauthorized

pytestmark = [
    pytest.mark.urls('tests.app.mixin_urls'),
    pytest.mark.django_db,
]

#: The auth variants of `tests.app.perf_views` this test walks.
_AUTH_VARIANTS: Final = (
    'default',
    'token-cache',
    'stateless',
    'user-cache',
    'blocklist',
    'blocklist-token-cache',
    'blocklist-stateless',
    'tuned',
)

#: Every refresh controller: ``(path template, sub is the username)``.
_REFRESH_PATHS: Final = (
    ('/api/{serializer}/refresh/{mode}/', False),
    ('/api/{serializer}/refresh-by-username/{mode}/', True),
    ('/blocklist/{serializer}/refresh/{mode}/', False),
    ('/rotation/{serializer}/{mode}/', False),
    ('/mixins/{serializer}/jwtoken-mixin/{mode}/', False),
    ('/mixins/{serializer}/both-mixins/{mode}/', False),
    ('/mixins/{serializer}/one-argument/{mode}/', False),
)

_REVOCATION_MODELS: Final = (
    BlocklistedJWToken,
    RevokedTokenFamily,
    TokenWatermark,
    UsedRefreshToken,
)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    caches['default'].clear()
    yield
    caches['default'].clear()


def _token(sub: str, token_type: str, *, with_iat: bool) -> str:
    """A token signed with the right key, with or without ``iat``."""
    now = int(dt.datetime.now(dt.UTC).timestamp())
    claims: dict[str, Any] = {
        'sub': sub,
        'exp': now + 3600,
        'jti': uuid.uuid4().hex,
        'extras': {'type': token_type, 'family': uuid.uuid4().hex},
    }
    if with_iat:
        claims['iat'] = now - 5
    return jwt.encode(claims, settings.SECRET_KEY, algorithm='HS256')


def _get(client: Client, path: str, access: str) -> Any:
    return client.get(path, headers={'Authorization': f'Bearer {access}'})


def _post(client: Client, path: str, body: dict[str, str], **kw: Any) -> Any:
    return client.post(path, data=body, content_type='application/json', **kw)


def _revocation_rows() -> dict[str, int]:
    return {
        model.__name__: model.objects.count() for model in _REVOCATION_MODELS
    }


@pytest.mark.parametrize('variant', _AUTH_VARIANTS)
def test_every_auth_refuses_an_access_token_without_iat(
    client: Client,
    user: User,
    serializer: SerializerName,
    mode: Mode,
    *,
    variant: str,
) -> None:
    path = perf_path(serializer, variant, mode)
    without = _token(str(user.pk), 'access', with_iat=False)

    # Twice: with the token cache on, the second request would be served
    # from it if the first had let the token in.
    for _ in range(2):
        assert_unauthorized(_get(client, path, without), Reason.MISSING_CLAIM)

    control = _get(client, path, _token(str(user.pk), 'access', with_iat=True))
    assert control.status_code == 200, control.content


@pytest.mark.parametrize('variant', ['token-cache', 'blocklist-token-cache'])
def test_the_token_cache_never_holds_a_token_without_iat(
    client: Client,
    user: User,
    serializer: SerializerName,
    mode: Mode,
    *,
    variant: str,
) -> None:
    without = _token(str(user.pk), 'access', with_iat=False)
    path = perf_path(serializer, variant, mode)

    _get(client, path, without)

    controller = CONTROLLERS[variant][serializer][mode == 'async']
    auths = controller.auth
    assert isinstance(auths, tuple)
    auth = auths[0]
    assert isinstance(auth, BaseJWTAuth)
    cache = auth._verifier._current_cache()
    assert cache is not None
    assert cache.get(without) is None


def test_log_out_everywhere_cannot_miss_a_token_without_iat(
    client: Client,
    user: User,
    serializer: SerializerName,
    mode: Mode,
) -> None:
    # The attack: a token without `iat` must not outlive "log out
    # everywhere" (a watermark compares `iat`).
    path = perf_path(serializer, 'blocklist', mode)
    revoke_all_tokens(user)

    response = _get(
        client, path, _token(str(user.pk), 'access', with_iat=False)
    )

    assert_unauthorized(response, Reason.MISSING_CLAIM)


@pytest.mark.parametrize(('template', 'by_username'), _REFRESH_PATHS)
def test_every_refresh_controller_refuses_a_token_without_iat(
    client: Client,
    user: User,
    serializer: SerializerName,
    mode: Mode,
    *,
    template: str,
    by_username: bool,
) -> None:
    path = template.format(serializer=serializer, mode=mode)
    sub = user.username if by_username else str(user.pk)
    sent: list[Any] = []

    def record(**kwargs: Any) -> None:
        sent.append(kwargs)

    tokens_refreshed.connect(record, weak=False)
    tokens_rotated.connect(record, weak=False)
    try:
        response = _post(
            client,
            path,
            {'refresh_token': _token(sub, 'refresh', with_iat=False)},
        )
    finally:
        tokens_refreshed.disconnect(record)
        tokens_rotated.disconnect(record)

    assert_unauthorized(response, Reason.MISSING_CLAIM, scheme=None)
    # Nothing was issued, used up or revoked.
    assert sent == []
    assert set(_revocation_rows().values()) == {0}

    control = _post(
        client,
        path,
        {'refresh_token': _token(sub, 'refresh', with_iat=True)},
    )
    assert control.status_code == 200, control.content


def test_logout_refuses_a_refresh_token_without_iat(
    client: Client,
    user: User,
    serializer: SerializerName,
    mode: Mode,
) -> None:
    obtained = _post(
        client,
        '/blocklist/pydantic/obtain/sync/',
        {'username': user.username, 'password': PASSWORD},
    )
    access = obtained.json()['access_token']

    response = _post(
        client,
        f'/logout/{serializer}/{mode}/',
        {'refresh_token': _token(str(user.pk), 'refresh', with_iat=False)},
        headers={'Authorization': f'Bearer {access}'},
    )

    assert response.status_code == 401, response.content
    assert response.json()['detail'][0]['msg'] == Reason.MISSING_CLAIM.value
    assert set(_revocation_rows().values()) == {0}
    me = _get(client, f'/blocklist/{serializer}/me/{mode}/', access)
    assert me.status_code == 200, me.content
