"""Validly signed tokens whose claims are wrong: refused, never a 500.

Every token here is signed with the server's own key, so the signature
never saves the day: the claims alone must be rejected. Claim values are
written as raw JSON text (``NaN``, ``Infinity``, huge numbers, lone
surrogates), which no encoder of ours would produce.
"""

import datetime as dt
from typing import Any, Final

import pytest

from dmr_jwt.errors import Reason
from tests.app.security_views import AUDIENCE, ISSUER
from tests.security.harness import MISSING, Check, Forge
from tests.security.tokens import json_with_raw

pytestmark = [
    pytest.mark.urls('tests.app.security_urls'),
    pytest.mark.django_db,
]

_INVALID: Final = Reason.INVALID_CLAIMS
_EXPIRED: Final = Reason.EXPIRED
_NOT_YET: Final = Reason.NOT_YET_VALID

_EXP_BOOL_LIMITATION: Final = pytest.mark.xfail(
    reason=(
        'Known limitation (refused all the same, with another reason): a '
        'signed token with `exp: true` or `exp: false` gives "Token has '
        'expired": PyJWT checks int(True) == 1 before dmr_jwt sees the '
        'claims; a boolean is no NumericDate (RFC 7519, section 2). Only '
        'a holder of the signing key can mint such a token'
    ),
    strict=True,
)
_NBF_STRING_LIMITATION: Final = pytest.mark.xfail(
    reason=(
        'Known limitation (refused all the same, with another reason): a '
        'signed token whose `nbf` is a numeric string in the future '
        '(`"nbf": "1999999999"`) gives "Token is not valid yet": PyJWT '
        'coerces it with int() and raises ImmatureSignatureError before '
        '`JWToken.from_claims` checks that `nbf` is a number; a string is '
        'no NumericDate (RFC 7519, section 2), the claims are invalid'
    ),
    strict=True,
)


def _time_cases(
    claim: str,
    *cases: tuple[str, Reason | None, pytest.MarkDecorator | None],
) -> list[Any]:
    return [
        pytest.param(
            claim,
            raw,
            expected,
            id=f'{claim}={raw.format(future="future", past="past")}',
            marks=() if mark is None else (mark,),
        )
        for raw, expected, mark in cases
    ]


_BIG: Final = str(10**30)


@pytest.mark.parametrize(
    ('claim', 'raw', 'expected'),
    [
        *_time_cases(
            'exp',
            ('{future}', None, None),
            ('{future}.5', None, None),
            ('{past}', _EXPIRED, None),
            ('0', _EXPIRED, None),
            ('-1', _EXPIRED, None),
            ('-1e300', _EXPIRED, None),
            ('1e300', _INVALID, None),
            (_BIG, _INVALID, None),
            ('"{future}"', _INVALID, None),
            ('"soon"', _INVALID, None),
            ('[{future}]', _INVALID, None),
            ('{{}}', _INVALID, None),
            ('null', _INVALID, None),
            ('NaN', _INVALID, None),
            ('Infinity', _INVALID, None),
            ('-Infinity', _INVALID, None),
            ('1e999', _INVALID, None),
            ('true', _INVALID, _EXP_BOOL_LIMITATION),
            ('false', _INVALID, _EXP_BOOL_LIMITATION),
        ),
        *_time_cases(
            'nbf',
            ('{past}', None, None),
            ('-1', None, None),
            ('-1e300', _INVALID, None),
            ('{future}', _NOT_YET, None),
            ('1e300', _NOT_YET, None),
            (_BIG, _NOT_YET, None),
            ('"1"', _INVALID, None),
            ('"{future}"', _INVALID, _NBF_STRING_LIMITATION),
            ('"soon"', _INVALID, None),
            ('[1]', _INVALID, None),
            ('null', _INVALID, None),
            ('true', _INVALID, None),
            ('false', _INVALID, None),
            ('NaN', _INVALID, None),
            ('Infinity', _INVALID, None),
            ('-Infinity', _INVALID, None),
        ),
        *_time_cases(
            'iat',
            ('{past}', None, None),
            ('-1', None, None),
            ('{future}', _NOT_YET, None),
            ('1e300', _NOT_YET, None),
            (_BIG, _NOT_YET, None),
            ('-1e300', _INVALID, None),
            ('"1"', _INVALID, None),
            ('"soon"', _INVALID, None),
            ('[1]', _INVALID, None),
            ('{{}}', _INVALID, None),
            ('null', _INVALID, None),
            ('true', _INVALID, None),
            ('false', _INVALID, None),
            ('NaN', _INVALID, None),
            ('Infinity', _INVALID, None),
            ('-Infinity', _INVALID, None),
        ),
    ],
)
def test_time_claim_of_wrong_type_or_range_is_rejected(
    *,
    check: Check,
    forge: Forge,
    claim: str,
    raw: str,
    expected: Reason | None,
) -> None:
    now = int(dt.datetime.now(dt.UTC).timestamp())
    text = json_with_raw(
        forge.claims(),
        **{claim: raw.format(future=now + 3600, past=now - 3600)},
    )

    assert check(forge.token(payload=text)) == forge.outcome(expected)


@pytest.mark.parametrize(
    ('overrides', 'expected'),
    [
        pytest.param({}, None, id='control'),
        # Required: a missing `iat` taken as "now" would escape the
        # log-out-everywhere watermark.
        pytest.param({'iat': MISSING}, Reason.MISSING_CLAIM, id='no-iat'),
        pytest.param(
            {'sub': MISSING},
            Reason.MISSING_CLAIM,
            id='no-sub',
        ),
        pytest.param(
            {'exp': MISSING},
            Reason.MISSING_CLAIM,
            id='no-exp',
        ),
        pytest.param({'sub': 1}, _INVALID, id='sub-number'),
        pytest.param({'sub': None}, _INVALID, id='sub-null'),
        pytest.param({'sub': True}, _INVALID, id='sub-true'),
        pytest.param({'sub': ['1']}, _INVALID, id='sub-list'),
        pytest.param({'sub': {'pk': 1}}, _INVALID, id='sub-object'),
        pytest.param({'sub': ''}, _INVALID, id='sub-empty'),
    ],
)
def test_missing_or_non_string_sub_is_rejected(
    *,
    check: Check,
    forge: Forge,
    overrides: dict[str, Any],
    expected: Reason | None,
) -> None:
    assert check(forge.token(**overrides)) == forge.outcome(expected)


@pytest.mark.parametrize(
    ('extras', 'expected'),
    [
        pytest.param({'type': 'access'}, None, id='control'),
        pytest.param({'type': 'access', 'x': {'y': [1]}}, None, id='nested'),
        pytest.param(['access'], _INVALID, id='list'),
        pytest.param('access', _INVALID, id='string'),
        pytest.param(None, _INVALID, id='null'),
        pytest.param(1, _INVALID, id='number'),
        pytest.param(True, _INVALID, id='true'),
    ],
)
def test_extras_that_is_not_an_object_is_rejected(
    *,
    check: Check,
    forge: Forge,
    extras: object,
    expected: Reason | None,
) -> None:
    assert check(forge.token(extras=extras)) == forge.outcome(expected)


@pytest.mark.parametrize(
    ('jti', 'expected'),
    [
        pytest.param('0123abcd', None, id='control'),
        # Optional without a blocklist (see `test_token_use` for that).
        pytest.param(MISSING, None, id='missing'),
        pytest.param(1, _INVALID, id='number'),
        pytest.param(['a'], _INVALID, id='list'),
        pytest.param({'a': 1}, _INVALID, id='object'),
        pytest.param(True, _INVALID, id='true'),
        # A `jti` that is present must be a string: `null` is not "no jti"
        # (PyJWT's `verify_jti` refuses it, and so do we).
        pytest.param(None, _INVALID, id='null'),
    ],
)
def test_jti_of_wrong_type_is_rejected(
    *,
    check: Check,
    forge: Forge,
    jti: object,
    expected: Reason | None,
) -> None:
    assert check(forge.token(jti=jti)) == forge.outcome(expected)


_AUD: Final = Reason.INVALID_AUDIENCE
_ISS: Final = Reason.INVALID_ISSUER


@pytest.mark.parametrize(
    ('server', 'overrides', 'expected'),
    [
        pytest.param('audience', {}, None, id='audience-control'),
        pytest.param(
            'audience',
            {'aud': ['https://other.example.com', AUDIENCE]},
            None,
            id='audience-one-of-several',
        ),
        pytest.param(
            'audience',
            {'aud': 'https://other.example.com'},
            _AUD,
            id='audience-wrong',
        ),
        pytest.param(
            'audience',
            {'aud': AUDIENCE + '/'},
            _AUD,
            id='audience-trailing-slash',
        ),
        pytest.param(
            'audience',
            {'aud': AUDIENCE.upper()},
            _AUD,
            id='audience-other-case',
        ),
        pytest.param('audience', {'aud': 1}, _AUD, id='audience-number'),
        pytest.param(
            'audience',
            {'aud': [AUDIENCE, 1]},
            _AUD,
            id='audience-list-with-number',
        ),
        pytest.param(
            'audience',
            {'aud': {AUDIENCE: True}},
            _AUD,
            id='audience-object',
        ),
        pytest.param(
            'audience',
            {'aud': MISSING},
            Reason.MISSING_CLAIM,
            id='audience-missing',
        ),
        # PyJWT takes an empty `aud` for no `aud` at all.
        pytest.param(
            'audience',
            {'aud': []},
            Reason.MISSING_CLAIM,
            id='audience-empty-list',
        ),
        pytest.param(
            'audience',
            {'iss': 'https://other.example.com'},
            _ISS,
            id='issuer-wrong',
        ),
        pytest.param(
            'audience',
            {'iss': ISSUER.upper()},
            _ISS,
            id='issuer-other-case',
        ),
        pytest.param('audience', {'iss': [ISSUER]}, _ISS, id='issuer-list'),
        pytest.param('audience', {'iss': None}, _ISS, id='issuer-null'),
        pytest.param(
            'audience',
            {'iss': MISSING},
            Reason.MISSING_CLAIM,
            id='issuer-missing',
        ),
        pytest.param('hs256', {}, None, id='no-audience-control'),
        # RFC 7519, section 4.1.3: a server that is in no audience
        # must refuse every token that names one.
        pytest.param(
            'hs256',
            {'aud': AUDIENCE},
            _AUD,
            id='no-audience-configured-token-has-aud',
        ),
        pytest.param(
            'hs256',
            {'aud': [AUDIENCE]},
            _AUD,
            id='no-audience-configured-token-has-aud-list',
        ),
        # Without an issuer configured, `iss` is informational only...
        pytest.param('hs256', {'iss': ISSUER}, None, id='no-issuer-any-iss'),
        # ... but still a string.
        pytest.param('hs256', {'iss': 1}, _INVALID, id='no-issuer-iss-number'),
    ],
)
def test_wrong_audience_or_issuer_is_rejected(
    *,
    check: Check,
    forge: Forge,
    server: str,
    overrides: dict[str, Any],
    expected: Reason | None,
) -> None:
    token = forge.token(server, **overrides)

    assert check(token, server) == forge.outcome(expected)


@pytest.mark.parametrize(
    ('claim', 'raw', 'expected'),
    [
        # Escapes of valid Unicode, a surrogate pair included, are fine.
        pytest.param(
            'extras',
            '{"type":"access","name":"\\u00e9\\ud83d\\ude00"}',
            None,
            id='control-valid-escapes',
        ),
        pytest.param('sub', '"\\ud800"', _INVALID, id='sub'),
        pytest.param('sub', '"1\\udfff"', _INVALID, id='sub-after-digit'),
        pytest.param('jti', '"\\ud800"', _INVALID, id='jti'),
        pytest.param('iss', '"\\ud800"', _INVALID, id='iss'),
        pytest.param(
            'extras',
            '{"type":"access","name":"\\ud800"}',
            _INVALID,
            id='extras-value',
        ),
        pytest.param(
            'extras',
            '{"type":"access","\\ud800":1}',
            _INVALID,
            id='extras-key',
        ),
        pytest.param(
            'name',
            '["\\udfff"]',
            _INVALID,
            id='unknown-top-level-claim',
        ),
    ],
)
def test_lone_surrogate_in_claims_is_rejected(
    *,
    check: Check,
    forge: Forge,
    claim: str,
    raw: str,
    expected: Reason | None,
) -> None:
    token = forge.token(payload=json_with_raw(forge.claims(), **{claim: raw}))

    assert check(token) == forge.outcome(expected)
