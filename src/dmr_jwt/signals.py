"""Django signals for auditing JWT authentication.

Connect receivers with :meth:`django.dispatch.Signal.connect`. Sync code
sends with ``send``, async code with ``asend``; both run sync and async
receivers alike. No signal ever carries a password or an encoded token:
tokens are passed as decoded :class:`dmr_jwt.token.JWToken` objects.

``tokens_obtained``
    A user logged in at an obtain controller and got tokens.
    ``sender``: the controller class; ``request``: the
    :class:`~django.http.HttpRequest`; ``user``: the authenticated user.

``tokens_refreshed``
    A refresh controller issued new tokens.
    ``sender``: the controller class; ``request``; ``user``: the token's
    user; ``token``: the presented refresh token (a decoded ``JWToken``).

``token_revoked``
    A token was newly added to the blocklist (not sent when it was
    already there). ``sender``: the auth or controller class that revoked
    it, or ``None``; ``token``: the decoded ``JWToken``; ``jti`` and
    ``sub``: its ``jti`` and ``sub`` claims as stored.

``tokens_rotated``
    A refresh controller with rotation used up the presented refresh token
    and issued new tokens of the same family (sent after
    ``tokens_refreshed``). ``sender``: the controller class; ``request``;
    ``user``; ``token``: the used refresh token; ``family``: the family
    its refresh issued into (its
    own, or its ``jti`` for a token without one), or ``None``.

``token_reuse_detected``
    A refresh token that rotation already used was presented again.
    ``sender``: the controller class; ``request``; ``token``: the replayed
    refresh token; ``family``: the family its refresh issued into (as for
    ``tokens_rotated``) or ``None``; ``used_at``: when
    it was first used (aware datetime); ``family_revoked``: whether the
    replay came after the grace period, so the family was revoked.

``token_family_revoked``
    A token family was newly revoked. ``sender``: the controller class,
    or ``None`` from the Python API; ``family``; ``sub``: the user's
    subject; ``cause``: ``'logout'``, ``'reuse'`` or ``'manual'``.

``all_tokens_revoked``
    A user was logged out everywhere: every token of ``sub`` issued before
    ``not_before`` (aware datetime) is revoked. ``sender``: the controller
    class, or ``None`` (Python API, admin action, password change).

``login_failed``
    An obtain controller rejected the credentials.
    ``sender``: the controller class; ``request``. The credentials are
    never sent.
"""

from django.dispatch import Signal

__all__ = (
    'all_tokens_revoked',
    'login_failed',
    'token_family_revoked',
    'token_reuse_detected',
    'token_revoked',
    'tokens_obtained',
    'tokens_refreshed',
    'tokens_rotated',
)

tokens_obtained = Signal()
tokens_refreshed = Signal()
token_revoked = Signal()
login_failed = Signal()
tokens_rotated = Signal()
token_reuse_detected = Signal()
token_family_revoked = Signal()
all_tokens_revoked = Signal()
