"""A read-only admin for blocklisted tokens: searchable, newest first."""

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest
from typing_extensions import override

from dmr_jwt.blocklist.models import BlocklistedJWToken

if TYPE_CHECKING:
    # `ModelAdmin` is generic for type checkers only: subscripting it at
    # runtime needs `django_stubs_ext`, which projects do not install.
    _ModelAdmin = admin.ModelAdmin[BlocklistedJWToken]
else:
    _ModelAdmin = admin.ModelAdmin


@admin.register(BlocklistedJWToken)
class BlocklistedJWTokenAdmin(_ModelAdmin):
    """Shows revoked tokens; rows are only written by the blocklist store."""

    list_display = ('jti', 'sub', 'expires_at', 'created_at')
    list_filter = ('created_at',)
    search_fields = ('jti', 'sub')
    ordering = ('-created_at',)
    date_hierarchy = 'created_at'

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
        # Deleting a row would silently un-revoke a live token.
        return False
