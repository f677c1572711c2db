"""``token_error`` and ``challenge_header``: the ``401`` of a reason.

The messages themselves are pinned in ``tests/test_errors.py``.
"""

import re
from collections.abc import Callable
from typing import Final

import pytest
from django.conf import settings as django_settings
from django.utils import translation
from django.utils.functional import Promise
from dmr.exceptions import NotAuthenticatedError

from dmr_jwt import JWToken
from dmr_jwt._internal.http_errors import challenge_header, token_error
from dmr_jwt.errors import InvalidTokenError, Reason
from tests.conftest import challenge
from tests.i18n import expired_token, wrong_key_token

#: RFC 6750, section 3: ``error_description`` is printable ASCII
#: without ``"`` and ``\``.
_CHALLENGE: Final = re.compile(
    r'(?P<scheme>[A-Za-z]+) error="invalid_token", '
    r'error_description="(?P<description>[\x20\x21\x23-\x5b\x5d-\x7e]*)"',
)

_ALL_REASONS: Final = [
    pytest.param(reason, id=reason.name) for reason in Reason
]


# `token_error`:


@pytest.mark.parametrize('reason', _ALL_REASONS)
def test_token_error(reason: Reason) -> None:
    error = token_error(reason)

    assert isinstance(error, NotAuthenticatedError)
    assert error.status_code == 401
    (message,) = error.args
    assert isinstance(message, Promise)
    assert str(message) == reason.value
    assert str(error) == reason.value
    # The auth class adds the challenge, not the error itself:
    assert error.headers is None


def test_token_error_builds_a_new_error_each_time() -> None:
    # Auth classes set `headers` on the error: a shared instance would
    # carry one request's challenge into another.
    first = token_error(Reason.EXPIRED)
    second = token_error(Reason.EXPIRED)

    assert first is not second
    first.headers = {'WWW-Authenticate': 'Bearer'}
    assert second.headers is None


# `challenge_header`:


@pytest.mark.parametrize('scheme', ['Bearer', 'Token'])
@pytest.mark.parametrize('reason', _ALL_REASONS)
def test_challenge_header(reason: Reason, scheme: str) -> None:
    header = challenge_header(scheme, token_error(reason))

    assert header == (
        f'{scheme} error="invalid_token", error_description="{reason.value}"'
    )
    match = _CHALLENGE.fullmatch(header)
    assert match is not None
    assert match['scheme'] == scheme
    assert match['description'] == reason.value


@pytest.mark.parametrize(
    'error',
    [
        pytest.param(NotAuthenticatedError(), id='framework-default'),
        pytest.param(NotAuthenticatedError('Custom'), id='own-message'),
        pytest.param(
            NotAuthenticatedError(Reason.EXPIRED.value),
            id='reason-text-without-reason',
        ),
    ],
)
@pytest.mark.parametrize('scheme', ['Bearer', 'Token'])
def test_challenge_header_without_reason(
    error: NotAuthenticatedError,
    scheme: str,
) -> None:
    # RFC 6750, section 3.1: no error code without a token to blame.
    assert challenge_header(scheme, error) == scheme


@pytest.mark.usefixtures('german')
@pytest.mark.parametrize(
    'make_token',
    [
        pytest.param(expired_token, id='expired'),
        pytest.param(wrong_key_token, id='wrong-key'),
        pytest.param(lambda: 'ü"\\.\x7f.' + 'x' * 40, id='garbage'),
    ],
)
@pytest.mark.parametrize('language', ['en', 'de'])
def test_challenge_header_never_leaks(
    make_token: Callable[[], str],
    language: str,
) -> None:
    encoded_token = make_token()
    with pytest.raises(InvalidTokenError) as exc_info:
        JWToken.decode(encoded_token, django_settings.SECRET_KEY, 'HS256')
    error = token_error(exc_info.value.reason)

    with translation.override(language):
        header = challenge_header('Bearer', error)

    assert header.isascii()
    assert _CHALLENGE.fullmatch(header) is not None
    for part in (encoded_token, *encoded_token.split('.')):
        assert part not in header


# Translation: the message is lazy, the header stays English.


@pytest.mark.usefixtures('german')
def test_message_is_translated_when_rendered() -> None:
    # Built in one language, rendered in another: the message is lazy.
    error = token_error(Reason.INVALID_SIGNATURE)

    with translation.override('de'):
        german_message = str(error)
        german_header = challenge_header('Bearer', error)
    with translation.override('en'):
        english_message = str(error)

    assert german_message == 'Ungültige Token-Signatur'
    assert english_message == 'Invalid token signature'
    assert german_header == challenge(Reason.INVALID_SIGNATURE)


@pytest.mark.usefixtures('german')
def test_messages_without_translation_stay_english() -> None:
    with translation.override('de'):
        assert str(token_error(Reason.REVOKED)) == 'Token has been revoked'
