"""Settings of the `ninja-jwt` profile."""

from benchmarks.settings.base import *  # noqa: F403
from benchmarks.settings.base import INSTALLED_APPS as _BASE_APPS

BENCH_PROFILE = 'ninja-jwt'
ROOT_URLCONF = 'benchmarks.apps.ninja_urls'
INSTALLED_APPS = [*_BASE_APPS, 'ninja_extra', 'ninja_jwt']
