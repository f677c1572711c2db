"""Logout with revocation for the cookie controllers.

:class:`~dmr_jwt.views.CookieLogoutSyncController` only drops the cookies,
as in django-modern-rest. Mix :class:`CookieLogoutBlocklistSyncMixin` (or
the async one) into it, and set ``auth`` to a cookie auth with the
blocklist mixin, to revoke the session too, exactly as
:class:`~dmr_jwt.blocklist.LogoutSyncController` does for the body:

.. code:: python

    class CookieAuth(JWTokenBlocklistSyncMixin, CookieJWTSyncAuth): ...


    class LogoutController(
        CookieLogoutBlocklistSyncMixin,
        CookieLogoutSyncController[PydanticSerializer],
    ):
        auth = (CookieAuth(),)
        jwt_refresh_cookie_path = '/api/refresh/'

``POST`` needs a valid access cookie (``401`` otherwise, nothing revoked,
no cookie dropped) and Django's CSRF check. It blocklists the access
token and revokes its token family (the login it descends from, so every
refresh token of that login too); the refresh cookie, when the request
carries it (a ``jwt_refresh_cookie_path`` that covers the logout URL), is
verified, blocklisted and its family revoked as well. With
``jwt_logout_everywhere = True`` it logs the user out on every device
instead (:func:`dmr_jwt.blocklist.revoke_all`).
"""

from typing import TYPE_CHECKING, Any, ClassVar

from typing_extensions import override

from dmr_jwt.auth import request_jwt as _request_jwt
from dmr_jwt.blocklist import _logout
from dmr_jwt.blocklist import auth as _mixins
from dmr_jwt.blocklist.store import get_store as _get_store

if TYPE_CHECKING:
    from dmr_jwt.views import (
        CookieLogoutAsyncController,
        CookieLogoutSyncController,
    )

    _SyncLogoutBase = CookieLogoutSyncController[Any, Any]
    _AsyncLogoutBase = CookieLogoutAsyncController[Any, Any]
else:
    _SyncLogoutBase = _AsyncLogoutBase = object

__all__ = (
    'CookieLogoutBlocklistAsyncMixin',
    'CookieLogoutBlocklistSyncMixin',
)


class _LogoutSettings:
    """
    The setting of the cookie logout mixins.

    Attributes:
        jwt_logout_everywhere: Revoke every token of the user issued so
            far (every device), not only this session. Defaults to
            ``False``.

    """

    jwt_logout_everywhere: ClassVar[bool] = False

    #: The blocklist mixin that ``auth`` needs (checked at class creation).
    _jwt_blocklist_mixin: ClassVar[type[Any]]

    @override
    def __init_subclass__(cls, **kwargs: Any) -> None:
        """
        Refuse, at start-up, an ``auth`` that cannot revoke tokens.

        Raises:
            ImproperlyConfigured: When an auth instance set on the class
                has no blocklist mixin, or a hook is of the wrong mode.

        """
        super().__init_subclass__(**kwargs)
        _logout.require_blocklist_auth(cls, 'revoke_tokens')


class CookieLogoutBlocklistSyncMixin(_LogoutSettings, _SyncLogoutBase):
    """
    Makes a sync cookie logout controller revoke the caller's tokens.

    See :mod:`dmr_jwt.blocklist.cookie`; ``auth`` needs
    :class:`~dmr_jwt.blocklist.JWTokenBlocklistSyncMixin`.
    """

    _jwt_blocklist_mixin: ClassVar[type[Any]] = (
        _mixins.JWTokenBlocklistSyncMixin
    )

    @override
    def revoke_tokens(self) -> None:
        """Revoke this session's tokens (or all of the user's)."""
        super().revoke_tokens()
        auth = _logout.blocklist_auth(self, _mixins.JWTokenBlocklistSyncMixin)
        if self.jwt_logout_everywhere:
            access = _request_jwt(self.request, strict=True)
            with _logout.unstorable_claims_refused():
                _get_store().revoke_all(access.sub, sender=type(self))
            return
        access, refresh = _logout.tokens_to_revoke(
            self,
            self.request.COOKIES.get(self.jwt_refresh_cookie) or None,
        )
        if refresh is not None:
            auth.blocklist(refresh)
        auth.blocklist(access)
        with _logout.unstorable_claims_refused():
            for family in _logout.families_to_revoke(self, access, refresh):
                _get_store().revoke_family(**family)


class CookieLogoutBlocklistAsyncMixin(_LogoutSettings, _AsyncLogoutBase):
    """
    Makes an async cookie logout controller revoke the caller's tokens.

    See :class:`CookieLogoutBlocklistSyncMixin`; ``auth`` needs
    :class:`~dmr_jwt.blocklist.JWTokenBlocklistAsyncMixin`.
    """

    _jwt_blocklist_mixin: ClassVar[type[Any]] = (
        _mixins.JWTokenBlocklistAsyncMixin
    )

    @override
    async def revoke_tokens(self) -> None:
        """See :meth:`CookieLogoutBlocklistSyncMixin.revoke_tokens`."""
        await super().revoke_tokens()
        auth = _logout.blocklist_auth(
            self,
            _mixins.JWTokenBlocklistAsyncMixin,
        )
        if self.jwt_logout_everywhere:
            access = _request_jwt(self.request, strict=True)
            with _logout.unstorable_claims_refused():
                await _get_store().arevoke_all(access.sub, sender=type(self))
            return
        access, refresh = _logout.tokens_to_revoke(
            self,
            self.request.COOKIES.get(self.jwt_refresh_cookie) or None,
        )
        if refresh is not None:
            await auth.blocklist(refresh)
        await auth.blocklist(access)
        with _logout.unstorable_claims_refused():
            for family in _logout.families_to_revoke(self, access, refresh):
                await _get_store().arevoke_family(**family)
