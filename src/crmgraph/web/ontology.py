"""The ontology's documentation page `/ontology` (and its `.json` / `.ttl` / `.nt` / `.jsonld` twins).

A newcomer reads, from the ontology graph itself: the header (title, description, version, licence),
the classes as a hierarchy, each with the properties whose domain it is (and their ranges), every
property, and the controlled vocabularies (the named individuals of the ontology and the SKOS concepts
of graph/vocabularies.ttl: statuses, quantity kinds, scopes, units …) as tables of their own. Every
term has an anchor named after it (`/ontology#Country`), which is where `https://w3id.org/crmgraph/
ontology#Country` resolves to.

The queries are fixed and small and run on the app's read-only store, like the entity pages'.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response

from ..namespaces import CRM, GRAPH_ONTOLOGY, ONTOLOGY_IRI, compact
from .entities import SUFFIXES, _format, _not_found, _respond, _rows
from .html import document, escape as _e, href as _href

#: Classes whose members are shown as controlled-vocabulary tables, in this order (a class with no
#: members in the store is left out).
VOCABULARIES = ("VerificationStatus", "InstrumentStatus", "ValueQualifier", "SourceKind", "ListCategory",
                "QuantityKind", "Scope", "Unit", "Sector", "Application", "Challenge", "Grade")

_HEADER = f"""SELECT ?p ?o WHERE {{ GRAPH <{GRAPH_ONTOLOGY}> {{ <{ONTOLOGY_IRI}> ?p ?o }} }}"""
_TERMS = f"""SELECT ?t ?k ?l ?d ?c WHERE {{ GRAPH <{GRAPH_ONTOLOGY}> {{ ?t a ?k .
    FILTER(STRSTARTS(STR(?t), "{CRM}") && ?k IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty,
           owl:AnnotationProperty, owl:NamedIndividual))
    OPTIONAL {{ ?t rdfs:label|skos:prefLabel ?l FILTER(LANG(?l) = "en" || LANG(?l) = "") }}
    OPTIONAL {{ ?t skos:definition ?d FILTER(LANG(?d) = "en" || LANG(?d) = "") }}
    OPTIONAL {{ ?t rdfs:comment ?c FILTER(LANG(?c) = "en" || LANG(?c) = "") }} }} }} ORDER BY ?t"""
_SUPER = f"""SELECT ?t ?s WHERE {{ GRAPH <{GRAPH_ONTOLOGY}> {{ ?t rdfs:subClassOf|rdfs:subPropertyOf ?s .
    FILTER(STRSTARTS(STR(?t), "{CRM}") && isIRI(?s)) }} }}"""
_DEFINED = f"""SELECT DISTINCT ?t WHERE {{ GRAPH <{GRAPH_ONTOLOGY}> {{ ?t owl:equivalentClass ?x }} }}"""
_DOMAINS = f"""SELECT ?t ?domain ?range WHERE {{ GRAPH <{GRAPH_ONTOLOGY}> {{ ?t a ?k .
    FILTER(?k IN (owl:ObjectProperty, owl:DatatypeProperty) && STRSTARTS(STR(?t), "{CRM}"))
    OPTIONAL {{ ?t rdfs:domain ?domain FILTER(isIRI(?domain)) }} OPTIONAL {{ ?t rdfs:range ?range FILTER(isIRI(?range)) }} }} }}"""
_MEMBERS = """SELECT ?class ?m ?l ?d ?n ?sym WHERE {
    VALUES ?class { __CLASSES__ }
    ?m a ?class .
    OPTIONAL { ?m skos:prefLabel|rdfs:label ?l FILTER(LANG(?l) = "en" || LANG(?l) = "") }
    OPTIONAL { ?m skos:definition ?d FILTER(LANG(?d) = "en" || LANG(?d) = "") }
    OPTIONAL { ?m skos:notation ?n } OPTIONAL { ?m crm:symbol ?sym } } ORDER BY ?class ?m"""


@dataclass
class OntologyPage:
    """What /ontology shows (also its JSON twin)."""

    iri: str
    title: str = ""
    description: str = ""
    header: list[dict] = field(default_factory=list)
    terms: list[dict] = field(default_factory=list)
    vocabularies: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"iri": self.iri, "title": self.title, "description": self.description, "header": self.header,
                "terms": self.terms, "vocabularies": self.vocabularies}


def _text(term) -> str | None:
    return term.value if term is not None else None


def ontology_page(store) -> OntologyPage:
    """The ontology's header, every `crm:` term (kind, label, definition, super-terms, domain, range), and
    the members of the controlled vocabularies."""
    page = OntologyPage(ONTOLOGY_IRI)
    for p, o in _rows(store, _HEADER):
        value = o.value
        page.header.append({"property": p.value, "name": compact(p.value), "value": value,
                            "iri": isinstance(o, ox.NamedNode)})
        if p.value.endswith("/title") and not page.title:
            page.title = value
        if p.value.endswith("/description") and not page.description:
            page.description = value
    page.header.sort(key=lambda h: (h["name"], h["value"]))
    terms: dict[str, dict] = {}
    for t, k, label, definition, comment in _rows(store, _TERMS):
        term = terms.setdefault(t.value, {"iri": t.value, "name": t.value[len(CRM):], "kinds": [],
                                          "label": _text(label), "definition": _text(definition),
                                          "comment": _text(comment), "super": [], "domain": [], "range": [],
                                          "defined": False})
        if compact(k.value) not in term["kinds"]:
            term["kinds"].append(compact(k.value))
    for t, s in _rows(store, _SUPER):
        if t.value in terms and s.value not in terms[t.value]["super"]:
            terms[t.value]["super"].append(s.value)
    for (t,) in _rows(store, _DEFINED):
        if t.value in terms:
            terms[t.value]["defined"] = True
    for t, domain, range_ in _rows(store, _DOMAINS):
        if t.value in terms:
            for key, value in (("domain", domain), ("range", range_)):
                if value is not None and value.value not in terms[t.value][key]:
                    terms[t.value][key].append(value.value)
    for term in terms.values():
        term["super"].sort()
    page.terms = list(terms.values())
    classes = " ".join(f"<{CRM}{name}>" for name in VOCABULARIES)
    vocab: dict[str, dict] = {}
    for cls, m, label, definition, notation, symbol in _rows(store, _MEMBERS.replace("__CLASSES__", classes)):
        table = vocab.setdefault(cls.value, {"class": cls.value, "name": cls.value[len(CRM):], "members": {}})
        table["members"].setdefault(m.value, {"iri": m.value, "label": _text(label), "definition": _text(definition),
                                              "notation": _text(notation), "symbol": _text(symbol)})
    page.vocabularies = [{**vocab[CRM + n], "members": list(vocab[CRM + n]["members"].values())}
                         for n in VOCABULARIES if CRM + n in vocab]
    return page


def ontology_description(store) -> list[ox.Triple]:
    """The ontology graph as triples (its RDF twins)."""
    return [q.triple for q in store.raw.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_ONTOLOGY))]


# -- HTML ----------------------------------------------------------------------------------------

def _term_link(iri: str, names: dict[str, str]) -> str:
    """A link to a term: its anchor on this page if it is ours, else its IRI (compacted)."""
    if iri.startswith(CRM):
        name = iri[len(CRM):]
        return f'<a href="#{_e(name)}" title="{_e(iri)}">{_e(names.get(iri) or "crm:" + name)}</a>'
    target = _href(iri)
    text = _e(compact(iri))
    return f'<a href="{_e(target)}" rel="external" title="{_e(iri)}">{text}</a>' if target else text


def _class_tree(classes: list[dict], properties: list[dict]) -> str:
    """Classes nested under their `crm:` superclass (a class with several appears under each); each with
    the properties whose domain it is. Outside superclasses are named beside the class."""
    by_iri = {c["iri"]: c for c in classes}
    names = {c["iri"]: c["label"] or c["name"] for c in classes}
    children: dict[str | None, list[dict]] = {}
    for c in classes:
        parents = [s for s in c["super"] if s in by_iri]
        for parent in parents or [None]:
            children.setdefault(parent, []).append(c)
    own_props: dict[str, list[dict]] = {}
    for p in properties:
        for d in p["domain"]:
            own_props.setdefault(d, []).append(p)

    def item(c: dict, depth: int, seen: frozenset) -> str:
        outside = [s for s in c["super"] if s not in by_iri]
        extra = (' <span class="status">⊑ ' + ", ".join(_term_link(s, names) for s in outside) + "</span>") if outside else ""
        defined = ' <span class="inferred">defined</span>' if c["defined"] else ""
        props = own_props.get(c["iri"], [])
        prop_html = ""
        if props:
            prop_html = '<br><span class="src">' + " · ".join(
                _term_link(p["iri"], {}) + (" → " + ", ".join(_term_link(r, names) for r in p["range"]) if p["range"] else "")
                for p in sorted(props, key=lambda p: p["name"])) + "</span>"
        kids = [k for k in sorted(children.get(c["iri"], []), key=lambda k: (k["label"] or k["name"]).lower())
                if k["iri"] not in seen]
        sub = ("<ul>" + "".join(item(k, depth + 1, seen | {k["iri"]}) for k in kids) + "</ul>") if kids else ""
        return f'<li>{_term_link(c["iri"], names)}{defined}{extra}{prop_html}{sub}</li>'

    roots = sorted(children.get(None, []), key=lambda c: (c["label"] or c["name"]).lower())
    return '<ul class="tree">' + "".join(item(c, 0, frozenset({c["iri"]})) for c in roots) + "</ul>"


def render_page(page: OntologyPage) -> str:
    """The documentation page: header, class hierarchy, properties, vocabularies, every term's entry."""
    classes = [t for t in page.terms if "owl:Class" in t["kinds"]]
    properties = [t for t in page.terms if {"owl:ObjectProperty", "owl:DatatypeProperty"} & set(t["kinds"])]
    names = {t["iri"]: t["label"] or t["name"] for t in page.terms}
    out = [f'<h1>{_e(page.title or compact(page.iri))}</h1><p class="iri">{_e(page.iri)}</p>',
           f"<p>{_e(page.description)}</p>" if page.description else ""]
    out.append('<p>Also as <a href="/ontology.ttl">Turtle</a> · <a href="/ontology.nt">N-Triples</a> · '
               '<a href="/ontology.jsonld">JSON-LD</a> · <a href="/ontology.json">JSON</a></p>')
    out.append('<table class="header"><tr><th>property</th><th>value</th></tr>')
    for h in page.header:
        value = _term_link(h["value"], names) if h["iri"] else _e(h["value"])
        out.append(f'<tr><td>{_e(h["name"])}</td><td>{value}</td></tr>')
    out.append("</table>")
    out.append(f'<p>{len(classes)} classes · {len(properties)} properties · '
               f'{sum(1 for t in page.terms if "owl:NamedIndividual" in t["kinds"])} named individuals · '
               f'{len(page.vocabularies)} controlled vocabularies. Jump to: <a href="#classes">classes</a> · '
               '<a href="#diagram">diagram</a> · <a href="#properties">properties</a> · <a href="#vocabularies">vocabularies</a> · '
               '<a href="#terms">all terms</a></p>')
    out.append('<h2 id="diagram">Main classes and relations</h2><p>Each class that an object property starts or ends '
               "at, and an arrow per property from its domain to its range (generated from the ontology; click a "
               "class for its entry).</p>")
    out.append(diagram_svg(diagram(page.terms)))
    out.append('<h2 id="classes">Classes</h2><p>Each class under its superclass, with the properties whose '
               "domain it is (→ their range). <em>defined</em>: membership is inferred by the reasoner.</p>")
    out.append(_class_tree(classes, properties))
    out.append('<h2 id="properties">Properties</h2><table><tr><th>property</th><th>kind</th><th>domain</th>'
               "<th>range</th><th>definition</th></tr>")
    for p in sorted(properties, key=lambda p: p["name"].lower()):
        kind = "object" if "owl:ObjectProperty" in p["kinds"] else "datatype"
        out.append(f'<tr><td>{_term_link(p["iri"], {})}</td><td>{kind}</td>'
                   f'<td>{", ".join(_term_link(d, names) for d in p["domain"])}</td>'
                   f'<td>{", ".join(_term_link(r, names) for r in p["range"])}</td>'
                   f'<td>{_e(p["definition"] or p["comment"] or "")}</td></tr>')
    out.append("</table>")
    out.append('<h2 id="vocabularies">Controlled vocabularies</h2>')
    for v in page.vocabularies:
        out.append(f'<h3 id="vocabulary-{_e(v["name"])}">{_term_link(v["class"], names)} '
                   f'<span class="status">({len(v["members"])})</span></h3>'
                   "<table><tr><th>term</th><th>label</th><th>definition</th></tr>")
        for m in v["members"]:
            link = _href(m["iri"])
            name = compact(m["iri"])
            term = f'<a href="{_e(link)}">{_e(name)}</a>' if link else _e(name)
            label = (m["label"] or "") + (f' ({m["symbol"]})' if m["symbol"] else "")
            out.append(f'<tr><td>{term}</td><td>{_e(label)}</td><td>{_e(m["definition"] or "")}</td></tr>')
        out.append("</table>")
    out.append('<h2 id="terms">All terms</h2><table><tr><th>term</th><th>kind</th><th>label</th><th>definition</th></tr>')
    for t in page.terms:
        out.append(f'<tr id="{_e(t["name"])}"><td><a href="/ontology#{_e(t["name"])}">crm:{_e(t["name"])}</a></td>'
                   f'<td>{_e(", ".join(t["kinds"]))}</td><td>{_e(t["label"] or "")}</td>'
                   f'<td>{_e(t["definition"] or t["comment"] or "")}</td></tr>')
    out.append("</table>")
    head = ('<link rel="alternate" type="application/json" href="/ontology.json">'
            '<link rel="alternate" type="text/turtle" href="/ontology.ttl">'
            "<style>.tree ul{margin:.1em 0 .1em 0;padding-left:1.4em}.tree li{margin:.15em 0}"
            ".diagram{border:1px solid #ddd;background:#fcfcfc;margin:.5em 0 1.5em}.diagram .box{fill:#eef4fb;stroke:#4a78a8}"
            ".diagram text{font:13px system-ui,sans-serif;text-anchor:middle}.diagram .edge{font-size:11px;fill:#555}"
            ".diagram a:hover .box{fill:#d6e6f7}</style>")
    return document(page.title or "ontology", "\n".join(out), head=head)


# -- the route -----------------------------------------------------------------------------------

async def ontology(request: Request) -> Response:
    """`/ontology[.html|.json|.ttl|.nt|.jsonld]`: the ontology, every term with an anchor (`/ontology#Term`)."""
    store = request.app.state.entity_store
    suffix = request.path_params.get("suffix")
    fmt_from_suffix = SUFFIXES.get("." + suffix) if suffix is not None else None
    if suffix is not None and fmt_from_suffix is None:
        return _not_found(request, None, None)
    return await _respond(request, _format(request, fmt_from_suffix), "/ontology",
                          lambda: ontology_page(store), lambda: ontology_description(store),
                          render=render_page)


# -- the diagram ---------------------------------------------------------------------------------

#: Size of the diagram's boxes (px) and the canvas margin.
_BOX_W, _BOX_H, _MARGIN = 170, 26, 30
#: The grid the boxes sit on: columns, and a cell's width and height (px).
_COLUMNS, _CELL_W, _CELL_H = 6, 230, 90


def diagram(terms: list[dict]) -> dict:
    """The main classes and relations: every `crm:` class that is the domain or range of a `crm:` object
    property, and one arrow per property from domain to range (several properties between the same pair
    share an arrow, their names joined). Positions from views.layout.force_layout (deterministic)."""
    from ..views.layout import force_layout

    classes = {t["iri"]: t for t in terms if "owl:Class" in t["kinds"]}
    arrows: dict[tuple[str, str], list[str]] = {}
    for t in terms:
        if "owl:ObjectProperty" in t["kinds"]:
            for d in t["domain"]:
                for r in t["range"]:
                    if d in classes and r in classes:
                        arrows.setdefault((d, r), []).append(t["name"])
    nodes = sorted({c for pair in arrows for c in pair})
    index = {c: i for i, c in enumerate(nodes)}
    positions = force_layout(len(nodes), [(index[a], index[b]) for a, b in arrows], iterations=200)
    # snap the layout to a grid of cells (best-connected classes first, each to the free cell nearest its
    # place), so no two boxes overlap and neighbours stay near each other
    xs, ys = [p[0] for p in positions], [p[1] for p in positions]
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    rows = max(2, -(-len(nodes) // _COLUMNS) + 1)
    degree = {c: 0 for c in nodes}
    for a, b in arrows:
        degree[a] += 1
        degree[b] += 1
    free = {(col, row) for col in range(_COLUMNS) for row in range(rows)}
    cell: dict[str, tuple[int, int]] = {}
    for c in sorted(nodes, key=lambda c: (-degree[c], c)):
        i = index[c]
        want = ((xs[i] - min(xs)) / span_x * (_COLUMNS - 1), (ys[i] - min(ys)) / span_y * (rows - 1))
        best = min(free, key=lambda f: ((f[0] - want[0]) ** 2 + (f[1] - want[1]) ** 2, f))
        free.discard(best)
        cell[c] = best
    xs = [_MARGIN + _BOX_W / 2 + cell[c][0] * _CELL_W for c in nodes]
    ys = [_MARGIN + _BOX_H / 2 + cell[c][1] * _CELL_H for c in nodes]
    x0 = y0 = 0.0
    width = 2 * _MARGIN + _BOX_W + (_COLUMNS - 1) * _CELL_W
    height = 2 * _MARGIN + _BOX_H + (rows - 1) * _CELL_H
    return {"nodes": [{"iri": c, "name": c.removeprefix(CRM), "label": classes[c]["label"] or c.removeprefix(CRM),
                       "x": round(x - x0, 1), "y": round(y - y0, 1)} for c, x, y in zip(nodes, xs, ys)],
            "edges": [{"from": a, "to": b, "properties": sorted(ps)} for (a, b), ps in sorted(arrows.items())],
            "width": width, "height": height}


def diagram_svg(d: dict) -> str:
    """The diagram as inline SVG (no script, nothing loaded): boxes link to the classes' anchors."""
    where = {n["iri"]: (n["x"], n["y"]) for n in d["nodes"]}
    out = [f'<svg class="diagram" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {d["width"]} {d["height"]}" '
           f'width="100%" role="img" aria-label="main classes and the properties between them">'
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#777"/></marker></defs>']
    for e in d["edges"]:
        (x1, y1), (x2, y2) = where[e["from"]], where[e["to"]]
        label = _e(", ".join(e["properties"]))
        if e["from"] == e["to"]:
            out.append(f'<path d="M{x1 - 20},{y1 - _BOX_H / 2} C{x1 - 40},{y1 - 60} {x1 + 40},{y1 - 60} {x1 + 20},{y1 - _BOX_H / 2}" '
                       f'fill="none" stroke="#999" marker-end="url(#arrow)"><title>{label}</title></path>'
                       f'<text x="{x1}" y="{y1 - 52}" class="edge">{label}</text>')
            continue
        # stop the line at the box's edge
        dx, dy = x2 - x1, y2 - y1
        t = min((_BOX_W / 2) / abs(dx) if dx else 1e9, (_BOX_H / 2) / abs(dy) if dy else 1e9, 1.0)
        ex, ey = x2 - dx * t, y2 - dy * t
        out.append(f'<line x1="{x1}" y1="{y1}" x2="{round(ex, 1)}" y2="{round(ey, 1)}" stroke="#999" '
                   f'marker-end="url(#arrow)"><title>{label}</title></line>'
                   f'<text x="{round((x1 + x2) / 2, 1)}" y="{round((y1 + y2) / 2 - 3, 1)}" class="edge">{label}</text>')
    for n in d["nodes"]:
        x, y = n["x"], n["y"]
        out.append(f'<a href="#{_e(n["name"])}"><rect x="{x - _BOX_W / 2}" y="{y - _BOX_H / 2}" width="{_BOX_W}" '
                   f'height="{_BOX_H}" rx="5" class="box"/><text x="{x}" y="{y + 4}" class="node">{_e(n["label"])}</text></a>')
    out.append("</svg>")
    return "".join(out)
