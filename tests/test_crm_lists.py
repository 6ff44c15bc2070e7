"""The official CRM list editions and the CRMA strategic list, as the Regulation and Communications give them."""
from __future__ import annotations

import pytest

ENTRIES_PER_LIST = """
SELECT ?list (COUNT(DISTINCT ?entry) AS ?n) WHERE { ?entry a crm:ListEntry ; crm:inList ?list } GROUP BY ?list
"""


@pytest.mark.parametrize("slug, size", [
    ("eu-crm-2011", 14), ("eu-crm-2014", 20), ("eu-crm-2017", 27), ("eu-crm-2020", 30), ("eu-crm-2023", 34),
    ("crma-strategic-2024", 17),
])
def test_each_list_edition_has_its_official_number_of_entries(select, slug, size):
    counts = {r["list"].rsplit("/", 1)[-1]: r["n"] for r in select(ENTRIES_PER_LIST)}
    assert counts[slug] == size


def test_every_entry_is_one_material_with_category_official_name_and_reference(select):
    rows = select("""
        SELECT ?entry (COUNT(DISTINCT ?m) AS ?materials) (COUNT(DISTINCT ?ref) AS ?refs) WHERE {
          ?entry a crm:ListEntry ; crm:material ?m ; crm:category ?c ; crm:officialName ?name ; prov:wasDerivedFrom ?ref
        } GROUP BY ?entry""")
    assert len(rows) == 14 + 20 + 27 + 30 + 34 + 17
    assert all(r["materials"] == 1 and r["refs"] >= 1 for r in rows)


def test_annex_ii_is_ordered_a_to_ah_and_cites_its_annex_points(select):
    rows = select("""
        SELECT ?point ?name WHERE { ?e crm:inList list:eu-crm-2023 ; crm:annexPoint ?point ; crm:officialName ?name ; crm:position ?pos }
        ORDER BY ?pos""")
    assert [r["point"] for r in rows][:3] == ["a", "b", "c"] and rows[-1]["point"] == "ah"
    assert rows[0]["name"] == "antimony" and rows[-1]["name"] == "vanadium"


@pytest.mark.parametrize("material, point_critical, point_strategic", [
    ("copper", "j", "e"), ("nickel-battery-grade", "w", "l"),
])
def test_copper_and_battery_grade_nickel_are_critical_and_strategic_per_the_regulation(select, material, point_critical, point_strategic):
    rows = select("""
        SELECT * WHERE {
          ?e crm:material ?m ; crm:inList ?list ; crm:annexPoint ?point ; prov:wasDerivedFrom/crm:locator ?locator .
          VALUES ?list { list:eu-crm-2023 list:crma-strategic-2024 }
        }""", m=_mat(material))
    points = {(r["list"].rsplit("/", 1)[-1], r["point"]) for r in rows}
    assert ("eu-crm-2023", point_critical) in points and ("crma-strategic-2024", point_strategic) in points
    inferred = select("SELECT ?m WHERE { GRAPH graph:inferred { ?m a crm:CriticalAndStrategicRawMaterial } }", m=_mat(material))
    assert inferred, f"{material} should be inferred critical and strategic"


def test_the_seeds_contrary_claim_on_copper_is_kept_as_a_contradicted_claim(select):
    rows = select("""
        SELECT ?claim ?status ?locator WHERE {
          ?claim a crm:Claim ; crm:subject mat:copper ; crm:property crm:criticalIn ; crm:object list:eu-crm-2023 ;
                 crm:polarity false ; crm:claimant src:seed-000 ; crm:status ?status ;
                 prov:wasDerivedFrom [ crm:source src:seed-000 ; crm:locator ?locator ] }""")
    assert len(rows) == 1
    assert rows[0]["status"].endswith("#Contradicted")
    assert rows[0]["locator"].startswith("Critical Raw Materials and the European Union")
    # … while the Regulation's triple is in the truthy layer:
    assert select("SELECT * WHERE { GRAPH graph:truthy { mat:copper crm:criticalIn list:eu-crm-2023 } }")


def test_what_changed_between_2020_and_2023_is_one_query(select):
    rows = select("""
        SELECT ?change ?m WHERE {
          { ?e crm:inList list:eu-crm-2023 ; crm:material ?m .
            FILTER NOT EXISTS { ?old crm:inList list:eu-crm-2020 ; crm:material ?m }
            FILTER NOT EXISTS { ?e crm:renamedFrom ?renamed }
            BIND("added" AS ?change) }
          UNION
          { ?o crm:inList list:eu-crm-2020 ; crm:material ?m .
            FILTER NOT EXISTS { ?new crm:inList list:eu-crm-2023 ; crm:material ?m }
            FILTER NOT EXISTS { ?n crm:renamedFrom ?o }
            BIND("removed" AS ?change) }
        }""")
    changes = {(r["change"], r["m"].rsplit("/", 1)[-1]) for r in rows}
    for added in ("arsenic", "feldspar", "helium", "manganese", "copper", "nickel-battery-grade"):
        assert ("added", added) in changes
    for removed in ("indium", "natural-rubber"):
        assert ("removed", removed) in changes


def _mat(slug):
    import pyoxigraph as ox

    return ox.NamedNode("https://w3id.org/crmgraph/id/material/" + slug)
