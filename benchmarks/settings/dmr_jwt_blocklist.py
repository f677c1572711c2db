"""Settings of the `dmr-jwt-blocklist` profile."""

from benchmarks.settings.base import *  # noqa: F403
from benchmarks.settings.base import INSTALLED_APPS as _BASE_APPS

BENCH_PROFILE = 'dmr-jwt-blocklist'
ROOT_URLCONF = 'benchmarks.apps.dmr_urls'
INSTALLED_APPS = [*_BASE_APPS, 'dmr_jwt.blocklist']

# A per-process LocMem cache fronts the blocklist: one process here.
DMR_JWT = {'BLOCKLIST_CACHE': 'default'}
SILENCED_SYSTEM_CHECKS = ['dmr_jwt.W001']
