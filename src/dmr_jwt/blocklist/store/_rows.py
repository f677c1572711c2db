"""What the revocation tables can store, and the errors for what they cannot.

The models own their field limits (``max_length``); the store reads them
from the models once, when it is built, so the models never import the
store.
"""

import dataclasses
from typing import TYPE_CHECKING, final

from dmr_jwt._internal.families import is_usable_family
from dmr_jwt.token import JWToken

if TYPE_CHECKING:
    from django.db.models import Model

__all__ = ('BlocklistError', 'Limits', 'is_storable')


@final
class BlocklistError(ValueError):
    """Raised for a token that cannot be revoked: no usable ``jti``/``sub``."""


def is_storable(text: str) -> bool:
    """Whether a database can store *text* (no NUL, no lone surrogate)."""
    if '\x00' in text:
        return False
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


@final
@dataclasses.dataclass(frozen=True, slots=True)
class Limits:
    """The longest ``jti`` and ``sub`` that the revocation tables store."""

    jti: int
    sub: int

    @classmethod
    def from_models(cls) -> 'Limits':
        """Read the limits off the models' fields."""
        # Imported here: the store is imported before the app registry is.
        from dmr_jwt.blocklist.models import (  # noqa: PLC0415
            BlocklistedJWToken,
            TokenWatermark,
        )

        return cls(
            jti=_max_length(BlocklistedJWToken, 'jti'),
            sub=_max_length(TokenWatermark, 'sub'),
        )

    def require_jti(self, token: JWToken) -> str:
        """
        The ``jti`` of *token*, when it can key revocation state.

        Raises:
            BlocklistError: If ``jti`` is missing, too long, or ``jti`` or
                ``sub`` cannot be stored.

        """
        jti = token.jti
        if not isinstance(jti, str) or not jti:
            raise BlocklistError('A token without `jti` cannot be blocklisted')
        if len(jti) > self.jti:
            raise BlocklistError(
                f'A `jti` longer than {self.jti} characters '
                'cannot be blocklisted',
            )
        if not is_storable(jti) or not is_storable(token.sub):
            # JSON can carry lone surrogates and NUL, databases cannot
            # store them (PostgreSQL refuses NUL in text).
            raise BlocklistError('A `jti` or `sub` that cannot be stored')
        return jti

    def is_storable_sub(self, sub: str) -> bool:
        """Whether *sub* fits the ``sub`` columns."""
        return bool(sub) and len(sub) <= self.sub and is_storable(sub)

    def require_sub(self, sub: str) -> str:
        """
        *sub*, when it can be stored.

        Raises:
            BlocklistError: If it cannot.

        """
        if not self.is_storable_sub(sub):
            raise BlocklistError('A `sub` that cannot be stored')
        return sub

    def require_family(self, family: str, sub: str) -> None:
        """
        Check that a family revocation can be stored.

        Raises:
            BlocklistError: If *family* or *sub* cannot be stored.

        """
        if not is_usable_family(family) or not self.is_storable_sub(sub):
            raise BlocklistError(
                'A token family or `sub` that cannot be stored'
            )


def _max_length(model: type['Model'], field: str) -> int:
    max_length = getattr(model._meta.get_field(field), 'max_length', None)  # noqa: SLF001
    assert isinstance(max_length, int)  # noqa: S101 -- a CharField's
    return max_length
