import datetime as dt
import io
import json
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.core.management import CommandError, call_command
from freezegun import freeze_time
from pytest_django import Settings

from dmr_jwt._internal import key_files, key_material
from dmr_jwt._internal.key_config import read_ring_file
from dmr_jwt.errors import InvalidTokenError, Reason
from dmr_jwt.keys import FileKeySource, KeyRing, KeyState
from dmr_jwt.token import JWToken

#: What no output may hold unless ``--private`` was asked for.
_PRIVATE_MARKERS: Final = ('PRIVATE', 'BEGIN', '"d"', '"k"')

#: The longest lifetime of the token controllers of ``tests.app.urls``.
_ROUTED_LIFETIME: Final = dt.timedelta(days=10)

_Run = Callable[..., tuple[str, str]]


@pytest.fixture
def run(tmp_path: Path) -> _Run:
    """Run ``jwt_keys`` on the ring in *tmp_path*; its stdout and stderr."""

    def runner(*args: str, where: Path | None = tmp_path) -> tuple[str, str]:
        stdout, stderr = io.StringIO(), io.StringIO()
        location = () if where is None else ('--dir', str(where))
        call_command(
            'jwt_keys',
            *args[:1],
            *location,
            *args[1:],
            stdout=stdout,
            stderr=stderr,
        )
        return stdout.getvalue(), stderr.getvalue()

    return runner


def _document(directory: Path) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads(
        (directory / 'ring.json').read_text(),
    )['keys']
    return entries


def _by_kid(directory: Path) -> dict[str, dict[str, Any]]:
    return {entry['kid']: entry for entry in _document(directory)}


def _ring(directory: Path) -> KeyRing:
    return read_ring_file(directory / 'ring.json')


def _assert_no_private_material(*outputs: str) -> None:
    for output in outputs:
        for marker in _PRIVATE_MARKERS:
            assert marker not in output, output


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_generate_makes_a_ring_with_one_active_eddsa_key(
    *,
    run: _Run,
    tmp_path: Path,
) -> None:
    stdout, stderr = run('generate')

    (entry,) = _document(tmp_path)
    assert entry['algorithm'] == 'EdDSA'
    assert entry['state'] == 'active'
    assert entry['private_key_file'] == f'{entry["kid"]}.pem'
    assert 'created_at' in entry
    assert 'deactivated_at' not in entry
    key_file = tmp_path / entry['private_key_file']
    assert key_file.read_bytes().startswith(b'-----BEGIN PRIVATE KEY-----')
    assert _mode(key_file) == 0o600
    assert _mode(tmp_path / 'ring.json') == 0o600
    ring = _ring(tmp_path)
    assert ring.signing_key().kid == entry['kid']
    assert entry['kid'] in stdout
    _assert_no_private_material(stdout, stderr)


@pytest.mark.parametrize(
    'algorithm',
    ['RS256', 'PS384', 'ES256', 'ES384', 'ES512', 'EdDSA', 'HS256', 'HS512'],
)
def test_generate_each_algorithm(
    *,
    run: _Run,
    tmp_path: Path,
    algorithm: str,
) -> None:
    stdout, stderr = run('generate', '--algorithm', algorithm, '--kid', 'k1')

    key = _ring(tmp_path).signing_key()
    assert (key.kid, key.algorithm) == ('k1', algorithm)
    signing = key.signing_key
    if algorithm.startswith(('RS', 'PS')):
        assert isinstance(signing, rsa.RSAPrivateKey)
        assert signing.key_size == 2048
    elif algorithm.startswith('ES'):
        assert isinstance(signing, ec.EllipticCurvePrivateKey)
        assert (
            signing.curve.key_size
            == {'256': 256, '384': 384, '512': 521}[algorithm[2:]]
        )
    elif algorithm.startswith('HS'):
        secret_file = tmp_path / _document(tmp_path)[0]['secret_file']
        assert len(secret_file.read_bytes()) >= 64
        assert _mode(secret_file) == 0o600
        assert secret_file.read_text() not in stdout + stderr
    token = JWToken(sub='1', exp=dt.datetime.now(dt.UTC) + dt.timedelta(1))
    encoded = token.encode(key.signing_key, algorithm, {'kid': key.kid})
    assert JWToken.decode(encoded, key.verifying_key, algorithm).sub == '1'
    _assert_no_private_material(stdout, stderr)


def test_generate_a_bigger_rsa_key(*, run: _Run, tmp_path: Path) -> None:
    run('generate', '--algorithm', 'RS512', '--rsa-bits', '3072')

    assert _ring(tmp_path).signing_key().signing_key.key_size == 3072


@pytest.mark.parametrize(
    ('args', 'message'),
    [
        (('--algorithm', 'RS256', '--rsa-bits', '1024'), 'at least 2048'),
        (('--algorithm', 'HS1'), 'not supported'),
        (('--algorithm', 'none'), 'not supported'),
        (('--kid', '../escape'), 'cannot name a file'),
        (('--kid', '.hidden'), 'cannot name a file'),
    ],
)
def test_generate_refuses(
    *,
    run: _Run,
    tmp_path: Path,
    args: tuple[str, ...],
    message: str,
) -> None:
    with pytest.raises(CommandError, match=message):
        run('generate', *args)

    assert list(tmp_path.iterdir()) == []


def test_generate_never_overwrites_without_force(
    *,
    run: _Run,
    tmp_path: Path,
) -> None:
    run('generate', '--kid', 'first')

    with pytest.raises(CommandError, match='--force'):
        run('generate', '--kid', 'second')
    assert list(_by_kid(tmp_path)) == ['first']

    run('generate', '--kid', 'second', '--force')
    assert list(_by_kid(tmp_path)) == ['second']


def test_the_ring_of_the_settings_is_the_default(
    *,
    run: _Run,
    settings: Settings,
    tmp_path: Path,
) -> None:
    ring_file = tmp_path / 'var' / 'keys' / 'jwt.json'
    settings.DMR_JWT = {'KEYS': ring_file}

    run('generate', '--kid', 'k1', where=None)
    run('rotate', '--stage', '--kid', 'k2', where=None)

    assert _mode(ring_file.parent) == 0o700
    assert [key.kid for key in read_ring_file(ring_file).keys] == ['k1', 'k2']
    assert (ring_file.parent / 'k1.pem').is_file()


@pytest.mark.parametrize('keys', [None, [{'kid': 'k', 'algorithm': 'HS256'}]])
@pytest.mark.parametrize('action', ['generate', 'rotate', 'retire'])
def test_without_a_ring_file(
    *,
    run: _Run,
    settings: Settings,
    keys: object,
    action: str,
) -> None:
    settings.DMR_JWT = {} if keys is None else {'KEYS': keys}
    args = ('retire', 'k') if action == 'retire' else (action,)

    with pytest.raises(CommandError, match='--dir'):
        run(*args, where=None)


def test_list_and_jwks_read_entries_of_the_settings(
    *,
    run: _Run,
    settings: Settings,
) -> None:
    settings.DMR_JWT = {'KEYS': [{'kid': 'legacy', 'algorithm': 'HS256'}]}

    listing, _ = run('list', where=None)
    jwks, _ = run('jwks', where=None)

    assert 'legacy' in listing.splitlines()[1]
    assert json.loads(jwks) == {'keys': []}
    _assert_no_private_material(listing, jwks)


def test_rotate_stage_adds_a_verifying_key(
    *,
    run: _Run,
    tmp_path: Path,
) -> None:
    run('generate', '--kid', 'old')

    stdout, stderr = run('rotate', '--stage', '--kid', 'new')

    entries = _by_kid(tmp_path)
    assert entries['old']['state'] == 'active'
    assert entries['new']['state'] == 'verifying'
    assert entries['new']['algorithm'] == 'EdDSA'  # the active key's
    assert 'deactivated_at' not in entries['new']
    ring = _ring(tmp_path)
    assert ring.signing_key().kid == 'old'
    assert ring.verifying_key('new').state is KeyState.VERIFYING
    assert 'new' in stdout
    _assert_no_private_material(stdout, stderr)
    with pytest.raises(CommandError, match='staged already'):
        run('rotate', '--stage')


def test_rotate_activates_the_staged_key(*, run: _Run, tmp_path: Path) -> None:
    run('generate', '--kid', 'old')
    run('rotate', '--stage', '--kid', 'new', '--algorithm', 'ES256')

    with freeze_time('2030-01-02T03:04:05Z'):
        stdout, stderr = run('rotate')

    entries = _by_kid(tmp_path)
    assert entries['new']['state'] == 'active'
    assert entries['old']['state'] == 'verifying'
    assert entries['old']['deactivated_at'] == '2030-01-02T03:04:05+00:00'
    assert _ring(tmp_path).signing_key().algorithm == 'ES256'
    assert 'jwt_keys retire old' in stdout
    assert stderr == ''
    _assert_no_private_material(stdout, stderr)


def test_rotate_without_a_staged_key_warns(
    *,
    run: _Run,
    tmp_path: Path,
) -> None:
    run('generate', '--kid', 'old')

    _, stderr = run('rotate', '--kid', 'new')

    assert 'No staged key' in stderr
    assert _ring(tmp_path).signing_key().kid == 'new'
    assert _by_kid(tmp_path)['old']['state'] == 'verifying'


def test_rotate_activate_a_chosen_key(*, run: _Run, tmp_path: Path) -> None:
    run('generate', '--kid', 'a')
    run('rotate', '--kid', 'b')

    run('rotate', '--activate', 'a')  # back to the first one

    entries = _by_kid(tmp_path)
    assert entries['a']['state'] == 'active'
    assert 'deactivated_at' not in entries['a']
    assert entries['b']['state'] == 'verifying'
    assert 'deactivated_at' in entries['b']


def test_rotate_refuses_keys_that_cannot_sign(
    *,
    run: _Run,
    tmp_path: Path,
) -> None:
    run('generate', '--kid', 'a')
    document = json.loads((tmp_path / 'ring.json').read_text())
    public_pem = (
        _ring(tmp_path)
        .signing_key()
        .verifying_key.public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo,
        )
    )
    document['keys'].append(
        {
            'kid': 'partner',
            'algorithm': 'EdDSA',
            'state': 'verifying',
            'public_key': public_pem.decode(),
        },
    )
    (tmp_path / 'ring.json').write_text(json.dumps(document))

    with pytest.raises(CommandError, match='cannot become active'):
        run('rotate', '--activate', 'partner')
    with pytest.raises(CommandError, match='active key already'):
        run('rotate', '--activate', 'a')
    with pytest.raises(CommandError, match="No key 'missing'"):
        run('rotate', '--activate', 'missing')
    # Without `deactivated_at` nor `created_at`, nobody knows: --force.
    with pytest.raises(CommandError, match='does not say when'):
        run('retire', 'partner')
    run('retire', 'partner', '--force')
    assert list(_by_kid(tmp_path)) == ['a']


def _rotated(run: _Run, moment: str) -> None:
    run('generate', '--kid', 'old')
    with freeze_time(moment):
        run('rotate', '--kid', 'new')


def test_retire_refuses_while_its_tokens_may_live(
    *,
    run: _Run,
    tmp_path: Path,
) -> None:
    _rotated(run, '2030-01-01T00:00:00Z')

    almost = dt.datetime(2030, 1, 1, tzinfo=dt.UTC) + _ROUTED_LIFETIME
    with (
        freeze_time(almost - dt.timedelta(seconds=1)),
        pytest.raises(CommandError, match='--force') as exc_info,
    ):
        run('retire', 'old')

    assert '2030-01-11T00:00:00+00:00' in str(exc_info.value)
    assert 'old' in _by_kid(tmp_path)
    with freeze_time(almost):
        stdout, stderr = run('retire', 'old')
    assert list(_by_kid(tmp_path)) == ['new']
    assert not (tmp_path / 'old.pem').exists()
    assert (tmp_path / 'new.pem').exists()
    _assert_no_private_material(stdout, stderr)


@pytest.mark.parametrize(
    'args',
    [('--force',), ('--max-token-lifetime', '3600')],
)
def test_retire_with_force_or_a_shorter_lifetime(
    *,
    run: _Run,
    tmp_path: Path,
    args: tuple[str, ...],
) -> None:
    _rotated(run, '2030-01-01T00:00:00Z')

    with freeze_time('2030-01-01T01:00:00Z'):
        run('retire', 'old', *args)

    assert list(_by_kid(tmp_path)) == ['new']


def test_retire_needs_a_lifetime_when_no_controller_is_routed(
    *,
    run: _Run,
    settings: Settings,
) -> None:
    _rotated(run, '2030-01-01T00:00:00Z')
    settings.ROOT_URLCONF = 'tests.app.jwks_urls'  # no token controller

    with pytest.raises(CommandError, match='--max-token-lifetime'):
        run('retire', 'old')


def test_retire_never_removes_the_active_key(*, run: _Run) -> None:
    run('generate', '--kid', 'only')

    with pytest.raises(CommandError, match='active key'):
        run('retire', 'only', '--force')


def test_retire_a_staged_key_at_once(*, run: _Run, tmp_path: Path) -> None:
    run('generate', '--kid', 'old')
    run('rotate', '--stage', '--kid', 'staged')

    run('retire', 'staged')  # it never signed a token

    assert list(_by_kid(tmp_path)) == ['old']


def test_list_shows_every_key_and_no_material(
    *,
    run: _Run,
    tmp_path: Path,
) -> None:
    run('generate', '--kid', 'k1', '--algorithm', 'HS512')
    run('rotate', '--kid', 'k2', '--algorithm', 'ES384')
    run('rotate', '--stage', '--kid', 'k3')

    stdout, stderr = run('list')

    header, *rows = stdout.splitlines()
    assert header.split() == [
        'KID',
        'ALGORITHM',
        'STATE',
        'LEGACY',
        'CREATED',
        'DEACTIVATED',
    ]
    assert [row.split()[:3] for row in rows] == [
        ['k1', 'HS512', 'verifying'],
        ['k2', 'ES384', 'active'],
        ['k3', 'ES384', 'verifying'],
    ]
    assert rows[2].split()[3] == '(staged)'
    secret = (tmp_path / 'k1.secret').read_text()
    assert secret not in stdout
    _assert_no_private_material(stdout, stderr)


def test_jwks_prints_public_keys_only(*, run: _Run, tmp_path: Path) -> None:
    run('generate', '--kid', 'hmac', '--algorithm', 'HS256')
    for kid, algorithm in [('rsa', 'RS256'), ('ec', 'ES256'), ('ed', 'EdDSA')]:
        run('rotate', '--kid', kid, '--algorithm', algorithm)

    stdout, stderr = run('jwks')

    keys = json.loads(stdout)['keys']
    assert [key['kid'] for key in keys] == ['rsa', 'ec', 'ed']
    assert json.loads(stdout) == _ring(tmp_path).jwks()
    for key in keys:
        assert not {'d', 'p', 'q', 'dp', 'dq', 'qi', 'k'} & set(key)
    _assert_no_private_material(stdout, stderr)


def test_jwks_private_needs_the_flag_and_warns(
    *,
    run: _Run,
    tmp_path: Path,
) -> None:
    run('generate', '--kid', 'hmac', '--algorithm', 'HS256')
    run('rotate', '--kid', 'ed', '--algorithm', 'EdDSA')

    stdout, stderr = run('jwks', '--private')

    assert 'PRIVATE KEYS' in stderr
    keys = {key['kid']: key for key in json.loads(stdout)['keys']}
    assert set(keys) == {'hmac', 'ed'}
    assert keys['ed']['d']
    assert keys['hmac']['kty'] == 'oct'
    assert 'PRIVATE' not in stdout


def test_write_atomically_keeps_the_old_file_until_the_rename(
    *,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / 'ring.json'
    target.write_bytes(b'old')
    old_inode = target.stat().st_ino
    seen: list[tuple[bytes, bytes, Path]] = []
    real_replace = os.replace

    def replace(source: str, destination: Path) -> None:
        seen.append(
            (Path(source).read_bytes(), target.read_bytes(), Path(source))
        )
        real_replace(source, destination)

    monkeypatch.setattr(os, 'replace', replace)

    key_material.write_atomically(target, b'new content')

    ((temporary_content, target_content, temporary),) = seen
    assert (temporary_content, target_content) == (b'new content', b'old')
    assert temporary.parent == tmp_path
    assert target.read_bytes() == b'new content'
    # A new inode: `FileKeySource` sees the change even within one mtime.
    assert target.stat().st_ino != old_inode
    assert _mode(target) == 0o600
    assert sorted(path.name for path in tmp_path.iterdir()) == ['ring.json']


def test_write_atomically_leaves_nothing_behind_on_failure(
    *,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / 'ring.json'
    target.write_bytes(b'old')

    def fail(descriptor: int) -> None:
        raise OSError('disk full')

    monkeypatch.setattr(os, 'fsync', fail)

    with pytest.raises(OSError, match='disk full'):
        key_material.write_atomically(target, b'new')

    assert target.read_bytes() == b'old'
    assert sorted(path.name for path in tmp_path.iterdir()) == ['ring.json']


def test_readers_never_see_half_a_ring(*, run: _Run, tmp_path: Path) -> None:
    run('generate', '--kid', 'k0')
    ring_file = tmp_path / 'ring.json'
    stop = threading.Event()
    broken: list[str] = []
    reads = 0

    def reader() -> None:
        nonlocal reads
        while not stop.is_set():
            text = ring_file.read_text()
            reads += 1
            try:
                json.loads(text)
            except ValueError:
                broken.append(text)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for number in range(1, 16):
            run('rotate', '--kid', f'k{number}')
    finally:
        stop.set()
        thread.join(timeout=30)

    assert reads > 0
    assert broken == []
    assert _ring(tmp_path).signing_key().kid == 'k15'


def test_a_failed_change_keeps_the_ring(
    *,
    run: _Run,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run('generate', '--kid', 'k1')
    before = (tmp_path / 'ring.json').read_bytes()

    def fail(path: Path, content: bytes) -> None:
        raise OSError('disk full')

    monkeypatch.setattr(key_files, 'write_atomically', fail)

    with pytest.raises(OSError, match='disk full'):
        run('rotate', '--stage', '--kid', 'k2')

    assert (tmp_path / 'ring.json').read_bytes() == before
    assert not (tmp_path / 'k2.pem').exists()


def test_rotation_end_to_end_with_a_file_key_source(
    *,
    run: _Run,
    tmp_path: Path,
) -> None:
    run('generate', '--kid', 'old')
    source = FileKeySource(tmp_path / 'ring.json', reload_interval=1e-6)
    old_token = _sign(source.key_ring())

    run('rotate', '--stage', '--kid', 'new')
    # Published: it verifies, the old key still signs.
    assert source.key_ring().signing_key().kid == 'old'
    assert source.verifying_key('new').state is KeyState.VERIFYING
    assert _verify(source, old_token)

    run('rotate')
    new_token = _sign(source.key_ring())
    assert source.key_ring().signing_key().kid == 'new'
    assert _verify(source, old_token)  # nobody is logged out
    assert _verify(source, new_token)

    run('retire', 'old', '--max-token-lifetime', '0')
    assert _verify(source, new_token)
    with pytest.raises(InvalidTokenError) as exc_info:
        _verify(source, old_token)
    assert exc_info.value.reason is Reason.UNKNOWN_KEY


def _sign(ring: KeyRing) -> str:
    key = ring.signing_key()
    token = JWToken(
        sub='42',
        exp=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),
        jti=key.kid,
    )
    return token.encode(key.signing_key, key.algorithm, {'kid': key.kid})


def _verify(source: FileKeySource, encoded: str) -> bool:
    from dmr_jwt._internal.pyjwt import unverified_kid  # noqa: PLC0415

    key = source.verifying_key(unverified_kid(encoded))
    return JWToken.decode(encoded, key.verifying_key, key.algorithm).sub == '42'
