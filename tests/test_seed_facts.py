"""A researcher can ask for any fact of the seeds and get its value, year and source with a locator."""
from __future__ import annotations

import pytest

FIGURE = """
SELECT * WHERE {
  ?f a crm:Figure ; crm:subject ?subject ; crm:quantityKind ?qk ; crm:value ?value ; crm:unit ?unit ; crm:status ?status ;
     prov:wasDerivedFrom ?ref . ?ref crm:source ?source ; crm:locator ?locator .
  OPTIONAL { ?f crm:material ?material }
  OPTIONAL { ?f crm:refYear ?y } BIND(STR(?y) AS ?year)
  OPTIONAL { ?f crm:yearNotStated ?yearNotStated }
  OPTIONAL { ?f crm:outOf ?outOf }
}"""


def node(path: str):
    import pyoxigraph as ox

    return ox.NamedNode("https://w3id.org/crmgraph/" + path)


# subject, material, quantity kind, source, value, unit, locator, year ("not stated": the seed gives none), out of
SEED_FIGURES = [
    ("country/TJ", "antimony", "share-of-world-production", "seed-000", 26, "percent", "Tajikistan ¶1", "not stated", None),
    ("country/TJ", "antimony", "share-of-eu-imports", "seed-000", 42, "percent", "Tajikistan ¶1", "not stated", None),
    ("country/KZ", None, "eu-crms-produced", "seed-000", 15, "count", "Kazakhstan ¶1", "not stated", 32),
    ("country/KZ", None, "eu-crms-produced", "seed-002", 19, "count", "A Critical Minerals Pivot ¶2", "not stated", 34),
    ("country/KZ", None, "trade-value", "seed-002", 50, "usd-billion", "A Strategic Region ¶2", "2024", None),
    ("infrastructure/middle-corridor", None, "cargo-volume", "seed-002", 4.1, "megatonne",
     "Connectivity and the Middle Corridor ¶2", "2024", None),
    ("region/central-asia", "manganese", "share-of-world-resources", "seed-002", 38.6, "percent", "A Critical Minerals Pivot ¶2", "not stated", None),
]


@pytest.mark.parametrize("subject, material, qk, source, value, unit, locator, year, out_of", SEED_FIGURES)
def test_a_seed_figure_comes_with_value_unit_year_source_and_locator(select, subject, material, qk, source, value, unit,
                                                                     locator, year, out_of):
    bindings = dict(subject=node("id/" + subject), qk=node("id/quantity/" + qk), source=node("id/source/" + source))
    if material:
        bindings["material"] = node("id/material/" + material)
    rows = [r for r in select(FIGURE, **bindings) if r["value"] == value]
    assert rows, f"no {qk} figure of {value} for {subject} from {source}"
    row = rows[0]
    assert row["unit"].endswith("/unit/" + unit)
    assert row["locator"] == locator
    if year == "not stated":  # the seed's words give no year: none is invented
        assert row["yearNotStated"] is True and row["year"] is None
    else:
        assert row["year"] == year
    if out_of:
        assert row["outOf"] == out_of


def test_unverified_seed_figures_are_marked_so(select):
    rows = select(FIGURE, subject=node("id/country/TJ"), qk=node("id/quantity/share-of-eu-imports"),
                  source=node("id/source/seed-000"), material=node("id/material/antimony"))
    assert rows and rows[0]["status"].endswith("#Unverified")


def test_the_crma_entry_into_force_is_stated_by_seed_000_and_the_regulation(select):
    rows = select("""
        SELECT ?key ?locator WHERE {
          inst:crma crm:inForceFrom "2024-05-23"^^xsd:date .
          ?a rdf:subject inst:crma ; rdf:predicate crm:inForceFrom ; rdf:object "2024-05-23"^^xsd:date ;
             prov:wasDerivedFrom [ crm:source/crm:sourceKey ?key ; crm:locator ?locator ] }""")
    keys = {r["key"] for r in rows}
    assert "seed-000" in keys and "S1a" in keys
    assert any(r["locator"].startswith("Critical Raw Materials and the European Union") for r in rows if r["key"] == "seed-000")


def test_the_samarkand_summit_is_dated_placed_and_attended(select):
    rows = select("""
        SELECT ?date ?place ?who WHERE { event:samarkand-summit-2025 crm:date ?date ; crm:locatedIn ?place ; crm:participant ?who }""")
    assert {str(r["date"]) for r in rows} == {"2025-04-04"}
    assert any(r["place"].endswith("/place/samarkand") for r in rows)
    assert {"ursula-von-der-leyen", "antonio-costa"} <= {r["who"].rsplit("/", 1)[-1] for r in rows}


def test_every_statement_cites_a_source_with_a_locator(select):
    rows = select("""
        SELECT (COUNT(?st) AS ?n) WHERE {
          ?st a ?kind . VALUES ?kind { crm:Figure crm:Claim crm:Assertion crm:ListEntry }
          OPTIONAL { ?st prov:wasDerivedFrom ?ref . ?ref crm:source ?s ; crm:locator ?l } FILTER(!BOUND(?ref)) }""")
    assert rows[0]["n"] == 0


def test_every_seed_section_is_cited(select):
    rows = select("""SELECT DISTINCT ?key ?locator WHERE { ?r crm:source ?src ; crm:locator ?locator . ?src crm:sourceKey ?key
                     FILTER(?key IN ("seed-000", "seed-002")) }""")
    sections = {(r["key"], r["locator"].split(" ¶")[0]) for r in rows}
    for section in ("Critical Raw Materials and the European Union", "EU and Central Asia", "Kazakhstan", "Uzbekistan",
                    "Tajikistan", "Conclusion: Charting the Road Ahead"):
        assert ("seed-000", section) in sections
    for section in ("Introduction", "A Strategic Region", "Connectivity and the Middle Corridor", "A Critical Minerals Pivot",
                    "Sustainable Development and Green Goals", "A Multipolar Opening"):
        assert ("seed-002", section) in sections
