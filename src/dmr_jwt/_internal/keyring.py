"""Signing and verifying keys with a ``kid``, and the ring that holds them.

Users reach these through :mod:`dmr_jwt.keys`. A :class:`Key` holds keys
that PyJWT has already loaded (``cryptography`` objects, or the bytes of an
HMAC secret), never PEM text; its ``repr`` never shows them.
"""

import dataclasses
import enum
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any, Final, Protocol, final, runtime_checkable

from django.core.exceptions import ImproperlyConfigured
from django.views.decorators.debug import sensitive_variables
from typing_extensions import override

from dmr_jwt._internal import pyjwt as _pyjwt
from dmr_jwt.errors import InvalidTokenError, Reason

__all__ = (
    'ASYMMETRIC_ALGORITHMS',
    'HMAC_ALGORITHMS',
    'Key',
    'KeyRing',
    'KeySource',
    'KeyState',
)

#: HMAC algorithms: one shared secret signs and verifies.
HMAC_ALGORITHMS: Final = frozenset({'HS256', 'HS384', 'HS512'})

#: Public-key algorithms: a private key signs, its public key verifies.
ASYMMETRIC_ALGORITHMS: Final = frozenset(
    {
        'RS256',
        'RS384',
        'RS512',
        'PS256',
        'PS384',
        'PS512',
        'ES256',
        'ES384',
        'ES512',
        'EdDSA',
    },
)


class KeyState(enum.StrEnum):
    """What a key of a ring is used for."""

    #: Signs new tokens (and verifies them). A ring has at most one.
    ACTIVE = 'active'
    #: Verifies tokens, never signs: the next key being rolled out, or the
    #: previous one being retired.
    VERIFYING = 'verifying'


@final
@dataclasses.dataclass(frozen=True, slots=True, eq=False, repr=False)
class Key:
    """
    One key of a ring: its ``kid``, algorithm, state and loaded key.

    Build one with :meth:`from_material` (PEM text or an HMAC secret).

    .. versionadded:: 0.1.0
    """

    #: The ``kid`` header of the tokens that it signs.
    kid: str
    #: The one algorithm that it signs and verifies with.
    algorithm: str
    #: The loaded verification key: a public key, or an HMAC secret.
    verifying_key: Any
    #: The loaded signing key (private key or HMAC secret), or ``None``.
    signing_key: Any = None
    #: :attr:`KeyState.ACTIVE` signs; :attr:`KeyState.VERIFYING` only verifies.
    state: KeyState = KeyState.ACTIVE
    #: Verifies the tokens that carry no ``kid`` (issued before the ring).
    legacy_default: bool = False

    def __post_init__(self) -> None:
        """Refuse a ``kid`` that no token could carry."""
        if not self.kid or len(self.kid) > _pyjwt.MAX_KID_LENGTH:
            raise ImproperlyConfigured(
                'A key needs a `kid`: a non-empty string of at most '
                f'{_pyjwt.MAX_KID_LENGTH} characters',
            )
        if self.state is KeyState.ACTIVE and self.signing_key is None:
            raise ImproperlyConfigured(
                f'Key {self.kid!r} is active but has no private key or '
                'secret to sign with: give one, or make it `verifying`',
            )

    @classmethod
    @sensitive_variables('private_key', 'secret')
    def from_material(
        cls,
        kid: str,
        algorithm: str,
        *,
        private_key: str | bytes | None = None,
        public_key: str | bytes | None = None,
        secret: str | bytes | None = None,
        state: KeyState | str = KeyState.ACTIVE,
        legacy_default: bool = False,
        enforce_minimum_key_length: bool = True,
    ) -> 'Key':
        """
        Load a key from PEM text (asymmetric) or a secret (HMAC).

        Args:
            kid: Its ``kid``.
            algorithm: ``HS256``..``HS512``, ``RS*``, ``PS*``, ``ES*`` or
                ``EdDSA``.
            private_key: PEM of the private key (signs and verifies).
            public_key: PEM of the public key (only verifies).
            secret: The HMAC secret.
            state: ``active`` or ``verifying``.
            legacy_default: Verify tokens without ``kid`` with this key.
            enforce_minimum_key_length: Refuse RSA keys below 2048 bits
                and HMAC secrets shorter than the hash.

        Raises:
            ImproperlyConfigured: What to change; never the key itself.

        """
        state = _state(state, kid)
        material, private = _material(
            kid,
            algorithm,
            private_key=private_key,
            public_key=public_key,
            secret=secret,
        )
        try:
            loaded = _pyjwt.prepare_key(material, algorithm, private=private)
        except ValueError as exc:
            raise ImproperlyConfigured(f'Key {kid!r}: {exc}') from None
        if enforce_minimum_key_length:
            problem = _pyjwt.key_length_problem(loaded, algorithm)
            if problem is not None:
                raise ImproperlyConfigured(
                    f'Key {kid!r}: {problem} Generate a stronger key '
                    '(`manage.py jwt_keys generate`), or set '
                    '`enforce_minimum_key_length: False` to accept the risk.',
                )
        verifying = (
            loaded.public_key()
            if private and algorithm in ASYMMETRIC_ALGORITHMS
            else loaded
        )
        return cls(
            kid=kid,
            algorithm=algorithm,
            verifying_key=verifying,
            signing_key=loaded if private else None,
            state=state,
            legacy_default=legacy_default,
        )

    @property
    def is_symmetric(self) -> bool:
        """Whether it is an HMAC secret (never published)."""
        return self.algorithm in HMAC_ALGORITHMS

    def public_jwk(self) -> dict[str, Any] | None:
        """
        Its public JWK (RFC 7517), or ``None`` for an HMAC secret.

        ``kty``, ``kid``, ``alg``, ``use: sig`` and the public parameters
        only: never a private parameter.
        """
        if self.is_symmetric:
            return None
        jwk = _pyjwt.public_jwk(self.verifying_key, self.algorithm)
        return {**jwk, 'kid': self.kid, 'alg': self.algorithm, 'use': 'sig'}

    @override
    def __repr__(self) -> str:
        """Name the key, never show it."""
        return (
            f'Key(kid={self.kid!r}, algorithm={self.algorithm!r}, '
            f'state={self.state.value!r})'
        )


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


def _state(state: KeyState | str, kid: str) -> KeyState:
    try:
        return KeyState(state)
    except ValueError:
        raise ImproperlyConfigured(
            f'Key {kid!r}: state must be one of '
            + ', '.join(repr(known.value) for known in KeyState),
        ) from None


@sensitive_variables('private_key', 'secret')
def _material(
    kid: str,
    algorithm: str,
    *,
    private_key: str | bytes | None,
    public_key: str | bytes | None,
    secret: str | bytes | None,
) -> tuple[str | bytes, bool]:
    """The one key material given, and whether it can sign."""
    if algorithm in HMAC_ALGORITHMS:
        if private_key is not None or public_key is not None:
            raise ImproperlyConfigured(
                f'Key {kid!r}: {algorithm} is HMAC, it takes a `secret`, '
                'not a PEM key; use RS256, ES256 or EdDSA for PEM keys',
            )
        if not secret:
            raise ImproperlyConfigured(
                f'Key {kid!r}: {algorithm} needs a secret'
            )
        return secret, True
    if algorithm not in ASYMMETRIC_ALGORITHMS:
        raise ImproperlyConfigured(
            f'Key {kid!r}: algorithm {algorithm!r} is not supported; '
            'use one of '
            + ', '.join(sorted(HMAC_ALGORITHMS | ASYMMETRIC_ALGORITHMS)),
        )
    if secret is not None:
        raise ImproperlyConfigured(
            f'Key {kid!r}: {algorithm} needs a PEM `private_key` or '
            '`public_key`, not an HMAC `secret`',
        )
    if (private_key is None) == (public_key is None):
        raise ImproperlyConfigured(
            f'Key {kid!r}: give exactly one of `private_key` (signs) and '
            '`public_key` (only verifies)',
        )
    if private_key is not None:
        return private_key, True
    assert public_key is not None  # noqa: S101 (checked above)
    return public_key, False


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


def ring_of(keys: KeyRing | Iterable[Key] | Mapping[str, Key]) -> KeyRing:
    """A :class:`KeyRing` from a ring, keys, or keys by ``kid``."""
    if isinstance(keys, KeyRing):
        return keys
    if isinstance(keys, Mapping):
        return KeyRing(keys.values())
    return KeyRing(keys)
