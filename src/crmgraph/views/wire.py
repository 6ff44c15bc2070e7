"""The explorer's data as sent to the browser: `pack` makes it compact, `unpack` restores it.

`network.explorer_data` builds the explorer's data as plain, readable dicts — one per node with its facts and
the figures, claims and list entries about it. Sent as such, the curated graph's 312 entities were 5.7 MB
of JSON, because a figure about Kazakhstan's antimony is written out in full under Kazakhstan, under
antimony and again (by IRI) on the edge between them, and every reference repeats its locators.

`pack` writes each thing once and points at it by number:

- `strings`: every repeated short text (property and class labels, locators, statuses, kinds, edge labels)
  once; rows hold its index (−1: none);
- `refs`: each distinct reference [source, locator, cited in, its locator] once; rows hold its index;
- `statements`: each figure, claim or list entry once — [IRI, kind, text, status, [ref…]]; nodes and edges
  hold its index;
- IRIs under `base` (the graph's `id:` namespace) without it; links that are the IRI's own portal page or
  the IRI itself as a code (1, 2) instead of the text;
- positions rounded to whole pixels, indicator values to 4 significant digits.

Nodes and edges are rows (lists) with their fields in the order `NODE_FIELDS` / `EDGE_FIELDS` name.
The browser's `unpack` (static/explorer.js) and this module's `unpack` (for Python clients and the tests)
give back the shape `explorer_data` made, so the page's code reads the same objects as before.
"""
from __future__ import annotations

from ..namespaces import ID

SCHEMA = 2
NODE_FIELDS = ("iri", "label", "style", "x", "y", "href", "types", "facts", "statements", "statementCount", "sources")
EDGE_FIELDS = ("from", "to", "kind", "label", "status", "sources", "count", "refs", "statements")
FACT_FIELDS = ("p", "o", "inferred", "status", "refs", "node", "href")
STATEMENT_FIELDS = ("iri", "kind", "text", "status", "refs")
#: Parts of the data sent as they are (small, or read as a whole).
_AS_IS = ("title", "note", "built", "styles", "edgeKinds", "sources", "view")


class _Table:
    """Values in order of first use, each once; `add` returns its index (−1 for None)."""

    def __init__(self) -> None:
        self.index: dict = {}
        self.rows: list = []

    def add(self, value, row=None) -> int:
        if value is None:
            return -1
        found = self.index.get(value)
        if found is None:
            found = self.index[value] = len(self.rows)
            self.rows.append(value if row is None else row)
        return found


def _rel(iri: str, base: str) -> str:
    """An IRI under `base` without it; any other as it is (an absolute IRI always has a ':', a relative one never)."""
    rest = iri[len(base):] if iri.startswith(base) else None
    return rest if rest is not None and ":" not in rest else iri


def _abs(text: str, base: str) -> str:
    return text if ":" in text else base + text


def _href_code(href: str | None, iri: str, base: str):
    """0: no link; 1: the IRI's portal page (/id/…); 2: the IRI itself; else the link as text."""
    if href is None:
        return 0
    if iri.startswith(base) and href == "/id/" + iri[len(base):]:
        return 1
    return 2 if href == iri else href


def _href(code, iri: str, base: str) -> str | None:
    if code == 0:
        return None
    if code == 1:
        return "/id/" + iri[len(base):]
    return iri if code == 2 else code


def _round(value: float) -> float:
    return float(f"{value:.4g}")


def pack(data: dict, base: str = ID) -> dict:
    """The explorer's data (`network.explorer_data`) in the compact form the browser is sent."""
    strings, refs, statements = _Table(), _Table(), _Table()

    def ref_ids(list_of_refs) -> list[int]:
        out = []
        for si, loc, ci, cloc in list_of_refs:
            key = (si, loc, ci, cloc)
            out.append(refs.add(key, [-1 if si is None else si, strings.add(loc), -1 if ci is None else ci,
                                      strings.add(cloc)]))
        return out

    def statement_id(st: dict | str) -> int:
        if isinstance(st, str):  # an edge's statement no node carries (past a node's cap): its IRI alone
            return statements.add(st, [_rel(st, base), -1, None, -1, []])
        found = statements.index.get(st["iri"])
        if found is not None and statements.rows[found][2] is not None:
            return found
        row = [_rel(st["iri"], base), strings.add(st["kind"]), st["text"], strings.add(st["status"]), ref_ids(st["refs"])]
        if found is not None:
            statements.rows[found] = row
            return found
        return statements.add(st["iri"], row)

    labels = [n["label"] for n in data["nodes"]]
    nodes = []
    for n in data["nodes"]:
        facts = []
        for f in n["facts"]:
            target = f.get("node")
            same_label = target is not None and f["o"] == labels[target]
            facts.append([strings.add(f["p"]), -1 if same_label else strings.add(f["o"]), int(f["inferred"]),
                          strings.add(f["status"]), ref_ids(f["refs"]), -1 if target is None else target,
                          _href_code(f.get("href"), data["nodes"][target]["iri"] if target is not None else "", base)
                          if target is not None else f.get("href", 0)])
        nodes.append([_rel(n["iri"], base), n["label"], n["style"],
                      None if "x" not in n else round(n["x"]), None if "y" not in n else round(n["y"]),
                      _href_code(n["href"], n["iri"], base),
                      [[strings.add(t["label"]), int(t["inferred"])] for t in n["types"]],
                      facts, [statement_id(st) for st in n["statements"]], n["statementCount"], n["sources"]])
    edges = [[e["from"], e["to"], strings.add(e["kind"]), strings.add(e["label"]), strings.add(e["status"]), e["sources"],
              e["count"], ref_ids(e["refs"]), [statement_id(iri) for iri in e["statements"]]] for e in data["edges"]]
    indicators = [{**i, "values": {k: _round(v) for k, v in i["values"].items()}} for i in data["indicators"]]
    return {"schema": SCHEMA, "base": base, **{k: data[k] for k in _AS_IS},
            "strings": strings.rows, "refs": refs.rows, "statements": statements.rows,
            "nodes": nodes, "edges": edges, "indicators": indicators}


def unpack(packed: dict) -> dict:
    """The explorer's data as `network.explorer_data` made it (positions and indicator values rounded)."""
    if packed.get("schema") != SCHEMA:
        raise ValueError(f"not the explorer's packed data (schema {packed.get('schema')!r}, expected {SCHEMA})")
    base, strings = packed["base"], packed["strings"]

    def text(i: int) -> str | None:
        return None if i < 0 else strings[i]

    refs = [[None if si < 0 else si, text(loc), None if ci < 0 else ci, text(cloc)] for si, loc, ci, cloc in packed["refs"]]
    statements = [{"iri": _abs(iri, base), "kind": text(kind), "text": body, "status": text(status),
                   "refs": [refs[r] for r in rs]} for iri, kind, body, status, rs in packed["statements"]]
    nodes = []
    for i, (rel, label, style, x, y, href, types, facts, sts, count, sources) in enumerate(packed["nodes"]):
        iri = _abs(rel, base)
        node = {"id": i, "iri": iri, "label": label, "style": style, "href": _href(href, iri, base)}
        if x is not None:
            node["x"], node["y"] = x, y
        node["types"] = [{"label": strings[t], "inferred": bool(inf)} for t, inf in types]
        node["facts"] = [_fact(f, packed, text, refs, base) for f in facts]
        node["statements"] = [statements[s] for s in sts]
        node["statementCount"], node["sources"] = count, sources
        nodes.append(node)
    edges = [{"from": a, "to": b, "kind": text(kind), "label": text(label), "status": text(status), "sources": sources,
              "count": count, "refs": [refs[r] for r in rs], "statements": [statements[s]["iri"] for s in sts]}
             for a, b, kind, label, status, sources, count, rs, sts in packed["edges"]]
    return {"schema": 1, **{k: packed[k] for k in _AS_IS if k != "view"}, "nodes": nodes, "edges": edges,
            "indicators": packed["indicators"], "view": packed["view"]}


def _fact(f: list, packed: dict, text, refs: list, base: str) -> dict:
    p, o, inferred, status, rs, target, href = f
    out = {"p": text(p), "o": text(o) if o >= 0 else packed["nodes"][target][1], "inferred": bool(inferred),
           "status": text(status), "refs": [refs[r] for r in rs]}
    if target >= 0:
        out["node"] = target
        link = _href(href, _abs(packed["nodes"][target][0], base), base)
        if link is not None:
            out["href"] = link
    elif href:
        out["href"] = href
    return out
