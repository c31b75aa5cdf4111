#!/usr/bin/env bash
# Runs every fuzz target (or those named) for SECONDS each, from the seed corpus, and reports.
# A crash, a leak, a timeout (one input over 10 s) or an out-of-memory (over 2 GiB) fails the run;
# the input that did it is kept in Fuzz/.build/findings/<target>/.
# Usage: Fuzz/run.sh SECONDS [target …]      e.g. Fuzz/run.sh 600
#        Fuzz/run.sh --smoke [target …]      CI: every seed, then mutations up to 10,000 runs from a fixed
#                                            random seed and an empty corpus — the same run each time
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=0
if [[ "${1:-}" == "--smoke" ]]; then smoke=1; seconds=600; shift
else seconds=${1:?usage: Fuzz/run.sh SECONDS|--smoke [target …]}; shift; fi
Fuzz/build.sh "$@"
python3 Fuzz/seed.py
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then for f in Fuzz/Targets/*.swift; do targets+=("$(basename "$f" .swift)"); done; fi
failed=0
for target in "${targets[@]}"; do
  corpus=Fuzz/.build/corpus/$target findings=Fuzz/.build/findings/$target
  limits=(-max_total_time="$seconds")
  if [[ $smoke == 1 ]]; then corpus=Fuzz/.build/smoke-corpus/$target; rm -rf "$corpus"; limits=(-seed=1 -runs=10000); fi
  mkdir -p "$corpus" "$findings"
  seeds=Fuzz/.build/seeds/$target; [[ -d "$seeds" ]] || seeds=
  log=Fuzz/.build/$target.log
  # Leaks fail the run too: a parser that leaks per input would exhaust a long-running server.
  if ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 "Fuzz/.build/fuzz-$target" "$corpus" $seeds \
      "${limits[@]}" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="$findings/" > "$log" 2>&1; then
    echo "fuzz $target: clean ($(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$') runs, $(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$log" | grep -Eo '[0-9]+ second' || echo "${seconds} second")s, corpus $(ls "$corpus" | wc -l))"
  else
    failed=1
    echo "fuzz $target: FAILED — see $log and $findings/"
    grep -E "ERROR|SUMMARY|Fatal|panic|deadly" "$log" | head -5
  fi
done
exit $failed
