"""``VerifyOptions``: one declaration of every verification knob.

The auth classes translate their documented keywords into it once, it
produces PyJWT's options, and it is part of the verified-token cache key:
two auths that differ in any knob never share a cached token.
"""

import contextlib
import dataclasses
import datetime as dt
import uuid
from typing import Any, Final

import pytest
from dmr.exceptions import NotAuthenticatedError

from dmr_jwt import JWTAsyncAuth, JWToken, JWTSyncAuth, VerifyOptions

SECRET: Final = 'options-test-secret-' + 'k' * 64
OTHER_SECRET: Final = 'options-other-secret-' + 'q' * 64


def test_the_defaults_are_the_documented_ones() -> None:
    options = VerifyOptions()

    assert options == VerifyOptions(
        algorithm='HS256',
        leeway=0,
        accepted_audiences=None,
        accepted_issuers=None,
        require_claims=(),
        verify_exp=True,
        verify_iat=True,
        verify_jti=True,
        verify_nbf=True,
        verify_sub=True,
        strict_audience=False,
        enforce_minimum_key_length=True,
    )


def test_options_are_frozen_and_hashable() -> None:
    options = VerifyOptions(accepted_audiences=['api', 'web'])

    assert options.accepted_audiences == ('api', 'web')
    assert hash(options) == hash(
        VerifyOptions(accepted_audiences=('api', 'web'))
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.leeway = 5  # type: ignore[misc]


@pytest.mark.parametrize('empty', ['', [], ()])
def test_empty_audiences_and_issuers_are_none(empty: Any) -> None:
    options = VerifyOptions(accepted_audiences=empty, accepted_issuers=empty)

    assert options.accepted_audiences is None
    assert options.accepted_issuers is None


@pytest.mark.parametrize(
    ('keywords', 'message'),
    [
        pytest.param({'algorithm': 'none'}, 'alg: none', id='none'),
        pytest.param({'algorithm': 'NoNe'}, 'alg: none', id='none-mixed'),
        pytest.param(
            {'strict_audience': True},
            'strict_audience',
            id='strict-without-audience',
        ),
        pytest.param(
            {'strict_audience': True, 'accepted_audiences': ['a', 'b']},
            'strict_audience',
            id='strict-with-several',
        ),
    ],
)
def test_options_that_cannot_work_are_refused(
    keywords: dict[str, Any],
    message: str,
) -> None:
    with pytest.raises(ValueError, match=message):
        VerifyOptions(**keywords)


def test_pyjwt_options() -> None:
    options = VerifyOptions(
        accepted_issuers='issuer',
        require_claims=['jti'],
        verify_exp=False,
        verify_iat=False,
        verify_jti=False,
        verify_nbf=False,
        verify_sub=False,
        enforce_minimum_key_length=False,
    )

    assert options.pyjwt_options() == {
        'verify_signature': True,
        'verify_aud': True,
        'verify_iss': True,
        'verify_exp': False,
        'verify_iat': False,
        'verify_nbf': False,
        'verify_jti': False,
        'verify_sub': False,
        'strict_aud': False,
        'enforce_minimum_key_length': False,
        'require': ['jti'],
    }
    assert VerifyOptions().pyjwt_options()['verify_iss'] is False


def test_decode_keywords_are_decode_arguments() -> None:
    options = VerifyOptions(algorithm='HS512', leeway=3, accepted_issuers='i')
    token = JWToken(sub='1', exp=dt.datetime.now(dt.UTC) + dt.timedelta(1))
    encoded = JWToken(
        sub='1',
        exp=token.exp,
        iss='i',
    ).encode(SECRET, 'HS512')

    decoded = JWToken.decode(encoded, SECRET, **options.decode_keywords())

    assert decoded.iss == 'i'
    assert set(options.decode_keywords()) == {
        field.name for field in dataclasses.fields(VerifyOptions)
    }


# The auth classes: keywords in, one options object out.

#: Each documented auth keyword, the option it sets, and a non-default value.
AUTH_KEYWORDS: Final = (
    ('algorithm', 'algorithm', 'HS512'),
    ('leeway', 'leeway', 7),
    ('accepted_audiences', 'accepted_audiences', ('api',)),
    ('accepted_issuers', 'accepted_issuers', 'issuer'),
    ('require_claims', 'require_claims', ('jti',)),
    ('verify_expiry', 'verify_exp', False),
    ('verify_issued_at', 'verify_iat', False),
    ('verify_jwt_id', 'verify_jti', False),
    ('verify_not_before', 'verify_nbf', False),
    ('verify_subject', 'verify_sub', False),
    ('enforce_minimum_key_length', 'enforce_minimum_key_length', False),
)


def test_every_option_has_an_auth_keyword() -> None:
    covered = {field for _, field, _ in AUTH_KEYWORDS} | {'strict_audience'}

    assert covered == {
        field.name for field in dataclasses.fields(VerifyOptions)
    }


@pytest.mark.parametrize('auth_cls', [JWTSyncAuth, JWTAsyncAuth])
@pytest.mark.parametrize(('keyword', 'field', 'value'), AUTH_KEYWORDS)
def test_auth_keywords_become_options(
    auth_cls: type[JWTSyncAuth | JWTAsyncAuth],
    keyword: str,
    field: str,
    value: Any,
) -> None:
    auth = auth_cls(secret=SECRET, **{keyword: value})

    assert getattr(auth.options, field) == value
    assert auth.options == VerifyOptions(**{field: value})


def test_a_timedelta_leeway_is_whole_seconds() -> None:
    auth = JWTSyncAuth(secret=SECRET, leeway=dt.timedelta(minutes=2))

    assert auth.options.leeway == 120


def test_strict_audience_becomes_an_option() -> None:
    auth = JWTSyncAuth(
        secret=SECRET,
        accepted_audiences='api',
        strict_audience=True,
    )

    assert auth.options == VerifyOptions(
        accepted_audiences='api',
        strict_audience=True,
    )


# The cache key: no knob can be left out of it.


@dataclasses.dataclass(frozen=True)
class _Difference:
    """Two auth configurations that differ in exactly one knob."""

    knob: str
    base: dict[str, Any]
    changed: dict[str, Any]
    claims: dict[str, Any] = dataclasses.field(default_factory=dict)


class _OtherToken(JWToken):
    """Another token class: it decides how claims become a token."""


DIFFERENCES: Final = (
    _Difference('algorithm', {}, {'algorithm': 'HS512'}),
    _Difference('leeway', {}, {'leeway': 5}),
    _Difference('accepted_audiences', {}, {'accepted_audiences': 'api'}),
    _Difference('accepted_issuers', {}, {'accepted_issuers': 'issuer'}),
    _Difference('require_claims', {}, {'require_claims': ['nbf']}),
    _Difference('verify_exp', {}, {'verify_expiry': False}),
    _Difference('verify_iat', {}, {'verify_issued_at': False}),
    _Difference('verify_jti', {}, {'verify_jwt_id': False}),
    _Difference('verify_nbf', {}, {'verify_not_before': False}),
    _Difference('verify_sub', {}, {'verify_subject': False}),
    _Difference(
        'strict_audience',
        {'accepted_audiences': 'api'},
        {'accepted_audiences': 'api', 'strict_audience': True},
        claims={'aud': 'api'},
    ),
    _Difference(
        'enforce_minimum_key_length',
        {},
        {'enforce_minimum_key_length': False},
    ),
    _Difference('secret', {}, {'secret': OTHER_SECRET}),
    _Difference('token_cls', {}, {'token_cls': _OtherToken}),
)


def test_the_differences_cover_every_option() -> None:
    knobs = {difference.knob for difference in DIFFERENCES}

    assert knobs >= {field.name for field in dataclasses.fields(VerifyOptions)}


@pytest.mark.parametrize(
    'difference',
    DIFFERENCES,
    ids=[difference.knob for difference in DIFFERENCES],
)
def test_auths_that_differ_in_one_knob_never_share_a_cached_token(
    monkeypatch: pytest.MonkeyPatch,
    difference: _Difference,
) -> None:
    calls: list[type[JWToken]] = []
    original = JWToken.decode.__func__  # type: ignore[attr-defined]

    def decode(
        cls: type[JWToken],
        /,
        encoded: str,
        secret: str,
        **keywords: Any,
    ) -> JWToken:
        calls.append(cls)
        return original(cls, encoded, secret, **keywords)  # type: ignore[no-any-return]

    monkeypatch.setattr(JWToken, 'decode', classmethod(decode))
    base = {'secret': SECRET, 'token_cache_size': 8}
    first = JWTSyncAuth(**{**base, **difference.base})
    second = JWTSyncAuth(**{**base, **difference.changed})
    encoded = JWToken(
        sub='1',
        exp=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),
        # Its own token string: the caches are process-wide.
        jti=uuid.uuid4().hex,
        extras={'type': 'access'},
        **difference.claims,
    ).encode(SECRET, 'HS256')

    assert first.decode_token(encoded).sub == '1'
    assert first.decode_token(encoded).sub == '1'
    assert len(calls) == 1, 'the second call is a cache hit'
    with contextlib.suppress(NotAuthenticatedError):
        second.decode_token(encoded)

    # The other configuration verified the token itself: no shared entry.
    assert len(calls) == 2


@pytest.mark.parametrize('attribute', ['algorithm', 'verify_expiry', 'leeway'])
def test_the_option_attributes_are_read_only(attribute: str) -> None:
    class _Subclass(JWTSyncAuth):
        """Without ``__slots__``: an assignment could shadow an option."""

    auth = _Subclass(secret=SECRET)

    with pytest.raises(AttributeError, match='is an option'):
        setattr(auth, attribute, 'HS512')
    assert auth.options == VerifyOptions()
