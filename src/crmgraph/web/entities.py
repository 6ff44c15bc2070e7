"""Resolvable IRIs: a page for every entity (`/id/<kind>/<slug>`); the ontology's page is web/ontology.py.

    https://w3id.org/crmgraph/id/<kind>/<slug>   →  /id/<kind>/<slug>
    https://w3id.org/crmgraph/ontology#Term      →  /ontology#Term   (the browser keeps the fragment)

What is served depends on the Accept header (HTML first, so a browser or `*/*` gets the page), or on
a suffix that overrides it: `.html`, `.json` (the page's data: its machine-readable twin), `.ttl`,
`.nt`, `.jsonld` (the entity's description: its triples, its assertion and statement nodes and
their references). Unknown IRIs get a 404 page that says where to look instead.

The queries are fixed, with the entity bound as an RDF term (`substitutions`, never pasted into the
text), and run on the app's read-only store — they are ours and small (a typical page takes a few
ms), so they need not go through the query pool that guards /sparql from strangers' queries.

Every string that reaches the HTML goes through `_e` (`web.html.escape`: html.escape, quotes
included); links to outside the portal are only ever plain `<a href>` to http(s) IRIs, and pages load
nothing (inline CSS, no scripts, no fonts, no images).
"""
from __future__ import annotations

import json
import logging
import re
import threading
import time
from urllib.parse import urlencode
from dataclasses import dataclass, field

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from ..namespaces import CRM, GRAPH_INFERRED, ID, PREFIXES, PROV, RDF, RDFS, SKOS, compact
from ..query.results import media_type, negotiation_table, write_answer
from ..analysis.conflicts import find_disagreements
from ..analysis.factsheets import KINDS as FACTSHEET_KINDS, Factsheet, factsheet as build_factsheet, indicators_for
from ..query.named import load_named_queries
from ..query.answers import shape
from ..query.citations import Citations, Reference
from ..query.lookup import kind_of
from .html import CSS as _CSS, NAV, answer_html, cite, escape as _e, href as _href, local_path, status_html, status_legend
from .sparql import choose, parse_accept

_log = logging.getLogger(__name__)

#: Suffix of a path → the format it asks for.
SUFFIXES = {".html": "html", ".json": "json", ".ttl": "turtle", ".nt": "ntriples", ".jsonld": "jsonld"}
#: The formats of an entity's RDF description (the page's own are "html" and "json").
DESCRIPTION_FORMATS = ("turtle", "ntriples", "jsonld")
#: Formats by content negotiation, in the server's order of preference (HTML wins ties and */*). The
#: description's media types come from results.MEDIA_TYPES, less the generic ones: `application/json`
#: asks for the page's data here, and `text/plain` for no format of ours.
_MEDIA = {
    "html": ("text/html", "application/xhtml+xml"),
    **negotiation_table(DESCRIPTION_FORMATS, generic=False),
    "json": ("application/json",),
}
#: One path segment of an entity IRI: no `..`, no `/`, no `%`, nothing to escape in a URL.
_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.~-]*")
#: Most facts (or incoming links) a page lists; the RDF description is not cut.
MAX_ROWS = 2000

_TYPE, _SUBJECT, _PREDICATE, _OBJECT = RDF + "type", RDF + "subject", RDF + "predicate", RDF + "object"
_LABELS = (SKOS + "prefLabel", RDFS + "label")


# -- IRIs and local paths ------------------------------------------------------------------------

def _candidates(rest: str) -> list[tuple[str, str | None]]:
    """(IRI, format from the suffix) pairs a path `/id/<rest>` may mean, most likely first; [] if invalid."""
    segments = rest.split("/")
    if len(segments) < 2 or not all(_SEGMENT.fullmatch(s) and ".." not in s for s in segments):
        return []
    out = []
    for suffix, fmt in SUFFIXES.items():
        if rest.endswith(suffix) and len(segments[-1]) > len(suffix):
            out.append((ID + rest[: -len(suffix)], fmt))
    return out + [(ID + rest, None)]


# -- reading the store ---------------------------------------------------------------------------

def _rows(store, sparql: str, s: ox.NamedNode | None = None) -> list[list]:
    """Solutions of a fixed query, with `__S__` standing for the entity (an IRI that pyoxigraph has
    validated, so its `<…>` form cannot carry anything else into the query)."""
    if s is not None:
        sparql = sparql.replace("__S__", str(s))
    answer = store.query(sparql)
    columns = [v.value for v in answer.variables]
    return [[solution[c] for c in columns] for solution in answer]


def _exists(store, iri: str) -> bool:
    s = str(ox.NamedNode(iri))
    return bool(store.query(f"ASK {{ {{ {s} ?p ?o }} UNION {{ ?x ?y {s} }} }}"))


def _value(term) -> dict | None:
    """A term as JSON: {"iri", "path"} or {"value", "datatype"?, "lang"?} or {"bnode"}."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return {"iri": term.value, "path": local_path(term.value)}
    if isinstance(term, ox.Literal):
        out = {"value": term.value}
        if term.language:
            out["lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {"bnode": term.value}


@dataclass
class Page:
    """What an entity's page shows (also its JSON twin)."""

    iri: str
    label: str | None = None
    types: list[dict] = field(default_factory=list)
    facts: list[dict] = field(default_factory=list)
    statements: list[dict] = field(default_factory=list)
    incoming: list[dict] = field(default_factory=list)
    wikidata: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    factsheet: Factsheet | None = None                # countries and materials: the summary shown first
    citations: Citations | None = None                # the source register, for readable citations

    def as_json(self) -> dict:
        return {"iri": self.iri, "path": local_path(self.iri), "label": self.label, "types": self.types,
                "wikidata": self.wikidata, "facts": self.facts, "statements": self.statements,
                "incoming": self.incoming,
                **({"factsheet": _factsheet_json(self.factsheet)} if self.factsheet else {}), "labels": self.labels}


def _factsheet_json(sheet: Factsheet) -> dict:
    """The factsheet's sections as records (the query's own columns) and its conflicts."""
    return {"kind": sheet.kind,
            "sections": [{"key": sec.key, "title": sec.title, "query": sec.query, "params": sec.params,
                          "columns": sec.table.columns, "rows": sec.table.records()} for sec in sheet.sections],
            "conflicts": [{"id": d.id, "kind": d.kind, "title": d.title, "why": d.why, "about": d.about,
                           "path": f"/conflicts#{d.id}",
                           "sides": [{"statement": sd.statement, "says": sd.says, "period": sd.period,
                                      "claimant": sd.claimant, "status": sd.status,
                                      "references": [{"source": r.source, "locator": r.locator} for r in sd.references]}
                                     for sd in d.sides]} for d in sheet.conflicts]}


_FACTS = f"""SELECT ?g ?p ?o WHERE {{ GRAPH ?g {{ __S__ ?p ?o }} }} LIMIT {MAX_ROWS}"""
_SOURCES = """SELECT ?p ?o ?a ?status ?ref ?src ?loc ?cited ?citedLoc WHERE {
  ?a rdf:subject __S__ ; rdf:predicate ?p ; rdf:object ?o ; a crm:Assertion .
  OPTIONAL { ?a crm:status ?status }
  OPTIONAL { ?a prov:wasDerivedFrom ?ref .
             OPTIONAL { ?ref crm:source ?src } OPTIONAL { ?ref crm:locator ?loc }
             OPTIONAL { ?ref crm:citedIn ?cited } OPTIONAL { ?ref crm:citedInLocator ?citedLoc } } }"""
# Statements about the entity (figures, claims, list entries, and relations that are not accepted: an
# accepted assertion is already a fact of the page, in the truthy layer, with its sources).
_NOT_A_FACT = """OPTIONAL { ?n a ?acc . FILTER(?acc = crm:AcceptedStatement) }
  OPTIONAL { ?n a ?asr . FILTER(?asr = crm:Assertion) } FILTER(!BOUND(?acc) || !BOUND(?asr))"""
_STATEMENTS = """SELECT ?n ?p ?o WHERE { ?n crm:subject __S__ . """ + _NOT_A_FACT + """ ?n ?p ?o }"""
_STATEMENT_SOURCES = """SELECT ?n ?ref ?src ?loc ?cited ?citedLoc WHERE { ?n crm:subject __S__ ; prov:wasDerivedFrom ?ref .
  """ + _NOT_A_FACT + """
  OPTIONAL { ?ref crm:source ?src } OPTIONAL { ?ref crm:locator ?loc }
  OPTIONAL { ?ref crm:citedIn ?cited } OPTIONAL { ?ref crm:citedInLocator ?citedLoc } }"""
_INCOMING = f"""SELECT DISTINCT ?x ?p WHERE {{ ?x ?p __S__ .
  FILTER(?p NOT IN (rdf:subject, rdf:object, crm:subject) && !isBlank(?x)
         && !STRSTARTS(STR(?x), "{ID}assertion/")) }} ORDER BY ?p ?x LIMIT {MAX_ROWS}"""


def _source(src, loc, cited, cited_loc) -> dict:
    return {"source": src.value if src is not None else None,
            "key": src.value.rsplit("/", 1)[-1] if src is not None else None,
            "path": local_path(src.value) if src is not None else None,
            "locator": loc.value if loc is not None else None,
            "citedIn": cited.value if cited is not None else None,
            "citedInLocator": cited_loc.value if cited_loc is not None else None}


def _labels(store, iris: set[str]) -> dict[str, str]:
    """English (or untagged) labels of IRIs, one query for all."""
    if not iris:
        return {}
    values = " ".join(str(ox.NamedNode(i)) for i in sorted(iris))
    rows = _rows(store, f"""SELECT ?x ?l WHERE {{ VALUES ?x {{ {values} }}
        {{ ?x skos:prefLabel ?l }} UNION {{ ?x rdfs:label ?l }} FILTER(LANG(?l) = "en" || LANG(?l) = "") }}""")
    out: dict[str, str] = {}
    for x, label in rows:
        out.setdefault(x.value, label.value)
    return out


def entity_page(store, iri: str) -> Page:
    """Everything the page of `iri` shows, from a handful of fixed queries."""
    s = ox.NamedNode(iri)
    page = Page(iri)
    sources: dict[tuple[str, str], dict[str, dict]] = {}
    for p, o, a, status, ref, src, loc, cited, cited_loc in _rows(store, _SOURCES, s=s):
        per_assertion = sources.setdefault((p.value, str(o)), {})
        entry = per_assertion.setdefault(a.value, {"assertion": a.value,
                                                   "status": compact(status.value) if status is not None else None,
                                                   "sources": []})
        if ref is not None:
            entry["sources"].append(_source(src, loc, cited, cited_loc))
    seen: dict[tuple[str, str], dict] = {}
    for g, p, o in _rows(store, _FACTS, s=s):
        key = (p.value, str(o))
        inferred = g.value == GRAPH_INFERRED
        if key in seen:  # the same triple in two graphs: asserted wins
            seen[key]["inferred"] = seen[key]["inferred"] and inferred
            continue
        fact = {"property": p.value, "object": _value(o), "inferred": inferred,
                "graph": g.value, "assertions": list(sources.get(key, {}).values())}
        seen[key] = fact
        if p.value == _TYPE and isinstance(o, ox.NamedNode):
            page.types.append({"iri": o.value, "path": local_path(o.value), "inferred": inferred})
        if p.value in _LABELS and isinstance(o, ox.Literal) and o.language in ("en", None, "") and page.label is None:
            page.label = o.value
        if p.value == CRM + "wikidata" and isinstance(o, ox.NamedNode):
            page.wikidata.append(o.value)
    page.facts = sorted(seen.values(), key=lambda f: (f["property"], f["inferred"], json.dumps(f["object"])))
    page.statements = _statements(store, s)
    page.incoming = [{"subject": x.value, "path": local_path(x.value), "property": p.value}
                     for x, p in _rows(store, _INCOMING, s=s)]
    iris = {f["property"] for f in page.facts} | {t["iri"] for t in page.types} | {f["object"]["iri"] for f in page.facts if "iri" in f["object"]}
    iris |= {i["subject"] for i in page.incoming} | {i["property"] for i in page.incoming}
    for st in page.statements:
        iris |= {v["iri"] for vs in st["values"].values() for v in vs if "iri" in v}
    page.labels = _labels(store, iris)
    return page


def _statements(store, s: ox.NamedNode) -> list[dict]:
    """The figures and claims about the entity with their values and sources (thousands of rows for a
    country the imported datasets cover: each term is turned into JSON once, duplicates found by set)."""
    nodes: dict[str, dict] = {}
    seen: set[tuple[str, str, str]] = set()
    derived = PROV + "wasDerivedFrom"
    for n, p, o in _rows(store, _STATEMENTS, s=s):
        node = str(n)
        st = nodes.get(node)
        if st is None:
            st = nodes[node] = {"node": n.value if isinstance(n, ox.NamedNode) else None,
                                "path": local_path(n.value) if isinstance(n, ox.NamedNode) else None,
                                "values": {}, "sources": []}
        if p.value != derived and (node, p.value, str(o)) not in seen:
            seen.add((node, p.value, str(o)))
            st["values"].setdefault(compact(p.value), []).append(_value(o))
    for n, _ref, src, loc, cited, cited_loc in _rows(store, _STATEMENT_SOURCES, s=s):
        if str(n) in nodes:
            nodes[str(n)]["sources"].append(_source(src, loc, cited, cited_loc))
    return sorted(nodes.values(), key=lambda st: st["node"] or "")


def description(store, iri: str) -> list[ox.Triple]:
    """The entity's RDF description: its triples, its assertion and statement nodes, and their references."""
    s = ox.NamedNode(iri)
    rows = _rows(store, """SELECT DISTINCT ?x ?p ?o WHERE {
        { BIND(__S__ AS ?x) ?x ?p ?o }
        UNION { ?x rdf:subject|crm:subject __S__ . ?x ?p ?o }
        UNION { ?n rdf:subject|crm:subject __S__ ; prov:wasDerivedFrom ?x . ?x ?p ?o } }""", s=s)
    return list(dict.fromkeys(ox.Triple(x, p, o) for x, p, o in rows))


# -- HTML ----------------------------------------------------------------------------------------

def _link(iri: str, labels: dict[str, str]) -> str:
    text = labels.get(iri) or compact(iri)
    href = _href(iri)
    inner = _e(text)
    return f'<a href="{_e(href)}" title="{_e(iri)}">{inner}</a>' if href else f'<span title="{_e(iri)}">{inner}</span>'


def _term(v: dict | None, labels: dict[str, str]) -> str:
    if v is None:
        return ""
    if "iri" in v:
        return _link(v["iri"], labels)
    if "bnode" in v:
        return f"<code>_:{_e(v['bnode'])}</code>"
    extra = f' <span class="status">@{_e(v["lang"])}</span>' if v.get("lang") else ""
    return _e(v["value"]) + extra


def _refs(sources: list[dict]) -> list[Reference]:
    return [Reference(src["source"] or "?", src.get("locator"), src.get("citedIn"), src.get("citedInLocator"))
            for src in sources]


def _sources_html(sources: list[dict], citations: Citations | None = None) -> str:
    """A fact's references as readable citations ("Short citation, locator; …"; never "not given")."""
    if citations is not None:
        return cite(citations, _refs(sources))
    parts = []
    for src in sources:
        key = (f'<a href="{_e(src["path"])}">{_e(src["key"])}</a>' if src.get("path")
               else _e(src["key"]) if src.get("key") else "?")
        loc = f", {_e(src['locator'])}" if src.get("locator") and src["locator"] != "not given" else ""
        parts.append(f'<span class="src">{key}{loc}</span>')
    return "; ".join(parts)


#: What a kind of entity is called in a page's subtitle.
KIND_NAMES = {"country": "Country", "material": "Material", "instrument": "Instrument", "org": "Organisation",
              "source": "Source", "list": "List edition", "entry": "List entry", "site": "Site", "region": "Region",
              "figure": "Figure", "claim": "Claim", "union": "Union", "person": "Person"}


def _query_link(sec) -> str:
    if not sec.query:
        return ""
    qs = urlencode({k: compact(v) if v.startswith("http") else v for k, v in sec.params.items()})
    return f' <a class="status" href="/queries/{_e(sec.query)}{"?" + _e(qs) if qs else ""}">as a query</a>'


def _timeline_html(answer, citations, labels) -> str:
    """The instruments with the EU, earliest first, each with its dated steps, their status and sources."""
    names = [c.name for c in answer.columns]
    if not answer.rows:
        return "<p>No instrument with the EU is recorded.</p>"
    col = {n: i for i, n in enumerate(names)}
    groups: dict[str, list] = {}
    for row in answer.rows:
        groups.setdefault(row[col["instrument"]].iri or row[col["instrument"]].text, []).append(row)
    out = ['<ul class="timeline">']
    for rows in groups.values():
        first = rows[0]
        inst = first[col["instrument"]]
        date = first[col["firstDate"]].text if "firstDate" in col else ""
        kind = f' <span class="kind">{_e(first[col["type"]].text)}</span>' if "type" in col and first[col["type"]].text else ""
        out.append(f'<li><span class="date">{_e(date)}</span>{_link(inst.iri, {inst.iri: inst.text}) if inst.iri else _e(inst.text)}'
                   f"{kind}<ul>")
        for row in rows:
            value = row[col["value"]] if "value" in col else None
            shown = (_link(value.iri, {value.iri: labels.get(value.iri, value.text)}) if value is not None and value.iri
                     else _e(value.text) if value is not None else "")
            step = _e(row[col["step"]].text) if "step" in col else ""
            claim = ' <span class="kind">claim of one source</span>' if "kind" in col and row[col["kind"]].text == "claim" else ""
            status = status_html(row[col["status"]].text) if "status" in col else ""
            refs = cite(citations, row[col["sources"]].refs) if "sources" in col and citations else ""
            out.append(f"<li>{step}: {shown}{claim} {status} {refs}</li>")
        out.append("</ul></li>")
    out.append("</ul>")
    return "\n".join(out)


def _lists_html(answer, citations) -> str:
    """The material on each edition of the lists: yes (official name, status, sources) or not on it."""
    col = {c.name: i for i, c in enumerate(answer.columns)}
    out = ['<table class="answer"><tr><th>edition</th><th>year</th><th>on it?</th><th>official name</th>'
           "<th>status</th><th>sources</th></tr>"]
    for row in answer.rows:
        lst = row[col["list"]]
        on = bool(row[col["entry"]].iri)
        entry = (f'<a href="{_e(_href(row[col["entry"]].iri))}">yes</a>' if on else '<span class="status">not on it</span>')
        out.append(f"<tr><td>{_link(lst.iri, {lst.iri: lst.text})}</td><td class=\"num\">{_e(row[col['year']].text)}</td><td>{entry}</td>"
                   f"<td>{_e(row[col['officialName']].text)}</td><td>{status_html(row[col['status']].text) if on else ''}</td>"
                   f"<td>{cite(citations, row[col['sources']].refs) if on and citations and 'sources' in col else ''}</td></tr>")
    out.append("</table>")
    return "\n".join(out)


def _conflicts_html(disagreements, citations, labels) -> str:
    """The disagreements about the entity (analysis.conflicts): each side's value, period, claimant,
    status and citations; each links to its section of the /conflicts page."""
    if not disagreements:
        return "<p>No disagreement between sources is recorded about it.</p>"
    out = []
    for d in disagreements:
        out.append(f'<h3><a href="/conflicts#{_e(d.id)}">{_e(d.title)}</a></h3><p class="status">{_e(d.why)}</p>'
                   '<table class="answer"><tr><th>says</th><th>period</th><th>claimant</th><th>status</th>'
                   '<th class="sources">sources</th></tr>')
        for side in d.sides:
            refs = [Reference(r.source, r.locator) for r in side.references]
            out.append(f"<tr><td>{_e(side.says)}</td><td>{_e(side.period)}</td><td>{_e(side.claimant)}</td>"
                       f"<td>{status_html(side.status)}</td>"
                       f"<td>{cite(citations, refs) if citations else _e('; '.join(r.source for r in refs))}</td></tr>")
        out.append("</table>")
    return "\n".join(out)


#: Rows of a factsheet section shown before "N more rows" (collapsed).
SUMMARY_ROWS = 12
#: Columns a factsheet section leaves out (still in the section's query page and the JSON twin).
SUMMARY_HIDDEN = {"figures": frozenset({"figure", "comment"}),
                  "shares": frozenset({"figure", "material"}),
                  "crms": frozenset({"country"})}


def _factsheet_html(page: Page, labels: dict[str, str]) -> str:
    sheet = page.factsheet
    if sheet is None:
        return ""
    cites = page.citations
    shaped = {sec.key: shape(sec.table) for sec in sheet.sections}
    counts = {"crms": ("critical raw materials", lambda a: len({r[[c.name for c in a.columns].index("crm")].iri for r in a.rows})
                       if "crm" in [c.name for c in a.columns] else len(a.rows)),
              "instruments": ("instruments with the EU", lambda a: len({r[1].iri for r in a.rows}) if a.rows else 0),
              "figures": ("figures", lambda a: len(a.rows)),
              "lists": ("EU list editions it is on", lambda a: sum(1 for r in a.rows if r[[c.name for c in a.columns].index("entry")].iri)),
              "shares": ("supplier shares", lambda a: len(a.rows)),
              "producers": ("suppliers and alternatives", lambda a: len(a.rows))}
    cards = []
    for key, answer in shaped.items():
        if key in counts:
            word, count = counts[key]
            cards.append(f'<a class="card" href="#{_e(key)}"><span class="big">{count(answer)}</span><br>{_e(word)}</a>')
    cards.append(f'<a class="card" href="#disagreements"><span class="big">{len(sheet.conflicts)}</span><br>'
                 f"disagreements between sources</a>")
    if sheet.indicators is not None:
        cards.append('<a class="card" href="#risk"><span class="big">' + _e(_risk_card(sheet)) + "</span><br>"
                     + _e("concentration of world production (HHI)" if sheet.kind == "material"
                          else "largest share of world production") + "</a>")
    out = ['<div class="cards">' + "".join(cards) + "</div>", status_legend()]
    for n, sec in enumerate(sheet.sections):
        if n == 1 and sheet.indicators is not None:  # the answer first, then the numbers behind the exposure
            out.append(_risk_html(sheet, cites))
        answer = shaped[sec.key]
        out.append(f'<h2 id="{_e(sec.key)}">{_e(sec.title)}{_query_link(sec)}</h2>')
        if sec.note:
            out.append(f'<p class="status">{_e(sec.note)}</p>')
        if sec.key == "instruments":
            out.append(_timeline_html(answer, cites, labels))
        elif sec.key == "lists":
            out.append(_lists_html(answer, cites))
        elif answer.rows:
            out.append(answer_html(answer, cites, hide=frozenset({page.iri}), first=SUMMARY_ROWS,
                                   columns_hidden=SUMMARY_HIDDEN.get(sec.key, frozenset())))
        else:
            out.append("<p>None recorded.</p>")
    if sheet.indicators is not None and len(sheet.sections) < 2:
        out.append(_risk_html(sheet, cites))
    if sheet.indicators is None:
        out.append('<h2 id="risk">Supply risk</h2><p>No imported dataset (USGS MCS 2025, EC CRM study 2023) covers it, '
                   'or the store was built without them: no indicator is shown rather than a zero.</p>')
    out.append('<h2 id="disagreements">Where sources disagree</h2>')
    out.append(_conflicts_html(sheet.conflicts, cites, labels))
    return "\n".join(out)


def _risk_head(page: Page) -> str:
    """The chart scripts (Vega-Lite from /assets/vega/) when the factsheet draws a chart."""
    if page.factsheet is None or page.factsheet.indicators is None:
        return ""
    from .risk import HEAD

    return HEAD


def _risk_card(sheet) -> str:
    ind = sheet.indicators
    if sheet.kind == "material":
        main = ind.main_series()
        return "missing" if main is None or main.hhi is None else f"{main.hhi:,.0f}"
    shares = [x for x in ind.materials if x.share is not None]
    if not shares:
        return "missing"
    top = max(shares, key=lambda x: x.share)
    return f"{top.share:.1f} % ({top.label})"


def _risk_html(sheet, cites) -> str:
    from . import risk

    slug = sheet.iri.rsplit("/", 1)[-1]
    if sheet.kind == "material":
        return risk.material_summary(sheet.indicators, cites, slug)
    return risk.country_summary(sheet.indicators, slug)


def render_page(page: Page, twin: str) -> str:
    L = page.labels
    if page.citations is not None:  # a source (a claimant, a value) is named by its short citation, not src:KEY
        L = {**L, **{iri: s.short for iri, s in page.citations.by_iri.items()}}
    title = page.label or compact(page.iri)
    kind = kind_of(page.iri)
    out = [f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)} · crmgraph</title>',
           '<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">',
           f'<style>{_CSS}</style>',
           f'<link rel="alternate" type="application/json" href="{_e(twin)}.json">',
           f'<link rel="alternate" type="text/turtle" href="{_e(twin)}.ttl">',
           _risk_head(page) + "</head><body>",
           NAV,
           f'<h1>{_e(title)}</h1>']
    asserted = [t for t in page.types if not t["inferred"]]
    sub = [KIND_NAMES.get(kind, "")] if page.iri.startswith(ID) else []
    if asserted:
        sub.append(", ".join(_link(t["iri"], L) for t in asserted))
    if page.wikidata:
        sub.append("Wikidata " + ", ".join(
            f'<a href="{_e(w)}" rel="external">{_e(w.rsplit("/", 1)[-1])}</a>' if _href(w) else _e(w)
            for w in page.wikidata))
    out.append(f'<p class="iri">{" · ".join(x for x in sub if x)} · {_e(page.iri)}</p>')
    if kind == "source" and page.citations is not None and (cited := page.citations.get(page.iri)):
        link = f' — <a href="{_e(cited.link)}" rel="external">{_e(cited.link)}</a>' if cited.link else ""
        out.append(f"<p>Cite as: <strong>{_e(cited.short)}</strong>{link}</p>")
    links = []
    if page.iri.startswith(ID):
        links.append(f'<a href="/explore?{_e(urlencode({"focus": page.iri}))}">Show it in the graph explorer</a>')
    links.append(f'Also as <a href="{_e(twin)}.json">JSON</a> · <a href="{_e(twin)}.ttl">Turtle</a> · '
                 f'<a href="{_e(twin)}.nt">N-Triples</a> · <a href="{_e(twin)}.jsonld">JSON-LD</a>')
    out.append("<p>" + " · ".join(links) + "</p>")
    if page.factsheet is not None:
        if page.factsheet.html is None:  # the same for every request: rendered once per server
            page.factsheet.html = _factsheet_html(page, L)
        out.append(page.factsheet.html)
    raw = []
    if page.types:
        raw.append("<p>Types: " + ", ".join(
            _link(t["iri"], L) + (' <span class="inferred">inferred</span>' if t["inferred"] else "")
            for t in page.types) + "</p>")
    facts = [f for f in page.facts if f["property"] != _TYPE]
    if facts:
        raw.append("<h2>Facts</h2><table><tr><th>property</th><th>value</th><th>sources</th><th>status</th></tr>")
        previous = None
        for f in facts:
            prop = _link(f["property"], L) if f["property"] != previous else ""
            previous = f["property"]
            if f["inferred"]:
                src, status = '<span class="inferred">inferred</span>', ""
            else:
                src = "<br>".join(_sources_html(a["sources"], page.citations) for a in f["assertions"] if a["sources"])
                status = "<br>".join(status_html(a["status"]) for a in f["assertions"] if a["status"])
            raw.append(f"<tr><td>{prop}</td><td>{_term(f['object'], L)}</td><td>{src}</td><td>{status}</td></tr>")
        raw.append("</table>")
    if page.statements:
        raw.append("<h2>Figures and claims about it</h2><table><tr><th>statement</th><th>value</th><th>unit</th>"
                   "<th>year</th><th>claimant</th><th>status</th><th>sources</th></tr>")
        for st in page.statements:
            v = st["values"]

            def cell(*keys: str, v=v) -> str:
                return ", ".join(_term(x, L) for k in keys for x in v.get(k, []))

            name = (f'<a href="{_e(st["path"])}">{_e(st["node"].rsplit("/", 1)[-1])}</a>' if st["path"]
                    else _e(st["node"] or ""))
            kind_cell = cell("rdf:type")
            status = " ".join(status_html(x.get("iri", "")) for x in v.get("crm:status", []))
            raw.append(f"<tr><td>{name} <span class=\"status\">{kind_cell}</span></td>"
                       f"<td>{cell('crm:valueQualifier')} {cell('crm:value')}"
                       f"{(' – ' + cell('crm:upperValue')) if v.get('crm:upperValue') else ''}"
                       f"{(' of ' + cell('crm:outOf')) if v.get('crm:outOf') else ''}"
                       f"{(' ' + cell('crm:property', 'crm:object')) if v.get('crm:property') else ''}</td>"
                       f"<td>{cell('crm:unit')}</td><td>{cell('crm:refYear', 'crm:periodStart', 'crm:periodEnd')}</td>"
                       f"<td>{cell('crm:claimant')}</td><td>{status}</td>"
                       f"<td>{_sources_html(st['sources'], page.citations)}</td></tr>")
        raw.append("</table>")
    if page.incoming:
        raw.append("<h2>What points here</h2><table><tr><th>subject</th><th>property</th></tr>")
        for i in page.incoming:
            raw.append(f"<tr><td>{_link(i['subject'], L)}</td><td>{_link(i['property'], L)}</td></tr>")
        raw.append("</table>")
    if page.factsheet is not None:
        out.append(f'<details class="raw"><summary>Every statement about {_e(title)} ({len(facts)} facts, '
                   f"{len(page.statements)} figures and claims, {len(page.incoming)} links to it)</summary>")
        out += raw
        out.append("</details>")
    else:
        if page.facts and page.iri.startswith(ID):
            out.append(status_legend())
        out += raw
    out.append("</body></html>")
    return "\n".join(out)


#: Factsheets kept per server (the store does not change while it serves): at most this many.
FACTSHEET_CACHE = 512
_cache_lock = threading.Lock()


def _full_page(state, iri: str) -> Page:
    """An entity's page with readable citations and, for a country or a material, its factsheet. The
    factsheet (a few named queries and the conflict report) is computed once per server and entity."""
    from . import search

    store = state.entity_store
    kind = kind_of(iri)
    if kind not in FACTSHEET_KINDS:
        page = entity_page(store, iri)
        page.citations = search.citations(state)
        return page
    with _cache_lock:
        cache = getattr(state, "factsheets", None)
        if cache is None:
            cache = state.factsheets = {}
        cached: Page | None = cache.get(iri)
    if cached is not None:
        return cached
    # a country's or material's page: its data read once per server, with its factsheet
    page = entity_page(store, iri)
    page.citations = search.citations(state)
    sheet = build_factsheet(store, iri, kind, _queries(state), search.index(state), conflicts=_conflicts(state))
    if sheet is not None:  # it is, for the kinds that have a factsheet
        supply, centrality = _supply(state)
        sheet.indicators = indicators_for(supply, iri, kind, centrality)
    page.factsheet = sheet
    with _cache_lock:
        if len(cache) < FACTSHEET_CACHE:
            cache[iri] = page
    return page


def _queries(state):
    """The named queries, parsed once per server."""
    with _cache_lock:
        found = getattr(state, "named_queries", None)
    if found is None:
        found = load_named_queries(state.settings.queries_dir)
        with _cache_lock:
            state.named_queries = found
    return found


#: The factsheets `warm` prepares at server start, in this order: the pages the flagship questions land on
#: (the Central Asian states, the materials of the 2023 list, then every other country — China's page reads
#: ~6,000 rows of imported figures). Other materials are prepared on their first visit.
WARM_PAGES = """SELECT ?x (MIN(?o) AS ?order) WHERE {
  { ?x a crm:CentralAsianCountry . BIND(0 AS ?o) } UNION { ?x crm:criticalIn list:eu-crm-2023 . BIND(1 AS ?o) }
  UNION { ?x a crm:Country . BIND(2 AS ?o) }
  FILTER(STRSTARTS(STR(?x), "https://w3id.org/crmgraph/id/"))
} GROUP BY ?x ORDER BY ?order ?x"""


def warm(state) -> None:
    """Read what every factsheet needs (entity index, source register, conflict report, analytics snapshot)
    and prepare the factsheets of WARM_PAGES before the first visitor asks (`crmgraph serve` does this in a
    background thread): a first visit then costs a render (≈ 10–30 ms), not its named queries (0.2–0.6 s)."""
    from . import search

    search.index(state)
    search.citations(state)
    _conflicts(state)
    _supply(state)
    for row in state.entity_store.query(WARM_PAGES):
        try:
            _full_page(state, row["x"].value)
        except Exception:  # a page that cannot be prepared now is prepared (or fails visibly) on its visit
            _log.exception("could not prepare the page of %s", row["x"].value)


def _supply(state):
    """The analytics snapshot of the server's store (shared with /risk) and the supply network's centrality,
    read once; (None, None) if the analysis cannot read the store."""
    from .risk import snapshot

    with _cache_lock:
        done = getattr(state, "factsheet_supply", None)
    if done is None:
        from ..analysis.networks import supply_centrality

        supply = snapshot(state)
        done = (supply, supply_centrality(supply))
        with _cache_lock:
            state.factsheet_supply = done
    return done


def _conflicts(state):
    """The disagreement report of the server's store, computed once (shared with /conflicts, which
    keeps it in `state.disagreements`)."""
    with _cache_lock:
        found = getattr(state, "disagreements", None)
    if found is None:
        found = find_disagreements(state.entity_store)
        with _cache_lock:
            state.disagreements = found
    return found


def render_not_found(path: str, iri: str | None) -> str:
    what = f"There is no entity <code>{_e(iri)}</code> in this knowledge graph." if iri else \
        f"<code>{_e(path)}</code> is not the path of an entity of this knowledge graph."
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not found · crmgraph</title>'
            f'<link rel="icon" href="data:,"><style>{_CSS}</style></head><body>{NAV}<h1>Not found</h1><p>{what}</p>'
            "<p>Entity pages have paths <code>/id/&lt;kind&gt;/&lt;slug&gt;</code> (for example "
            '<a href="/id/country/KZ">/id/country/KZ</a>); the ontology is at <a href="/ontology">/ontology</a>. '
            'To look an IRI up, query the <a href="/sparql">SPARQL endpoint</a>, e.g. '
            "<code>SELECT ?s WHERE { ?s skos:prefLabel ?l FILTER(CONTAINS(LCASE(?l), \"lithium\")) }</code>.</p>"
            "</body></html>")


# -- the routes ----------------------------------------------------------------------------------

def _format(request: Request, from_suffix: str | None) -> str | None:
    return from_suffix or choose(_MEDIA, parse_accept(request.headers.get("accept")))


def _not_found(request: Request, fmt: str | None, iri: str | None) -> Response:
    if fmt in ("json", "jsonld") or (fmt is None and "json" in request.headers.get("accept", "")):
        return JSONResponse({"error": "not-found", "status": 404, "message": f"no entity {iri or request.url.path}",
                             "hint": "entity pages are /id/<kind>/<slug>; look IRIs up at /sparql"}, status_code=404)
    if fmt in ("turtle", "ntriples"):
        return Response(f"not found: {iri or request.url.path}\n", status_code=404, media_type="text/plain")
    return HTMLResponse(render_not_found(request.url.path, iri), status_code=404)


async def _respond(request: Request, fmt: str | None, twin: str, build_page, build_triples,
                   render=None) -> Response:
    """The page, its JSON twin or its RDF description, as `fmt` asks; `render(page)` makes the HTML
    (default: an entity's page with `twin` as the base of its alternates)."""
    started = time.perf_counter()
    if fmt is None:
        return Response("this page is available as text/html, application/json, text/turtle, "
                        "application/n-triples or application/ld+json\n", status_code=406, media_type="text/plain")
    if fmt in DESCRIPTION_FORMATS:
        triples = await run_in_threadpool(build_triples)
        body = write_answer(triples, fmt, prefixes=PREFIXES)
        response = Response(body, media_type=media_type(fmt))
    else:
        page = await run_in_threadpool(build_page)
        response = (JSONResponse(page.as_json()) if fmt == "json"
                    else HTMLResponse(render(page) if render else render_page(page, twin)))
    response.headers["Vary"] = "Accept"
    response.headers["Server-Timing"] = f"total;dur={(time.perf_counter() - started) * 1000:.2f}"
    return response


async def entity(request: Request) -> Response:
    """`/id/<kind>/<slug>[.html|.json|.ttl|.nt|.jsonld]`: an entity's page or description."""
    store = request.app.state.entity_store
    rest = request.path_params["rest"]
    for iri, suffix_fmt in _candidates(rest):
        if await run_in_threadpool(_exists, store, iri):
            twin = local_path(iri) or iri  # an IRI of ours: always a local path
            return await _respond(request, _format(request, suffix_fmt), twin,
                                  lambda iri=iri: _full_page(request.app.state, iri), lambda iri=iri: description(store, iri))
    candidates = _candidates(rest)
    fmt = candidates[0][1] if candidates else None
    return _not_found(request, fmt, candidates[0][0] if candidates else None)
