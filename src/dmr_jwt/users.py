"""From a token subject to a user: one lookup shared by auth and views.

Optionally the user object is cached in Django's cache (``user_cache_timeout``
on the auth classes), so that an authenticated request makes no query.
Saving or deleting a user forgets it at once in this process (and in every
process, with a shared cache); otherwise an entry lives ``timeout`` seconds.
"""

import contextlib
import dataclasses
import logging
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Final, final

from asgiref.sync import sync_to_async
from django.core.cache import caches
from django.core.exceptions import (
    EmptyResultSet,
    FieldDoesNotExist,
    MultipleObjectsReturned,
    ObjectDoesNotExist,
    ValidationError,
)
from django.core.signals import setting_changed
from django.db import connections, router, transaction
from django.db.models import QuerySet
from django.db.models.expressions import Col
from django.db.models.signals import post_delete, post_init, post_save
from django.dispatch import receiver
from django.http import HttpRequest
from typing_extensions import override

from dmr_jwt.cache_keys import safe_cache_key
from dmr_jwt.caching import acache_add, acache_get
from dmr_jwt.errors import Reason, token_error

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

_KEY_PREFIX: Final = 'dmr_jwt:user:'

_logger: Final = logging.getLogger(__name__)


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
            _watch_user_changes(self.cache_alias, self.user_id_field)

    def get_user(self, subject: str) -> 'AbstractBaseUser':
        """Return the user named by *subject*, sync."""
        if self.cache_timeout is None:
            return self.verify(self._query(subject), subject)
        key = self._cache_key(subject)
        cache = caches[self.cache_alias]
        cached = None
        with _cache_errors_logged():
            cached = cache.get(key)
        if cached is not None:
            return self.verify(cached, subject)
        user = self.verify(self._query(subject), subject)
        with _cache_errors_logged():
            cache.add(key, user, self.cache_timeout)
        return user

    async def aget_user(self, subject: str) -> 'AbstractBaseUser':
        """Return the user named by *subject*, async. See :meth:`get_user`."""
        if self.cache_timeout is None:
            return self.verify(await self._aquery(subject), subject)
        key = self._cache_key(subject)
        cache = caches[self.cache_alias]
        cached = None
        with _cache_errors_logged():
            cached = await acache_get(cache, key)
        if cached is not None:
            return self.verify(cached, subject)
        user = self.verify(await self._aquery(subject), subject)
        with _cache_errors_logged():
            await acache_add(cache, key, user, self.cache_timeout)
        return user

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
            user: AbstractBaseUser = _prepared_lookup(self.user_id_field).get(
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
        return _user_cache_key(self.user_id_field, subject)


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


def _user_model() -> Any:
    # Imported here: this module must be importable before `django.setup()`.
    from django.contrib.auth import get_user_model  # noqa: PLC0415

    return get_user_model()


@final
class _PreparedLookup:
    """
    ``User._default_manager.get(**{field: subject})``, compiled once.

    Building and compiling the ORM query costs several times more than
    running it. The query is compiled once per (user model, field,
    database), with the first subject; each call then only converts the
    subject to the column's database value, runs the SQL and builds the
    instance with the same converters as the ORM. What the fast path
    cannot reproduce exactly (related lookups, default managers that
    filter, inherited keys) goes through the ORM every time.
    """

    __slots__ = (
        '_columns',
        '_compiler',
        '_converters',
        '_database',
        '_field',
        '_model',
        '_sql',
        '_user_id_field',
    )

    def __init__(self, model: Any, user_id_field: str, database: str) -> None:
        self._model = model
        self._user_id_field = user_id_field
        self._database = database
        self._field = _simple_field(model, user_id_field)
        self._sql: str | None = None
        self._compiler: Any = None
        self._columns: list[str] = []
        self._converters: dict[int, Any] = {}

    def get(self, subject: str) -> Any:
        """Return the one user whose field equals *subject*."""
        field = self._field
        if field is None:
            return self._manager().get(**{self._user_id_field: subject})
        if self._sql is None:
            self._compile(subject)
            if self._sql is None:
                return self._manager().get(**{self._user_id_field: subject})
        connection = connections[self._database]
        db_value = field.get_db_prep_value(
            field.get_prep_value(subject),
            connection,
            prepared=True,
        )
        with connection.cursor() as cursor:
            cursor.execute(self._sql, [db_value])
            rows = cursor.fetchmany(2)
        if not rows:
            raise self._model.DoesNotExist
        if len(rows) > 1:
            raise self._model.MultipleObjectsReturned
        if self._converters:
            rows = list(self._compiler.apply_converters(rows, self._converters))
        return self._model.from_db(self._database, self._columns, rows[0])

    def _manager(self) -> Any:
        return self._model._default_manager.db_manager(self._database)  # noqa: SLF001

    def _compile(self, subject: str) -> None:
        manager = self._manager()
        base = manager.all().query
        if (
            base.where
            or base.annotations
            or base.extra
            or base.select_related
            or type(manager.all()).get is not QuerySet.get
        ):
            self._field = None  # anything unusual: always the ORM
            return
        # Like `get()`: no ordering. Raises for a subject that cannot be
        # a value of the field (nothing is compiled, the caller says 401).
        queryset = manager.filter(**{self._user_id_field: subject}).order_by()
        compiler = queryset.query.get_compiler(using=self._database)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            # The value can match nothing (an integer out of range):
            # not compiled, and no such user.
            raise self._model.DoesNotExist from None
        selected = [column for column, _, _ in compiler.select]
        if len(params) != 1 or not all(
            isinstance(column, Col) for column in selected
        ):
            self._field = None
            return
        self._columns = [column.target.attname for column in selected]
        self._converters = compiler.get_converters(selected)
        self._compiler = compiler
        self._sql = sql


def _simple_field(model: Any, user_id_field: str) -> Any:
    """The concrete, non-relational local field named *user_id_field*."""
    if '__' in user_id_field:
        return None
    if user_id_field == 'pk':
        field = model._meta.pk  # noqa: SLF001
    else:
        try:
            field = model._meta.get_field(user_id_field)  # noqa: SLF001
        except FieldDoesNotExist:
            return None
    if not getattr(field, 'concrete', False) or field.is_relation:
        return None
    if field.model is not model:  # multi-table inheritance
        return None
    return field


#: Prepared lookups by (user model, field, database), built on first use.
_PREPARED: Final[dict[tuple[object, str, str], _PreparedLookup]] = {}


def _prepared_lookup(user_id_field: str) -> _PreparedLookup:
    model = _user_model()
    database = router.db_for_read(model)
    key = (model, user_id_field, database)
    prepared = _PREPARED.get(key)
    if prepared is None:
        prepared = _PREPARED[key] = _PreparedLookup(
            model,
            user_id_field,
            database,
        )
    return prepared


@receiver(setting_changed)
def _reset_prepared(*, setting: str, **kwargs: Any) -> None:
    if setting in {'AUTH_USER_MODEL', 'DATABASES', 'DATABASE_ROUTERS'}:
        _PREPARED.clear()


def _user_cache_key(user_id_field: str, subject: str) -> str:
    return safe_cache_key(f'{_KEY_PREFIX}{user_id_field}:', subject)


#: ``(cache alias, user id field)`` of every lookup that caches users.
_WATCHED: Final[set[tuple[str, str]]] = set()
_WATCHED_LOCK: Final = threading.Lock()


def _watch_user_changes(cache_alias: str, user_id_field: str) -> None:
    with _WATCHED_LOCK:
        _WATCHED.add((cache_alias, user_id_field))
    # `post_init` runs for every instance: only for the user model.
    # Saves and deletes are rarer: no `sender`, so a swapped user model
    # (tests do it) is still watched. `dispatch_uid` connects once.
    post_init.connect(
        _remember_lookup_values,
        sender=_user_model(),
        weak=False,
        dispatch_uid=__name__,
    )
    post_save.connect(_forget_user, weak=False, dispatch_uid=__name__)
    post_delete.connect(_forget_user, weak=False, dispatch_uid=__name__)


#: Instance attribute with the lookup values a user had when it was loaded:
#: a save that renames a user must forget the entry under the OLD name too.
_LOADED_VALUES: Final = '_dmr_jwt_lookup_values'


def _remember_lookup_values(*, instance: object, **kwargs: Any) -> None:
    if _is_user(instance):
        instance.__dict__[_LOADED_VALUES] = _lookup_values(instance)


def _forget_user(*, instance: object, **kwargs: Any) -> None:
    if not _is_user(instance):
        return
    loaded: set[tuple[str, str, str]] = instance.__dict__.get(
        _LOADED_VALUES,
        set(),
    )
    stale = loaded | _lookup_values(instance)
    _delete_user_keys(stale)
    # Again once the transaction commits: a concurrent request may have
    # read (and cached) the old row in between.
    transaction.on_commit(lambda: _delete_user_keys(stale))
    instance.__dict__[_LOADED_VALUES] = _lookup_values(instance)


def _delete_user_keys(stale: set[tuple[str, str, str]]) -> None:
    for cache_alias, user_id_field, field_value in stale:
        with _cache_errors_logged():
            caches[cache_alias].delete(
                _user_cache_key(user_id_field, field_value),
            )


def _lookup_values(instance: Any) -> set[tuple[str, str, str]]:
    # Only values already loaded: reading a deferred field would query.
    loaded = instance.__dict__
    values: set[tuple[str, str, str]] = set()
    with _WATCHED_LOCK:
        watched = tuple(_WATCHED)
    for cache_alias, user_id_field in watched:
        field = _simple_field(type(instance), user_id_field)
        if field is None:
            continue
        field_value = loaded.get(field.attname)
        if field_value is not None:
            values.add((cache_alias, user_id_field, str(field_value)))
    return values


@contextlib.contextmanager
def _cache_errors_logged() -> Iterator[None]:
    # The user cache is an optimisation: when it fails, the database
    # answers and the request goes on.
    try:
        yield
    except Exception:
        _logger.warning('dmr_jwt: user cache failed', exc_info=True)


def _is_user(instance: object) -> bool:
    from django.contrib.auth import get_user_model  # noqa: PLC0415

    return isinstance(instance, get_user_model())
