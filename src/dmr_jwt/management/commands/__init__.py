"""Management commands of the core: ``manage.py jwt_keys``."""
