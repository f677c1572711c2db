"""Read-only admins for blocklisted tokens and "log out everywhere"."""

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest
from typing_extensions import override

from dmr_jwt.blocklist.models import BlocklistedJWToken, TokenWatermark

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


@admin.register(BlocklistedJWToken)
class BlocklistedJWTokenAdmin(_ReadOnlyAdmin):
    """Shows revoked tokens, newest first, searchable by jti and user."""

    list_display = ('jti', 'sub', 'expires_at', 'created_at')
    list_filter = ('created_at',)
    search_fields = ('jti', 'sub')
    ordering = ('-created_at',)
    date_hierarchy = 'created_at'


@admin.register(TokenWatermark)
class TokenWatermarkAdmin(_ReadOnlyAdmin):
    """Shows who was logged out everywhere, newest first."""

    list_display = ('sub', 'not_before', 'updated_at')
    search_fields = ('sub',)
    ordering = ('-updated_at',)
    date_hierarchy = 'updated_at'
