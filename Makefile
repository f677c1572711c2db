# Every target bootstraps `.venv` by itself: a fresh machine needs only
# Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: venv demo demo-resource test lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade 'pip>=25.1'

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[pydantic,msgspec]' --group dev
	touch $(STAMP)

# The peers and servers that `make bench` compares with: benchmark-only.
$(BENCH_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet --group bench
	touch $(BENCH_STAMP)

venv: $(STAMP)

## Run the demo API on http://127.0.0.1:8000 (SQLite, user test_user/password).
demo: $(STAMP)
	cd examples/demo && ../../$(BIN)/python manage.py migrate --noinput
	cd examples/demo && ../../$(BIN)/python manage.py ensure_demo_user
	cd examples/demo && ../../$(BIN)/python manage.py runserver 127.0.0.1:8000

## Run the resource server on http://127.0.0.1:8001: it holds no key and
## verifies the demo's tokens with its JWK Set (JWKS_URL overrides where).
demo-resource: $(STAMP)
	cd examples/resource_server && ../../$(BIN)/python manage.py runserver 127.0.0.1:8001

## Run the whole test suite.
test: $(STAMP)
	$(BIN)/python -m pytest

## Benchmarks: dmr-jwt vs its peers, one process per profile, ratios to
## the no-auth floor. `make bench HTTP=1` adds gunicorn/uvicorn runs.
bench: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks $(if $(HTTP),--http)

## ruff (lint + format check) and mypy --strict.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/mypy --strict examples/demo tests
	cd examples/resource_server && ../../$(BIN)/mypy --strict .
	PYTHONPATH=src $(BIN)/lint-imports --no-logo --no-cache
	DJANGO_SETTINGS_MODULE=tests.settings PYTHONPATH=.:src \
		$(BIN)/django-admin makemigrations --check --dry-run

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
