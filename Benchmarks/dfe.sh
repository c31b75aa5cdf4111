#!/usr/bin/env bash
# Benchmark: DF-e documents, release mode, not part of the test suite.
#  1. parse-only procNFe per second — FiscalMix's DFeParser against Python's nfelib (PyPI) on the same
#     files in the same run: the real procNFe samples plus generated ones;
#  2. end to end — the SEFAZ peer over mutual TLS → gunzip → parse → blob store → database — in
#     documents per second, on SQLite and on a throwaway PostgreSQL 15.
#   Benchmarks/dfe.sh [seconds] [documents]       (defaults 3 and 5000)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_CASE="${1:-3}"
COUNT="${2:-5000}"
swift build -c release --product fiscalmix-dfe-bench >/dev/null
VENV="${BENCH_VENV:-$PWD/.venv-bench}"
if [[ ! -x "$VENV/bin/python" ]]; then python3 -m venv "$VENV"; fi
"$VENV/bin/pip" install -q nfelib
SHARED="${FISCALMIX_SHARED_DIR:-$PWD/../shared}"
[[ -d "$SHARED/fiscal" ]] || SHARED=/work/shared
FILES="$(mktemp -d /tmp/fiscalmix-dfe.XXXXXX)"
# The real samples nfelib's schema accepts as procNFe v4.00, plus 200 generated ones.
for f in "$SHARED"/fiscal/samples/xml/nfelib_samples/*-procNFe.xml; do cp "$f" "$FILES/"; done
.build/release/fiscalmix-dfe-bench emit "$FILES" 200 >/dev/null
ours="$(.build/release/fiscalmix-dfe-bench parse "$FILES" "$SECONDS_PER_CASE")"
peer="$("$VENV/bin/python" Benchmarks/dfe_peer.py "$FILES" "$SECONDS_PER_CASE")"
echo "$ours"; echo "$peer"
"$VENV/bin/python" - "$ours" "$peer" <<'PY'
import json, sys
ours, peer = json.loads(sys.argv[1]), json.loads(sys.argv[2])
a, b = ours["documents_per_second"], peer["documents_per_second"]
print(f"parse: FiscalMix {a:,}/s, nfelib {b:,}/s -> {a / b:.1f}x")
PY
# Each run's data stays until the end: deleting thousands of files right before the next run
# makes ext4 skip the freshly freed inodes on every create (see DFeBenchmark/main.swift).
export FISCALMIX_BENCH_DIR="$(mktemp -d /var/tmp/fiscalmix-dfe-bench.XXXXXX)"
chmod 777 "$FISCALMIX_BENCH_DIR"
.build/release/fiscalmix-dfe-bench sync sqlite "$COUNT"
scripts/with-postgres.sh bash -c ".build/release/fiscalmix-dfe-bench sync \"\$FISCALMIX_TEST_DATABASE_URL\" $COUNT"
rm -rf "$FILES" "$FISCALMIX_BENCH_DIR"
