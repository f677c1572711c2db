"""Ring files on disk: the steps of a rotation, saved safely.

What ``manage.py jwt_keys`` does, without the command: a ring file is
JSON, ``{"keys": [entry, ...]}`` (see :mod:`dmr_jwt._internal.key_config`),
next to the private key files that its entries name by relative paths.

The ring is written to a temporary file in the same directory, synced,
then renamed over the old one (``os.replace``,
:mod:`dmr_jwt._internal.key_material`): a running
:class:`~dmr_jwt._internal.key_config.FileKeySource` sees the old file or
the new one, never half of one. Key files are written before the ring
that names them, and a ring is loaded (every key checked) before it is
written, so a process never reloads a ring that it cannot use.
"""

import contextlib
import dataclasses
import datetime as dt
import json
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, final

from django.core.exceptions import ImproperlyConfigured
from django.views.decorators.debug import sensitive_variables

from dmr_jwt._internal.key import HMAC_ALGORITHMS, KeyState
from dmr_jwt._internal.key_config import ring_from_entries
from dmr_jwt._internal.key_material import (
    DEFAULT_ALGORITHM,
    MIN_RSA_BITS,
    KeyFileError,
    generate_material,
    write_atomically,
    write_new_file,
)
from dmr_jwt._internal.keyring import KeyRing

__all__ = (
    'DEFAULT_ALGORITHM',
    'DEFAULT_RING_NAME',
    'MIN_RSA_BITS',
    'KeyFileError',
    'RingDocument',
    'format_time',
    'new_kid',
    'now',
    'parse_time',
    'write_atomically',
)

#: The ring file's name in a ``--dir`` directory.
DEFAULT_RING_NAME: Final = 'ring.json'

#: Fields of an entry that name a file holding key material.
_FILE_FIELDS: Final = ('private_key_file', 'public_key_file', 'secret_file')

#: Fields of an entry that hold or name material that can sign.
_SIGNING_FIELDS: Final = (
    'private_key',
    'private_key_file',
    'private_key_env',
    'secret',
    'secret_file',
    'secret_env',
)


def now() -> dt.datetime:
    """The current time, UTC, to the second: what entries record."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def format_time(moment: dt.datetime) -> str:
    """An entry's timestamp: ISO 8601, UTC."""
    return moment.astimezone(dt.UTC).isoformat()


def parse_time(entry: Mapping[str, Any], field: str) -> dt.datetime | None:
    """
    The timestamp *field* of *entry*, or ``None`` when it has none.

    Raises:
        KeyFileError: The field is not an ISO 8601 time.

    """
    text = entry.get(field)
    if text is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(str(text))
    except ValueError:
        raise KeyFileError(
            f'Key {entry.get("kid")!r}: `{field}` is not an ISO 8601 time: '
            f'{text!r}',
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def new_kid(moment: dt.datetime) -> str:
    """A fresh ``kid``: the day it was made, and some randomness."""
    return f'{moment:%Y-%m-%d}-{secrets.token_hex(4)}'


def _material_field(algorithm: str) -> str:
    return 'secret_file' if algorithm in HMAC_ALGORITHMS else 'private_key_file'


@final
@dataclasses.dataclass(slots=True)
class RingDocument:
    """
    A ring file's entries, changed in memory, then saved at once.

    The steps (:meth:`add_key`, :meth:`activate`, :meth:`retire`) change
    :attr:`entries`; :meth:`save` checks the result and writes it.
    """

    path: Path
    entries: list[dict[str, Any]]
    #: Key files written by this change, removed if it is not saved.
    _new_files: list[Path] = dataclasses.field(default_factory=list)
    #: Key files of retired keys, removed once the ring is saved.
    _old_files: list[Path] = dataclasses.field(default_factory=list)

    @classmethod
    def read(cls, path: Path) -> 'RingDocument':
        """
        The ring file at *path*, as written.

        Raises:
            KeyFileError: It is missing or not a ring file.

        """
        try:
            document = json.loads(path.read_text(encoding='utf-8'))
        except FileNotFoundError:
            raise KeyFileError(
                f'No key ring at {str(path)!r}: create one with '
                '`manage.py jwt_keys generate`',
            ) from None
        except (OSError, ValueError) as exc:
            raise KeyFileError(
                f'Cannot read the key ring {str(path)!r}: {exc}',
            ) from None
        entries = document.get('keys') if isinstance(document, dict) else None
        if not isinstance(entries, list) or not all(
            isinstance(entry, dict) for entry in entries
        ):
            raise KeyFileError(
                f'{str(path)!r} is not a key ring: {{"keys": [...]}}',
            )
        return cls(path=path, entries=entries)

    def get(self, kid: str) -> dict[str, Any]:
        """
        The entry of *kid*.

        Raises:
            KeyFileError: The ring has no such key.

        """
        for entry in self.entries:
            if entry.get('kid') == kid:
                return entry
        known = ', '.join(str(entry.get('kid')) for entry in self.entries)
        raise KeyFileError(f'No key {kid!r} in the ring (it has: {known})')

    def active(self) -> dict[str, Any] | None:
        """The entry of the active key, if any."""
        for entry in self.entries:
            if entry.get('state', KeyState.ACTIVE) == KeyState.ACTIVE:
                return entry
        return None

    def staged(self) -> list[dict[str, Any]]:
        """Verifying keys never active (no ``deactivated_at``), newest last."""
        staged = [
            entry
            for entry in self.entries
            if entry.get('state') == KeyState.VERIFYING
            and 'deactivated_at' not in entry
        ]
        return sorted(
            staged,
            key=lambda entry: (
                parse_time(entry, 'created_at')
                or dt.datetime.min.replace(tzinfo=dt.UTC)
            ),
        )

    @sensitive_variables()
    def add_key(
        self,
        algorithm: str,
        *,
        state: KeyState,
        kid: str | None = None,
        rsa_bits: int = MIN_RSA_BITS,
        moment: dt.datetime | None = None,
    ) -> dict[str, Any]:
        """
        Make a new key, write its file, and add its entry.

        Raises:
            KeyFileError: The ``kid`` is taken, or the algorithm unknown.

        """
        moment = moment or now()
        kid = kid or new_kid(moment)
        if any(entry.get('kid') == kid for entry in self.entries):
            raise KeyFileError(f'The ring has a key {kid!r} already')
        if '/' in kid or '\\' in kid or kid.startswith('.'):
            raise KeyFileError(
                f'{kid!r} cannot name a file: use letters, digits, - and _',
            )
        material = generate_material(algorithm, rsa_bits=rsa_bits)
        suffix = '.secret' if algorithm in HMAC_ALGORITHMS else '.pem'
        key_path = self.path.parent / f'{kid}{suffix}'
        write_new_file(key_path, material)
        self._new_files.append(key_path)
        entry = {
            'kid': kid,
            'algorithm': algorithm,
            'state': state.value,
            _material_field(algorithm): key_path.name,
            'created_at': format_time(moment),
        }
        self.entries.append(entry)
        return entry

    def activate(
        self,
        kid: str,
        *,
        moment: dt.datetime | None = None,
    ) -> dict[str, Any] | None:
        """
        Make *kid* active and the active key verifying; return the latter.

        The previous active key records when it stopped signing
        (``deactivated_at``): :meth:`retire` waits for its tokens to expire.

        Raises:
            KeyFileError: No such key, it is active already, or it cannot
                sign (a public key only).

        """
        entry = self.get(kid)
        if entry.get('state', KeyState.ACTIVE) == KeyState.ACTIVE:
            raise KeyFileError(f'Key {kid!r} is the active key already')
        if not any(entry.get(field) for field in _SIGNING_FIELDS):
            raise KeyFileError(
                f'Key {kid!r} has no private key or secret: it can only '
                'verify, it cannot become active',
            )
        previous = self.active()
        if previous is not None:
            previous['state'] = KeyState.VERIFYING.value
            previous['deactivated_at'] = format_time(moment or now())
        entry['state'] = KeyState.ACTIVE.value
        entry.pop('deactivated_at', None)
        return previous

    def retire(self, kid: str) -> dict[str, Any]:
        """
        Remove *kid* (a verifying key) and, once saved, its key file.

        The caller decides whether its tokens have expired (see
        ``deactivated_at``).

        Raises:
            KeyFileError: No such key, or it is the active key.

        """
        entry = self.get(kid)
        if entry.get('state', KeyState.ACTIVE) == KeyState.ACTIVE:
            raise KeyFileError(
                f'Key {kid!r} is the active key: make another key active '
                'first (`jwt_keys rotate`)',
            )
        self.entries.remove(entry)
        self._old_files.extend(self._own_files(entry))
        return entry

    def _own_files(self, entry: Mapping[str, Any]) -> list[Path]:
        # Only files next to the ring, named relatively: what we wrote.
        return [
            self.path.parent / name
            for field in _FILE_FIELDS
            if isinstance(name := entry.get(field), str)
            and not Path(name).is_absolute()
            and Path(name).name == name
        ]

    def load(self) -> KeyRing:
        """
        The ring that these entries make (every key loaded and checked).

        Raises:
            KeyFileError: With the reason of the ring's loader.

        """
        try:
            return ring_from_entries(self.entries, base_dir=self.path.parent)
        except ImproperlyConfigured as exc:
            raise KeyFileError(str(exc)) from None

    def save(self) -> KeyRing:
        """
        Check the entries and write the ring file atomically.

        New key files are removed again when the ring cannot be saved; key
        files of retired keys are removed once it is.

        Raises:
            KeyFileError: The entries do not make a usable ring.

        """
        try:
            ring = self.load()
            content = json.dumps({'keys': self.entries}, indent=2) + '\n'
            write_atomically(self.path, content.encode('utf-8'))
        except BaseException:
            for new_file in self._new_files:
                with contextlib.suppress(OSError):
                    new_file.unlink()
            raise
        for old_file in self._old_files:
            with contextlib.suppress(OSError):
                old_file.unlink()
        self._new_files.clear()
        self._old_files.clear()
        return ring
