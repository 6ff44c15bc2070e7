"""The disagreement report (crmgraph.analysis.conflicts) as a specification.

The first test is the acceptance criterion of issue 9 item 4: each of the 20 Discrepancies listed in
../shared/reference/facts.md (section "Discrepancies") maps to at least one report entry, found by
the generic rules — the entry shows both sides with their values and sources. The other tests pin
down each rule on its own, the readability of the entries, and the report formats.
"""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from crmgraph.analysis.conflict_report import FORMATS, UnknownFormat, render
from crmgraph.analysis.conflicts import KINDS, Disagreement, find_disagreements

ID = "https://w3id.org/crmgraph/id/"
FACTS = Path(__file__).resolve().parents[2] / "shared" / "reference" / "facts.md"


@pytest.fixture(scope="module")
def found(store) -> list[Disagreement]:
    return find_disagreements(store)


def values(d: Disagreement) -> set:
    return {s.value for s in d.sides}


def entries(found, kind: str | None = None, subject: str | None = None, contains=(), sources=()) -> list[Disagreement]:
    """Report entries of a kind about a subject whose sides include all `contains` values and
    whose references include all `sources` keys."""
    out = []
    for d in found:
        if kind and d.kind != kind:
            continue
        if subject and ID + subject not in d.about.get("subject", "").split() + [d.about.get("subject")]:
            continue
        if not set(contains) <= values(d) or not set(sources) <= d.sources():
            continue
        out.append(d)
    return out


# One line per Discrepancy of facts.md: (number, what it is, the entries that must report it).
DISCREPANCIES = {
    1: ("copper and nickel are critical in Annex II; seed 000 and CBS say not",
        lambda f: entries(f, "official-list", "material/copper", sources={"seed-000", "S7a", "S1b"})
        and entries(f, "official-list", "material/nickel", sources={"seed-000", "S7a", "S1c"})),
    2: ("Kazakhstan's count of EU CRMs: 15 of 32, 17–18 of 30, 18 of 34, 19 of 34",
        lambda f: entries(f, "figures", "country/KZ", contains={15, 17, 18, 19},
                          sources={"seed-000", "seed-002", "S25a", "S25b", "S25c", "S25f"})),
    3: ("'32 CRMs' in seed 000, when no list had 32 items (the 2020 list had 30)",
        lambda f: entries(f, "list-edition", contains={15, 12, 30, 34}, sources={"seed-000", "S5a"})
        and entries(f, "list-edition", contains={7, 30}, sources={"seed-000"})),
    4: ("Tajik antimony: ~17 % (USGS) vs 26 % of world output (seed 000)",
        lambda f: entries(f, "figures", "country/TJ", contains={17, 26}, sources={"S22a", "seed-000"})),
    5: ("China's share of EU rare earths: 98 % vs 46.3 % — different metrics",
        lambda f: entries(f, "metrics", "country/CN", contains={98, 46.3}, sources={"S29", "S26b"})),
    6: ("China's share of EU magnesium: 97 % vs 93 % vs 89 %",
        lambda f: entries(f, "figures", "country/CN", contains={97, 93, 89}, sources={"S27", "S28", "S6d", "S26c"})),
    7: ("Türkiye and borates: 98 % of EU supply vs 42 %",
        lambda f: entries(f, "figures", "country/TR", contains={98, 42}, sources={"S28", "S26c"})),
    8: ("Kazakh REE find: 300 vs 420 km; about 1 Mt vs 935,400 t",
        lambda f: entries(f, "figures", "site/kuirektykol", contains={300, 420}, sources={"S24a", "S24d"})
        and entries(f, "figures", "site/kuirektykol", contains={1000000, 935400}, sources={"S24e"})),
    9: ("Samruk-Kazyna's stake in Kazatomprom 81.2 vs 85.08 %; Kazatomprom's world share 22 % vs a quarter",
        lambda f: entries(f, "figures", "org/kazatomprom", contains={81.2, 85.08}, sources={"S37a", "S37b"})
        and entries(f, "figures", "org/kazatomprom", contains={22, 25}, sources={"S21g", "S21h"})),
    10: ("Kazakhstan's uranium share: 38.8 % (2023) vs 43 % / 45 % (WNA) vs 'almost 40 %'",
         lambda f: entries(f, "figures", "country/KZ", contains={38.8, 43, 45, 40}, sources={"S21a", "S21b", "S21f"})),
    11: ("Samarkand package breakdown; the €10 bn TITR 'invested' vs pledged",
         lambda f: entries(f, "figures", "instrument/samarkand-investment-package-2025", contains={2.5, 4.3}, sources={"S11h"})
         and entries(f, "contradicted", "infrastructure/middle-corridor", sources={"S11b", "S19a"})),
    12: ("CRMA recycling benchmark 15 % (proposal) vs 25 % (Regulation)",
         lambda f: entries(f, "figures", "instrument/crma", contains={15, 25}, sources={"S8e", "S1d"})),
    13: ("EU–Kazakhstan trade $48.8 bn vs ~$50 bn; investment; shares 90 vs 80 %, two-thirds vs >40 %",
         lambda f: entries(f, "figures", "country/KZ", contains={48.8, 50}, sources={"S25e", "S12f", "seed-002"})
         and entries(f, "figures", "country/KZ", contains={90, 80}, sources={"S12f", "seed-002"})
         and entries(f, "figures", "country/KZ", contains={40}, sources={"S12f", "seed-002"})),
    14: ("TITR cargo 2024: 4.1 Mt vs 4.5 Mt",
         lambda f: entries(f, "figures", "infrastructure/middle-corridor", contains={4.1, 4.5}, sources={"S19e", "S19f"})),
    15: ("EU–Uzbekistan EPCA initialled 'June 2022' vs 2022; the 2024 MoU called an 'agreement'",
         lambda f: entries(f, "values", "instrument/eu-uz-epca", contains={"2022", "2022-06"}, sources={"S14c", "S14d"})
         and entries(f, "contradicted", "instrument/eu-uz-mou-crm-2024", sources={"seed-000"})),
    16: ("Tau-Ken Samruk EU/EBRD support: €400,000 grant vs ~€200,000 EU contribution",
         lambda f: entries(f, "figures", "org/tau-ken-samruk", contains={400000, 200000}, sources={"S36c", "S36d"})),
    17: ("first CRM list 2011 (official) vs 2008 (Roskill/Stockhead)",
         lambda f: entries(f, "contradicted", "list/eu-crm-2011", contains={"2008", "2011"}, sources={"S5b", "S3d"})),
    18: ("~70 screened candidates called 'critical'; chromium put on the 2024 list",
         lambda f: entries(f, "figures", "list/eu-crm-2023", contains={70, 34}, sources={"S6e", "S1b"})
         and entries(f, "official-list", "material/chromium", sources={"S22b"})),
    19: ("seed 000's 'EU-Central Asia PCA' vs Tajikistan's bilateral PCA",
         lambda f: entries(f, "contradicted", "country/TJ", sources={"seed-000", "S16b"})),
    20: ("Middle Corridor transit time: 10–15 days (seed 002) vs 13–15 days (Kazakh minister)",
         lambda f: entries(f, "figures", "infrastructure/middle-corridor", contains={10, 13}, sources={"seed-002", "S19g"})),
}


def test_the_table_covers_every_discrepancy_of_facts_md():
    text = FACTS.read_text(encoding="utf-8")
    section = text[text.index("## Discrepancies"):text.index("## Source register")]
    numbers = {int(n) for n in re.findall(r"^(\d+)\. \*\*", section, flags=re.M)}
    assert numbers == set(DISCREPANCIES) == set(range(1, 21))


@pytest.mark.parametrize("number", sorted(DISCREPANCIES))
def test_each_discrepancy_of_facts_md_is_a_report_entry(found, number):
    what, check = DISCREPANCIES[number]
    assert check(found), f"Discrepancy {number} ({what}) is not in the report"


def test_every_entry_shows_two_sides_with_labels_statuses_and_sourced_references(found):
    assert found
    for d in found:
        assert d.kind in KINDS and d.title and d.why
        assert len(d.sides) >= 2, d.title
        assert "https://" not in d.title, d.title
        for s in d.sides:
            assert s.says and "w3id.org" not in s.says, (d.title, s.says)
            assert s.status in {"verified", "second-hand", "unverified", "derived", "contradicted"}
        referenced = [s for s in d.sides if s.references]
        assert referenced, d.title
        for s in referenced:
            for r in s.references:
                assert r.source and r.title and r.locator, (d.title, r)


def test_source_titles_are_given_not_only_keys(found):
    d = entries(found, "figures", "org/kazatomprom", contains={81.2, 85.08})[0]
    titles = {r.title for s in d.sides for r in s.references}
    assert all(t not in {"S37a", "S37b"} for t in titles)


def test_figures_for_different_known_years_are_a_series_not_a_disagreement(found):
    # Kazakhstan's uranium mine production: 21,800 t (2021, WNA) and 21,112 tU (2023, NEA/IAEA)
    assert not entries(found, "figures", "country/KZ", contains={21800, 21112})


def test_bounds_in_the_same_direction_do_not_disagree(found):
    # ERMA: "more than 450 members" (early 2021) and "more than 500" (Oct 2021) can both be true
    assert not entries(found, "figures", "org/erma", contains={450, 500})


def test_ids_are_stable_and_unique(store, found):
    again = find_disagreements(store)
    assert [d.id for d in again] == [d.id for d in found]
    assert len({d.id for d in found}) == len(found)


def test_list_edition_entries_name_the_sizes_of_the_editions(found):
    d = entries(found, "list-edition", contains={15, 34})[0]
    assert "no edition of the EU CRM list has 32 items" in d.why
    assert {14, 20, 27, 30, 34} <= values(d)


def test_report_formats_agree_on_the_entries(found):
    assert set(FORMATS) == {"text", "json", "csv", "md"}
    as_json = json.loads(render(found, "json"))
    assert [e["id"] for e in as_json] == [d.id for d in found]
    assert as_json[0]["sides"][0]["references"][0]["title"]
    rows = list(csv.DictReader(io.StringIO(render(found, "csv"))))
    assert len(rows) == sum(len(d.sides) for d in found)
    assert {r["id"] for r in rows} == {d.id for d in found}
    text = render(found, "text")
    assert text.rstrip().splitlines()[-1].startswith(f"{len(found)} disagreements: ")
    assert all(f"[{d.kind}] {d.title}" in text for d in found)
    md = render(found, "md")
    assert md.startswith("# Disagreements between sources") and md.count("\n## ") == len(found)


def test_an_unknown_format_is_refused_with_the_list_of_formats(found):
    with pytest.raises(UnknownFormat, match="text, json, csv, md"):
        render(found, "xml")


# ------------------------------------------------------------------ curated figures against imported rows

CURATED = """
@prefix crm: <https://w3id.org/crmgraph/ontology#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> . @prefix id: <https://w3id.org/crmgraph/id/> .
<https://w3id.org/crmgraph/id/unit/kilotonne> a crm:Unit ; crm:baseUnit id:unit\\/tonne ; crm:multiplier 1000 .
id:unit\\/tonne a crm:Unit .
<https://w3id.org/crmgraph/id/source/S31> a crm:SourceDocument ; crm:sourceKey "S31" .
# differs from the USGS row (17,000 t in 2023)
<https://w3id.org/crmgraph/id/figure/tj-sb-2023> a crm:Figure ; crm:subject <https://w3id.org/crmgraph/id/country/TJ> ;
  crm:material <https://w3id.org/crmgraph/id/material/antimony> ; crm:quantityKind <https://w3id.org/crmgraph/id/quantity/mine-production> ;
  crm:value 21000 ; crm:unit <https://w3id.org/crmgraph/id/unit/tonne> ; crm:refYear "2023"^^xsd:gYear ;
  crm:scope <https://w3id.org/crmgraph/id/scope/world> ; crm:status crm:Verified ;
  prov:wasDerivedFrom [ crm:source <https://w3id.org/crmgraph/id/source/S31> ; crm:locator "p. 2" ] .
# agrees with the USGS row of 2024 (17,000 t), written in another unit
<https://w3id.org/crmgraph/id/figure/tj-sb-2024> a crm:Figure ; crm:subject <https://w3id.org/crmgraph/id/country/TJ> ;
  crm:material <https://w3id.org/crmgraph/id/material/antimony> ; crm:quantityKind <https://w3id.org/crmgraph/id/quantity/mine-production> ;
  crm:value 17 ; crm:unit <https://w3id.org/crmgraph/id/unit/kilotonne> ; crm:refYear "2024"^^xsd:gYear ;
  crm:scope <https://w3id.org/crmgraph/id/scope/world> ; crm:status crm:Verified ;
  prov:wasDerivedFrom [ crm:source <https://w3id.org/crmgraph/id/source/S31> ; crm:locator "p. 3" ] .
"""


@pytest.fixture(scope="module")
def with_imports():
    """A store with two curated figures (graph:asserted) beside the imported USGS table (graph:import/…)."""
    import pyoxigraph as ox

    from crmgraph.io.importing import import_into_store
    from crmgraph.namespaces import GRAPH_ASSERTED
    from crmgraph.store.embedded import OxigraphStore

    store = OxigraphStore(None)
    store.replace_graph(GRAPH_ASSERTED, [q.triple for q in ox.parse(CURATED.replace("id:unit\\/tonne", f"<{ID}unit/tonne>"),
                                                                     format=ox.RdfFormat.TURTLE)])
    import_into_store(store, "usgs-mcs", Path(__file__).resolve().parents[1] / "data" / "usgs-mcs2025-world")
    return find_disagreements(store)


def test_a_curated_figure_that_differs_from_the_imported_row_is_reported_with_both_sides(with_imports):
    (d,) = [d for d in with_imports if ID + "figure/tj-sb-2023" in d.statements()]
    assert d.kind == "figures" and values(d) == {21000, 17000}
    assert {r.source for s in d.sides for r in s.references} == {"S31", "usgs-mcs2025-world"}
    imported = next(s for s in d.sides if s.value == 17000)
    assert imported.says.startswith("17,000 ") and imported.says.endswith(" (extraction)") and imported.period == "2023"
    assert "COUNTRY='Tajikistan'" in imported.references[0].locator
    assert "imported dataset rows (usgs-mcs2025-world)" in d.why


def test_a_curated_figure_that_agrees_with_the_imported_row_in_another_unit_is_no_disagreement(with_imports):
    assert not [d for d in with_imports if ID + "figure/tj-sb-2024" in d.statements()]


def test_one_table_never_disagrees_with_itself(with_imports):
    """Mine and refinery output, ilmenite and rutile, 2023 and 2024: a table's series are not rival claims."""
    alone = [d.title for d in with_imports if {r.source for s in d.sides for r in s.references} == {"usgs-mcs2025-world"}]
    assert alone == []
