"""nfelib (PyPI) parsing the same procNFe files as `fiscalmix-dfe-bench parse`, for Benchmarks/dfe.sh.
   python dfe_peer.py <dir> <seconds>   → one JSON line: documents per second, and vNF read from each (a real parse)."""
import json, sys, time
from pathlib import Path
from nfelib.nfe.bindings.v4_0.proc_nfe_v4_00 import NfeProc

folder, seconds = Path(sys.argv[1]), float(sys.argv[2])
payloads = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.xml"))]
parsed, started = 0, time.perf_counter()
while time.perf_counter() - started < seconds:
    for text in payloads:
        proc = NfeProc.from_xml(text)
        assert proc.NFe.infNFe.total.ICMSTot.vNF
        parsed += 1
elapsed = time.perf_counter() - started
print(json.dumps({"figure": "parse", "library": "nfelib", "files": len(payloads), "documents_per_second": int(parsed / elapsed)}))
