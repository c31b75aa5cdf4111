#!/usr/bin/env bash
# Benchmark: authenticated `GET /v1/me` (API key) against the bare `GET /hello` of the same
# release build, with wrk at 64 connections for 20 s on loopback, on SQLite and on PostgreSQL.
# The peer is the bare route, measured in the same run; the figure of merit is the ratio.
#   Benchmarks/auth-vs-hello.sh [sqlite|postgres|both]   (default: both)
# Needs wrk (apt-get install wrk). Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE="${1:-both}"
DURATION="${BENCH_DURATION:-20s}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"

swift build -c release --product fiscalmix >/dev/null
BIN="$PWD/.build/release/fiscalmix"

run_one() {
  local label="$1" db_url="${2:-}"
  local work port pid key
  work="$(mktemp -d /tmp/fiscalmix-bench.XXXXXX)"
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
  export FISCALMIX_DATA_DIR="$work/data" FISCALMIX_PORT="$port" FISCALMIX_LOG_LEVEL=warning FISCALMIX_BENCH_ROUTES=true
  export FISCALMIX_MASTER_KEY="$(head -c 32 /dev/urandom | base64)"
  # The limiter runs (its cost is measured) but never refuses: one key here far exceeds 100 rps.
  export FISCALMIX_API_RATE_LIMIT_PER_KEY=10000000 FISCALMIX_API_RATE_LIMIT_PER_ACCOUNT=10000000
  if [[ -n "$db_url" ]]; then export FISCALMIX_DATABASE_URL="$db_url"; else unset FISCALMIX_DATABASE_URL; fi
  echo "bench password 123" | "$BIN" admin create --account Bench --name Bench --email bench@example.com --password-stdin >/dev/null
  "$BIN" serve >"$work/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  curl -fs -c "$work/jar" -H 'content-type: application/json' -d '{"email":"bench@example.com","password":"bench password 123"}' \
    "http://127.0.0.1:$port/v1/auth/login" >/dev/null
  key="$(curl -fs -b "$work/jar" -H 'content-type: application/json' -d '{"name":"bench","scopes":["admin"]}' \
    "http://127.0.0.1:$port/v1/api-keys" | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')"
  curl -fs -H "Authorization: Bearer $key" "http://127.0.0.1:$port/v1/me" >/dev/null

  wrk -t2 -c"$CONNECTIONS" -d2s "http://127.0.0.1:$port/hello" >/dev/null   # warm-up
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$port/hello" >"$work/hello.txt"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $key" "http://127.0.0.1:$port/v1/me" >"$work/me.txt"
  kill "$pid"; wait "$pid" 2>/dev/null || true

  python3 - "$label" "$work/hello.txt" "$work/me.txt" <<'PY'
import re, sys
label, hello_path, me_path = sys.argv[1:4]
def parse(path):
    text = open(path).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    def pct(p):
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)", text, re.M)
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return rps, pct(50), pct(99), int(errors.group(1)) if errors else 0
h, m = parse(hello_path), parse(me_path)
print(f"{label:9} GET /hello       {h[0]:10.0f} req/s  p50 {h[1]:7.2f} ms  p99 {h[2]:7.2f} ms  non-2xx {h[3]}")
print(f"{label:9} GET /v1/me (key) {m[0]:10.0f} req/s  p50 {m[1]:7.2f} ms  p99 {m[2]:7.2f} ms  non-2xx {m[3]}")
print(f"{label:9} authenticated / bare = {m[0] / h[0]:.2f}  (target >= 0.50)")
PY
  rm -rf "$work"
}

if [[ "$MODE" == "sqlite" || "$MODE" == "both" ]]; then run_one sqlite; fi
if [[ "$MODE" == "postgres" || "$MODE" == "both" ]]; then
  scripts/with-postgres.sh bash -c "$(declare -f run_one); BIN='$BIN' DURATION='$DURATION' CONNECTIONS='$CONNECTIONS' run_one postgres \"\$FISCALMIX_TEST_DATABASE_URL\""
fi
