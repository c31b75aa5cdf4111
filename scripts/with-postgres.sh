#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL 15 cluster on a free loopback port.
#   scripts/with-postgres.sh swift test
# FISCALMIX_PG_OPTIONS adds server options (e.g. "-c shared_preload_libraries=pg_stat_statements").
# Exports FISCALMIX_TEST_DATABASE_URL (and PG_TEST_URL) for the command. The cluster is stopped
# and removed on exit, whatever the command's outcome. PostgreSQL refuses to run as root, so
# the cluster runs as the `postgres` user when we are root.
set -euo pipefail

PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
if [[ -z "${PG_BIN}" || ! -x "${PG_BIN}/initdb" ]]; then
  echo "with-postgres: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  exit 1
fi

PGDATA_DIR="$(mktemp -d /tmp/fiscalmix-pg.XXXXXX)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"

as_pg() {
  if [[ "$(id -u)" == "0" ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cleanup() {
  as_pg "${PG_BIN}/pg_ctl" -D "${PGDATA_DIR}/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "${PGDATA_DIR}"
}
trap cleanup EXIT INT TERM

if [[ "$(id -u)" == "0" ]]; then chown postgres "${PGDATA_DIR}"; fi
as_pg "${PG_BIN}/initdb" -D "${PGDATA_DIR}/data" -U postgres --auth=trust --encoding=UTF8 --no-locale >/dev/null
as_pg "${PG_BIN}/pg_ctl" -D "${PGDATA_DIR}/data" -l "${PGDATA_DIR}/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p ${PORT} -c unix_socket_directories=${PGDATA_DIR} -c fsync=${FISCALMIX_PG_FSYNC:-off} -c max_connections=300 ${FISCALMIX_PG_OPTIONS:-}" start >/dev/null

export FISCALMIX_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:${PORT}/postgres?sslmode=disable"
export PG_TEST_URL="${FISCALMIX_TEST_DATABASE_URL}"
echo "with-postgres: PostgreSQL $("${PG_BIN}/postgres" --version | awk '{print $3}') on 127.0.0.1:${PORT}" >&2
"$@"
