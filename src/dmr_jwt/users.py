"""From a token subject to a user: one lookup shared by auth and views."""

import dataclasses
from typing import TYPE_CHECKING, Any, Final, final

from django.core.exceptions import (
    MultipleObjectsReturned,
    ObjectDoesNotExist,
    ValidationError,
)
from django.http import HttpRequest

from dmr_jwt.errors import Reason, token_error

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

__all__ = ('USER_LOOKUP_ERRORS', 'SubjectLookup', 'set_request_user')

# Errors that mean "this subject does not identify exactly one user".
#
# A signed token can carry any string as its subject, while the lookup
# field is typed: integer fields raise `ValueError` (and `OverflowError`
# on SQLite for huge numbers), `UUIDField` raises `ValidationError`.
# A non-unique lookup field gives `MultipleObjectsReturned`.
# All of them mean the same thing to a client: not authenticated.
USER_LOOKUP_ERRORS: Final = (
    ObjectDoesNotExist,
    MultipleObjectsReturned,
    ValidationError,
    TypeError,
    ValueError,
    OverflowError,
)


@final
@dataclasses.dataclass(frozen=True, slots=True)
class SubjectLookup:
    """
    Finds the user that a token subject names, or raises a ``401``.

    The subject must be the *canonical* text of the field value:
    ``"1"`` finds user ``1``, while ``" 1"``, ``"+1"``, ``"01"`` or
    non-ASCII digits (which the ORM would happily convert to ``1``) do not.

    Attributes:
        user_id_field: User model field matched against the subject,
            ``'pk'`` by default. A related lookup like ``profile__uuid``
            is matched by the database alone.

    .. versionadded:: 0.1.0
    """

    user_id_field: str = 'pk'

    def get_user(self, subject: str) -> 'AbstractBaseUser':
        """Return the user named by *subject*, sync."""
        try:
            user = _user_manager().get(**{self.user_id_field: subject})
        except USER_LOOKUP_ERRORS:
            raise token_error(Reason.USER_INACTIVE) from None
        return self.verify(user, subject)

    async def aget_user(self, subject: str) -> 'AbstractBaseUser':
        """Return the user named by *subject*, async. See :meth:`get_user`."""
        try:
            user = await _user_manager().aget(**{self.user_id_field: subject})
        except USER_LOOKUP_ERRORS:
            raise token_error(Reason.USER_INACTIVE) from None
        return self.verify(user, subject)

    def verify(
        self,
        user: 'AbstractBaseUser',
        subject: str,
    ) -> 'AbstractBaseUser':
        """Make sure that *subject* is the canonical text of the field."""
        if '__' in self.user_id_field:
            return user
        if str(getattr(user, self.user_id_field)) != subject:
            raise token_error(Reason.USER_INACTIVE)
        return user


def set_request_user(request: HttpRequest, user: 'AbstractBaseUser') -> None:
    """Make *user* the authenticated user of *request*, sync and async."""
    request.user = user

    async def auser() -> 'AbstractBaseUser':
        return user

    request.auser = auser


def _user_manager() -> Any:
    # Imported here: this module must be importable before `django.setup()`.
    from django.contrib.auth import get_user_model  # noqa: PLC0415

    return get_user_model()._default_manager  # noqa: SLF001
