"""The transform benchmark's Python peers, on the same inputs and cases as fiscalmix-transforms-bench.
Prints one JSON line per (case, library): evaluations per second over a fixed time box."""
import json
import sys
import time
from pathlib import Path

import jmespath
import jsonata
import jsonatapy
import jsonschema
import jsonschema_rs

folder = Path(sys.argv[1])
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
cases = json.loads(Path(sys.argv[3]).read_text())
inputs = {name: json.loads((folder / f"{name}.json").read_text()) for name in ("api", "nfe", "event")}


def measure(fn):
    fn()  # warm up (and compile caches)
    count, start = 0, time.perf_counter()
    while True:
        fn()
        count += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count / elapsed


for case in cases:
    data = inputs[case["input"]]
    runners = {}
    if case["engine"] == "jmespath":
        compiled = jmespath.compile(case["expression"])
        runners["jmespath"] = lambda: compiled.search(data)
    elif case["engine"] == "jsonata":
        pure = jsonata.Jsonata(case["expression"])
        runners["jsonata-python"] = lambda: pure.evaluate(data)
        rust = jsonatapy.compile(case["expression"])
        prepared = jsonatapy.JsonataData(data)
        runners["jsonatapy"] = lambda: rust.evaluate_with_data(prepared)
    else:
        validator = jsonschema.Draft202012Validator(case["schema"])
        runners["jsonschema"] = lambda: validator.is_valid(data)
        fast = jsonschema_rs.Draft202012Validator(case["schema"])
        runners["jsonschema-rs"] = lambda: fast.is_valid(data)
    for library, fn in runners.items():
        print(json.dumps({"engine": case["engine"], "input": case["input"], "case": case["name"], "library": library,
                          "per_second": round(measure(fn), 1)}), flush=True)
