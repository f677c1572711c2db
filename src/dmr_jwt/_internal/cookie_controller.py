"""What the cookie controllers share: cookie settings, specs, CSRF.

:class:`CookieTokensController` declares the ``jwt_*cookie*`` settings of
django-modern-rest 0.16 once, builds the ``Set-Cookie`` of both tokens
and their OpenAPI description from one :class:`~dmr.cookies.CookieSpec`
each (so the two never diverge), rotates Django's CSRF token and runs its
check. Tokens are made by ``TokenController.create_jwt_token`` and refresh
tokens verified by ``RefreshTokenChecks``, as for the body controllers;
this module adds only the transport. It does no I/O.
"""

import dataclasses
from collections.abc import Mapping
from http import HTTPStatus
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Final, Generic, TypeAlias

from django.middleware.csrf import rotate_token
from django.utils.functional import Promise
from django.views.decorators.debug import sensitive_variables
from dmr import CookieSpec, NewCookie, ResponseSpec, validate
from dmr.cookies import SameSite
from dmr.exceptions import EndpointMetadataError, NotAuthenticatedError
from dmr.headers import HeaderSpec
from dmr.security.base import NO_STORE_HEADERS
from dmr.security.csrf import csrf_response_spec
from dmr.serializer import BaseSerializer
from dmr.types import safe_typevar
from typing_extensions import TypeVar

from dmr_jwt._internal import csrf as _csrf
from dmr_jwt._internal.boundary import service_unavailable_spec
from dmr_jwt._internal.controllers import TokenController

if TYPE_CHECKING:
    from django.http import HttpResponse
    from dmr.endpoint import ValidateAnyCallable

__all__ = (
    'DEFAULT_ACCESS_COOKIE',
    'DEFAULT_REFRESH_COOKIE',
    'CookieTokensController',
    'StrOrPromise',
    'cookie_endpoint_spec',
    'logout_endpoint_spec',
    'obtain_endpoint_spec',
    'refresh_endpoint_spec',
)

#: A URL path: a string or a lazy one (``reverse_lazy``).
if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    StrOrPromise: TypeAlias = str | _StrPromise
else:
    StrOrPromise: TypeAlias = str | Promise

#: Default name of the cookie that carries the access token.
DEFAULT_ACCESS_COOKIE: Final = 'access_token'
#: Default name of the cookie that carries the refresh token.
DEFAULT_REFRESH_COOKIE: Final = 'refresh_token'

_SerializerT = TypeVar('_SerializerT', bound=BaseSerializer)

#: Cookie controllers send their tokens in cookies: no body by default.
_CookieResponseT = TypeVar('_CookieResponseT', default=None)

# The type variable as a value for `ResponseSpec`: the framework resolves
# it to the response type of each final controller.
_COOKIE_RESPONSE_TYPE: Final = safe_typevar('_CookieResponseT')

# The spec and the values of `Cache-Control: no-store`, from one source.
_NO_STORE_SPEC: Final = MappingProxyType(
    {name: header.to_spec() for name, header in NO_STORE_HEADERS.items()}
)
_NO_STORE_VALUES: Final = MappingProxyType(
    {name: header.value for name, header in NO_STORE_HEADERS.items()}
)


class CookieTokensController(
    TokenController[_SerializerT],
    Generic[_SerializerT, _CookieResponseT],
):
    """
    The base of the cookie controllers: their settings and the cookies.

    Attributes:
        jwt_access_cookie: Name of the cookie with the access token: the
            ``cookie_name`` of the :class:`~dmr_jwt.auth.CookieJWTSyncAuth`
            that reads it back.
        jwt_refresh_cookie: Name of the cookie with the refresh token.
        jwt_access_cookie_path: ``Path`` of the access cookie: ``'/'``,
            so it reaches the whole API.
        jwt_refresh_cookie_path: ``Path`` of the refresh cookie: set it to
            the URL of the refresh endpoint, so the refresh token is sent
            with no other request. No default on purpose (``'/'`` sends
            it everywhere); the ready-to-use controllers of
            :mod:`dmr_jwt.concrete_views` have ``'/'``.
        jwt_cookie_domain: ``Domain`` of both cookies; ``None``: the host.
        jwt_cookie_secure: Send both cookies over HTTPS only. Keep it on
            in production; ``False`` only for local ``http://`` development.
        jwt_cookie_httponly: Hide both cookies from JavaScript.
        jwt_cookie_samesite: ``SameSite`` of both cookies; do not weaken it
            to ``'none'`` unless the front end is on another site.
        jwt_cookie_description: OpenAPI description of the refresh cookie.
        response_status_code: ``204``: the tokens are in the cookies.

    """

    jwt_access_cookie: ClassVar[str] = DEFAULT_ACCESS_COOKIE
    jwt_refresh_cookie: ClassVar[str] = DEFAULT_REFRESH_COOKIE
    jwt_access_cookie_path: ClassVar[StrOrPromise] = '/'
    jwt_refresh_cookie_path: ClassVar[StrOrPromise | None] = None
    jwt_cookie_domain: ClassVar[str | None] = None
    jwt_cookie_secure: ClassVar[bool] = True
    jwt_cookie_httponly: ClassVar[bool] = True
    jwt_cookie_samesite: ClassVar[SameSite] = 'lax'
    jwt_cookie_description: ClassVar[StrOrPromise] = (
        'Refresh token, only sent to the refresh endpoint.'
    )
    response_status_code: ClassVar[HTTPStatus] = HTTPStatus.NO_CONTENT

    @classmethod
    def access_cookie_spec(cls) -> CookieSpec:
        """The access token's cookie: ``Max-Age`` is its lifetime."""
        return CookieSpec(
            path=cls.jwt_access_cookie_path,
            max_age=int(cls.jwt_expiration.total_seconds()),
            domain=cls.jwt_cookie_domain,
            secure=cls.jwt_cookie_secure,
            httponly=cls.jwt_cookie_httponly,
            samesite=cls.jwt_cookie_samesite,
            description='Access token, sent with every API request.',
        )

    @classmethod
    def refresh_cookie_spec(cls) -> CookieSpec:
        """
        The refresh token's cookie, scoped to the refresh endpoint.

        Raises:
            EndpointMetadataError: When ``jwt_refresh_cookie_path`` is not
                set (when the controller is made).

        """
        if cls.jwt_refresh_cookie_path is None:
            raise EndpointMetadataError(
                f'{cls.__qualname__!r} must define `jwt_refresh_cookie_path`, '
                'it is the url path of your refresh endpoint. '
                'Scoping the refresh cookie to it keeps the refresh token '
                'out of all the other requests. '
                "Use '/' to send it everywhere.",
            )
        return CookieSpec(
            path=cls.jwt_refresh_cookie_path,
            max_age=int(cls.jwt_refresh_expiration.total_seconds()),
            domain=cls.jwt_cookie_domain,
            secure=cls.jwt_cookie_secure,
            httponly=cls.jwt_cookie_httponly,
            samesite=cls.jwt_cookie_samesite,
            description=cls.jwt_cookie_description,
        )

    @classmethod
    def issued_cookies_spec(cls) -> dict[str, CookieSpec]:
        """Both token cookies of a successful response."""
        return {
            cls.jwt_access_cookie: cls.access_cookie_spec(),
            cls.jwt_refresh_cookie: cls.refresh_cookie_spec(),
        }

    @classmethod
    def discarded_cookies_spec(cls) -> dict[str, CookieSpec]:
        """Both token cookies as logout sends them: empty, ``Max-Age=0``."""
        return {
            name: dataclasses.replace(
                spec,
                max_age=0,
                description='Sent back empty and expired, so it is dropped.',
            )
            for name, spec in cls.issued_cookies_spec().items()
        }

    @classmethod
    def csrf_cookie_spec(cls) -> dict[str, CookieSpec]:
        """
        The CSRF cookie, documented (Django's middleware sets it).

        :class:`~django.middleware.csrf.CsrfViewMiddleware` writes it after
        the login rotated the token, so it is never validated here. With
        ``CSRF_USE_SESSIONS`` there is no such cookie.
        """
        from django.conf import settings  # noqa: PLC0415

        if settings.CSRF_USE_SESSIONS:
            return {}
        return {
            settings.CSRF_COOKIE_NAME: CookieSpec(
                skip_validation=True,
                description='CSRF protection.',
            ),
        }

    @classmethod
    def response_headers_spec(cls) -> Mapping[str, HeaderSpec]:
        """The headers of every response: ``Cache-Control: no-store``."""
        return _NO_STORE_SPEC

    def response_headers(self) -> Mapping[str, str]:
        """The values of :meth:`response_headers_spec`."""
        return _NO_STORE_VALUES

    def check_csrf(self) -> None:
        """
        Run Django's CSRF check: the browser sends the cookies on its own.

        Raises:
            APIError: ``403`` with the framework's error body.

        """
        _csrf.ensure_csrf(self)

    def rotate_csrf_token(self) -> None:
        """
        Issue a new CSRF token for the user who just logged in.

        What :func:`django.contrib.auth.login` does; Django's CSRF
        middleware sends the new cookie.
        """
        rotate_token(self.request)

    @sensitive_variables()
    def get_cookie_token(self, cookie_name: str) -> str:
        """
        The raw token of the cookie *cookie_name*.

        Raises:
            NotAuthenticatedError: When the cookie is missing or empty.

        """
        encoded_token = self.request.COOKIES.get(cookie_name)
        if not encoded_token:
            raise NotAuthenticatedError
        return encoded_token

    @sensitive_variables()
    def issue_cookies(self) -> dict[str, NewCookie]:
        """Both token cookies for ``request.user``, in the request's family."""
        return {
            self.jwt_access_cookie: NewCookie.from_spec(
                self.access_cookie_spec(),
                value=self.create_jwt_token(token_type='access'),  # noqa: S106
            ),
            self.jwt_refresh_cookie: NewCookie.from_spec(
                self.refresh_cookie_spec(),
                value=self.create_jwt_token(token_type='refresh'),  # noqa: S106
            ),
        }

    def discard_cookies(self) -> dict[str, NewCookie]:
        """Both token cookies, empty and expired: the browser drops them."""
        return {
            name: NewCookie.from_spec(spec, value='')
            for name, spec in self.discarded_cookies_spec().items()
        }

    def cookie_response(
        self,
        body: Any,
        cookies: Mapping[str, NewCookie],
    ) -> 'HttpResponse':
        """The ``204`` (by default) that carries *cookies*."""
        return self.to_response(
            body,
            status_code=self.response_status_code,
            headers=self.response_headers(),
            cookies=cookies,
        )


def cookie_endpoint_spec(
    controller_cls: type[Any],
    cookies: Mapping[str, CookieSpec],
    *,
    csrf: bool,
) -> 'ValidateAnyCallable':
    """
    The spec of a cookie endpoint: *cookies*, ``401``, ``503``, ``403``.

    ``403`` (a failed CSRF check) when *csrf*: refresh and logout.
    """
    responses = [
        ResponseSpec(
            _COOKIE_RESPONSE_TYPE,
            status_code=controller_cls.response_status_code,
            headers=controller_cls.response_headers_spec(),
            cookies=cookies,
        ),
        ResponseSpec(
            return_type=controller_cls.error_model,
            status_code=HTTPStatus.UNAUTHORIZED,
        ),
        service_unavailable_spec(controller_cls),
    ]
    if csrf:
        responses.append(
            csrf_response_spec(return_type=controller_cls.error_model),
        )
    return validate(*responses)


def obtain_endpoint_spec(controller_cls: type[Any]) -> 'ValidateAnyCallable':
    """Login: both cookies (and Django's new CSRF cookie), no CSRF check."""
    return cookie_endpoint_spec(
        controller_cls,
        {
            **controller_cls.issued_cookies_spec(),
            **controller_cls.csrf_cookie_spec(),
        },
        csrf=False,
    )


def refresh_endpoint_spec(controller_cls: type[Any]) -> 'ValidateAnyCallable':
    """Refresh: both new cookies; ``403`` for a failed CSRF check."""
    return cookie_endpoint_spec(
        controller_cls,
        controller_cls.issued_cookies_spec(),
        csrf=True,
    )


def logout_endpoint_spec(controller_cls: type[Any]) -> 'ValidateAnyCallable':
    """Logout: both cookies dropped; ``403`` for a failed CSRF check."""
    return cookie_endpoint_spec(
        controller_cls,
        controller_cls.discarded_cookies_spec(),
        csrf=True,
    )
