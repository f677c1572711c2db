"""Regressions found by the code review, named after what they guard."""

import datetime as dt
import json
from collections.abc import Callable

import jwt
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dmr_jwt import JWTSyncAuth
from dmr_jwt._internal.prepared_lookup import PREPARED_LOOKUPS
from dmr_jwt._internal.users import SubjectLookup, TokenUser
from dmr_jwt.errors import Reason
from dmr_jwt.token import JWToken
from tests.conftest import PASSWORD, assert_unauthorized


def _signed(claims: dict[str, object]) -> str:
    return jwt.encode(claims, settings.SECRET_KEY, algorithm='HS256')


def _claims(**overrides: object) -> dict[str, object]:
    now = int(dt.datetime.now(dt.UTC).timestamp())
    claims: dict[str, object] = {
        'sub': '1',
        'exp': now + 600,
        'iat': now,
        'jti': 'a' * 32,
        'extras': {'type': 'access'},
    }
    claims.update(overrides)
    return claims


@pytest.mark.django_db
def test_out_of_range_subject_on_a_cold_lookup_is_401_not_500(
    *,
    client: Client,
    user: User,
    url: Callable[[str], str],
) -> None:
    # The first lookup of a process compiles the query with its subject:
    # an integer out of range makes Django raise `EmptyResultSet` there.
    PREPARED_LOOKUPS.clear()
    token = _signed(_claims(sub='9' * 20))

    response = client.get(
        url('me'), headers={'Authorization': f'Bearer {token}'}
    )

    assert_unauthorized(response, Reason.USER_INACTIVE)
    good = _signed(_claims(sub=str(user.pk)))
    ok = client.get(url('me'), headers={'Authorization': f'Bearer {good}'})
    assert ok.status_code == 200, ok.content


@pytest.mark.django_db
def test_nul_in_the_subject_is_401(
    *,
    client: Client,
    user: User,
    url: Callable[[str], str],
) -> None:
    token = _signed(_claims(sub=f'{user.pk}\x00'))

    response = client.get(
        url('me'), headers={'Authorization': f'Bearer {token}'}
    )

    assert_unauthorized(response, Reason.USER_INACTIVE)


@pytest.mark.django_db
def test_nul_in_the_credentials_is_401(
    *,
    client: Client,
    user: User,
    url: Callable[[str], str],
) -> None:
    response = client.post(
        url('obtain'),
        json.dumps({'username': f'{user.username}\x00', 'password': PASSWORD}),
        content_type='application/json',
    )

    assert response.status_code == 401, response.content


@pytest.mark.django_db
def test_top_level_type_cannot_turn_a_refresh_token_into_an_access_token(
    *,
    client: Client,
    user: User,
    url: Callable[[str], str],
) -> None:
    token = _signed(
        _claims(sub=str(user.pk), type='access', extras={'type': 'refresh'}),
    )

    response = client.get(
        url('me'), headers={'Authorization': f'Bearer {token}'}
    )

    assert_unauthorized(response, Reason.WRONG_TYPE)


@pytest.mark.django_db
def test_user_cache_never_loads_deferred_fields(user: User) -> None:
    # Watching `username` must not read it on instances that deferred it.
    SubjectLookup('username', cache_timeout=60)

    with CaptureQueriesContext(connection) as queries:
        loaded = list(User.objects.only('id'))

    assert [row.pk for row in loaded] == [user.pk]
    assert len(queries) == 1


def test_timedelta_leeway_works_with_the_token_cache() -> None:
    auth = JWTSyncAuth(leeway=dt.timedelta(seconds=30), token_cache_size=8)
    token = JWToken(
        sub='1',
        exp=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5),
        jti='b' * 32,
        extras={'type': 'access'},
    ).encode(settings.SECRET_KEY, 'HS256')

    assert auth.options.leeway == 30
    assert auth.decode_token(token).sub == '1'
    assert auth.decode_token(token).sub == '1'  # the cache hit


def test_token_user_has_no_permissions() -> None:
    token = JWToken(
        sub='7',
        exp=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5),
    )
    token_user = TokenUser(token)

    assert not token_user.has_perm('auth.view_user')
    assert not token_user.has_perms(['auth.view_user'])
    assert not token_user.has_module_perms('auth')
