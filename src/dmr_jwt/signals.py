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

``login_failed``
    An obtain controller rejected the credentials.
    ``sender``: the controller class; ``request``. The credentials are
    never sent.
"""

from django.dispatch import Signal

__all__ = (
    'login_failed',
    'token_revoked',
    'tokens_obtained',
    'tokens_refreshed',
)

tokens_obtained = Signal()
tokens_refreshed = Signal()
token_revoked = Signal()
login_failed = Signal()
