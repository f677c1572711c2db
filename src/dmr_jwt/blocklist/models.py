"""The blocklist table: one row per revoked token, never the token itself."""

import datetime as dt
from typing import Final, final

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from dmr_jwt._internal import families as _families

__all__ = (
    'JTI_MAX_LENGTH',
    'SUB_MAX_LENGTH',
    'BlocklistedJWToken',
    'RevokedTokenFamily',
    'TokenWatermark',
    'UsedRefreshToken',
)

#: Longest ``jti`` that can be stored (revoked, or used by rotation).
JTI_MAX_LENGTH: Final = 255

#: Longest ``sub`` that can be stored; a longer one cannot be revoked.
SUB_MAX_LENGTH: Final = 255


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
        max_length=SUB_MAX_LENGTH,
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


@final
class TokenWatermark(models.Model):
    """
    "Log out everywhere" for one user: one row per subject, not per token.

    Every token of ``sub`` whose ``iat`` is strictly before ``not_before``
    is revoked. Rows are only written by :mod:`dmr_jwt.blocklist.store`.
    """

    sub: 'models.CharField[str, str]' = models.CharField(
        _('subject'),
        max_length=SUB_MAX_LENGTH,
        unique=True,
        help_text=_('The "sub" claim: the id of the user.'),
    )
    not_before: 'models.DateTimeField[dt.datetime, dt.datetime]' = (
        models.DateTimeField(
            _('tokens issued before'),
            help_text=_(
                'Tokens of this user issued (claim "iat") before this '
                'moment are revoked.',
            ),
        )
    )
    updated_at: 'models.DateTimeField[dt.datetime, dt.datetime]' = (
        models.DateTimeField(_('updated at'), auto_now=True)
    )

    class Meta:
        """Names for the admin."""

        verbose_name = _('JWT revocation watermark')
        verbose_name_plural = _('JWT revocation watermarks')

    @override
    def __str__(self) -> str:
        return f'user {self.sub}: tokens before {self.not_before.isoformat()}'


@final
class UsedRefreshToken(models.Model):
    """
    A refresh token consumed by rotation: inserted once, on its unique ``jti``.

    The insert is the atomic "use": of concurrent refreshes with one token
    exactly one inserts the row, the others find it. Rows are only written
    by :mod:`dmr_jwt.blocklist.store`.
    """

    jti: 'models.CharField[str, str]' = models.CharField(
        _('JWT ID'),
        max_length=JTI_MAX_LENGTH,
        unique=True,
        help_text=_('The "jti" claim of the used refresh token.'),
    )
    family: 'models.CharField[str, str]' = models.CharField(
        _('token family'),
        max_length=_families.FAMILY_MAX_LENGTH,
        blank=True,
        help_text=_('The "family" claim: the login the token belongs to.'),
    )
    sub: 'models.CharField[str, str]' = models.CharField(
        _('subject'),
        max_length=SUB_MAX_LENGTH,
        help_text=_('The "sub" claim: the id of the user the token was for.'),
    )
    used_at: 'models.DateTimeField[dt.datetime, dt.datetime]' = (
        models.DateTimeField(_('used at'), default=timezone.now)
    )
    expires_at: 'models.DateTimeField[dt.datetime, dt.datetime]' = (
        models.DateTimeField(
            _('expires at'),
            db_index=True,
            help_text=_('When the token expires: the row can go after it.'),
        )
    )

    class Meta:
        """Names for the admin; newest rows first."""

        verbose_name = _('used refresh token')
        verbose_name_plural = _('used refresh tokens')
        ordering = ('-used_at',)

    @override
    def __str__(self) -> str:
        return f'{self.jti} (family {self.family or "-"}, user {self.sub})'


@final
class RevokedTokenFamily(models.Model):
    """
    A revoked token family: every token with this ``extras.family``.

    Written on logout and when a used refresh token is replayed.
    """

    class Cause(models.TextChoices):
        """Why the family was revoked."""

        LOGOUT = 'logout', _('logout')
        REUSE = 'reuse', _('refresh token reuse')
        MANUAL = 'manual', _('revoked in code')

    family: 'models.CharField[str, str]' = models.CharField(
        _('token family'),
        max_length=_families.FAMILY_MAX_LENGTH,
        unique=True,
        help_text=_('The "family" claim of the revoked tokens.'),
    )
    sub: 'models.CharField[str, str]' = models.CharField(
        _('subject'),
        max_length=SUB_MAX_LENGTH,
        db_index=True,
        help_text=_('The "sub" claim: the id of the user.'),
    )
    cause: 'models.CharField[str, str]' = models.CharField(
        _('cause'),
        max_length=16,
        choices=Cause.choices,
        default=Cause.MANUAL,
    )
    revoked_at: 'models.DateTimeField[dt.datetime, dt.datetime]' = (
        models.DateTimeField(
            _('revoked at'),
            default=timezone.now,
            editable=False,
        )
    )
    expires_at: 'models.DateTimeField[dt.datetime, dt.datetime]' = (
        models.DateTimeField(
            _('expires at'),
            db_index=True,
            help_text=_(
                'When the last token of the family expires: '
                'the row can go after it.',
            ),
        )
    )

    class Meta:
        """Names for the admin; newest rows first."""

        verbose_name = _('revoked token family')
        verbose_name_plural = _('revoked token families')
        ordering = ('-revoked_at',)

    @override
    def __str__(self) -> str:
        return f'family {self.family} (user {self.sub}, {self.cause})'
