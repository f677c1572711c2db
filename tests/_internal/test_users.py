import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final
from unittest import mock

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import User
from django.core.exceptions import (
    MultipleObjectsReturned,
    ObjectDoesNotExist,
    ValidationError,
)
from django.db import DatabaseError
from django.test import RequestFactory
from dmr.exceptions import NotAuthenticatedError

from dmr_jwt._internal.users import (
    USER_LOOKUP_ERRORS,
    SubjectLookup,
    TokenUser,
    set_request_user,
)
from dmr_jwt.errors import Reason
from dmr_jwt.token import JWToken
from tests.conftest import Mode, assert_token_error

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

_ARABIC_INDIC_DIGITS: Final = str.maketrans('0123456789', '٠١٢٣٤٥٦٧٨٩')

#: Subjects that must never find the user with primary key ``pk``.
_BAD_PK_SUBJECTS: Final = [
    pytest.param(lambda pk: 'abc', id='not-a-number'),
    pytest.param(lambda pk: '', id='empty'),
    pytest.param(lambda pk: '9' * 23, id='overflow'),
    pytest.param(lambda pk: f' {pk}', id='leading-space'),
    pytest.param(lambda pk: f'{pk}\n', id='trailing-newline'),
    pytest.param(lambda pk: f'+{pk}', id='plus-sign'),
    pytest.param(lambda pk: f'0{pk}', id='leading-zero'),
    pytest.param(lambda pk: f'{pk}.0', id='float'),
    pytest.param(
        lambda pk: str(pk).translate(_ARABIC_INDIC_DIGITS),
        id='arabic-indic-digits',
    ),
    pytest.param(lambda pk: str(pk + 1), id='no-such-user'),
]


def _assert_user_refused(exc: BaseException) -> None:
    # One reason for every failed lookup: it never tells which users exist.
    assert_token_error(exc, Reason.USER_INACTIVE)
    # `raise ... from None`: lookup errors never reach debug pages.
    assert exc.__cause__ is None
    assert exc.__context__ is None or exc.__suppress_context__


def _get_user(
    lookup: SubjectLookup,
    subject: str,
    mode: Mode,
) -> 'AbstractBaseUser':
    """``lookup.get_user`` or ``lookup.aget_user``, as *mode* says."""
    if mode == 'sync':
        return lookup.get_user(subject)
    # The async query runs in this thread (thread-sensitive executor), on
    # the test's database connection and transaction.
    return async_to_sync(lookup.aget_user)(subject)


def test_get_user_by_pk(*, user: User, mode: Mode) -> None:
    assert _get_user(SubjectLookup(), str(user.pk), mode) == user


@pytest.mark.parametrize('make_subject', _BAD_PK_SUBJECTS)
def test_get_user_bad_subject(
    *,
    user: User,
    mode: Mode,
    make_subject: Callable[[int], str],
) -> None:
    with pytest.raises(NotAuthenticatedError) as exc_info:
        _get_user(SubjectLookup(), make_subject(user.pk), mode)

    _assert_user_refused(exc_info.value)


def test_get_user_by_username(*, user: User, mode: Mode) -> None:
    lookup = SubjectLookup('username')

    assert _get_user(lookup, user.username, mode) == user
    with pytest.raises(NotAuthenticatedError) as exc_info:
        _get_user(lookup, str(user.pk), mode)
    _assert_user_refused(exc_info.value)


def test_get_user_not_unique(*, user: User, mode: Mode) -> None:
    User.objects.create_user('other_user', email=user.email)

    with pytest.raises(NotAuthenticatedError) as exc_info:
        _get_user(SubjectLookup('email'), user.email, mode)

    _assert_user_refused(exc_info.value)


def test_related_lookup_is_left_to_the_database(
    *,
    user: User,
    mode: Mode,
) -> None:
    # `__` lookups are not compared with the field text:
    lookup = SubjectLookup('username__iexact')

    assert _get_user(lookup, user.username.upper(), mode) == user


def test_verify(*, user: User) -> None:
    lookup = SubjectLookup()

    assert lookup.verify(user, str(user.pk)) is user
    with pytest.raises(NotAuthenticatedError) as exc_info:
        lookup.verify(user, f'0{user.pk}')
    _assert_user_refused(exc_info.value)
    assert SubjectLookup('profile__uuid').verify(user, 'anything') is user


def test_default_user_id_field() -> None:
    assert SubjectLookup().user_id_field == 'pk'


def test_user_lookup_errors() -> None:
    assert set(USER_LOOKUP_ERRORS) == {
        ObjectDoesNotExist,
        MultipleObjectsReturned,
        ValidationError,
        TypeError,
        ValueError,
        OverflowError,
    }


@pytest.mark.parametrize(
    'error',
    [
        pytest.param(error_cls('lookup failed'), id=error_cls.__name__)
        for error_cls in USER_LOOKUP_ERRORS
    ],
)
def test_lookup_errors_become_401(*, error: Exception, mode: Mode) -> None:
    lookup = mock.Mock()
    lookup.get.side_effect = error

    with (
        mock.patch(
            'dmr_jwt._internal.users.prepared_lookup', return_value=lookup
        ),
        pytest.raises(NotAuthenticatedError) as exc_info,
    ):
        _get_user(SubjectLookup(), '1', mode)

    lookup.get.assert_called_once_with('1')
    _assert_user_refused(exc_info.value)


def test_database_errors_are_not_hidden(mode: Mode) -> None:
    # An outage is a 500, not "not authenticated":
    lookup = mock.Mock()
    lookup.get.side_effect = DatabaseError('connection lost')

    with (
        mock.patch(
            'dmr_jwt._internal.users.prepared_lookup', return_value=lookup
        ),
        pytest.raises(DatabaseError),
    ):
        _get_user(SubjectLookup(), '1', mode)

    lookup.get.assert_called_once_with('1')


async def test_set_request_user() -> None:
    request = RequestFactory().get('/')
    user = User(username='unsaved')

    set_request_user(request, user)

    assert request.user is user
    assert await request.auser() is user


def test_token_user_has_no_permissions() -> None:
    token = JWToken(
        sub='7',
        exp=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5),
    )
    token_user = TokenUser(token)

    assert not token_user.has_perm('auth.view_user')
    assert not token_user.has_perms(['auth.view_user'])
    assert not token_user.has_module_perms('auth')


def _token_user(sub: str, **extras: Any) -> TokenUser:
    return TokenUser(
        JWToken(
            sub=sub,
            exp=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),
            extras={'type': 'access', **extras},
        ),
    )


def test_token_user_attributes() -> None:
    user = _token_user('42', username='alice')

    assert (user.pk, user.id) == ('42', '42')
    assert user.get_username() == 'alice'
    assert str(user) == 'alice'
    assert user.is_authenticated is True
    assert user.is_anonymous is False
    assert user.is_active is True
    assert (user.is_staff, user.is_superuser) == (False, False)
    assert user.token.extras['username'] == 'alice'


@dataclasses.dataclass(frozen=True)
class _SamePk:
    pk: str


def test_token_user_equality_and_hash_by_pk() -> None:
    user = _token_user('42')
    same = _token_user('42', username='alice')
    other = _token_user('43')

    assert user == same
    assert hash(user) == hash(same)
    assert user != other
    assert user != _SamePk('42')
    assert len({user, same, other}) == 2
