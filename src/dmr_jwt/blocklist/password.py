"""Log a user out everywhere when their password changes (opt-in).

With ``DMR_JWT = {'REVOKE_TOKENS_ON_PASSWORD_CHANGE': True}``, saving a
user after ``set_password()`` revokes every token issued to them so far
(:func:`dmr_jwt.blocklist.revoke_all_tokens`), inside the same
transaction as the new password. Django itself knows a password changed
by ``AbstractBaseUser._password``, which ``set_password()`` sets and
``save()`` clears right after ``post_save``; this module reads it there.
A new user (``created``) has no tokens yet, so nothing is written.
"""

from typing import Any

from dmr_jwt import conf as _conf
from dmr_jwt.blocklist import store as _store

__all__ = ('revoke_tokens_on_password_change',)


def revoke_tokens_on_password_change(
    sender: object,
    instance: Any,
    *,
    created: bool = False,
    raw: bool = False,
    **kwargs: Any,
) -> None:
    """``post_save`` receiver of the user model, connected by the app."""
    if (
        created
        or raw
        or not _conf.get_settings().REVOKE_TOKENS_ON_PASSWORD_CHANGE
    ):
        return
    if getattr(instance, '_password', None) is not None:
        _store.revoke_all_tokens(instance)
