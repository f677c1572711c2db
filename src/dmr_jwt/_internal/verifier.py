"""How a token string becomes a verified token: the key, the cache, decode.

One :class:`TokenVerifier` per auth (and per controller class): it picks
the key (one secret, or by ``kid`` from a :class:`~dmr_jwt.keys.KeySource`),
answers from the verified-token cache when it can, and otherwise calls the
documented ``token_cls.decode(...)`` with every keyword of the options,
the algorithm being the key's own when the key comes from a ring.
"""

import dataclasses
from typing import Any, cast, final

from django.views.decorators.debug import sensitive_variables

from dmr_jwt._internal import pyjwt as _pyjwt
from dmr_jwt._internal.keyring import KeyRing, KeySource
from dmr_jwt._internal.token_cache import (
    VerifiedTokenCache,
    remember_verified,
    verified_token_cache,
    verifier_key,
)
from dmr_jwt.errors import InvalidTokenError
from dmr_jwt.options import VerifyOptions
from dmr_jwt.token import JWToken

__all__ = ('TokenVerifier',)


@final
class TokenVerifier:
    """
    Verifies token strings for one configuration.

    Raises (from :meth:`verify`) :exc:`~dmr_jwt.errors.InvalidTokenError`
    for any token that must not be trusted, and
    :exc:`~dmr_jwt.errors.KeysUnavailableError` when a remote key set
    could never be had.
    """

    __slots__ = (
        '_cache',
        '_cache_ring',
        '_keywords',
        'cache_size',
        'keys',
        'options',
        'secret',
        'token_cls',
    )

    @sensitive_variables('secret')
    def __init__(
        self,
        token_cls: type[JWToken],
        options: VerifyOptions,
        *,
        secret: str | None = None,
        keys: KeySource | None = None,
        cache_size: int = 0,
    ) -> None:
        """Verify with *secret* (``options.algorithm``) or with *keys*."""
        if (secret is None) == (keys is None):
            raise ValueError('Give exactly one of `secret` and `keys`')
        self.token_cls = token_cls
        self.options = options
        self.secret = secret
        self.keys = keys
        self.cache_size = cache_size
        #: ``token_cls.decode`` keywords by algorithm (a ring has several).
        self._keywords: dict[str, dict[str, Any]] = {
            options.algorithm: options.decode_keywords(),
        }
        self._cache_ring: KeyRing | None = None
        self._cache: VerifiedTokenCache | None = None
        if secret is not None and cache_size > 0:
            self._cache = verified_token_cache(
                verifier_key(token_cls, secret, options),
                cache_size,
            )

    @sensitive_variables()
    def verify(self, encoded_token: str) -> JWToken:
        """Return the verified token (from the cache when possible)."""
        cache = self._current_cache()
        token = None if cache is None else cache.get(encoded_token)
        if token is not None:
            return token
        if self.keys is None:
            token = self.token_cls.decode(
                encoded_token,
                self.secret,  # type: ignore[arg-type]
                **self._keywords[self.options.algorithm],
            )
        else:
            key = self.keys.verifying_key(_pyjwt.unverified_kid(encoded_token))
            token = self.token_cls.decode(
                encoded_token,
                # The documented signature says `str` (subclasses override
                # it so); PyJWT takes the loaded public key all the same.
                cast('str', key.verifying_key),
                **self._keywords_for(key.algorithm),
            )
        if cache is not None:
            remember_verified(cache, encoded_token, token, self.options)
        return token

    @sensitive_variables()
    async def aprepare(self, encoded_token: str) -> None:
        """
        Let a remote key source fetch, off the event loop, what it needs.

        Cheap when nothing is needed: a ring or a file answers at once.
        A malformed header is left for :meth:`verify` to refuse.
        """
        if self.keys is None:
            return
        try:
            kid = _pyjwt.unverified_kid(encoded_token)
        except InvalidTokenError:
            return  # `verify` refuses it, with the reason
        await self.keys.aprepare(kid)

    def _keywords_for(self, algorithm: str) -> dict[str, Any]:
        keywords = self._keywords.get(algorithm)
        if keywords is None:
            # The key's own algorithm is the only one it accepts.
            keywords = dataclasses.replace(
                self.options,
                algorithm=algorithm,
            ).decode_keywords()
            self._keywords[algorithm] = keywords
        return keywords

    def _current_cache(self) -> VerifiedTokenCache | None:
        if self.keys is None or self.cache_size <= 0:
            return self._cache
        ring = self.keys.key_ring()
        if ring is not self._cache_ring:
            # Another ring (a key added, retired, changed state): tokens
            # verified under the previous one are verified again.
            self._cache = verified_token_cache(
                verifier_key(self.token_cls, ring.fingerprint, self.options),
                self.cache_size,
            )
            self._cache_ring = ring
        return self._cache
