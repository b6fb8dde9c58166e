# laomo — the two commands in the README are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := laomo.settings

.PHONY: setup run test bench lint deps-python deps-node deps-system

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(VENV)/bin/activate
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

deps-python: $(VENV)/.installed
deps-node: node_modules/.installed

# Idempotent: virtualenv, Python and npm dependencies, static files, migrations.
setup: deps-python deps-node
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py migrate --noinput -v 0

# Setup, demo data when the database is empty, then serve with gunicorn (+ the job consumer).
run: setup
	$(PY) manage.py populate_demo --if-empty
	HOST=$(HOST) PORT=$(PORT) bash scripts/serve.sh

# Browsers and CJK fonts for the Playwright tests (Debian packages), installed when missing.
deps-system:
	bash scripts/install_system_deps.sh

test: setup deps-system
	bash scripts/test.sh

bench: setup
	bash scripts/bench.sh

lint: deps-python
	$(VENV)/bin/ruff check .
