"""The store's quads in a canonical form, so that the same input gives the same bytes.

Two builds of the same `graph/` give the same triples but not the same blank-node labels (Oxigraph
draws them at random when it parses), and a store hands quads back in no promised order. A published
file must not change when nothing changed, so before writing: blank nodes are relabelled with W3C
RDF Dataset Canonicalization (RDFC-1.0, `pyoxigraph.Dataset.canonicalize`: labels `c14n0`, `c14n1` …
that depend only on the graph's shape, ~2 s for the whole dataset), and quads are sorted by graph,
subject, predicate, object (their N-Quads text).

The JSON-LD writer is our own (`jsonld`): pyoxigraph writes JSON-LD without a context, and ours uses
the project's prefixes as a published `@context` (`context`), every value in its explicit form
(`{"@id"}` / `{"@value", "@type" | "@language"}`), so expansion gives back exactly the triples.
"""
from __future__ import annotations

import json
from collections.abc import Iterable

import pyoxigraph as ox

from ..namespaces import PREFIXES, RDF, XSD

_XSD_STRING = XSD + "string"
_RDF_TYPE = RDF + "type"


def _key(quad: ox.Quad) -> tuple[str, str, str, str]:
    return (str(quad.graph_name), str(quad.subject), str(quad.predicate), str(quad.object))


def canonical_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The quads with canonical blank-node labels (RDFC-1.0), sorted; duplicates dropped."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(dataset, key=_key)


def used_prefixes(terms: Iterable[ox.NamedNode | ox.Literal | ox.BlankNode], prefixes: dict[str, str] = PREFIXES) -> dict[str, str]:
    """The prefixes that some IRI among `terms` (or a literal's datatype) starts with, in PREFIXES' order."""
    namespaces: set[str] = set()
    for t in terms:
        value = t.value if isinstance(t, ox.NamedNode) else t.datatype.value if isinstance(t, ox.Literal) else None
        if value is not None:
            namespaces.add(value[: max(value.rfind("/"), value.rfind("#")) + 1])
    return {p: ns for p, ns in prefixes.items() if ns in namespaces}


def _terms(triples: Iterable[ox.Triple]) -> Iterable:
    for t in triples:
        yield t.subject
        yield t.predicate
        yield t.object


def serialize_triples(triples: list[ox.Triple], fmt: ox.RdfFormat) -> bytes:
    """Triples (already in canonical order) in an RDF 1.1 format; Turtle and RDF/XML get the prefixes they use."""
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML, ox.RdfFormat.TRIG):
        return ox.serialize(triples, format=fmt, prefixes=used_prefixes(_terms(triples)))
    return ox.serialize(triples, format=fmt)


def serialize_quads(quads: list[ox.Quad], fmt: ox.RdfFormat) -> bytes:
    """Quads (already in canonical order) as N-Quads or TriG (with the prefixes TriG uses)."""
    if fmt == ox.RdfFormat.TRIG:
        terms = [t for q in quads for t in (q.subject, q.predicate, q.object, q.graph_name)]
        return ox.serialize(quads, format=fmt, prefixes=used_prefixes(terms))
    return ox.serialize(quads, format=fmt)


# -- JSON-LD with a published context --------------------------------------------------------------

def context(prefixes: dict[str, str] = PREFIXES) -> dict:
    """The published JSON-LD context: one prefix definition per namespace of the project (and the
    standard ones it uses), so `crm:value` or `country:KZ` are compact IRIs in our JSON-LD. Every namespace
    ends in `/` or `#`, so a plain term definition is a prefix in JSON-LD 1.0 and 1.1 alike."""
    return {"@context": {p: ns for p, ns in sorted(prefixes.items())}}


def _compact(iri: str, prefixes: dict[str, str]) -> str:
    """`prefix:local` for the longest namespace that gives a safe local part, else the IRI itself."""
    best = None
    for p, ns in prefixes.items():
        if iri.startswith(ns) and (best is None or len(ns) > len(prefixes[best])):
            local = iri[len(ns):]
            if local and not local.startswith("//") and ":" not in local:
                best = p
    return f"{best}:{iri[len(prefixes[best]):]}" if best else iri


def _node_ref(term, prefixes: dict[str, str]) -> str:
    return "_:" + term.value if isinstance(term, ox.BlankNode) else _compact(term.value, prefixes)


def _value(term, prefixes: dict[str, str]) -> dict:
    if isinstance(term, ox.Literal):
        out: dict = {"@value": term.value}
        if term.language:
            out["@language"] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["@type"] = _compact(term.datatype.value, prefixes)
        return out
    return {"@id": _node_ref(term, prefixes)}


def jsonld(triples: list[ox.Triple], prefixes: dict[str, str] = PREFIXES) -> bytes:
    """Triples as a JSON-LD document whose `@context` is `context(prefixes)`: one node object per subject
    (in the triples' order), properties sorted, values in explicit form, `rdf:type` as `@type`."""
    nodes: dict[str, dict] = {}
    for t in triples:
        node = nodes.setdefault(str(t.subject), {"@id": _node_ref(t.subject, prefixes)})
        if t.predicate.value == _RDF_TYPE and not isinstance(t.object, ox.Literal):
            node.setdefault("@type", []).append(_node_ref(t.object, prefixes))
        else:
            node.setdefault(_compact(t.predicate.value, prefixes), []).append(_value(t.object, prefixes))
    graph = [{k: node[k] for k in sorted(node, key=lambda k: (not k.startswith("@"), k))} for node in nodes.values()]
    document = {**context(prefixes), "@graph": graph}
    return (json.dumps(document, ensure_ascii=False, indent=1, sort_keys=False) + "\n").encode("utf-8")
