"""The ring of keys by ``kid``, and where auths and controllers get it.

Users reach these through :mod:`dmr_jwt.keys`. A :class:`KeyRing` is
immutable; a :class:`KeySource` (a ring, a ring file, a remote JWKS) gives
the current ring.
"""

import hashlib
import json
from collections.abc import Iterable
from typing import Any, Protocol, final, runtime_checkable

from django.core.exceptions import ImproperlyConfigured
from typing_extensions import override

from dmr_jwt._internal.key import Key, KeyState
from dmr_jwt.errors import InvalidTokenError, Reason

__all__ = ('KeyRing', 'KeySource')


@final
class KeyRing:
    """
    Keys by ``kid``: at most one active, at most one legacy default.

    A ring is immutable; a source that changes (a file, a remote JWKS)
    produces a new ring. It is its own :class:`KeySource`.

    .. versionadded:: 0.1.0
    """

    __slots__ = ('_by_kid', 'active', 'fingerprint', 'keys', 'legacy')

    def __init__(self, keys: Iterable[Key]) -> None:
        """
        Check and index *keys*.

        Raises:
            ImproperlyConfigured: Two keys with one ``kid``, several active
                keys, or several legacy defaults.

        """
        self.keys: tuple[Key, ...] = tuple(keys)
        self._by_kid: dict[str, Key] = {}
        for key in self.keys:
            if key.kid in self._by_kid:
                raise ImproperlyConfigured(
                    f'Two keys of the ring have the kid {key.kid!r}',
                )
            self._by_kid[key.kid] = key
        active = [key for key in self.keys if key.state is KeyState.ACTIVE]
        if len(active) > 1:
            raise ImproperlyConfigured(
                'A key ring has at most one active key, found: '
                + ', '.join(repr(key.kid) for key in active),
            )
        legacy = [key for key in self.keys if key.legacy_default]
        if len(legacy) > 1:
            raise ImproperlyConfigured(
                'A key ring has at most one legacy default key, found: '
                + ', '.join(repr(key.kid) for key in legacy),
            )
        #: The key that signs new tokens, if any.
        self.active: Key | None = active[0] if active else None
        #: The key that verifies tokens without ``kid``, if any.
        self.legacy: Key | None = legacy[0] if legacy else None
        #: Changes whenever a key, its state or its material changes.
        self.fingerprint: str = _fingerprint(self.keys)

    def signing_key(self) -> Key:
        """
        The active key.

        Raises:
            ImproperlyConfigured: The ring has none (a verify-only ring).

        """
        if self.active is None:
            raise ImproperlyConfigured(
                'The key ring has no active key to sign tokens with: '
                'make one active (`manage.py jwt_keys rotate`)',
            )
        return self.active

    def get(self, kid: str) -> Key | None:
        """The key with this ``kid``, or ``None``."""
        return self._by_kid.get(kid)

    # The `KeySource` protocol: a ring never changes, never fetches.

    def key_ring(self) -> 'KeyRing':
        """Return itself."""
        return self

    def verifying_key(self, kid: str | None) -> Key:
        """
        The key that verifies a token whose header has this ``kid``.

        Raises:
            InvalidTokenError: ``UNKNOWN_KEY``: no such key, or no ``kid``
                and no legacy default key.

        """
        key = self.legacy if kid is None else self._by_kid.get(kid)
        if key is None:
            raise InvalidTokenError(Reason.UNKNOWN_KEY)
        return key

    async def aprepare(self, kid: str | None) -> None:
        """Nothing to fetch."""

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        """The public keys as a JWK Set (RFC 7517, section 5)."""
        return {
            'keys': [
                jwk
                for key in self.keys
                if (jwk := key.public_jwk()) is not None
            ],
        }

    def __len__(self) -> int:
        """How many keys it holds."""
        return len(self.keys)

    @override
    def __repr__(self) -> str:
        """The keys by name, never their material."""
        return f'KeyRing({list(self.keys)!r})'


@runtime_checkable
class KeySource(Protocol):
    """
    Where an auth or a controller gets its keys: a ring, a file, a JWKS URL.

    ``key_ring()`` is called on every request and must do no network I/O;
    ``verifying_key()`` may fetch (bounded by a timeout) for a ``kid`` it
    does not know; async callers first await ``aprepare(kid)``, which does
    that fetch off the event loop, so that ``verifying_key`` then does not.

    .. versionadded:: 0.1.0
    """

    def key_ring(self) -> KeyRing:
        """The current keys."""

    def verifying_key(self, kid: str | None) -> Key:
        """The key for *kid*; raises ``InvalidTokenError(UNKNOWN_KEY)``."""

    async def aprepare(self, kid: str | None) -> None:
        """Fetch, off the event loop, what ``verifying_key`` would."""


def _fingerprint(keys: tuple[Key, ...]) -> str:
    digest = hashlib.sha256()
    for key in keys:
        material = (
            hashlib.sha256(key.verifying_key).hexdigest()
            if key.is_symmetric
            else key.public_jwk()
        )
        digest.update(
            json.dumps(
                [
                    key.kid,
                    key.algorithm,
                    key.state.value,
                    key.legacy_default,
                    key.signing_key is not None,
                    material,
                ],
                sort_keys=True,
            ).encode(),
        )
    return digest.hexdigest()
