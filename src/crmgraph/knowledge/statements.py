"""The statement layer and the truthy layer: every fact in ONE shape, and direct triples for accepted ones.

Curators write facts in four shapes (annotated direct triples, compiled by `curated` to `crm:Assertion`
nodes with `rdf:subject/predicate/object`; `crm:Claim`; `crm:Figure`; `crm:ListEntry`). A question then
needed a UNION of patterns, and an unverified direct triple looked exactly like a verified one. Here, at
build time (Wikidata's design: full statements with qualifiers and references, plus "truthy" triples):

* every statement node gets the same shape (graph `…/graph/statements`): `a crm:Statement`,
  `crm:subject`, `crm:property`, `crm:object` (an entity) or `crm:value` (a literal), `crm:polarity`,
  `crm:status`, and `a crm:AcceptedStatement` when it is accepted; the qualifiers (unit, quantity kind,
  scope, year or period, rank …) and references stay where the curator wrote them. A figure's property is
  its quantity kind (Wikidata's "population" property plays the same part); a list entry's is
  `crm:criticalIn` or `crm:strategicIn` by its category. Each reference gets a short `crm:citation`
  ("S12a: §3 Kazakhstan") so that a query can aggregate a finding's sources with one GROUP_CONCAT.
  (Triples about blank nodes — citations, role nodes — stay in the asserted graph: see the end of
  `compile_statements`.)
* the truthy layer (graph `…/graph/truthy`) holds the direct triple `s p o` of a relation or attribute
  only when it is ACCEPTED: at least one statement of it is accepted — status Verified, SecondHand or
  Derived, polarity true — and none denies it with an accepted status, and none of its positive statements
  is Contradicted. Unverified and contradicted facts exist only as statements.
* the asserted graph keeps what curators wrote except those direct triples: entity descriptions (types,
  labels, identifiers without a reference), the statement nodes and their references.

Figures have no direct triple (a value needs its unit, year and scope to mean anything). The reasoner reads
the entity descriptions plus the truthy layer, so no inferred class rests on an unverified sentence.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..namespaces import CRM, OWL, PROV, RDF, RDFS, XSD

_T = ox.NamedNode
RDF_TYPE = _T(RDF + "type")
STATEMENT = _T(CRM + "Statement")
ACCEPTED_STATEMENT = _T(CRM + "AcceptedStatement")
SUBJECT, PROPERTY, OBJECT, VALUE = _T(CRM + "subject"), _T(CRM + "property"), _T(CRM + "object"), _T(CRM + "value")
POLARITY, STATUS, CITATION = _T(CRM + "polarity"), _T(CRM + "status"), _T(CRM + "citation")
WAS_DERIVED_FROM = _T(PROV + "wasDerivedFrom")
TRUE = ox.Literal("true", datatype=_T(XSD + "boolean"))

#: The statuses of an accepted statement (with polarity true). Unverified and Contradicted are not.
ACCEPTED_STATUSES = frozenset(CRM + s for s in ("Verified", "SecondHand", "Derived"))
CONTRADICTED = CRM + "Contradicted"
KINDS = {CRM + k: k for k in ("Assertion", "Claim", "Figure", "ListEntry")}
_CATEGORY_PROPERTY = {CRM + "CriticalCategory": CRM + "criticalIn", CRM + "StrategicCategory": CRM + "strategicIn"}


@dataclass
class Statement:
    """One fact in the common shape (what the statements graph says about its node)."""

    node: ox.NamedNode | ox.BlankNode
    kind: str  # Assertion, Claim, Figure or ListEntry
    subjects: list = field(default_factory=list)
    prop: ox.NamedNode | None = None
    obj: object = None  # an entity (crm:object) or a literal (crm:value)
    status: str | None = None
    polarity: bool = True

    @property
    def accepted(self) -> bool:
        return self.polarity and self.status in ACCEPTED_STATUSES


@dataclass
class StatementLayer:
    """The build's three views of the curated facts, and the counts the build reports."""

    asserted: list[ox.Triple]  # curated triples minus the direct triples of referenced facts
    statements: list[ox.Triple]  # the common shape added to every statement node, citations of references
    truthy: list[ox.Triple]  # direct triples of accepted relations and attributes
    items: list[Statement]
    withheld: list[tuple[ox.Triple, str]]  # direct triples kept out of the truthy layer, with the reason

    def counts(self) -> dict[str, object]:
        """Facts by kind, statements by status and acceptance, truthy triples (for build reports and docs)."""
        return {"statements by kind": dict(Counter(s.kind for s in self.items)),
                "statements by status": dict(Counter((s.status or "none").rsplit("#", 1)[-1] for s in self.items)),
                "accepted statements": sum(s.accepted for s in self.items),
                "truthy triples": len(self.truthy),
                "withheld triples": len(self.withheld)}


def _index(triples: list[ox.Triple]) -> dict:
    by_subject: dict = defaultdict(lambda: defaultdict(list))
    for t in triples:
        by_subject[t.subject][t.predicate.value].append(t.object)
    return by_subject


def _read_statement(node, kind: str, props: dict) -> Statement:
    first = lambda p: (props.get(p) or [None])[0]  # noqa: E731
    st = Statement(node, kind)
    status = first(CRM + "status")
    st.status = status.value if isinstance(status, ox.NamedNode) else None
    polarity = first(CRM + "polarity")
    st.polarity = not (isinstance(polarity, ox.Literal) and polarity.value in ("false", "0"))
    if kind == "Assertion":
        st.subjects, st.prop, st.obj = props.get(RDF + "subject", []), first(RDF + "predicate"), first(RDF + "object")
    elif kind == "Claim":
        st.subjects, st.prop = props.get(CRM + "subject", []), first(CRM + "property")
        st.obj = first(CRM + "object") or first(CRM + "value")
    elif kind == "Figure":
        st.subjects, st.prop, st.obj = props.get(CRM + "subject", []), first(CRM + "quantityKind"), first(CRM + "value")
    else:  # ListEntry: the material is on the list, critical or strategic by its category
        category = first(CRM + "category")
        st.subjects, st.obj = props.get(CRM + "material", []), first(CRM + "inList")
        st.prop = _T(_CATEGORY_PROPERTY[category.value]) if isinstance(category, ox.NamedNode) and category.value in _CATEGORY_PROPERTY else None
    return st


def citation_text(key: str, locator: str | None = None, cited_in: str | None = None,
                  cited_locator: str | None = None) -> str:
    """A reference's short citation: "S12a: §3 Kazakhstan" (+ " (via reference-facts: Discrepancies 8)"
    when found through a compilation). One definition for curated references and imported rows."""
    text = key
    if locator:
        text += f": {locator}"
    if cited_in:
        text += f" (via {cited_in}" + (f": {cited_locator})" if cited_locator else ")")
    return text


def _citation(ref_props: dict, by_subject: dict) -> str | None:
    def key(source) -> str:
        keys = by_subject.get(source, {}).get(CRM + "sourceKey") or []
        return keys[0].value if keys else (source.value.rsplit("/", 1)[-1] if isinstance(source, ox.NamedNode) else "?")

    sources = ref_props.get(CRM + "source") or []
    if not sources:
        return None
    first = lambda p: (ref_props.get(CRM + p) or [None])[0]  # noqa: E731
    cited = first("citedIn")
    return citation_text(key(sources[0]), first("locator") and first("locator").value,
                         key(cited) if cited is not None else None,
                         first("citedInLocator") and first("citedInLocator").value)


def shape_triples(st: Statement) -> list[ox.Triple]:
    """The common shape of one statement node (see the module doc): what the statements graph adds.
    Used by `compile_statements` for curated nodes and by the importers (`io/records.py`) for imported
    figures, so the two cannot drift apart (tests/test_statements.py compares them)."""
    out = [ox.Triple(st.node, RDF_TYPE, STATEMENT)]
    if st.accepted:
        out.append(ox.Triple(st.node, RDF_TYPE, ACCEPTED_STATEMENT))
    out += [ox.Triple(st.node, SUBJECT, s) for s in st.subjects]
    if st.prop is not None:
        out.append(ox.Triple(st.node, PROPERTY, st.prop))
    if st.obj is not None and st.kind != "Figure":  # a figure's crm:value is already where it belongs
        out.append(ox.Triple(st.node, VALUE if isinstance(st.obj, ox.Literal) else OBJECT, st.obj))
    if st.polarity:
        out.append(ox.Triple(st.node, POLARITY, TRUE))
    return out


def _well_typed(prop: ox.NamedNode, obj, object_props: set[str], data_props: set[str]) -> bool:
    """A direct triple only where the property takes that kind of object (a free-text claim, or a literal
    describing what an object property would point to, has no direct triple)."""
    if isinstance(obj, ox.Literal):
        return prop.value in data_props
    return isinstance(obj, ox.NamedNode) and prop.value in object_props


def compile_statements(asserted: list[ox.Triple], ontology: list[ox.Triple]) -> StatementLayer:
    """Compile the curated triples into the asserted, statements and truthy graphs (see the module doc)."""
    by_subject = _index(asserted)
    object_props = {t.subject.value for t in ontology if t.predicate == RDF_TYPE and t.object.value == OWL + "ObjectProperty"}
    data_props = {t.subject.value for t in ontology if t.predicate == RDF_TYPE and t.object.value == OWL + "DatatypeProperty"}
    asserted_set = set(asserted)

    items: list[Statement] = []
    for node, props in by_subject.items():
        kinds = [KINDS[c.value] for c in props.get(RDF_TYPE.value, []) if c.value in KINDS]
        if kinds:
            items.append(_read_statement(node, kinds[0], props))

    statements: list[ox.Triple] = []

    def add(t: ox.Triple) -> None:
        if t not in asserted_set:
            statements.append(t)

    by_triple: dict[tuple, list[Statement]] = defaultdict(list)
    reified: set[ox.Triple] = set()
    for st in items:
        for t in shape_triples(st):
            add(t)
        for ref in by_subject[st.node].get(WAS_DERIVED_FROM.value, []):
            text = _citation(by_subject.get(ref, {}), by_subject)
            if text:
                add(ox.Triple(ref, CITATION, ox.Literal(text)))
        if st.kind == "Figure" or st.prop is None or st.obj is None:
            continue
        if st.kind == "Assertion":  # a curated direct triple: its truth now depends on its statements
            for s in st.subjects:
                by_triple[(s, st.prop, st.obj)].append(st)
                reified.add(ox.Triple(s, st.prop, st.obj))
        elif st.prop.value != RDFS + "comment" and _well_typed(st.prop, st.obj, object_props, data_props):
            for s in st.subjects:
                if isinstance(s, ox.NamedNode):
                    by_triple[(s, st.prop, st.obj)].append(st)

    truthy: list[ox.Triple] = []
    withheld: list[tuple[ox.Triple, str]] = []
    kept = [t for t in asserted if t not in reified]
    kept_set = set(kept)
    for (s, p, o), group in by_triple.items():
        triple = ox.Triple(s, p, o)
        if triple in kept_set:
            continue  # also written without a reference: it stays where it is (the curation checks flag it)
        if any(not g.polarity and g.status in ACCEPTED_STATUSES for g in group):
            reason = "denied by an accepted statement"
        elif any(g.polarity and g.status == CONTRADICTED for g in group):
            reason = "contradicted"
        elif any(g.accepted for g in group):
            truthy.append(triple)
            continue
        elif all(not g.polarity for g in group):
            continue  # only denials: nothing to withhold
        else:
            reason = "no accepted statement (" + ", ".join(sorted({(g.status or "no status").rsplit("#", 1)[-1] for g in group})) + ")"
        withheld.append((triple, reason))

    # Blank nodes are local to one document, and a server loads each named graph as its own document
    # (Graph Store Protocol): a triple that mentions a blank node (a reference's citation, a role node)
    # stays in the graph that describes that node, or the server would split one node in two.
    def local(t: ox.Triple) -> bool:
        return isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)

    statements = list(dict.fromkeys(statements))
    kept += [t for t in statements + truthy if local(t)]
    return StatementLayer(asserted=kept, statements=[t for t in statements if not local(t)],
                          truthy=[t for t in truthy if not local(t)], items=items, withheld=withheld)
