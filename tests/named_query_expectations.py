"""What every named query in queries/ must answer on the curated knowledge base.

EXPECTATIONS maps a query name to a list of (params, what must hold in words, check). `check` takes
the result records (dicts column → Python value: IRIs as full strings, literals as str/int/float)
and returns True when the expectation holds. Every expectation states a fact that is true in the
curated graph AND in shared/reference/facts.md, so a failing check means the data (or the query)
drifted from the reference.
"""
from __future__ import annotations

import re

ID = "https://w3id.org/crmgraph/id/"
CRM = "https://w3id.org/crmgraph/ontology#"


def country(code: str) -> str:
    return ID + "country/" + code


def mat(slug: str) -> str:
    return ID + "material/" + slug


def inst(slug: str) -> str:
    return ID + "instrument/" + slug


def fig(slug: str) -> str:
    return ID + "figure/" + slug


def claim(slug: str) -> str:
    return ID + "claim/" + slug


def site(slug: str) -> str:
    return ID + "site/" + slug


def org(slug: str) -> str:
    return ID + "org/" + slug


def source_keys(sources) -> set[str]:
    """The source keys of an aggregated `sources` cell ("S22a: Antimony chapter (via …); seed-000: …")."""
    return set(re.findall(r"(?:^|; )([A-Za-z0-9._-]+)(?=: |; |$)", str(sources or "")))


def values(records, column) -> set:
    if column == "source" and records and "source" not in records[0] and "sources" in records[0]:
        return {k for r in records for k in source_keys(r["sources"])}
    return {r[column] for r in records}


def _matches(r: dict, k: str, v) -> bool:
    if k == "source" and "source" not in r and "sources" in r:  # one finding, its sources aggregated
        return (v(r["sources"]) if callable(v) else v in source_keys(r["sources"]))
    return v(r.get(k)) if callable(v) else r.get(k) == v


def where(records, **conditions) -> list:
    """The records whose columns equal the given values (a callable value is used as a predicate).
    `source=KEY` matches a row whose aggregated `sources` cite KEY."""
    return [r for r in records if all(_matches(r, k, v) for k, v in conditions.items())]


def has(records, **conditions) -> bool:
    return bool(where(records, **conditions))


def all_sourced(records, source="sources", status="status") -> bool:
    """Every row names its sources and a verification status (provenance is the point)."""
    return bool(records) and all(r.get(source) and r.get(status) for r in records)


def year_of(text) -> int:
    return int(str(text)[:4])


CENTRAL_ASIA = {country(c) for c in ("KZ", "KG", "TJ", "TM", "UZ")}
STATUS_LABELS = {"verified", "second-hand", "unverified", "derived", "contradicted"}


EXPECTATIONS = {
    # ------------------------------------------------------------------ supply from Central Asia
    "eu-crm-supply-from-central-asia": [
        ({}, "Tajikistan and Kyrgyzstan produce antimony, Kazakhstan produces titanium metal (all on the 2023 list)",
         lambda rs: {("Tajikistan", "antimony"), ("Kyrgyzstan", "antimony"), ("Kazakhstan", "titanium metal")}
         <= {(r["country"], r["material"]) for r in rs}),
        ({}, "Turkmenistan produces no EU critical raw material (facts.md §4: iodine and sulfur are not CRMs)",
         lambda rs: "Turkmenistan" not in values(rs, "country") and all_sourced(rs)),
    ],
    "crm-supply-by-country": [
        ({}, "Kazakhstan offers antimony, titanium metal, lithium, tungsten (Tau-Ken Samruk deposits) and graphite (Sarytogan)",
         lambda rs: {"antimony", "titanium metal", "lithium", "tungsten", "graphite"} <= values(rs, "crmLabel")
         and all_sourced(rs)),
        ({}, "Kazakhstan's graphite comes through the Sarytogan deposit, on the word of S9h",
         lambda rs: has(rs, crm=mat("graphite"), holder=site("sarytogan-graphite"), source="S9h")),
        ({"country": "TJ"}, "Tajikistan produces antimony according to USGS (S22a) and Asia-Plus (S31), also via TALCO Gold and Anzob",
         lambda rs: {"S22a", "S31"} <= values(where(rs, crm=mat("antimony"), holder=country("TJ"), relation="produces"), "source")
         and {org("talco-gold"), org("anzob")} <= values(where(rs, crm=mat("antimony")), "holder")),
        ({"country": "KG"}, "Kyrgyzstan's only listed CRM is antimony (reserves 260,000 t, output 20 t)",
         lambda rs: values(rs, "crm") == {mat("antimony")} and {"produces", "has reserves of"} <= values(rs, "relation")),
        ({"country": "UZ"}, "Uzbekistan's copper comes from Almalyk MMC (its only copper producer)",
         lambda rs: has(rs, crm=mat("copper"), holder=org("almalyk-mmc"), relation="produces")),
        ({"country": "TM"}, "Turkmenistan: no EU-relevant CRM production or reserves found",
         lambda rs: rs == []),
    ],
    "material-supply-alternatives": [
        ({}, "antimony alternatives include Tajikistan, Kyrgyzstan and Kazakhstan; China is the other supplier (74 % of EU supply, 2020)",
         lambda rs: {country("TJ"), country("KG"), country("KZ")} <= values(where(rs, role="Central Asian alternative"), "country")
         and has(rs, role="other supplier", country=country("CN"), evidence="figure: share of EU supply", value=74)),
        ({}, "Tajikistan mined 17,000 t of antimony in 2024 (USGS MCS 2025) and Kyrgyzstan holds 260,000 t of reserves",
         lambda rs: has(rs, country=country("TJ"), value=17000, year="2024", source="S22a")
         and has(rs, country=country("KG"), value=260000, evidence="figure: reserves")),
        ({"material": "tungsten"}, "tungsten alternatives include Uzbekistan (UzKTJM, Ingichka) and Kazakhstan (Northern Katpar, Upper Kairakty)",
         lambda rs: {country("UZ"), country("KZ")} <= values(where(rs, role="Central Asian alternative"), "country")
         and {org("uzktjm"), site("northern-katpar")} <= values(rs, "holder")),
        ({"material": "bauxite-alumina-aluminium"}, "aluminium (a form of bauxite/alumina/aluminium) is produced by TALCO in Tajikistan",
         lambda rs: has(rs, holder=org("talco"), evidence="produces aluminium")),
    ],
    "eu-dominant-suppliers": [
        ({}, "China supplies 74 % of EU antimony (2020) and Tajikistan and Kyrgyzstan are Central Asian alternatives",
         lambda rs: any(r["material"] == mat("antimony") and r["supplier"] == country("CN") and r["value"] == 74
                        and "Tajikistan" in (r["centralAsianAlternatives"] or "")
                        and "Kyrgyzstan" in (r["centralAsianAlternatives"] or "") for r in rs)),
        ({}, "the alternatives name their sources as a reader knows them (publisher or title), never by a register key",
         lambda rs: any("U.S. Geological Survey" in (r["centralAsianAlternatives"] or "") for r in rs)
         and not any(re.search(r"\b(S\d+[a-z]?|seed-\d+)\b", r["centralAsianAlternatives"] or "") for r in rs)),
        ({}, "China supplies 97 % of EU magnesium (European Court of Auditors, S27); every row is at or above 50 %",
         lambda rs: has(rs, material=mat("magnesium"), supplier=country("CN"), value=97, source="S27")
         and all(r["value"] >= 50 for r in rs)),
        ({"threshold": "90"}, "at 90 %: magnesium (China), borates (Türkiye 98 %) and rare earths (China 98 %), not antimony",
         lambda rs: {mat("magnesium"), mat("borates"), mat("rare-earth-elements")} <= values(rs, "material")
         and mat("antimony") not in values(rs, "material") and all(r["value"] >= 90 for r in rs)),
    ],
    # ------------------------------------------------------------------ instruments
    "eu-instruments-by-country": [
        ({}, "KZ instruments include the 2022 MoU signed 2022-11-07 and the EPCA signed 2015-12-21, now in force",
         lambda rs: has(rs, instrument=inst("eu-kz-mou-raw-materials-2022"), step="signed on", value="2022-11-07")
         and has(rs, instrument=inst("eu-kz-epca"), step="signed on", value="2015-12-21")
         and has(rs, instrument=inst("eu-kz-epca"), step="instrument status", value="in force")
         and all_sourced(rs)),
        ({"country": "UZ"}, "UZ: CRM MoU signed 2024-04-05; EPCA signed 2025-10-24",
         lambda rs: has(rs, instrument=inst("eu-uz-mou-crm-2024"), step="signed on", value="2024-04-05")
         and has(rs, instrument=inst("eu-uz-epca"), step="signed on", value="2025-10-24")),
        ({"country": "KG"}, "KG: EPCA initialled 2019-07-06 and signed 2024-06-25",
         lambda rs: has(rs, instrument=inst("eu-kg-epca"), step="initialled on", value="2019-07-06")
         and has(rs, instrument=inst("eu-kg-epca"), step="signed on", value="2024-06-25")),
        ({"country": "TJ"}, "TJ: EPCA under negotiation (talks opened 2023-02-23) and no raw-materials memorandum",
         lambda rs: has(rs, instrument=inst("eu-tj-epca"), step="negotiations opened on", value="2023-02-23")
         and has(rs, instrument=inst("eu-tj-epca"), step="instrument status", value="under negotiation")
         and not any("Memorandum" in r["instrumentLabel"] for r in rs)),
        ({"country": "TM"}, "TM: PCA signed 1998-05-25 but not in force; Interim Trade Agreement in force since 2010-08",
         lambda rs: has(rs, instrument=inst("eu-tm-pca-1998"), step="signed on", value="1998-05-25")
         and has(rs, instrument=inst("eu-tm-pca-1998"), step="instrument status", value="signed but not in force")
         and has(rs, instrument=inst("eu-tm-interim-trade-agreement"), step="in force from", value="2010-08")),
    ],
    "eu-ca-instrument-timeline": [
        ({}, "the timeline runs in date order from the 1990s PCAs to the EPCA with Uzbekistan signed 2025-10-24",
         lambda rs: [r["date"] for r in rs] == sorted(r["date"] for r in rs)
         and has(rs, instrument=inst("eu-uz-epca"), step="signed on", date="2025-10-24")
         and rs[0]["date"].startswith("199")),
        ({}, "it includes the 2019 Strategy (Council 2019-06-17), the Joint Roadmap (2023-10-23) and the JDI on CRMs (2025-04-04)",
         lambda rs: has(rs, instrument=inst("eu-central-asia-strategy-2019"), date="2019-06-17")
         and has(rs, instrument=inst("eu-ca-joint-roadmap-2023"), date="2023-10-23")
         and has(rs, instrument=inst("eu-ca-jdi-crm-2025"), date="2025-04-04")
         and all_sourced(rs)),
    ],
    # ------------------------------------------------------------------ CRM lists
    "crm-list-changes": [
        ({}, "2020→2023 added exactly arsenic, copper, feldspar, helium, manganese and battery-grade nickel",
         lambda rs: values(where(rs, change="added"), "material")
         == {mat(m) for m in ("arsenic", "copper", "feldspar", "helium", "manganese", "nickel-battery-grade")}),
        ({}, "2020→2023 removed exactly indium and natural rubber",
         lambda rs: values(where(rs, change="removed"), "material") == {mat("indium"), mat("natural-rubber")}),
        ({}, "2020→2023 renames: borate→boron, titanium→titanium metal, bauxite→bauxite/alumina/aluminium, natural graphite→graphite",
         lambda rs: {(r["previousMaterial"], r["material"]) for r in where(rs, change="renamed")}
         == {(mat("borates"), mat("boron")), (mat("titanium"), mat("titanium-metal")),
             (mat("bauxite"), mat("bauxite-alumina-aluminium")), (mat("natural-graphite"), mat("graphite"))}
         and all_sourced(rs)),
        ({"from": "eu-crm-2017", "to": "eu-crm-2020"}, "2017→2020 added bauxite, lithium, titanium, strontium; helium dropped",
         lambda rs: values(where(rs, change="added"), "material") == {mat(m) for m in ("bauxite", "lithium", "titanium", "strontium")}
         and values(where(rs, change="removed"), "material") == {mat("helium")}),
        ({"from": "eu-crm-2014", "to": "eu-crm-2017"}, "2014→2017 added nine materials; chromium and magnesite dropped",
         lambda rs: len(values(where(rs, change="added"), "material")) == 9
         and values(where(rs, change="removed"), "material") == {mat("chromium"), mat("magnesite")}),
    ],
    "crm-list-entries": [
        ({}, "eu-crm-2023 has 34 entries; copper is point (j), position 10",
         lambda rs: len(values(rs, "material")) == 34
         and has(rs, material=mat("copper"), annexPoint="j", position=10) and all_sourced(rs)),
        ({"list": "crma-strategic-2024"}, "the CRMA strategic list has 17 entries, (a) bauxite/alumina/aluminium … (q) tungsten",
         lambda rs: len(values(rs, "material")) == 17
         and has(rs, annexPoint="a", material=mat("bauxite-alumina-aluminium"))
         and has(rs, annexPoint="q", material=mat("tungsten"))),
        ({"list": "eu-crm-2011"}, "the 2011 list has 14 entries", lambda rs: len(values(rs, "material")) == 14),
        ({"list": "eu-crm-2014"}, "the 2014 list has 20 entries", lambda rs: len(values(rs, "material")) == 20),
        ({"list": "eu-crm-2017"}, "the 2017 list has 27 entries", lambda rs: len(values(rs, "material")) == 27),
        ({"list": "eu-crm-2020"}, "the 2020 list has 30 entries", lambda rs: len(values(rs, "material")) == 30),
    ],
    "materials-on-every-edition": [
        ({}, "exactly ten materials are on all five editions (antimony, beryllium, cobalt, fluorspar, gallium, germanium, magnesium, niobium, PGMs, tungsten)",
         lambda rs: values(rs, "material") == {mat(m) for m in (
             "antimony", "beryllium", "cobalt", "fluorspar", "gallium", "germanium", "magnesium", "niobium",
             "platinum-group-metals", "tungsten")} and all(r["editions"] == 5 and r["sources"] for r in rs)),
    ],
    "materials-dropped-from-list": [
        ({}, "indium and natural rubber were last on the 2020 list and not renamed; chromium and magnesite last on 2014",
         lambda rs: all(r["renamedTo"] is None and "2020" in r["lastEdition"]
                        for r in where(rs, material=lambda m: m in (mat("indium"), mat("natural-rubber"))))
         and {mat("indium"), mat("natural-rubber")} <= values(rs, "material")
         and all("2014" in r["lastEdition"] for r in where(rs, material=lambda m: m in (mat("chromium"), mat("magnesite"))))
         and {mat("chromium"), mat("magnesite")} <= values(rs, "material")),
        ({}, "borate is not dropped but carried on as boron (rename); copper and tantalum are not dropped",
         lambda rs: has(rs, material=mat("borates"), renamedTo=mat("boron"))
         and not ({mat("copper"), mat("tantalum")} & values(rs, "material"))),
        ({"list": "eu-crm-2020"}, "compared with 2020, helium (last on the 2017 list) had been dropped",
         lambda rs: has(rs, material=mat("helium"), lastEdition=lambda e: "2017" in e)),
    ],
    "critical-and-strategic-materials": [
        ({}, "copper (critical point j) and battery-grade nickel (point w) are both critical and strategic",
         lambda rs: has(rs, strategicMaterial=mat("copper"), criticalPoint="j", inferredCriticalAndStrategic=True)
         and has(rs, strategicMaterial=mat("nickel-battery-grade"), criticalPoint="w", inferredCriticalAndStrategic=True)),
        ({}, "all 17 strategic entries are listed; battery-grade lithium is covered by critical lithium (its base material)",
         lambda rs: len(values(rs, "strategicMaterial")) == 17
         and has(rs, strategicMaterial=mat("lithium-battery-grade"), criticalMaterial=mat("lithium"), match="base material")),
    ],
    # ------------------------------------------------------------------ figures and claims
    "figures-by-subject": [
        ({}, "Tajikistan mined 17,000 t of antimony in 2024 (USGS, S22a) and 21,000 t in 2023 (S31)",
         lambda rs: has(rs, quantity="mine production", materialLabel="antimony", value=17000, when="2024", source="S22a")
         and has(rs, quantity="mine production", materialLabel="antimony", value=21000, when="2023", source="S31")),
        ({"subject": "org:kazatomprom"}, "Samruk-Kazyna's stake in Kazatomprom is reported as 81.2 % and 85.08 % (2019)",
         lambda rs: {81.2, 85.08} <= values(where(rs, quantity="ownership stake"), "value")),
    ],
    "figures-by-subject-and-kind": [
        ({}, "Kazakhstan is said to produce 19 of 34 and 18 of 34 EU CRMs; seed 000's 15 of 32 is unverified",
         lambda rs: has(rs, value=19, outOf=34) and has(rs, value=18, outOf=34)
         and has(rs, value=15, outOf=32, status="unverified") and all_sourced(rs)),
        ({"subject": "country:TJ", "kind": "mine-production"}, "Tajik antimony mine output: 17,000 t (2024) and 21,000 t (2023)",
         lambda rs: {17000, 21000} <= values(where(rs, materialLabel="antimony"), "value")),
    ],
    "material-figures": [
        ({}, "antimony 2024: Tajikistan 17,000 t, China 60,000 t; Kyrgyzstan reserves 260,000 t",
         lambda rs: has(rs, subject=country("TJ"), quantity="mine production", value=17000, when="2024")
         and has(rs, subject=country("CN"), quantity="mine production", value=60000, when="2024")
         and has(rs, subject=country("KG"), quantity="reserves", value=260000) and all_sourced(rs)),
        ({"material": "uranium"}, "Kazakhstan mined 21,112 tU in 2023 (Red Book, second-hand)",
         lambda rs: has(rs, subject=country("KZ"), quantity="mine production", value=21112, when="2023", status="second-hand")),
    ],
    "figures-by-year-range": [
        ({}, "2023–2024 figures include Tajik antimony 17,000 t (2024), and every row's year or period touches 2023–2024",
         lambda rs: has(rs, subject=country("TJ"), value=17000, when="2024")
         and all(year_of(r["when"][:4]) <= 2024 for r in rs if r["when"][:1].isdigit())
         and not any(r["when"] in ("2020", "2021", "2011") for r in rs)),
        ({"from": "2010", "to": "2015"}, "2010–2015 includes the list sizes of 2011 (14) and 2014 (20)",
         lambda rs: has(rs, quantity="list size", value=14, when="2011") and has(rs, quantity="list size", value=20, when="2014")),
    ],
    "conflicting-figures": [
        ({}, "Middle Corridor cargo in 2024: 4.1 Mt (S19e) vs 4.5 Mt (S19f)",
         lambda rs: any({r["value1"], r["value2"]} == {4.1, 4.5} and r["quantity"] == "cargo volume" for r in rs)),
        ({}, "Samruk-Kazyna's Kazatomprom stake: 81.2 % vs 85.08 %; Tau-Ken Samruk EU/EBRD grant: €400,000 vs €200,000",
         lambda rs: any({r["value1"], r["value2"]} == {81.2, 85.08} for r in rs)
         and any({r["value1"], r["value2"]} == {200000, 400000} for r in rs)
         and all(r["sources1"] and r["sources2"] and r["value1"] != r["value2"] for r in rs)),
    ],
    "denied-claims": [
        ({}, "seed 000's 'copper is not critical' is contradicted; the graph asserts copper critical in 2023 on S1b's word",
         lambda rs: has(rs, claim=claim("seed000-copper-not-critical"), claimStatus="contradicted",
                        claimSources=lambda s: "seed-000" in source_keys(s), assertedStatus="verified",
                        assertedSources=lambda s: "S1b" in source_keys(s))),
        ({}, "the nickel denial has no asserted counterpart (Annex II lists nickel — battery grade, not nickel)",
         lambda rs: bool(where(rs, claim=claim("seed000-nickel-not-critical")))
         and all(not r["assertedSources"] for r in where(rs, claim=claim("seed000-nickel-not-critical")))),
    ],
    "figure-sources": [
        ({}, "Tajikistan's 2024 antimony output rests on USGS MCS 2025 (S22a), cited in the reference fact sheet",
         lambda rs: values(rs, "source") == {"S22a"} and values(rs, "citedIn") == {"reference-facts"}
         and all(r["value"].startswith("17000") for r in rs)),
        ({"figure": "claim:seed000-copper-not-critical"}, "the copper denial is seed 000's, and reads NOT critical in the 2023 list",
         lambda rs: "seed-000" in values(rs, "source") and all(r["value"].startswith("NOT ") for r in rs)
         and values(rs, "status") == {"contradicted"}),
    ],
    # ------------------------------------------------------------------ companies, sites, projects
    "companies-by-material": [
        ({}, "antimony: TALCO Gold and Anzob, both Tajik, produce it",
         lambda rs: {org("talco-gold"), org("anzob")} <= values(where(rs, link="produces"), "org")
         and all(r["countries"] == "Tajikistan" for r in where(rs, org=lambda o: o in (org("talco-gold"), org("anzob"))))),
        ({"material": "tungsten"}, "tungsten: Tau-Ken Samruk, UzKTJM, Jiaxin and Cove Kaz Capital",
         lambda rs: {org("tau-ken-samruk"), org("uzktjm"), org("jiaxin"), org("cove-kaz-capital")} <= values(rs, "org")
         and all_sourced(rs)),
    ],
    "sites-by-material": [
        ({}, "tungsten: Northern Katpar and Upper Kairakty (Kazakhstan, Tau-Ken Samruk) and Ingichka (Uzbekistan, mothballed since 1996)",
         lambda rs: has(rs, site=site("northern-katpar"), countryLabel="Kazakhstan", operatorLabel="Tau-Ken Samruk")
         and has(rs, site=site("upper-kairakty"), countryLabel="Kazakhstan")
         and has(rs, site=site("ingichka"), countryLabel="Uzbekistan", projectStatus="mothballed since 1996")),
        ({"material": "rare-earth-elements"}, "rare earths: the 2025 Kuirektykol find in Kazakhstan",
         lambda rs: has(rs, site=site("kuirektykol"), countryLabel="Kazakhstan") and all_sourced(rs)),
    ],
    "sites-in-country": [
        ({}, "Kazakhstan: Sarytogan graphite (strategic project since 2025-06-04) and Kuirektykol in Karkaraly district",
         lambda rs: has(rs, site=site("sarytogan-graphite"), strategicProjectSince="2025-06-04", materials="graphite")
         and has(rs, site=site("kuirektykol"), statedLocation="Karkaraly district") and all_sourced(rs)),
        ({"country": "TJ"}, "Tajikistan: Konchoch (TALCO Gold) and Jijikrut (Anzob) antimony deposits",
         lambda rs: has(rs, site=site("konchoch"), operatorLabel="TALCO Gold") and has(rs, site=site("jijikrut"), operatorLabel="Anzob")),
        ({"country": "UZ"}, "Uzbekistan: Muruntau, Kalmakyr, Yoshlik and Ingichka",
         lambda rs: {site(s) for s in ("muruntau", "kalmakyr", "yoshlik", "ingichka")} <= values(rs, "site")),
    ],
    "crma-strategic-projects": [
        ({}, "Sarytogan graphite (Kazakhstan) is a strategic project since 2025-06-04, the only Central Asian one",
         lambda rs: has(rs, project=site("sarytogan-graphite"), fact="strategic project since", valueLabel="2025-06-04")
         and has(rs, project=site("sarytogan-graphite"), fact="located in", valueLabel="Kazakhstan")
         and values(where(rs, kind="1 strategic project"), "project") == {site("sarytogan-graphite")}),
        ({}, "selection: 47 projects in the EU, 13 outside, 60 in all",
         lambda rs: has(rs, fact="project count - CRMA strategic projects in the EU", value=47)
         and has(rs, fact="project count - CRMA strategic projects outside the EU", value=13)
         and has(rs, fact="project count - all CRMA strategic projects", value=60) and all_sourced(rs)),
    ],
    "erma-members": [
        ({}, "Uzbekistan's TMK is an asserted, verified ERMA member (S20c)",
         lambda rs: has(rs, member=org("uz-tmk"), kind="member (asserted)", status="verified", source="S20c")),
        ({}, "Tau-Ken Samruk and Phoenix Mining are ERMA members only by seed 000's unverified claim",
         lambda rs: {org("tau-ken-samruk"), org("phoenix-mining")} <= values(where(rs, kind="member (claim only)", status="unverified"), "member")
         and not has(rs, member=org("tau-ken-samruk"), kind="member (asserted)")),
    ],
    # ------------------------------------------------------------------ countries and reasoning
    "crm-countries-without-eu-instrument": [
        ({}, "China produces CRMs with no bilateral EU instrument; every Central Asian state has one (PCA/EPCA/ITA)",
         lambda rs: country("CN") in values(rs, "country") and not (CENTRAL_ASIA & values(rs, "country"))
         and all_sourced(rs)),
    ],
    "crm-countries-without-rm-partnership": [
        ({}, "Tajikistan and Kyrgyzstan hold/produce CRMs without a raw-materials partnership; Kazakhstan and Uzbekistan have MoUs",
         lambda rs: {country("TJ"), country("KG")} <= values(rs, "country")
         and not ({country("KZ"), country("UZ")} & values(rs, "country"))),
        ({}, "Tajikistan's other EU instruments are its PCA and the EPCA under negotiation",
         lambda rs: all("Partnership and Cooperation Agreement" in (r["otherEUInstruments"] or "")
                        for r in where(rs, country=country("TJ")))),
    ],
    "inferred-about-entity": [
        ({}, "Kazakhstan is inferred a CRM-producing country because it produces antimony (S22a), a Central Asian country and an EU raw-materials partner",
         lambda rs: has(rs, object=CRM + "CRMProducingCountry", rule="defined class", basisObject="antimony", source="S22a")
         and {CRM + "CentralAsianCountry", CRM + "EURawMaterialsPartner"} <= values(rs, "object")),
        ({"iri": "inst:eu-kz-mou-raw-materials-2022"}, "the 2022 MoU has party Kazakhstan, inverse of the asserted 'party to' (S13a)",
         lambda rs: has(rs, object=country("KZ"), rule="inverse property", basisProperty="party to", source="S13a")),
        ({"iri": "site:kuirektykol"}, "Kuirektykol is located in Kazakhstan through Karkaraly district (property chain)",
         lambda rs: has(rs, object=country("KZ"), rule="property chain", basisObject="Karkaraly district")),
    ],
    "entity-facts": [
        ({}, "the 2022 EU–KZ MoU: signed 2022-11-07 by von der Leyen and Smailov; parties EU and Kazakhstan",
         lambda rs: has(rs, property="signed on", otherLabel="2022-11-07")
         and {"Ursula von der Leyen", "Alikhan Smailov"} <= values(where(rs, property="signatory"), "otherLabel")
         and {"European Union", "Kazakhstan"} <= values(where(rs, property="party to"), "otherLabel")
         and all_sourced(rs)),
        ({"iri": "org:tau-ken-samruk"}, "Tau-Ken Samruk operates Northern Katpar and is a subsidiary of Samruk-Kazyna",
         lambda rs: has(rs, direction="->", property="operates", other=site("northern-katpar"))
         and has(rs, direction="->", otherLabel="Samruk-Kazyna")),
    ],
    # ------------------------------------------------------------------ sources and statuses
    "facts-by-source": [
        ({}, "USGS antimony chapter (S22a): Tajikistan 17,000 t figure and the 'Tajikistan produces antimony' relation",
         lambda rs: has(rs, kind="figure", subjectLabel="Tajikistan", property="mine production", objectLabel="17000 tonne")
         and has(rs, kind="relation", subjectLabel="Tajikistan", property="produces", objectLabel="antimony")
         and all(r["role"] == "source" and r["locator"] for r in rs)),
        ({"source": "seed-000"}, "seed 000 denies copper is critical in the 2023 list",
         lambda rs: has(rs, kind="claim (denied)", subjectLabel="copper", property="critical in", status="contradicted")),
    ],
    "source-fact-counts": [
        ({}, "the Regulation (S1a) supports the 17 strategic-list entries; the fact sheet is only ever cited in",
         lambda rs: has(rs, source="S1a", listEntries=lambda n: n >= 17)
         and has(rs, source="reference-facts", total=0, citedInCount=lambda n: n > 0)),
        ({}, "seed 000 supports claims, many of them unverified",
         lambda rs: has(rs, source="seed-000", claims=lambda n: n > 0, unverifiedOrSecondHand=lambda n: n > 0)),
    ],
    "statements-by-status": [
        ({}, "unverified: seed 000's '42 % of EU antimony imports' for Tajikistan; every row is unverified",
         lambda rs: any(r["statement"] == fig("seed000-tj-antimony-share-eu-imports") for r in rs)
         and values(rs, "statusLabel") == {"unverified"} and all(r["sources"] for r in rs)),
        ({"status": "crm:SecondHand"}, "second-hand: USGS-quoted Tajik 2024 antimony output",
         lambda rs: any(r["statement"] == fig("tj-antimony-mine-production-2024-s22a") for r in rs)
         and values(rs, "statusLabel") == {"second-hand"}),
        ({"status": "crm:Contradicted"}, "contradicted: seed 000's copper and nickel denials",
         lambda rs: {claim("seed000-copper-not-critical"), claim("seed000-nickel-not-critical")} <= values(rs, "statement")),
    ],
    "statement-status-counts": [
        ({}, "all 142 list entries (14+20+27+30+34+17) are verified; statuses are the five known ones; contradicted claims exist",
         lambda rs: has(rs, kind="list entry", status="verified", statements=142)
         and values(rs, "status") <= STATUS_LABELS
         and has(rs, kind="claim", status="contradicted", statements=lambda n: n >= 2)),
    ],
    # ------------------------------------------------------------------ dependency, restrictions, corridor, people
    "eu-dependency-by-supplier": [
        ({}, "China 97 % of EU magnesium (ECA), Türkiye 98 % of EU borates (Commission factsheet), China 46.3 % of EU REE imports (Eurostat 2024)",
         lambda rs: has(rs, subject=country("CN"), materialLabel="magnesium", value=97, source="S27")
         and has(rs, subject=country("TR"), materialLabel="borates", value=98, source="S28")
         and has(rs, subject=country("CN"), materialLabel="rare earth elements", value=46.3)),
    ],
    "export-restrictions": [
        ({}, "China's antimony export controls, in effect from 2024-09; no antimony shipped to the EU since Oct 2024 (S30)",
         lambda rs: has(rs, aspect="imposed by", value=country("CN"))
         and has(rs, aspect="material", value=mat("antimony"))
         and has(rs, aspect="start date", valueLabel="2024-09")
         and any(r["aspect"].startswith("effect: export volume") and r["value"] == "0 tonne" and "S30" in source_keys(r["sources"]) for r in rs)),
    ],
    "middle-corridor-figures": [
        ({}, "cargo: 2.7 Mt in 2023, 4.1 Mt (Jan–Nov, S19e) and 4.5 Mt (S19f) in 2024; EU goal: Europe–Central Asia in 15 days or less",
         lambda rs: has(rs, quantity="cargo volume", value=2.7, when="2023")
         and has(rs, quantity="cargo volume", value=4.1, when="2024", source="S19e")
         and has(rs, quantity="cargo volume", value=4.5, when="2024", source="S19f")
         and has(rs, value=15, unitLabel="day", qualifier="up to")),
    ],
    "people-and-roles": [
        ({}, "Dombrovskis (Executive Vice-President) signed the EU–Uzbekistan MoU on 2024-04-05",
         lambda rs: has(rs, personLabel="Valdis Dombrovskis", activity="signed", what=inst("eu-uz-mou-crm-2024"), date="2024-04-05")
         and has(rs, personLabel="Valdis Dombrovskis", activity="holds role",
                 whatLabel=lambda w: w.startswith("Executive Vice-President"))),
        ({}, "von der Leyen signed the EU–Kazakhstan MoU on 2022-11-07; Mirziyoyev chaired the Samarkand summit",
         lambda rs: has(rs, personLabel="Ursula von der Leyen", activity="signed", what=inst("eu-kz-mou-raw-materials-2022"), date="2022-11-07")
         and has(rs, personLabel="Shavkat Mirziyoyev", activity="chaired") and all_sourced(rs)),
    ],
    "eu-exposure-to-supplier": [
        ({}, "China supplies 97 % of the EU's magnesium (S27) and 74 % of its antimony (S26c); every row sourced",
         lambda rs: has(rs, material=mat("magnesium"), share=97, source="S27")
         and has(rs, material=mat("antimony"), share=74, source="S26c") and all_sourced(rs)),
    ],
    # The next two read graph:analytics, which `crmgraph build` computes from the datasets of data/; the
    # session store holds the curated graph only, so they must answer nothing there (tested on a fixture
    # with computed indicators in tests/test_analysis_queries.py).
    "most-concentrated-crms": [
        ({}, "no indicator without the imported datasets", lambda rs: rs == []),
    ],
    "central-asian-alternatives": [
        ({}, "no computed producer share without the imported datasets", lambda rs: rs == []),
    ],
    "curated-vs-imported-figures": [
        ({}, "nothing to compare without the imported datasets", lambda rs: rs == []),
    ],
}
