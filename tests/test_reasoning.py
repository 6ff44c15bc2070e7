"""OWL reasoning: the ontology is consistent with the data, defined classes are filled, and what
was derived is kept apart from what was stated."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def inferred_types(select, iri_local: str) -> set[str]:
    rows = select(f"SELECT ?t WHERE {{ GRAPH graph:inferred {{ <https://w3id.org/crmgraph/id/{iri_local}> a ?t }} }}")
    return {r["t"].rsplit("#", 1)[-1] for r in rows}


def test_the_knowledge_base_is_consistent_and_reasoning_adds_triples(compiled):
    assert len(compiled.inferred) > 100


@pytest.mark.parametrize("country", ["country/KZ", "country/UZ"])
def test_countries_with_a_bilateral_raw_materials_memorandum_are_inferred_eu_raw_materials_partners(select, country):
    assert {"EURawMaterialsPartner", "EUBilateralPartner"} <= inferred_types(select, country)


@pytest.mark.parametrize("country", ["country/TJ", "country/TM"])
def test_countries_without_one_are_not(select, country):
    assert "EURawMaterialsPartner" not in inferred_types(select, country)


def test_a_country_producing_a_current_crm_is_inferred(select):
    assert "CRMProducingCountry" in inferred_types(select, "country/TJ")  # antimony


def test_central_asian_countries_are_inferred_from_region_membership(select):
    rows = select("SELECT ?c WHERE { GRAPH graph:inferred { ?c a crm:CentralAsianCountry } }")
    assert {r["c"].rsplit("/", 1)[-1] for r in rows} == {"KZ", "UZ", "TJ", "KG", "TM"}


def test_materials_on_the_2023_list_are_inferred_critical(select):
    assert "CriticalRawMaterial" in inferred_types(select, "material/antimony")
    assert "CriticalRawMaterial" not in inferred_types(select, "material/uranium")


def test_inferred_triples_are_not_repeated_in_the_asserted_graph(select):
    rows = select("""SELECT (COUNT(*) AS ?n) WHERE { GRAPH graph:inferred { ?s ?p ?o } GRAPH graph:asserted { ?s ?p ?o } }""")
    assert rows[0]["n"] == 0


def test_inverse_properties_are_materialised(select):
    rows = select("SELECT ?party WHERE { GRAPH graph:inferred { inst:eu-kz-mou-raw-materials-2022 crm:hasParty ?party } }")
    assert {r["party"].rsplit("/", 1)[-1] for r in rows} >= {"KZ", "EU"}


def test_a_cached_hermit_answer_is_identical_to_a_fresh_one(compiled, tmp_path):
    from crmgraph.knowledge import reasoning

    facts = compiled.layer.asserted + compiled.layer.truthy
    fresh, was_cached = reasoning.BackgroundHermit(compiled.ontology, facts, tmp_path).result()  # as a build runs it
    assert not was_cached and list(tmp_path.glob("hermit-*.nt"))
    again, was_cached = reasoning.run_hermit_cached(compiled.ontology, facts, tmp_path)
    assert was_cached and again == fresh
    # HermiT lists its answer in no fixed order from one run to the next: the graphs are what must match
    inferred = reasoning.materialise(compiled.ontology, facts, again)
    assert len(inferred) == len(compiled.inferred) and set(inferred) == set(compiled.inferred)


def test_any_change_to_what_hermit_reads_reasons_again_and_nothing_else_does(compiled, tmp_path, monkeypatch):
    import pyoxigraph as ox

    from crmgraph.knowledge import reasoning

    runs = []
    monkeypatch.setattr(reasoning, "run_hermit", lambda ontology, data: runs.append(1) or [])
    facts = compiled.layer.asserted + compiled.layer.truthy
    n = ox.NamedNode
    link = ox.Triple(n("https://w3id.org/crmgraph/id/country/TJ"), n("https://w3id.org/crmgraph/ontology#partyTo"),
                     n("https://w3id.org/crmgraph/id/instrument/eu-kz-mou-raw-materials-2022"))
    label = ox.Triple(n("https://w3id.org/crmgraph/id/country/TJ"), n("http://www.w3.org/2004/02/skos/core#altLabel"),
                      ox.Literal("Tojikiston"))
    axiom = ox.Triple(n("https://w3id.org/crmgraph/ontology#Nowhere"), n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                      n("http://www.w3.org/2002/07/owl#Class"))
    from crmgraph.knowledge.build import _is_shapes
    from crmgraph.knowledge.curated import read_curated

    reparsed = [t for f in read_curated(ROOT, ("ontology",)) if not _is_shapes(f) for t in f.triples]
    relabelled = {b: ox.BlankNode() for t in compiled.ontology for b in (t.subject, t.object) if isinstance(b, ox.BlankNode)}
    renamed = [ox.Triple(relabelled.get(t.subject, t.subject), t.predicate, relabelled.get(t.object, t.object))
               for t in compiled.ontology]  # the same ontology with other blank-node labels
    steps = [(compiled.ontology, facts, 1), (compiled.ontology, list(reversed(facts)), 1),  # same input, any order
             (reparsed, facts, 1),  # the same files parsed again
             (renamed, facts, 1),  # blank nodes labelled otherwise
             (compiled.ontology, facts + [label], 1),  # a literal: HermiT never reads it
             (compiled.ontology, facts + [link], 2),  # an entity-to-entity link
             (compiled.ontology + [axiom], facts, 3)]  # the ontology
    for ontology, data, expected in steps:
        reasoning.run_hermit_cached(ontology, data, tmp_path)
        assert len(runs) == expected


def test_hermit_runs_beside_the_build_and_hands_over_its_answer_or_its_error(compiled, monkeypatch):
    """A build starts HermiT and goes on with its checks: the constructor returns while HermiT still runs;
    `result` waits for the answer, or raises what HermiT raised (an inconsistency) in the build's thread."""
    import threading

    from crmgraph.errors import InconsistencyError, Problem
    from crmgraph.knowledge import reasoning

    go = threading.Event()
    answer = compiled.inferred[:3]

    def hermit(ontology, data):
        assert go.wait(10)  # runs only once the test, i.e. the build, has gone on
        return answer
    monkeypatch.setattr(reasoning, "run_hermit", hermit)
    running = reasoning.BackgroundHermit(compiled.ontology, compiled.layer.truthy, None)
    assert running.finished is None  # still reasoning: the caller is free
    go.set()
    assert running.result() == (answer, False)

    def inconsistent(ontology, data):
        raise InconsistencyError([Problem("is typed as crm:Country and crm:Material")])
    monkeypatch.setattr(reasoning, "run_hermit", inconsistent)
    with pytest.raises(InconsistencyError):
        reasoning.BackgroundHermit(compiled.ontology, compiled.layer.truthy, None).result()
