"""The token's transport: an HTTP header, and how OpenAPI describes it.

:class:`AuthHeaderMixin` reads the token from its header (``Authorization:
Bearer <token>`` by default), builds the ``WWW-Authenticate`` challenge of
``401`` responses and the OpenAPI security scheme. It does no I/O and is
shared by :class:`~dmr_jwt.auth.JWTSyncAuth` and
:class:`~dmr_jwt.auth.JWTAsyncAuth`.
"""

from typing import TYPE_CHECKING, Final

from django.http import HttpRequest
from django.views.decorators.debug import sensitive_variables
from dmr.exceptions import NotAuthenticatedError
from dmr.metadata import EndpointMetadata
from dmr.openapi.objects import Reference, SecurityRequirement, SecurityScheme

from dmr_jwt._internal.http_errors import challenge_header

if TYPE_CHECKING:
    from dmr.controller import Controller
    from dmr.serializer import BaseSerializer

__all__ = ('AUTHORIZATION', 'AuthHeaderMixin', 'meta_key')

#: The only header that OpenAPI can describe as an ``http`` scheme.
AUTHORIZATION: Final = 'Authorization'

_WWW_AUTHENTICATE: Final = 'WWW-Authenticate'


class AuthHeaderMixin:
    """
    Reads the token from a header and describes it to OpenAPI.

    The class that uses it declares the slots and sets the attributes
    below in its ``__init__``.

    Attributes:
        auth_header: Header that carries the token.
        auth_scheme: Prefix of the header value, like ``Bearer``;
            an empty string means the header holds the bare token.
        security_scheme_name: Name of the OpenAPI security scheme.

    .. versionadded:: 0.1.0
    """

    __slots__ = ()

    auth_header: str
    auth_scheme: str
    security_scheme_name: str
    #: The ``request.META`` key of :attr:`auth_header`.
    _meta_key: str

    @property
    def www_authenticate_challenge(self) -> str | None:
        """Challenge for ``401`` responses: the scheme, like ``Bearer``."""
        if self._uses_standard_bearer():
            return self.auth_scheme
        return None

    def security_schemes(
        self,
        metadata: EndpointMetadata,
        controller_cls: type['Controller[BaseSerializer]'],
    ) -> dict[str, SecurityScheme | Reference]:
        """Provides a security schema definition."""
        if self._uses_standard_bearer():
            scheme = SecurityScheme(
                type='http',
                scheme=self.auth_scheme,
                bearer_format='JWT',
                description='JWT token auth',
            )
        else:
            prefix = f'{self.auth_scheme} ' if self.auth_scheme else ''
            scheme = SecurityScheme(
                type='apiKey',
                name=self.auth_header,
                security_scheme_in='header',
                description=(
                    f'JWT token auth via `{self.auth_header}` header '
                    f'in `{prefix}<token>` format'
                ),
            )
        return {self.security_scheme_name: scheme}

    def security_requirements(
        self,
        metadata: EndpointMetadata,
        controller_cls: type['Controller[BaseSerializer]'],
    ) -> list[SecurityRequirement]:
        """Provides a security schema usage requirement."""
        return [{self.security_scheme_name: []}]

    def get_token_from_request(self, request: HttpRequest) -> str | None:
        """
        Gets the jwt token from the request.

        By default, it is in headers. Customize this method
        to get the token from cookies or body.
        """
        # `request.headers` would parse every header of the request:
        # the one `META` key is all we need.
        return request.META.get(self._meta_key)

    @sensitive_variables()
    def split_encoded_token(self, header: str) -> str | None:
        """
        Splits string like 'Bearer token' and returns 'token' part.

        The scheme is matched case-insensitively (RFC 9110, section 11.1).
        Returns ``None`` for other schemes: the header may belong to
        another auth of the chain.
        """
        if not self.auth_scheme:
            return header or None
        scheme, separator, encoded_token = header.partition(' ')
        if not separator or scheme.lower() != self.auth_scheme.lower():
            return None
        # RFC 9110, section 11.4: `1*SP` separates the scheme and the token.
        return encoded_token.lstrip(' ')

    def _add_challenge(self, error: NotAuthenticatedError) -> None:
        # RFC 6750, section 3: say why the token was refused.
        if error.headers is None and self._uses_standard_bearer():
            error.headers = {
                _WWW_AUTHENTICATE: challenge_header(self.auth_scheme, error),
            }

    def _uses_standard_bearer(self) -> bool:
        return self.auth_header == AUTHORIZATION and bool(self.auth_scheme)


def meta_key(header: str) -> str:
    """The ``request.META`` key of an HTTP *header* (WSGI and ASGI alike)."""
    key = header.upper().replace('-', '_')
    if key in {'CONTENT_TYPE', 'CONTENT_LENGTH'}:
        return key
    return f'HTTP_{key}'
