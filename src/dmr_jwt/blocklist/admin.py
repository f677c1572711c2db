"""Read-only admins of the revocation tables, and a "log out" action.

:func:`log_out_everywhere` is an admin action for the user model's admin:

.. code:: python

    from django.contrib.auth.admin import UserAdmin
    from dmr_jwt.blocklist.admin import log_out_everywhere

    class MyUserAdmin(UserAdmin):
        actions = (log_out_everywhere,)
"""

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from typing_extensions import override

from dmr_jwt.blocklist import models as _models
from dmr_jwt.blocklist import store as _store

__all__ = (
    'BlocklistedJWTokenAdmin',
    'RevokedTokenFamilyAdmin',
    'TokenWatermarkAdmin',
    'UsedRefreshTokenAdmin',
    'log_out_everywhere',
)

if TYPE_CHECKING:
    # `ModelAdmin` is generic for type checkers only: subscripting it at
    # runtime needs `django_stubs_ext`, which projects do not install.
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = admin.ModelAdmin


class _ReadOnlyAdmin(_ModelAdmin):
    """Rows are only written by the blocklist store: look, never touch."""

    @override
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @override
    def has_change_permission(
        self,
        request: HttpRequest,
        obj: Any = None,
    ) -> bool:
        return False

    @override
    def has_delete_permission(
        self,
        request: HttpRequest,
        obj: Any = None,
    ) -> bool:
        # Deleting a row would silently un-revoke live tokens.
        return False


@admin.register(_models.BlocklistedJWToken)
class BlocklistedJWTokenAdmin(_ReadOnlyAdmin):
    """Shows revoked tokens, newest first, searchable by jti and user."""

    list_display = ('jti', 'sub', 'expires_at', 'created_at')
    list_filter = ('created_at',)
    search_fields = ('jti', 'sub')
    ordering = ('-created_at',)
    date_hierarchy = 'created_at'


@admin.register(_models.TokenWatermark)
class TokenWatermarkAdmin(_ReadOnlyAdmin):
    """Shows who was logged out everywhere, newest first."""

    list_display = ('sub', 'not_before', 'updated_at')
    search_fields = ('sub',)
    ordering = ('-updated_at',)
    date_hierarchy = 'updated_at'


@admin.register(_models.RevokedTokenFamily)
class RevokedTokenFamilyAdmin(_ReadOnlyAdmin):
    """Shows revoked token families (logouts, replays), newest first."""

    list_display = ('family', 'sub', 'cause', 'revoked_at', 'expires_at')
    list_filter = ('cause', 'revoked_at')
    search_fields = ('family', 'sub')
    ordering = ('-revoked_at',)
    date_hierarchy = 'revoked_at'


@admin.register(_models.UsedRefreshToken)
class UsedRefreshTokenAdmin(_ReadOnlyAdmin):
    """Shows refresh tokens used up by rotation, newest first."""

    list_display = ('jti', 'family', 'sub', 'used_at', 'expires_at')
    search_fields = ('jti', 'family', 'sub')
    ordering = ('-used_at',)
    date_hierarchy = 'used_at'


@admin.action(
    description=_('Log out everywhere (revoke all their JWTs)'),
    permissions=('change',),
)
def log_out_everywhere(
    modeladmin: _ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet[Any],
) -> None:
    """
    Admin action: revoke every token of the selected users, one write each.

    Uses :func:`dmr_jwt.blocklist.revoke_all_tokens` (``sub`` is the
    primary key). Needs the "change" permission on the user model.
    """
    count = 0
    for user in queryset.iterator():
        _store.revoke_all_tokens(user)
        count += 1
    modeladmin.message_user(
        request,
        ngettext(
            'Logged %(count)d user out everywhere.',
            'Logged %(count)d users out everywhere.',
            count,
        )
        % {'count': count},
        messages.SUCCESS,
    )
