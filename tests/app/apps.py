from django.apps import AppConfig


class TestAppConfig(AppConfig):
    """Models and controllers that the test suite drives."""

    name = 'tests.app'
    label = 'testapp'
    default_auto_field = 'django.db.models.BigAutoField'
