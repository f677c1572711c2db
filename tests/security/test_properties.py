"""Properties over large input spaces, with Hypothesis.

- whatever text is sent as a bearer token, and however a valid token is
  mutated, the answer is a ``401`` with one of the known reasons, or a
  ``200`` for the right user (a mutation can be a no-op);
- whatever the ``Authorization`` header holds, the answer is a ``401``
  (a reason, or "no token") or a ``200``, never a ``500``;
- every valid claim set survives ``encode`` then ``decode``.

Django's test client can only send latin-1 header values, so the HTTP
strategies draw latin-1 text; the rest of Unicode is covered at the
token layer.
"""

import datetime as dt
from typing import Any, Final, TypeAlias

import pytest
from django.conf import settings as django_settings
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dmr_jwt import JWToken, VerifyOptions
from dmr_jwt.errors import Reason
from tests.conftest import Mode
from tests.security.harness import (
    Accepted,
    Forge,
    NoToken,
    Outcome,
    decode_outcome,
    outcome_of,
)

pytestmark = [
    pytest.mark.urls('tests.app.security_urls'),
    pytest.mark.django_db,
]

_HTTP_SETTINGS: Final = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

#: Every character that an HTTP header value can carry in the test client.
_LATIN1: Final = st.characters(min_codepoint=0, max_codepoint=0xFF)

#: What a token is made of, to make mutations likely to stay near-valid.
_TOKEN_ALPHABET: Final = st.sampled_from(
    'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.= +/',
)

_Edit: TypeAlias = tuple[str, int, str]


def _bearer(client: Client, mode: Mode, value: str) -> Outcome:
    response = client.get(
        f'/security/hs256/{mode}/',
        headers={'Authorization': value},
    )
    return outcome_of(response)


def _mutate(token: str, edits: list[_Edit]) -> str:
    """Apply flip / insert / delete *edits*, positions taken modulo."""
    chars = list(token)
    for operation, position, char in edits:
        index = position % (len(chars) + 1)
        if operation == 'insert':
            chars.insert(index, char)
        elif chars and operation == 'delete':
            del chars[index % len(chars)]
        elif chars:
            chars[index % len(chars)] = char
    return ''.join(chars)


_EDITS: Final = st.lists(
    st.tuples(
        st.sampled_from(['flip', 'insert', 'delete']),
        st.integers(min_value=0, max_value=10_000),
        st.one_of(_TOKEN_ALPHABET, _LATIN1),
    ),
    min_size=1,
    max_size=4,
)


@_HTTP_SETTINGS
@given(text=st.text(_LATIN1, max_size=300))
def test_random_bearer_text_is_always_a_known_401(
    *,
    client: Client,
    mode: Mode,
    text: str,
) -> None:
    outcome = _bearer(client, mode, f'Bearer {text}')

    assert isinstance(outcome, Reason)


@_HTTP_SETTINGS
@given(edits=_EDITS)
def test_mutated_token_is_401_or_the_right_user(
    *,
    client: Client,
    forge: Forge,
    mode: Mode,
    edits: list[_Edit],
) -> None:
    token = forge.token()
    outcome = _bearer(client, mode, f'Bearer {_mutate(token, edits)}')

    # `outcome_of` has asserted the body and challenge of every 401.
    assert isinstance(outcome, Reason) or outcome == Accepted(forge.pk)


@_HTTP_SETTINGS
@given(value=st.text(_LATIN1, max_size=200))
def test_random_authorization_header_is_never_500(
    *,
    client: Client,
    mode: Mode,
    value: str,
) -> None:
    outcome = _bearer(client, mode, value)

    assert isinstance(outcome, Reason | NoToken)


@_HTTP_SETTINGS
@given(edits=_EDITS)
def test_mutated_token_at_token_layer_is_401_or_the_right_user(
    *,
    forge: Forge,
    edits: list[_Edit],
) -> None:
    # The same mutations, decoded directly (no latin-1 limit there).
    outcome = decode_outcome(_mutate(forge.token(), edits))

    assert isinstance(outcome, Reason) or outcome == Accepted(forge.pk)


# Round trips at the token layer.

_TEXT: Final = st.text(
    st.characters(blacklist_categories=['Cs']),
    min_size=1,
    max_size=40,
)

_JSON_SCALARS: Final = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _TEXT
)

_JSON: Final = st.recursive(
    _JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(_TEXT, children, max_size=4)
    ),
    max_leaves=12,
)

_NOW: Final = dt.datetime.now(dt.UTC).replace(tzinfo=None)


@st.composite
def _tokens(draw: st.DrawFn) -> JWToken:
    return JWToken(
        sub=draw(_TEXT),
        exp=draw(
            st.datetimes(
                min_value=_NOW + dt.timedelta(days=1),
                max_value=dt.datetime(9999, 1, 1),  # noqa: DTZ001
                timezones=st.just(dt.UTC),
            ),
        ),
        iat=draw(
            st.datetimes(
                min_value=dt.datetime(1970, 1, 2),  # noqa: DTZ001
                max_value=_NOW - dt.timedelta(minutes=1),
                timezones=st.just(dt.UTC),
            ),
        ),
        iss=draw(st.none() | _TEXT),
        aud=draw(st.none() | _TEXT | st.lists(_TEXT, min_size=1, max_size=3)),
        jti=draw(st.none() | _TEXT),
        extras=draw(st.dictionaries(_TEXT, _JSON, max_size=5)),
    )


def _decode_kwargs(token: JWToken) -> dict[str, Any]:
    return {
        'secret': django_settings.SECRET_KEY,
        'algorithm': 'HS256',
        'accepted_audiences': token.aud,
        'accepted_issuers': token.iss,
    }


@settings(max_examples=200, deadline=None)
@given(token=_tokens())
def test_every_valid_claim_set_round_trips(*, token: JWToken) -> None:
    encoded = token.encode(django_settings.SECRET_KEY, 'HS256')
    kwargs = _decode_kwargs(token)

    assert JWToken.decode(encoded, **kwargs) == token
    secret = kwargs.pop('secret')
    assert JWToken.decode(
        encoded,
        secret,
        **VerifyOptions(**kwargs).decode_keywords(),
    ) == (token)
