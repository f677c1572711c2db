"""Key rings from configuration: ``DMR_JWT['KEYS']`` entries and ring files.

An entry is a mapping::

    {
        'kid': '2026-12-a',
        'algorithm': 'EdDSA',
        'state': 'active',              # or 'verifying'
        'private_key_file': 'keys/2026-12-a.pem',
        # or 'private_key' (PEM text), 'private_key_env' (variable name),
        # 'public_key*' (verify only), 'secret*' (HMAC; none: SECRET_KEY)
        'legacy_default': False,        # verifies tokens without `kid`
    }

A ring file is JSON, ``{"keys": [entry, ...]}``, whose relative ``*_file``
paths are relative to the file. :class:`FileKeySource` re-reads it when it
changes (checked at most once per ``reload_interval`` seconds, one
``stat``), so that ``manage.py jwt_keys rotate`` takes effect in every
running process within seconds.
"""

import json
import logging
import os
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final, final

from django.core.exceptions import ImproperlyConfigured
from django.views.decorators.debug import sensitive_variables
from typing_extensions import override

from dmr_jwt._internal.key import HMAC_ALGORITHMS, Key
from dmr_jwt._internal.keyring import KeyRing

__all__ = (
    'ENTRY_FIELDS',
    'FileKeySource',
    'key_from_entry',
    'read_ring_file',
    'ring_from_entries',
)

_logger: Final = logging.getLogger('dmr_jwt.keys')

#: The three ways to give each kind of material.
_MATERIALS: Final = ('private_key', 'public_key', 'secret')
_SUFFIXES: Final = ('', '_file', '_env')

#: Every field that an entry may have.
ENTRY_FIELDS: Final = frozenset(
    {
        'kid',
        'algorithm',
        'state',
        'legacy_default',
        'enforce_minimum_key_length',
        # Bookkeeping of `manage.py jwt_keys` (ignored when loading).
        'created_at',
        'deactivated_at',
        *(material + suffix for material in _MATERIALS for suffix in _SUFFIXES),
    },
)


@sensitive_variables()
def key_from_entry(
    entry: Mapping[str, Any],
    *,
    base_dir: Path | None = None,
) -> Key:
    """
    Load one key of ``DMR_JWT['KEYS']`` or of a ring file.

    Raises:
        ImproperlyConfigured: What is wrong with the entry; never the key.

    """
    if not isinstance(entry, Mapping):
        raise ImproperlyConfigured('Each key of a ring must be a mapping')
    kid = entry.get('kid')
    label = repr(kid) if isinstance(kid, str) else 'without a kid'
    unknown = sorted(set(entry) - ENTRY_FIELDS)
    if unknown:
        raise ImproperlyConfigured(
            f'Key {label}: unknown fields {unknown}; '
            f'known: {sorted(ENTRY_FIELDS)}',
        )
    algorithm = entry.get('algorithm')
    if not isinstance(kid, str) or not isinstance(algorithm, str):
        raise ImproperlyConfigured(
            f'Key {label}: `kid` and `algorithm` must be strings',
        )
    materials = {
        material: _read_material(entry, material, kid, base_dir)
        for material in _MATERIALS
    }
    if algorithm in HMAC_ALGORITHMS and materials['secret'] is None:
        from django.conf import settings  # noqa: PLC0415

        # An HMAC key without a secret of its own: the project's
        # SECRET_KEY, which signed the tokens issued before the ring.
        materials['secret'] = str(settings.SECRET_KEY)
    return Key.from_material(
        kid,
        algorithm,
        state=entry.get('state', 'active'),
        legacy_default=bool(entry.get('legacy_default', False)),
        enforce_minimum_key_length=bool(
            entry.get('enforce_minimum_key_length', True),
        ),
        **materials,
    )


def ring_from_entries(
    entries: object,
    *,
    base_dir: Path | None = None,
) -> KeyRing:
    """A :class:`KeyRing` of entries (see this module's docstring)."""
    if isinstance(entries, str | bytes) or not isinstance(entries, Sequence):
        raise ImproperlyConfigured('A key ring is a list of key entries')
    return KeyRing(
        key_from_entry(entry, base_dir=base_dir) for entry in entries
    )


def read_ring_file(path: Path) -> KeyRing:
    """
    Load the ring file at *path*.

    Raises:
        ImproperlyConfigured: The file is missing, not JSON, or a key in it
            cannot be loaded.

    """
    try:
        document = json.loads(path.read_text(encoding='utf-8'))
    except OSError as exc:
        raise ImproperlyConfigured(
            f'Cannot read the key ring file {str(path)!r}: {exc.strerror}. '
            'Create one with `manage.py jwt_keys generate`.',
        ) from None
    except ValueError:
        raise ImproperlyConfigured(
            f'The key ring file {str(path)!r} is not valid JSON',
        ) from None
    if not isinstance(document, Mapping) or 'keys' not in document:
        raise ImproperlyConfigured(
            f'The key ring file {str(path)!r} must be {{"keys": [...]}}',
        )
    return ring_from_entries(document['keys'], base_dir=path.parent)


@final
class FileKeySource:
    """
    A ring file, re-read when it changes (a :class:`KeySource`).

    .. versionadded:: 0.1.0
    """

    __slots__ = (
        '_checked_at',
        '_lock',
        '_ring',
        '_stamp',
        'path',
        'reload_interval',
    )

    def __init__(
        self, path: str | os.PathLike[str], *, reload_interval: float = 1.0
    ) -> None:
        """
        Load *path* now: a broken ring is a start-up error.

        Raises:
            ImproperlyConfigured: See :func:`read_ring_file`.

        """
        self.path = Path(path)
        self.reload_interval = reload_interval
        self._lock = threading.Lock()
        self._stamp = _stamp(self.path)
        self._ring = read_ring_file(self.path)
        self._checked_at = time.monotonic()

    def key_ring(self) -> KeyRing:
        """The ring, re-read first when the file changed since last read."""
        if time.monotonic() - self._checked_at >= self.reload_interval:
            self._reload_if_changed()
        return self._ring

    def verifying_key(self, kid: str | None) -> Key:
        """See :meth:`KeyRing.verifying_key`."""
        return self.key_ring().verifying_key(kid)

    async def aprepare(self, kid: str | None) -> None:
        """Nothing to fetch: a ``stat`` is all a request may cost."""

    def _reload_if_changed(self) -> None:
        with self._lock:
            if time.monotonic() - self._checked_at < self.reload_interval:
                return  # another thread just did it
            self._checked_at = time.monotonic()
            stamp = _stamp(self.path)
            if stamp == self._stamp:
                return
            try:
                ring = read_ring_file(self.path)
            except ImproperlyConfigured as exc:
                # Half-written or broken: keep the last good ring, say so
                # loudly, and try again at the next interval.
                _logger.error(  # noqa: TRY400 (the message is the cause)
                    'dmr_jwt: key ring %s not reloaded, keeping the '
                    'previous keys: %s',
                    self.path,
                    exc,
                )
                return
            self._stamp = stamp
            self._ring = ring
            _logger.info(
                'dmr_jwt: key ring %s reloaded: %s',
                self.path,
                ', '.join(f'{key.kid} ({key.state})' for key in ring.keys),
            )

    @override
    def __repr__(self) -> str:
        """Where the keys come from."""
        return f'FileKeySource({str(self.path)!r})'


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


@sensitive_variables()
def _read_material(
    entry: Mapping[str, Any],
    material: str,
    kid: str,
    base_dir: Path | None,
) -> str | None:
    given = [
        material + suffix
        for suffix in _SUFFIXES
        if entry.get(material + suffix)
    ]
    if not given:
        return None
    if len(given) > 1:
        raise ImproperlyConfigured(
            f'Key {kid!r}: give one of {given}, not several',
        )
    (field,) = given
    value = entry[field]
    if not isinstance(value, str):
        raise ImproperlyConfigured(f'Key {kid!r}: `{field}` must be a string')
    if field.endswith('_env'):
        text = os.environ.get(value)
        if not text:
            raise ImproperlyConfigured(
                f'Key {kid!r}: environment variable {value!r} is not set',
            )
        return text
    if field.endswith('_file'):
        path = Path(value)
        if base_dir is not None and not path.is_absolute():
            path = base_dir / path
        try:
            return path.read_text(encoding='utf-8')
        except OSError as exc:
            raise ImproperlyConfigured(
                f'Key {kid!r}: cannot read {str(path)!r}: {exc.strerror}',
            ) from None
    return value
