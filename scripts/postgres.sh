#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster for the test suite and print its URL.
#   scripts/postgres.sh start   -> prints postgresql://... on stdout, or nothing if no server binaries
#   scripts/postgres.sh stop
# Uses Debian's postgresql package (.ci/run installs it). Runs as the postgres user when
# started as root, since PostgreSQL refuses to run as root.
set -euo pipefail
PGDIR="${FACTDIFF_PG_DIR:-/tmp/factdiff-pg}"
PORT="${FACTDIFF_PG_PORT:-54329}"
bindir=""
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && bindir="$d"; done
if [ -z "$bindir" ] && command -v initdb >/dev/null; then bindir="$(dirname "$(command -v initdb)")"; fi

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-start}" in
  start)
    [ -n "$bindir" ] || { echo "postgres.sh: no PostgreSQL server binaries; Postgres tests will be skipped" >&2; exit 0; }
    if ! as_pg "$bindir/pg_ctl" -D "$PGDIR" status >/dev/null 2>&1; then
      rm -rf "$PGDIR"; mkdir -p "$PGDIR"
      [ "$(id -u)" = 0 ] && chown postgres: "$PGDIR"
      as_pg "$bindir/initdb" -D "$PGDIR" -U postgres --auth=trust -E UTF8 >/dev/null
      as_pg "$bindir/pg_ctl" -D "$PGDIR" -l "$PGDIR/server.log" -w \
        -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
    fi
    echo "postgresql://postgres@127.0.0.1:$PORT/postgres"
    ;;
  stop)
    [ -n "$bindir" ] && as_pg "$bindir/pg_ctl" -D "$PGDIR" -m fast stop >/dev/null 2>&1 || true
    ;;
esac
