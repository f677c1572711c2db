import base64
import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from typing import Any, Final

import jwt
import pytest
from freezegun import freeze_time
from hypothesis import given, settings
from hypothesis import strategies as st
from jwt.warnings import InsecureKeyLengthWarning
from typing_extensions import override

from dmr_jwt.errors import InvalidTokenError, Reason, TokenEncodeError
from dmr_jwt.token import JWToken
from tests.conftest import assert_invalid_token

#: Long enough for HS512 (64 bytes), so PyJWT never warns about it.
SECRET: Final = 'unit-test-secret-' + 'k' * 64
OTHER_SECRET: Final = 'another-test-secret-' + 'q' * 64
SHORT_SECRET: Final = 'short-key'

#: The claims that `JWToken` writes, in the wire order.
WIRE_ORDER: Final = ('sub', 'exp', 'iat', 'iss', 'aud', 'jti', 'extras')

_MISSING: Final = object()

#: Every message that a refused token can carry.
_MESSAGES: Final = frozenset(reason.value for reason in Reason)


def _now() -> int:
    return int(dt.datetime.now(dt.UTC).timestamp())


def _in(seconds: int) -> dt.datetime:
    """A normalized UTC datetime *seconds* from now (negative: ago)."""
    moment = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)
    return moment.replace(microsecond=0)


def _b64(raw: str | bytes) -> str:
    data = raw.encode() if isinstance(raw, str) else raw
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode()


def _segment(encoded_token: str, index: int) -> dict[str, Any]:
    """Decode one JSON segment of a JWT, keeping the key order."""
    segment = encoded_token.split('.')[index]
    padded = segment + '=' * (-len(segment) % 4)
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(padded))
    return decoded


def _claims(**overrides: object) -> dict[str, Any]:
    """Valid wire claims; an override of `_MISSING` removes the claim."""
    now = _now()
    claims: dict[str, Any] = {
        'sub': '42',
        'exp': now + 3600,
        'iat': now - 10,
        'jti': uuid.uuid4().hex,
        'extras': {'type': 'access'},
    }
    for name, claim_value in overrides.items():
        if claim_value is _MISSING:
            claims.pop(name, None)
        else:
            claims[name] = claim_value
    return claims


def _sign(
    payload: Mapping[str, Any] | str | bytes,
    *,
    secret: str = SECRET,
) -> str:
    """Sign any payload text with HS256, bypassing every check of PyJWT."""
    if isinstance(payload, Mapping):
        payload = json.dumps(payload)
    head = _b64(json.dumps({'alg': 'HS256', 'typ': 'JWT'}))
    body = _b64(payload)
    signature = hmac.new(
        secret.encode(),
        f'{head}.{body}'.encode(),
        hashlib.sha256,
    ).digest()
    return f'{head}.{body}.{_b64(signature)}'


def _token(**overrides: Any) -> JWToken:
    fields: dict[str, Any] = {
        'sub': '42',
        'exp': _in(3600),
        'iat': _in(-10),
        'jti': 'b' * 32,
        'extras': {'type': 'access'},
    }
    fields.update(overrides)
    return JWToken(**fields)


# The dataclass itself:


def test_documented_fields() -> None:
    assert tuple(field.name for field in dataclasses.fields(JWToken)) == (
        WIRE_ORDER
    )


def test_leeway_is_init_only() -> None:
    token = _token(exp=_in(-30), leeway=60)

    assert 'leeway' not in {field.name for field in dataclasses.fields(token)}
    assert 'leeway' not in dataclasses.asdict(token)


def test_token_is_frozen() -> None:
    token = _token()

    with pytest.raises(dataclasses.FrozenInstanceError):
        token.sub = 'other'  # type: ignore[misc]


def test_defaults() -> None:
    with freeze_time('2030-01-01 12:00:00.750000'):
        token = JWToken(sub='1', exp=dt.datetime(2030, 1, 2, tzinfo=dt.UTC))

    assert token.iat == dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC)
    assert token.iss is None
    assert token.aud is None
    assert token.jti is None
    assert token.extras == {}


def test_extras_default_is_not_shared() -> None:
    first = JWToken(sub='1', exp=_in(60))
    first.extras['type'] = 'access'

    assert JWToken(sub='2', exp=_in(60)).extras == {}


@pytest.mark.parametrize(
    'overrides',
    [
        pytest.param({'sub': ''}, id='empty-sub'),
        pytest.param({'sub': 42}, id='int-sub'),
        pytest.param({'sub': None}, id='none-sub'),
        pytest.param({'iss': 42}, id='int-iss'),
        pytest.param({'jti': 42}, id='int-jti'),
        pytest.param({'jti': b'abc'}, id='bytes-jti'),
        pytest.param({'extras': []}, id='list-extras'),
        pytest.param({'extras': None}, id='none-extras'),
        pytest.param({'aud': 42}, id='int-aud'),
        pytest.param({'aud': [1, 2]}, id='int-list-aud'),
        pytest.param({'aud': ['ok', 2]}, id='mixed-list-aud'),
        pytest.param({'aud': b'api'}, id='bytes-aud'),
        pytest.param({'aud': {'api': 1}}, id='dict-aud'),
        pytest.param({'exp': 2_000_000_000}, id='int-exp'),
        pytest.param({'iat': '2030-01-01'}, id='str-iat'),
    ],
)
def test_post_init_rejects_wrong_types(overrides: dict[str, Any]) -> None:
    with pytest.raises(TypeError):
        _token(**overrides)


@pytest.mark.parametrize(
    'aud',
    [
        pytest.param('api', id='str'),
        pytest.param(['api', 'web'], id='list'),
        pytest.param(('api',), id='tuple'),
        pytest.param([], id='empty-list'),
    ],
)
def test_post_init_accepts_audiences(aud: str | list[str]) -> None:
    assert _token(aud=aud).aud == aud


@pytest.mark.parametrize(
    ('exp_offset', 'iat_offset', 'leeway'),
    [
        pytest.param(0, 0, 0, id='exp-now'),
        pytest.param(-1, -60, 0, id='exp-past'),
        pytest.param(-30, -60, 30, id='exp-past-beyond-leeway'),
        pytest.param(3600, 1, 0, id='iat-future'),
        pytest.param(3600, 31, 30, id='iat-future-beyond-leeway'),
    ],
)
def test_post_init_rejects_times(
    exp_offset: int,
    iat_offset: int,
    leeway: int,
) -> None:
    moment = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    exp = moment + dt.timedelta(seconds=exp_offset)
    iat = moment + dt.timedelta(seconds=iat_offset)
    claim = 'exp' if exp_offset <= 0 else 'iat'

    with freeze_time(moment), pytest.raises(ValueError, match=f'`{claim}`'):
        JWToken(sub='1', exp=exp, iat=iat, leeway=leeway)


@pytest.mark.parametrize(
    ('exp_offset', 'iat_offset', 'leeway'),
    [
        pytest.param(1, 0, 0, id='exp-next-second'),
        pytest.param(-29, 0, 30, id='exp-past-within-leeway'),
        pytest.param(60, 30, 30, id='iat-future-within-leeway'),
    ],
)
def test_post_init_accepts_times(
    exp_offset: int,
    iat_offset: int,
    leeway: int,
) -> None:
    moment = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    exp = moment + dt.timedelta(seconds=exp_offset)
    iat = moment + dt.timedelta(seconds=iat_offset)
    with freeze_time(moment):
        token = JWToken(sub='1', exp=exp, iat=iat, leeway=leeway)

    assert (token.exp, token.iat) == (exp, iat)


@pytest.mark.parametrize(
    ('given', 'expected'),
    [
        pytest.param(
            dt.datetime(
                2030,
                1,
                1,
                12,
                30,
                15,
                123456,
                tzinfo=dt.timezone(dt.timedelta(hours=3)),
            ),
            dt.datetime(2030, 1, 1, 9, 30, 15, tzinfo=dt.UTC),
            id='aware-plus-three',
        ),
        pytest.param(
            dt.datetime(
                2030,
                1,
                1,
                23,
                0,
                tzinfo=dt.timezone(dt.timedelta(hours=-5)),
            ),
            dt.datetime(2030, 1, 2, 4, 0, tzinfo=dt.UTC),
            id='aware-minus-five',
        ),
        pytest.param(
            dt.datetime(2030, 1, 1, 12, 0, 0, 999999),  # noqa: DTZ001
            dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC),
            id='naive-as-utc',
        ),
        pytest.param(
            dt.datetime(2030, 1, 1, 12, 0, 0, 500000, tzinfo=dt.UTC),
            dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC),
            id='utc-microseconds',
        ),
    ],
)
def test_datetimes_are_normalized_to_utc(
    given: dt.datetime,
    expected: dt.datetime,
) -> None:
    with freeze_time('2030-01-01 05:00:00'):
        token = JWToken(sub='1', exp=given, iat=given - dt.timedelta(days=1))

    for claim_value in (token.exp, token.iat + dt.timedelta(days=1)):
        assert claim_value == expected
        assert claim_value.utcoffset() == dt.timedelta(0)
        assert claim_value.microsecond == 0
    assert token.to_claims()['exp'] == int(expected.timestamp())


# Encoding:


@pytest.mark.parametrize(
    ('overrides', 'expected_order'),
    [
        pytest.param(
            {'jti': None},
            ('sub', 'exp', 'iat', 'extras'),
            id='required-only',
        ),
        pytest.param({}, ('sub', 'exp', 'iat', 'jti', 'extras'), id='jti'),
        pytest.param(
            {'iss': 'issuer'},
            ('sub', 'exp', 'iat', 'iss', 'jti', 'extras'),
            id='iss',
        ),
        pytest.param(
            {'iss': 'issuer', 'aud': 'api'},
            WIRE_ORDER,
            id='iss-aud',
        ),
        pytest.param(
            {'aud': ('api', 'web')},
            ('sub', 'exp', 'iat', 'aud', 'jti', 'extras'),
            id='aud-tuple',
        ),
    ],
)
def test_encode_wire_format(
    overrides: dict[str, Any],
    expected_order: tuple[str, ...],
) -> None:
    token = _token(**overrides)

    payload = _segment(token.encode(SECRET, 'HS256'), 1)

    assert tuple(payload) == expected_order
    expected: dict[str, Any] = {
        'sub': '42',
        'exp': int(token.exp.timestamp()),
        'iat': int(token.iat.timestamp()),
        'iss': overrides.get('iss'),
        'aud': (
            list(overrides['aud'])
            if isinstance(overrides.get('aud'), tuple)
            else overrides.get('aud')
        ),
        'jti': overrides.get('jti', 'b' * 32),
        'extras': {'type': 'access'},
    }
    assert payload == {
        name: claim_value
        for name, claim_value in expected.items()
        if claim_value is not None
    }


@pytest.mark.parametrize('algorithm', ['HS256', 'HS384', 'HS512'])
@pytest.mark.parametrize(
    ('headers', 'extra_header'),
    [
        pytest.param(None, {}, id='default'),
        pytest.param({'kid': 'key-1'}, {'kid': 'key-1'}, id='kid'),
    ],
)
def test_encode_header_and_signature(
    algorithm: str,
    headers: dict[str, Any] | None,
    extra_header: dict[str, Any],
) -> None:
    token = _token()

    encoded = token.encode(SECRET, algorithm, headers)

    assert _segment(encoded, 0) == {
        'alg': algorithm,
        'typ': 'JWT',
        **extra_header,
    }
    assert jwt.decode(encoded, SECRET, algorithms=[algorithm]) == (
        token.to_claims()
    )


@pytest.mark.parametrize(
    ('secret', 'algorithm', 'extras'),
    [
        pytest.param(SECRET, 'HS999', {}, id='unknown-algorithm'),
        pytest.param(SECRET, 'none', {}, id='alg-none-with-key'),
        pytest.param(SECRET, 'RS256', {}, id='hmac-secret-for-rsa'),
        pytest.param(SECRET, 'HS256', {'x': object()}, id='object-extras'),
        pytest.param(SECRET, 'HS256', {'x': {1, 2}}, id='set-extras'),
        pytest.param(
            SECRET,
            'HS256',
            {'x': dt.datetime.now(dt.UTC)},
            id='datetime-extras',
        ),
    ],
)
def test_encode_failure_is_internal_error(
    secret: str,
    algorithm: str,
    extras: dict[str, Any],
) -> None:
    token = _token(extras=extras)

    with pytest.raises(TokenEncodeError) as exc_info:
        token.encode(secret, algorithm)

    assert exc_info.value.__suppress_context__


# Decoding: valid tokens and every keyword.


def test_decode_round_trip() -> None:
    token = _token(
        iss='issuer',
        aud=['api', 'web'],
        extras={'type': 'refresh', 'nested': {'roles': ['a'], 'n': 1.5}},
    )

    decoded = JWToken.decode(
        token.encode(SECRET, 'HS512'),
        SECRET,
        'HS512',
        accepted_audiences='web',
        accepted_issuers='issuer',
    )

    assert decoded == token
    assert type(decoded) is JWToken


def test_decode_merges_unknown_claims_into_extras() -> None:
    nbf = _now() - 5
    encoded = _sign(
        _claims(
            nbf=nbf,
            email='user@example.com',
            extras={'type': 'access', 'profile': {'roles': ['admin']}},
        ),
    )

    decoded = JWToken.decode(encoded, SECRET, 'HS256')

    assert decoded.extras == {
        'type': 'access',
        'profile': {'roles': ['admin']},
        'nbf': nbf,
        'email': 'user@example.com',
    }


def test_decode_without_extras_claim() -> None:
    decoded = JWToken.decode(
        _sign(_claims(extras=_MISSING, jti=_MISSING)),
        SECRET,
        'HS256',
    )

    assert decoded.extras == {}
    assert decoded.jti is None


@pytest.mark.parametrize(
    'options',
    [
        pytest.param({}, id='default'),
        pytest.param({'verify_iat': False}, id='verify-iat-off'),
        pytest.param({'require_claims': ['jti']}, id='other-required'),
        pytest.param({'verify_exp': False}, id='verify-exp-off'),
    ],
)
def test_decode_requires_iat(options: dict[str, Any]) -> None:
    # A token without `iat` must not be taken as issued "now": the
    # log-out-everywhere watermark compares `iat` and would miss it.
    encoded = _sign(_claims(iat=_MISSING))

    with pytest.raises(InvalidTokenError) as exc_info:
        JWToken.decode(encoded, SECRET, 'HS256', **options)

    assert_invalid_token(exc_info.value, Reason.MISSING_CLAIM)


def test_from_claims_requires_iat() -> None:
    with pytest.raises(ValueError, match='iat'):
        JWToken.from_claims(_claims(iat=_MISSING))


def test_decode_preserves_nested_extras() -> None:
    extras = {
        'type': 'access',
        'profile': {
            'roles': ['a', 'b'],
            'limits': {'daily': 10, 'ratio': 0.25},
            'flags': [True, False, None],
            'name': 'Zoë 🚀',
        },
    }

    decoded = JWToken.decode(_sign(_claims(extras=extras)), SECRET, 'HS256')

    assert decoded.extras == extras


@pytest.mark.parametrize(
    ('overrides', 'decode_kwargs'),
    [
        pytest.param({'exp': -10}, {'leeway': 60}, id='leeway-exp'),
        pytest.param({'nbf': 30}, {'leeway': 60}, id='leeway-nbf'),
        pytest.param({'exp': -3600}, {'verify_exp': False}, id='no-exp-check'),
        pytest.param({'iat': 3600}, {'verify_iat': False}, id='no-iat-check'),
        pytest.param({'nbf': 3600}, {'verify_nbf': False}, id='no-nbf-check'),
        pytest.param(
            {'iss': 'issuer'},
            {'require_claims': ['iss', 'jti']},
            id='required-present',
        ),
        pytest.param(
            {'iss': 'issuer'},
            {'accepted_issuers': 'issuer'},
            id='issuer-str',
        ),
        pytest.param(
            {'iss': 'issuer'},
            {'accepted_issuers': ['other', 'issuer']},
            id='issuer-list',
        ),
        pytest.param({'aud': 'api'}, {'accepted_audiences': 'api'}, id='aud'),
        pytest.param(
            {'aud': 'api'},
            {'accepted_audiences': ['other', 'api']},
            id='aud-one-of-accepted',
        ),
        pytest.param(
            {'aud': ['web', 'api']},
            {'accepted_audiences': 'api'},
            id='aud-list-claim',
        ),
        pytest.param(
            {'aud': 'api'},
            {'accepted_audiences': 'api', 'strict_audience': True},
            id='strict-audience',
        ),
        pytest.param({'aud': ''}, {}, id='empty-aud-without-audience'),
    ],
)
def test_decode_accepts(
    overrides: dict[str, Any],
    decode_kwargs: dict[str, Any],
) -> None:
    claims = _claims(**_shift_times(overrides))

    decoded = JWToken.decode(_sign(claims), SECRET, 'HS256', **decode_kwargs)

    assert decoded.to_claims() == _expected_wire(claims)


def _rejected(
    overrides: dict[str, Any],
    decode_kwargs: dict[str, Any],
    reason: Reason,
    *,
    id: str,  # noqa: A002
    marks: Any = (),
) -> Any:
    return pytest.param(overrides, decode_kwargs, reason, id=id, marks=marks)


_INVALID: Final = Reason.INVALID_CLAIMS


@pytest.mark.parametrize(
    ('overrides', 'decode_kwargs', 'reason'),
    [
        _rejected({'exp': -10}, {}, Reason.EXPIRED, id='expired'),
        _rejected(
            {'exp': -100},
            {'leeway': 60},
            Reason.EXPIRED,
            id='expired-beyond-leeway',
        ),
        _rejected({'iat': 3600}, {}, Reason.NOT_YET_VALID, id='iat-future'),
        _rejected({'nbf': 3600}, {}, Reason.NOT_YET_VALID, id='nbf-future'),
        _rejected(
            {'nbf': 100},
            {'leeway': 60},
            Reason.NOT_YET_VALID,
            id='nbf-beyond-leeway',
        ),
        _rejected(
            {},
            {'require_claims': ['iss']},
            Reason.MISSING_CLAIM,
            id='required-missing',
        ),
        _rejected(
            {'jti': _MISSING},
            {'require_claims': ['jti']},
            Reason.MISSING_CLAIM,
            id='required-jti-missing',
        ),
        _rejected(
            {'iss': 'evil'},
            {'accepted_issuers': 'issuer'},
            Reason.INVALID_ISSUER,
            id='wrong-issuer',
        ),
        _rejected(
            {'iss': 'evil'},
            {'accepted_issuers': ['issuer', 'other']},
            Reason.INVALID_ISSUER,
            id='issuer-not-in-list',
        ),
        _rejected(
            {},
            {'accepted_issuers': 'issuer'},
            Reason.MISSING_CLAIM,
            id='issuer-missing',
        ),
        _rejected(
            {'iss': 42},
            {'accepted_issuers': 'issuer'},
            Reason.INVALID_ISSUER,
            id='int-issuer',
        ),
        _rejected({'iss': 42}, {}, _INVALID, id='int-issuer-unchecked'),
        _rejected(
            {'aud': 'evil'},
            {'accepted_audiences': 'api'},
            Reason.INVALID_AUDIENCE,
            id='wrong-audience',
        ),
        _rejected(
            {'aud': ['evil', 'other']},
            {'accepted_audiences': ['api', 'web']},
            Reason.INVALID_AUDIENCE,
            id='no-common-audience',
        ),
        _rejected(
            {},
            {'accepted_audiences': 'api'},
            Reason.MISSING_CLAIM,
            id='audience-missing',
        ),
        _rejected(
            {'aud': 'api'},
            {},
            Reason.INVALID_AUDIENCE,
            id='aud-without-configured-audience',
        ),
        _rejected(
            {'aud': ['api']},
            {},
            Reason.INVALID_AUDIENCE,
            id='aud-list-without-configured-audience',
        ),
        _rejected(
            {'aud': ['api']},
            {'accepted_audiences': 'api', 'strict_audience': True},
            Reason.INVALID_AUDIENCE,
            id='strict-audience-list-claim',
        ),
        _rejected(
            {'aud': 'api2'},
            {'accepted_audiences': 'api', 'strict_audience': True},
            Reason.INVALID_AUDIENCE,
            id='strict-audience-mismatch',
        ),
        _rejected(
            {'aud': [1]},
            {'accepted_audiences': 'api'},
            Reason.INVALID_AUDIENCE,
            id='int-audience-claim',
        ),
        _rejected({'aud': 0}, {}, _INVALID, id='falsy-int-audience-claim'),
        _rejected({'sub': 42}, {}, _INVALID, id='int-sub'),
        _rejected(
            {'sub': 42},
            {'verify_sub': False},
            _INVALID,
            id='int-sub-no-check',
        ),
        _rejected({'sub': None}, {}, _INVALID, id='null-sub'),
        _rejected({'sub': ''}, {}, _INVALID, id='empty-sub'),
        _rejected(
            {'sub': _MISSING},
            {},
            Reason.MISSING_CLAIM,
            id='missing-sub',
        ),
        _rejected({'jti': 42}, {}, _INVALID, id='int-jti'),
        _rejected(
            {'jti': 42},
            {'verify_jti': False},
            _INVALID,
            id='int-jti-no-check',
        ),
        _rejected(
            {'exp': _MISSING},
            {},
            Reason.MISSING_CLAIM,
            id='missing-exp',
        ),
        _rejected(
            {'exp': _MISSING},
            {'verify_exp': False},
            Reason.MISSING_CLAIM,
            id='no-exp',
        ),
        _rejected(
            {'exp': _MISSING},
            {'require_claims': ['exp']},
            Reason.MISSING_CLAIM,
            id='required-exp-missing',
        ),
        _rejected(
            {'exp': None},
            {},
            _INVALID,
            id='null-exp',
        ),
        _rejected(
            {'exp': 'soon'},
            {},
            _INVALID,
            id='text-exp',
        ),
        _rejected(
            {'nbf': 'later'},
            {},
            _INVALID,
            id='text-nbf',
        ),
        _rejected(
            {'exp': True},
            {'verify_exp': False},
            _INVALID,
            id='bool-exp',
        ),
        _rejected(
            {'exp': [1]},
            {'verify_exp': False},
            _INVALID,
            id='list-exp',
        ),
        _rejected({'exp': 10**20}, {}, _INVALID, id='huge-int-exp'),
        _rejected(
            {'exp': -(10**20)},
            {'verify_exp': False},
            _INVALID,
            id='tiny-exp',
        ),
        _rejected({'exp': 1e300}, {}, _INVALID, id='huge-float-exp'),
        _rejected({'iat': 'today'}, {}, _INVALID, id='text-iat'),
        _rejected(
            {'iat': 'today'},
            {'verify_iat': False},
            _INVALID,
            id='text-iat-unchecked',
        ),
        _rejected(
            {'iat': 10**20},
            {'verify_iat': False},
            _INVALID,
            id='huge-iat',
        ),
        _rejected({'extras': ['type']}, {}, _INVALID, id='list-extras'),
        _rejected({'extras': 'access'}, {}, _INVALID, id='text-extras'),
        _rejected({'extras': None}, {}, _INVALID, id='null-extras'),
    ],
)
def test_decode_rejects_claims(
    overrides: dict[str, Any],
    decode_kwargs: dict[str, Any],
    reason: Reason,
) -> None:
    encoded = _sign(_claims(**_shift_times(overrides)))

    with pytest.raises(InvalidTokenError) as exc_info:
        JWToken.decode(encoded, SECRET, 'HS256', **decode_kwargs)

    assert_invalid_token(exc_info.value, reason)


def test_decode_exp_as_numeric_text_is_rejected() -> None:
    # PyJWT itself accepts `"exp": "<digits>"`, the DTO must not.
    encoded = _sign(_claims(exp=str(_now() + 3600)))

    with pytest.raises(InvalidTokenError) as exc_info:
        JWToken.decode(encoded, SECRET, 'HS256')

    assert_invalid_token(exc_info.value, Reason.INVALID_CLAIMS)


@pytest.mark.parametrize(
    ('exp_text', 'verify_exp'),
    [
        *(
            pytest.param(
                exp_text,
                verify_exp,
                id=f'{exp_text}-{"checked" if verify_exp else "unchecked"}',
            )
            for exp_text in ('Infinity', '-Infinity', 'NaN', '1e400')
            for verify_exp in (True, False)
        ),
        *(
            pytest.param(
                exp_text,
                verify_exp,
                id=f'{exp_text}-{"checked" if verify_exp else "unchecked"}',
            )
            for exp_text in ('1e300', '100000000000000000000')
            for verify_exp in (True, False)
        ),
    ],
)
def test_decode_rejects_non_finite_exp(
    exp_text: str,
    *,
    verify_exp: bool,
) -> None:
    payload = f'{{"sub": "1", "exp": {exp_text}, "iat": 1, "extras": {{}}}}'

    with pytest.raises(InvalidTokenError) as exc_info:
        JWToken.decode(_sign(payload), SECRET, 'HS256', verify_exp=verify_exp)

    assert_invalid_token(exc_info.value, Reason.INVALID_CLAIMS)


@pytest.mark.parametrize(
    'payload_text',
    [
        pytest.param('not json', id='not-json'),
        pytest.param('[1, 2]', id='array'),
        pytest.param('"text"', id='string'),
        pytest.param('null', id='null'),
        pytest.param('{"sub": "1", "exp": ', id='truncated'),
        pytest.param('[' * 100_000, id='deeply-nested'),
        pytest.param('\udcff', id='lone-surrogate'),
    ],
)
def test_decode_rejects_bad_payload_text(payload_text: str) -> None:
    encoded = _sign(payload_text.encode('utf-8', 'surrogatepass'))

    with pytest.raises(InvalidTokenError) as exc_info:
        JWToken.decode(encoded, SECRET, 'HS256')

    assert_invalid_token(exc_info.value, Reason.MALFORMED)


def _tampered(kind: str) -> str:
    valid = _sign(_claims())
    head, body, signature = valid.split('.')
    forged_body = _b64(json.dumps(_claims(sub='1')))
    replaced = {
        'wrong-secret': _sign(_claims(), secret=OTHER_SECRET),
        'payload-swapped': f'{head}.{forged_body}.{signature}',
        'signature-flipped': (
            f'{head}.{body}.{"B" if signature[0] == "A" else "A"}'
            f'{signature[1:]}'
        ),
        'signature-removed': f'{head}.{body}.',
        'signature-of-other-token': (
            f'{head}.{body}.{_sign(_claims(sub="1")).split(".")[2]}'
        ),
        'alg-none': jwt.encode(_claims(), '', algorithm='none'),
        'alg-none-keeps-signature': (
            f'{_b64(json.dumps({"alg": "none", "typ": "JWT"}))}.{body}.'
            f'{signature}'
        ),
        'header-says-hs512': (
            f'{_b64(json.dumps({"alg": "HS512", "typ": "JWT"}))}.{body}.'
            f'{signature}'
        ),
        'other-algorithm': jwt.encode(_claims(), SECRET, algorithm='HS512'),
        'header-not-object': f'{_b64("[]")}.{body}.{signature}',
        'header-not-json': f'{_b64("{")}.{body}.{signature}',
        'header-without-alg': f'{_b64("{}")}.{body}.{signature}',
        'deep-header': f'{_b64("[" * 100_000)}.{body}.{signature}',
        'two-segments': f'{head}.{body}',
        'four-segments': f'{valid}.{signature}',
        'bad-base64': f'{head}.{body}!.{signature}',
        'padding-in-segment': f'{head}.{body}===.{signature}',
    }
    return replaced[kind]


#: What each forgery of `_tampered` is refused for.
_FORGED: Final = {
    'wrong-secret': Reason.INVALID_SIGNATURE,
    'payload-swapped': Reason.INVALID_SIGNATURE,
    'signature-flipped': Reason.INVALID_SIGNATURE,
    'signature-removed': Reason.INVALID_SIGNATURE,
    'signature-of-other-token': Reason.INVALID_SIGNATURE,
    'alg-none': Reason.ALGORITHM_NOT_ALLOWED,
    'alg-none-keeps-signature': Reason.ALGORITHM_NOT_ALLOWED,
    'header-says-hs512': Reason.ALGORITHM_NOT_ALLOWED,
    'other-algorithm': Reason.ALGORITHM_NOT_ALLOWED,
    # No `alg` is not an allowed `alg`:
    'header-without-alg': Reason.ALGORITHM_NOT_ALLOWED,
    'header-not-object': Reason.MALFORMED,
    'header-not-json': Reason.MALFORMED,
    'deep-header': Reason.MALFORMED,
    'two-segments': Reason.MALFORMED,
    'four-segments': Reason.MALFORMED,
    'bad-base64': Reason.MALFORMED,
    'padding-in-segment': Reason.MALFORMED,
}


@pytest.mark.parametrize(
    ('kind', 'reason'),
    [pytest.param(kind, reason, id=kind) for kind, reason in _FORGED.items()],
)
def test_decode_rejects_forged_tokens(kind: str, reason: Reason) -> None:
    with pytest.raises(InvalidTokenError) as exc_info:
        JWToken.decode(_tampered(kind), SECRET, 'HS256')

    assert_invalid_token(exc_info.value, reason)


@pytest.mark.parametrize(
    ('token_algorithm', 'configured_algorithm'),
    [
        pytest.param('HS256', 'HS512', id='hs256-as-hs512'),
        pytest.param('HS512', 'HS256', id='hs512-as-hs256'),
        pytest.param('HS384', 'HS256', id='hs384-as-hs256'),
        pytest.param('none', 'HS256', id='none-as-hs256'),
        pytest.param('HS256', 'HS999', id='unknown-configured'),
        pytest.param('HS256', 'RS256', id='rsa-configured'),
    ],
)
def test_decode_rejects_algorithm_mismatch(
    token_algorithm: str,
    configured_algorithm: str,
) -> None:
    key = '' if token_algorithm == 'none' else SECRET
    encoded = jwt.encode(_claims(), key, algorithm=token_algorithm)

    with pytest.raises(InvalidTokenError) as exc_info:
        JWToken.decode(encoded, SECRET, configured_algorithm)

    assert_invalid_token(exc_info.value, Reason.ALGORITHM_NOT_ALLOWED)


@pytest.mark.parametrize('secret', [SECRET, ''], ids=['secret', 'no-secret'])
@pytest.mark.parametrize('configured_algorithm', ['none', 'None', 'NONE'])
def test_decode_refuses_to_be_configured_with_alg_none(
    secret: str,
    configured_algorithm: str,
) -> None:
    # Not a bad token but a bad configuration: never a `401`, whatever
    # the token; `alg: none` tokens would otherwise verify.
    encoded = jwt.encode(_claims(), '', algorithm='none')

    with pytest.raises(ValueError, match='alg: none'):
        JWToken.decode(encoded, secret, configured_algorithm)


@pytest.mark.parametrize(
    'encoded_token',
    [
        '',
        ' ',
        '.',
        '..',
        '...',
        'garbage',
        'a.b',
        'a.b.c',
        'a.b.c.d',
        'Bearer x.y.z',
        'ü.ü.ü',
        '\x00.\x00.\x00',
        '\udcff.\udcff.\udcff',
        'eyJ' * 1000,
    ],
)
def test_decode_rejects_garbage(encoded_token: str) -> None:
    with pytest.raises(InvalidTokenError) as exc_info:
        JWToken.decode(encoded_token, SECRET, 'HS256')

    assert_invalid_token(exc_info.value, Reason.MALFORMED)


def test_short_key_is_rejected_by_default() -> None:
    encoded = _sign(_claims(), secret=SHORT_SECRET)

    with pytest.raises(InvalidTokenError) as exc_info:
        JWToken.decode(encoded, SHORT_SECRET, 'HS256')

    # PyJWT's `InvalidKeyError`: the key does not fit the algorithm.
    assert_invalid_token(exc_info.value, Reason.ALGORITHM_NOT_ALLOWED)


def test_short_key_is_accepted_when_not_enforced() -> None:
    encoded = _sign(_claims(), secret=SHORT_SECRET)

    with pytest.warns(InsecureKeyLengthWarning):
        decoded = JWToken.decode(
            encoded,
            SHORT_SECRET,
            'HS256',
            enforce_minimum_key_length=False,
        )

    assert decoded.sub == '42'


def test_verify_exp_false_keeps_the_past_exp() -> None:
    exp = _now() - 3600

    decoded = JWToken.decode(
        _sign(_claims(exp=exp)),
        SECRET,
        'HS256',
        verify_exp=False,
    )

    assert decoded.exp == dt.datetime.fromtimestamp(exp, tz=dt.UTC)


@pytest.mark.parametrize(
    'accepted_audiences',
    [
        pytest.param(None, id='none'),
        pytest.param(['api'], id='list-of-one'),
        pytest.param(('api', 'web'), id='tuple'),
    ],
)
def test_strict_audience_requires_a_single_string(
    accepted_audiences: list[str] | tuple[str, ...] | None,
) -> None:
    with pytest.raises(ValueError, match='strict_audience'):
        JWToken.decode(
            _sign(_claims(aud='api')),
            SECRET,
            'HS256',
            accepted_audiences=accepted_audiences,
            strict_audience=True,
        )


def _shift_times(overrides: dict[str, Any]) -> dict[str, Any]:
    """Turn small ints of time claims into offsets from now."""
    shifted = dict(overrides)
    now = _now()
    for name in ('exp', 'iat', 'nbf'):
        claim_value = shifted.get(name)
        if type(claim_value) is int and abs(claim_value) <= 10**6:
            shifted[name] = now + claim_value
    return shifted


def _expected_wire(claims: Mapping[str, Any]) -> dict[str, Any]:
    """What `to_claims` gives for *claims* after a decode."""
    registered = {
        name: claims[name]
        for name in WIRE_ORDER
        if name in claims and name != 'extras'
    }
    extras = dict(claims.get('extras', {}))
    extras.update(
        (name, claim_value)
        for name, claim_value in claims.items()
        if name not in WIRE_ORDER
    )
    return {**registered, 'extras': extras}


# Hypothesis: round trips and fuzzing.

_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=12,
)
_json_objects = st.dictionaries(st.text(), _json_values, max_size=6)


@settings(max_examples=200, deadline=None)
@given(
    sub=st.text(min_size=1),
    iss=st.none() | st.text(),
    jti=st.none() | st.text(),
    extras=_json_objects,
    lifetime=st.integers(min_value=60, max_value=10**8),
    algorithm=st.sampled_from(['HS256', 'HS384', 'HS512']),
)
def test_encode_decode_round_trip(
    *,
    sub: str,
    iss: str | None,
    jti: str | None,
    extras: dict[str, Any],
    lifetime: int,
    algorithm: str,
) -> None:
    token = JWToken(
        sub=sub,
        exp=_in(lifetime),
        iss=iss,
        jti=jti,
        extras=extras,
    )

    decoded = JWToken.decode(token.encode(SECRET, algorithm), SECRET, algorithm)

    assert decoded == token


@settings(max_examples=200, deadline=None)
@given(encoded_token=st.text())
def test_random_text_is_never_authenticated(encoded_token: str) -> None:
    with pytest.raises(InvalidTokenError) as exc_info:
        JWToken.decode(encoded_token, SECRET, 'HS256')

    assert str(exc_info.value) in _MESSAGES


@settings(max_examples=200, deadline=None)
@given(
    segments=st.lists(
        st.binary(max_size=64).map(_b64)
        | st.text(alphabet='abcdefghijXYZ0123456789-_=.', max_size=64),
        min_size=1,
        max_size=5,
    ),
)
def test_random_segments_are_never_authenticated(segments: list[str]) -> None:
    with pytest.raises(InvalidTokenError) as exc_info:
        JWToken.decode('.'.join(segments), SECRET, 'HS256')

    # Never signed with our key: never a verdict on the claims.
    assert str(exc_info.value) in {
        Reason.MALFORMED.value,
        Reason.INVALID_SIGNATURE.value,
        Reason.ALGORITHM_NOT_ALLOWED.value,
    }


_claim_values = (
    _json_values
    | st.floats()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.integers(min_value=-(10**6), max_value=10**6).map(
        lambda offset: _now() + offset,
    )
)


def _decode_or_error(encoded_token: str) -> JWToken | InvalidTokenError:
    try:
        return JWToken.decode(encoded_token, SECRET, 'HS256')
    except InvalidTokenError as exc:
        return exc


@settings(max_examples=200, deadline=None)
@given(
    overrides=st.dictionaries(
        st.sampled_from((*WIRE_ORDER, 'nbf')) | st.text(max_size=5),
        _claim_values,
        max_size=6,
    ),
    start_valid=st.booleans(),
)
def test_signed_random_claims_raise_only_not_authenticated(
    overrides: dict[str, Any],
    *,
    start_valid: bool,
) -> None:
    payload = {**_claims(), **overrides} if start_valid else overrides
    decoded = _decode_or_error(_sign(payload))
    if isinstance(decoded, InvalidTokenError):
        # Correctly signed: the signature is never what is wrong.
        assert str(decoded) in _MESSAGES - {Reason.INVALID_SIGNATURE.value}
        return
    assert isinstance(decoded.sub, str)
    assert decoded.sub
    assert isinstance(decoded.extras, dict)


# decode_payload, decode_with_config and DecodeConfig:


def _decode_payload(encoded_token: str, secret: str = SECRET) -> dict[str, Any]:
    return JWToken.decode_payload(
        encoded_token,
        secret,
        ['HS256'],
        leeway=0,
        issuer=None,
        audience=None,
        options=None,
    )


def test_decode_payload_returns_raw_claims() -> None:
    claims = _claims(email='user@example.com', extras={'type': 'access'})

    assert _decode_payload(_sign(claims)) == claims


def test_decode_payload_raises_pyjwt_errors() -> None:
    encoded = _sign(_claims(), secret=OTHER_SECRET)

    with pytest.raises(jwt.InvalidSignatureError):
        _decode_payload(encoded)


def test_decode_errors_never_chain() -> None:
    # `raise ... from None`: PyJWT's message stays out of debug pages.
    with pytest.raises(InvalidTokenError) as exc_info:
        JWToken.decode(_sign(_claims(), secret=OTHER_SECRET), SECRET, 'HS256')

    assert exc_info.value.__cause__ is None
    assert exc_info.value.__suppress_context__


# Subclasses with extra fields:


@dataclasses.dataclass(frozen=True, slots=True)
class _TenantToken(JWToken):
    tenant: str | None = None


def test_subclass_field_is_a_top_level_claim() -> None:
    token = _TenantToken(
        sub='1',
        exp=_in(3600),
        jti='j',
        tenant='acme',
        extras={'type': 'access'},
    )

    encoded = token.encode(SECRET, 'HS256')

    payload = _segment(encoded, 1)
    assert tuple(payload) == ('sub', 'exp', 'iat', 'jti', 'tenant', 'extras')
    assert payload['tenant'] == 'acme'
    decoded = _TenantToken.decode(encoded, SECRET, 'HS256')
    assert type(decoded) is _TenantToken
    assert decoded.tenant == 'acme'
    assert decoded.extras == {'type': 'access'}
    assert decoded == token


def test_subclass_field_none_is_left_out() -> None:
    token = _TenantToken(sub='1', exp=_in(3600))

    encoded = token.encode(SECRET, 'HS256')

    assert 'tenant' not in _segment(encoded, 1)
    assert _TenantToken.decode(encoded, SECRET, 'HS256').tenant is None


def test_base_class_keeps_subclass_claims_in_extras() -> None:
    encoded = _TenantToken(sub='1', exp=_in(3600), tenant='acme').encode(
        SECRET,
        'HS256',
    )

    assert JWToken.decode(encoded, SECRET, 'HS256').extras == {
        'tenant': 'acme',
    }


@pytest.mark.parametrize(
    'extras',
    [
        pytest.param({'nbf': 'after lunch'}, id='text'),
        pytest.param({'nbf': None}, id='null'),
        pytest.param({'exp': [], 'iat': {}}, id='other-time-names'),
    ],
)
def test_time_names_inside_extras_are_application_data(
    extras: dict[str, Any],
) -> None:
    # Found by `test_encode_decode_round_trip`: the nested `extras` object
    # is the application's, only the top-level claims are NumericDates.
    token = JWToken(sub='1', exp=_in(3600), extras=extras)

    decoded = JWToken.decode(token.encode(SECRET, 'HS256'), SECRET, 'HS256')

    assert decoded == token
    assert decoded.extras == extras


def test_decode_payload_gets_arguments_of_its_own() -> None:
    # `decode_payload` is an override point: what one call does to its
    # arguments must never loosen the next call, of any token class.
    class _Lenient(JWToken):
        @override
        @classmethod
        def decode_payload(
            cls,
            encoded_token: str,
            secret: str,
            algorithms: list[str],
            **kwargs: Any,
        ) -> dict[str, Any]:
            kwargs['options']['verify_exp'] = False
            kwargs['options']['require'].clear()
            algorithms.append('HS512')
            return super().decode_payload(
                encoded_token,
                secret,
                algorithms,
                **kwargs,
            )

    expired = _sign({**_claims(), 'exp': _now() - 60})
    # Its own choice, for its own tokens.
    lenient = _Lenient.decode(expired, SECRET, 'HS256', require_claims=['jti'])
    assert lenient.sub == _claims()['sub']

    with pytest.raises(InvalidTokenError) as exc_info:
        JWToken.decode(expired, SECRET, 'HS256', require_claims=['jti'])
    assert_invalid_token(exc_info.value, Reason.EXPIRED)
