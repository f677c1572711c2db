"""Key material: the one place that knows where secrets come from.

Every signing and verifying key is looked up through :func:`get_secret`,
so that key rotation and asymmetric keys can be added in one module.
"""

from django.core.exceptions import ImproperlyConfigured
from django.views.decorators.debug import sensitive_variables

from dmr_jwt._internal.pyjwt import key_problem

__all__ = ('check_secret', 'get_secret', 'key_problem')


@sensitive_variables('secret')
def get_secret(secret: str | None = None) -> str:
    """
    Return *secret*, or ``settings.SECRET_KEY`` when it is not given.

    Settings are read at call time, never at import time.
    """
    if secret:
        return secret
    from django.conf import settings  # noqa: PLC0415

    return str(settings.SECRET_KEY)


@sensitive_variables('secret')
def check_secret(
    secret: str,
    algorithm: str,
    *,
    owner: str,
    check_length: bool = True,
) -> None:
    """
    Fail loudly at start-up when *secret* cannot sign *algorithm* tokens.

    Args:
        secret: The key to check.
        algorithm: The JWT algorithm, like ``HS256``.
        owner: Who is configured with it, for the error message.
        check_length: Whether a key below PyJWT's minimum length is an error.

    Raises:
        ImproperlyConfigured: With PyJWT's reason; the key is never shown.

    """
    problem = key_problem(secret, algorithm, check_length=check_length)
    if problem is not None:
        raise ImproperlyConfigured(
            f'{owner}: the JWT secret cannot be used with {algorithm}. '
            f'{problem} Set a longer `secret` (or `SECRET_KEY`), '
            'or pass `enforce_minimum_key_length=False` to accept the risk.',
        )
