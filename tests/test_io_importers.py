"""The importers of data/ (USGS MCS 2025 world table, EC 2023 CRM study tables) and their name mapping."""
from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from crmgraph.errors import DatasetError
from crmgraph.io import names
from crmgraph.io.datasets import DATASETS, sha256_of
from crmgraph.io.eucrm import import_eu_crm, parse_share
from crmgraph.io.importing import import_into_store
from crmgraph.io.usgs import import_usgs, parse_value
from crmgraph.namespaces import CRM, ID
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
    tr = [t.subject.value for t in triples if t.predicate.value == CRM + "subject" and t.object.value == ID + "country/TR"]
    sb = [f for f in tr if objects(triples, f, CRM + "material") == [ID + "material/antimony"]
          and objects(triples, f, CRM + "quantityKind") == [ID + "quantity/share-of-eu-supply"]
          and objects(triples, f, CRM + "stage") == ["extraction"]]
    assert [objects(triples, f, CRM + "value") for f in sb] == [["63"]]  # Türkiye (0xFC in cp1252) 63 %
    assert objects(triples, sb[0], CRM + "status") == [CRM + "SecondHand"]


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


def test_reimport_replaces_never_duplicates():
    store = OxigraphStore(None)
    import_into_store(store, "usgs-mcs", USGS / "MCS2025_World_Data.csv")
    first = store.count(DATASETS["usgs-mcs"].graph)
    import_into_store(store, "usgs-mcs", USGS)
    assert store.count(DATASETS["usgs-mcs"].graph) == first


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
