"""The named queries over computed indicators (graph:analytics), on the hand-computed fixture of
tests/data/supply-fixture.ttl with its indicators written as RDF."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from crmgraph.analysis.results import write_indicators
from crmgraph.analysis.supplydata import load
from crmgraph.query.named import find_named_query, load_named_queries, run_named
from crmgraph.store.embedded import OxigraphStore

ROOT = Path(__file__).resolve().parents[1]
QUERIES = load_named_queries(ROOT / "queries")


@pytest.fixture(scope="module")
def analysed():
    store = OxigraphStore(None)
    fixture = ROOT / "tests" / "data" / "supply-fixture.ttl"
    store.replace_graph("https://example.org/fixture", [q.triple for q in ox.parse(path=str(fixture), format=ox.RdfFormat.TURTLE)])
    write_indicators(store, load(store))
    return store


def run(store, name, **params):
    return run_named(store, find_named_query(QUERIES, name), params).records()


def test_most_concentrated_crms(analysed):
    (row,) = run(analysed, "most-concentrated-crms")
    assert row["hhi"] == pytest.approx(4125)
    assert row["largestLabel"] == "China" and row["largestShare"] == pytest.approx(60)
    assert row["centralAsianShare"] == pytest.approx(25)
    assert set(row["flags"].split(", ")) == {"mixed-years", "withheld-values"}
    assert run(analysed, "most-concentrated-crms", min_hhi="5000") == []


def test_central_asian_alternatives(analysed):
    rows = run(analysed, "central-asian-alternatives", material="antimony")
    tj = [r for r in rows if r["countryLabel"] == "Tajikistan"]
    assert tj and tj[0]["worldShare"] == pytest.approx(20) and tj[0]["value"] == 20
    assert (tj[0]["instrumentLabel"], tj[0]["instrumentStatus"]) == ("TJ PCA", "in force")
    assert tj[0]["source"] == "test" and tj[0]["locator"] == "row"
    kz = [r for r in rows if r["countryLabel"] == "Kazakhstan"]
    assert kz and kz[0]["year"] == "2023"  # the figure's own year is shown (mixed years)


def test_eu_exposure_to_supplier(analysed):
    rows = run(analysed, "eu-exposure-to-supplier", country="CN")
    assert [(r["materialLabel"], r["stage"], r["share"], r["worldShare"]) for r in rows] == [("antimony", "extraction", 30, 60)]
    assert rows[0]["year"] == "not stated" and rows[0]["sources"].startswith("study")  # sources aggregated per finding


CURATED = """
@prefix crm: <https://w3id.org/crmgraph/ontology#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix unit: <https://w3id.org/crmgraph/id/unit/> . @prefix qk: <https://w3id.org/crmgraph/id/quantity/> .
@prefix fig: <https://w3id.org/crmgraph/id/figure/> . @prefix country: <https://w3id.org/crmgraph/id/country/> .
unit:tonne skos:prefLabel "tonne"@en . unit:kilotonne skos:prefLabel "kilotonne"@en ; crm:baseUnit unit:tonne ; crm:multiplier 1000 .
qk:mine-production skos:prefLabel "mine production"@en . country:TJ skos:prefLabel "Tajikistan"@en .
fig:tj-2023 a crm:Figure ; crm:subject country:TJ ; crm:material <https://w3id.org/crmgraph/id/material/antimony> ;
  crm:quantityKind qk:mine-production ; crm:value 21000 ; crm:unit unit:tonne ; crm:refYear "2023"^^xsd:gYear ;
  crm:scope <https://w3id.org/crmgraph/id/scope/world> ; prov:wasDerivedFrom [ crm:citation "S31: p. 2" ] .
fig:tj-2024 a crm:Figure ; crm:subject country:TJ ; crm:material <https://w3id.org/crmgraph/id/material/antimony> ;
  crm:quantityKind qk:mine-production ; crm:value 17 ; crm:unit unit:kilotonne ; crm:refYear "2024"^^xsd:gYear ;
  crm:scope <https://w3id.org/crmgraph/id/scope/world> ; prov:wasDerivedFrom [ crm:citation "S22a: Antimony chapter" ] .
"""


def test_curated_vs_imported_figures_lists_agreement_and_difference():
    """A curated 21,000 t (2023) against the USGS row's 17,000 t: they differ; a curated 17 kt (2024) against
    17,000 t: they agree once both are in tonnes. Both are listed, each side with its citation."""
    from crmgraph.io.importing import import_into_store
    from crmgraph.namespaces import GRAPH_ASSERTED

    store = OxigraphStore(None)
    store.replace_graph(GRAPH_ASSERTED, [q.triple for q in ox.parse(CURATED, format=ox.RdfFormat.TURTLE)])
    import_into_store(store, "usgs-mcs", ROOT / "data" / "usgs-mcs2025-world")
    rows = run(store, "curated-vs-imported-figures")
    got = {(r["year"], r["curatedValue"], r["curatedUnit"], r["importedValue"], r["importedUnit"], r["agree"]) for r in rows}
    assert got == {("2023", 21000, "tonne", 17000, "tonne", False), ("2024", 17, "kilotonne", 17000, "tonne", True)}
    assert all(r["subjectLabel"] == "Tajikistan" and r["quantity"] == "mine production" for r in rows)
    differ = next(r for r in rows if not r["agree"])
    assert differ["curatedSources"] == "S31: p. 2"
    assert differ["importedSources"].startswith("usgs-mcs2025-world: data/usgs-mcs2025-world/MCS2025_World_Data.csv line ")
