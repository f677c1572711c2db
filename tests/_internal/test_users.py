from collections.abc import Callable
from typing import Final
from unittest import mock

import pytest
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
    set_request_user,
)
from dmr_jwt.errors import Reason
from tests.conftest import assert_token_error

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


@pytest.mark.django_db
def test_get_user_by_pk(*, user: User) -> None:
    assert SubjectLookup().get_user(str(user.pk)) == user


@pytest.mark.django_db(transaction=True)
async def test_aget_user_by_pk(*, user: User) -> None:
    assert await SubjectLookup().aget_user(str(user.pk)) == user


@pytest.mark.parametrize('make_subject', _BAD_PK_SUBJECTS)
def test_get_user_bad_subject(
    *,
    user: User,
    make_subject: Callable[[int], str],
) -> None:
    with pytest.raises(NotAuthenticatedError) as exc_info:
        SubjectLookup().get_user(make_subject(user.pk))

    _assert_user_refused(exc_info.value)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize('make_subject', _BAD_PK_SUBJECTS)
async def test_aget_user_bad_subject(
    *,
    user: User,
    make_subject: Callable[[int], str],
) -> None:
    with pytest.raises(NotAuthenticatedError) as exc_info:
        await SubjectLookup().aget_user(make_subject(user.pk))

    _assert_user_refused(exc_info.value)


def test_get_user_by_username(*, user: User) -> None:
    lookup = SubjectLookup('username')

    assert lookup.get_user(user.username) == user
    with pytest.raises(NotAuthenticatedError) as exc_info:
        lookup.get_user(str(user.pk))
    _assert_user_refused(exc_info.value)


def test_get_user_not_unique(*, user: User) -> None:
    User.objects.create_user('other_user', email=user.email)

    with pytest.raises(NotAuthenticatedError) as exc_info:
        SubjectLookup('email').get_user(user.email)

    _assert_user_refused(exc_info.value)


def test_related_lookup_is_left_to_the_database(*, user: User) -> None:
    # `__` lookups are not compared with the field text:
    lookup = SubjectLookup('username__iexact')

    assert lookup.get_user(user.username.upper()) == user


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
def test_lookup_errors_become_401(*, error: Exception) -> None:
    lookup = mock.Mock()
    lookup.get.side_effect = error

    with (
        mock.patch(
            'dmr_jwt._internal.users.prepared_lookup', return_value=lookup
        ),
        pytest.raises(NotAuthenticatedError) as exc_info,
    ):
        SubjectLookup().get_user('1')

    lookup.get.assert_called_once_with('1')
    _assert_user_refused(exc_info.value)


@pytest.mark.parametrize(
    'error',
    [
        pytest.param(error_cls('lookup failed'), id=error_cls.__name__)
        for error_cls in USER_LOOKUP_ERRORS
    ],
)
async def test_async_lookup_errors_become_401(*, error: Exception) -> None:
    lookup = mock.Mock()
    lookup.get.side_effect = error

    with (
        mock.patch(
            'dmr_jwt._internal.users.prepared_lookup', return_value=lookup
        ),
        pytest.raises(NotAuthenticatedError) as exc_info,
    ):
        await SubjectLookup().aget_user('1')

    lookup.get.assert_called_once_with('1')
    _assert_user_refused(exc_info.value)


def test_database_errors_are_not_hidden() -> None:
    # An outage is a 500, not "not authenticated":
    lookup = mock.Mock()
    lookup.get.side_effect = DatabaseError('connection lost')

    with (
        mock.patch(
            'dmr_jwt._internal.users.prepared_lookup', return_value=lookup
        ),
        pytest.raises(DatabaseError),
    ):
        SubjectLookup().get_user('1')


async def test_set_request_user() -> None:
    request = RequestFactory().get('/')
    user = User(username='unsaved')

    set_request_user(request, user)

    assert request.user is user
    assert await request.auser() is user
