"""Settings of the `dmr-builtin-blocklist` profile."""

from benchmarks.settings.base import *  # noqa: F403
from benchmarks.settings.base import INSTALLED_APPS as _BASE_APPS

BENCH_PROFILE = 'dmr-builtin-blocklist'
ROOT_URLCONF = 'benchmarks.apps.dmr_urls'
INSTALLED_APPS = [*_BASE_APPS, 'dmr.security.jwt.blocklist']
