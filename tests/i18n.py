"""Helpers of the translation tests of the token errors.

A tiny German catalog of the reason messages, written as a ``.mo`` file
(the ``german`` fixture of ``tests/conftest.py`` installs it), and tokens
that fail with a known reason.
"""

import array
import datetime as dt
import struct
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import jwt
from django.conf import settings as django_settings

from dmr_jwt.errors import Reason
from dmr_jwt.token import JWToken

__all__ = ('GERMAN', 'expired_token', 'write_mo', 'wrong_key_token')

#: A tiny German catalog: one message with a non-ASCII character.
GERMAN: Final = {
    Reason.INVALID_SIGNATURE.value: 'Ungültige Token-Signatur',
    Reason.EXPIRED.value: 'Das Token ist abgelaufen',
}


def write_mo(path: Path, messages: Mapping[str, str]) -> None:
    """Write a GNU ``.mo`` catalog, as ``msgfmt`` would (no tool needed)."""
    catalog = {
        '': 'Content-Type: text/plain; charset=UTF-8\n',
        **messages,
    }
    ids = b''
    strs = b''
    entries: list[tuple[int, int, int, int]] = []
    for msgid in sorted(catalog):
        encoded_id = msgid.encode()
        encoded_str = catalog[msgid].encode()
        entries.append(
            (len(ids), len(encoded_id), len(strs), len(encoded_str)),
        )
        ids += encoded_id + b'\0'
        strs += encoded_str + b'\0'
    header_size = 7 * 4
    ids_start = header_size + 16 * len(entries)
    strs_start = ids_start + len(ids)
    offsets: list[int] = []
    for id_offset, id_length, _, _ in entries:
        offsets += [id_length, ids_start + id_offset]
    for _, _, str_offset, str_length in entries:
        offsets += [str_length, strs_start + str_offset]
    header = struct.pack(
        'Iiiiiii',
        0x950412DE,  # magic
        0,  # revision
        len(entries),
        header_size,  # where the msgid table starts
        header_size + 8 * len(entries),  # where the msgstr table starts
        0,  # no hash table
        0,
    )
    path.parent.mkdir(parents=True)
    path.write_bytes(
        header + array.array('i', offsets).tobytes() + ids + strs,
    )


def expired_token() -> str:
    """An HS256 token of the test key that expired a minute ago."""
    now = int(dt.datetime.now(dt.UTC).timestamp())
    return jwt.encode(
        {'sub': '1', 'exp': now - 60, 'extras': {'type': 'access'}},
        django_settings.SECRET_KEY,
        algorithm='HS256',
    )


def wrong_key_token() -> str:
    """A token signed with another key, with non-ASCII claims."""
    return JWToken(
        sub='ü' * 10,
        exp=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),
        extras={'type': 'access', 'secret': 'ß"\\' * 5},
    ).encode('another-key-' + 'k' * 64, 'HS256')
