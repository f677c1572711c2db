"""The JWKS endpoint: the public keys of the ring, for services that verify.

.. code:: python

    from dmr.plugins.pydantic import PydanticSerializer
    from dmr_jwt.views import JWKSSyncController

    class JWKSController(JWKSSyncController[PydanticSerializer]):
        '''The project's public keys.'''

    # urls.py: path('.well-known/jwks.json', JWKSController.as_view())

It serves ``{"keys": [...]}`` (RFC 7517, section 5): for each asymmetric
key of the ring, ``kty``, ``kid``, ``alg``, ``use: sig`` and the public
parameters; never a private parameter, never an HMAC secret (HMAC keys are
left out). ``Cache-Control: public, max-age=...`` lets verifiers and
proxies cache it; the ``ETag`` changes whenever a key or its state does,
and a request whose ``If-None-Match`` matches gets ``304``. No auth: the
keys are public.
"""

from http import HTTPStatus
from typing import TYPE_CHECKING, Any, ClassVar, Final, NotRequired

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.utils.http import parse_etags
from dmr import HeaderSpec, ResponseSpec, validate
from dmr.serializer import BaseSerializer
from typing_extensions import TypedDict, TypeVar, override

from dmr_jwt._internal.boundary import (
    FaultBoundaryController as _FaultBoundaryController,
)
from dmr_jwt._internal.boundary import (
    service_unavailable_spec as _service_unavailable_spec,
)
from dmr_jwt._internal.hooks import (
    refuse_unknown_settings as _refuse_unknown_settings,
)
from dmr_jwt.keys import KeyRing as _KeyRing
from dmr_jwt.keys import KeySource as _KeySource
from dmr_jwt.keys import project_keys as _project_keys

if TYPE_CHECKING:
    from dmr.endpoint import ValidateAnyCallable

__all__ = (
    'JWK',
    'JWKSAsyncController',
    'JWKSResponse',
    'JWKSSyncController',
)

_SerializerT = TypeVar('_SerializerT', bound=BaseSerializer)

#: What a secret-only project publishes: nothing.
_EMPTY_RING: Final = _KeyRing(())


class JWK(TypedDict):
    """
    One public key (RFC 7517, section 4; RFC 7518, section 6).

    ``n`` and ``e`` for RSA (``kty: RSA``), ``crv``, ``x`` and ``y`` for
    ECDSA (``kty: EC``), ``crv`` and ``x`` for EdDSA (``kty: OKP``).
    """

    kty: str
    kid: str
    alg: str
    use: str
    key_ops: NotRequired[list[str]]
    n: NotRequired[str]
    e: NotRequired[str]
    crv: NotRequired[str]
    x: NotRequired[str]
    y: NotRequired[str]


class JWKSResponse(TypedDict):
    """A JWK Set (RFC 7517, section 5)."""

    keys: list[JWK]


def _headers(*, with_body: bool) -> dict[str, HeaderSpec]:
    return {
        'Cache-Control': HeaderSpec(
            description=(
                'How long verifiers and proxies may keep the key set: '
                '`public, max-age=<seconds>`'
            ),
        ),
        'ETag': HeaderSpec(
            description=(
                'Changes whenever a key of the set does: send it back as '
                '`If-None-Match` for a `304`'
                if with_body
                else 'The key set that the client has is still current'
            ),
        ),
    }


def _jwks_endpoint_spec(
    controller_cls: type[Any],
) -> 'ValidateAnyCallable':
    """
    The ``GET`` of the JWKS controllers: the set, ``304``, ``503``; no auth.

    ``503``: a remote key set that was never fetched (a JWKS endpoint
    configured with a verify-only source).
    """
    return validate(
        ResponseSpec(
            JWKSResponse,
            status_code=HTTPStatus.OK,
            headers=_headers(with_body=True),
            description='The public keys that verify our tokens',
        ),
        ResponseSpec(
            None,
            status_code=HTTPStatus.NOT_MODIFIED,
            headers=_headers(with_body=False),
            description='`If-None-Match` names the current key set',
        ),
        _service_unavailable_spec(controller_cls),
        auth=None,
    )


class _JWKSController(_FaultBoundaryController[_SerializerT]):
    """
    What the JWKS twins share: the keys, the caching headers, the answer.

    Attributes:
        jwt_keys: The keys to publish; ``None``: the project's
            (``DMR_JWT['KEYS']``, see :func:`dmr_jwt.keys.project_keys`).
        jwt_jwks_max_age: Seconds that clients and proxies may cache the
            set (``Cache-Control: max-age``). A staged key is used only
            after every verifier had the time to fetch it: wait longer
            than this (plus their refresh interval) before activating it.

    A ``jwt_*`` attribute that is not one of these is refused when the
    class is made.
    """

    jwt_keys: ClassVar[_KeySource | None] = None
    jwt_jwks_max_age: ClassVar[int] = 300

    @override
    def __init_subclass__(cls) -> None:
        """Refuse unknown ``jwt_*`` settings and a negative max-age."""
        super().__init_subclass__()
        _refuse_unknown_settings(cls)
        max_age: object = cls.jwt_jwks_max_age
        if type(max_age) is not int or max_age < 0:
            raise ImproperlyConfigured(
                f'{cls.__qualname__}.jwt_jwks_max_age must be a '
                'non-negative int (seconds)',
            )

    def key_ring(self) -> _KeyRing:
        """
        The ring to publish: :attr:`jwt_keys`, or the project's keys.

        A project with one HMAC secret publishes an empty set.

        .. versionadded:: 0.1.0
        """
        # `is None`, not `or`: an empty ring is falsy (`len()`).
        source = _project_keys() if self.jwt_keys is None else self.jwt_keys
        return _EMPTY_RING if source is None else source.key_ring()

    def _jwks_response(self) -> HttpResponse:
        ring = self.key_ring()
        etag = f'"{ring.fingerprint[:32]}"'
        headers = {
            'Cache-Control': f'public, max-age={self.jwt_jwks_max_age}',
            'ETag': etag,
        }
        if _matches(self.request.headers.get('If-None-Match'), etag):
            return self.to_response(
                None,
                status_code=HTTPStatus.NOT_MODIFIED,
                headers=headers,
            )
        return self.to_response(
            ring.jwks(),
            status_code=HTTPStatus.OK,
            headers=headers,
        )


def _matches(if_none_match: str | None, etag: str) -> bool:
    # RFC 9110, section 13.1.2: the weak comparison, `*` matches any.
    if not if_none_match:
        return False
    candidates = parse_etags(if_none_match)
    return '*' in candidates or any(
        candidate.removeprefix('W/') == etag for candidate in candidates
    )


class JWKSSyncController(_JWKSController[_SerializerT]):
    """
    Sync controller that serves the ring's public keys (JWKS).

    See :mod:`dmr_jwt.views.jwks`.

    .. versionadded:: 0.1.0
    """

    @validate.lazy(_jwks_endpoint_spec)
    def get(self) -> HttpResponse:
        """The public keys that verify the tokens that we issue (JWKS)."""
        return self._jwks_response()


class JWKSAsyncController(_JWKSController[_SerializerT]):
    """
    Async controller that serves the ring's public keys (JWKS).

    See :class:`JWKSSyncController`; reading the ring does no I/O (a ring
    file is re-read only when a ``stat`` says it changed).

    .. versionadded:: 0.1.0
    """

    @validate.lazy(_jwks_endpoint_spec)
    async def get(self) -> HttpResponse:
        """The public keys that verify the tokens that we issue (JWKS)."""
        return self._jwks_response()
