import ast
import importlib
import os
import subprocess
import sys
from importlib.resources import files
from pathlib import Path
from types import ModuleType
from typing import Final

import pytest

import dmr_jwt

PACKAGE_DIR: Final = Path(dmr_jwt.__file__).parent
SOURCE_FILES: Final = sorted(PACKAGE_DIR.rglob('*.py'))

#: Modules that must import without Django settings.
MODULES: Final = (
    'dmr_jwt',
    'dmr_jwt.token',
    'dmr_jwt.auth',
    'dmr_jwt.views',
    'dmr_jwt.keys',
    'dmr_jwt._internal.users',
    'dmr_jwt._internal.auth_base',
    'dmr_jwt._internal.claims',
    'dmr_jwt._internal.header',
    'dmr_jwt._internal.prepared_lookup',
    'dmr_jwt._internal.user_cache',
)

#: Never imported by our code: we replace them.
FORBIDDEN_IMPORTS: Final = (
    'dmr.security.jwt',
    'dmr.security.token',
    'dmr.internal.jwt',
)

DOCUMENTED_NAMES: Final = [
    ('dmr_jwt.token', 'JWToken'),
    ('dmr_jwt.auth', 'JWTSyncAuth'),
    ('dmr_jwt.auth', 'JWTAsyncAuth'),
    ('dmr_jwt.auth', 'request_jwt'),
    ('dmr_jwt.views', 'ObtainTokensSyncController'),
    ('dmr_jwt.views', 'ObtainTokensAsyncController'),
    ('dmr_jwt.views', 'RefreshTokenSyncController'),
    ('dmr_jwt.views', 'RefreshTokenAsyncController'),
    ('dmr_jwt.views', 'ObtainTokensPayload'),
    ('dmr_jwt.views', 'ObtainTokensResponse'),
    ('dmr_jwt.views', 'RefreshTokenPayload'),
]


def test_package_all_is_the_public_surface() -> None:
    public = {
        name
        for name, exported in vars(dmr_jwt).items()
        if not name.startswith('_') and not isinstance(exported, ModuleType)
    }

    assert set(dmr_jwt.__all__) == public
    assert public == {'JWToken', 'JWTSyncAuth', 'JWTAsyncAuth', 'request_jwt'}
    assert len(dmr_jwt.__all__) == len(public)


@pytest.mark.parametrize('name', ['JWToken', 'JWTSyncAuth', 'JWTAsyncAuth'])
def test_package_reexports_the_same_objects(name: str) -> None:
    module = importlib.import_module(getattr(dmr_jwt, name).__module__)

    assert getattr(dmr_jwt, name) is getattr(module, name)


@pytest.mark.parametrize('module_name', MODULES)
def test_module_all_names_exist(module_name: str) -> None:
    module = importlib.import_module(module_name)
    exported: tuple[str, ...] = tuple(module.__all__)

    assert exported
    assert len(set(exported)) == len(exported)
    for name in exported:
        assert hasattr(module, name), f'{module_name}.{name}'


@pytest.mark.parametrize(
    ('module_name', 'name'),
    [pytest.param(*pair, id='.'.join(pair)) for pair in DOCUMENTED_NAMES],
)
def test_documented_import_paths(module_name: str, name: str) -> None:
    module = importlib.import_module(module_name)

    assert name in module.__all__
    assert getattr(module, name).__module__ == module_name


def test_py_typed_is_shipped() -> None:
    marker = files('dmr_jwt') / 'py.typed'

    assert marker.is_file()
    assert (PACKAGE_DIR / 'py.typed').is_file()


def test_imports_without_django_settings() -> None:
    env = {
        name: env_value
        for name, env_value in os.environ.items()
        if name != 'DJANGO_SETTINGS_MODULE'
    }
    env['PYTHONPATH'] = os.pathsep.join(
        [str(PACKAGE_DIR.parent), env.get('PYTHONPATH', '')],
    )
    code = (
        f'import {", ".join(MODULES)}\n'
        'from django.conf import settings\n'
        'assert not settings.configured\n'
    )

    result = subprocess.run(  # noqa: S603
        [sys.executable, '-W', 'error', '-c', code],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr


def _imported_modules(source_file: Path) -> set[str]:
    """Every absolute module name that *source_file* imports."""
    tree = ast.parse(source_file.read_text(), filename=str(source_file))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            module = node.module or ''
            imported.add(module)
            imported.update(f'{module}.{alias.name}' for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name | ast.Attribute)
            and getattr(node.func, 'id', getattr(node.func, 'attr', ''))
            in {'import_module', '__import__', 'import_string'}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            imported.add(node.args[0].value)
    return imported


def _is_under(module: str, package: str) -> bool:
    return module == package or module.startswith(f'{package}.')


def test_source_files_are_found() -> None:
    names = {source_file.name for source_file in SOURCE_FILES}

    assert {'__init__.py', 'token.py', 'auth.py', 'views.py'} <= names


@pytest.mark.parametrize(
    'source_file',
    [
        pytest.param(source_file, id=str(source_file.relative_to(PACKAGE_DIR)))
        for source_file in SOURCE_FILES
    ],
)
def test_no_builtin_jwt_imports(source_file: Path) -> None:
    imported = _imported_modules(source_file)

    assert not {
        module
        for module in imported
        for forbidden in FORBIDDEN_IMPORTS
        if _is_under(module, forbidden)
    }


def test_only_token_module_imports_pyjwt() -> None:
    importers = {
        source_file.relative_to(PACKAGE_DIR).as_posix()
        for source_file in SOURCE_FILES
        if any(
            _is_under(name, 'jwt') for name in _imported_modules(source_file)
        )
    }

    assert importers == {'token.py'}


@pytest.mark.parametrize(
    ('source', 'expected'),
    [
        pytest.param('import jwt', 'jwt', id='import'),
        pytest.param('from jwt import decode', 'jwt.decode', id='from'),
        pytest.param(
            'from dmr.security import jwt',
            'dmr.security.jwt',
            id='from-package',
        ),
        pytest.param(
            'import importlib\nimportlib.import_module("dmr.internal.jwt")',
            'dmr.internal.jwt',
            id='dynamic',
        ),
    ],
)
def test_import_scanner_sees(
    tmp_path: Path,
    source: str,
    expected: str,
) -> None:
    source_file = tmp_path / 'module.py'
    source_file.write_text(source)

    assert expected in _imported_modules(source_file)
