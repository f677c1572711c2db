"""Settings of the `dmr-jwt` profile."""

from benchmarks.settings.base import *  # noqa: F403
from benchmarks.settings.base import INSTALLED_APPS as _BASE_APPS

BENCH_PROFILE = 'dmr-jwt'
ROOT_URLCONF = 'benchmarks.apps.dmr_urls'
INSTALLED_APPS = _BASE_APPS
