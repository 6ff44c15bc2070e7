"""The inputs of the supply-risk analytics, read from the store in a few whole-graph queries.

Indicators and scenarios are computed in Python over this snapshot rather than in SPARQL: an HHI
needs all suppliers of a series at once, and the same snapshot answers every material and country
in well under a second (benchmarks/analytics.py). Everything here is read from the graph — figures
with their series, stage, year, unit and source; withheld values; instruments and their status —
so a change to the data changes the answers, never a constant in the code.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..namespaces import ID
from ..query.results import to_table

WORLD = ID + "region/world"
OTHER = ID + "region/other-countries"
EU = ID + "union/EU"

_PRODUCTION = """
SELECT ?f ?kind ?subject ?material ?series ?stage ?year ?value ?factor ?unit ?base ?qual ?source ?locator WHERE {
  ?f crm:series ?series ; crm:quantityKind qk:production ; crm:stage ?stage ; a ?kind .
  FILTER(?kind IN (crm:Figure, crm:WithheldFigure))
  ?f crm:material ?material ; crm:subject ?subject ; crm:refYear ?y ; crm:unit ?unit ; prov:wasDerivedFrom ?ref .
  ?ref crm:source ?src ; crm:locator ?locator . ?src crm:sourceKey ?source .
  OPTIONAL { ?f crm:value ?value }
  OPTIONAL { ?unit crm:multiplier ?m }
  OPTIONAL { ?unit crm:baseUnit ?b }
  OPTIONAL { ?f crm:valueQualifier ?qual }
  BIND(STR(?y) AS ?year) BIND(COALESCE(?m, 1) AS ?factor) BIND(COALESCE(?b, ?unit) AS ?base)
}"""

_UNIT_SYMBOLS = """SELECT ?unit ?symbol WHERE { ?unit a crm:Unit ; crm:symbol ?symbol }"""

_SHARES = """
SELECT ?f ?subject ?material ?stage ?value ?qual ?source ?locator WHERE {
  ?f crm:stage ?stage ; crm:quantityKind qk:share-of-eu-supply .
  ?f crm:material ?material ; crm:subject ?subject ; crm:value ?value ; prov:wasDerivedFrom ?ref .
  ?ref crm:source ?src ; crm:locator ?locator . ?src crm:sourceKey ?source .
  OPTIONAL { ?f crm:valueQualifier ?qual }
}"""

_SCORES = """
SELECT ?f ?qk ?material ?year ?value ?source ?locator WHERE {
  VALUES ?qk { qk:supply-risk qk:economic-importance }
  ?f crm:quantityKind ?qk ; crm:material ?material ; crm:refYear ?y ; crm:value ?value ; prov:wasDerivedFrom ?ref .
  ?ref crm:source ?src ; crm:locator ?locator . ?src crm:sourceKey ?source .
  BIND(STR(?y) AS ?year)
}"""

_INSTRUMENTS = """
SELECT DISTINCT ?country ?instrument ?label ?status ?statusLabel WHERE {
  ?country crm:partyTo ?instrument . union:EU crm:partyTo ?instrument . FILTER(?country != union:EU)
  ?instrument skos:prefLabel ?label . FILTER(LANG(?label) = "en")
  OPTIONAL { ?instrument crm:instrumentStatus ?status . ?status skos:prefLabel ?statusLabel . FILTER(LANG(?statusLabel) = "en") }
}"""

_LABELS = """
SELECT ?e ?label ?ca ?kind WHERE {
  VALUES ?kind { crm:Country crm:Material crm:Region crm:Union }
  ?e a ?kind . OPTIONAL { ?e skos:prefLabel ?l . FILTER(LANG(?l) = "en") }
  OPTIONAL { ?e a crm:CentralAsianCountry . BIND(true AS ?isCa) }
  BIND(COALESCE(?l, STR(?e)) AS ?label) BIND(BOUND(?isCa) AS ?ca)
}"""

_CRM_2023 = """SELECT ?material WHERE { ?material crm:criticalIn list:eu-crm-2023 }"""

# Sub-groups of a material group ("heavy rare earth elements" skos:broader "rare earth elements"): the EC
# assesses rare earths only as sub-groups since 2014, so their SR/EI are shown for the group, by name.
_SUBGROUPS = """SELECT DISTINCT ?sub ?group WHERE { ?sub skos:broader ?group . ?group a crm:Material . ?sub a crm:Material }"""


@dataclass(frozen=True)
class Obs:
    """One figure (or withheld value) of a production series."""

    figure: str
    subject: str
    year: str
    value: float | None  # None: withheld
    tonnes: float | None  # in the base unit (tonnes; cubic metres for helium, a volume of gas)
    unit: str
    qualifiers: tuple[str, ...]
    source: str
    locator: str
    base_unit: str = ""  # the unit `tonnes` is in (unit:tonne for all but volumes)
    parts: tuple[str, ...] = ()  # the figures of a country's rows summed into this one (helium: US from gas + Cliffside)


@dataclass(frozen=True)
class Share:
    figure: str
    subject: str
    value: float  # percent
    qualifiers: tuple[str, ...]
    source: str
    locator: str


@dataclass(frozen=True)
class Instrument:
    iri: str
    label: str
    status: str | None  # IRI
    status_label: str | None


@dataclass
class SupplyData:
    """A snapshot of everything the indicators read."""

    #: (material, stage, series) → observations
    series: dict[tuple[str, str, str], list[Obs]] = field(default_factory=lambda: defaultdict(list))
    #: (material, stage) → EU sourcing shares (EC study)
    eu_shares: dict[tuple[str, str], list[Share]] = field(default_factory=lambda: defaultdict(list))
    #: material → {"SR"|"EI": {year: (value, figure, source, locator)}}
    scores: dict[str, dict[str, dict[str, tuple]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(dict)))
    instruments: dict[str, list[Instrument]] = field(default_factory=lambda: defaultdict(list))
    labels: dict[str, str] = field(default_factory=dict)
    countries: set[str] = field(default_factory=set)
    central_asian: set[str] = field(default_factory=set)
    materials: set[str] = field(default_factory=set)
    critical_2023: set[str] = field(default_factory=set)
    unit_symbols: dict[str, str] = field(default_factory=dict)  # unit IRI → "t", "m³" …
    #: material group → its sub-groups (skos:broader), for SR/EI assessed only per sub-group
    subgroups: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    #: series indicators already computed on this snapshot (indicators.series_indicators fills it)
    computed: dict = field(default_factory=dict, repr=False)

    def label(self, iri: str | None) -> str:
        if iri is None:
            return ""
        return self.labels.get(iri) or iri.rsplit("/", 1)[-1]

    def symbol(self, unit: str | None) -> str:
        """A unit's symbol ("t", "m³"), else its slug."""
        return "" if not unit else self.unit_symbols.get(unit) or unit.rsplit("/", 1)[-1]

    def series_of(self, material: str) -> list[tuple[str, str, str]]:
        return sorted(k for k in self.series if k[0] == material)


def _rows(store, sparql: str) -> list[dict]:
    """Rows as dicts of strings (IRIs and lexical forms): the snapshot converts numbers itself,
    which is several times faster than typed conversion of every cell."""
    raw = store.query(sparql)
    if isinstance(raw, ox.QuerySolutions):
        names = [v.value for v in raw.variables]
        return [{n: (t.value if t is not None else None) for n, t in zip(names, sol)} for sol in raw]
    return [{k: (str(v) if v is not None and not isinstance(v, str) else v) for k, v in r.items()}
            for r in to_table(raw).records()]


def _only(sparql: str, materials: list[str] | None) -> str:
    """The query restricted to some materials (a VALUES block at the start of its WHERE clause)."""
    if not materials:
        return sparql
    values = "VALUES ?material { " + " ".join(f"<{m}>" for m in materials) + " }\n"
    head, sep, body = sparql.partition("WHERE {")
    return head + sep + "\n  " + values + body


def load(store, materials: list[str] | None = None) -> SupplyData:
    """Read the snapshot from any store (embedded or remote); with `materials` (IRIs), only their
    series, shares and scores (a scenario about one material reads a few hundred rows, not thousands).
    Labels, countries, instruments and the CRM list are always read whole."""
    d = SupplyData()
    for r in _rows(store, _SUBGROUPS):
        d.subgroups[r["group"]].append(r["sub"])
    if materials:  # a material's snapshot also reads its sub-groups (rare earths: SR/EI and EU sourcing per sub-group)
        materials = list(dict.fromkeys(materials + [s for m in materials for s in d.subgroups.get(m, [])]))
    seen: dict[str, Obs] = {}
    for r in _rows(store, _only(_PRODUCTION, materials)):
        prev = seen.get(r["f"])
        quals = tuple(sorted({q.rsplit("#", 1)[-1] for q in ([r["qual"]] if r.get("qual") else [])}
                             | (set(prev.qualifiers) if prev else set())))
        value = float(r["value"]) if r.get("value") is not None else None
        obs = Obs(r["f"], r["subject"], r["year"], value,
                  value * float(r["factor"]) if value is not None else None, r["unit"], quals, r["source"], r["locator"],
                  r["base"])
        seen[r["f"]] = obs
        key = (r["material"], r["stage"], r["series"])
        d.series[key] = [o for o in d.series[key] if o.figure != r["f"]] + [obs]
    for r in _rows(store, _only(_SHARES, materials)):
        quals = (r["qual"].rsplit("#", 1)[-1],) if r.get("qual") else ()
        lst = d.eu_shares[(r["material"], r["stage"])]
        if not any(s.figure == r["f"] for s in lst):
            lst.append(Share(r["f"], r["subject"], float(r["value"]), quals, r["source"], r["locator"]))
    for r in _rows(store, _only(_SCORES, materials)):
        kind = "SR" if r["qk"].endswith("supply-risk") else "EI"
        d.scores[r["material"]][kind][r["year"]] = (float(r["value"]), r["f"], r["source"], r["locator"])
    for r in _rows(store, _INSTRUMENTS):
        held = d.instruments[r["country"]]
        if not any(i.iri == r["instrument"] for i in held):
            held.append(Instrument(r["instrument"], r["label"], r.get("status"), r.get("statusLabel")))
    for r in _rows(store, _LABELS):
        d.labels.setdefault(r["e"], r["label"])
        kind = r["kind"].rsplit("#", 1)[-1]
        if kind == "Country":
            d.countries.add(r["e"])
            if r["ca"] in (True, "true", "1"):
                d.central_asian.add(r["e"])
        elif kind == "Material":
            d.materials.add(r["e"])
    d.critical_2023 = {r["material"] for r in _rows(store, _CRM_2023)}
    d.unit_symbols = {r["unit"]: r["symbol"] for r in _rows(store, _UNIT_SYMBOLS)}
    return d
