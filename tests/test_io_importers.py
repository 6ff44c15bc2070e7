"""The importers of data/ (USGS MCS 2025 world table, EC 2023 CRM study tables) and their name mapping."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from crmgraph.errors import DatasetError
from crmgraph.io import names
from crmgraph.io.datasets import DATASETS, sha256_of
from crmgraph.io.eucrm import import_eu_crm, parse_share
from crmgraph.io.importing import import_into_store
from crmgraph.io.usgs import import_usgs, parse_value
from crmgraph.namespaces import CRM, ID
from crmgraph.query.results import to_result
from crmgraph.store.embedded import OxigraphStore

ROOT = Path(__file__).resolve().parents[1]
USGS = ROOT / "data" / "usgs-mcs2025-world"
EUCRM = ROOT / "data" / "eu-crm-2023"


@pytest.fixture(scope="module")
def usgs():
    return import_usgs(USGS)


@pytest.fixture(scope="module")
def eucrm():
    return import_eu_crm(EUCRM)


def objects(triples, subject: str, predicate: str) -> list[str]:
    return [t.object.value for t in triples if t.subject.value == subject and t.predicate.value == predicate]


@pytest.mark.parametrize("raw, expected", [
    ("Barite  ", "Barite"), ("United\u00a0States (kyanite)", "United States (kyanite)"), ("Natural Teak\nwood", "Natural Teak wood")])
def test_clean_normalises_spaces(raw, expected):
    assert names.clean(raw) == expected


def test_country_qualifiers_and_footnotes_are_not_part_of_the_join_key():
    assert names.match_country("Canada ").code == "CA"
    m = names.match_country("United\u00a0States (kyanite)")
    assert (m.code, m.qualifier) == ("US", "kyanite")
    assert names.match_country("World total (rounded) 10").kind == "world"
    assert names.match_country("Other Countries").kind == "other"
    assert names.match_country("Congo (Kinshasa)").code == "CD"  # a name in the table wins over its qualifier
    assert names.match_country("Congo").code == "CG"
    assert names.match_country("Greece").iri == ID + "country/EL"  # the graph's own IRI for Greece
    unmapped = names.match_country("United States and Canada")
    assert unmapped.iri is None and "not in io/names.py" in unmapped.reason


def test_every_country_code_is_an_iso_3166_code():
    pycountry = pytest.importorskip("pycountry")
    bad = {n: c for n, c in names.COUNTRIES.items() if c != "XK" and pycountry.countries.get(alpha_2=c) is None}
    assert bad == {}


def test_every_mapped_material_is_a_material_of_the_graph():
    text = (ROOT / "graph" / "materials.ttl").read_text(encoding="utf-8")
    slugs = {s.material for s in names.USGS_SERIES.values()} | set(names.EU_MATERIALS.values())
    assert sorted(s for s in slugs if f"mat:{s} a crm:Material" not in text) == []


def test_value_cells():
    assert parse_value("1,500") == (1500.0, None)
    assert parse_value(">2000000") == (2000000.0, "MoreThan")
    assert parse_value(">17,000,000") == (17000000.0, "MoreThan")
    assert parse_value("NA") is None and parse_value("Large") is None and parse_value("") is None
    assert parse_share("<0.1%") == (0.1, "LessThan", True)
    assert parse_share("6") == (6.0, None, False)


def test_usgs_report_accounts_for_every_row(usgs):
    _triples, report = usgs
    (f,) = report.files
    assert f.rows == 1250 and f.mapped + len(f.unmapped) == 1250
    assert f.sha256 == DATASETS["usgs-mcs"].files["MCS2025_World_Data.csv"]
    assert report.withheld > 0  # "W for 23-24" rows: kept as withheld, never as 0
    unmapped = report.unmapped_by_name()
    assert "United States and Canada" in unmapped or any("Tin" in n for n in unmapped)


def test_usgs_figure_has_the_statement_shape(usgs):
    triples, _ = usgs
    tj = [t.subject.value for t in triples
          if t.predicate.value == CRM + "subject" and t.object.value == ID + "country/TJ"]
    figs = [f for f in tj if objects(triples, f, CRM + "material") == [ID + "material/antimony"]
            and objects(triples, f, CRM + "refYear") == ["2024"] and objects(triples, f, CRM + "quantityKind") == [ID + "quantity/production"]]
    (fig,) = figs
    assert objects(triples, fig, CRM + "value") == ["17000"]
    assert objects(triples, fig, CRM + "unit") == [ID + "unit/tonne"]
    assert objects(triples, fig, CRM + "valueQualifier") == [CRM + "Estimated"]
    assert objects(triples, fig, CRM + "stage") == ["extraction"]
    (ref,) = objects(triples, fig, "http://www.w3.org/ns/prov#wasDerivedFrom")
    (loc,) = [t.object.value for t in triples if t.subject.value == ref and t.predicate.value == CRM + "locator"]
    assert "MCS2025_World_Data.csv line" in loc and "COUNTRY='Tajikistan'" in loc and "column PROD_EST_ 2024" in loc


def test_gemanium_and_trailing_spaces_map(usgs):
    triples, report = usgs
    mats = {t.object.value for t in triples if t.predicate.value == CRM + "material"}
    assert {ID + "material/baryte", ID + "material/tungsten"} <= mats
    # "Gemanium" rows map to germanium, but every production cell is empty: missing, so no figure at all
    assert not any("Gemanium" in n or "Barite" in n for n in report.unmapped_by_name())
    assert ID + "material/germanium" not in mats


def test_more_than_reserves(usgs):
    triples, _ = usgs
    more = {t.subject.value for t in triples if t.predicate.value == CRM + "valueQualifier" and t.object.value == CRM + "MoreThan"}
    assert any(objects(triples, f, CRM + "value") == ["2000000"] for f in more)  # antimony world reserves ">2000000"


def test_eu_tables_cp1252_and_shares(eucrm):
    triples, report = eucrm
    assert [f.rows for f in report.files] == [355, 907, 2561]
    assert all(f.mapped + len(f.unmapped) == f.rows for f in report.files)
    props: dict = {}
    for t in triples:
        props.setdefault(t.subject.value, {}).setdefault(t.predicate.value, []).append(t.object.value)
    sb = [p for p in props.values() if p.get(CRM + "subject") == [ID + "country/TR"]
          and p.get(CRM + "material") == [ID + "material/antimony"]
          and p.get(CRM + "quantityKind") == [ID + "quantity/share-of-eu-supply"] and p.get(CRM + "stage") == ["extraction"]]
    assert [p[CRM + "value"] for p in sb] == [["63"]]  # Türkiye (0xFC in cp1252) 63 %
    assert sb[0][CRM + "status"] == [CRM + "SecondHand"]


def test_a_changed_file_is_refused(tmp_path):
    folder = tmp_path / "usgs"
    shutil.copytree(USGS, folder)
    path = folder / "MCS2025_World_Data.csv"
    path.chmod(0o644)
    path.write_bytes(path.read_bytes().replace(b"17000", b"17001", 1))
    with pytest.raises(DatasetError, match="sha256 is"):
        import_usgs(folder)
    with pytest.raises(DatasetError, match="missing file"):
        import_usgs(tmp_path)


STATEMENTS = """SELECT (COUNT(DISTINCT ?s) AS ?n) (COUNT(DISTINCT ?cite) AS ?c) WHERE {
  ?s a crm:Statement ; prov:wasDerivedFrom/crm:citation ?cite }"""


def test_reimport_replaces_never_duplicates():
    store = OxigraphStore(None)
    import_into_store(store, "usgs-mcs", USGS / "MCS2025_World_Data.csv")
    first = store.count(DATASETS["usgs-mcs"].graph)
    (before,) = to_result(store.query(STATEMENTS)).records()
    import_into_store(store, "usgs-mcs", USGS)
    assert store.count(DATASETS["usgs-mcs"].graph) == first
    (after,) = to_result(store.query(STATEMENTS)).records()
    assert after == before and before["n"] == before["c"] == 1617  # one statement, one citation per figure


def test_an_imported_figure_is_a_statement_a_statement_pattern_query_finds_with_its_citation():
    """Issue 10: imported rows are statements of issue 9's model (crm:Statement, crm:property = the
    quantity kind, crm:polarity, accepted, and a crm:citation on the reference) — so the same query finds
    a curated figure and an imported row."""
    store = OxigraphStore(None)
    import_into_store(store, "usgs-mcs", USGS)
    rows = to_result(store.query("""
        SELECT ?s ?value (GROUP_CONCAT(DISTINCT ?cite; separator="; ") AS ?sources) WHERE {
          ?s a crm:Statement, crm:AcceptedStatement ; crm:subject country:TJ ; crm:property qk:production ;
             crm:polarity true ; crm:material mat:antimony ; crm:refYear "2024"^^xsd:gYear ; crm:value ?value ;
             prov:wasDerivedFrom/crm:citation ?cite .
        } GROUP BY ?s ?value""")).records()
    assert [r["value"] for r in rows] == [17000]
    assert rows[0]["sources"].startswith("usgs-mcs2025-world: data/usgs-mcs2025-world/MCS2025_World_Data.csv line ")
    assert "COMMODITY='Antimony'; COUNTRY='Tajikistan'" in rows[0]["sources"]
    assert rows[0]["sources"].endswith("column PROD_EST_ 2024")


def test_the_importers_write_exactly_the_shape_the_statement_compiler_gives(usgs):
    """The importers write the statement layer themselves (no compile step in the build): compiling
    their figures as if curated must add nothing, and must give back every shape triple they wrote.
    (Both importers write figures through the one `GraphWriter.figure`.)"""
    from crmgraph.knowledge.statements import compile_statements

    shape = {CRM + "property", CRM + "polarity", CRM + "citation"}
    kinds = {CRM + "Statement", CRM + "AcceptedStatement"}
    for triples, _report in (usgs,):
        written = {t for t in triples if t.predicate.value in shape
                   or (t.predicate.value.endswith("#type") and t.object.value in kinds)}
        assert len(written) > 1000
        layer = compile_statements(triples, [])
        assert layer.statements == [] and layer.truthy == [] and set(layer.asserted) == set(triples)
        bare = [t for t in triples if t not in written]
        recompiled = compile_statements(bare, [])
        assert set(recompiled.statements) | (set(recompiled.asserted) - set(bare)) == written


def test_the_ilmenite_and_rutile_world_total_is_its_own_series(usgs):
    """USGS files "World total (ilmenite and rutile, rounded)" under the ilmenite TYPE: read by TYPE it
    was a second world total of the ilmenite series (9,430 t beside 8,840 t, the denominator of every
    ilmenite share)."""
    triples, _ = usgs
    props: dict = {}
    for t in triples:
        props.setdefault(t.subject.value, {})[t.predicate.value.rsplit("#", 1)[-1]] = t.object.value
    by_series = {p["series"]: p["value"] for p in props.values()
                 if p.get("subject") == ID + "region/world" and p.get("material") == ID + "material/titanium"
                 and p.get("refYear") == "2023" and p.get("quantityKind") == ID + "quantity/production"}
    assert by_series == {"mine production, ilmenite (TiO2 content)": "8840",
                         "mine production, rutile (TiO2 content)": "590",
                         "mine production, ilmenite and rutile (TiO2 content)": "9430"}


def test_the_copies_in_data_match_their_readmes():
    for ds in DATASETS.values():
        readme = (ROOT / "data" / ds.folder / "README.md").read_text(encoding="utf-8")
        for name, digest in ds.files.items():
            assert digest in readme and sha256_of(ROOT / "data" / ds.folder / name) == digest


def test_the_build_puts_each_dataset_in_its_own_graph(compiled, settings):
    """What `crmgraph build` does after the curated graph passed: import data/ and write each dataset
    to graph:import/KEY beside the curated graphs (the session store of the other tests has none)."""
    import dataclasses

    from crmgraph.io.importing import import_all
    from crmgraph.knowledge.build import fill_store

    countries = {t.subject.value for t in compiled.asserted if t.predicate.value.endswith("#type")
                 and t.object.value == CRM + "Country"}
    imports = import_all(settings, countries)
    assert [d.key for d, _t, _r in imports] == ["usgs-mcs2025-world", "eu-crm-study-2023"]
    store = OxigraphStore(None)
    fill_store(store, dataclasses.replace(compiled, imports=imports), settings)
    for dataset, triples, _report in imports:
        assert store.count(dataset.graph) == len(set(triples)) > 1000
    # a curated country is not described again by the import; a new one is
    usgs_triples = imports[0][1]
    assert not any(t.subject.value == ID + "country/CN" and t.predicate.value.endswith("prefLabel") for t in usgs_triples)
    assert any(t.subject.value == ID + "country/CL" for t in usgs_triples)


def test_helium_volumes_map_to_a_unit_of_the_graph_and_no_row_is_dropped_silently(usgs):
    """USGS gives helium in "million cubic meters": a unit of graph/analytics.ttl with its label and base
    unit (a gas volume has no mass without pressure and temperature, so it is never turned into tonnes).
    The one row with no unit at all (Sierra Leone rutile) is listed as unmapped, with why."""
    triples, report = usgs
    helium = {t.subject.value for t in triples if t.predicate.value == CRM + "material" and t.object.value == ID + "material/helium"}
    units = {t.object.value for t in triples if t.subject.value in helium and t.predicate.value == CRM + "unit"}
    assert len(helium) > 20 and units == {ID + "unit/million-cubic-metre"}
    ttl = (ROOT / "graph" / "analytics.ttl").read_text(encoding="utf-8")
    assert 'unit:million-cubic-metre a crm:Unit' in ttl and 'skos:prefLabel "million cubic metres"@en' in ttl
    assert "crm:baseUnit unit:cubic-metre" in ttl
    unmapped_units = [u for u in report.unmapped if u.name.startswith("unit ")]
    assert [(u.line, u.name) for u in unmapped_units] == [(1132, "unit ''")]
    assert "states no unit" in unmapped_units[0].reason
