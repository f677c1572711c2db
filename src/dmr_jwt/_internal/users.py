"""From a token subject to a user: one lookup shared by auth and views.

Optionally the user object is cached in Django's cache (``user_cache_timeout``
on the auth classes), so that an authenticated request makes no query.
Saving or deleting a user forgets it at once in this process (and in every
process, with a shared cache); otherwise an entry lives ``timeout`` seconds.
"""

import dataclasses
from typing import TYPE_CHECKING, Any, Final, final

from asgiref.sync import sync_to_async
from django.core.exceptions import (
    MultipleObjectsReturned,
    ObjectDoesNotExist,
    ValidationError,
)
from django.http import HttpRequest
from typing_extensions import override

from dmr_jwt._internal.guarded_cache import Entry
from dmr_jwt._internal.http_errors import token_error
from dmr_jwt._internal.prepared_lookup import prepared_lookup
from dmr_jwt._internal.user_cache import (
    user_cache_guard,
    user_cache_key,
    watch_user_changes,
)
from dmr_jwt.errors import Reason

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    from dmr_jwt.token import JWToken

__all__ = (
    'USER_LOOKUP_ERRORS',
    'SubjectLookup',
    'TokenUser',
    'set_request_user',
)

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
        cache_alias: Django cache that remembers users, with *cache_timeout*.
        cache_timeout: Seconds a cached user lives; ``None``: no caching.

    .. versionadded:: 0.1.0
    """

    user_id_field: str = 'pk'
    cache_alias: str = 'default'
    cache_timeout: int | None = None

    def __post_init__(self) -> None:
        """Forget cached users when they change."""
        if self.cache_timeout is not None:
            watch_user_changes(self.cache_alias, self.user_id_field)

    def get_user(self, subject: str) -> 'AbstractBaseUser':
        """Return the user named by *subject*, sync."""
        if self.cache_timeout is None:
            return self.verify(self._query(subject), subject)
        key = self._cache_key(subject)
        guard = user_cache_guard(self.cache_alias)
        cached = guard.get_many([key]).get(key)
        if cached is not None:
            return self.verify(cached, subject)
        user = self.verify(self._query(subject), subject)
        guard.put(self._entry(key, user))
        return user

    async def aget_user(self, subject: str) -> 'AbstractBaseUser':
        """Return the user named by *subject*, async. See :meth:`get_user`."""
        if self.cache_timeout is None:
            return self.verify(await self._aquery(subject), subject)
        key = self._cache_key(subject)
        guard = user_cache_guard(self.cache_alias)
        cached = (await guard.aget_many([key])).get(key)
        if cached is not None:
            return self.verify(cached, subject)
        user = self.verify(await self._aquery(subject), subject)
        await guard.aput(self._entry(key, user))
        return user

    def _entry(self, key: str, user: 'AbstractBaseUser') -> Entry:
        # `add`: never over a newer entry; a save deletes it anyway.
        assert self.cache_timeout is not None  # noqa: S101
        return Entry(key, user, self.cache_timeout, overwrite=False)

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

    def _query(self, subject: str) -> 'AbstractBaseUser':
        if '\x00' in subject:
            # No database stores NUL in text (PostgreSQL raises for it).
            raise token_error(Reason.USER_INACTIVE)
        try:
            user: AbstractBaseUser = prepared_lookup(self.user_id_field).get(
                subject,
            )
        except USER_LOOKUP_ERRORS:
            raise token_error(Reason.USER_INACTIVE) from None
        return user

    async def _aquery(self, subject: str) -> 'AbstractBaseUser':
        # Like Django's own `aget`: the sync query in the thread-sensitive
        # executor, where this request's database connection lives.
        return await sync_to_async(self._query)(subject)

    def _cache_key(self, subject: str) -> str:
        return user_cache_key(self.user_id_field, subject)


@final
class TokenUser:
    """
    The user of a request in ``stateless`` mode: built from the token alone.

    No database is asked, so nothing about the user is checked: a deleted or
    deactivated user keeps access until the token expires. Use short access
    token lifetimes and the blocklist, and put into ``extras`` what the
    application needs (``username``, roles...).

    Attributes:
        token: The verified access token.
        pk: The subject (``sub``), as a string.

    .. versionadded:: 0.1.0
    """

    __slots__ = ('pk', 'token')

    is_active: Final = True
    is_authenticated: Final = True
    is_anonymous: Final = False
    is_staff: Final = False
    is_superuser: Final = False

    def __init__(self, token: 'JWToken', pk: str | None = None) -> None:
        """Wrap a verified *token*; *pk* defaults to its subject."""
        self.token = token
        self.pk = token.sub if pk is None else pk

    def has_perm(self, perm: str, obj: object = None) -> bool:
        """No permissions: they live in the database, not in the token."""
        return False

    def has_perms(self, perm_list: object, obj: object = None) -> bool:
        """No permissions, see :meth:`has_perm`."""
        return False

    def has_module_perms(self, app_label: str) -> bool:
        """No permissions, see :meth:`has_perm`."""
        return False

    @property
    def id(self) -> str:
        """The subject, like :attr:`pk`."""
        return self.pk

    def get_username(self) -> str:
        """Return ``extras['username']`` if the token has it, or the subject."""
        username = self.token.extras.get('username')
        return username if isinstance(username, str) else self.pk

    @override
    def __str__(self) -> str:
        return self.get_username()

    @override
    def __eq__(self, other: object) -> bool:
        return isinstance(other, TokenUser) and other.pk == self.pk

    @override
    def __hash__(self) -> int:
        return hash(self.pk)


def set_request_user(request: HttpRequest, user: Any) -> None:
    """Make *user* the authenticated user of *request*, sync and async."""
    request.user = user

    async def auser() -> Any:
        return user

    request.auser = auser
