"""``manage.py jwt_keys``: create, rotate and retire the keys of a ring file.

Rotation without logging anybody out, in three runs (README, "Rotating
keys")::

    manage.py jwt_keys rotate --stage   # the next key, verifying: publish
    manage.py jwt_keys rotate           # it signs; the old one verifies
    manage.py jwt_keys retire OLD_KID   # after the longest token lifetime

The ring file is ``DMR_JWT['KEYS']`` when that is a path, or ``ring.json``
in ``--dir``. Every change is written atomically; running processes
(:class:`~dmr_jwt.keys.FileKeySource`) reload it within
``KEYS_RELOAD_INTERVAL`` seconds. Nothing prints key material except
``jwks --private``, which says so.
"""

import datetime as dt
import json
import os
from argparse import ArgumentParser
from pathlib import Path
from typing import Any, Final

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from typing_extensions import override

from dmr_jwt._internal import key_files as _files
from dmr_jwt._internal import pyjwk as _pyjwk
from dmr_jwt._internal.key import KeyState as _KeyState
from dmr_jwt._internal.key_config import ring_from_entries as _ring_from
from dmr_jwt._internal.keyring import KeyRing as _KeyRing
from dmr_jwt._internal.routes import routed_token_lifetime as _lifetime

_PRIVATE_WARNING: Final = (
    'WARNING: the output holds PRIVATE KEYS and secrets: anyone who has '
    'them can sign tokens that every service accepts. Never paste, log or '
    'commit it.'
)


class Command(BaseCommand):
    """Manage the project's JWT key ring file."""

    help = (
        'Manage the JWT key ring: generate a ring, rotate its signing key '
        '(--stage first, then rotate), retire an old key, list the keys, '
        'print the public JWK Set.'
    )

    @override
    def add_arguments(self, parser: ArgumentParser) -> None:
        where = ArgumentParser(add_help=False)
        where.add_argument(
            '--dir',
            help=(
                f'Directory of the ring ({_files.DEFAULT_RING_NAME} and the '
                "key files); default: that of DMR_JWT['KEYS']."
            ),
        )
        actions = parser.add_subparsers(
            dest='action',
            required=True,
            metavar='ACTION',
        )
        generate = actions.add_parser(
            'generate',
            parents=[where],
            help='Create a ring file with one active key.',
        )
        _add_key_arguments(generate, default_algorithm=_files.DEFAULT_ALGORITHM)
        generate.add_argument(
            '--force',
            action='store_true',
            help='Replace an existing ring (tokens of its keys stop working).',
        )
        rotate = actions.add_parser(
            'rotate',
            parents=[where],
            help=(
                'With --stage: add the next key, verifying. Without: make '
                'the staged key active, the active one verifying.'
            ),
        )
        _add_key_arguments(rotate, default_algorithm=None)
        mode = rotate.add_mutually_exclusive_group()
        mode.add_argument(
            '--stage',
            action='store_true',
            help='Add the next key as verifying (publish it first).',
        )
        mode.add_argument(
            '--activate',
            metavar='KID',
            help='Make this verifying key active (default: the staged one).',
        )
        retire = actions.add_parser(
            'retire',
            parents=[where],
            help='Remove a verifying key once its tokens have expired.',
        )
        retire.add_argument('kid', metavar='KID')
        retire.add_argument(
            '--max-token-lifetime',
            type=float,
            metavar='SECONDS',
            help=(
                'The longest lifetime of a token (default: the longest of '
                'the token controllers that ROOT_URLCONF routes).'
            ),
        )
        retire.add_argument(
            '--force',
            action='store_true',
            help='Retire even if tokens that it signed may not have expired.',
        )
        actions.add_parser(
            'list',
            parents=[where],
            help='Show the keys (never their material).',
        )
        jwks = actions.add_parser(
            'jwks',
            parents=[where],
            help='Print the public keys as a JWK Set (what /jwks serves).',
        )
        jwks.add_argument(
            '--private',
            action='store_true',
            help='Print the PRIVATE keys and HMAC secrets instead. Dangerous.',
        )

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        action = options['action']
        try:
            getattr(self, f'_{action}')(options)
        except (_files.KeyFileError, ImproperlyConfigured) as exc:
            raise CommandError(str(exc)) from None

    def _generate(self, options: dict[str, Any]) -> None:
        path = _ring_path(options)
        if path.exists() and not options['force']:
            raise CommandError(
                f'A key ring exists at {str(path)!r}: rotate its keys '
                '(`jwt_keys rotate --stage`), or pass --force to replace it '
                '(every token that its keys signed stops working)',
            )
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        document = _files.RingDocument(path=path, entries=[])
        entry = document.add_key(
            options['algorithm'],
            state=_KeyState.ACTIVE,
            kid=options['kid'],
            rsa_bits=options['rsa_bits'],
        )
        document.save()
        self._say(
            f'Created the key ring {path} with the active key '
            f'{entry["kid"]} ({entry["algorithm"]}); its key file is '
            f'readable by this user only. Use it: '
            f"DMR_JWT = {{'KEYS': {str(path)!r}}}",
        )

    def _rotate(self, options: dict[str, Any]) -> None:
        document = _files.RingDocument.read(_ring_path(options))
        active = document.active()
        algorithm = options['algorithm'] or (
            active['algorithm'] if active else _files.DEFAULT_ALGORITHM
        )
        if options['stage']:
            self._stage(document, algorithm, options)
            return
        kid = options['activate']
        if kid is None:
            staged = document.staged()
            if staged:
                kid = staged[-1]['kid']
            else:
                kid = document.add_key(
                    algorithm,
                    state=_KeyState.VERIFYING,
                    kid=options['kid'],
                    rsa_bits=options['rsa_bits'],
                )['kid']
                self.stderr.write(
                    self.style.WARNING(
                        f'No staged key: {kid} is created and activated at '
                        'once. Services that verify with a copy of the JWKS '
                        'refuse its tokens until they refetch it; for no '
                        'refusals at all, run `rotate --stage` first.',
                    ),
                )
        previous = document.activate(kid)
        document.save()
        retired = (
            f'; {previous["kid"]} only verifies now: retire it after the '
            f'longest token lifetime (`jwt_keys retire {previous["kid"]}`)'
            if previous
            else ''
        )
        self._say(f'{kid} signs new tokens{retired}.')

    def _stage(
        self,
        document: _files.RingDocument,
        algorithm: str,
        options: dict[str, Any],
    ) -> None:
        staged = document.staged()
        if staged:
            raise CommandError(
                f'{staged[-1]["kid"]} is staged already: activate it '
                '(`jwt_keys rotate`) or retire it first',
            )
        entry = document.add_key(
            algorithm,
            state=_KeyState.VERIFYING,
            kid=options['kid'],
            rsa_bits=options['rsa_bits'],
        )
        document.save()
        self._say(
            f'Staged {entry["kid"]} ({algorithm}): it verifies, it does not '
            'sign yet. Once every service has it (JWKS max-age and their '
            'refresh interval), run `jwt_keys rotate`.',
        )

    def _retire(self, options: dict[str, Any]) -> None:
        document = _files.RingDocument.read(_ring_path(options))
        kid: str = options['kid']
        entry = document.get(kid)
        if (
            entry.get('state', _KeyState.ACTIVE) != _KeyState.ACTIVE
            and not (options['force'])
        ):
            _check_expired(entry, options['max_token_lifetime'])
        document.retire(kid)
        document.save()
        self._say(f'Retired {kid}: tokens that it signed are refused now.')

    def _list(self, options: dict[str, Any]) -> None:
        rows = [
            ('KID', 'ALGORITHM', 'STATE', 'LEGACY', 'CREATED', 'DEACTIVATED')
        ]
        for entry in _entries(options):
            state = str(entry.get('state', _KeyState.ACTIVE))
            if state == _KeyState.VERIFYING and 'deactivated_at' not in entry:
                state += ' (staged)' if 'created_at' in entry else ''
            rows.append(
                (
                    str(entry.get('kid')),
                    str(entry.get('algorithm')),
                    state,
                    'yes' if entry.get('legacy_default') else '',
                    str(entry.get('created_at', '')),
                    str(entry.get('deactivated_at', '')),
                ),
            )
        widths = [max(len(row[column]) for row in rows) for column in range(6)]
        for row in rows:
            self.stdout.write(
                '  '.join(
                    cell.ljust(width)
                    for cell, width in zip(row, widths, strict=True)
                ).rstrip(),
            )

    def _jwks(self, options: dict[str, Any]) -> None:
        ring = _ring(options)
        if not options['private']:
            self.stdout.write(json.dumps(ring.jwks(), indent=2))
            return
        self.stderr.write(self.style.ERROR(_PRIVATE_WARNING))
        self.stdout.write(
            json.dumps(
                {
                    'keys': [
                        {
                            **_pyjwk.private_jwk(
                                key.signing_key, key.algorithm
                            ),
                            'kid': key.kid,
                            'alg': key.algorithm,
                            'use': 'sig',
                        }
                        for key in ring.keys
                        if key.signing_key is not None
                    ],
                },
                indent=2,
            ),
        )

    def _say(self, message: str) -> None:
        self.stdout.write(self.style.SUCCESS(message))


def _add_key_arguments(
    parser: ArgumentParser,
    *,
    default_algorithm: str | None,
) -> None:
    parser.add_argument(
        '--algorithm',
        default=default_algorithm,
        help=(
            'EdDSA (default), ES256, ES384, ES512, RS256..512, PS256..512, '
            'or HS256..512 (a secret: never published)'
            if default_algorithm
            else "The new key's algorithm (default: the active key's)."
        ),
    )
    parser.add_argument('--kid', help='The new key id (default: generated).')
    parser.add_argument(
        '--rsa-bits',
        type=int,
        default=_files.MIN_RSA_BITS,
        help=(
            'Size of a new RSA key '
            f'(default and minimum: {_files.MIN_RSA_BITS}).'
        ),
    )


def _configured_keys() -> Any:
    from dmr_jwt.conf import get_settings  # noqa: PLC0415

    return get_settings().KEYS


def _ring_path(options: dict[str, Any]) -> Path:
    if options['dir']:
        return Path(options['dir']) / _files.DEFAULT_RING_NAME
    keys = _configured_keys()
    if isinstance(keys, str | os.PathLike):
        return Path(keys)
    if keys is None:
        raise CommandError(
            "Pass --dir, or set DMR_JWT['KEYS'] to the ring file's path",
        )
    raise CommandError(
        "DMR_JWT['KEYS'] lists its keys itself: this command manages ring "
        "files. Pass --dir, or set DMR_JWT['KEYS'] to a ring file's path",
    )


def _entries(options: dict[str, Any]) -> list[dict[str, Any]]:
    keys = _configured_keys()
    if not options['dir'] and isinstance(keys, list | tuple):
        return [dict(entry) for entry in keys]
    return _files.RingDocument.read(_ring_path(options)).entries


def _ring(options: dict[str, Any]) -> _KeyRing:
    keys = _configured_keys()
    if not options['dir'] and isinstance(keys, list | tuple):
        return _ring_from(keys)
    return _files.RingDocument.read(_ring_path(options)).load()


def _check_expired(
    entry: dict[str, Any], lifetime_seconds: float | None
) -> None:
    kid = entry['kid']
    deactivated = _files.parse_time(entry, 'deactivated_at')
    if deactivated is None:
        if 'created_at' in entry:
            return  # staged by `rotate --stage`, never signed a token
        raise CommandError(
            f'The ring does not say when {kid} stopped signing tokens: '
            'pass --force once no token that it signed is valid',
        )
    if lifetime_seconds is not None:
        lifetime = dt.timedelta(seconds=lifetime_seconds)
    else:
        lifetime = _lifetime()
        if not lifetime:
            raise CommandError(
                'ROOT_URLCONF routes no token controller, so the longest '
                'token lifetime is unknown: pass --max-token-lifetime SECONDS',
            )
    safe_at = deactivated + lifetime
    if _files.now() < safe_at:
        raise CommandError(
            f'{kid} signed tokens until {_files.format_time(deactivated)}; '
            f'they live up to {lifetime}, so some may still be valid: '
            f'retire it after {_files.format_time(safe_at)}, or pass '
            '--force to refuse them now (their users must log in again)',
        )
