"""The named queries over computed indicators (graph:analytics), on the hand-computed fixture of
tests/data/supply-fixture.ttl with its indicators written as RDF."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from crmgraph.analysis.results import write_indicators
from crmgraph.analysis.supplydata import load
from crmgraph.namespaces import ID
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
