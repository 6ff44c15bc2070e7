"""Factsheets: what a reader wants first about a country or a material, as data (the portal renders it).

A factsheet is a few sections, each the answer of a named query of `queries/` bound to the entity
(so the factsheet says exactly what the query pages say, and links to them), plus the conflicts
about the entity:

- a **country**: the critical raw materials it (or a company based there, or a site located there)
  produces, holds or processes (`crm-supply-by-country`); its instruments with the EU, dated
  (`eu-instruments-by-country`); the figures about it (`figures-by-subject`); where sources disagree.
- a **material**: its history on the EU lists 2011–2023 and the CRMA strategic list (one fixed query);
  world and EU supplier shares (`material-figures`, share quantities only); who supplies it and which
  Central Asian states could (`material-supply-alternatives`); where sources disagree.

Every section keeps its rows' statuses and sources; nothing is summarised away.

With the imported datasets (issue 10), a factsheet also carries the entity's supply-risk indicators
(`indicators_for`: the analysis layer's `MaterialIndicators` or `CountryIndicators`, the numbers `/risk`
shows): for a material the concentration of world and EU supply, its largest supplier, the Central Asian
producers with the EU's instruments and their status, SR/EI against the thresholds; for a country the
materials it produces with its world share, and its centrality in the supply network. Without data
(a store built without `data/`, or an entity no dataset covers) there are none, and the page says so.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from ..query.named import NamedQuery, run_named
from ..query.results import Table, to_table
from .conflicts import Disagreement, find_disagreements

#: Kinds of entity that have a factsheet.
KINDS = ("country", "material")

_LIST_HISTORY = """SELECT ?list ?listLabel ?year ?entry ?officialName ?status ?source ?locator WHERE {
  ?list a ?listClass ; skos:prefLabel ?listLabel . FILTER(LANG(?listLabel) = "en")
  VALUES ?listClass { crm:CriticalRawMaterialsList crm:StrategicRawMaterialsList }
  OPTIONAL { ?list crm:edition|crm:year|dcterms:date ?y0 }
  BIND(COALESCE(STR(?y0), REPLACE(STR(?list), "^.*-([0-9]{4})$", "$1")) AS ?year)
  OPTIONAL {
    ?entry crm:inList ?list ; crm:material __M__ .
    OPTIONAL { ?entry crm:officialName ?officialName }
    OPTIONAL { ?entry crm:status/skos:prefLabel ?status . FILTER(LANG(?status) = "en") }
    OPTIONAL { ?entry prov:wasDerivedFrom ?ref . ?ref crm:source/crm:sourceKey ?source . OPTIONAL { ?ref crm:locator ?locator } }
  }
} ORDER BY ?year ?list"""


@dataclass
class Section:
    """One part of a factsheet: a heading, what it answers, and the rows (with their sources)."""

    key: str
    title: str
    table: Table
    query: str | None = None                          # the named query it comes from (linked)
    params: dict[str, str] = field(default_factory=dict)
    note: str = ""


@dataclass
class Factsheet:
    iri: str
    kind: str
    sections: list[Section]
    conflicts: list[Disagreement]
    html: str | None = None      # a renderer may keep its rendering here (the portal does, per server)
    indicators: object | None = None   # analysis.indicators.MaterialIndicators / CountryIndicators, if any data


def _named(store, queries: dict[str, NamedQuery], name: str, params: dict[str, str], index) -> Table | None:
    """A named query's answer, or None if the project has no such query (a factsheet is still shown)."""
    if name not in queries:
        return None
    answer = run_named(store, queries[name], params, index=index)
    return answer if isinstance(answer, Table) else None


def _about(disagreement: Disagreement, iri: str) -> bool:
    return any(str(v) == iri for v in disagreement.about.values())


def conflicts_about(store, iri: str, conflicts: list[Disagreement] | None = None) -> list[Disagreement]:
    """The disagreements (analysis.conflicts) whose shared key names the entity (as subject, material,
    object …); `conflicts`: the store's report if already computed (the slowest part of a factsheet)."""
    return [d for d in (conflicts if conflicts is not None else find_disagreements(store)) if _about(d, iri)]


def country_factsheet(store, iri: str, queries: dict[str, NamedQuery], index=None, conflicts=None) -> Factsheet:
    params = {"country": iri}
    sections = []
    for key, title, name, p, note in (
        ("crms", "Critical raw materials it produces, holds or processes", "crm-supply-by-country", params,
         "On the EU's 2023 list, through the country itself, a company based there or a site located there."),
        ("instruments", "Instruments with the EU", "eu-instruments-by-country", params,
         "Each dated step of each instrument, earliest first."),
        ("figures", "Key figures", "figures-by-subject", {"subject": iri}, "Every figure about it, with its scope and year."),
    ):
        table = _named(store, queries, name, p, index)
        if table is not None:
            sections.append(Section(key, title, table, name, p, note))
    return Factsheet(iri, "country", sections, conflicts_about(store, iri, conflicts))


def material_factsheet(store, iri: str, queries: dict[str, NamedQuery], index=None, conflicts=None) -> Factsheet:
    m = ox.NamedNode(iri)
    history = to_table(store.query(_LIST_HISTORY.replace("__M__", str(m))))
    sections = [Section("lists", "On the EU lists, 2011–2023", history, None, {},
                        "Each edition of the EU critical raw materials list and the CRMA strategic list: on it or not.")]
    figures = _named(store, queries, "material-figures", {"material": iri}, index)
    if figures is not None:
        qi = figures.columns.index("quantity") if "quantity" in figures.columns else None
        rows = [r for r in figures.rows if qi is not None and (q := r[qi]) is not None and "share" in q.value.lower()]
        sections.append(Section("shares", "World and EU supplier shares", Table(figures.columns, rows),
                                "material-figures", {"material": iri},
                                "Shares of world production, reserves and EU imports or supply, as each source states them."))
    alternatives = _named(store, queries, "material-supply-alternatives", {"material": iri}, index)
    if alternatives is not None:
        sections.append(Section("producers", "Who supplies it, and Central Asian producers", alternatives,
                                "material-supply-alternatives", {"material": iri}))
    return Factsheet(iri, "material", sections, conflicts_about(store, iri, conflicts))


def factsheet(store, iri: str, kind: str, queries: dict[str, NamedQuery], index=None, conflicts=None) -> Factsheet | None:
    """The factsheet of an entity of a kind that has one (KINDS), else None."""
    if kind == "country":
        return country_factsheet(store, iri, queries, index, conflicts)
    if kind == "material":
        return material_factsheet(store, iri, queries, index, conflicts)
    return None


def indicators_for(supply, iri: str, kind: str, centrality: dict | None = None):
    """The entity's supply-risk indicators over an analytics snapshot (`analysis.supplydata.load`), or None
    when no dataset says anything about it (missing stays missing: no empty indicator block)."""
    from . import indicators as ind

    if supply is None:
        return None
    if kind == "material":
        m = ind.material_indicators(supply, iri)
        return m if (m.series or m.eu_sourcing or m.sr is not None or m.sub_groups) else None
    if kind == "country":
        c = ind.country_indicators(supply, iri, centrality=centrality)
        return c if (c.materials or c.eu_sourcing) else None
    return None
