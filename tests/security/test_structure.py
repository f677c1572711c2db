"""Tokens that are not well-formed JWS: ``Malformed token``, never a 500.

Wrong numbers of segments, empty segments, segments that are not
base64url, JSON or a JSON object, non-ASCII text, huge tokens (refused
before any parsing) and absurdly nested JSON (the ``RecursionError`` path).
Payload variations are signed with the server's key, so that the payload
parser is really reached.
"""

import contextlib
import json
from collections.abc import Callable, Iterator
from typing import Final
from unittest import mock

import jwt
import pytest
from django.conf import settings
from django.test import Client

from dmr_jwt import JWTAsyncAuth, JWTSyncAuth
from dmr_jwt.errors import Reason
from tests.conftest import Mode, SerializerName
from tests.security.harness import Check, Forge, decode_outcome, outcome_of
from tests.security.tokens import (
    Segment,
    b64url,
    craft,
    replace_segment,
    signature,
)

pytestmark = [
    pytest.mark.urls('tests.app.security_urls'),
    pytest.mark.django_db,
]

_MALFORMED: Final = Reason.MALFORMED
_HEADER: Final = {'alg': 'HS256', 'typ': 'JWT'}

_Build = Callable[[Forge], str]


def _signed(header: Segment, payload: Segment) -> str:
    """Exactly these segments, signed with the server's secret."""
    return craft(header, payload, key=settings.SECRET_KEY, algorithm='HS256')


def _signed_payload(payload: Segment) -> _Build:
    return lambda forge: _signed(_HEADER, payload)


def _signed_header(header: Segment) -> _Build:
    return lambda forge: _signed(header, forge.claims())


def _signed_segments(*segments: str) -> str:
    """Base64url *segments* and an HMAC over exactly them."""
    signing_input = '.'.join(segments)
    return f'{signing_input}.' + b64url(
        signature(signing_input, settings.SECRET_KEY, 'HS256'),
    )


_SEGMENT_CASES: Final[dict[str, tuple[_Build, Reason | None]]] = {
    'control': (lambda forge: forge.token(), None),
    'one-segment': (lambda forge: forge.token().split('.')[0], _MALFORMED),
    'two-segments': (
        lambda forge: forge.token().rsplit('.', 1)[0],
        _MALFORMED,
    ),
    'four-segments': (
        lambda forge: forge.token() + '.' + forge.token().split('.')[2],
        _MALFORMED,
    ),
    'four-segments-signed': (
        lambda forge: _signed_segments(
            *forge.token().split('.')[:2],
            b64url('{}'),
        ),
        _MALFORMED,
    ),
    'five-segments-jwe-shape': (
        lambda forge: '.'.join(
            (
                b64url('{"alg":"dir","enc":"A256GCM"}'),
                '',
                b64url(b'iv' * 6),
                forge.token().split('.')[1],
                b64url(b'tag' * 5),
            )
        ),
        _MALFORMED,
    ),
    'leading-dot': (lambda forge: '.' + forge.token(), _MALFORMED),
    'trailing-dot': (lambda forge: forge.token() + '.', _MALFORMED),
    'one-dot': (lambda forge: '.', _MALFORMED),
    'two-dots': (lambda forge: '..', _MALFORMED),
    'three-dots': (lambda forge: '...', _MALFORMED),
    'empty-header': (
        lambda forge: replace_segment(forge.token(), 0, ''),
        _MALFORMED,
    ),
    'empty-header-signed': (
        lambda forge: _signed_segments('', forge.token().split('.')[1]),
        _MALFORMED,
    ),
    # The signature is checked before the payload is parsed...
    'empty-payload': (
        lambda forge: replace_segment(forge.token(), 1, ''),
        Reason.INVALID_SIGNATURE,
    ),
    # ... and an empty, signed payload is no JSON object.
    'empty-payload-signed': (
        lambda forge: _signed_segments(b64url(json.dumps(_HEADER)), ''),
        _MALFORMED,
    ),
}


@pytest.mark.parametrize('case', list(_SEGMENT_CASES))
def test_wrong_number_of_segments_or_empty_segments_is_malformed(
    *,
    check: Check,
    forge: Forge,
    case: str,
) -> None:
    build, expected = _SEGMENT_CASES[case]

    assert check(build(forge)) == forge.outcome(expected)


_ENCODING_CASES: Final[dict[str, tuple[_Build, Reason | None]]] = {
    'control': (lambda forge: forge.token(), None),
    'header-not-base64url': (
        lambda forge: replace_segment(forge.token(), 0, '!!!!'),
        _MALFORMED,
    ),
    'header-standard-base64-alphabet': (
        lambda forge: replace_segment(forge.token(), 0, 'eyJ+/w'),
        _MALFORMED,
    ),
    'header-impossible-length': (
        lambda forge: replace_segment(forge.token(), 0, 'eyJhb'),
        _MALFORMED,
    ),
    'header-inner-padding': (
        lambda forge: replace_segment(forge.token(), 0, 'ey==Jh'),
        _MALFORMED,
    ),
    'header-inner-space': (
        lambda forge: ' '.join((forge.token()[:4], forge.token()[4:])),
        _MALFORMED,
    ),
    'payload-not-base64url': (
        lambda forge: replace_segment(forge.token(), 1, '%7B%7D'),
        _MALFORMED,
    ),
    'header-not-json': (_signed_header('not json'), _MALFORMED),
    'header-not-utf8': (_signed_header(b'{"alg":"\xff"}'), _MALFORMED),
    'header-array': (_signed_header('["HS256"]'), _MALFORMED),
    'header-string': (_signed_header('"HS256"'), _MALFORMED),
    'header-number': (_signed_header('256'), _MALFORMED),
    'header-null': (_signed_header('null'), _MALFORMED),
    'header-true': (_signed_header('true'), _MALFORMED),
    'header-trailing-garbage': (
        _signed_header('{"alg":"HS256"}x'),
        _MALFORMED,
    ),
    'payload-not-json': (_signed_payload('not json'), _MALFORMED),
    'payload-not-utf8': (_signed_payload(b'{"sub":"\xff"}'), _MALFORMED),
    'payload-array': (_signed_payload('[]'), _MALFORMED),
    'payload-string': (_signed_payload('"1"'), _MALFORMED),
    'payload-number': (_signed_payload('1'), _MALFORMED),
    'payload-null': (_signed_payload('null'), _MALFORMED),
    'payload-trailing-garbage': (_signed_payload('{}{}'), _MALFORMED),
    # More digits than Python parses (CVE-2020-10735): no CPU burnt.
    'payload-5000-digit-number': (
        _signed_payload('{"exp":1' + '0' * 5000 + '}'),
        _MALFORMED,
    ),
}


@pytest.mark.parametrize('case', list(_ENCODING_CASES))
def test_segment_that_is_not_a_base64url_json_object_is_malformed(
    *,
    check: Check,
    forge: Forge,
    case: str,
) -> None:
    build, expected = _ENCODING_CASES[case]

    assert check(build(forge)) == forge.outcome(expected)


@pytest.mark.parametrize(
    ('text', 'expected'),
    [
        pytest.param('{token}', None, id='control'),
        pytest.param('é{token}', _MALFORMED, id='latin1-prefix'),
        pytest.param('{token}\xa0', _MALFORMED, id='nbsp-suffix'),
        pytest.param('{token}\x00', _MALFORMED, id='nul-suffix'),
        pytest.param('\xff\xfe\xfd', _MALFORMED, id='latin1-only'),
    ],
)
def test_non_ascii_in_token_string_is_malformed(
    *,
    check: Check,
    forge: Forge,
    text: str,
    expected: Reason | None,
) -> None:
    # Latin-1 only: what an HTTP header can carry (see the token layer
    # test below for the rest of Unicode).
    token = text.format(token=forge.token())

    assert check(token) == forge.outcome(expected)


@pytest.mark.parametrize('with_config', [False, True])
@pytest.mark.parametrize(
    'mutate',
    [
        pytest.param(lambda token: '\u2603' + token, id='snowman'),
        pytest.param(lambda token: token + '\u200b', id='zero-width-space'),
        pytest.param(
            lambda token: token.replace('.', '\uff0e'),
            id='fullwidth-dots',
        ),
        pytest.param(lambda token: token + '\U0001f600', id='astral'),
        pytest.param(
            lambda token: '\ud800' + token,
            id='lone-surrogate',
        ),
        pytest.param(
            lambda token: token + '\udfff',
            id='lone-low-surrogate',
        ),
        pytest.param(
            lambda token: '\ud800',
            id='only-a-surrogate',
        ),
    ],
)
def test_non_latin1_in_token_string_is_malformed_at_token_layer(
    *,
    forge: Forge,
    mutate: Callable[[str], str],
    with_config: bool,
) -> None:
    token = mutate(forge.token())

    assert decode_outcome(token, with_config=with_config) == _MALFORMED


# Huge tokens: refused by length, before a single byte is decoded.


@contextlib.contextmanager
def _decoding_forbidden() -> Iterator[None]:
    """Fail the test if PyJWT is asked to parse anything."""

    def fail(*args: object, **kwargs: object) -> None:
        pytest.fail('the token was decoded')

    with (
        mock.patch.object(jwt.api_jws.PyJWS, '_load', side_effect=fail),
        mock.patch.object(jwt, 'decode', side_effect=fail),
    ):
        yield


def _huge_valid_token(forge: Forge) -> str:
    # Validly signed: only its size is wrong.
    return forge.token(padding='x' * 1_000_000)


_HUGE: Final[dict[str, _Build]] = {
    'one-megabyte-of-garbage': lambda forge: 'a' * 1_000_000,
    'one-megabyte-of-dots': lambda forge: '.' * 1_000_000,
    'one-megabyte-valid-token': _huge_valid_token,
}


@pytest.mark.parametrize('case', list(_HUGE))
def test_huge_token_is_rejected_before_decoding(
    *,
    http_check: Check,
    forge: Forge,
    case: str,
) -> None:
    token = _HUGE[case](forge)
    assert len(token) >= 1_000_000

    with _decoding_forbidden():
        assert http_check(token) == _MALFORMED


def _token_of_length(forge: Forge, length: int) -> str:
    """A valid token exactly *length* characters long."""
    for kid in ('', 'k', 'kk', 'kkk'):
        header = {**_HEADER, 'kid': kid}
        for pad in range(length):
            token = forge.token(header=header, padding='x' * pad)
            if len(token) == length:
                return token
            if len(token) > length:
                break
    raise AssertionError(length)  # pragma: no cover


@pytest.mark.parametrize('auth_cls', [JWTSyncAuth, JWTAsyncAuth])
def test_max_token_length_is_the_same_for_sync_and_async(
    *,
    auth_cls: type[JWTSyncAuth | JWTAsyncAuth],
) -> None:
    assert auth_cls.max_token_length == 8 * 1024


def test_token_of_max_length_is_decoded_one_more_is_not(
    *,
    http_check: Check,
    forge: Forge,
) -> None:
    # The positive control of the length limit: the largest allowed token
    # is decoded and accepted; one more character and it is not decoded.
    limit = JWTSyncAuth.max_token_length
    token = _token_of_length(forge, limit)

    with mock.patch.object(
        jwt.api_jws.PyJWS,
        '_load',
        autospec=True,
        side_effect=jwt.api_jws.PyJWS._load,
    ) as load:
        assert http_check(token) == forge.outcome(None)
    assert load.call_count == 1

    with _decoding_forbidden():
        assert http_check(token + 'x') == _MALFORMED


@pytest.mark.parametrize('case', list(_HUGE))
def test_huge_refresh_token_is_rejected_before_decoding(
    *,
    client: Client,
    forge: Forge,
    serializer: SerializerName,
    mode: Mode,
    case: str,
) -> None:
    with _decoding_forbidden():
        response = client.post(
            f'/api/{serializer}/refresh/{mode}/',
            data={'refresh_token': _HUGE[case](forge)},
            content_type='application/json',
        )

    assert outcome_of(response, challenge=False) == _MALFORMED


# Absurdly nested JSON: `RecursionError` while parsing, a 401 all the same.


def _nested(depth: int) -> str:
    return '[' * depth + ']' * depth


def _deep_header(depth: int) -> _Build:
    return _signed_header(
        '{"alg":"HS256","typ":"JWT","x":' + _nested(depth) + '}',
    )


def _deep_payload(depth: int) -> _Build:
    def build(forge: Forge) -> str:
        claims = json.dumps(forge.claims())
        return _signed(_HEADER, f'{claims[:-1]},"x":{_nested(depth)}}}')

    return build


# 2500 levels are far beyond the recursion limit (1000), and still fit in
# the 8 KiB that the auth classes accept.
_HTTP_DEPTH: Final = 2500


@pytest.mark.parametrize(
    ('build', 'expected'),
    [
        pytest.param(_deep_header(50), None, id='header-50-control'),
        pytest.param(_deep_payload(50), None, id='payload-50-control'),
        pytest.param(_deep_header(_HTTP_DEPTH), _MALFORMED, id='header'),
        pytest.param(_deep_payload(_HTTP_DEPTH), _MALFORMED, id='payload'),
    ],
)
def test_deeply_nested_json_is_malformed_never_500(
    *,
    check: Check,
    forge: Forge,
    build: _Build,
    expected: Reason | None,
) -> None:
    token = build(forge)
    assert len(token) <= JWTSyncAuth.max_token_length

    assert check(token) == forge.outcome(expected)


@pytest.mark.parametrize('with_config', [False, True])
@pytest.mark.parametrize(
    'build',
    [
        pytest.param(_deep_header(100_000), id='header'),
        pytest.param(_deep_payload(100_000), id='payload'),
    ],
)
def test_very_deeply_nested_json_is_malformed_at_token_layer(
    *,
    forge: Forge,
    build: _Build,
    with_config: bool,
) -> None:
    # Too long for an auth class: `JWToken.decode` has no length limit.
    assert decode_outcome(build(forge), with_config=with_config) == (_MALFORMED)
