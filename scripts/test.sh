#!/usr/bin/env bash
# The whole test suite: lint, types, layering contracts, then pytest (offline).
# Postgres tests run against a throwaway local cluster when PostgreSQL is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
bin="$VENV/bin"

echo "== ruff";        "$bin/ruff" check . && "$bin/ruff" format --check .
echo "== mypy";        "$bin/mypy" app schemas bench
echo "== import-linter"; "$bin/lint-imports"

if [ -z "${FACTDIFF_TEST_POSTGRES_URL:-}" ]; then
  url="$(scripts/postgres.sh start || true)"
  if [ -n "$url" ]; then
    export FACTDIFF_TEST_POSTGRES_URL="$url"
    trap 'scripts/postgres.sh stop' EXIT
  fi
fi
echo "== pytest (Postgres: ${FACTDIFF_TEST_POSTGRES_URL:-not available, skipped})"
"$bin/python" -m pytest -q "$@"
