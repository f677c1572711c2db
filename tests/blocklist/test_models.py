"""The blocklist app: model, migrations, admin, app config."""

import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Final

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connections, models
from django.test import RequestFactory
from django.utils.functional import Promise

from dmr_jwt.blocklist.models import (
    JTI_MAX_LENGTH,
    BlocklistedJWToken,
    RevokedTokenFamily,
    TokenWatermark,
    UsedRefreshToken,
)

_LABEL: Final = 'dmr_jwt_blocklist'

_REPO_ROOT: Final = Path(__file__).resolve().parents[2]

_NOW: Final = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


# The app:


def test_app_config() -> None:
    config = apps.get_app_config(_LABEL)

    assert config.name == 'dmr_jwt.blocklist'
    assert isinstance(config.verbose_name, Promise)  # translatable
    assert str(config.verbose_name)
    assert BlocklistedJWToken._meta.app_label == _LABEL
    assert BlocklistedJWToken._meta.db_table == f'{_LABEL}_blocklistedjwtoken'
    assert isinstance(BlocklistedJWToken._meta.pk, models.BigAutoField)


# The model:


def test_jti_field() -> None:
    field = BlocklistedJWToken._meta.get_field('jti')

    assert isinstance(field, models.CharField)
    assert field.unique
    assert field.max_length == JTI_MAX_LENGTH == 255
    assert not field.null


def test_sub_field() -> None:
    field = BlocklistedJWToken._meta.get_field('sub')

    assert isinstance(field, models.CharField)
    assert field.deconstruct()[3]['db_index'] is True
    assert field.max_length == 255
    assert not field.null


def test_time_fields() -> None:
    expires_at = BlocklistedJWToken._meta.get_field('expires_at')
    created_at = BlocklistedJWToken._meta.get_field('created_at')

    assert isinstance(expires_at, models.DateTimeField)
    assert expires_at.deconstruct()[3]['db_index'] is True
    assert not expires_at.has_default()
    assert isinstance(created_at, models.DateTimeField)
    assert created_at.has_default()
    assert not created_at.editable


@pytest.mark.parametrize(
    'name',
    ['jti', 'sub', 'expires_at', 'created_at'],
)
def test_field_verbose_names_are_translatable(*, name: str) -> None:
    field = BlocklistedJWToken._meta.get_field(name)

    assert isinstance(field, models.Field)
    assert isinstance(field.verbose_name, Promise)
    assert str(field.verbose_name)


def test_model_verbose_names_are_translatable() -> None:
    meta = BlocklistedJWToken._meta

    for name in (meta.verbose_name, meta.verbose_name_plural):
        assert isinstance(name, Promise)
        assert str(name)
    assert str(meta.verbose_name) != str(meta.verbose_name_plural)


def test_str_shows_only_jti_and_sub() -> None:
    row = BlocklistedJWToken(
        jti='a1b2c3',
        sub='4567',
        expires_at=_NOW,
        created_at=_NOW,
    )

    text = str(row)

    assert 'a1b2c3' in text
    assert '4567' in text
    # Nothing else: no digit is left once jti and sub are removed
    # (the dates would bring some).
    rest = text.replace('a1b2c3', '').replace('4567', '')
    assert not any(char.isdigit() for char in rest)


@pytest.mark.django_db(databases='__all__')
def test_database_has_the_indexes(*, blocklist_database: str) -> None:
    connection = connections[blocklist_database]
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(
            cursor,
            BlocklistedJWToken._meta.db_table,
        )

    def indexed(column: str, *, unique: bool) -> bool:
        return any(
            spec['columns'] == [column]
            and (spec['unique'] if unique else spec['index'])
            for spec in constraints.values()
        )

    assert indexed('jti', unique=True)
    assert indexed('sub', unique=False)
    assert indexed('expires_at', unique=False)
    assert not indexed('sub', unique=True)


@pytest.mark.django_db
def test_migrations_are_complete() -> None:
    out = io.StringIO()

    # Raises `SystemExit` when a model change has no migration.
    call_command(
        'makemigrations',
        _LABEL,
        '--check',
        '--dry-run',
        stdout=out,
        stderr=io.StringIO(),
    )

    assert 'No changes detected' in out.getvalue()


# The admin:


def _model_admin() -> Any:
    # What `django.contrib.admin` does on start-up: import every `admin.py`.
    admin.autodiscover()
    return admin.site.get_model_admin(BlocklistedJWToken)


@pytest.fixture
def superuser_request(rf: RequestFactory) -> Any:
    """A request by an active superuser: every permission it may have."""
    request = rf.get('/admin/')
    request.user = User(
        username='root',
        is_active=True,
        is_staff=True,
        is_superuser=True,
    )
    return request


def test_admin_is_registered() -> None:
    registered = _model_admin()

    assert type(registered).__module__ == 'dmr_jwt.blocklist.admin'
    assert registered.model is BlocklistedJWToken


def test_admin_is_read_only(
    *,
    superuser_request: Any,
) -> None:
    model_admin = _model_admin()
    row = BlocklistedJWToken(jti='j', sub='s', expires_at=_NOW)

    assert model_admin.has_view_permission(superuser_request)
    assert model_admin.has_view_permission(superuser_request, row)
    assert not model_admin.has_add_permission(superuser_request)
    assert not model_admin.has_change_permission(superuser_request)
    assert not model_admin.has_change_permission(superuser_request, row)
    assert not model_admin.has_delete_permission(superuser_request)
    assert not model_admin.has_delete_permission(superuser_request, row)


def test_admin_searches_jti_and_sub() -> None:
    assert {'jti', 'sub'} <= set(_model_admin().search_fields)


@pytest.mark.django_db
def test_admin_lists_newest_first(
    *,
    superuser_request: Any,
) -> None:
    model_admin = _model_admin()
    BlocklistedJWToken.objects.bulk_create(
        BlocklistedJWToken(
            jti=f'jti-{age}',
            sub='1',
            expires_at=_NOW,
            created_at=_NOW - dt.timedelta(days=age),
        )
        for age in (2, 0, 1)
    )

    listed = model_admin.get_queryset(superuser_request)

    assert [row.jti for row in listed] == ['jti-0', 'jti-1', 'jti-2']


# Next to django-modern-rest's own blocklist app:

_INTEROP_SETTINGS: Final = """
import os
SECRET_KEY = 'interop-' + 'k' * 64
USE_TZ = True
INSTALLED_APPS = [
    'django.contrib.contenttypes',
    'django.contrib.auth',
    'dmr.security.jwt.blocklist',
    'dmr_jwt.blocklist',
]
DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.sqlite3',
        'NAME': os.environ['DMR_JWT_INTEROP_DB'],
    },
}
DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'
"""

_INTEROP_SCRIPT: Final = """
import json, sys
import django
django.setup()
from django.apps import apps
from django.core.management import call_command
from django.db import connection
call_command('check', fail_level='ERROR')
call_command('migrate', verbosity=0)
tables = {
    config.name: [model._meta.db_table for model in config.get_models()]
    for config in apps.get_app_configs()
    if config.name in {'dmr.security.jwt.blocklist', 'dmr_jwt.blocklist'}
}
json.dump(
    {'tables': tables, 'existing': connection.introspection.table_names()},
    sys.stdout,
)
"""


def test_installs_next_to_the_builtin_blocklist_app(tmp_path: Path) -> None:
    (tmp_path / 'interop_settings.py').write_text(
        _INTEROP_SETTINGS,
    )
    env = {
        **os.environ,
        'DJANGO_SETTINGS_MODULE': 'interop_settings',
        'DMR_JWT_INTEROP_DB': str(tmp_path / 'db.sqlite3'),
        'PYTHONPATH': os.pathsep.join(
            [str(tmp_path), str(_REPO_ROOT / 'src')],
        ),
    }

    completed = subprocess.run(  # noqa: S603  # our interpreter, our script
        [sys.executable, '-c', _INTEROP_SCRIPT],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    ours = report['tables']['dmr_jwt.blocklist']
    builtin = report['tables']['dmr.security.jwt.blocklist']
    assert sorted(ours) == sorted(
        model._meta.db_table
        for model in (
            BlocklistedJWToken,
            TokenWatermark,
            UsedRefreshToken,
            RevokedTokenFamily,
        )
    )
    assert len(builtin) == 1
    assert builtin != ours
    assert set(ours + builtin) <= set(report['existing'])
