"""Settings of the `drf-simplejwt` profile."""

from benchmarks.settings.base import *  # noqa: F403
from benchmarks.settings.base import INSTALLED_APPS as _BASE_APPS

BENCH_PROFILE = 'drf-simplejwt'
ROOT_URLCONF = 'benchmarks.apps.drf_urls'
INSTALLED_APPS = [*_BASE_APPS, 'rest_framework']

# JSON only, like the dmr controllers: no browsable API negotiation.
REST_FRAMEWORK = {
    'DEFAULT_RENDERER_CLASSES': ['rest_framework.renderers.JSONRenderer'],
    'DEFAULT_PARSER_CLASSES': ['rest_framework.parsers.JSONParser'],
    'DEFAULT_AUTHENTICATION_CLASSES': [
        'rest_framework_simplejwt.authentication.JWTAuthentication',
    ],
    'DEFAULT_PERMISSION_CLASSES': [
        'rest_framework.permissions.IsAuthenticated',
    ],
}
