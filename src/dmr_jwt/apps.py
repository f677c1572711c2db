"""The ``dmr_jwt`` Django app: the core's management commands.

Add ``'dmr_jwt'`` to ``INSTALLED_APPS`` for ``manage.py jwt_keys`` (key
rings: generate, rotate, retire, list, jwks). Nothing else needs it: the
auth classes and controllers work without the app installed.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

__all__ = ('DmrJwtConfig',)


class DmrJwtConfig(AppConfig):
    """JWT auth for django-modern-rest: ``manage.py jwt_keys``."""

    name = 'dmr_jwt'
    label = 'dmr_jwt'
    verbose_name = _('JWT auth')
