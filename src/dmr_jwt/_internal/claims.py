"""Claim values: type checks and conversions that need no PyJWT.

:class:`~dmr_jwt.token.JWToken` validates its fields with these helpers,
and converts JSON numeric dates (RFC 7519) into aware datetimes. They raise
``TypeError`` or ``ValueError`` for a bad claim; the token module turns
those into a ``401``.
"""

import datetime as dt
import math
from collections.abc import Sequence

__all__ = (
    'from_timestamp',
    'is_dict',
    'is_json_unicode',
    'is_non_empty_string',
    'is_optional_string',
    'is_unicode',
    'none_if_empty',
    'normalize_datetime',
    'validate_audience',
)


def normalize_datetime(claim_value: object, name: str) -> dt.datetime:
    """
    Convert a datetime claim to UTC and strip microseconds.

    Naive datetimes are taken as UTC.

    Raises:
        TypeError: If *claim_value* is not a datetime.

    """
    if not isinstance(claim_value, dt.datetime):
        raise TypeError(f'`{name}` must be a datetime')
    if claim_value.tzinfo is dt.UTC and not claim_value.microsecond:
        return claim_value  # decoded claims already are: the fast path
    if claim_value.tzinfo is None:
        claim_value = claim_value.replace(tzinfo=dt.UTC)
    else:
        claim_value = claim_value.astimezone(dt.UTC)
    return claim_value.replace(microsecond=0)


def from_timestamp(claim_value: object) -> dt.datetime:
    """
    Convert a JSON numeric date (RFC 7519) into an aware datetime.

    Raises:
        TypeError: If *claim_value* is not a number (``bool`` is not).
        ValueError: If it is not finite.
        OverflowError: If it is out of the platform's range.

    """
    if isinstance(claim_value, bool) or not isinstance(
        claim_value,
        int | float,
    ):
        raise TypeError('numeric date claims must be numbers')
    if isinstance(claim_value, float) and not math.isfinite(claim_value):
        raise ValueError('numeric date claims must be finite')
    return dt.datetime.fromtimestamp(claim_value, tz=dt.UTC)


def validate_audience(aud: object) -> None:
    """
    Check that *aud* is ``None``, a string or a sequence of strings.

    Raises:
        TypeError: If it is not, or a string is not valid Unicode.

    """
    if aud is None or (isinstance(aud, str) and is_unicode(aud)):
        return
    if isinstance(aud, Sequence) and all(
        isinstance(audience, str) and is_unicode(audience) for audience in aud
    ):
        return
    raise TypeError('`aud` must be a string or a sequence of strings')


def is_non_empty_string(claim_value: object) -> bool:
    """Whether *claim_value* is a ``str`` with at least one character."""
    return isinstance(claim_value, str) and bool(claim_value)


def is_optional_string(claim_value: object) -> bool:
    """Whether *claim_value* is ``None`` or a valid Unicode ``str``."""
    return claim_value is None or (
        isinstance(claim_value, str) and is_unicode(claim_value)
    )


def is_json_unicode(json_value: object) -> bool:
    """Whether every string in a JSON value (keys too) is valid Unicode."""
    if isinstance(json_value, str):
        return is_unicode(json_value)
    if isinstance(json_value, dict):
        return all(
            is_json_unicode(key) and is_json_unicode(nested)
            for key, nested in json_value.items()
        )
    if isinstance(json_value, list | tuple):
        return all(is_json_unicode(nested) for nested in json_value)
    return True


def is_unicode(text: str) -> bool:
    """Whether *text* is valid Unicode: JSON can carry lone surrogates."""
    if text.isascii():
        return True
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def is_dict(claim_value: object) -> bool:
    """Whether *claim_value* is a ``dict``."""
    return isinstance(claim_value, dict)


def none_if_empty(
    claim_value: str | Sequence[str] | None,
) -> str | Sequence[str] | None:
    """Return ``None`` for an empty string or sequence, else a str or list."""
    if claim_value is None or isinstance(claim_value, str):
        return claim_value or None
    return list(claim_value) or None
