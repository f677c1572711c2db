"""Token family ids: which claims count as a family, and refresh's family."""

import datetime as dt
from typing import Any, Final

import pytest

from dmr_jwt._internal.families import (
    FAMILY_MAX_LENGTH,
    is_usable_family,
    new_family,
    refresh_family,
    token_family,
)
from dmr_jwt.token import JWToken

_EXP: Final = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)

_UNUSABLE: Final = (
    pytest.param(None, id='missing'),
    pytest.param(42, id='int'),
    pytest.param('', id='empty'),
    pytest.param('f' * (FAMILY_MAX_LENGTH + 1), id='too-long'),
    pytest.param('a\x00b', id='nul'),
)


def _token(family: Any = None, jti: str | None = 'the-jti') -> JWToken:
    extras = {} if family is None else {'family': family}
    return JWToken(sub='1', exp=_EXP, jti=jti, extras=extras)


def test_new_families_are_distinct_uuid4_hex() -> None:
    families = {new_family() for _ in range(100)}

    assert len(families) == 100
    assert all(
        len(family) == 32 and is_usable_family(family) for family in families
    )


@pytest.mark.parametrize(
    'family',
    ['f', 'f' * FAMILY_MAX_LENGTH, 'é-famille'],
)
def test_a_usable_family_is_the_family(family: str) -> None:
    token = _token(family)

    assert token_family(token) == family
    assert refresh_family(token) == family


@pytest.mark.parametrize('family', _UNUSABLE)
def test_without_a_usable_family_refresh_uses_the_jti(family: Any) -> None:
    token = _token(family)

    assert token_family(token) is None
    assert refresh_family(token) == 'the-jti'


@pytest.mark.parametrize(
    'jti',
    [
        pytest.param(None, id='no-jti'),
        pytest.param('j' * (FAMILY_MAX_LENGTH + 1), id='too-long-jti'),
    ],
)
def test_without_family_or_usable_jti_there_is_none(jti: str | None) -> None:
    assert refresh_family(_token(jti=jti)) is None


def test_a_lone_surrogate_is_no_family() -> None:
    # A decoded token cannot carry one (`JWToken` refuses it); a custom
    # `make_token_family` could return one.
    assert not is_usable_family('\ud800')
