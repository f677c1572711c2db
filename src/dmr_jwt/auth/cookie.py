"""JWT auth that reads the access token from an ``HttpOnly`` cookie.

:class:`CookieJWTSyncAuth` and :class:`CookieJWTAsyncAuth` are the header
auth classes of :mod:`dmr_jwt.auth.header` with another token source:
everything else (verification, precise ``401`` reasons, the token cache,
the user cache, stateless mode, :func:`~dmr_jwt.auth.request_jwt`, the
blocklist mixins) is the same code. The cookie is sent by the browser on
its own, so Django's CSRF check runs on every unsafe request that carries
it; a request without the cookie is left to the next auth of the chain,
without a CSRF error. The cookie is set by the controllers of
:mod:`dmr_jwt.views.cookie`.

A token in the cookie is never read by the header auth, and a token in
``Authorization`` never by the cookie auth.
"""

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import TYPE_CHECKING, Final, Self

from django.http import HttpRequest
from django.views.decorators.debug import sensitive_variables
from dmr.exceptions import NotAuthenticatedError
from dmr.metadata import EndpointMetadata, ResponseSpec
from dmr.openapi.objects import SecurityScheme
from dmr.security.csrf import (
    CSRF_SCHEME_NAME,
    CSRFAuthMixin,
    csrf_response_spec,
)
from typing_extensions import TypedDict, Unpack, override

from dmr_jwt._internal import csrf as _csrf
from dmr_jwt._internal.boundary import (
    auth_response_specs as _auth_response_specs,
)
from dmr_jwt.auth.header import JWTAsyncAuth as _JWTAsyncAuth
from dmr_jwt.auth.header import JWTSyncAuth as _JWTSyncAuth
from dmr_jwt.token import JWToken as _JWToken

if TYPE_CHECKING:
    import datetime as dt

    from dmr.controller import Controller
    from dmr.endpoint import Endpoint
    from dmr.serializer import BaseSerializer

__all__ = (
    'DEFAULT_ACCESS_COOKIE',
    'DEFAULT_REFRESH_COOKIE',
    'CookieJWTAsyncAuth',
    'CookieJWTSyncAuth',
)

#: Default name of the cookie that carries the access token
#: (django-modern-rest 0.16's).
DEFAULT_ACCESS_COOKIE: Final = 'access_token'
#: Default name of the cookie that carries the refresh token
#: (django-modern-rest 0.16's).
DEFAULT_REFRESH_COOKIE: Final = 'refresh_token'


class _AuthOptions(TypedDict, total=False):
    """The keywords of :class:`~dmr_jwt.auth.JWTSyncAuth` that apply here."""

    user_id_field: str
    algorithm: str
    secret: str | None
    token_cls: type[_JWToken]
    leeway: 'int | dt.timedelta'
    accepted_audiences: str | Sequence[str] | None
    accepted_issuers: str | Sequence[str] | None
    require_claims: Sequence[str] | None
    verify_expiry: bool
    verify_issued_at: bool
    verify_jwt_id: bool
    verify_not_before: bool
    verify_subject: bool
    strict_audience: bool
    enforce_minimum_key_length: bool
    token_cache_size: int
    user_cache_timeout: int | None
    user_cache_alias: str
    stateless: bool


class _CookieTransport(CSRFAuthMixin):
    """
    The token's transport: a cookie, protected by Django's CSRF check.

    Listed before the header auth class in the bases, so that these
    methods win over the header's. The slots are declared by the final
    classes (two bases with slots would conflict).
    """

    __slots__ = ()

    cookie_name: str
    csrf_scheme_name: str

    @sensitive_variables('options')
    def __init__(
        self,
        *,
        cookie_name: str = DEFAULT_ACCESS_COOKIE,
        security_scheme_name: str = 'jwt_cookie',
        csrf_scheme_name: str = CSRF_SCHEME_NAME,
        **options: Unpack[_AuthOptions],
    ) -> None:
        """
        Apply possible customizations.

        Args:
            cookie_name: The cookie that carries the access token;
                ``jwt_access_cookie`` of the cookie controllers.
            security_scheme_name: Name of the OpenAPI ``apiKey`` scheme.
            csrf_scheme_name: Name of the OpenAPI CSRF scheme.
            options: Every other keyword of
                :class:`~dmr_jwt.auth.JWTSyncAuth` (all but
                ``auth_header`` and ``auth_scheme``): verification,
                token and user caches, stateless mode.

        """
        # The header auth that follows in the MRO takes the options, and
        # the final classes declare the slots: mypy sees neither here.
        super().__init__(  # type: ignore[call-arg, misc]
            security_scheme_name=security_scheme_name,
            **options,
        )
        self.cookie_name = cookie_name  # type: ignore[misc]
        self.csrf_scheme_name = csrf_scheme_name  # type: ignore[misc]

    @override
    def auth_security_scheme(self) -> SecurityScheme:
        """The OpenAPI scheme of the token: an ``apiKey`` in a cookie."""
        return SecurityScheme(
            type='apiKey',
            name=self.cookie_name,
            security_scheme_in='cookie',
            description='JWT token auth via cookie',
        )

    @override
    def provide_response_specs(
        self,
        metadata: EndpointMetadata,
        controller_cls: type['Controller[BaseSerializer]'],
        existing_responses: Mapping[HTTPStatus, ResponseSpec],
    ) -> list[ResponseSpec]:
        """``401``, ``503``, and ``403`` (failed CSRF) for unsafe methods."""
        specs = _auth_response_specs(
            metadata,
            controller_cls,
            existing_responses,
        )
        if self._is_safe_http_method(metadata):
            return specs
        return [
            *specs,
            *self._add_new_response(
                csrf_response_spec(return_type=controller_cls.error_model),
                existing_responses,
            ),
        ]

    def get_token_from_request(self, request: HttpRequest) -> str | None:
        """Read the raw token from :attr:`cookie_name`."""
        return request.COOKIES.get(self.cookie_name)

    def split_encoded_token(self, header: str) -> str | None:
        """A cookie holds the bare token: no scheme to strip."""
        return header or None

    def _add_challenge(self, error: NotAuthenticatedError) -> None:
        # A cookie is no `Authorization` scheme: no `WWW-Authenticate`.
        return

    @override
    def _ensure_csrf(self, controller: 'Controller[BaseSerializer]') -> None:
        # Only when the cookie is present: a request without it belongs to
        # the next auth of the chain, which must not see a CSRF error.
        if self.get_token_from_request(controller.request):
            _csrf.ensure_csrf(controller)


class CookieJWTSyncAuth(_CookieTransport, _JWTSyncAuth):
    """
    Sync jwt auth reading the access token from a cookie.

    Takes the keywords of :class:`~dmr_jwt.auth.JWTSyncAuth` (but
    ``auth_header`` and ``auth_scheme``), plus *cookie_name* and
    *csrf_scheme_name*. CSRF is enforced whenever the cookie is present.

    .. warning::

        Issue the cookie with ``httponly=True`` and ``secure=True`` in
        production (the defaults of :mod:`dmr_jwt.views.cookie`),
        otherwise scripts on the page can read the token and it can leak
        over plain HTTP.

    .. versionadded:: 0.1.0
    """

    __slots__ = ('cookie_name', 'csrf_scheme_name')

    @override
    @sensitive_variables()
    def __call__(
        self,
        endpoint: 'Endpoint',
        controller: 'Controller[BaseSerializer]',
    ) -> Self | None:
        """Enforce CSRF, then authenticate with the cookie's token."""
        self._ensure_csrf(controller)
        return super().__call__(endpoint, controller)


class CookieJWTAsyncAuth(_CookieTransport, _JWTAsyncAuth):
    """
    Async jwt auth reading the access token from a cookie.

    See :class:`CookieJWTSyncAuth`.

    .. versionadded:: 0.1.0
    """

    __slots__ = ('cookie_name', 'csrf_scheme_name')

    @override
    @sensitive_variables()
    async def __call__(
        self,
        endpoint: 'Endpoint',
        controller: 'Controller[BaseSerializer]',
    ) -> Self | None:
        """Enforce CSRF, then authenticate with the cookie's token."""
        self._ensure_csrf(controller)
        return await super().__call__(endpoint, controller)
