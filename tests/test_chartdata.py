"""views/chartdata.py on the real knowledge base: what the timeline, the bars and the map draw, item by
item with its sources, and that it agrees with the named queries that ask the same question."""
from __future__ import annotations

import re

import pytest

from crmgraph.namespaces import ID
from crmgraph.query.named import load_named_queries, run_named
from crmgraph.views import chartdata as charts

KZ = ID + "country/KZ"
EPCA = ID + "instrument/eu-kz-epca"


@pytest.fixture(scope="module")
def items(store):
    return charts.timeline(store)


@pytest.fixture(scope="module")
def named(settings):
    return load_named_queries(settings.queries_dir)


def test_timeline_items_are_dated_steps_in_order_each_with_its_sources(items):
    assert len(items) > 20
    assert [i.start for i in items] == sorted(i.start for i in items)
    for i in items:
        assert re.fullmatch(r"\d{4}(-\d{2}){0,2}", i.date), i.date  # only dates, never a claim's free text
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", i.start) and i.start.startswith(i.date)
        assert i.references and all(r.key and r.source.startswith(ID + "source/") for r in i.references)
        assert "not given" not in {r.locator for r in i.references}
    signed = [i for i in items if i.instrument == EPCA and i.step == "signed on"]
    assert [(i.date, i.lane, i.kind) for i in signed] == [("2015-12-21", "Kazakhstan", "assertion")]
    assert {r.key for r in signed[0].references} >= {"S12a"}


def test_timeline_keeps_a_single_sources_dated_claim_beside_the_asserted_date(items):
    in_force = {(i.date, i.kind) for i in items if i.instrument == EPCA and i.step == "in force from"}
    assert ("2020", "assertion") in in_force and ("2020-03", "claim") in in_force


def test_timeline_lanes_are_the_central_asian_parties_or_the_region(items, store):
    names = {r["l"] for r in charts._records(store, "SELECT ?l WHERE { ?c a crm:CentralAsianCountry ; skos:prefLabel ?l "
                                                   "FILTER(LANG(?l) = 'en') }")}
    assert {i.lane for i in items} <= names | {"several Central Asian states", "Central Asia (region)"}
    assert {"Kazakhstan", "Uzbekistan", "Central Asia (region)"} <= {i.lane for i in items}


def test_timeline_shows_the_instruments_and_dates_of_the_named_query(items, named, store):
    table = run_named(store, named["eu-ca-instrument-timeline"], {})
    expected = {(r["instrument"], r["date"]) for r in table.records() if re.fullmatch(r"\d{4}(-\d{2}){0,2}", r["date"])}
    assert {(i.instrument, i.date) for i in items} == expected


def test_shares_rank_bars_and_keep_a_combined_figure_as_one_bar(store):
    groups = charts.shares(store, "share-of-eu-imports")
    assert [g.bars[0].value for g in groups] == sorted((g.bars[0].value for g in groups), reverse=True)
    for g in groups:
        assert [b.value for b in g.bars] == sorted((b.value for b in g.bars), reverse=True)
    combined = [b for g in groups for b in g.bars if len(b.subjects) > 1]
    assert combined, "the 'China + Malaysia + Russia' share of EU imports of rare earths is one figure"
    assert any(b.label == "China + Malaysia + Russia" and b.value == 95 for b in combined)
    figures = [b.figure for g in groups for b in g.bars]
    assert len(figures) == len(set(figures)), "one bar per figure: never one per country of a combined figure"
    rare_earths = next(g for g in groups if any(len(b.subjects) > 1 for b in g.bars))
    assert [b.label for b in rare_earths.bars][:2] == ["China + Malaysia + Russia", "China"]
    with pytest.raises(ValueError):
        charts.shares(store, "gossip")


def test_numeric_codes_come_from_the_graph_or_iso_3166(store):
    assert charts.numeric_code(KZ, "KZ", "398") == "398"
    assert charts.numeric_code(ID + "country/EL") == "300"   # the EU's code for Greece is ISO's GR
    assert charts.numeric_code(ID + "country/DE") == "276"
    assert charts.numeric_code(ID + "region/central-asia") is None
    found = charts.country_map(store, "crms")
    assert all(c.code for c in found.countries), [c.label for c in found.countries if not c.code]


def test_map_counts_the_crms_of_crm_supply_by_country(store, named):
    found = {c.iri: c for c in charts.country_map(store, "crms").countries}
    table = run_named(store, named["crm-supply-by-country"], {"country": "KZ"})
    assert found[KZ].value == len({r["crm"] for r in table.records()}) > 5
    assert found[KZ].central_asian and found[KZ].sites, "Kazakhstan's sites are listed"
    assert all(s[0].startswith(ID + "site/") for s in found[KZ].sites)


def test_map_by_instrument_status_gives_the_most_advanced(store):
    found = charts.country_map(store, "instrument-status")
    kz = next(c for c in found.countries if c.iri == KZ)
    assert kz.category == "in force" and "Enhanced Partnership" in kz.detail
    assert found.categories[0] == "in force"


def test_map_by_world_share_of_a_material(store):
    found = charts.country_map(store, "world-share", "antimony")
    assert "antimony" in {s for s, _ in found.materials}
    assert any(c.value for c in found.countries)
    with pytest.raises(ValueError):
        charts.country_map(store, "world-share", "unobtainium")


def test_an_answer_with_a_country_column_becomes_map_data():
    uri = {"type": "uri", "value": KZ}
    rows = [{"c": uri, "n": {"type": "literal", "value": "7", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}},
            {"c": {"type": "uri", "value": ID + "country/TJ"}, "n": {"type": "literal", "value": "2"}}]
    found = charts.answer_map(["c", "n"], rows)
    assert [(c.code, c.value) for c in found.countries] == [("398", 7.0), ("762", 2.0)]
    counted = charts.answer_map(["c"], [{"c": uri}, {"c": uri}])
    assert counted.countries[0].value == 2 and counted.title == "rows per c"
    assert charts.answer_map(["x"], [{"x": {"type": "literal", "value": "a"}}]) is None
