"""JWT auth for django-modern-rest controllers: sync and async.

Everything that does no I/O is written once, in their private base class
``BaseJWTAuth`` (``dmr_jwt._internal.auth_base``). :class:`JWTSyncAuth` and
:class:`JWTAsyncAuth` differ only in the methods that touch the database:
``authenticate``, ``get_user``, ``check_auth`` and ``set_request_attrs``.
Each is a short orchestration of shared helpers.

Every failure raises :exc:`dmr.exceptions.NotAuthenticatedError`,
which the framework renders as a ``401`` with its error body. A database
or cache that cannot answer is a ``503`` with ``Retry-After``, on any
controller (see ``dmr_jwt._internal.boundary``).
"""

from typing import TYPE_CHECKING, Literal, Self, overload

from django.http import HttpRequest
from django.views.decorators.debug import sensitive_variables
from dmr.exceptions import NotAuthenticatedError
from dmr.security.base import AsyncAuth, SyncAuth
from typing_extensions import override

from dmr_jwt._internal import auth_base as _auth_base
from dmr_jwt._internal import boundary as _boundary
from dmr_jwt._internal import reports as _reports
from dmr_jwt.token import JWToken as _JWToken

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from dmr.controller import Controller
    from dmr.endpoint import Endpoint
    from dmr.serializer import BaseSerializer

__all__ = (
    'HeaderJWTAsyncAuth',
    'HeaderJWTSyncAuth',
    'JWTAsyncAuth',
    'JWTSyncAuth',
    'request_jwt',
)


class JWTSyncAuth(_auth_base.BaseJWTAuth, SyncAuth):
    """Sync jwt auth: put it in ``auth`` of sync controllers."""

    __slots__ = ()

    @override
    @sensitive_variables()
    def __call__(
        self,
        endpoint: 'Endpoint',
        controller: 'Controller[BaseSerializer]',
    ) -> Self | None:
        """Does check for the correct jwt token."""
        try:
            token = self.prepare_token(controller.request)
            if token is None:
                return None
            self.authenticate(controller.request, token)
        except NotAuthenticatedError as exc:
            self._add_challenge(exc)
            raise
        except _boundary.ANSWERED as exc:
            # Not every one is answered: the rest goes on as a 500.
            _reports.hide_secret_frames(controller.request)
            _boundary.answer_fault(controller, exc)
        except Exception:
            # A report of this error may show frames with the raw token.
            _reports.hide_secret_frames(controller.request)
            raise
        return self

    def authenticate(
        self,
        request: HttpRequest,
        token: _JWToken,
    ) -> 'AbstractBaseUser':
        """Run all auth pipeline."""
        user = self.get_user(token)
        self.check_auth(user, token)
        self.set_request_attrs(request, user, token)
        return user

    def get_user(self, token: _JWToken) -> 'AbstractBaseUser':
        """Get application user from token."""
        if self.stateless:
            return self._token_user(token)
        return self._subject_lookup.get_user(self._subject(token))

    def check_auth(self, user: 'AbstractBaseUser', token: _JWToken) -> None:
        """Run extra auth checks, raise if something is wrong."""
        self._check_user(user)

    def set_request_attrs(
        self,
        request: HttpRequest,
        user: 'AbstractBaseUser',
        token: _JWToken,
    ) -> None:
        """Set current user as authed for this request."""
        self._store_on_request(request, user, token)


class JWTAsyncAuth(_auth_base.BaseJWTAuth, AsyncAuth):
    """Async jwt auth: put it in ``auth`` of async controllers."""

    __slots__ = ()

    @override
    @sensitive_variables()
    async def __call__(
        self,
        endpoint: 'Endpoint',
        controller: 'Controller[BaseSerializer]',
    ) -> Self | None:
        """Does check for the correct jwt token."""
        try:
            await self.aprepare_keys(controller.request)
            token = self.prepare_token(controller.request)
            if token is None:
                return None
            await self.authenticate(controller.request, token)
        except NotAuthenticatedError as exc:
            self._add_challenge(exc)
            raise
        except _boundary.ANSWERED as exc:
            _reports.hide_secret_frames(controller.request)
            await _boundary.aanswer_fault(controller, exc)
        except Exception:
            _reports.hide_secret_frames(controller.request)
            raise
        return self

    async def authenticate(
        self,
        request: HttpRequest,
        token: _JWToken,
    ) -> 'AbstractBaseUser':
        """Run all auth pipeline. See :meth:`JWTSyncAuth.authenticate`."""
        user = await self.get_user(token)
        await self.check_auth(user, token)
        await self.set_request_attrs(request, user, token)
        return user

    async def get_user(self, token: _JWToken) -> 'AbstractBaseUser':
        """Get application user from token, with the async ORM."""
        if self.stateless:
            return self._token_user(token)
        return await self._subject_lookup.aget_user(self._subject(token))

    async def check_auth(
        self,
        user: 'AbstractBaseUser',
        token: _JWToken,
    ) -> None:
        """Run extra auth checks, raise if something is wrong."""
        self._check_user(user)

    async def set_request_attrs(
        self,
        request: HttpRequest,
        user: 'AbstractBaseUser',
        token: _JWToken,
    ) -> None:
        """Set current user as authed for this request."""
        self._store_on_request(request, user, token)


#: django-modern-rest 0.16's name of :class:`JWTSyncAuth` (the same class).
HeaderJWTSyncAuth = JWTSyncAuth
#: django-modern-rest 0.16's name of :class:`JWTAsyncAuth` (the same class).
HeaderJWTAsyncAuth = JWTAsyncAuth


@overload
def request_jwt(request: HttpRequest, *, strict: Literal[True]) -> _JWToken: ...


@overload
def request_jwt(
    request: HttpRequest,
    *,
    strict: bool = False,
) -> _JWToken | None: ...


def request_jwt(
    request: HttpRequest,
    *,
    strict: bool = False,
) -> _JWToken | None:
    """
    Returns a JWToken from request, if it was authed with it.

    When *strict* is passed and request has no jwt token,
    we raise :exc:`AttributeError`.
    """
    token: _JWToken | None = getattr(
        request, _auth_base.REQUEST_TOKEN_ATTR, None
    )
    if token is None and strict:
        raise AttributeError(_auth_base.REQUEST_TOKEN_ATTR)
    return token
