"""The OWL 2 DL checks HermiT does not make: every entity the ontology uses is declared, and no IRI is
declared as two kinds of property.

OWL 2 DL (the structural specification, §5.8 and the RDF mapping's "typing" rules) needs each class,
property and datatype an axiom names to be declared — also the outside ones (`skos:Concept`, `prov:Entity`,
`schema:Country`, `org:Organization` …). A reasoner happily treats an undeclared IRI as a class, so this
slips through the build; the OWL API's profile checker reports each as a violation ("use of undeclared
class"). This module finds the same: an IRI in a class position (rdfs:subClassOf, rdfs:domain, the range of
an object property, owl:equivalentClass, owl:disjointWith, someValuesFrom/allValuesFrom of an object
property, intersectionOf/unionOf members, the type of a named individual) that is not an `owl:Class`, an IRI
used as a property in an axiom (subPropertyOf, inverseOf, onProperty, domain, range) that is not declared
as a property, and an IRI declared both an object and a datatype property.

No Java OWL API is available offline here (neither Debian nor PyPI ship it), so the check is ours; its
test (tests/test_ontology.py) runs it on ontology/*.ttl.
"""
from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from ..namespaces import OWL, RDF, RDFS, XSD

_TYPE = RDF + "type"
_BUILTIN_CLASSES = {OWL + "Thing", OWL + "Nothing", RDFS + "Literal"}
_PROPERTY_KINDS = {OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty"}
_BUILTIN_PROPERTIES = {RDFS + "label", RDFS + "comment", RDFS + "seeAlso", RDFS + "isDefinedBy", OWL + "versionInfo",
                       OWL + "topObjectProperty", OWL + "topDataProperty"}


def _list(first: ox.BlankNode | ox.NamedNode, by: dict) -> list:
    out, node = [], first
    while node is not None and not (isinstance(node, ox.NamedNode) and node.value == RDF + "nil"):
        props = by.get(node, {})
        out += props.get(RDF + "first", [])
        rest = props.get(RDF + "rest", [])
        node = rest[0] if rest else None
    return out


def violations(triples: Iterable[ox.Triple]) -> list[str]:
    """Every OWL 2 DL declaration problem of an ontology, as sorted messages (empty when it is fine)."""
    triples = list(triples)
    by: dict = {}
    kinds: dict[str, set[str]] = {}
    for t in triples:
        by.setdefault(t.subject, {}).setdefault(t.predicate.value, []).append(t.object)
        if t.predicate.value == _TYPE and isinstance(t.object, ox.NamedNode) and isinstance(t.subject, ox.NamedNode):
            kinds.setdefault(t.subject.value, set()).add(t.object.value)
    classes = {i for i, k in kinds.items() if OWL + "Class" in k or RDFS + "Datatype" in k} | _BUILTIN_CLASSES
    object_props = {i for i, k in kinds.items() if OWL + "ObjectProperty" in k}
    data_props = {i for i, k in kinds.items() if OWL + "DatatypeProperty" in k}
    properties = {i for i, k in kinds.items() if k & _PROPERTY_KINDS} | _BUILTIN_PROPERTIES
    problems: set[str] = set()

    def need_class(term, why: str) -> None:
        if isinstance(term, ox.NamedNode) and term.value not in classes and not term.value.startswith(XSD):
            problems.add(f"undeclared class <{term.value}> ({why})")

    def need_property(term, why: str) -> None:
        if isinstance(term, ox.NamedNode) and term.value not in properties:
            problems.add(f"undeclared property <{term.value}> ({why})")

    for s, props in by.items():
        for o in props.get(RDFS + "subClassOf", []):
            need_class(s, "subject of rdfs:subClassOf")
            need_class(o, "object of rdfs:subClassOf")
        for p in (OWL + "equivalentClass", OWL + "disjointWith"):
            for o in props.get(p, []):
                need_class(o, p.rsplit("#", 1)[1])
        for o in props.get(RDFS + "subPropertyOf", []):
            need_property(s, "subject of rdfs:subPropertyOf")
            need_property(o, "object of rdfs:subPropertyOf")
        for o in props.get(OWL + "inverseOf", []):
            need_property(o, "owl:inverseOf")
        for o in props.get(RDFS + "domain", []):
            need_property(s, "has a domain")
            need_class(o, f"domain of <{s.value if isinstance(s, ox.NamedNode) else s}>")
        for o in props.get(RDFS + "range", []):
            need_property(s, "has a range")
            if isinstance(s, ox.NamedNode) and s.value in object_props:
                need_class(o, f"range of <{s.value}>")
        for on in props.get(OWL + "onProperty", []):
            need_property(on, "owl:onProperty")
            for p in (OWL + "someValuesFrom", OWL + "allValuesFrom"):
                for o in props.get(p, []):
                    if isinstance(on, ox.NamedNode) and on.value in object_props:
                        need_class(o, f"{p.rsplit('#', 1)[1]} of <{on.value}>")
        for p in (OWL + "intersectionOf", OWL + "unionOf"):
            for head in props.get(p, []):
                for member in _list(head, by):
                    need_class(member, p.rsplit("#", 1)[1])
        if isinstance(s, ox.NamedNode) and OWL + "NamedIndividual" in kinds.get(s.value, set()):
            for o in props.get(_TYPE, []):
                if o.value != OWL + "NamedIndividual":
                    need_class(o, f"type of the individual <{s.value}>")
    for iri in sorted(object_props & data_props):
        problems.add(f"<{iri}> is declared both an object and a datatype property")
    return sorted(problems)
