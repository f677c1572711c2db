"""Reusable logout controllers: revoke the caller's tokens.

Subclass one, give it the serializer, payload and response types, set
``auth`` to auth classes with the blocklist mixin
(:class:`~dmr_jwt.blocklist.JWTokenBlocklistSyncMixin` or
:class:`~dmr_jwt.blocklist.JWTokenBlocklistAsyncMixin`) and define the two
documented hooks:

.. code:: python

    class LogoutController(
        LogoutSyncController[
            PydanticSerializer,
            LogoutPayload,
            LogoutResponse,
        ],
    ):
        auth = (BlocklistJWTSyncAuth(),)

        def convert_logout_payload(self, payload: LogoutPayload) -> str | None:
            return payload.get('refresh_token')

        def make_api_response(self) -> LogoutResponse:
            return {'logged_out': True}

``POST`` ends the caller's session: it revokes the token family of the
refresh token that the payload names (every access and refresh token that
descends from that login, see :mod:`dmr_jwt.signals`) and the family of
the access token that authenticated the request, and blocklists both
tokens themselves (tokens without a family are revoked one by one). The
refresh token is verified exactly like the refresh controllers verify it
(so give both the same ``jwt_secret``, ``jwt_algorithm``,
``jwt_audiences`` and ``jwt_issuer``) and must belong to the same ``sub``
as the access token; otherwise the answer is ``401`` and nothing is
revoked.

:class:`LogoutEverywhereSyncController` /
:class:`LogoutEverywhereAsyncController` log the caller out on every
device instead: :func:`dmr_jwt.blocklist.revoke_all` for the access token's
``sub``, one write.
"""

from abc import abstractmethod
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, ClassVar, Generic, NotRequired

from django.views.decorators.debug import sensitive_variables
from dmr import Body, modify
from dmr.serializer import BaseSerializer
from typing_extensions import TypedDict, TypeVar, override

from dmr_jwt._internal import boundary as _boundary
from dmr_jwt._internal import reports as _reports
from dmr_jwt._internal import token_checks as _token_checks
from dmr_jwt.auth import request_jwt as _request_jwt
from dmr_jwt.blocklist import _logout
from dmr_jwt.blocklist import auth as _mixins
from dmr_jwt.blocklist.store import get_store as _get_store
from dmr_jwt.token import JWToken as _JWToken

if TYPE_CHECKING:
    pass

__all__ = (
    'LogoutAsyncController',
    'LogoutEverywhereAsyncController',
    'LogoutEverywhereSyncController',
    'LogoutPayload',
    'LogoutSyncController',
)

_SerializerT = TypeVar('_SerializerT', bound=BaseSerializer)
_LogoutT = TypeVar('_LogoutT')
_ResponseT = TypeVar('_ResponseT')


class LogoutPayload(TypedDict):
    """Default request body of the logout endpoint."""

    refresh_token: NotRequired[str]


class _LogoutMixin(_token_checks.RefreshTokenChecks[_SerializerT]):
    """
    Token checks shared by the sync and async logout controllers.

    The refresh token settings (``jwt_secret``, ``jwt_algorithm``,
    ``jwt_audiences``, ``jwt_issuer``) are those of the refresh controllers.
    """

    @override
    def __init_subclass__(cls) -> None:
        """
        Refuse, at start-up, an ``auth`` that cannot revoke tokens.

        Raises:
            ImproperlyConfigured: When an auth instance set on the class
                has no ``blocklist`` (no blocklist mixin).

        """
        super().__init_subclass__()
        _logout.require_blocklist_auth(
            cls,
            'convert_logout_payload',
            'make_api_response',
        )

    @sensitive_variables()
    def _tokens_to_revoke(
        self,
        encoded_refresh: str | None,
    ) -> tuple[_JWToken, _JWToken | None]:
        """See :func:`dmr_jwt.blocklist._logout.tokens_to_revoke`."""
        return _logout.tokens_to_revoke(self, encoded_refresh)

    def _families_to_revoke(
        self,
        access: _JWToken,
        refresh: _JWToken | None,
    ) -> list[dict[str, Any]]:
        """See :func:`dmr_jwt.blocklist._logout.families_to_revoke`."""
        return _logout.families_to_revoke(self, access, refresh)


class LogoutSyncController(
    _LogoutMixin[_SerializerT],
    Generic[_SerializerT, _LogoutT, _ResponseT],
):
    """
    Sync controller that revokes the caller's access and refresh tokens.

    Set ``auth`` to auth classes with
    :class:`~dmr_jwt.blocklist.JWTokenBlocklistSyncMixin`.
    """

    _jwt_blocklist_mixin: ClassVar[type[Any]] = (
        _mixins.JWTokenBlocklistSyncMixin
    )

    @sensitive_variables()
    @modify.lazy(_logout.logout_endpoint_spec)
    def post(self, parsed_body: Body[_LogoutT]) -> _ResponseT:
        """Log out on POST."""
        _reports.hide_secrets(self.request)
        return self.logout(parsed_body)

    @sensitive_variables()
    def logout(self, parsed_body: _LogoutT) -> _ResponseT:
        """Verify, then revoke the refresh token (if any) and access token."""
        access, refresh = self._tokens_to_revoke(
            self.convert_logout_payload(parsed_body),
        )
        auth = _logout.blocklist_auth(self, _mixins.JWTokenBlocklistSyncMixin)
        if refresh is not None:
            auth.blocklist(refresh)
        auth.blocklist(access)
        with _logout.unstorable_claims_refused():
            for family in self._families_to_revoke(access, refresh):
                _get_store().revoke_family(**family)
        return self.make_api_response()

    @abstractmethod
    def convert_logout_payload(self, payload: _LogoutT) -> str | None:
        """Extract the refresh token to revoke too, or ``None``."""
        raise NotImplementedError

    @abstractmethod
    def make_api_response(self) -> _ResponseT:
        """Build the response after a successful logout."""
        raise NotImplementedError


class LogoutAsyncController(
    _LogoutMixin[_SerializerT],
    Generic[_SerializerT, _LogoutT, _ResponseT],
):
    """
    Async controller that revokes the caller's access and refresh tokens.

    Set ``auth`` to auth classes with
    :class:`~dmr_jwt.blocklist.JWTokenBlocklistAsyncMixin`.
    See :class:`LogoutSyncController`.
    """

    _jwt_blocklist_mixin: ClassVar[type[Any]] = (
        _mixins.JWTokenBlocklistAsyncMixin
    )

    @sensitive_variables()
    @modify.lazy(_logout.logout_endpoint_spec)
    async def post(self, parsed_body: Body[_LogoutT]) -> _ResponseT:
        """Log out on POST."""
        _reports.hide_secrets(self.request)
        return await self.logout(parsed_body)

    @sensitive_variables()
    async def logout(self, parsed_body: _LogoutT) -> _ResponseT:
        """Verify, then revoke the refresh token (if any) and access token."""
        access, refresh = self._tokens_to_revoke(
            await self.convert_logout_payload(parsed_body),
        )
        auth = _logout.blocklist_auth(self, _mixins.JWTokenBlocklistAsyncMixin)
        if refresh is not None:
            await auth.blocklist(refresh)
        await auth.blocklist(access)
        with _logout.unstorable_claims_refused():
            for family in self._families_to_revoke(access, refresh):
                await _get_store().arevoke_family(**family)
        return await self.make_api_response()

    @abstractmethod
    async def convert_logout_payload(self, payload: _LogoutT) -> str | None:
        """Extract the refresh token to revoke too, or ``None``."""
        raise NotImplementedError

    @abstractmethod
    async def make_api_response(self) -> _ResponseT:
        """Build the response after a successful logout."""
        raise NotImplementedError


class _LogoutEverywhereController(
    _boundary.FaultBoundaryController[_SerializerT]
):
    """
    What the sync and async log-out-everywhere controllers share.

    Attributes:
        response_status_code: Status code of a successful response.

    """

    response_status_code: ClassVar[HTTPStatus] = HTTPStatus.OK

    @override
    def __init_subclass__(cls) -> None:
        """Refuse, at start-up, an ``auth`` that cannot revoke tokens."""
        super().__init_subclass__()
        _logout.require_blocklist_auth(cls, 'make_api_response')


class LogoutEverywhereSyncController(
    _LogoutEverywhereController[_SerializerT],
    Generic[_SerializerT, _ResponseT],
):
    """
    Sync controller that logs the caller out on every device.

    ``POST`` (no body) revokes every token of the access token's ``sub``
    issued up to now, this access token included:
    :func:`dmr_jwt.blocklist.revoke_all`. Tokens issued from the next
    whole second on are valid. Set ``auth`` to auth classes with
    :class:`~dmr_jwt.blocklist.JWTokenBlocklistSyncMixin` and define
    :meth:`make_api_response`.
    """

    _jwt_blocklist_mixin: ClassVar[type[Any]] = (
        _mixins.JWTokenBlocklistSyncMixin
    )

    @modify.lazy(_logout.logout_endpoint_spec)
    def post(self) -> _ResponseT:
        """Log out everywhere on POST."""
        return self.logout_everywhere()

    def logout_everywhere(self) -> _ResponseT:
        """Revoke every token of the caller issued so far."""
        _logout.blocklist_auth(self, _mixins.JWTokenBlocklistSyncMixin)
        access = _request_jwt(self.request, strict=True)
        with _logout.unstorable_claims_refused():
            _get_store().revoke_all(access.sub, sender=type(self))
        return self.make_api_response()

    @abstractmethod
    def make_api_response(self) -> _ResponseT:
        """Build the response after a successful logout everywhere."""
        raise NotImplementedError


class LogoutEverywhereAsyncController(
    _LogoutEverywhereController[_SerializerT],
    Generic[_SerializerT, _ResponseT],
):
    """
    Async controller that logs the caller out on every device.

    See :class:`LogoutEverywhereSyncController`; ``auth`` needs
    :class:`~dmr_jwt.blocklist.JWTokenBlocklistAsyncMixin`.
    """

    _jwt_blocklist_mixin: ClassVar[type[Any]] = (
        _mixins.JWTokenBlocklistAsyncMixin
    )

    @modify.lazy(_logout.logout_endpoint_spec)
    async def post(self) -> _ResponseT:
        """Log out everywhere on POST."""
        return await self.logout_everywhere()

    async def logout_everywhere(self) -> _ResponseT:
        """Revoke every token of the caller issued so far."""
        _logout.blocklist_auth(self, _mixins.JWTokenBlocklistAsyncMixin)
        access = _request_jwt(self.request, strict=True)
        with _logout.unstorable_claims_refused():
            await _get_store().arevoke_all(access.sub, sender=type(self))
        return await self.make_api_response()

    @abstractmethod
    async def make_api_response(self) -> _ResponseT:
        """Build the response after a successful logout everywhere."""
        raise NotImplementedError
