"""The demo's admin: users get a "log out everywhere" action.

The blocklist app registers its own read-only admins (revoked tokens,
revoked families, used refresh tokens, log-out-everywhere watermarks).
"""

from typing import TYPE_CHECKING

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from dmr_jwt.blocklist.admin import log_out_everywhere

if TYPE_CHECKING:
    # Generic for type checkers only (no `django_stubs_ext` at runtime).
    _UserAdmin = UserAdmin[User]
else:
    _UserAdmin = UserAdmin

admin.site.unregister(User)


@admin.register(User)
class DemoUserAdmin(_UserAdmin):
    """Django's user admin, plus revoking every JWT of the selected users."""

    actions = (log_out_everywhere,)
