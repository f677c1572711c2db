"""Key material: where signing and verifying keys come from.

One HMAC secret (``SECRET_KEY`` by default) is the documented
configuration and keeps working unchanged. For many services, a **key
ring**: keys with a ``kid``, an algorithm (HMAC, RSA, RSA-PSS, ECDSA,
EdDSA) and a state, *active* (signs new tokens) or *verifying* (accepted,
never used to sign). Issued tokens carry the ``kid`` in their header;
verification picks the key by ``kid`` and refuses an unknown one (``401``
"Token signing key is not known"). A token without ``kid`` is verified
only by the key marked ``legacy_default`` (tokens issued before the ring).

.. code:: python

    DMR_JWT = {
        # A ring file, written by `manage.py jwt_keys generate`,
        # re-read by running processes when it changes:
        'KEYS': BASE_DIR / 'var' / 'jwt-keys' / 'ring.json',
        # or the entries themselves (PEM text, a file, an env variable):
        # 'KEYS': [{'kid': 'k1', 'algorithm': 'EdDSA',
        #           'private_key_env': 'JWT_PRIVATE_KEY'}],
    }

Every auth and token controller takes it by default; ``keys=`` (auth) or
``jwt_keys`` (controller) gives one its own :class:`KeySource`: a
:class:`KeyRing`, a :class:`FileKeySource`, or a remote JWKS.
"""

import functools
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.views.decorators.debug import sensitive_variables

from dmr_jwt._internal.key import Key, KeyState
from dmr_jwt._internal.key_config import (
    FileKeySource,
    key_from_entry,
    ring_from_entries,
)
from dmr_jwt._internal.keyring import KeyRing, KeySource
from dmr_jwt._internal.pyjwk import key_problem
from dmr_jwt._internal.remote_jwks import RemoteJWKS

__all__ = (
    'FileKeySource',
    'Key',
    'KeyRing',
    'KeySource',
    'KeyState',
    'RemoteJWKS',
    'check_secret',
    'get_secret',
    'key_from_entry',
    'key_problem',
    'project_keys',
    'ring_from_entries',
)


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


@functools.cache
def project_keys() -> KeySource | None:
    """
    The project's keys from ``DMR_JWT``, loaded once; ``None``: one secret.

    ``KEYS`` (a ring file or entries) signs and verifies; ``JWKS_URL``
    only verifies, with a remote key set.

    Raises:
        ImproperlyConfigured: Both are set, or the ring cannot be loaded.

    """
    from dmr_jwt.conf import get_settings  # noqa: PLC0415

    settings = get_settings()
    if settings.KEYS is not None and settings.JWKS_URL is not None:
        raise ImproperlyConfigured(
            "DMR_JWT: set 'KEYS' (this service signs) or 'JWKS_URL' "
            '(this service only verifies), not both',
        )
    if settings.JWKS_URL is not None:
        return RemoteJWKS(
            settings.JWKS_URL,
            refresh_interval=settings.JWKS_REFRESH_INTERVAL,
            min_refetch_interval=settings.JWKS_MIN_REFETCH_INTERVAL,
            timeout=settings.JWKS_TIMEOUT,
        )
    if settings.KEYS is None:
        return None
    if isinstance(settings.KEYS, str) or hasattr(settings.KEYS, '__fspath__'):
        return FileKeySource(
            settings.KEYS,
            reload_interval=settings.KEYS_RELOAD_INTERVAL,
        )
    return ring_from_entries(settings.KEYS)


@receiver(setting_changed)
def _reset_project_keys(*, setting: str, **kwargs: Any) -> None:
    if setting in {'DMR_JWT', 'SECRET_KEY'}:
        project_keys.cache_clear()
