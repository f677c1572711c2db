"""Valid tokens used where they do not belong, or for the wrong user.

Refresh tokens are no access tokens and the other way round, revoked
tokens stay revoked, and a subject names one user by its canonical text
only: never a deleted or inactive user, never user ``1`` by ``" 1"``.
These are auth-level rules: checked through the sync and async auth
classes and the refresh controllers (no ``WWW-Authenticate`` there).
"""

import json
from typing import Any, Final

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.test import Client

from dmr_jwt import JWToken
from dmr_jwt._internal.prepared_lookup import PREPARED_LOOKUPS
from dmr_jwt.blocklist import store
from dmr_jwt.blocklist.models import JTI_MAX_LENGTH
from dmr_jwt.errors import Reason
from tests.conftest import PASSWORD, Mode, SerializerName
from tests.security.harness import MISSING, Accepted, Check, Forge, outcome_of
from tests.security.tokens import (
    json_with_raw,
    signature_bytes,
    with_signature,
)

pytestmark = [
    pytest.mark.urls('tests.app.security_urls'),
    pytest.mark.django_db,
]

_WRONG_TYPE: Final = Reason.WRONG_TYPE
_INACTIVE: Final = Reason.USER_INACTIVE


def _refresh(client: Client, url: str, refresh_token: object) -> Any:
    return client.post(
        url,
        data={'refresh_token': refresh_token},
        content_type='application/json',
    )


@pytest.mark.parametrize(
    ('extras', 'expected'),
    [
        pytest.param({'type': 'access'}, None, id='control'),
        pytest.param({'type': 'refresh'}, _WRONG_TYPE, id='refresh'),
        pytest.param({}, _WRONG_TYPE, id='no-type'),
        pytest.param({'type': None}, _WRONG_TYPE, id='null'),
        pytest.param({'type': 'Access'}, _WRONG_TYPE, id='other-case'),
        pytest.param({'type': 'access '}, _WRONG_TYPE, id='trailing-space'),
        pytest.param({'type': ['access']}, _WRONG_TYPE, id='list'),
        pytest.param({'type': 'id'}, _WRONG_TYPE, id='id-token'),
    ],
)
def test_only_access_tokens_authenticate_requests(
    *,
    http_check: Check,
    forge: Forge,
    extras: dict[str, Any],
    expected: Reason | None,
) -> None:
    assert http_check(forge.token(extras=extras)) == forge.outcome(expected)


def test_top_level_type_cannot_turn_a_refresh_token_into_an_access_token(
    *,
    http_check: Check,
    forge: Forge,
) -> None:
    # Only `extras.type` says what a token is for.
    token = forge.token(type='access', token_type='refresh')

    assert http_check(token) == _WRONG_TYPE


def test_issued_refresh_token_is_not_an_access_token_and_back(
    *,
    client: Client,
    user: User,
    serializer: SerializerName,
    mode: Mode,
) -> None:
    # Real tokens, issued by the obtain controller.
    tokens = client.post(
        f'/api/{serializer}/obtain/{mode}/',
        data={'username': user.username, 'password': PASSWORD},
        content_type='application/json',
    ).json()
    me_url = f'/api/{serializer}/me/{mode}/'
    refresh_url = f'/api/{serializer}/refresh/{mode}/'

    def me(token: str) -> object:
        response = client.get(
            me_url,
            headers={'Authorization': f'Bearer {token}'},
        )
        return outcome_of(response, identity='username')

    assert me(tokens['access_token']) == Accepted(user.username)
    assert me(tokens['refresh_token']) == _WRONG_TYPE
    access_at_refresh = _refresh(client, refresh_url, tokens['access_token'])
    assert outcome_of(access_at_refresh, challenge=False) == _WRONG_TYPE
    refreshed = _refresh(client, refresh_url, tokens['refresh_token'])
    assert refreshed.status_code == 200
    assert set(refreshed.json()) == {'access_token', 'refresh_token'}


@pytest.fixture
def refresh_url(serializer: SerializerName, mode: Mode) -> str:
    """The suite's refresh endpoint for the current axes."""
    return f'/api/{serializer}/refresh/{mode}/'


@pytest.mark.parametrize(
    ('overrides', 'expected'),
    [
        pytest.param({}, None, id='control'),
        pytest.param({'token_type': 'access'}, _WRONG_TYPE, id='access'),
        pytest.param({'extras': {}}, _WRONG_TYPE, id='no-type'),
        pytest.param({'exp': 1}, Reason.EXPIRED, id='expired'),
        pytest.param({'sub': 1}, Reason.INVALID_CLAIMS, id='sub-number'),
        pytest.param({'sub': ' 1'}, _INACTIVE, id='sub-with-space'),
        pytest.param({'aud': 'x'}, Reason.INVALID_AUDIENCE, id='audience'),
    ],
)
def test_refresh_endpoint_takes_only_valid_refresh_tokens(
    *,
    client: Client,
    forge: Forge,
    refresh_url: str,
    overrides: dict[str, Any],
    expected: Reason | None,
) -> None:
    token = forge.token(**{'token_type': 'refresh', **overrides})
    response = _refresh(client, refresh_url, token)

    if expected is None:
        assert response.status_code == 200
    else:
        assert outcome_of(response, challenge=False) == expected


def test_tampered_refresh_token_is_rejected_at_refresh_endpoint(
    *,
    client: Client,
    forge: Forge,
    refresh_url: str,
) -> None:
    token = forge.token(token_type='refresh')
    tampered = with_signature(token, bytes(len(signature_bytes(token))))

    response = _refresh(client, refresh_url, tampered)

    assert outcome_of(response, challenge=False) == Reason.INVALID_SIGNATURE


@pytest.mark.parametrize(
    'body',
    [
        pytest.param({'refresh_token': 1}, id='number'),
        pytest.param({'refresh_token': None}, id='null'),
        pytest.param({'refresh_token': ['a.b.c']}, id='list'),
        pytest.param({}, id='missing'),
        pytest.param([], id='array'),
        pytest.param('not json', id='not-json'),
    ],
)
def test_malformed_refresh_body_is_400(
    *,
    client: Client,
    refresh_url: str,
    body: object,
) -> None:
    response = client.post(
        refresh_url,
        data=body if isinstance(body, str) else json.dumps(body),
        content_type='application/json',
    )

    assert response.status_code == 400, response.content
    detail = response.json()['detail']
    assert detail
    assert {error['type'] for error in detail} == {'value_error'}


def test_empty_refresh_token_is_malformed(
    *,
    client: Client,
    refresh_url: str,
) -> None:
    response = _refresh(client, refresh_url, '')

    assert outcome_of(response, challenge=False) == Reason.MALFORMED


# The user behind the subject.


def _digits(text: str, zero: str) -> str:
    return ''.join(chr(ord(zero) + int(char)) for char in text)


def _non_canonical(pk: str) -> dict[str, str]:
    """Texts that the ORM would happily turn into *pk*."""
    return {
        'leading-space': f' {pk}',
        'trailing-space': f'{pk} ',
        'trailing-newline': f'{pk}\n',
        'leading-tab': f'\t{pk}',
        'plus-sign': f'+{pk}',
        'leading-zero': f'0{pk}',
        'decimal': f'{pk}.0',
        'exponent': f'{pk}e0',
        'arabic-indic-digits': _digits(pk, '\u0660'),
        'devanagari-digits': _digits(pk, '\u0966'),
        'fullwidth-digits': _digits(pk, '\uff10'),
        'nul-suffix': f'{pk}\x00',
    }


@pytest.mark.parametrize('variant', [*_non_canonical('1'), 'control'])
def test_non_canonical_subject_never_logs_in_as_that_user(
    *,
    http_check: Check,
    forge: Forge,
    variant: str,
) -> None:
    subject = (
        forge.pk if variant == 'control' else _non_canonical(forge.pk)[variant]
    )

    assert http_check(forge.token(sub=subject)) == forge.outcome(
        None if variant == 'control' else _INACTIVE,
    )


def test_out_of_range_subject_on_a_cold_lookup_is_rejected(
    *,
    http_check: Check,
    forge: Forge,
) -> None:
    # The first lookup of a process compiles the query with its subject:
    # an integer out of range makes Django raise `EmptyResultSet` there.
    PREPARED_LOOKUPS.clear()

    assert http_check(forge.token(sub='9' * 20)) == _INACTIVE
    # The lookup still works for the next (valid) subject:
    assert http_check(forge.token()) == forge.outcome(None)


@pytest.mark.parametrize('state', ['control', 'inactive', 'deleted'])
def test_subject_of_deleted_or_inactive_user_is_rejected(
    *,
    client: Client,
    http_check: Check,
    forge: Forge,
    user: User,
    refresh_url: str,
    state: str,
) -> None:
    access = forge.token()
    refresh = forge.token(token_type='refresh')
    if state == 'inactive':
        user.is_active = False
        user.save(update_fields=['is_active'])
    elif state == 'deleted':
        user.delete()
    expected = forge.outcome(None if state == 'control' else _INACTIVE)

    assert http_check(access) == expected
    response = _refresh(client, refresh_url, refresh)
    if state == 'control':
        assert response.status_code == 200
    else:
        assert outcome_of(response, challenge=False) == _INACTIVE


# Revocation: the blocklist auth of `tests.app.blocklist_views`.


def _decoded(token: str) -> JWToken:
    return JWToken.decode(token, django_settings.SECRET_KEY, 'HS256')


@pytest.mark.parametrize(
    ('jti', 'expected'),
    [
        pytest.param('0123abcd', None, id='control'),
        pytest.param(MISSING, Reason.MISSING_CLAIM, id='missing'),
        pytest.param('', Reason.MISSING_CLAIM, id='empty'),
        pytest.param(
            'j' * (JTI_MAX_LENGTH + 1),
            Reason.MISSING_CLAIM,
            id='too-long',
        ),
    ],
)
def test_blocklist_needs_a_usable_jti(
    *,
    http_check: Check,
    forge: Forge,
    jti: object,
    expected: Reason | None,
) -> None:
    token = forge.token('blocklist', jti=jti)

    assert http_check(token, 'blocklist') == forge.outcome(expected)


def test_lone_surrogate_jti_never_reaches_the_blocklist(
    *,
    http_check: Check,
    forge: Forge,
) -> None:
    # No database stores it: refused as a claim before any lookup.
    token = forge.token(
        'blocklist',
        payload=json_with_raw(forge.claims('blocklist'), jti='"\\ud800"'),
    )

    assert http_check(token, 'blocklist') == Reason.INVALID_CLAIMS


def test_blocklisted_jti_is_rejected(
    *,
    http_check: Check,
    forge: Forge,
) -> None:
    token = forge.token('blocklist')
    other = forge.token('blocklist')
    assert http_check(token, 'blocklist') == Accepted(forge.pk)

    store.get_store().blocklist(_decoded(token))

    assert http_check(token, 'blocklist') == Reason.REVOKED
    # Only that token: another one of the same user still works.
    assert http_check(other, 'blocklist') == Accepted(forge.pk)
    # A server without the blocklist does not know about revocation.
    assert http_check(token, 'hs256') == Accepted(forge.pk)


def test_blocklisted_refresh_token_is_rejected(
    *,
    client: Client,
    forge: Forge,
    serializer: SerializerName,
    mode: Mode,
) -> None:
    url = f'/blocklist/{serializer}/refresh/{mode}/'
    revoked = forge.token(token_type='refresh')
    store.get_store().blocklist(_decoded(revoked))
    control = _refresh(client, url, forge.token(token_type='refresh'))
    response = _refresh(client, url, revoked)

    assert control.status_code == 200
    assert outcome_of(response, challenge=False) == Reason.REVOKED
