#!/usr/bin/env bash
# The whole suite: lint, migrations check, deploy check, pytest on SQLite and on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DJANGO_SETTINGS_MODULE=laomo.settings

echo "== ruff"
.venv/bin/ruff check .

echo "== makemigrations --check"
$PY manage.py makemigrations --check --dry-run

echo "== check --deploy (production settings)"
DEBUG=0 LAOMO_HTTPS=1 ALLOWED_HOSTS=laomo.example.org \
  SECRET_KEY="$($PY -c 'import secrets; print(secrets.token_urlsafe(64))')" \
  $PY manage.py check --deploy --fail-level WARNING

PG_URL=${TEST_DATABASE_URL_PG:-postgres://postgres@127.0.0.1:5432/test}
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "PostgreSQL is down; starting it"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi

# Work stealing, not xdist's default `load`: `load` hands each worker chunks of consecutive tests, so the
# browser tests and the other long transactional tests (sorted together by pytest-django) end up queued on
# one worker while the other finishes early and waits; with `worksteal` an idle worker takes half of the
# other's queue, down to single tests (the browser sweep is one test per role for that).
XDIST=(-n 2 --dist worksteal)

echo "== pytest on SQLite"
env -u DATABASE_URL $PY -m pytest "${XDIST[@]}" -q -p no:cacheprovider --durations=25 "$@"

# Browser flows and the heavy robustness suites (fuzzing, hostile files, a big concurrent import) run once,
# on the embedded default; everything else runs on PostgreSQL as well.
echo "== pytest on PostgreSQL (without the e2e and heavy suites, which ran on SQLite)"
DATABASE_URL="$PG_URL" $PY -m pytest "${XDIST[@]}" -q -p no:cacheprovider --durations=15 -m "not e2e and not heavy" "$@"
