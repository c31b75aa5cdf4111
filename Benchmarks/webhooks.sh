#!/usr/bin/env bash
# Webhook throughput on PostgreSQL (release mode): events in through the API for SECONDS at RATE
# events/s, fanned out to 10 endpoints on a local receiver, against bare AsyncHTTPClient posting
# to the same receiver in the same run. fsync stays on unless FISCALMIX_PG_FSYNC=off.
#   Benchmarks/webhooks.sh [SECONDS=60] [RATE=250]
# FISCALMIX_BENCH_SENDERS (64) sets how many API clients post the events, each waiting for its
# answer; too few and the offered rate is not reached once ingest slows.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_RUN="${1:-60}"
RATE="${2:-250}"
swift build -c release --product fiscalmix-webhooks-bench
FISCALMIX_PG_FSYNC="${FISCALMIX_PG_FSYNC:-on}" scripts/with-postgres.sh bash -c ".build/release/fiscalmix-webhooks-bench \"\$FISCALMIX_TEST_DATABASE_URL\" $SECONDS_RUN $RATE 10"
