"""Subject to user, compiled once: a fast path around the ORM's ``get()``.

Building and compiling ``User._default_manager.get(**{field: subject})``
costs several times more than running it. :func:`prepared_lookup` returns
the :class:`PreparedLookup` of the current user model, lookup field and
database, built on first use and forgotten when those settings change.
"""

from typing import Any, Final, final

from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.core.signals import setting_changed
from django.db import connections, router
from django.db.models import QuerySet
from django.db.models.expressions import Col
from django.dispatch import receiver

__all__ = (
    'PREPARED_LOOKUPS',
    'PreparedLookup',
    'prepared_lookup',
    'simple_field',
    'user_model',
)


def user_model() -> Any:
    """Return the active user model (``settings.AUTH_USER_MODEL``)."""
    # Imported here: this module must be importable before `django.setup()`.
    from django.contrib.auth import get_user_model  # noqa: PLC0415

    return get_user_model()


@final
class PreparedLookup:
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
        self._field = simple_field(model, user_id_field)
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


def simple_field(model: Any, user_id_field: str) -> Any:
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
PREPARED_LOOKUPS: Final[dict[tuple[object, str, str], PreparedLookup]] = {}


def prepared_lookup(user_id_field: str) -> PreparedLookup:
    """Return the lookup by *user_id_field* of the user model, made once."""
    model = user_model()
    database = router.db_for_read(model)
    key = (model, user_id_field, database)
    prepared = PREPARED_LOOKUPS.get(key)
    if prepared is None:
        prepared = PREPARED_LOOKUPS[key] = PreparedLookup(
            model,
            user_id_field,
            database,
        )
    return prepared


@receiver(setting_changed)
def _reset_prepared(*, setting: str, **kwargs: Any) -> None:
    if setting in {'AUTH_USER_MODEL', 'DATABASES', 'DATABASE_ROUTERS'}:
        PREPARED_LOOKUPS.clear()
