"""The ``DMR_JWT`` settings: one declaration each, read once, reset in tests."""

import dataclasses
from typing import Any

import pytest
from pytest_django import Settings as DjangoSettings

from dmr_jwt.conf import (
    EXPECTED_TYPES,
    Settings,
    get_settings,
    get_settings_mapping,
    invalid_values,
)


def test_defaults() -> None:
    assert Settings() == Settings(
        BLOCKLIST_CACHE='default',
        BLOCKLIST_DATABASE=None,
        BLOCKLIST_MAX_STALENESS=5,
        CACHE_BACKOFF=5.0,
        REVOKE_TOKENS_ON_PASSWORD_CHANGE=False,
    )


def test_every_key_says_what_it_expects() -> None:
    assert set(EXPECTED_TYPES) == Settings.known_keys()
    assert Settings.known_keys() == {
        field.name for field in dataclasses.fields(Settings)
    }


@pytest.mark.parametrize(
    ('key', 'good', 'bad'),
    [
        ('BLOCKLIST_CACHE', None, ''),
        ('BLOCKLIST_CACHE', 'redis', 3),
        ('BLOCKLIST_DATABASE', 'replica', ['default']),
        ('BLOCKLIST_MAX_STALENESS', 1, 0),
        ('BLOCKLIST_MAX_STALENESS', 30, True),
        ('BLOCKLIST_MAX_STALENESS', 30, 2.5),
        ('CACHE_BACKOFF', 0.5, float('inf')),
        ('CACHE_BACKOFF', 2, -1),
        ('REVOKE_TOKENS_ON_PASSWORD_CHANGE', True, 1),
    ],
)
def test_values_of_a_wrong_type_fall_back_to_the_default(
    key: str,
    good: Any,
    bad: Any,
) -> None:
    default = getattr(Settings(), key)

    assert getattr(Settings.from_mapping({key: good}), key) == good
    assert getattr(Settings.from_mapping({key: bad}), key) == default
    assert invalid_values({key: bad}) == [key]
    assert invalid_values({key: good}) == []


def test_unknown_keys_are_ignored_here() -> None:
    # The `dmr_jwt.E003` system check reports them (blocklist/test_checks).
    assert Settings.from_mapping({'BLOCKLIST_TTL': 3}) == Settings()
    assert invalid_values({'BLOCKLIST_TTL': 3}) == []


def test_settings_are_read_once_and_reset_by_override(
    settings: DjangoSettings,
) -> None:
    settings.DMR_JWT = {'BLOCKLIST_MAX_STALENESS': 7}
    first = get_settings()

    assert first.BLOCKLIST_MAX_STALENESS == 7
    assert get_settings() is first
    settings.DMR_JWT = {'BLOCKLIST_MAX_STALENESS': 9}
    assert get_settings().BLOCKLIST_MAX_STALENESS == 9


@pytest.mark.parametrize('raw', [None, ['BLOCKLIST_CACHE'], 'default'])
def test_a_setting_that_is_not_a_mapping_reads_as_empty(
    settings: DjangoSettings,
    raw: object,
) -> None:
    settings.DMR_JWT = raw

    assert get_settings_mapping() == {}
    assert get_settings() == Settings()
