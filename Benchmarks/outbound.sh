#!/usr/bin/env bash
# Benchmark: the outbound client with a policy against bare AsyncHTTPClient (the same local
# server, 64 concurrent calls, the same run), and envelope seal/open against raw AES-256-GCM.
#   Benchmarks/outbound.sh [seconds] [concurrency]      (defaults 5 and 64)
# Release mode. Prints one JSON line per figure with the ratio. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product fiscalmix-outbound-bench >/dev/null
.build/release/fiscalmix-outbound-bench "${1:-5}" "${2:-64}"
