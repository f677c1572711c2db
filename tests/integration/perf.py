"""Helpers of the HTTP tests of the performance modes (``/perf/...``).

Tokens are signed here with PyJWT, not by the code under test. The
fixtures that go with them (``perf_url``, ``clean_default_cache``,
``decoder``) are in this package's ``conftest.py``.
"""

import dataclasses
import datetime as dt
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import jwt
from django.conf import settings as django_settings

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

__all__ = (
    'LIFETIME',
    'START',
    'Decoder',
    'Url',
    'assert_me',
    'bearer',
    'encode',
    'make_claims',
)

#: ``perf_url``: the URL of a perf variant for the current axes.
Url: TypeAlias = Callable[[str], str]

#: Where frozen clocks start: whole seconds, like token time claims.
START: Final = dt.datetime(2030, 1, 1, 12, 0, tzinfo=dt.UTC)

#: How long the tokens of these tests live, unless told otherwise.
LIFETIME: Final = 3600


def make_claims(
    sub: str,
    *,
    lifetime: int = LIFETIME,
    token_type: str = 'access',  # noqa: S107
    **claims: Any,
) -> dict[str, Any]:
    """Wire claims of a fresh token (unique ``jti``) issued now."""
    now = int(time.time())
    return {
        'sub': sub,
        'exp': now + lifetime,
        'iat': now,
        'jti': uuid.uuid4().hex,
        **claims,
        'extras': {'type': token_type},
    }


def encode(claims: dict[str, Any], secret: str | None = None) -> str:
    """Sign *claims* with HS256, ``settings.SECRET_KEY`` by default."""
    return jwt.encode(
        claims,
        secret or django_settings.SECRET_KEY,
        algorithm='HS256',
    )


def bearer(encoded: str) -> dict[str, str]:
    """The ``Authorization`` header that carries *encoded*."""
    return {'Authorization': f'Bearer {encoded}'}


def assert_me(
    response: 'Response',
    *,
    username: str,
    jti: str,
) -> dict[str, Any]:
    """Assert a ``200`` of the perf ``me`` endpoint; return its body."""
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    assert (body['username'], body['jti']) == (username, jti)
    assert body['is_authenticated'] is True
    assert body['is_anonymous'] is False
    return body


@dataclasses.dataclass(slots=True)
class Decoder:
    """Records every token that the auth classes verify."""

    calls: list[str] = dataclasses.field(default_factory=list)
    #: Once set, verification refuses every token: only a hit can pass.
    broken: bool = False
