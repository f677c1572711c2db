import array
import datetime as dt
import re
import struct
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final

import jwt
import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import translation
from django.utils.functional import Promise
from dmr.exceptions import NotAuthenticatedError
from pytest_django import Settings

from dmr_jwt import JWToken
from dmr_jwt._internal.http_errors import challenge_header, token_error
from dmr_jwt.errors import InvalidTokenError, Reason
from tests.conftest import challenge, unauthorized

#: The documented English message of every reason, written out.
_MESSAGES: Final = {
    Reason.MALFORMED: 'Malformed token',
    Reason.INVALID_SIGNATURE: 'Invalid token signature',
    Reason.ALGORITHM_NOT_ALLOWED: 'Token algorithm is not allowed',
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

#: A tiny German catalog: one message with a non-ASCII character.
_GERMAN: Final = {
    Reason.INVALID_SIGNATURE.value: 'Ungültige Token-Signatur',
    Reason.EXPIRED.value: 'Das Token ist abgelaufen',
}

#: RFC 6750, section 3: ``error_description`` is printable ASCII
#: without ``"`` and ``\``.
_CHALLENGE: Final = re.compile(
    r'(?P<scheme>[A-Za-z]+) error="invalid_token", '
    r'error_description="(?P<description>[\x20\x21\x23-\x5b\x5d-\x7e]*)"',
)

_ALL_REASONS: Final = [
    pytest.param(reason, id=reason.name) for reason in Reason
]


def _write_mo(path: Path, messages: Mapping[str, str]) -> None:
    """Write a GNU ``.mo`` catalog, as ``msgfmt`` would (no tool needed)."""
    catalog = {
        '': 'Content-Type: text/plain; charset=UTF-8\n',
        **messages,
    }
    ids = b''
    strs = b''
    entries: list[tuple[int, int, int, int]] = []
    for msgid in sorted(catalog):
        encoded_id = msgid.encode()
        encoded_str = catalog[msgid].encode()
        entries.append(
            (len(ids), len(encoded_id), len(strs), len(encoded_str)),
        )
        ids += encoded_id + b'\0'
        strs += encoded_str + b'\0'
    header_size = 7 * 4
    ids_start = header_size + 16 * len(entries)
    strs_start = ids_start + len(ids)
    offsets: list[int] = []
    for id_offset, id_length, _, _ in entries:
        offsets += [id_length, ids_start + id_offset]
    for _, _, str_offset, str_length in entries:
        offsets += [str_length, strs_start + str_offset]
    header = struct.pack(
        'Iiiiiii',
        0x950412DE,  # magic
        0,  # revision
        len(entries),
        header_size,  # where the msgid table starts
        header_size + 8 * len(entries),  # where the msgstr table starts
        0,  # no hash table
        0,
    )
    path.parent.mkdir(parents=True)
    path.write_bytes(
        header + array.array('i', offsets).tobytes() + ids + strs,
    )


@pytest.fixture
def german(tmp_path: Path, settings: Settings) -> None:
    """Install ``_GERMAN`` as the ``de`` catalog of ``LOCALE_PATHS``."""
    _write_mo(tmp_path / 'de' / 'LC_MESSAGES' / 'django.mo', _GERMAN)
    # Assigning the setting makes Django forget its loaded catalogs.
    settings.LOCALE_PATHS = [str(tmp_path)]


# `Reason`:


def test_reasons_and_their_messages() -> None:
    assert {reason: reason.value for reason in Reason} == _MESSAGES


def test_messages_are_distinct() -> None:
    assert len(set(_MESSAGES.values())) == len(Reason)


@pytest.mark.parametrize('reason', _ALL_REASONS)
def test_messages_fit_a_header(reason: Reason) -> None:
    # `error_description` is ASCII without quotes or backslashes.
    assert re.fullmatch(r'[\x20\x21\x23-\x5b\x5d-\x7e]+', reason.value)


# `token_error`:


@pytest.mark.parametrize('reason', _ALL_REASONS)
def test_token_error(reason: Reason) -> None:
    error = token_error(reason)

    assert isinstance(error, NotAuthenticatedError)
    assert error.status_code == 401
    (message,) = error.args
    assert isinstance(message, Promise)
    assert str(message) == _MESSAGES[reason]
    assert str(error) == _MESSAGES[reason]
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
        f'{scheme} error="invalid_token", '
        f'error_description="{_MESSAGES[reason]}"'
    )
    match = _CHALLENGE.fullmatch(header)
    assert match is not None
    assert match['scheme'] == scheme
    assert match['description'] == _MESSAGES[reason]


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


def _expired() -> str:
    now = int(dt.datetime.now(dt.UTC).timestamp())
    return jwt.encode(
        {'sub': '1', 'exp': now - 60, 'extras': {'type': 'access'}},
        django_settings.SECRET_KEY,
        algorithm='HS256',
    )


def _wrong_key() -> str:
    return JWToken(
        sub='ü' * 10,
        exp=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),
        extras={'type': 'access', 'secret': 'ß"\\' * 5},
    ).encode('another-key-' + 'k' * 64, 'HS256')


@pytest.mark.usefixtures('german')
@pytest.mark.parametrize(
    'make_token',
    [
        pytest.param(_expired, id='expired'),
        pytest.param(_wrong_key, id='wrong-key'),
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


# Translation: the body follows the active language, the header does not.


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


@pytest.mark.usefixtures('german')
@pytest.mark.parametrize(
    ('make_token', 'reason'),
    [
        pytest.param(_wrong_key, Reason.INVALID_SIGNATURE, id='signature'),
        pytest.param(_expired, Reason.EXPIRED, id='expired'),
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
        'detail': [{'msg': _GERMAN[reason.value], 'type': 'security'}],
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
        headers={'Authorization': f'Bearer {_expired()}'},
    )

    assert response.json() == unauthorized(Reason.EXPIRED)
