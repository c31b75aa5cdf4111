#!/usr/bin/env bash
# Builds one libFuzzer binary per parser into Fuzz/.build (swiftc -sanitize=fuzzer,address).
# The parsers' modules are compiled straight from Sources/ with the same instrumentation; they
# depend on nothing but Foundation (and zlib for the DF-e reader), so no package build is needed.
# Usage: Fuzz/build.sh [-O] [target …]   (targets: the names of Fuzz/Targets/*.swift; default all)
set -euo pipefail
cd "$(dirname "$0")/.."
opt=(-Onone)
if [[ "${1:-}" == "-O" ]]; then opt=(-O); shift; fi
out=Fuzz/.build
mkdir -p "$out"
flags=(-swift-version 6 -package-name fiscalmix -parse-as-library -sanitize=fuzzer,address -gline-tables-only "${opt[@]}" -I "$out" -I Sources/CZlib
       -enable-upcoming-feature ExistentialAny)

module() {  # name, extra flags…
  local name=$1; shift
  local sources=(); while IFS= read -r -d '' f; do sources+=("$f"); done < <(find "Sources/$name" -name '*.swift' -print0 | sort -z)
  local stamp="$out/$name.o"
  if [[ -f "$stamp" ]] && [[ -z "$(find "Sources/$name" -name '*.swift' -newer "$stamp" | head -1)" ]]; then return; fi
  echo "module $name"
  swiftc "${flags[@]}" "$@" -module-name "$name" -emit-module -emit-module-path "$out/$name.swiftmodule" \
    -wmo -c -o "$stamp" "${sources[@]}"
}
module FiscalMixCore
module FiscalMixJSON
module FiscalMixXML
module FiscalMixJSONata -enforce-exclusivity=unchecked
module FiscalMixJMESPath -enforce-exclusivity=unchecked
module FiscalMixJSONSchema -enforce-exclusivity=unchecked
module FiscalMixDFe

objects=("$out"/FiscalMixCore.o "$out"/FiscalMixJSON.o "$out"/FiscalMixXML.o "$out"/FiscalMixJSONata.o
         "$out"/FiscalMixJMESPath.o "$out"/FiscalMixJSONSchema.o "$out"/FiscalMixDFe.o)
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then for f in Fuzz/Targets/*.swift; do targets+=("$(basename "$f" .swift)"); done; fi
for target in "${targets[@]}"; do
  extra=()
  # The multipart reader lives in the HTTP edge target (which needs Hummingbird); its file and the
  # edge's error codes are compiled into the fuzzer itself.
  [[ "$target" == multipart ]] && extra=(Sources/FiscalMixHTTPEdge/Support/MultipartFormData.swift Sources/FiscalMixHTTPEdge/RequestError.swift)
  binary="$out/fuzz-$target"
  if [[ -f "$binary" ]] && [[ -z "$(find "Fuzz/Targets/$target.swift" "${objects[@]}" "${extra[@]}" -newer "$binary" | head -1)" ]]; then continue; fi
  echo "target $target"
  # (gold warns once per sanitizer symbol it cannot export; those lines say nothing.)
  swiftc "${flags[@]}" -module-name "Fuzz_$target" "Fuzz/Targets/$target.swift" "${extra[@]}" "${objects[@]}" -lz -o "$out/fuzz-$target" \
    2> >(grep -v "Cannot export local symbol" >&2)
done
