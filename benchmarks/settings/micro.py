"""Settings of the token micro-benchmarks (no endpoint is called)."""

from benchmarks.settings.base import *  # noqa: F403
from benchmarks.settings.base import INSTALLED_APPS as _BASE_APPS

BENCH_PROFILE = 'micro'
ROOT_URLCONF = 'benchmarks.apps.dmr_urls'
INSTALLED_APPS = _BASE_APPS
