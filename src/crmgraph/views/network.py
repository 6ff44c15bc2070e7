"""The knowledge graph as a network of entities — what the explorer (`/explore`) and `crmgraph viz` draw.

Nodes are the graph's entities (IRIs under `id:`: countries, materials, lists, instruments,
organisations, people, sites, events…). Statement nodes (assertions, figures, claims, list entries),
sources and vocabulary terms (units, quantity kinds, scopes, schemes) are not nodes: they become
what an edge or a node's side panel says.

Edges come from three places:
- direct triples between two entities (`fact`, or `inferred` when only the reasoner says so), with
  the sources and locators of their reified `crm:Assertion`; of a pair of inverse properties
  (`partyTo`/`hasParty`, `skos:broader`/`narrower`…) only one direction is drawn;
- list entries: a list —lists→ a material (`entry`), with the Annex point as locator;
- figures and claims: a figure about S for material M joins S and M (`figure`, one edge per pair
  and kind of figure); a claim that S has property P with an entity as value joins them (`claim`,
  or `denial` when the claim says it is *not* so).

Every node carries its facts (each with status, sources and locators; inferred facts marked) and the
figures, claims and list entries about it, so the side panel needs no server — the same data serves
the portal page and the self-contained file of `crmgraph viz`.

A `View` is what is on screen at first: the whole network (up to `max_nodes`, highest degree first),
or the nodes and edges of a query's answer (a CONSTRUCT's triples, or a SELECT's IRI columns). Nodes
outside the view stay in the data, for search and for expanding a neighbourhood on demand.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from typing import Callable

import pyoxigraph as ox

from .indicators import node_indicators
from .layout import force_layout
from ..namespaces import CRM, GRAPH_ASSERTED, GRAPH_BUILD, GRAPH_INFERRED, GRAPH_TRUTHY, ID, RDF, RDFS, SKOS, VOID, compact, local_path
from ..query.citations import Citations, has_locator
from ..query.results import Table, to_result


@dataclass(frozen=True)
class Style:
    """How nodes of a class look: the explorer's legend has one entry per style."""

    key: str
    label: str
    classes: tuple[str, ...]   # the classes that select this style (none: the fallback)
    color: str
    shape: str


#: Node styles, most specific first: a node takes the first style whose class it has (asserted or
#: inferred). Colours are Okabe–Ito (readable with colour-blindness) plus greys; shapes differ too,
#: so the legend does not rest on colour alone.
STYLES: tuple[Style, ...] = (
    Style("central-asia", "Central Asian country", (CRM + "CentralAsianCountry",), "#E69F00", "star"),
    Style("union", "European Union", (CRM + "Union",), "#0072B2", "hexagon"),
    Style("eu-member", "EU member state", (CRM + "EUMemberState",), "#56B4E9", "dot"),
    Style("country", "Other country", (CRM + "Country",), "#009E73", "dot"),
    Style("region", "Region", (CRM + "Region",), "#7FC97F", "triangleDown"),
    Style("crm", "Critical raw material (2023 list)", (CRM + "CriticalRawMaterial",), "#D55E00", "square"),
    Style("material", "Other material or group", (CRM + "Material",), "#F0B27A", "square"),
    Style("grade", "Material grade", (CRM + "Grade",), "#FDB462", "square"),
    Style("list", "CRM list", (CRM + "MaterialList",), "#8B4513", "hexagon"),  # not "box": its label would be inside, six wide boxes
    Style("instrument", "Agreement or instrument", (CRM + "Instrument",), "#CC79A7", "triangle"),
    Style("company", "Company", (CRM + "Company",), "#4D4D4D", "diamond"),
    Style("organisation", "Organisation", (CRM + "Organisation",), "#999999", "diamond"),
    Style("person", "Person", (CRM + "Person",), "#F5C710", "dot"),
    Style("site", "Deposit, mine or project", (CRM + "Site", CRM + "Project"), "#A6761D", "triangle"),
    Style("event", "Event", (CRM + "Event",), "#66A61E", "star"),
    Style("infrastructure", "Corridor or infrastructure", (CRM + "Infrastructure",), "#1B9E77", "hexagon"),
    Style("measure", "Export restriction or measure", (CRM + "Measure",), "#E7298A", "triangleDown"),
    Style("place", "Place", (CRM + "Place",), "#B3DE69", "dot"),
    Style("topic", "Sector, application or challenge", (SKOS + "Concept",), "#BEBADA", "ellipse"),
    Style("other", "Other", (), "#CCCCCC", "dot"),
)

#: Instances of these classes are never nodes (they are statements, sources or vocabulary).
NOT_NODES = frozenset({CRM + "Assertion", CRM + "Figure", CRM + "Claim", CRM + "ListEntry", CRM + "SourceDocument",
                       CRM + "Unit", CRM + "QuantityKind", CRM + "Scope", SKOS + "ConceptScheme", VOID + "Dataset"})
#: Triples between entities that are not drawn: typing, scheme membership, transitive closures.
NOT_EDGES = frozenset({RDF + "type", SKOS + "inScheme", SKOS + "broaderTransitive", SKOS + "narrowerTransitive",
                       SKOS + "topConceptOf", SKOS + "hasTopConcept"})
_INVERSES_OUTSIDE_ONTOLOGY = ((SKOS + "broader", SKOS + "narrower"),)
#: Entities per query when reading the nodes' own triples (keeps each query text small for remote servers).
_CHUNK = 500
#: Most figures, claims and list entries a node's panel carries (the rest are on its page, /id/…).
MAX_STATEMENTS_PER_NODE = 200
_STATEMENT_CLASSES = (CRM + "Figure", CRM + "Claim", CRM + "ListEntry")
_LABEL_PROPERTIES = (SKOS + "prefLabel", RDFS + "label")
#: Edge kinds, for the legend and the styles of the explorer.
EDGE_KINDS = {
    "fact": "stated fact", "inferred": "inferred by the reasoner", "entry": "list entry",
    "figure": "figures", "claim": "claim", "denial": "claim denied", "result": "query result",
}


@dataclass
class Node:
    iri: str
    label: str
    style: str
    types: list[tuple[str, bool]] = field(default_factory=list)   # (class IRI, inferred)
    facts: list[dict] = field(default_factory=list)
    statements: list[dict] = field(default_factory=list)
    sources: set[int] = field(default_factory=set)


@dataclass
class Edge:
    source: str
    target: str
    kind: str
    label: str
    predicate: str | None = None
    status: str | None = None
    sources: set[int] = field(default_factory=set)
    count: int = 1
    refs: list[list] = field(default_factory=list)         # [source, locator, cited in, its locator]
    statements: list[str] = field(default_factory=list)    # the figures, claims or entries it stands for


@dataclass
class Network:
    """Every entity of the graph as a node, with its facts; edges between them; the source register."""

    nodes: dict[str, Node]
    edges: list[Edge]
    sources: list[dict]
    labels: dict[str, str]
    built: dict | None = None    # when and with what the store was built (its build graph), if it says
    indicators: list = field(default_factory=list)   # views.indicators.Indicator: what nodes can be coloured by

    def degree(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for e in self.edges:
            out[e.source] += 1
            out[e.target] += 1
        return out

    def label(self, iri: str) -> str:
        """The IRI's English label, else the last part of its name (remembered: this is called a lot)."""
        found = self.labels.get(iri)
        if found is None:
            found = self.labels[iri] = compact(iri).split(":", 1)[-1].rsplit("/", 1)[-1].strip("<>")
        return found


@dataclass
class View:
    """What is on screen at first: node IRIs, and edges the network does not have (a query's pairs)."""

    title: str
    nodes: list[str]
    extra_edges: list[Edge] = field(default_factory=list)
    extra_nodes: dict[str, Node] = field(default_factory=dict)   # answer IRIs that are not entities
    note: str | None = None


# -- reading the graph -----------------------------------------------------------------------------

def _rows(store, sparql: str) -> list[list]:
    answer = to_result(store.query(sparql))
    assert isinstance(answer, Table)
    return answer.rows


def _text(term) -> str:
    return term.value if term is not None else ""


def _boolean(term) -> bool | None:
    """An xsd:boolean literal's value; Virtuoso answers 1/0 for true/false. None if absent."""
    if term is None:
        return None
    return term.value.strip().lower() in ("true", "1")


def load_network(store) -> Network:
    """The entity network of a store (embedded or remote): a handful of whole-graph queries."""
    labels: dict[str, str] = {}
    for x, label in _rows(store, """SELECT ?x ?l WHERE { VALUES ?p { skos:prefLabel rdfs:label } ?x ?p ?l
            FILTER(isIRI(?x) && (LANG(?l) = "en" || LANG(?l) = "")) } ORDER BY ?x ?p ?l"""):
        labels.setdefault(x.value, label.value)

    types: dict[str, dict[str, bool]] = defaultdict(dict)  # entity → class → inferred only?
    for g, s, t in _rows(store, f"""SELECT ?g ?s ?t WHERE {{ VALUES ?g {{ <{GRAPH_ASSERTED}> <{GRAPH_INFERRED}> }}
            GRAPH ?g {{ ?s a ?t }} FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ID}")) }}"""):
        inferred = g.value == GRAPH_INFERRED
        types[s.value][t.value] = types[s.value].get(t.value, True) and inferred
    sources = _sources(store)
    source_index = {s["iri"]: i for i, s in enumerate(sources)}

    net = Network({}, [], sources, labels)
    for iri, classes in types.items():
        if classes.keys() & NOT_NODES:
            continue
        style = next((s.key for s in STYLES if classes.keys() & set(s.classes)), "other")
        net.nodes[iri] = Node(iri, net.label(iri), style, sorted(classes.items(), key=lambda x: (x[1], x[0])))

    net.built = _built(store)
    asserted_sources = _assertion_sources(store, source_index)
    _add_facts_and_edges(store, net, asserted_sources)
    _add_statements(store, net, source_index)
    net.indicators = node_indicators(store)
    return net


def _built(store) -> dict | None:
    """The build graph's record of when the store was built and by which crmgraph (None if absent)."""
    for modified, tool in _rows(store, f"""SELECT ?m ?w WHERE {{ GRAPH <{GRAPH_BUILD}> {{ ?d dcterms:modified ?m .
            OPTIONAL {{ ?d crm:builtWith ?w }} }} }} ORDER BY DESC(?m) LIMIT 1"""):
        return {"modified": modified.value, "builtWith": _text(tool) or None}
    return None


def _sources(store) -> list[dict]:
    """The source register as the panels show it: each source's short citation ("publisher, short title
    (year)", query.citations) and the link to the source itself (DOI or URL), beside its key and title."""
    rows = _rows(store, """SELECT ?s ?key ?title ?date WHERE { ?s a crm:SourceDocument .
        OPTIONAL { ?s crm:sourceKey ?key } OPTIONAL { ?s dcterms:title ?title } OPTIONAL { ?s dcterms:issued ?date } }
        ORDER BY ?s""")
    register = Citations.load(store)
    out: dict[str, dict] = {}
    for s, key, title, date in rows:
        if s.value in out:
            continue
        cited = register.get(s.value)
        out[s.value] = {"iri": s.value, "key": _text(key) or s.value.rsplit("/", 1)[-1], "title": _text(title),
                        "date": _text(date), "short": cited.short if cited else (_text(key) or _text(title)),
                        "link": cited.link if cited else None}
    return sorted(out.values(), key=lambda s: _natural(s["key"]))


def _natural(key: str) -> tuple:
    """Sort S2 before S10."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", key))


def _reference(src, loc, cited, cited_loc, source_index: dict[str, int]) -> list:
    """A reference as [source index, locator, cited-in index, cited-in locator] (None where absent)."""
    return [source_index.get(src.value) if src is not None else None, _text(loc) if has_locator(_text(loc)) else None,
            source_index.get(cited.value) if cited is not None else None, _text(cited_loc) or None]


def _assertion_sources(store, source_index) -> dict[tuple[str, str, str], tuple[str | None, list[list]]]:
    """(s, p, o as text) → (status, references) for every reified assertion."""
    out: dict[tuple[str, str, str], tuple[str | None, list[list]]] = {}
    for s, p, o, status, src, loc, cited, cited_loc in _rows(store, """SELECT ?s ?p ?o ?status ?src ?loc ?cited ?citedLoc WHERE {
            ?a a crm:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
            OPTIONAL { ?a crm:status ?status }
            OPTIONAL { ?a prov:wasDerivedFrom ?ref . OPTIONAL { ?ref crm:source ?src } OPTIONAL { ?ref crm:locator ?loc }
                       OPTIONAL { ?ref crm:citedIn ?cited } OPTIONAL { ?ref crm:citedInLocator ?citedLoc } } }"""):
        key = (s.value, p.value, str(o))
        st, refs = out.get(key, (None, []))
        ref = _reference(src, loc, cited, cited_loc, source_index) if src is not None else None
        out[key] = (st or (compact(status.value).split(":")[-1] if status is not None else None),
                    refs + ([ref] if ref and ref not in refs else []))
    return out


def _inverse_pairs(store) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for p, q in list(_rows(store, "SELECT ?p ?q WHERE { ?p owl:inverseOf ?q FILTER(isIRI(?p) && isIRI(?q)) }")):
        pairs[p.value], pairs[q.value] = q.value, p.value
    for p, q in _INVERSES_OUTSIDE_ONTOLOGY:
        pairs[p], pairs[q] = q, p
    return pairs


def _object_json(o, net: Network) -> dict:
    if isinstance(o, ox.NamedNode):
        return {"iri": o.value, "text": net.label(o.value)}
    if isinstance(o, ox.Literal):
        return {"text": o.value, **({"lang": o.language} if o.language else {})}
    return {"text": "_:" + o.value}


def _add_facts_and_edges(store, net: Network, asserted_sources) -> None:
    inverses = _inverse_pairs(store)
    seen: dict[tuple[str, str, str], dict] = {}
    triples: list[tuple[str, str, object, bool]] = []
    rows = []
    entities = sorted(net.nodes)
    for start in range(0, len(entities), _CHUNK):  # the nodes' own triples only (not the statements')
        subjects = " ".join(f"<{iri}>" for iri in entities[start:start + _CHUNK])
        # one VALUES block: with a second one (for ?g) Oxigraph took 6 s for 2,000 entities instead of 0.2 s
        rows += _rows(store, f"""SELECT ?g ?s ?p ?o WHERE {{ VALUES ?s {{ {subjects} }} GRAPH ?g {{ ?s ?p ?o }}
            FILTER(?g IN (<{GRAPH_ASSERTED}>, <{GRAPH_TRUTHY}>, <{GRAPH_INFERRED}>)) }}""")
    asserted_pairs = {(s.value, str(o)) for g, s, p, o in rows if g.value != GRAPH_INFERRED and p.value != RDF + "type"}
    for g, s, p, o in rows:
        node = net.nodes[s.value]
        inferred = g.value == GRAPH_INFERRED
        if inferred and p.value != RDF + "type" and (s.value, str(o)) in asserted_pairs:
            # the asserted fact itself, or a super-property of it (crm:wikidata ⊑ skos:exactMatch,
            # skos:prefLabel ⊑ rdfs:label): it would say the same thing twice
            continue
        key = (s.value, p.value, str(o))
        if key in seen:  # the same triple asserted and inferred: asserted wins
            seen[key]["inferred"] = seen[key]["inferred"] and inferred
            continue
        status, refs = asserted_sources.get(key, (None, []))
        fact = {"p": net.label(p.value), "pi": p.value, "o": _object_json(o, net), "inferred": inferred,
                "status": status, "refs": refs}
        seen[key] = fact
        if p.value != RDF + "type" and p.value != SKOS + "prefLabel":  # the type and name head the panel
            node.facts.append(fact)
        node.sources.update(r[0] for r in refs if r[0] is not None)
        triples.append((s.value, p.value, o, inferred))
    present = {(s, p, o.value) for s, p, o, _ in triples if isinstance(o, ox.NamedNode)}
    for s, p, o, _inferred in triples:
        if p in NOT_EDGES or not isinstance(o, ox.NamedNode) or o.value not in net.nodes or o.value == s:
            continue
        fact = seen[(s, p, str(o))]
        inverse = inverses.get(p)
        if inverse and (o.value, inverse, s) in present:
            twin = seen[(o.value, inverse, str(ox.NamedNode(s)))]
            # draw one direction: the asserted one; if both are, the property whose IRI sorts first
            if (twin["inferred"], inverse) < (fact["inferred"], p):
                continue
        net.edges.append(Edge(s, o.value, "inferred" if fact["inferred"] else "fact", net.label(p), p,
                              fact["status"], {r[0] for r in fact["refs"] if r[0] is not None}, refs=fact["refs"]))
    for node in net.nodes.values():
        node.facts.sort(key=lambda f: (f["p"].lower(), f["inferred"], f["o"]["text"]))


def _add_statements(store, net: Network, source_index) -> None:
    """Figures, claims, list entries, and the relations that are not accepted (so not in the truthy layer,
    not drawn as facts): text in the panels of the nodes they are about, and edges. Such a relation is
    shown as a claim, in the common statement shape (crm:subject, crm:property, crm:object)."""
    classes = " ".join(f"<{c}>" for c in _STATEMENT_CLASSES)
    values: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    kinds: dict[str, str] = {}
    # an accepted assertion is drawn as a fact with its sources: only the others are read here (in their
    # own query, so that no answer grows past a server's row cap)
    unaccepted = """?n a crm:Assertion . OPTIONAL { ?n a ?acc . FILTER(?acc = crm:AcceptedStatement) } FILTER(!BOUND(?acc))"""
    for n, k, p, o in _rows(store, f"""SELECT ?n ?k ?p ?o WHERE {{ VALUES ?k {{ {classes} }} ?n a ?k ; ?p ?o
            FILTER(?p != prov:wasDerivedFrom && ?p != rdf:type) }}""") + \
            _rows(store, f"""SELECT ?n (crm:Claim AS ?k) ?p ?o WHERE {{ {unaccepted} ?n ?p ?o
            FILTER(?p != prov:wasDerivedFrom && ?p != rdf:type) }}"""):
        kinds[n.value] = k.value
        values[n.value][p.value].append(o)
    refs: dict[str, list[list]] = defaultdict(list)
    for n, src, loc, cited, cited_loc in _rows(store, f"""SELECT ?n ?src ?loc ?cited ?citedLoc WHERE {{
            {{ VALUES ?k {{ {classes} }} ?n a ?k }} UNION {{ {unaccepted} }} ?n prov:wasDerivedFrom ?ref .
            OPTIONAL {{ ?ref crm:source ?src }} OPTIONAL {{ ?ref crm:locator ?loc }}
            OPTIONAL {{ ?ref crm:citedIn ?cited }} OPTIONAL {{ ?ref crm:citedInLocator ?citedLoc }} }}"""):
        ref = _reference(src, loc, cited, cited_loc, source_index)
        if ref not in refs[n.value]:
            refs[n.value].append(ref)
    grouped: dict[tuple[str, str, str], Edge] = {}
    for n in sorted(kinds):
        kind, v = kinds[n], values[n]
        first = {p: os[0] for p, os in v.items()}
        status = compact(first[CRM + "status"].value).split(":")[-1] if CRM + "status" in first else None
        statement = {"iri": n, "kind": kind.rsplit("#", 1)[-1].lower().replace("listentry", "entry"),
                     "text": _statement_text(kind, v, net), "status": status, "refs": refs[n]}
        ref_sources = {r[0] for r in refs[n] if r[0] is not None}
        about = [o.value for o in v.get(CRM + "subject", []) + v.get(CRM + "material", []) + v.get(CRM + "inList", [])
                 + [o for o in v.get(CRM + "object", []) if isinstance(o, ox.NamedNode)]]
        for iri in dict.fromkeys(about):
            if iri in net.nodes:
                net.nodes[iri].statements.append(statement)
                net.nodes[iri].sources.update(ref_sources)
        if kind == CRM + "ListEntry" and CRM + "inList" in first and CRM + "material" in first:
            pair = (first[CRM + "inList"].value, first[CRM + "material"].value)
            label = "lists" + (f" ({net.label(first[CRM + 'category'].value)})" if CRM + "category" in first else "")
            _group(grouped, net, pair, "entry", label, statement)
        elif kind == CRM + "Figure":  # a figure may be about several subjects (China and Russia: a joint share)
            qk = net.label(first[CRM + "quantityKind"].value) if CRM + "quantityKind" in first else "figure"
            for subject in v.get(CRM + "subject", []):
                for m in v.get(CRM + "material", []):
                    _group(grouped, net, (subject.value, m.value), "figure", qk, statement)
        elif kind == CRM + "Claim":
            denied = _boolean(first.get(CRM + "polarity")) is False
            prop = net.label(first[CRM + "property"].value) if CRM + "property" in first else "claims"
            for subject in v.get(CRM + "subject", []):
                for o in v.get(CRM + "object", []):
                    if isinstance(o, ox.NamedNode):
                        _group(grouped, net, (subject.value, o.value), "denial" if denied else "claim",
                               ("not " if denied else "") + prop, statement)
    net.edges.extend(grouped.values())
    for node in net.nodes.values():
        node.statements.sort(key=lambda st: (st["kind"], st["text"]))


def _group(grouped, net: Network, pair: tuple[str, str], kind: str, label: str, statement: dict) -> None:
    """One edge per pair, kind and label, standing for every statement that joins the pair that way."""
    a, b = pair
    if a not in net.nodes or b not in net.nodes or a == b:
        return
    key = (a, b, kind + label)
    edge = grouped.get(key)
    if edge is None:
        edge = grouped[key] = Edge(a, b, kind, label, None, statement["status"])
    else:
        edge.count += 1
        edge.label = f"{label} ×{edge.count}"
    edge.statements.append(statement["iri"])
    edge.sources.update(r[0] for r in statement["refs"] if r[0] is not None)
    edge.refs.extend(r for r in statement["refs"] if r not in edge.refs)


def _statement_text(kind: str, v: dict[str, list], net: Network) -> str:
    """One line for a figure, claim or list entry, e.g. 'mine production: 21,227 tonne (2023; world)'."""
    def one(p: str) -> str:
        return ", ".join(net.label(o.value) if isinstance(o, ox.NamedNode) else o.value for o in v.get(CRM + p, []))

    if kind == CRM + "ListEntry":
        text = f"{one('material')} on {one('inList')}"
        return text + (f" ({one('category')})" if v.get(CRM + "category") else "") + \
            (f", grade {one('grade')}" if v.get(CRM + "grade") else "")
    if kind == CRM + "Claim":
        polarity = "does not hold: " if _boolean((v.get(CRM + "polarity") or [None])[0]) is False else ""
        obj = one("object") or one("value")
        return f"{polarity}{one('subject')} — {one('property')}{(' — ' + obj) if obj else ''}" + \
            (f" (claimed by {one('claimant')})" if v.get(CRM + "claimant") else "")
    value = _number(one("value"))
    if v.get(CRM + "upperValue"):
        value += "–" + _number(one("upperValue"))
    qualifier = one("valueQualifier").lower()
    when = one("refYear") or "–".join(x for x in (one("periodStart"), one("periodEnd")) if x) or \
        ("year not stated" if _boolean((v.get(CRM + "yearNotStated") or [None])[0]) else "")
    context = "; ".join(x for x in (when, one("scope"), (f"claimed by {one('claimant')}" if v.get(CRM + "claimant") else ""),
                                    one("material")) if x)
    return f"{one('quantityKind')}: {(qualifier + ' ') if qualifier else ''}{value} {one('unit')}" + \
        (f" ({context})" if context else "")


def _number(text: str) -> str:
    try:
        number = float(text)
    except ValueError:
        return text
    return f"{int(number):,}" if number.is_integer() else f"{number:,}"


# -- views -----------------------------------------------------------------------------------------

def whole_view(net: Network, max_nodes: int = 2000) -> View:
    """The whole network, or its `max_nodes` best-connected nodes (the rest stay searchable)."""
    degree = net.degree()
    ranked = sorted(net.nodes, key=lambda iri: (-degree.get(iri, 0), net.nodes[iri].label.lower(), iri))
    note = None
    if len(ranked) > max_nodes:
        note = (f"showing the {max_nodes:,} best-connected of {len(ranked):,} entities; "
                "search or expand a node to see the others")
    return View("The knowledge graph", ranked[:max_nodes], note=note)


def view_from_answer(net: Network, answer, title: str, max_nodes: int | None = None) -> View:
    """The view of a query's answer: a CONSTRUCT's triples, or a SELECT with at least two IRI columns
    (each row joins its first IRI to its other IRIs, the edge named by the column).

    `max_nodes`: refuse (ResultTooLarge) an answer with more nodes than that, as soon as the first
    node over the cap is met — laying out n nodes costs O(n²) memory and time per pass, so a
    10,000-row answer (20,000 nodes) must be refused, not drawn (issue 8)."""
    from ..errors import QueryError, ResultTooLarge

    if isinstance(answer, bool):
        raise QueryError("a yes/no (ASK) answer cannot be drawn as a network",
                         hint="draw a CONSTRUCT, or a SELECT with at least two columns of IRIs")
    nodes: dict[str, None] = {}
    edges: dict[tuple[str, str, str], Edge] = {}

    def node(iri: str) -> None:
        if iri not in nodes:
            if max_nodes is not None and len(nodes) >= max_nodes:
                raise ResultTooLarge(
                    f"this answer has more than {max_nodes:,} nodes, the most the explorer draws; nothing was drawn",
                    hint="add LIMIT (or more specific patterns) so the answer joins fewer entities; the full answer "
                         "is available as a table at /sparql; the cap is set with `crmgraph serve --max-nodes`",
                    limit=max_nodes)
            nodes[iri] = None

    def add(a: str, b: str, label: str, predicate: str | None = None) -> None:
        node(a)
        node(b)
        if a != b:
            edges.setdefault((a, b, label), Edge(a, b, "result", label, predicate))

    if isinstance(answer, Table):
        iri_columns = [i for i, c in enumerate(answer.columns)
                       if any(isinstance(r[i], ox.NamedNode) for r in answer.rows)
                       and all(r[i] is None or isinstance(r[i], ox.NamedNode) for r in answer.rows)]
        if len(iri_columns) < 2:
            raise QueryError(f"this answer has {len(iri_columns)} column(s) of IRIs; a network needs two "
                             f"(columns: {', '.join(answer.columns) or 'none'})",
                             hint="select two variables bound to IRIs (e.g. ?country ?material), or write a CONSTRUCT")
        first, rest = iri_columns[0], iri_columns[1:]
        for row in answer.rows:
            for i in rest:
                a, b = row[first], row[i]
                if a is not None and b is not None:
                    add(a.value, b.value, answer.columns[i])
                elif b is not None:
                    node(b.value)
    else:
        for t in answer:
            if isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.NamedNode) and t.predicate.value != RDF + "type":
                add(t.subject.value, t.object.value, net.label(t.predicate.value), t.predicate.value)
            elif isinstance(t.subject, ox.NamedNode):
                node(t.subject.value)
    # an IRI the network does not draw (a source, a figure, an ontology term) is a plain node of the view
    extra_nodes = {iri: Node(iri, net.label(iri), "other") for iri in nodes if iri not in net.nodes}
    # an edge the network already has is drawn as the network's (with its sources), not as a bare pair
    known = {(e.source, e.target) for e in net.edges} | {(e.target, e.source) for e in net.edges}
    extra = [e for (a, b, _), e in edges.items() if (a, b) not in known]
    return View(title, list(nodes), extra, extra_nodes)


#: How explorer_data gets positions: (number of nodes, edges as index pairs) → [(x, y), …].
Layout = Callable[[int, list[tuple[int, int]]], list[tuple[float, float]]]


# -- the explorer's data ---------------------------------------------------------------------------

def explorer_data(net: Network, view: View, local_links: bool = True, layout: Layout = force_layout) -> dict:
    """Everything the explorer page needs, as JSON-ready data: nodes (with their facts and positions
    for the view's nodes), edges, styles, sources, and the view.

    `local_links`: link entities to the portal's pages (`/id/…`); off for a file opened from disk,
    where links go to the IRIs themselves.
    `layout(n, edges)`: node positions; the portal passes one that runs in a worker process it can
    stop when the request's time is up (web/explore.py), `crmgraph viz` lays out in-process.
    """
    all_nodes = {**net.nodes, **view.extra_nodes}
    index = {iri: i for i, iri in enumerate(all_nodes)}
    edges = net.edges + view.extra_edges
    in_view = set(view.nodes)
    view_pairs = [(index[e.source], index[e.target]) for e in edges if e.source in in_view and e.target in in_view]
    view_order = [index[iri] for iri in view.nodes]
    positions = layout(len(view_order), _reindex(view_pairs, view_order))
    xy = {i: p for i, p in zip(view_order, positions)}
    counts: defaultdict[str, int] = defaultdict(int)
    for iri in view.nodes:
        counts[all_nodes[iri].style] += 1

    def link(iri: str) -> str | None:
        return (local_path(iri) if local_links else None) or (iri if iri.startswith(("http://", "https://")) else None)

    nodes = []
    for iri, node in all_nodes.items():
        i = index[iri]
        nodes.append({
            "id": i, "iri": iri, "label": node.label, "style": node.style, "href": link(iri),
            **({"x": xy[i][0], "y": xy[i][1]} if i in xy else {}),
            "types": [{"label": net.label(t), "inferred": inf} for t, inf in node.types],
            "facts": [_fact_json(f, index, link) for f in node.facts],
            "statements": node.statements[:MAX_STATEMENTS_PER_NODE], "statementCount": len(node.statements),
            "sources": sorted(node.sources),
        })
    return {
        "schema": 1,
        "title": view.title,
        "note": view.note,
        "built": net.built,
        "styles": [{"key": s.key, "label": s.label, "color": s.color, "shape": s.shape, "count": counts.get(s.key, 0)}
                   for s in STYLES if any(n.style == s.key for n in all_nodes.values())],
        "edgeKinds": EDGE_KINDS,
        "nodes": nodes,
        "edges": [{"from": index[e.source], "to": index[e.target], "kind": e.kind, "label": e.label,
                   "status": e.status, "sources": sorted(e.sources), "count": e.count, "refs": e.refs,
                   "statements": e.statements} for e in edges],
        "sources": [{**s, "href": link(s["iri"])} for s in net.sources],
        "indicators": [i.as_json(index) for i in net.indicators],
        "view": view_order,
    }


def _reindex(pairs: list[tuple[int, int]], order: list[int]) -> list[tuple[int, int]]:
    position = {n: i for i, n in enumerate(order)}
    return [(position[a], position[b]) for a, b in pairs]


def _fact_json(fact: dict, index: dict[str, int], link) -> dict:
    o = fact["o"]
    out = {"p": fact["p"], "o": o["text"], "inferred": fact["inferred"], "status": fact["status"], "refs": fact["refs"]}
    if "iri" in o:
        if o["iri"] in index:
            out["node"] = index[o["iri"]]
        href = link(o["iri"])
        if href:
            out["href"] = href
    return out
