"""The blocklist table: one row per revoked token, never the token itself."""

import datetime as dt
from typing import final

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

#: Longest ``jti`` that can be stored.
JTI_MAX_LENGTH = 255


@final
class BlocklistedJWToken(models.Model):
    """
    A revoked token, keyed by its unique ``jti``.

    Rows are useless once the token has expired (``expires_at``):
    ``manage.py flush_expired_jwtokens`` deletes them in batches.
    """

    jti: 'models.CharField[str, str]' = models.CharField(
        _('JWT ID'),
        max_length=JTI_MAX_LENGTH,
        unique=True,
        help_text=_('The "jti" claim of the revoked token.'),
    )
    sub: 'models.CharField[str, str]' = models.CharField(
        _('subject'),
        max_length=255,
        db_index=True,
        help_text=_('The "sub" claim: the id of the user the token was for.'),
    )
    expires_at: 'models.DateTimeField[dt.datetime, dt.datetime]' = (
        models.DateTimeField(
            _('expires at'),
            db_index=True,
            help_text=_('When the token expires: the row can go after it.'),
        )
    )
    created_at: 'models.DateTimeField[dt.datetime, dt.datetime]' = (
        models.DateTimeField(
            _('blocklisted at'),
            default=timezone.now,
            editable=False,
        )
    )

    class Meta:
        """Names for the admin; newest rows first."""

        verbose_name = _('blocklisted JWT')
        verbose_name_plural = _('blocklisted JWTs')
        ordering = ('-created_at',)

    @override
    def __str__(self) -> str:
        return f'{self.jti} (user {self.sub})'
