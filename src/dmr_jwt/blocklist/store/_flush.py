"""Deleting the rows of expired tokens, in bounded batches."""

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Any, Final, final

from dmr_jwt.blocklist.store._base import StoreBase

if TYPE_CHECKING:
    from django.db.models import QuerySet

__all__ = ('FlushResult', 'FlushState')

#: The tables whose rows carry ``expires_at``, flushed in this order.
_EXPIRING_MODELS: Final = (
    'BlocklistedJWToken',
    'UsedRefreshToken',
    'RevokedTokenFamily',
)


@final
@dataclasses.dataclass(frozen=True, slots=True)
class FlushResult:
    """What :meth:`FlushState.flush_expired` did (or would do)."""

    deleted: int
    batches: int


class FlushState(StoreBase):
    """Maintenance: ``manage.py flush_expired_jwtokens``."""

    __slots__ = ()

    def flush_expired(
        self,
        *,
        batch_size: int = 1000,
        dry_run: bool = False,
        now: dt.datetime | None = None,
    ) -> FlushResult:
        """
        Delete the rows of tokens that expired before *now*, in batches.

        Blocklisted tokens, used refresh tokens and revoked families: each
        table in its own batches. Each batch selects at most *batch_size*
        primary keys, then deletes them, so memory and lock time stay
        bounded on a table of any size. With *dry_run*, only counts.
        Watermarks are never flushed: they have no expiry.
        """
        if batch_size < 1:
            raise ValueError('batch_size must be positive')
        from dmr_jwt.blocklist import models  # noqa: PLC0415

        deleted = batches = 0
        for model in _EXPIRING_MODELS:
            result = _flush_table(
                self.policy.rows(getattr(models, model)).filter(
                    expires_at__lt=now or dt.datetime.now(dt.UTC),
                ),
                batch_size=batch_size,
                dry_run=dry_run,
            )
            deleted += result.deleted
            batches += result.batches
        return FlushResult(deleted=deleted, batches=batches)


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
