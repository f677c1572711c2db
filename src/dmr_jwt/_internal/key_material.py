"""New key material and the files that hold it, written safely.

Private keys and secrets are made with ``cryptography`` (PKCS#8 PEM) or
:mod:`secrets`, and written to files of mode ``0600`` that are created,
never overwritten. A file that readers may be reading (the ring) is
replaced at once: a temporary file in the same directory, synced, then
``os.replace``.
"""

import contextlib
import os
import secrets
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from django.views.decorators.debug import sensitive_variables

from dmr_jwt._internal.key import ASYMMETRIC_ALGORITHMS, HMAC_ALGORITHMS

__all__ = (
    'DEFAULT_ALGORITHM',
    'MIN_RSA_BITS',
    'KeyFileError',
    'generate_material',
    'write_atomically',
    'write_new_file',
)

#: What ``jwt_keys generate`` makes without ``--algorithm``.
DEFAULT_ALGORITHM: Final = 'EdDSA'

#: The smallest RSA key generated (and accepted by the ring).
MIN_RSA_BITS: Final = 2048

#: Bytes of randomness in a generated HMAC secret (HS512 needs 64).
_HMAC_SECRET_BYTES: Final = 64

#: The curve of each ECDSA algorithm (RFC 7518, section 3.4).
_CURVES: Final[Mapping[str, ec.EllipticCurve]] = {
    'ES256': ec.SECP256R1(),
    'ES384': ec.SECP384R1(),
    'ES512': ec.SECP521R1(),
}


class KeyFileError(Exception):
    """A step that cannot be done: the message says why and what to do."""


def write_atomically(path: Path, content: bytes) -> None:
    """
    Replace *path* by *content* at once, mode ``0600``.

    A temporary file in the same directory (so that the rename stays on
    one file system), synced to disk, then ``os.replace``: readers see the
    old file or the new one.
    """
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent,
        prefix=f'.{path.name}.',
        suffix='.tmp',
    )
    try:
        with os.fdopen(descriptor, 'wb') as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_directory(path.parent)


def _sync_directory(directory: Path) -> None:
    # The rename itself survives a crash only once the directory is synced.
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


@sensitive_variables()
def write_new_file(path: Path, content: bytes) -> None:
    """Create *path* (never overwrite), mode ``0600`` from the start."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyFileError(
            f'{str(path)!r} exists already: choose another `--kid`',
        ) from None
    with os.fdopen(descriptor, 'wb') as stream:
        stream.write(content)
        stream.flush()
        os.fsync(stream.fileno())


@sensitive_variables()
def generate_material(algorithm: str, *, rsa_bits: int = MIN_RSA_BITS) -> bytes:
    """
    New key material for *algorithm*: a PKCS#8 PEM, or an HMAC secret.

    Raises:
        KeyFileError: An unknown algorithm, or RSA below 2048 bits.

    """
    if algorithm in HMAC_ALGORITHMS:
        return secrets.token_urlsafe(_HMAC_SECRET_BYTES).encode('ascii')
    if algorithm not in ASYMMETRIC_ALGORITHMS:
        raise KeyFileError(
            f'Algorithm {algorithm!r} is not supported; use one of '
            + ', '.join(sorted(HMAC_ALGORITHMS | ASYMMETRIC_ALGORITHMS)),
        )
    private_key: (
        rsa.RSAPrivateKey
        | ec.EllipticCurvePrivateKey
        | ed25519.Ed25519PrivateKey
    )
    if algorithm == 'EdDSA':
        private_key = ed25519.Ed25519PrivateKey.generate()
    elif algorithm in _CURVES:
        private_key = ec.generate_private_key(_CURVES[algorithm])
    else:
        if rsa_bits < MIN_RSA_BITS:
            raise KeyFileError(
                f'RSA keys have at least {MIN_RSA_BITS} bits, not {rsa_bits}',
            )
        private_key = rsa.generate_private_key(65537, rsa_bits)
    return private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
