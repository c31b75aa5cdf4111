#!/usr/bin/env bash
# Fetches the outside test data into .test-data/ (or DEST), for machines without ../shared beside
# the repository: each public conformance suite from its upstream repository at a pinned commit,
# with its licence, and the NF-e/CT-e/NFS-e samples of nfelib from PyPI. The tests find the result
# on their own (ConformanceSuites: .test-data/ comes before ../shared).
#
# Usage: scripts/fetch-test-data.sh [DEST] [SET …]      SETs: jmespath json-schema jsonata nfelib (default all)
# Settings:
#   FISCALMIX_TEST_DATA_SOURCE  where repositories are cloned from, as OWNER/NAME under it
#                               (default https://github.com; a local folder of git repositories works)
#   FISCALMIX_TEST_DATA_PIN=0   take each repository's default branch instead of the pinned commit
#                               (only for testing the script against local copies)
# The sped-nfe capture (fiscal/samples/xml/spednfe_*) has no pinned upstream path: copy it from a
# machine that has ../shared.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${1:-.test-data}; shift || true
sets=("$@"); [[ ${#sets[@]} -gt 0 ]] || sets=(jmespath json-schema jsonata nfelib)
source_root=${FISCALMIX_TEST_DATA_SOURCE:-https://github.com}
pin=${FISCALMIX_TEST_DATA_PIN:-1}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$dest"

checkout() {  # OWNER/NAME COMMIT → prints the folder
  local repo=$1 commit=$2 folder="$work/${1//\//_}"
  if [[ ! -d "$folder" ]]; then
    git clone -q "$source_root/$repo" "$folder" >&2
    if [[ "$pin" == 1 ]]; then git -C "$folder" checkout -q "$commit" >&2; fi
  fi
  echo "$folder"
}

for set in "${sets[@]}"; do
  case "$set" in
    jmespath)
      src=$(checkout jmespath/jmespath.py e600d11e5d4e90b0d7f67882756fffc90a52eb36)
      out="$dest/conformance/jmespath"; rm -rf "$out"; mkdir -p "$out"
      cp "$src"/tests/compliance/*.json "$out/"; cp "$src/LICENSE" "$out/LICENSE" ;;
    json-schema)
      src=$(checkout json-schema-org/JSON-Schema-Test-Suite 44401e0c046704b476ec9d2e2fccdaee618f259d)
      out="$dest/conformance/json-schema"; rm -rf "$out"; mkdir -p "$out/optional-format"
      cp "$src"/tests/draft2020-12/*.json "$out/"
      cp "$src"/tests/draft2020-12/optional/format/*.json "$out/optional-format/"
      cp -R "$src/remotes" "$out/remotes"; cp "$src/LICENSE" "$out/LICENSE" ;;
    jsonata)
      src=$(checkout jsonata-js/jsonata 6c7e95fdbf4405a1e741852a7cd8cd985b4305bb)
      out="$dest/conformance/jsonata"; rm -rf "$out"; mkdir -p "$out"
      cp -R "$src/test/test-suite/groups" "$src/test/test-suite/datasets" "$out/"; cp "$src/LICENSE" "$out/LICENSE" ;;
    nfelib)
      # PyPI's sdist of nfelib 3.2.0 carries the procNFe, CT-e, CC-e and NFS-e samples.
      python3 -m pip download -q --no-deps --no-binary :all: -d "$work/pypi" nfelib==3.2.0 >&2
      tar -xzf "$work"/pypi/nfelib-3.2.0.tar.gz -C "$work"
      out="$dest/fiscal/samples/xml/nfelib_samples"; rm -rf "$out"; mkdir -p "$out"
      for file in cte/samples/v4_0/35170799999999999999670000000000261309301440-cte-of.xml \
                  nfe_evento_cce/samples/v1_0/35180803102452000172550010000476051695511860-01-cce.xml \
                  cte/samples/v4_0/35190602427026001207570040000522031000522035-cte-multimodal.xml \
                  nfe/samples/v4_0/leiauteNFe/41170706117473000150550010000463202612756525-procNFe.xml \
                  nfe/samples/v4_0/leiauteNFe/42210775277525000178550030000266631762885493-procNFe.xml \
                  nfe/samples/v4_0/leiauteNFe/42211275277525000178550030000276771368212013-procNFe.xml \
                  nfe/samples/v4_0/leiauteNFe/42220575277525000178550030000292481295366801-procNFe.xml \
                  cte/samples/v4_0/43120178408960000182570010000000041000000047-cte.xml \
                  cte/samples/v4_0/51160624686092000173570010000000031000000020-cte.XML \
                  cte/samples/v4_0/cce35150107565416000104570000000012301000012300-ped-eve.xml \
                  nfse/samples/v1_0/dps-simples.xml nfse/samples/v1_0/nfse-ibscbs.xml nfe/samples/v4_0/procNFe.xml; do
        cp "$work/nfelib-3.2.0/nfelib/$file" "$out/"
      done
      cp "$work/nfelib-3.2.0/MIT-LICENSE" "$dest/fiscal/samples/nfelib-LICENSE" ;;
    *) echo "unknown set: $set (jmespath, json-schema, jsonata, nfelib)" >&2; exit 2 ;;
  esac
  echo "fetched $set into $dest"
done
