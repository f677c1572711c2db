"""URLs of the admin tests: a project's admin site at ``/admin/``.

What a project does with :mod:`dmr_jwt.blocklist.admin`: its ``UserAdmin``
gets the ``log_out_everywhere`` action, and the revocation tables get the
read-only admins. The site is an instance of its own, so that nothing
depends on ``admin.autodiscover()`` or on the default ``admin.site``.
The tests install ``django.contrib.admin`` and the middleware it needs;
import this module only then (``pytest.mark.urls`` does, on the first
request): ``django.contrib.auth.admin`` and ``dmr_jwt.blocklist.admin``
register on the default site, which needs the admin app.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.urls import path

from dmr_jwt.blocklist.admin import (
    BlocklistedJWTokenAdmin,
    RevokedTokenFamilyAdmin,
    TokenWatermarkAdmin,
    UsedRefreshTokenAdmin,
    log_out_everywhere,
)
from dmr_jwt.blocklist.models import (
    BlocklistedJWToken,
    RevokedTokenFamily,
    TokenWatermark,
    UsedRefreshToken,
)

#: The instance namespace of the site's URLs: ``jwt_admin:<name>``.
SITE_NAME = 'jwt_admin'


class ProjectUserAdmin(UserAdmin):  # type: ignore[type-arg]
    """A project's user admin: Django's, plus "log out everywhere"."""

    actions = (log_out_everywhere,)


site = admin.AdminSite(name=SITE_NAME)
site.register(User, ProjectUserAdmin)
site.register(BlocklistedJWToken, BlocklistedJWTokenAdmin)
site.register(TokenWatermark, TokenWatermarkAdmin)
site.register(RevokedTokenFamily, RevokedTokenFamilyAdmin)
site.register(UsedRefreshToken, UsedRefreshTokenAdmin)

urlpatterns = [
    path('admin/', site.urls),
]
