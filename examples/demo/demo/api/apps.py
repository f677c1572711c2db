"""App config of the demo API."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The demo API: installed only for its management command."""

    name = 'demo.api'
    label = 'demo_api'
