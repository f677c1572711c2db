"""The blocklist app in a minimal project of its own, in a new process.

The test suite's settings install many things and import everything
early; here a fresh interpreter gets a settings module written for the
test, so that an import that needs the app registry (a model imported at
module level) fails with ``AppRegistryNotReady``, as it would for users.
"""

import os
import subprocess
import sys
from pathlib import Path
from typing import Final

import pytest

_SRC: Final = Path(__file__).resolve().parents[2] / 'src'

_SETTINGS: Final = """
SECRET_KEY = 'minimal-project-' + 'k' * 64
INSTALLED_APPS = [
    'django.contrib.contenttypes',
    'django.contrib.auth',
    'dmr_jwt.blocklist',
]
DATABASES = {
    'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': ':memory:'},
}
USE_TZ = True
"""

#: After the imports: the app is installed and its mixins work.
_USE_THE_APP: Final = """
from django.apps import apps

from dmr_jwt import JWTAsyncAuth, JWTSyncAuth

assert apps.ready
assert apps.get_app_config('dmr_jwt_blocklist').name == 'dmr_jwt.blocklist'


class SyncAuth(JWTokenBlocklistSyncMixin, JWTSyncAuth):
    __slots__ = ()


class AsyncAuth(JWTokenBlocklistAsyncMixin, JWTAsyncAuth):
    __slots__ = ()


SyncAuth()
AsyncAuth()
print('ok')
"""


def _run(tmp_path: Path, code: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / 'minimal_settings.py').write_text(_SETTINGS)
    env = {
        name: env_value
        for name, env_value in os.environ.items()
        if not name.startswith(('DJANGO_', 'DMR_JWT_TEST_'))
    }
    env.update(
        DJANGO_SETTINGS_MODULE='minimal_settings',
        # Only the package and the settings: not the test suite.
        PYTHONPATH=os.pathsep.join([str(tmp_path), str(_SRC)]),
    )
    return subprocess.run(  # noqa: S603
        [sys.executable, '-W', 'error', '-c', code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.mark.parametrize(
    'imports',
    [
        pytest.param(
            'import django\n'
            'django.setup()\n'
            'from dmr_jwt.blocklist import (\n'
            '    JWTokenBlocklistAsyncMixin,\n'
            '    JWTokenBlocklistSyncMixin,\n'
            ')\n',
            id='after-setup',
        ),
        # As Django itself does when it populates INSTALLED_APPS,
        # and as a settings module or an `auth.py` imported early may.
        pytest.param(
            'from django.apps import apps\n'
            'from dmr_jwt.blocklist import (\n'
            '    JWTokenBlocklistAsyncMixin,\n'
            '    JWTokenBlocklistSyncMixin,\n'
            ')\n'
            'assert not apps.ready\n'
            'import django\n'
            'django.setup()\n',
            id='before-setup',
        ),
    ],
)
def test_import_the_mixins(tmp_path: Path, imports: str) -> None:
    result = _run(tmp_path, imports + _USE_THE_APP)

    assert result.returncode == 0, result.stderr
    assert result.stdout == 'ok\n'
    assert 'AppRegistryNotReady' not in result.stderr


def test_check_command_passes_with_the_w001_warning(tmp_path: Path) -> None:
    # The minimal project caches in the default local memory cache:
    # a warning that the `check` command shows, never an error.
    result = _run(
        tmp_path,
        'import django\n'
        'django.setup()\n'
        'from django.core.management import call_command\n'
        "call_command('check')\n",
    )

    assert result.returncode == 0, result.stderr
    assert '(dmr_jwt.W001)' in result.stderr
    assert 'System check identified 1 issue (0 silenced).' in result.stderr
    assert 'ERRORS' not in result.stderr
