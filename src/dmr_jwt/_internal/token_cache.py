"""A bounded, process-wide cache of verified tokens.

A client sends the same access token with every request until it expires.
Verifying its signature again each time is wasted work: this cache maps the
exact token string, under one verifying configuration, to the token that
was verified. A hit still checks ``exp`` and ``nbf`` against the clock, so
a cached token expires on time; revocation and user checks run as usual,
after decoding.

Entries are evicted first-in first-out when the cache is full, and when
they are found expired. Reads take no lock; writes take one.
"""

import dataclasses
import hashlib
import math
import threading
import time
from typing import Final, final

from django.views.decorators.debug import sensitive_variables

from dmr_jwt.options import VerifyOptions
from dmr_jwt.token import JWToken

__all__ = (
    'VerifiedTokenCache',
    'remember_verified',
    'verified_token_cache',
    'verifier_key',
)


@final
@dataclasses.dataclass(frozen=True, slots=True)
class _Entry:
    token: JWToken
    #: Latest moment (epoch seconds) at which the token is still valid.
    valid_until: float
    #: Earliest moment at which it is valid, or ``-inf``.
    valid_from: float


@final
class VerifiedTokenCache:
    """
    Verified tokens of one configuration, at most *max_size* of them.

    .. versionadded:: 0.1.0
    """

    __slots__ = ('_entries', '_lock', 'max_size')

    def __init__(self, max_size: int) -> None:
        """Create an empty cache that holds at most *max_size* tokens."""
        if max_size < 1:
            raise ValueError('A token cache must hold at least one token')
        self.max_size = max_size
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def get(self, encoded_token: str) -> JWToken | None:
        """Return the verified token, if cached and still valid now."""
        entry = self._entries.get(encoded_token)
        if entry is None:
            return None
        now = time.time()
        if entry.valid_from <= now < entry.valid_until:
            return entry.token
        if now >= entry.valid_until:
            with self._lock:  # `put` iterates over the entries
                self._entries.pop(encoded_token, None)
        return None

    def put(
        self,
        encoded_token: str,
        token: JWToken,
        *,
        valid_until: float,
        valid_from: float = float('-inf'),
    ) -> None:
        """Remember a token that was just verified."""
        with self._lock:
            if encoded_token not in self._entries:
                while len(self._entries) >= self.max_size:
                    self._entries.pop(next(iter(self._entries)), None)
            self._entries[encoded_token] = _Entry(
                token=token,
                valid_until=valid_until,
                valid_from=valid_from,
            )

    def clear(self) -> None:
        """Forget every token."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


#: One cache per verifying configuration, shared by the auth instances
#: that verify tokens the same way.
_CACHES: Final[dict[tuple[object, ...], VerifiedTokenCache]] = {}
_CACHES_LOCK: Final = threading.Lock()


@sensitive_variables('secret')
def verifier_key(
    token_cls: type[JWToken],
    secret: str | bytes,
    options: VerifyOptions,
) -> tuple[object, ...]:
    """
    Everything that decides whether a token string verifies.

    The token class, a digest of the key (the key itself is never a
    dictionary key) and the whole :class:`~dmr_jwt.VerifyOptions`: a knob
    added there is part of the key without a change here.
    """
    key = secret.encode() if isinstance(secret, str) else secret
    return (token_cls, hashlib.sha256(key).hexdigest(), options)


def verified_token_cache(
    fingerprint: tuple[object, ...],
    max_size: int,
) -> VerifiedTokenCache:
    """Return the cache of the configuration *fingerprint* (made once)."""
    with _CACHES_LOCK:
        cache = _CACHES.get(fingerprint)
        if cache is None:
            cache = _CACHES[fingerprint] = VerifiedTokenCache(max_size)
        else:
            cache.max_size = max(cache.max_size, max_size)
        return cache


def remember_verified(
    cache: VerifiedTokenCache,
    encoded_token: str,
    token: JWToken,
    options: VerifyOptions,
) -> None:
    """
    Put a just-verified *token* in *cache* for as long as it stays valid.

    The window is the one that PyJWT applies: expired when
    ``exp <= now - leeway``, not yet valid when ``nbf > now + leeway``;
    a claim that is not verified does not bound it.
    """
    leeway = options.leeway
    valid_until = (
        token.exp.timestamp() + leeway if options.verify_exp else math.inf
    )
    nbf = token.extras.get('nbf')
    valid_from = (
        float(nbf) - leeway
        if options.verify_nbf and isinstance(nbf, int | float)
        else -math.inf
    )
    cache.put(
        encoded_token,
        token,
        valid_until=valid_until,
        valid_from=valid_from,
    )
