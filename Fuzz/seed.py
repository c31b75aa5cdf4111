#!/usr/bin/env python3
"""Writes a seed corpus per fuzz target into Fuzz/.build/seeds/<target>/ from the conformance
suites and the fiscal samples (found through FISCALMIX_CONFORMANCE_DIR and FISCALMIX_FISCAL_DIR,
else ../shared beside the repository), plus the small hand-written seeds in Fuzz/seeds/."""
import glob, gzip, hashlib, json, os, shutil, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
shared = os.path.join(os.path.dirname(root), "shared")
conformance = os.environ.get("FISCALMIX_CONFORMANCE_DIR") or os.path.join(shared, "conformance")
fiscal = os.environ.get("FISCALMIX_FISCAL_DIR") or os.path.join(shared, "fiscal")
out = os.path.join(root, "Fuzz", ".build", "seeds")
counts = {}

def put(target, data):
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    if len(data) > 256 * 1024:
        return
    folder = os.path.join(out, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)
    counts[target] = counts.get(target, 0) + 1

shutil.rmtree(out, ignore_errors=True)
for path in glob.glob(os.path.join(conformance, "jsonata", "groups", "**", "*.json"), recursive=True):
    try:
        case = json.load(open(path))
    except Exception:
        continue
    for c in case if isinstance(case, list) else [case]:
        if isinstance(c, dict) and isinstance(c.get("expr"), str):
            put("jsonata", c["expr"])
for path in glob.glob(os.path.join(conformance, "jmespath", "*.json")):
    for group in json.load(open(path)):
        put("json", json.dumps(group.get("given")))
        for case in group.get("cases", []):
            if isinstance(case.get("expression"), str):
                put("jmespath", case["expression"])
for path in glob.glob(os.path.join(conformance, "json-schema", "**", "*.json"), recursive=True):
    try:
        groups = json.load(open(path))
    except Exception:
        continue
    for group in groups if isinstance(groups, list) else []:
        if isinstance(group, dict) and "schema" in group:
            put("jsonschema", json.dumps(group["schema"]))
            for test in group.get("tests", []):
                put("json", json.dumps(test.get("data")))
for path in glob.glob(os.path.join(fiscal, "samples", "xml", "**", "*.xml"), recursive=True):
    data = open(path, "rb").read()
    put("xml", data)
    put("dfe", data)
    put("dfe", gzip.compress(data))
for path in glob.glob(os.path.join(root, "Fuzz", "seeds", "*", "*")):
    put(os.path.basename(os.path.dirname(path)), open(path, "rb").read())
for target, n in sorted(counts.items()):
    print(f"seeds {target}: {n}")
