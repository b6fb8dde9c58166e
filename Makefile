# laomo — the two commands in the README are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := laomo.settings

.PHONY: setup run golive test bench lint deps-python deps-node deps-system

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

# Setup, then serve with gunicorn (+ the job consumer). LAOMO_DEMO=1 (the default of `make run`): the demo,
# in its own database var/demo.sqlite3, generated when empty. LAOMO_DEMO=0 or `make golive`: the real
# database (var/laomo.sqlite3 or DATABASE_URL), which never gets demo data; starts with the org tree only.
LAOMO_DEMO ?= 1
run: setup
	LAOMO_DEMO=$(LAOMO_DEMO) $(PY) manage.py migrate --noinput -v 0
	LAOMO_DEMO=$(LAOMO_DEMO) $(PY) manage.py prepare_start
	LAOMO_DEMO=$(LAOMO_DEMO) HOST=$(HOST) PORT=$(PORT) bash scripts/serve.sh

golive:
	$(MAKE) run LAOMO_DEMO=0

# Browsers and CJK fonts for the Playwright tests (Debian packages), installed when missing.
deps-system:
	bash scripts/install_system_deps.sh

test: setup deps-system
	bash scripts/test.sh

# Every benchmark in about 15 minutes (BENCHMARKS.md); `make bench BENCH_PROFILE=full` runs the sizes the goals
# are stated at (province scale: set BENCH_DATABASE_URL to a PostgreSQL database of its own).
BENCH_PROFILE ?= quick
bench: setup
	BENCH_PROFILE=$(BENCH_PROFILE) bash scripts/bench.sh

lint: deps-python
	$(VENV)/bin/ruff check .
