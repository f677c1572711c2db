"""What every part of the revocation store holds: policy, cache, limits."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dmr_jwt._internal.guarded_cache import GuardedCache
    from dmr_jwt.blocklist.store._policy import Policy
    from dmr_jwt.blocklist.store._rows import Limits

__all__ = ('StoreBase',)


class StoreBase:
    """
    The state of a :class:`~dmr_jwt.blocklist.store.RevocationStore`.

    Each kind of revocation state is a mixin over this base, in a module
    of its own; the store combines them, so one policy and one guarded
    cache serve all of them.
    """

    __slots__ = ('cache', 'limits', 'policy')

    policy: 'Policy'
    cache: 'GuardedCache'
    limits: 'Limits'
