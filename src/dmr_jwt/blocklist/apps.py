"""The ``dmr_jwt.blocklist`` Django app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

__all__ = ('BlocklistConfig',)


class BlocklistConfig(AppConfig):
    """
    Revoked JWT tokens, stored in the database and fronted by the cache.

    Its label is ``dmr_jwt_blocklist``, so it can be installed next to
    django-modern-rest's own ``blocklist`` app while a project migrates.
    """

    name = 'dmr_jwt.blocklist'
    label = 'dmr_jwt_blocklist'
    verbose_name = _('JWT blocklist')
    default_auto_field = 'django.db.models.BigAutoField'

    @override
    def ready(self) -> None:
        """Register the system checks and the password change receiver."""
        from django.conf import settings  # noqa: PLC0415
        from django.db.models.signals import post_save  # noqa: PLC0415

        from dmr_jwt.blocklist import checks  # noqa: F401, PLC0415
        from dmr_jwt.blocklist.password import (  # noqa: PLC0415
            revoke_tokens_on_password_change,
        )

        post_save.connect(
            revoke_tokens_on_password_change,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid='dmr_jwt.blocklist.revoke_tokens_on_password_change',
        )
