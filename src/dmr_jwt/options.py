"""How tokens are verified: the one declaration of every verification knob.

:class:`VerifyOptions` is a frozen, hashable value. The documented keywords
of :class:`~dmr_jwt.JWTSyncAuth` / :class:`~dmr_jwt.JWTAsyncAuth` and of
:meth:`dmr_jwt.JWToken.decode` are translated into it once; it produces
PyJWT's ``options`` and decode arguments, and it is (with the token class
and a digest of the key) the key of the verified-token cache, so no knob
can be left out of that key.

.. code:: python

    from dmr_jwt import VerifyOptions

    options = VerifyOptions(algorithm='HS512', leeway=30)
    auth.options  # what a JWTSyncAuth verifies with
"""

import dataclasses
from collections.abc import Sequence
from typing import Any, final

__all__ = ('VerifyOptions',)

#: Audiences or issuers: one string, several (kept as a tuple), or any.
_Names = str | Sequence[str] | None


@final
@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class VerifyOptions:
    """
    Every rule that decides whether a token string verifies, but the key.

    Field names are those of :meth:`dmr_jwt.JWToken.decode` (PyJWT's);
    the auth classes' keywords map onto them (``verify_expiry`` is
    ``verify_exp``, ``verify_issued_at`` is ``verify_iat``,
    ``verify_jwt_id`` is ``verify_jti``, ``verify_not_before`` is
    ``verify_nbf``, ``verify_subject`` is ``verify_sub``).

    Values are normalized on construction, so that the value is hashable:
    sequences become tuples, an empty audience or issuer list ``None``.

    Raises:
        ValueError: The ``none`` algorithm, or *strict_audience* without
            a single audience.

    .. versionadded:: 0.1.0
    """

    #: The only algorithm that tokens may be signed with.
    algorithm: str = 'HS256'
    #: Seconds of clock skew allowed for ``exp``, ``nbf`` and ``iat``.
    leeway: int = 0
    #: Audiences that ``aud`` must match. A token with ``aud`` is refused
    #: when this is ``None`` (RFC 7519, section 4.1.3).
    accepted_audiences: _Names = None
    #: Issuers that ``iss`` must match; ``None``: ``iss`` is not checked.
    accepted_issuers: _Names = None
    #: Claims that must be present, besides ``sub``, ``exp`` and ``iat``.
    require_claims: Sequence[str] = ()
    #: Check that ``exp`` is in the future.
    verify_exp: bool = True
    #: Check that ``iat`` is a number (it must be present either way).
    verify_iat: bool = True
    #: Check that ``jti`` is a string.
    verify_jti: bool = True
    #: Check that ``nbf`` is in the past.
    verify_nbf: bool = True
    #: Check that ``sub`` is a string.
    verify_sub: bool = True
    #: ``aud`` must be one string, equal to the single accepted audience.
    strict_audience: bool = False
    #: Refuse keys below the minimum length that PyJWT recommends.
    enforce_minimum_key_length: bool = True

    def __post_init__(self) -> None:
        """Normalize the values and refuse combinations that cannot work."""
        object.__setattr__(
            self,
            'accepted_audiences',
            _names(self.accepted_audiences),
        )
        object.__setattr__(
            self,
            'accepted_issuers',
            _names(self.accepted_issuers),
        )
        object.__setattr__(self, 'require_claims', tuple(self.require_claims))
        if self.algorithm.lower() == 'none':
            raise ValueError('Unsigned tokens (`alg: none`) are never accepted')
        if self.strict_audience and not isinstance(
            self.accepted_audiences,
            str,
        ):
            raise ValueError(
                '`strict_audience=True` requires a single string '
                'in `accepted_audiences`',
            )

    def pyjwt_options(self) -> dict[str, Any]:
        """PyJWT's ``options`` for these rules (a fresh dict each call)."""
        return {
            'verify_signature': True,
            # A token that carries `aud` is always checked against the
            # configured audiences: with none configured, PyJWT rejects it.
            'verify_aud': True,
            'verify_iss': self.accepted_issuers is not None,
            'verify_exp': self.verify_exp,
            'verify_iat': self.verify_iat,
            'verify_nbf': self.verify_nbf,
            'verify_jti': self.verify_jti,
            'verify_sub': self.verify_sub,
            'strict_aud': self.strict_audience,
            'enforce_minimum_key_length': self.enforce_minimum_key_length,
            'require': list(self.require_claims),
        }

    def decode_keywords(self) -> dict[str, Any]:
        """These rules as keyword arguments of :meth:`JWToken.decode`."""
        return {
            field.name: getattr(self, field.name)
            for field in dataclasses.fields(self)
        }


def _names(names: str | Sequence[str] | None) -> _Names:
    if names is None or isinstance(names, str):
        return names or None
    return tuple(names) or None
