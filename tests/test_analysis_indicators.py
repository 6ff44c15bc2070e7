"""Indicators, networks and scenarios against values computed by hand from tests/data/supply-fixture.ttl.

The fixture (antimony, one series, year 2024): world 100 t (written 0.1 kt), CN 60 t, TJ 20 t, TR 10 t,
RU withheld, KZ only a 2023 figure of 5 t; "other countries" 5 t. EU sourcing: TR 60 %, CN 30 %, TJ 10 %.
SR 1.8, EI 2.5 (2023). EU instruments: TJ in force, KZ signed.
"""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from crmgraph.analysis import indicators as I
from crmgraph.analysis import scenarios as S
from crmgraph.analysis.networks import to_networkx
from crmgraph.analysis.results import GRAPH_ANALYTICS, scenario_triples, write_indicators
from crmgraph.analysis.supplydata import load
from crmgraph.errors import QueryError
from crmgraph.namespaces import ID
from crmgraph.store.embedded import OxigraphStore

FIXTURE = Path(__file__).parent / "data" / "supply-fixture.ttl"
SB = ID + "material/antimony"
C = ID + "country/"


@pytest.fixture(scope="module")
def fixture_store():
    store = OxigraphStore(None)
    store.replace_graph("https://example.org/fixture", [q.triple for q in ox.parse(path=str(FIXTURE), format=ox.RdfFormat.TURTLE)])
    return store


@pytest.fixture(scope="module")
def data(fixture_store):
    return load(fixture_store)


def test_world_hhi_uses_one_year_and_flags_mixed_years_and_withheld(data):
    si = I.series_indicators(data, (SB, "extraction", "mine"))
    assert si.year == "2024" and si.world_total == pytest.approx(100.0)  # 0.1 kt converted to tonnes
    shares = {s.label: s.share for s in si.suppliers}
    assert shares == {"China": pytest.approx(60), "Tajikistan": pytest.approx(20), "Türkiye": pytest.approx(10),
                      "Kazakhstan": pytest.approx(5), "Russia": None}
    assert si.hhi == pytest.approx(60**2 + 20**2 + 10**2 + 5**2)  # 4125: RU withheld is missing, not 0
    assert set(si.flags) == {"mixed-years", "withheld-values"}
    assert si.largest.label == "China" and si.largest.share == pytest.approx(60)
    assert si.central_asian_share == pytest.approx(25)
    assert {s.label for s in si.central_asian} == {"Tajikistan", "Kazakhstan"}
    assert "Other countries" not in shares  # the remainder counts in the world total only


def test_eu_sourcing_hhi_and_thresholds(data):
    m = I.material_indicators(data, SB)
    (eu,) = m.eu_sourcing
    assert eu.hhi == pytest.approx(60**2 + 30**2 + 10**2)
    assert eu.largest[1] == "Türkiye" and eu.central_asian_share == pytest.approx(10)
    assert "shares-below-1pct-not-listed" in eu.flags
    assert (m.sr, m.ei, m.sr_ei_year) == (1.8, 2.5, "2023")
    assert m.passes_thresholds is False  # EI 2.5 < 2.8
    assert m.critical_2023 is True


def test_missing_sr_ei_is_reported_as_missing(data):
    ind = I.material_indicators(data, ID + "material/unknown-material")
    assert ind.sr is None and ind.passes_thresholds is None and "sr-ei-missing" in ind.flags
    assert "no-production-series" in ind.flags


def test_country_indicators(data):
    tj = I.country_indicators(data, C + "TJ")
    assert tj.central_asian
    (m,) = tj.materials
    assert m.share == pytest.approx(20) and m.rank == 2
    assert [i.label for i in tj.instruments] == ["TJ PCA"]
    assert tj.eu_sourcing[0][3] == 10
    assert tj.degree_centrality > 0


def test_restrict_china_antimony(data):
    (o,) = S.restrict(data, ["CN"], ["antimony"]).outcomes
    assert o.lost_tonnes == pytest.approx(60) and o.lost_share == pytest.approx(60)
    assert o.eu_exposed == {"extraction": pytest.approx(30)}
    alts = {a.label: a for a in o.alternatives}
    assert alts["Tajikistan"].covers_gap == pytest.approx(100 * 20 / 60)
    assert alts["Kazakhstan"].covers_gap == pytest.approx(100 * 5 / 60)
    assert alts["Tajikistan"].instruments == [(ID + "instrument/tj-pca", "TJ PCA", "in force")]
    assert alts["Tajikistan"].eu_share == {"extraction": 10}
    assert o.central_asian_cover == pytest.approx(100 * 25 / 60)
    assert o.sources == ["study", "test"]


def test_restricting_a_central_asian_country_removes_it_from_the_alternatives(data):
    (o,) = S.restrict(data, ["CN", "TJ"], ["antimony"]).outcomes
    assert o.lost_share == pytest.approx(80)
    assert [a.label for a in o.alternatives] == ["Kazakhstan"]
    assert o.central_asian_cover == pytest.approx(100 * 5 / 80)


def test_countries_and_materials_by_name_as_people_type_them(data):
    (o,) = S.restrict(data, ["china", "Turkiye"], ["Antimony"]).outcomes  # case- and accent-blind labels
    assert o.lost_share == pytest.approx(70)
    with pytest.raises(QueryError, match="did you mean China"):
        S.restrict(data, ["Chyna"], ["antimony"])


def test_unknown_names_are_clear_errors(data):
    with pytest.raises(QueryError, match="unknown country 'XX'"):
        S.restrict(data, ["XX"], ["antimony"])
    with pytest.raises(QueryError, match="unknown material"):
        S.restrict(data, ["CN"], ["antimonium"])


def test_agreement_in_force(data):
    scen = S.agreement_in_force(data, "kz-epca")
    (o,) = scen.outcomes
    assert o.share_before == pytest.approx(20)  # TJ's PCA is in force
    assert o.share_after == pytest.approx(25)  # + KZ
    assert o.partner_share == pytest.approx(5)


def test_project_starts_production(fixture_store, data):
    (o,) = S.project_starts(fixture_store, data, "test-mine", 15).outcomes
    assert o.country == C + "KZ"
    assert o.after.world_total == pytest.approx(115)  # 100 + (20 − 5)
    after = {s.label: s.share for s in o.after.suppliers}
    assert after["Kazakhstan"] == pytest.approx(100 * 20 / 115)
    assert o.after.hhi == pytest.approx(sum((100 * v / 115) ** 2 for v in (60, 20, 10, 20)))
    assert o.after.central_asian_share == pytest.approx(100 * 40 / 115)


def test_networks(fixture_store, data):
    g = to_networkx(fixture_store, "supply", data)
    assert g.edges[C + "CN", SB]["world_share"] == pytest.approx(60)
    assert g.edges[C + "CN", SB]["eu_share"]["extraction"]["share"] == 30
    assert g.edges[SB, ID + "union/EU"]["sr"] == {"2023": 1.8}
    inst = to_networkx(fixture_store, "instruments", data)
    assert [i["status"] for i in inst.edges[ID + "union/EU", C + "TJ"]["instruments"]] == ["in force"]
    with pytest.raises(QueryError):
        to_networkx(fixture_store, "trade")


def test_results_are_rdf_with_a_prov_activity(fixture_store, data):
    write_indicators(fixture_store, data)
    rows = list(fixture_store.query(f"""SELECT ?v ?act WHERE {{ GRAPH <{GRAPH_ANALYTICS}> {{
        ?r crm:indicator "hhi-world" ; crm:computedValue ?v ; prov:wasGeneratedBy ?act . ?act a prov:Activity }} }}"""))
    assert len(rows) == 1 and float(rows[0]["v"].value) == pytest.approx(4125)
    graph, triples = scenario_triples(S.restrict(data, ["CN"], ["antimony"]))
    again, _ = scenario_triples(S.restrict(data, ["CN"], ["antimony"]))
    assert graph == again  # the same scenario saved twice replaces itself
    values = {t.object.value for t in triples if t.predicate.value.endswith("computedValue")}
    assert "60.0" in values
    # every kind of scenario says which sources its activity used (PROV)
    for scen in (S.agreement_in_force(data, "kz-epca"), S.project_starts(fixture_store, data, "test-mine", 15)):
        _g, triples = scenario_triples(scen)
        used = {t.object.value for t in triples if t.predicate.value.endswith("#used")}
        assert used == {ID + "source/test"}, scen.kind


SUBGROUPS = """
@prefix crm: <https://w3id.org/crmgraph/ontology#> . @prefix mat: <https://w3id.org/crmgraph/id/material/> .
@prefix fig: <https://w3id.org/crmgraph/id/figure/> . @prefix qk: <https://w3id.org/crmgraph/id/quantity/> .
@prefix src: <https://w3id.org/crmgraph/id/source/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix prov: <http://www.w3.org/ns/prov#> .
mat:ree a crm:Material ; skos:prefLabel "rare earths"@en .
mat:hree a crm:Material ; skos:prefLabel "heavy rare earths"@en ; skos:broader mat:ree .
mat:lree a crm:Material ; skos:prefLabel "light rare earths"@en ; skos:broader mat:ree .
fig:hsr a crm:Figure ; crm:quantityKind qk:supply-risk ; crm:material mat:hree ; crm:value 5.1 ; crm:refYear "2023"^^xsd:gYear ;
    prov:wasDerivedFrom [ crm:source src:study ; crm:locator "annex" ] .
fig:hei a crm:Figure ; crm:quantityKind qk:economic-importance ; crm:material mat:hree ; crm:value 2.0 ; crm:refYear "2023"^^xsd:gYear ;
    prov:wasDerivedFrom [ crm:source src:study ; crm:locator "annex" ] .
fig:lsr a crm:Figure ; crm:quantityKind qk:supply-risk ; crm:material mat:lree ; crm:value 3.7 ; crm:refYear "2023"^^xsd:gYear ;
    prov:wasDerivedFrom [ crm:source src:study ; crm:locator "annex" ] .
fig:lei a crm:Figure ; crm:quantityKind qk:economic-importance ; crm:material mat:lree ; crm:value 5.9 ; crm:refYear "2023"^^xsd:gYear ;
    prov:wasDerivedFrom [ crm:source src:study ; crm:locator "annex" ] .
fig:h-eu-cn a crm:Figure ; crm:subject <https://w3id.org/crmgraph/id/country/CN> ; crm:value 90 ;
    crm:quantityKind qk:share-of-eu-supply ; crm:material mat:hree ; crm:stage "processing" ;
    prov:wasDerivedFrom [ crm:source src:study ; crm:locator "table" ] .
fig:lsr-old a crm:Figure ; crm:quantityKind qk:supply-risk ; crm:material mat:lree ; crm:value 4.0 ; crm:refYear "2020"^^xsd:gYear ;
    prov:wasDerivedFrom [ crm:source src:study ; crm:locator "annex" ] .
"""


def test_a_group_assessed_only_as_sub_groups_shows_each_sub_group_by_name():
    """Rare earths: the EC assesses heavy and light rare earths, not rare earths as a whole. The group gets
    no SR/EI of its own (never one sub-group's silently); each sub-group is shown with its name, its latest
    SR/EI and its own thresholds (hand-computed: heavy EI 2.0 < 2.8 fails, light passes)."""
    store = OxigraphStore(None)
    store.replace_graph("https://example.org/fixture", [q.triple for q in ox.parse(path=str(FIXTURE), format=ox.RdfFormat.TURTLE)])
    store.replace_graph("https://example.org/groups", [q.triple for q in ox.parse(SUBGROUPS, format=ox.RdfFormat.TURTLE)])
    data = load(store)
    ree = I.material_indicators(data, ID + "material/ree")
    assert (ree.sr, ree.ei, ree.passes_thresholds) == (None, None, None)
    assert ree.flags[0] == "sr-ei-of-sub-groups-only"
    assert [(g.label, g.sr, g.ei, g.year, g.passes_thresholds) for g in ree.sub_groups] == [
        ("heavy rare earths", 5.1, 2.0, "2023", False), ("light rare earths", 3.7, 5.9, "2023", True)]
    assert ree.sub_groups[1].figures == (ID + "figure/lsr", ID + "figure/lei")
    assert ID + "material/ree" in {m.material for m in I.all_material_indicators(data)}
    # a scenario's snapshot of the group alone still reads its sub-groups' scores
    only = load(store, materials=[ID + "material/ree"])
    assert [g.sr for g in I.material_indicators(only, ID + "material/ree").sub_groups] == [5.1, 3.7]
    # a scenario on the group shows the EU sourcing of each sub-group by name (the group has none of its own),
    # also from a snapshot of the group alone (as `crmgraph scenario restrict` reads it)
    for snapshot in (data, only):
        (o,) = S.restrict(snapshot, ["CN"], ["ree"]).outcomes
        assert o.eu_exposed == {"processing, heavy rare earths": 90} and "eu-sourcing-of-sub-groups" in o.flags
    # the CLI says so in words
    from crmgraph.clirisk import sr_ei_text

    text = sr_ei_text(ree)
    assert "not assessed for the group as a whole" in text
    assert "heavy rare earths SR 5.1, EI 2 (2023), passes SR ≥ 1.0 and EI ≥ 2.8: no" in text
    assert "light rare earths SR 3.7, EI 5.9 (2023), passes SR ≥ 1.0 and EI ≥ 2.8: yes" in text


PARTS = """
@prefix crm: <https://w3id.org/crmgraph/ontology#> . @prefix mat: <https://w3id.org/crmgraph/id/material/> .
@prefix fig: <https://w3id.org/crmgraph/id/figure/> . @prefix qk: <https://w3id.org/crmgraph/id/quantity/> .
@prefix src: <https://w3id.org/crmgraph/id/source/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix unit: <https://w3id.org/crmgraph/id/unit/> . @prefix country: <https://w3id.org/crmgraph/id/country/> .
@prefix region: <https://w3id.org/crmgraph/id/region/> . @prefix prov: <http://www.w3.org/ns/prov#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
mat:helium a crm:Material ; skos:prefLabel "helium"@en .
unit:million-cubic-metre crm:baseUnit unit:cubic-metre ; crm:multiplier 1000000 ; crm:symbol "million m³" ; a crm:Unit .
unit:cubic-metre a crm:Unit ; crm:symbol "m³" .
fig:he-w a crm:Figure ; crm:subject region:world ; crm:value 180 .
fig:he-us1 a crm:Figure ; crm:subject country:TR ; crm:value 68 .
fig:he-us2 a crm:Figure ; crm:subject country:TR ; crm:value 13 .
fig:he-tj a crm:Figure ; crm:subject country:TJ ; crm:value 9 .
"""


def test_a_countrys_rows_of_one_series_are_summed_and_volumes_keep_their_unit():
    """USGS lists US helium twice (from natural gas 68, Cliffside Field 13, in million m³): both are parts
    of one country's output. Hand-computed: 81 of 180 = 45 %; TJ 9 = 5 %; restricting TR loses 81 × 10⁶ m³,
    TJ covers 9/81 of the gap. The unit stays a volume (m³), never tonnes."""
    extra = PARTS + "".join(
        f"fig:he-{x} crm:quantityKind qk:production ; crm:material mat:helium ; crm:stage \"extraction\" ; "
        f"crm:series \"helium\" ; crm:unit unit:million-cubic-metre ; crm:refYear \"2024\"^^xsd:gYear ; "
        f"prov:wasDerivedFrom [ crm:source src:test ; crm:locator \"row {x}\" ] .\n" for x in ("w", "us1", "us2", "tj"))
    store = OxigraphStore(None)
    store.replace_graph("https://example.org/fixture", [q.triple for q in ox.parse(path=str(FIXTURE), format=ox.RdfFormat.TURTLE)])
    store.replace_graph("https://example.org/helium", [q.triple for q in ox.parse(extra, format=ox.RdfFormat.TURTLE)])
    data = load(store)
    si = I.series_indicators(data, (ID + "material/helium", "extraction", "helium"))
    shares = {s.label: (s.value, s.share) for s in si.suppliers}
    assert shares == {"Türkiye": (81, pytest.approx(45)), "Tajikistan": (9, pytest.approx(5))}
    assert "country-rows-summed" in si.flags
    assert {ID + "figure/he-us1", ID + "figure/he-us2"} <= set(si.inputs)
    assert si.base_unit == ID + "unit/cubic-metre" and si.world_total == pytest.approx(180e6)
    (o,) = S.restrict(data, ["TR"], ["helium"]).outcomes
    assert o.unit == "m³" and o.lost_tonnes == pytest.approx(81e6)
    assert o.alternatives[0].covers_gap == pytest.approx(100 * 9 / 81)
