"""The SHACL engine on Oxigraph (knowledge/shacl.py) finds exactly what pyshacl, the reference, finds.

Both engines run once on the real graph plus `tests/data/shacl-broken.ttl`, where every constraint
kind of ontology/shapes.ttl fails at least once; the findings (focus node, path, value, severity,
constraint component, declared messages) and the located problems a curator reads must be the same.
"""
from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from crmgraph.errors import ShapeViolationError
from crmgraph.knowledge.build import _is_shapes
from crmgraph.knowledge.curated import read_curated
from crmgraph.knowledge.shacl import Finding, UnsupportedShapes, validate
from crmgraph.knowledge.validation import Locator, located, findings, validate_shapes
from crmgraph.namespaces import CRM, ID, SH

ROOT = Path(__file__).resolve().parents[1]
BROKEN = ROOT / "tests" / "data" / "shacl-broken.ttl"
#: a focus country (sh:targetNode) made to lack its Wikidata item
TM_WIKIDATA = (ox.NamedNode(ID + "country/TM"), ox.NamedNode(CRM + "wikidata"))


@pytest.fixture(scope="module")
def graphs(tmp_path_factory):
    """(data, ontology, shapes, files): the real graph, minus TM's Wikidata item, plus the broken fixtures."""
    onto_files = read_curated(ROOT, ("ontology",))
    broken_root = tmp_path_factory.mktemp("broken")
    (broken_root / "graph").mkdir()
    shutil.copy(BROKEN, broken_root / "graph" / BROKEN.name)
    files = read_curated(ROOT, ("graph",)) + read_curated(broken_root, ("graph",))
    data = [t for t in dict.fromkeys(t for f in files for t in f.triples) if (t.subject, t.predicate) != TM_WIKIDATA]
    ontology = [t for f in onto_files if not _is_shapes(f) for t in f.triples]
    shapes = [t for f in onto_files if _is_shapes(f) for t in f.triples]
    return data, ontology, shapes, files


@pytest.fixture(scope="module")
def both(graphs):
    data, ontology, shapes, _files = graphs
    ours, engine = findings(data, ontology, shapes, "oxigraph")
    assert engine == "oxigraph"  # our shapes need no fallback
    reference, _ = findings(data, ontology, shapes, "pyshacl")
    return ours, reference


def _key(finding: Finding, locator: Locator) -> tuple:
    """A finding with blank nodes replaced by where they are written (engines name blank nodes differently)."""
    def term(t):
        if isinstance(t, ox.BlankNode):
            return ("blank node at",) + locator.locate(t.value, True)
        return None if t is None else str(t)
    return (term(finding.focus), finding.path, term(finding.value), finding.severity, finding.component, finding.messages)


def test_both_engines_find_the_same_on_the_real_graph_and_the_broken_fixtures(both, graphs):
    locator = Locator(graphs[3])
    ours, reference = both
    assert Counter(_key(f, locator) for f in ours) == Counter(_key(f, locator) for f in reference)


def test_a_curator_reads_the_samelocated_from_either_engine(both, graphs):
    ours, reference = both
    assert located(ours, graphs[3]) == located(reference, graphs[3])
    violations, warnings = located(ours, graphs[3])
    assert {p.file for p in violations} == {"graph/shacl-broken.ttl", "graph/geography.ttl"}  # TM is in geography.ttl
    assert len(warnings) >= 10 and all(p.file == "graph/crm-lists.ttl" for p in warnings)


def test_every_constraint_kind_of_the_shapes_fails_at_least_once(both, graphs):
    shapes = graphs[2]
    used = {t.predicate.value[len(SH):] for t in shapes if t.predicate.value.startswith(SH)}
    kinds = {"minCount", "maxCount", "class", "datatype", "nodeKind", "pattern", "uniqueLang", "lessThanOrEquals",
             "or", "sparql", "hasValue"} & used
    reported = {f.component[len(SH):].removesuffix("ConstraintComponent").lower() for f in both[0]}
    # sh:hasValue only ever appears inside sh:or: it decides the sh:or without being reported itself
    assert {k.lower() for k in kinds - {"hasValue"}} <= reported
    assert {f.severity for f in both[0]} == {SH + "Violation", SH + "Warning"}
    targets = {t.predicate.value for t in shapes if t.predicate.value.startswith(SH + "target")}
    assert targets == {SH + "targetClass", SH + "targetNode", SH + "targetSubjectsOf", SH + "targetObjectsOf"}
    assert any(f.focus == ox.NamedNode(ID + "country/TM") for f in both[0])  # the sh:targetNode shape


def test_has_value_decides_an_or(both):
    """`crm:yearNotStated false` is no year; `true` is (and a figure with it passes)."""
    focus = {f.focus.value for f in both[0] if f.component == SH + "OrConstraintComponent" and f.path is None}
    assert ID + "figure/broken-3" in focus
    assert not any("yearNotStated" in v for v in focus)


def test_a_sparql_constraint_reports_its_own_message_first(graphs):
    data, ontology, shapes, files = graphs
    violations, _ = validate_shapes(data, ontology, shapes, files)
    mine = [p.message for p in violations if p.entity == "inst:broken-6"]
    assert any(m.startswith("an instrument needs its parties") for m in mine)
    assert any(m.startswith("an instrument needs at least one date") for m in mine)


def _shape(*triples) -> list[ox.Triple]:
    return [ox.Triple(*(ox.NamedNode(x) if isinstance(x, str) else x for x in t)) for t in triples]


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def test_a_shape_feature_the_engine_lacks_falls_back_to_pyshacl():
    prop = ox.BlankNode("p")
    shapes = _shape(("urn:s", RDF_TYPE, SH + "NodeShape"), ("urn:s", SH + "targetClass", "urn:C"),
                    ("urn:s", SH + "property", prop), (prop, SH + "path", "urn:p"),
                    (prop, SH + "in", ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#nil")))
    data = _shape(("urn:x", RDF_TYPE, "urn:C"), ("urn:x", "urn:p", "urn:y"))
    with pytest.raises(UnsupportedShapes, match="sh:in"):
        validate(data, shapes)
    found, engine = findings(data, [], shapes)
    assert engine == "pyshacl" and [f.component for f in found] == [SH + "InConstraintComponent"]


def test_target_class_takes_in_subclasses_and_class_checks_walk_the_hierarchy():
    prop = ox.BlankNode("p")
    sub = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
    shapes = _shape(("urn:s", SH + "targetClass", "urn:C"), ("urn:s", SH + "property", prop),
                    (prop, SH + "path", "urn:p"), (prop, SH + "class", "urn:K"))
    data = _shape(("urn:D", sub, "urn:C"), ("urn:x", RDF_TYPE, "urn:D"), ("urn:x", "urn:p", "urn:ok"),
                  ("urn:x", "urn:p", "urn:bad"), ("urn:L", sub, "urn:K"), ("urn:ok", RDF_TYPE, "urn:L"))
    assert [(f.focus.value, f.value.value) for f in validate(data, shapes)] == [("urn:x", "urn:bad")]


def test_a_malformed_count_is_the_shapes_fault():
    prop = ox.BlankNode("p")
    shapes = _shape(("urn:s", SH + "targetNode", "urn:x"), ("urn:s", SH + "property", prop),
                    (prop, SH + "path", "urn:p"), (prop, SH + "maxCount", ox.Literal("-1", datatype=ox.NamedNode(
                        "http://www.w3.org/2001/XMLSchema#integer"))))
    with pytest.raises(ShapeViolationError) as err:
        validate_shapes([], [], shapes, [])
    assert "sh:maxCount" in err.value.problems[0].message and err.value.problems[0].file == "ontology/shapes.ttl"


def test_a_sparql_constraint_that_does_not_parse_is_the_shapes_fault():
    sparql = ox.BlankNode("q")
    shapes = _shape(("urn:s", SH + "targetNode", "urn:x"), ("urn:s", SH + "sparql", sparql),
                    (sparql, SH + "select", ox.Literal("SELECT $this WHERE { $this ?p }")))
    with pytest.raises(ShapeViolationError) as err:
        validate_shapes([], [], shapes, [])
    assert "sh:select is not valid SPARQL" in err.value.problems[0].message
