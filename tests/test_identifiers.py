"""Identifiers (issue 9, item 5): every country has its Wikidata item and ISO 3166-1 codes, every EU
member state is a member of the EU, and every material has the Wikidata item facts.md §6/§6b gives it.

The expected values are read from shared/reference/facts.md itself, so the test fails when the graph
drifts from the fact sheet, not when someone retypes a table.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from crmgraph.analysis.stats import compute_stats

FACTS = Path(__file__).resolve().parents[2] / "shared" / "reference" / "facts.md"  # ../shared, as docs/curation.md says

FOCUS = ("KZ", "UZ", "TJ", "KG", "TM", "CN", "RU", "TR")
C = "https://w3id.org/crmgraph/id/country/"
M = "https://w3id.org/crmgraph/id/material/"
WD = "http://www.wikidata.org/entity/"


def _facts() -> str:
    return FACTS.read_text(encoding="utf-8")


def _section(text: str, start: str, end: str) -> str:
    return text[text.index(start):text.index(end)]


def facts_country_ids() -> dict[str, dict[str, str]]:
    """ISO alpha-2 → {a3, num, qid} from the §6 tables and the §6b table."""
    text = _facts()
    ids: dict[str, dict[str, str]] = {}
    names = {"Kazakhstan": "KZ", "Uzbekistan": "UZ", "Kyrgyzstan": "KG", "Tajikistan": "TJ", "Turkmenistan": "TM",
             "People's Republic of China": "CN", "Russia": "RU", "Türkiye (Turkey)": "TR"}
    for line in _section(text, "### Wikidata QIDs", "Chemical elements").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] in names:
            ids.setdefault(names[cells[0]], {})["qid"] = cells[1]
    for line in _section(text, "### ISO 3166-1 codes [V2]", "### Official document").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and re.fullmatch(r"[A-Z]{2}", cells[1]):
            ids.setdefault(cells[1], {}).update(a3=cells[2], num=cells[3])
    for line in _section(text, "### Countries and territories", "Notes\n").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 8 and re.fullmatch(r"\**[A-Z]{2}\**", cells[2]):
            ids[cells[2].strip("*")] = dict(a3=cells[3], num=cells[4], qid=re.search(r"Q\d+", cells[5]).group(0))
    return ids


def facts_material_qids() -> dict[str, str]:
    """Material slug → QID for every element of §6 and every §6b row that gives one."""
    text = _facts()
    qids = {name.replace(" ", "-"): q for name, q in re.findall(
        r"([a-z]+) (Q\d+)", _section(text, "Chemical elements (the element items", "Not confirmed:"))}
    slugs = {"graphite; natural graphite": ("graphite", "natural-graphite"), "bauxite": ("bauxite",), "feldspar": ("feldspar",),
             "fluorspar": ("fluorspar",), "natural rubber": ("natural-rubber",), "platinum group metals": ("platinum-group-metals",),
             "rare earth elements (2011 list)": ("rare-earth-elements",)}
    for line in _section(text, "### Materials: Wikidata QIDs", "Notes\n- **Do not use").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0] in slugs and re.fullmatch(r"Q\d+", cells[2]):
            for slug in slugs[cells[0]]:
                qids[slug] = cells[2]
    return qids


def test_the_fact_sheet_tables_are_read_in_full():
    ids = facts_country_ids()
    assert set(FOCUS) <= set(ids) and len(ids) == 42
    assert ids["GR"] == {"a3": "GRC", "num": "300", "qid": "Q41"} and ids["NL"]["qid"] == "Q55"
    qids = facts_material_qids()
    assert qids["antimony"] == "Q1099" and qids["graphite"] == "Q5309" and qids["rare-earth-elements"] == "Q190444"
    assert len(qids) == 45 + 8  # 45 elements (§6), 7 rows of §6b, natural graphite sharing graphite's


def _country_rows(select):
    rows = select("""SELECT ?c ?a2 ?a3 ?num ?wd ?eu WHERE { ?c a crm:Country .
        OPTIONAL { ?c crm:iso3166Alpha2 ?a2 } OPTIONAL { ?c crm:iso3166Alpha3 ?a3 } OPTIONAL { ?c crm:iso3166Numeric ?num }
        OPTIONAL { ?c crm:wikidata ?wd } OPTIONAL { ?c crm:euCountryCode ?eu } }""")
    return {r["c"].removeprefix(C): r for r in rows}


def test_every_country_has_its_wikidata_item_and_iso_codes_as_facts_md_gives_them(select):
    facts = facts_country_ids()
    countries = _country_rows(select)
    assert len(countries) >= 42
    for slug, row in countries.items():
        a2 = row["a2"]
        assert a2, f"country:{slug} has no ISO 3166-1 alpha-2 code"
        expected = facts[a2]
        assert (row["a3"], row["num"], row["wd"]) == (expected["a3"], expected["num"], WD + expected["qid"]), slug


@pytest.mark.parametrize("slug", FOCUS)
def test_a_focus_country_has_all_four_identifiers(select, slug):
    row = _country_rows(select)[slug]
    assert row["a2"] == slug and row["a3"] and row["num"] and row["wd"].startswith(WD + "Q")


def test_greece_keeps_the_eu_code_el_and_the_iso_code_gr_apart(select):
    row = _country_rows(select)["EL"]
    assert row["eu"] == "EL" and row["a2"] == "GR" and row["a3"] == "GRC"


def test_every_eu_member_state_in_the_graph_is_a_member_of_the_eu(select):
    """A country with an EU country code is a member state; each states its membership, with a reference.
    The Netherlands has no EU code in a registered source but S45d records it as part of the EU."""
    rows = select("""SELECT ?c (COUNT(?a) AS ?refs) WHERE { ?c crm:euCountryCode ?code .
        OPTIONAL { ?a rdf:subject ?c ; rdf:predicate crm:memberOf ; rdf:object union:EU ; prov:wasDerivedFrom ?r } } GROUP BY ?c""")
    assert len(rows) == 13
    members = {r["c"] for r in select("SELECT ?c WHERE { ?c crm:memberOf union:EU }")}
    for r in rows:
        assert r["c"] in members, f"{r['c']} has an EU country code but no crm:memberOf union:EU"
        assert r["refs"] >= 1, f"{r['c']} crm:memberOf union:EU has no reference"
    assert C + "NL" in members and len(members) == 14


def test_every_material_has_the_wikidata_item_facts_md_gives(select):
    qids = facts_material_qids()
    have = {r["m"].removeprefix(M): r["wd"] for r in select("SELECT ?m ?wd WHERE { ?m a crm:Material ; crm:wikidata ?wd }")}
    materials = {r["m"].removeprefix(M) for r in select("SELECT ?m WHERE { ?m a crm:Material }")}
    for slug, qid in qids.items():
        if slug in materials:
            assert have.get(slug) == WD + qid, f"mat:{slug} should have wd:{qid} (facts.md §6/§6b)"


def test_every_critical_raw_material_of_2023_with_a_known_item_has_it(select):
    """The 2023 list (34): each material facts.md identifies carries that item; the rest are [U] there."""
    listed = {r["m"].removeprefix(M) for r in select("SELECT ?m WHERE { ?m crm:criticalIn list:eu-crm-2023 }")}
    assert len(listed) >= 34
    qids = facts_material_qids()
    have = {r["m"].removeprefix(M) for r in select("SELECT ?m WHERE { ?m crm:criticalIn list:eu-crm-2023 ; crm:wikidata ?wd }")}
    missing = sorted(m for m in listed & set(qids) if m not in have)
    assert not missing, f"2023-list CRMs without the QID facts.md gives: {missing}"
    assert {"antimony", "tungsten", "graphite", "feldspar", "fluorspar"} <= have


def test_stats_lists_entities_without_identifiers_and_the_locator_share(store):
    st = compute_stats(store)
    lacking = {iri.rsplit("/", 2)[-2] + "/" + iri.rsplit("/", 1)[-1]: needs for _, iri, _, needs in st.missing_identifiers}
    assert not [k for k in lacking if k.startswith("country/")], "every country has all its identifiers"
    assert lacking["material/baryte"] == ["Wikidata item"]  # [U] in facts.md §6b: honestly missing
    assert "material/antimony" not in lacking
    assert set(st.locators) <= {"place", "whole document", "not given"}
    total = sum(st.locators.values())
    assert total > 3000 and st.locator_share == pytest.approx((total - st.locators.get("not given", 0)) / total)
