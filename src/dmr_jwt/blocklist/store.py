"""Blocklist state: the only module that reads or writes it.

The database is the source of truth; Django's cache fronts it:

- :func:`blocklist` writes the row (``get_or_create`` on the unique ``jti``,
  safe when two processes block one token at once), then writes
  "blocked" through to the cache;
- :func:`is_blocklisted` asks the cache first, falls back to the database,
  and caches both answers: "blocked" until the token expires,
  "not blocked" until the token expires in a shared cache (every block
  writes through to it) or for ``BLOCKLIST_LOCAL_CACHE_TTL`` seconds in a
  per-process cache (the staleness bound for other processes).

"Log out everywhere" (:func:`revoke_all`) is one row per user, not per
token: a watermark ``not_before``; every token of that user with ``iat``
before it is revoked (:func:`is_revoked_by_watermark`). It is cached like
the blocklist: a new watermark is written through with ``set``; a read from
the database is cached with ``add`` (never over a newer watermark) until the
token expires in a shared cache, for ``BLOCKLIST_LOCAL_CACHE_TTL`` seconds
in a per-process cache. A per-process cache also keeps a watermark only that
long, because a watermark, unlike a block, can move.

In steady state a check costs one cache read and no query. A failing cache
never fails a request: it is logged and the database answers.
The ``a``-prefixed functions are the async twins; both share every step
that does no I/O.
"""

import dataclasses
import datetime as dt
import functools
import logging
from typing import TYPE_CHECKING, Any, Final, TypeVar, final

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import setting_changed
from django.db import router
from django.dispatch import receiver

from dmr_jwt.cache_keys import safe_cache_key
from dmr_jwt.caching import (
    acache_add,
    acache_delete,
    acache_get,
    acache_get_many,
    acache_set,
)
from dmr_jwt.conf import SETTINGS_NAME, get_settings
from dmr_jwt.token import JWToken

if TYPE_CHECKING:
    from django.db.models import Model, QuerySet

    from dmr_jwt.blocklist.models import BlocklistedJWToken

__all__ = (
    'BlocklistError',
    'FlushResult',
    'ablocklist',
    'ais_blocklisted',
    'blocklist',
    'cache_key',
    'flush_expired',
    'is_blocklisted',
    'is_per_process_cache',
)

_logger: Final = logging.getLogger(__name__)

_KEY_PREFIX: Final = 'dmr_jwt:blocklist:'


_NO_GRACE: Final = dt.timedelta(0)

_ModelT = TypeVar('_ModelT', bound='Model')


#: Longest ``sub`` that a watermark can be stored for.
_SUB_MAX_LENGTH: Final = 255

#: Longest ``jti`` that can be stored.
JTI_MAX_LENGTH: Final = 255


@final
class BlocklistError(ValueError):
    """Raised for a token that cannot be blocklisted: no usable ``jti``."""


@final
@dataclasses.dataclass(frozen=True, slots=True)
class FlushResult:
    """What :func:`flush_expired` did (or, with ``dry_run``, would do)."""

    deleted: int
    batches: int


@final
@dataclasses.dataclass(frozen=True, slots=True)
class _Plan:
    """The blocklist settings, resolved once."""

    cache_alias: str | None
    database: str | None
    shared_cache: bool
    local_ttl: int


@functools.cache
def _plan() -> _Plan:
    settings = get_settings()
    alias = settings.BLOCKLIST_CACHE
    shared = settings.BLOCKLIST_SHARED_CACHE
    if shared is None:
        shared = alias is None or not is_per_process_cache(caches[alias])
    return _Plan(
        cache_alias=alias,
        database=settings.BLOCKLIST_DATABASE,
        shared_cache=shared,
        local_ttl=settings.BLOCKLIST_LOCAL_CACHE_TTL,
    )


@receiver(setting_changed)
def _reset_plan(*, setting: str, **kwargs: Any) -> None:
    if setting in {SETTINGS_NAME, 'CACHES', 'DATABASES'}:
        _plan.cache_clear()


def is_per_process_cache(cache: BaseCache) -> bool:
    """Whether *cache* lives in one process only (``LocMemCache``)."""
    return isinstance(cache, LocMemCache)


def cache_key(jti: str) -> str:
    """The cache key that holds the blocklist state of *jti*."""
    return safe_cache_key(_KEY_PREFIX, jti)


# Writes:


def blocklist(
    token: JWToken,
    *,
    grace: dt.timedelta = _NO_GRACE,
) -> tuple['BlocklistedJWToken', bool]:
    """
    Blocklist *token*: ``(row, created)``, like ``get_or_create``.

    The row and the cached answer live until ``exp + grace``: pass the
    verifying auth's leeway, so a revoked token stays revoked as long as
    that auth would accept it.

    Raises:
        BlocklistError: If the token has no usable ``jti``.

    """
    plan = _plan()
    jti = _require_jti(token)
    row, created = _rows(plan).get_or_create(
        jti=jti,
        defaults=_row_defaults(token, grace),
    )
    _cache_set(plan, jti, blocked=True, expires_at=token.exp + grace)
    return row, created


async def ablocklist(
    token: JWToken,
    *,
    grace: dt.timedelta = _NO_GRACE,
) -> tuple['BlocklistedJWToken', bool]:
    """Blocklist *token*, async. See :func:`blocklist`."""
    plan = _plan()
    jti = _require_jti(token)
    row, created = await _rows(plan).aget_or_create(
        jti=jti,
        defaults=_row_defaults(token, grace),
    )
    await _acache_set(plan, jti, blocked=True, expires_at=token.exp + grace)
    return row, created


# Reads:


def is_blocklisted(
    token: JWToken,
    *,
    grace: dt.timedelta = _NO_GRACE,
) -> bool:
    """
    Whether *token* is blocklisted: the cache first, then the database.

    Raises:
        BlocklistError: If the token has no usable ``jti``.

    """
    plan = _plan()
    jti = _require_jti(token)
    return _blocked(plan, token, jti, grace, _read(plan, cache_key(jti)))


async def ais_blocklisted(
    token: JWToken,
    *,
    grace: dt.timedelta = _NO_GRACE,
) -> bool:
    """Whether *token* is blocklisted, async. See :func:`is_blocklisted`."""
    plan = _plan()
    jti = _require_jti(token)
    cached = await _aread(plan, cache_key(jti))
    return await _ablocked(plan, token, jti, grace, cached)


def _blocked(
    plan: _Plan,
    token: JWToken,
    jti: str,
    grace: dt.timedelta,
    cached: object,
) -> bool:
    """The answer for *jti*: *cached* (read already), else the database."""
    if isinstance(cached, bool):
        return cached
    blocked = _rows(plan).filter(jti=jti).exists()
    _cache_set(plan, jti, blocked=blocked, expires_at=token.exp + grace)
    return blocked


async def _ablocked(
    plan: _Plan,
    token: JWToken,
    jti: str,
    grace: dt.timedelta,
    cached: object,
) -> bool:
    if isinstance(cached, bool):
        return cached
    blocked = await _rows(plan).filter(jti=jti).aexists()
    await _acache_set(plan, jti, blocked=blocked, expires_at=token.exp + grace)
    return blocked


# Maintenance:


def flush_expired(
    *,
    batch_size: int = 1000,
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> FlushResult:
    """
    Delete the rows of tokens that expired before *now*, in batches.

    Blocklisted tokens, used refresh tokens and revoked families: each
    table in its own batches. Each batch selects at most *batch_size*
    primary keys, then deletes them, so memory and lock time stay bounded
    on a table of any size.
    With *dry_run*, only counts.
    """
    if batch_size < 1:
        raise ValueError('batch_size must be positive')
    from dmr_jwt.blocklist import models  # noqa: PLC0415

    deleted = batches = 0
    for model in _EXPIRING_MODELS:
        result = _flush_table(
            _queryset(_plan(), getattr(models, model)).filter(
                expires_at__lt=now or dt.datetime.now(dt.UTC),
            ),
            batch_size=batch_size,
            dry_run=dry_run,
        )
        deleted += result.deleted
        batches += result.batches
    return FlushResult(deleted=deleted, batches=batches)


#: The tables whose rows carry ``expires_at``, flushed in this order.
_EXPIRING_MODELS: Final = (
    'BlocklistedJWToken',
    'UsedRefreshToken',
    'RevokedTokenFamily',
)


def _flush_table(
    expired: 'QuerySet[Any]',
    *,
    batch_size: int,
    dry_run: bool,
) -> FlushResult:
    if dry_run:
        count = expired.count()
        return FlushResult(deleted=count, batches=-(-count // batch_size))
    deleted = batches = 0
    while True:
        batch = list(
            expired.order_by('pk').values_list('pk', flat=True)[:batch_size],
        )
        if not batch:
            return FlushResult(deleted=deleted, batches=batches)
        deleted += expired.filter(pk__in=batch).delete()[0]
        batches += 1


# Helpers that do no I/O, shared by the twins:


def _require_jti(token: JWToken) -> str:
    jti = token.jti
    if not isinstance(jti, str) or not jti:
        raise BlocklistError('A token without `jti` cannot be blocklisted')
    if len(jti) > JTI_MAX_LENGTH:
        raise BlocklistError(
            f'A `jti` longer than {JTI_MAX_LENGTH} characters '
            'cannot be blocklisted',
        )
    if not _is_storable(jti) or not _is_storable(token.sub):
        # JSON can carry lone surrogates and NUL, databases cannot store
        # them (PostgreSQL refuses NUL in text).
        raise BlocklistError('A `jti` or `sub` that cannot be stored')
    return jti


def _is_storable(text: str) -> bool:
    if '\x00' in text:
        return False
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _row_defaults(token: JWToken, grace: dt.timedelta) -> dict[str, Any]:
    # A row (and a cached answer) must outlive the token: auth that
    # allows `leeway` accepts it `leeway` seconds after `exp`.
    return {'sub': token.sub[:255], 'expires_at': token.exp + grace}


def _rows(plan: _Plan) -> 'QuerySet[BlocklistedJWToken]':
    # Imported here: this module is imported before the app registry is.
    from dmr_jwt.blocklist.models import BlocklistedJWToken  # noqa: PLC0415

    return _queryset(plan, BlocklistedJWToken)


def _queryset(plan: _Plan, model: type[_ModelT]) -> 'QuerySet[_ModelT]':
    """Every row of *model*, on the blocklist's database."""
    manager = model._default_manager  # noqa: SLF001
    if plan.database is None:
        return manager.all()
    return manager.using(plan.database)


def _write_database(plan: _Plan, model: type['Model']) -> str:
    """The alias that *model*'s rows are written to."""
    return plan.database or router.db_for_write(model)


def _timeout(plan: _Plan, *, blocked: bool, expires_at: dt.datetime) -> int:
    now = dt.datetime.now(dt.UTC).timestamp()
    remaining = max(int(expires_at.timestamp() - now), 1)
    if blocked or plan.shared_cache:
        return remaining
    return min(plan.local_ttl, remaining)


# Cache access: a broken cache is logged, never raised.


def _cache_set(
    plan: _Plan,
    jti: str,
    *,
    blocked: bool,
    expires_at: dt.datetime,
) -> None:
    # A block overwrites; "not blocked" from the database is only added:
    # it must not overwrite a block written meanwhile.
    timeout = _timeout(plan, blocked=blocked, expires_at=expires_at)
    _write(plan, cache_key(jti), blocked, timeout, overwrite=blocked)


async def _acache_set(
    plan: _Plan,
    jti: str,
    *,
    blocked: bool,
    expires_at: dt.datetime,
) -> None:
    timeout = _timeout(plan, blocked=blocked, expires_at=expires_at)
    await _awrite(plan, cache_key(jti), blocked, timeout, overwrite=blocked)


def _read(plan: _Plan, key: str) -> Any:
    if plan.cache_alias is None:
        return None
    try:
        return caches[plan.cache_alias].get(key)
    except Exception:
        _logger.warning('dmr_jwt: blocklist cache read failed', exc_info=True)
        return None


async def _aread(plan: _Plan, key: str) -> Any:
    if plan.cache_alias is None:
        return None
    try:
        return await acache_get(caches[plan.cache_alias], key)
    except Exception:
        _logger.warning('dmr_jwt: blocklist cache read failed', exc_info=True)
        return None


def _read_many(plan: _Plan, keys: list[str]) -> dict[str, Any]:
    # One round trip for several answers (`MGET` on Redis).
    if plan.cache_alias is None:
        return {}
    try:
        return caches[plan.cache_alias].get_many(keys)
    except Exception:
        _logger.warning('dmr_jwt: blocklist cache read failed', exc_info=True)
        return {}


async def _aread_many(plan: _Plan, keys: list[str]) -> dict[str, Any]:
    if plan.cache_alias is None:
        return {}
    try:
        return await acache_get_many(caches[plan.cache_alias], keys)
    except Exception:
        _logger.warning('dmr_jwt: blocklist cache read failed', exc_info=True)
        return {}


def _write(
    plan: _Plan,
    key: str,
    cache_value: object,
    expires_in: int,
    *,
    overwrite: bool = False,
) -> None:
    if plan.cache_alias is None:
        return
    cache = caches[plan.cache_alias]
    try:
        if overwrite:
            cache.set(key, cache_value, expires_in)
        else:
            cache.add(key, cache_value, expires_in)
    except Exception:
        _logger.warning('dmr_jwt: blocklist cache write failed', exc_info=True)
        if overwrite:
            _forget_cached(cache, key)


async def _awrite(
    plan: _Plan,
    key: str,
    cache_value: object,
    expires_in: int,
    *,
    overwrite: bool = False,
) -> None:
    if plan.cache_alias is None:
        return
    cache = caches[plan.cache_alias]
    try:
        if overwrite:
            await acache_set(cache, key, cache_value, expires_in)
        else:
            await acache_add(cache, key, cache_value, expires_in)
    except Exception:
        _logger.warning('dmr_jwt: blocklist cache write failed', exc_info=True)
        if overwrite:
            await _aforget_cached(cache, key)


def _forget_cached(cache: BaseCache, key: str) -> None:
    # A revocation that could not be written must not leave a cached
    # "valid" behind: without an entry, readers ask the database.
    try:
        cache.delete(key)
    except Exception:
        _logger.exception('dmr_jwt: a revoked token may stay cached as valid')


async def _aforget_cached(cache: BaseCache, key: str) -> None:
    try:
        await acache_delete(cache, key)
    except Exception:
        _logger.exception('dmr_jwt: a revoked token may stay cached as valid')
