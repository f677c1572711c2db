"""Revocation in the ready-to-use controllers: when the blocklist is there.

The blocklist app builds on the core, which never imports it; the
ready-to-use controllers are not the core. They ask, per request, whether
``dmr_jwt.blocklist`` is installed, and only then import it: a project
without the app never loads it (nor its system checks, nor its models).
"""

from django.apps import apps

from dmr_jwt.token import JWToken

__all__ = ('areject_if_revoked', 'reject_if_revoked')

#: The app whose store knows the revoked tokens.
BLOCKLIST_APP = 'dmr_jwt.blocklist'


def reject_if_revoked(token: JWToken) -> None:
    """Refuse a revoked *token* with ``401``, if the blocklist is installed."""
    if apps.is_installed(BLOCKLIST_APP):
        # Only now: the app may be absent, and the core must not need it.
        from dmr_jwt.blocklist.verify import reject_revoked  # noqa: PLC0415

        reject_revoked(token)


async def areject_if_revoked(token: JWToken) -> None:
    """Refuse a revoked *token* with ``401``, if the blocklist is installed."""
    if apps.is_installed(BLOCKLIST_APP):
        from dmr_jwt.blocklist.verify import areject_revoked  # noqa: PLC0415

        await areject_revoked(token)
