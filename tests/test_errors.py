"""``Reason``: the documented messages of the token errors.

Their translation at the HTTP boundary is tested here too; building the
``401`` and its challenge is ``tests/_internal/test_http_errors.py``.
"""

import re
from collections.abc import Callable
from typing import Final

import pytest
from django.test import Client
from django.utils import translation

from dmr_jwt.errors import Reason
from tests.conftest import challenge, unauthorized
from tests.i18n import GERMAN, expired_token, wrong_key_token

#: The documented English message of every reason, written out.
_MESSAGES: Final = {
    Reason.MALFORMED: 'Malformed token',
    Reason.INVALID_SIGNATURE: 'Invalid token signature',
    Reason.ALGORITHM_NOT_ALLOWED: 'Token algorithm is not allowed',
    Reason.UNKNOWN_KEY: 'Token signing key is not known',
    Reason.EXPIRED: 'Token has expired',
    Reason.NOT_YET_VALID: 'Token is not valid yet',
    Reason.INVALID_AUDIENCE: 'Token audience is not accepted',
    Reason.INVALID_ISSUER: 'Token issuer is not accepted',
    Reason.MISSING_CLAIM: 'Token is missing a required claim',
    Reason.INVALID_CLAIMS: 'Token claims are invalid',
    Reason.WRONG_TYPE: 'Wrong token type',
    Reason.REVOKED: 'Token has been revoked',
    Reason.REUSED: 'Refresh token has already been used',
    Reason.USER_INACTIVE: 'User is inactive or does not exist',
}

_ALL_REASONS: Final = [
    pytest.param(reason, id=reason.name) for reason in Reason
]


# `Reason`:


def test_reasons_and_their_messages() -> None:
    assert {reason: reason.value for reason in Reason} == _MESSAGES


def test_messages_are_distinct() -> None:
    assert len(set(_MESSAGES.values())) == len(Reason)


@pytest.mark.parametrize('reason', _ALL_REASONS)
def test_messages_fit_a_header(reason: Reason) -> None:
    # `error_description` is ASCII without quotes or backslashes.
    assert re.fullmatch(r'[\x20\x21\x23-\x5b\x5d-\x7e]+', reason.value)


# The body follows the active language, the header does not.


@pytest.mark.usefixtures('german')
@pytest.mark.parametrize(
    ('make_token', 'reason'),
    [
        pytest.param(wrong_key_token, Reason.INVALID_SIGNATURE, id='signature'),
        pytest.param(expired_token, Reason.EXPIRED, id='expired'),
    ],
)
def test_response_body_is_translated(
    *,
    client: Client,
    url: Callable[[str], str],
    make_token: Callable[[], str],
    reason: Reason,
) -> None:
    with translation.override('de'):
        response = client.get(
            url('me'),
            headers={'Authorization': f'Bearer {make_token()}'},
        )

    assert response.status_code == 401, response.content
    assert response.json() == {
        'detail': [{'msg': GERMAN[reason.value], 'type': 'security'}],
    }
    # Headers stay ASCII: the untranslated message.
    assert response.headers['WWW-Authenticate'] == challenge(reason)


def test_response_body_is_english_by_default(
    *,
    client: Client,
    url: Callable[[str], str],
) -> None:
    response = client.get(
        url('me'),
        headers={'Authorization': f'Bearer {expired_token()}'},
    )

    assert response.json() == unauthorized(Reason.EXPIRED)
