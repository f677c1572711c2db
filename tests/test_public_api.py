import ast
import importlib
import os
import subprocess
import sys
from importlib.resources import files
from importlib.util import resolve_name
from pathlib import Path
from types import ModuleType
from typing import Final

import pytest

import dmr_jwt

PACKAGE_DIR: Final = Path(dmr_jwt.__file__).parent
SOURCE_FILES: Final = sorted(PACKAGE_DIR.rglob('*.py'))

#: What users import; everything else is ``dmr_jwt._internal`` or an
#: underscored module.
PUBLIC_MODULES: Final = (
    'dmr_jwt',
    'dmr_jwt.token',
    'dmr_jwt.options',
    'dmr_jwt.auth',
    'dmr_jwt.auth.header',
    'dmr_jwt.auth.cookie',
    'dmr_jwt.errors',
    'dmr_jwt.views',
    'dmr_jwt.views.body',
    'dmr_jwt.views.cookie',
    'dmr_jwt.views.verify',
    'dmr_jwt.concrete_views',
    'dmr_jwt.concrete_views.body',
    'dmr_jwt.views.jwks',
    'dmr_jwt.concrete_views.cookie',
    'dmr_jwt.keys',
    'dmr_jwt.signals',
    'dmr_jwt.conf',
    'dmr_jwt.apps',
    'dmr_jwt.blocklist',
    'dmr_jwt.blocklist.auth',
    'dmr_jwt.blocklist.views',
    'dmr_jwt.blocklist.cookie',
    'dmr_jwt.blocklist.verify',
    'dmr_jwt.blocklist.models',
    'dmr_jwt.blocklist.admin',
    'dmr_jwt.blocklist.apps',
    'dmr_jwt.blocklist.checks',
    'dmr_jwt.blocklist.password',
    'dmr_jwt.blocklist.store',
)

#: Django loads these itself (not imported by users), by their file names.
DJANGO_PACKAGES: Final = frozenset({'migrations', 'management'})

#: Models and admins need the app registry: Django imports them.
NEEDS_APP_REGISTRY: Final = frozenset(
    {
        'dmr_jwt.blocklist.models',
        'dmr_jwt.blocklist.admin',
    }
)

#: The only ``dmr_jwt._internal`` objects a public module exports.
INTERNAL_REEXPORTS: Final = frozenset(
    {
        ('dmr_jwt', 'TokenUser'),
        ('dmr_jwt.keys', 'key_problem'),
        # The key ring: documented in `dmr_jwt.keys`, built in `_internal`.
        ('dmr_jwt.keys', 'FileKeySource'),
        ('dmr_jwt.keys', 'Key'),
        ('dmr_jwt.keys', 'KeyRing'),
        ('dmr_jwt.keys', 'KeySource'),
        ('dmr_jwt.keys', 'KeyState'),
        ('dmr_jwt.keys', 'key_from_entry'),
        ('dmr_jwt.keys', 'ring_from_entries'),
        ('dmr_jwt.keys', 'RemoteJWKS'),
        # Documented: endpoints of your own that handle secrets call it.
        ('dmr_jwt.views', 'hide_secrets'),
    }
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
    ('dmr_jwt.views', 'VerifyTokenSyncController'),
    ('dmr_jwt.views', 'VerifyTokenAsyncController'),
    ('dmr_jwt.views', 'VerifyTokenPayload'),
    ('dmr_jwt.concrete_views', 'ObtainTokensSyncController'),
    ('dmr_jwt.concrete_views', 'ObtainTokensAsyncController'),
    ('dmr_jwt.concrete_views', 'RefreshTokenSyncController'),
    ('dmr_jwt.concrete_views', 'RefreshTokenAsyncController'),
    ('dmr_jwt.concrete_views', 'VerifyTokenSyncController'),
    ('dmr_jwt.concrete_views', 'VerifyTokenAsyncController'),
    ('dmr_jwt.views', 'JWKSSyncController'),
    ('dmr_jwt.views', 'JWKSAsyncController'),
]


def _module_name(source_file: Path) -> str:
    parts = source_file.relative_to(PACKAGE_DIR.parent).with_suffix('').parts
    if parts[-1] == '__init__':
        parts = parts[:-1]
    return '.'.join(parts)


def _is_under(module: str, package: str) -> bool:
    return module == package or module.startswith(f'{package}.')


def _import_origins(source: str, package: str) -> dict[str, str]:
    """
    The module each name imported at the top level of a module comes from.

    *package* is the module's ``__package__``: relative imports start there.
    Imports under top-level ``if``/``try``/``with`` blocks count too; a name
    bound otherwise (``def``, ``class``, assignment) last is not in the
    result: it is defined in the module itself.
    """
    origins: dict[str, str] = {}

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.Import | ast.ImportFrom):
                origins.update(_import_bindings(node, package))
            elif isinstance(node, ast.If | ast.With | ast.Try):
                visit(_nested_statements(node))
            else:
                for bound in _defined_names(node):
                    origins.pop(bound, None)

    visit(ast.parse(source).body)
    return origins


def _import_bindings(
    node: ast.Import | ast.ImportFrom,
    package: str,
) -> dict[str, str]:
    """The names an import statement binds, and the module of each."""
    if isinstance(node, ast.Import):
        return {
            alias.asname or alias.name.split('.')[0]: alias.name
            for alias in node.names
        }
    imported = resolve_name('.' * node.level + (node.module or ''), package)
    return {alias.asname or alias.name: imported for alias in node.names}


def _nested_statements(node: ast.If | ast.With | ast.Try) -> list[ast.stmt]:
    """The statements of a block, in order, as if at the top level."""
    if isinstance(node, ast.With):
        return node.body
    if isinstance(node, ast.If):
        return node.body + node.orelse
    handlers = [stmt for handler in node.handlers for stmt in handler.body]
    return node.body + handlers + node.orelse + node.finalbody


def _defined_names(node: ast.stmt) -> set[str]:
    """Names a top-level statement other than an import binds."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target]
        )
        return {
            name.id
            for target in targets
            for name in ast.walk(target)
            if isinstance(name, ast.Name)
        }
    return set()


def _public_names(module: ModuleType) -> set[str]:
    """
    Names of *module* that look public: what ``__all__`` must list.

    Like httpx's ``test_exported_members.py``: every name not starting with
    ``_``, except modules and names imported from outside ``dmr_jwt``
    (``typing``, Django, dmr), which nobody imports from us.
    """
    assert module.__file__
    assert module.__package__
    origins = _import_origins(
        Path(module.__file__).read_text(),
        module.__package__,
    )
    return {
        name
        for name, value in vars(module).items()
        if not name.startswith('_')
        and not isinstance(value, ModuleType)
        and _is_under(origins.get(name, module.__name__), 'dmr_jwt')
    }


def test_public_modules_are_the_unprefixed_ones() -> None:
    found = {
        _module_name(source_file)
        for source_file in SOURCE_FILES
        if not DJANGO_PACKAGES.intersection(source_file.parts)
    }

    assert {
        name
        for name in found
        if not any(part.startswith('_') for part in name.split('.'))
    } == set(PUBLIC_MODULES)


def test_package_all_is_the_public_surface() -> None:
    public = {
        name
        for name, exported in vars(dmr_jwt).items()
        if not name.startswith('_') and not isinstance(exported, ModuleType)
    }

    assert len(dmr_jwt.__all__) == len(public)
    assert set(dmr_jwt.__all__) == public
    assert public == {
        'CookieJWTAsyncAuth',
        'CookieJWTSyncAuth',
        'HeaderJWTAsyncAuth',
        'HeaderJWTSyncAuth',
        'InvalidTokenError',
        'JWTAsyncAuth',
        'JWTError',
        'JWTSyncAuth',
        'JWToken',
        'Reason',
        'TokenEncodeError',
        'TokenUser',
        'VerifyOptions',
        'request_jwt',
    }


@pytest.mark.parametrize('module_name', PUBLIC_MODULES)
def test_module_all_is_its_public_names(module_name: str) -> None:
    module = importlib.import_module(module_name)
    exported: tuple[str, ...] = tuple(module.__all__)
    public = _public_names(module)

    assert exported
    assert len(set(exported)) == len(exported)
    assert set(exported) - public == set(), 'in __all__, not a public name'
    # A helper imported from another `dmr_jwt` module is imported
    # privately (`from dmr_jwt._internal import x as _x`, `... as _Name`).
    assert public - set(exported) == set(), 'public, missing from __all__'


def test_public_modules_export_no_other_internals() -> None:
    exported_internals: set[tuple[str, str]] = set()
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        exported_internals.update(
            (module_name, name)
            for name in module.__all__
            if _is_under(
                getattr(getattr(module, name), '__module__', None) or '',
                'dmr_jwt._internal',
            )
        )

    assert exported_internals <= INTERNAL_REEXPORTS


@pytest.mark.parametrize(
    ('source', 'name', 'origin'),
    [
        pytest.param(
            'from dmr_jwt._internal.claims import is_dict',
            'is_dict',
            'dmr_jwt._internal.claims',
            id='absolute',
        ),
        pytest.param(
            'from ._rows import BlocklistError as Error',
            'Error',
            'dmr_jwt.blocklist.store._rows',
            id='relative-alias',
        ),
        pytest.param(
            'if True:\n    from typing import Any',
            'Any',
            'typing',
            id='under-if',
        ),
        pytest.param(
            'try:\n    import jwt\nexcept ImportError:\n    pass',
            'jwt',
            'jwt',
            id='under-try',
        ),
    ],
)
def test_import_origins_sees(source: str, name: str, origin: str) -> None:
    origins = _import_origins(source, 'dmr_jwt.blocklist.store')

    assert origins[name] == origin


def test_import_origins_leaves_definitions_out() -> None:
    source = (
        'import typing\n'
        'from dmr_jwt.conf import X, Y\n'
        'X = 1\n'
        'def f() -> None:\n'
        '    from jwt import y\n'
    )

    assert _import_origins(source, 'dmr_jwt') == {
        'typing': 'typing',
        'Y': 'dmr_jwt.conf',
    }


@pytest.mark.parametrize(
    ('module_name', 'name'),
    [pytest.param(*pair, id='.'.join(pair)) for pair in DOCUMENTED_NAMES],
)
def test_documented_import_paths(module_name: str, name: str) -> None:
    module = importlib.import_module(module_name)

    assert name in module.__all__
    defined_in = getattr(module, name).__module__
    # Defined in the documented module, or in a public submodule of it.
    assert defined_in == module_name or (
        defined_in.startswith(f'{module_name}.') and '._' not in defined_in
    )


def test_py_typed_is_shipped() -> None:
    marker = files('dmr_jwt') / 'py.typed'

    assert marker.is_file()
    assert (PACKAGE_DIR / 'py.typed').is_file()


def test_imports_without_django_settings() -> None:
    modules = sorted(
        _module_name(source_file)
        for source_file in SOURCE_FILES
        if 'migrations' not in source_file.parts
        and _module_name(source_file) not in NEEDS_APP_REGISTRY
    )
    env = {
        name: env_value
        for name, env_value in os.environ.items()
        if name != 'DJANGO_SETTINGS_MODULE'
    }
    env['PYTHONPATH'] = os.pathsep.join(
        [str(PACKAGE_DIR.parent), env.get('PYTHONPATH', '')],
    )
    code = (
        f'import {", ".join(modules)}\n'
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

    assert {'dmr_jwt.auth', 'dmr_jwt._internal.pyjwt'} <= set(modules)
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


def test_source_files_are_found() -> None:
    names = {
        source_file.relative_to(PACKAGE_DIR).as_posix()
        for source_file in SOURCE_FILES
    }

    assert {
        '__init__.py',
        'token.py',
        'auth/header.py',
        'views/body.py',
        '_internal/pyjwt.py',
    } <= names


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


def test_only_the_pyjwt_adapters_import_pyjwt() -> None:
    importers = {
        source_file.relative_to(PACKAGE_DIR).as_posix()
        for source_file in SOURCE_FILES
        if any(
            _is_under(name, 'jwt') for name in _imported_modules(source_file)
        )
    }

    assert importers == {'_internal/pyjwt.py', '_internal/pyjwk.py'}


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


def test_header_auth_names_of_the_framework_are_the_same_classes() -> None:
    assert dmr_jwt.HeaderJWTSyncAuth is dmr_jwt.JWTSyncAuth
    assert dmr_jwt.HeaderJWTAsyncAuth is dmr_jwt.JWTAsyncAuth
