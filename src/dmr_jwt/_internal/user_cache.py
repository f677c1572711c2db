"""The user cache: keys, and forgetting users when they change.

``SubjectLookup`` caches users in Django's cache when ``cache_timeout``
is set. Saving or deleting a user deletes its entries at
once (and again when the transaction commits), under the lookup values it
had when it was loaded and the ones it has now. A failing cache is logged
and otherwise ignored: the database answers. Lookups go through a
:class:`~dmr_jwt._internal.guarded_cache.GuardedCache` per alias: after a
failure, ``DMR_JWT['CACHE_BACKOFF']`` seconds without the cache, one log
line per window. Deletes are always tried: a user who changed must not
stay cached.
"""

import contextlib
import functools
import logging
import threading
from collections.abc import Iterator
from typing import Any, Final

from django.core.cache import caches
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models.signals import post_delete, post_init, post_save
from django.dispatch import receiver

from dmr_jwt._internal.boundary import describe_fault
from dmr_jwt._internal.cache_keys import safe_cache_key
from dmr_jwt._internal.guarded_cache import GuardedCache
from dmr_jwt._internal.prepared_lookup import simple_field, user_model
from dmr_jwt.conf import SETTINGS_NAME, get_settings

__all__ = (
    'cache_errors_logged',
    'user_cache_guard',
    'user_cache_key',
    'watch_user_changes',
)

_KEY_PREFIX: Final = 'dmr_jwt:user:'

# A stable name, not the module's: `_internal` is private, and logging
# configurations must not depend on where this code lives.
_logger: Final = logging.getLogger('dmr_jwt.cache')


def user_cache_key(user_id_field: str, subject: str) -> str:
    """Return the cache key of the user whose *user_id_field* is *subject*."""
    return safe_cache_key(f'{_KEY_PREFIX}{user_id_field}:', subject)


@functools.cache
def user_cache_guard(cache_alias: str) -> GuardedCache:
    """The user cache *cache_alias*, behind its breaker (one per process)."""
    return GuardedCache(
        cache_alias,
        backoff=float(get_settings().CACHE_BACKOFF),
        purpose='user',
        logger=_logger,
    )


@receiver(setting_changed)
def _reset_guards(*, setting: str, **kwargs: Any) -> None:
    if setting in {SETTINGS_NAME, 'CACHES'}:
        user_cache_guard.cache_clear()


#: ``(cache alias, user id field)`` of every lookup that caches users.
_WATCHED: Final[set[tuple[str, str]]] = set()
_WATCHED_LOCK: Final = threading.Lock()


def watch_user_changes(cache_alias: str, user_id_field: str) -> None:
    """Forget users cached in *cache_alias* when they are saved or deleted."""
    with _WATCHED_LOCK:
        _WATCHED.add((cache_alias, user_id_field))
    # `post_init` runs for every instance: only for the user model.
    # Saves and deletes are rarer: no `sender`, so a swapped user model
    # (tests do it) is still watched. `dispatch_uid` connects once.
    post_init.connect(
        _remember_lookup_values,
        sender=user_model(),
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
        with cache_errors_logged():
            caches[cache_alias].delete(
                user_cache_key(user_id_field, field_value),
            )


def _lookup_values(instance: Any) -> set[tuple[str, str, str]]:
    # Only values already loaded: reading a deferred field would query.
    loaded = instance.__dict__
    values: set[tuple[str, str, str]] = set()
    with _WATCHED_LOCK:
        watched = tuple(_WATCHED)
    for cache_alias, user_id_field in watched:
        field = simple_field(type(instance), user_id_field)
        if field is None:
            continue
        field_value = loaded.get(field.attname)
        if field_value is not None:
            values.add((cache_alias, user_id_field, str(field_value)))
    return values


@contextlib.contextmanager
def cache_errors_logged() -> Iterator[None]:
    """Log and swallow any error of the block: the cache is optional."""
    # The user cache is an optimisation: when it fails, the database
    # answers and the request goes on. One line, no traceback: a cache that
    # is down fails every request.
    try:
        yield
    except Exception as exc:  # noqa: BLE001
        _logger.warning(
            'dmr_jwt: user cache failed, asking the database: %s',
            describe_fault(exc),
        )


def _is_user(instance: object) -> bool:
    from django.contrib.auth import get_user_model  # noqa: PLC0415

    return isinstance(instance, get_user_model())
