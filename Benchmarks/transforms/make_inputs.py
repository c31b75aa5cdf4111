"""Writes the transform benchmark's inputs into a folder (deterministic: fixed seed).

- api.json    about 1 MB: a paginated JSON API answer (orders with customers and items)
- nfe.json    about 50 KB: a real NF-e (nfelib sample 42211275277525000178550030000276771368212013)
              converted from XML to JSON, its item list repeated to the size of a large invoice
- event.json  a small event payload (a webhook body)
"""
import json
import random
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

out = Path(sys.argv[1])
samples = Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
rng = random.Random(20261123)

orders = []
for i in range(1700):
    items = [{"sku": f"SKU-{rng.randrange(10000):05d}", "description": f"Item {j}", "quantity": rng.randrange(1, 9),
              "price": round(rng.uniform(1, 500), 2)} for j in range(rng.randrange(1, 6))]
    orders.append({
        "id": f"ord_{i:06d}", "status": rng.choice(["paid", "pending", "refunded", "paid", "paid"]),
        "createdAt": f"2026-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}T{rng.randrange(24):02d}:00:00Z",
        "customer": {"id": f"cus_{rng.randrange(5000):05d}", "name": f"Customer {i}", "email": f"c{i}@example.com",
                     "address": {"city": rng.choice(["São Paulo", "Curitiba", "Recife", "Porto Alegre"]), "uf": rng.choice(["SP", "PR", "PE", "RS"])}},
        "items": items, "total": round(sum(x["quantity"] * x["price"] for x in items), 2), "currency": "BRL",
    })
(out / "api.json").write_text(json.dumps({"object": "list", "has_more": True, "data": orders}, ensure_ascii=False))


def element(node):
    tag = node.tag.split("}")[-1]
    children = list(node)
    if not children:
        text = (node.text or "").strip()
        try:
            return tag, float(text) if "." in text and text.replace(".", "", 1).isdigit() else text
        except ValueError:
            return tag, text
    obj = {}
    for child in children:
        key, value = element(child)
        if key in obj:
            if not isinstance(obj[key], list):
                obj[key] = [obj[key]]
            obj[key].append(value)
        else:
            obj[key] = value
    return tag, obj


root = ET.parse(samples / "xml/nfelib_samples/42211275277525000178550030000276771368212013-procNFe.xml").getroot()
_, proc = element(root)
inf = proc["NFe"]["infNFe"]
det = inf["det"] if isinstance(inf["det"], list) else [inf["det"]]
items = []
while len(json.dumps(inf, ensure_ascii=False)) < 50_000:
    for d in det:
        copy = json.loads(json.dumps(d))
        copy["prod"]["cProd"] = f"{len(items):06d}"
        items.append(copy)
    inf["det"] = items
(out / "nfe.json").write_text(json.dumps(inf, ensure_ascii=False))

event = {"id": "evt_01J9ZQ4", "type": "fiscal_document.received", "createdAt": "2026-11-23T10:00:00Z",
         "data": {"accessKey": "42211275277525000178550030000276771368212013", "model": "55", "issuer": {"cnpj": "75277525000178", "name": "ACME LTDA"},
                  "recipient": {"cnpj": "12345678000195"}, "total": 1234.56, "items": 3, "tags": ["inbound", "nfe"]}}
(out / "event.json").write_text(json.dumps(event))
