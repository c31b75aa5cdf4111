#!/usr/bin/env bash
# Benchmark: the transform engines (JMESPath, JSONata, JSON Schema 2020-12) against their Python
# peers from PyPI — jmespath, jsonata-python (pure Python), jsonatapy (Rust), jsonschema (pure
# Python), jsonschema-rs (Rust) — on the same inputs (a 1 MB API answer, a 50 KB NF-e as JSON, a
# small event) and cases (Benchmarks/transforms/cases.json), in the same run. Release mode.
#   Benchmarks/transforms.sh [seconds per case]      (default 1)
# Prints each figure as JSON and a table of ratios (FiscalMix ÷ peer). Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_CASE="${1:-1}"
swift build -c release --product fiscalmix-transforms-bench >/dev/null
VENV="${BENCH_VENV:-$PWD/.venv-bench}"
if [[ ! -x "$VENV/bin/python" ]]; then python3 -m venv "$VENV"; fi
"$VENV/bin/pip" install -q jmespath jsonata-python jsonatapy jsonschema jsonschema-rs
SHARED="${FISCALMIX_SHARED_DIR:-$PWD/../shared}"
[[ -d "$SHARED/fiscal" ]] || SHARED=/work/shared
OUT="$(mktemp -d /tmp/fiscalmix-transforms.XXXXXX)"
"$VENV/bin/python" Benchmarks/transforms/make_inputs.py "$OUT" "$SHARED/fiscal/samples"
ls -l "$OUT"/*.json >&2
.build/release/fiscalmix-transforms-bench "$OUT" "$SECONDS_PER_CASE" Benchmarks/transforms/cases.json | tee "$OUT/fiscalmix.jsonl"
"$VENV/bin/python" Benchmarks/transforms_peer.py "$OUT" "$SECONDS_PER_CASE" Benchmarks/transforms/cases.json | tee "$OUT/peers.jsonl"
"$VENV/bin/python" - "$OUT" <<'PY'
import json, sys
from pathlib import Path
out = Path(sys.argv[1])
ours = {(r["engine"], r["case"]): r["per_second"] for r in map(json.loads, (out / "fiscalmix.jsonl").read_text().splitlines())}
print(f"\n{'engine':<11}{'case':<20}{'input':<7}{'FiscalMix/s':>13}  {'peer':<15}{'peer/s':>11}{'ratio':>9}")
for r in map(json.loads, (out / "peers.jsonl").read_text().splitlines()):
    mine = ours[(r["engine"], r["case"])]
    print(f"{r['engine']:<11}{r['case']:<20}{r['input']:<7}{mine:>13,.1f}  {r['library']:<15}{r['per_second']:>11,.1f}{mine / r['per_second']:>8.2f}×")
PY
