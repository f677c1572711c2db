"""One signing or verifying key: its ``kid``, algorithm, state and key.

Users reach it through :mod:`dmr_jwt.keys`. A :class:`Key` holds keys that
PyJWT has already loaded (``cryptography`` objects, or the bytes of an HMAC
secret), never PEM text; its ``repr`` never shows them.
"""

import dataclasses
import enum
from typing import Any, Final, final

from django.core.exceptions import ImproperlyConfigured
from django.views.decorators.debug import sensitive_variables
from typing_extensions import override

from dmr_jwt._internal import pyjwk as _pyjwk
from dmr_jwt._internal import pyjwt as _pyjwt

__all__ = (
    'ASYMMETRIC_ALGORITHMS',
    'HMAC_ALGORITHMS',
    'Key',
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
            loaded = _pyjwk.prepare_key(material, algorithm, private=private)
        except ValueError as exc:
            raise ImproperlyConfigured(f'Key {kid!r}: {exc}') from None
        if enforce_minimum_key_length:
            problem = _pyjwk.key_length_problem(loaded, algorithm)
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
        jwk = _pyjwk.public_jwk(self.verifying_key, self.algorithm)
        return {**jwk, 'kid': self.kid, 'alg': self.algorithm, 'use': 'sig'}

    @override
    def __repr__(self) -> str:
        """Name the key, never show it."""
        return (
            f'Key(kid={self.kid!r}, algorithm={self.algorithm!r}, '
            f'state={self.state.value!r})'
        )


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
