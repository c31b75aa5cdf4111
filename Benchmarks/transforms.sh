#!/usr/bin/env bash
# Benchmark: the transform engines (JMESPath, JSONata, JSON Schema 2020-12) against their Python
# peers from PyPI — jmespath, jsonata-python (pure Python), jsonatapy (Rust), jsonschema (pure
# Python), jsonschema-rs (Rust) — on the same inputs (a 1 MB API answer, a 50 KB NF-e as JSON, a
# small event) and cases (Benchmarks/transforms/cases.json), in the same run. Release mode.
#   [ROUNDS=3] Benchmarks/transforms.sh [seconds per case]      (default 1)
# Prints each figure as JSON and a table of ratios (FiscalMix ÷ peer, best of the rounds each).
# Not part of the test suite.
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
# The machine's speed drifts by a third within minutes (shared host): FiscalMix and the peers
# take turns for $ROUNDS rounds and each figure is the best of its rounds.
for round in $(seq "${ROUNDS:-3}"); do
    .build/release/fiscalmix-transforms-bench "$OUT" "$SECONDS_PER_CASE" Benchmarks/transforms/cases.json | tee -a "$OUT/fiscalmix.jsonl"
    "$VENV/bin/python" Benchmarks/transforms_peer.py "$OUT" "$SECONDS_PER_CASE" Benchmarks/transforms/cases.json | tee -a "$OUT/peers.jsonl"
done
"$VENV/bin/python" - "$OUT" <<'PY'
import json, sys
from pathlib import Path
out = Path(sys.argv[1])
def best(name):
    figures = {}
    for r in map(json.loads, (out / name).read_text().splitlines()):
        key = (r["engine"], r["case"], r["input"], r["library"])
        figures[key] = max(figures.get(key, 0), r["per_second"])
    return figures
ours = {(engine, case): figure for (engine, case, _, _), figure in best("fiscalmix.jsonl").items()}
print(f"\n{'engine':<11}{'case':<20}{'input':<7}{'FiscalMix/s':>13}  {'peer':<15}{'peer/s':>11}{'ratio':>9}")
for (engine, case, input_name, library), theirs in best("peers.jsonl").items():
    mine = ours[(engine, case)]
    print(f"{engine:<11}{case:<20}{input_name:<7}{mine:>13,.1f}  {library:<15}{theirs:>11,.1f}{mine / theirs:>8.2f}×")
PY
