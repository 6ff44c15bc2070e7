"""What the portal's timeline, shares and map draw: a timeline of EU–Central Asia instruments, ranked shares, a map.

Each function reads a store (any backend: a few SELECT queries) and returns plain data — the same
data the page draws and its table twin lists, and the `.json` twin serves — so a chart never shows
anything its table does not. Every item keeps its sources (key, title, locator) and statuses.

- `timeline(store)`: every dated step (signed, in force, adopted …) of the instruments between the
  EU and Central Asia, one item per instrument, step and date, with all its sources; lanes are the
  Central Asian parties (several, or the region as a whole, for region-wide instruments).
- `shares(store, quantity)`: the figures of one share-like quantity (share of EU supply, of EU
  imports, of world production …) in percent, per material, ranked; a figure about several countries
  together ("China + Malaysia + Russia") stays one bar with all its subjects named, never one per country.
- `country_map(store, measure, material)`: per country a value to colour it by — how many current EU
  critical raw materials it, its companies or its sites produce, hold or process (the rule of the named
  query crm-supply-by-country), the most advanced status of its instruments with the
  EU, or its share of world production of a material — with ISO 3166-1 numeric codes (the ids of
  world-atlas' Natural Earth TopoJSON), and the Central Asian states with their sites.
- `answer_map(table)`: a SELECT answer with a column of countries, as the same map data (the editor's
  "Map" view).

Numeric codes come from the graph (`crm:iso3166Numeric`) where it has them, else from pycountry's
ISO 3166-1 table by the country's alpha-2 code (its `crm:iso3166Alpha2`, or the slug of its IRI; the EU's
`EL` for Greece and `UK` for the United Kingdom are mapped to ISO's GR and GB).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..namespaces import ID
from ..query.results import to_table

COUNTRY = ID + "country/"
QK = ID + "quantity/"
#: Quantities `shares` draws: slug → what the bars show.
SHARE_QUANTITIES = {
    "share-of-eu-supply": "share of EU supply",
    "share-of-eu-imports": "share of EU imports",
    "share-of-world-production": "share of world production",
    "share-of-world-resources": "share of world resources",
}
#: Measures `country_map` can colour countries by: slug → legend title.
MAP_MEASURES = {
    "crms": "EU critical raw materials (2023 list) the country, its companies or its sites produce, hold or process",
    "instrument-status": "most advanced instrument with the EU",
    "world-share": "share of world production of a material",
}
#: Instrument statuses from the most to the least advanced (the map's categories, in legend order).
STATUS_ORDER = ("InForce", "Signed", "NotInForce", "Initialled", "Adopted", "Endorsed", "UnderNegotiation",
                "Announced", "Superseded")
#: The EU's country codes that differ from ISO 3166-1 alpha-2.
EU_CODES = {"EL": "GR", "UK": "GB"}


@dataclass
class Reference:
    key: str
    title: str
    locator: str
    source: str  # the source's IRI

    def as_json(self) -> dict:
        return {"key": self.key, "title": self.title, "locator": self.locator, "source": self.source}


def _add_ref(refs: list[Reference], ref: Reference) -> None:
    if all((r.source, r.locator) != (ref.source, ref.locator) for r in refs):
        refs.append(ref)


def _records(store, sparql: str) -> list[dict]:
    return to_table(store.query(sparql)).records()


def _local(iri: str | None) -> str:
    return (iri or "").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _locator(value: str | None) -> str:
    return "" if value in (None, "", "not given") else value


# -- timeline ------------------------------------------------------------------------------------

#: The dated steps of the instruments that involve both the EU and Central Asia (the rule of the named
#: query eu-ca-instrument-timeline), with their statements' sources, the instruments' status and their
#: Central Asian parties.
TIMELINE = """
SELECT ?instrument ?label ?p ?step ?date ?kind ?status ?statusLabel ?src ?key ?title ?locator
       ?party ?partyLabel ?istatus ?istatusLabel WHERE {
  {
    SELECT DISTINCT ?instrument WHERE {
      { union:EU crm:partyTo ?instrument }
      UNION { ?instrument crm:adoptedAt|crm:endorsedAt|crm:announcedAt|crm:signedAt ?euEvent . ?euEvent crm:participant union:EU }
      { ?party0 crm:partyTo ?instrument . ?party0 a crm:CentralAsianCountry . }
      UNION { ?party0 crm:partyTo ?instrument ; crm:country ?home . ?home a crm:CentralAsianCountry . }
      UNION { ?instrument crm:adoptedAt|crm:endorsedAt|crm:announcedAt|crm:signedAt ?event .
              ?event crm:participant|crm:locatedIn ?where . ?where a crm:CentralAsianCountry . }
      UNION { ?instrument a crm:Instrument ; skos:prefLabel|skos:altLabel ?name . FILTER(CONTAINS(STR(?name), "Central Asia")) }
    }
  }
  VALUES ?p { crm:mandateOn crm:negotiationsOpenedOn crm:proposedOn crm:initialledOn crm:signedOn
              crm:inForceFrom crm:endorsedOn crm:adoptedOn crm:publishedOn crm:announcedOn crm:launchedOn crm:startDate }
  {
    ?instrument ?p ?d .
    ?stmt a crm:Assertion ; rdf:subject ?instrument ; rdf:predicate ?p ; rdf:object ?d .
    BIND("assertion" AS ?kind)
  } UNION {
    ?stmt a crm:Claim ; crm:subject ?instrument ; crm:property ?p ; crm:value ?d .
    FILTER NOT EXISTS { ?stmt crm:polarity false }
    BIND("claim" AS ?kind)
  }
  BIND(STR(?d) AS ?date)
  FILTER(REGEX(?date, "^[0-9]{4}(-[0-9]{2}){0,2}$"))
  OPTIONAL { ?p rdfs:label ?step FILTER(LANG(?step) = "en") }
  ?stmt crm:status ?status ; prov:wasDerivedFrom ?ref . ?ref crm:source ?src .
  OPTIONAL { ?ref crm:locator ?locator } OPTIONAL { ?src crm:sourceKey ?key } OPTIONAL { ?src dcterms:title ?title }
  OPTIONAL { ?status skos:prefLabel ?statusLabel FILTER(LANG(?statusLabel) = "en") }
  OPTIONAL { ?instrument skos:prefLabel ?label FILTER(LANG(?label) = "en") }
  OPTIONAL { ?instrument crm:instrumentStatus ?istatus .
             OPTIONAL { ?istatus skos:prefLabel ?istatusLabel FILTER(LANG(?istatusLabel) = "en") } }
  OPTIONAL { ?party crm:partyTo ?instrument ; a crm:CentralAsianCountry .
             OPTIONAL { ?party skos:prefLabel ?partyLabel FILTER(LANG(?partyLabel) = "en") } }
}"""


@dataclass
class TimelineItem:
    instrument: str
    label: str
    step: str
    date: str            # as the source gives it: YYYY, YYYY-MM or YYYY-MM-DD
    kind: str            # "assertion", or "claim" (one source's dated claim kept beside the asserted date)
    lane: str            # the Central Asian party, "several Central Asian states" or "Central Asia (region)"
    instrument_status: str = ""
    statuses: list[str] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)

    @property
    def start(self) -> str:
        """The date as a full ISO date for drawing (a year is drawn at 1 January, a month at its 1st)."""
        parts = self.date.split("-")
        return "-".join(parts + ["01"] * (3 - len(parts)))

    def as_json(self) -> dict:
        return {"instrument": self.instrument, "label": self.label, "step": self.step, "date": self.date,
                "start": self.start, "kind": self.kind, "lane": self.lane, "instrumentStatus": self.instrument_status,
                "statuses": self.statuses, "references": [r.as_json() for r in self.references]}


def timeline(store) -> list[TimelineItem]:
    """The EU–Central Asia instrument timeline, in date order (see the module docstring)."""
    rows = _records(store, TIMELINE)
    parties: dict[str, set[str]] = {}
    for r in rows:
        if r.get("party"):
            parties.setdefault(r["instrument"], set()).add(r.get("partyLabel") or _local(r["party"]))
    items: dict[tuple, TimelineItem] = {}
    for r in rows:
        key = (r["instrument"], r["p"], r["date"], r["kind"])
        names = sorted(parties.get(r["instrument"], ()))
        lane = names[0] if len(names) == 1 else ("several Central Asian states" if names else "Central Asia (region)")
        item = items.get(key)
        if item is None:
            item = items[key] = TimelineItem(r["instrument"], r.get("label") or _local(r["instrument"]),
                                             r.get("step") or _local(r["p"]), r["date"], r["kind"], lane,
                                             r.get("istatusLabel") or _local(r.get("istatus")))
        status = r.get("statusLabel") or _local(r["status"])
        if status not in item.statuses:
            item.statuses.append(status)
        _add_ref(item.references, Reference(r.get("key") or _local(r["src"]), r.get("title") or "",
                                            _locator(r.get("locator")), r["src"]))
    return sorted(items.values(), key=lambda i: (i.start, i.label, i.step))


# -- shares --------------------------------------------------------------------------------------

SHARES = """
SELECT ?f ?material ?materialLabel ?subject ?subjectLabel ?value ?upper ?qualifier ?year ?ps ?pe ?scopeLabel
       ?claimantLabel ?status ?statusLabel ?src ?key ?title ?locator WHERE {
  ?f a crm:Figure ; crm:quantityKind ?qk ; crm:unit unit:percent ; crm:value ?value ; crm:subject ?subject ; crm:status ?status .
  OPTIONAL { ?f crm:material ?material OPTIONAL { ?material skos:prefLabel ?materialLabel FILTER(LANG(?materialLabel) = "en") } }
  OPTIONAL { ?subject skos:prefLabel ?subjectLabel FILTER(LANG(?subjectLabel) = "en") }
  OPTIONAL { ?f crm:upperValue ?upper } OPTIONAL { ?f crm:valueQualifier/skos:prefLabel ?qualifier FILTER(LANG(?qualifier) = "en") }
  OPTIONAL { ?f crm:refYear ?year } OPTIONAL { ?f crm:periodStart ?ps } OPTIONAL { ?f crm:periodEnd ?pe }
  OPTIONAL { ?f crm:scope/skos:prefLabel ?scopeLabel FILTER(LANG(?scopeLabel) = "en") }
  OPTIONAL { ?f crm:claimant/skos:prefLabel ?claimantLabel FILTER(LANG(?claimantLabel) = "en") }
  OPTIONAL { ?status skos:prefLabel ?statusLabel FILTER(LANG(?statusLabel) = "en") }
  OPTIONAL { ?f prov:wasDerivedFrom ?ref . ?ref crm:source ?src .
             OPTIONAL { ?ref crm:locator ?locator } OPTIONAL { ?src crm:sourceKey ?key } OPTIONAL { ?src dcterms:title ?title } }
}"""


@dataclass
class ShareBar:
    figure: str
    subjects: list[tuple[str, str]]   # (IRI, label): several for a combined figure
    value: float
    upper: float | None
    qualifier: str
    period: str
    scope: str
    claimant: str
    status: str
    references: list[Reference] = field(default_factory=list)

    @property
    def label(self) -> str:
        return " + ".join(label for _, label in self.subjects)

    def as_json(self) -> dict:
        return {"figure": self.figure, "subjects": [{"iri": i, "label": label} for i, label in self.subjects],
                "label": self.label, "value": self.value, "upper": self.upper, "qualifier": self.qualifier,
                "period": self.period, "scope": self.scope, "claimant": self.claimant, "status": self.status,
                "references": [r.as_json() for r in self.references]}


@dataclass
class ShareGroup:
    material: str
    label: str
    bars: list[ShareBar]

    def as_json(self) -> dict:
        return {"material": self.material, "label": self.label, "bars": [b.as_json() for b in self.bars]}


def shares(store, quantity: str = "share-of-eu-supply") -> list[ShareGroup]:
    """The figures of one share quantity (a key of SHARE_QUANTITIES), one group per material (figures
    without a material in one group), bars ranked by value, groups by their largest bar."""
    if quantity not in SHARE_QUANTITIES:
        raise ValueError(f"unknown share quantity {quantity!r}")
    rows = _records(store, SHARES.replace("?qk ;", f"<{QK}{quantity}> ;", 1))
    bars: dict[str, ShareBar] = {}
    materials: dict[str, tuple[str, str]] = {}
    for r in rows:
        f = r["f"]
        bar = bars.get(f)
        if bar is None:
            start, end = r.get("ps"), r.get("pe")
            period = str(r["year"]) if r.get("year") is not None else (f"{start or ''}–{end or ''}" if start or end else "")
            bar = bars[f] = ShareBar(f, [], float(r["value"]), None if r.get("upper") is None else float(r["upper"]),
                                     r.get("qualifier") or "", period, r.get("scopeLabel") or "",
                                     r.get("claimantLabel") or "", r.get("statusLabel") or _local(r["status"]))
            materials[f] = (r.get("material") or "", r.get("materialLabel") or (_local(r.get("material")) or "no material stated"))
        subject = (r["subject"], r.get("subjectLabel") or _local(r["subject"]))
        if subject not in bar.subjects:
            bar.subjects.append(subject)
        if r.get("src"):
            _add_ref(bar.references, Reference(r.get("key") or _local(r["src"]), r.get("title") or "",
                                               _locator(r.get("locator")), r["src"]))
    groups: dict[str, ShareGroup] = {}
    for f, bar in bars.items():
        bar.subjects.sort(key=lambda s: s[1])
        iri, label = materials[f]
        groups.setdefault(iri, ShareGroup(iri, label, [])).bars.append(bar)
    for g in groups.values():
        g.bars.sort(key=lambda b: (-b.value, b.label, b.period))
    return sorted(groups.values(), key=lambda g: (-g.bars[0].value, g.label))


# -- the map -------------------------------------------------------------------------------------

COUNTRIES = """
SELECT ?c ?label ?a2 ?num ?ca WHERE {
  ?c a crm:Country .
  OPTIONAL { ?c skos:prefLabel ?label FILTER(LANG(?label) = "en") }
  OPTIONAL { ?c crm:iso3166Alpha2 ?a2 } OPTIONAL { ?c crm:iso3166Numeric ?num }
  BIND(EXISTS { ?c a crm:CentralAsianCountry } AS ?ca)
}"""

CRMS = """
SELECT ?c (COUNT(DISTINCT ?crm) AS ?n) (GROUP_CONCAT(DISTINCT ?ml; SEPARATOR=", ") AS ?what) WHERE {
  ?c a crm:Country .
  { ?c crm:produces|crm:hasReserves|crm:processes ?m }
  UNION { ?holder crm:country ?c ; crm:produces|crm:processes ?m }
  UNION { ?holder crm:locatedIn ?c ; crm:material ?m }
  { ?m a crm:Material . BIND(?m AS ?crm) } UNION { ?m skos:broader+ ?crm } UNION { ?crm skos:broader+ ?m }
  ?crm a crm:CriticalRawMaterial .
  OPTIONAL { ?crm skos:prefLabel ?ml0 FILTER(LANG(?ml0) = "en") } BIND(COALESCE(?ml0, STR(?crm)) AS ?ml)
} GROUP BY ?c"""

INSTRUMENTS = """
SELECT ?c ?i ?label ?status WHERE {
  ?c a crm:Country ; crm:partyTo ?i . union:EU crm:partyTo ?i .
  OPTIONAL { ?i skos:prefLabel ?label FILTER(LANG(?label) = "en") }
  OPTIONAL { ?i crm:instrumentStatus ?status }
}"""

WORLD_SHARE = f"""
SELECT ?c ?value ?year ?key WHERE {{
  ?f a crm:Figure ; crm:quantityKind <{QK}share-of-world-production> ; crm:unit unit:percent ; crm:value ?value ;
     crm:subject ?c ; crm:material ?material .
  ?c a crm:Country .
  FILTER NOT EXISTS {{ ?f crm:subject ?other FILTER(?other != ?c) }}
  OPTIONAL {{ ?f crm:refYear ?year }}
  OPTIONAL {{ ?f prov:wasDerivedFrom/crm:source/crm:sourceKey ?key }}
}}"""

SITES = """
SELECT ?c ?site ?label ?type ?typeLabel WHERE {
  ?c a crm:CentralAsianCountry .
  ?site a crm:Site ; crm:locatedIn|crm:partOf+ ?c .
  OPTIONAL { ?site skos:prefLabel ?label FILTER(LANG(?label) = "en") }
  OPTIONAL { GRAPH graph:asserted { ?site a ?type } ?type rdfs:label ?typeLabel FILTER(LANG(?typeLabel) = "en") }
}"""

MATERIALS_WITH_WORLD_SHARES = f"""
SELECT DISTINCT ?material ?label WHERE {{
  ?f a crm:Figure ; crm:quantityKind <{QK}share-of-world-production> ; crm:material ?material ; crm:subject ?c .
  ?c a crm:Country .
  OPTIONAL {{ ?material skos:prefLabel ?label FILTER(LANG(?label) = "en") }}
}} ORDER BY ?label"""


def numeric_code(iri: str, alpha2: str | None = None, numeric: str | None = None) -> str | None:
    """A country's ISO 3166-1 numeric code as world-atlas writes ids ("398"), or None if unknown."""
    if numeric:
        return str(numeric).zfill(3)
    code = (alpha2 or (iri[len(COUNTRY):] if iri.startswith(COUNTRY) else "")).upper()
    code = EU_CODES.get(code, code)
    if len(code) != 2:
        return None
    import pycountry

    found = pycountry.countries.get(alpha_2=code)
    return found.numeric if found else None


@dataclass
class MapCountry:
    iri: str
    label: str
    code: str | None            # ISO 3166-1 numeric (world-atlas id)
    central_asian: bool
    value: float | None = None  # the measure (None: nothing stated)
    category: str = ""          # for a categorical measure (instrument status)
    detail: str = ""            # what lies behind the value, in words
    sites: list[tuple[str, str, str]] = field(default_factory=list)  # (IRI, label, kind)
    colour: str = ""            # the map's fill, chosen by web/charts.render_map so the legend and the map agree

    def as_json(self) -> dict:
        return {"iri": self.iri, "label": self.label, "code": self.code, "centralAsian": self.central_asian,
                "value": self.value, "category": self.category, "detail": self.detail,
                "sites": [{"iri": i, "label": label, "kind": k} for i, label, k in self.sites]}


@dataclass
class CountryMap:
    measure: str
    title: str
    countries: list[MapCountry]
    categories: list[str] = field(default_factory=list)  # legend order, for a categorical measure
    material: str = ""
    materials: list[tuple[str, str]] = field(default_factory=list)  # choices for world-share

    def as_json(self) -> dict:
        return {"measure": self.measure, "title": self.title, "categories": self.categories, "material": self.material,
                "materials": [{"slug": s, "label": label} for s, label in self.materials],
                "countries": [c.as_json() for c in self.countries]}


def _countries(store) -> dict[str, MapCountry]:
    out = {}
    for r in _records(store, COUNTRIES):
        c = r["c"]
        if c not in out:
            out[c] = MapCountry(c, r.get("label") or _local(c), numeric_code(c, r.get("a2"), r.get("num")), bool(r.get("ca")))
        elif r.get("ca"):
            out[c].central_asian = True
    return out


def country_map(store, measure: str = "crms", material: str = "antimony") -> CountryMap:
    """Per country the value of one of MAP_MEASURES; every Central Asian state with its sites."""
    if measure not in MAP_MEASURES:
        raise ValueError(f"unknown measure {measure!r}")
    countries = _countries(store)
    result = CountryMap(measure, MAP_MEASURES[measure], [])
    if measure == "crms":
        for r in _records(store, CRMS):
            if r["c"] in countries:
                countries[r["c"]].value, countries[r["c"]].detail = float(r["n"]), r.get("what") or ""
    elif measure == "instrument-status":
        best: dict[str, tuple[int, list[str]]] = {}
        for r in _records(store, INSTRUMENTS):
            status = _local(r.get("status")) or ""
            rank = STATUS_ORDER.index(status) if status in STATUS_ORDER else len(STATUS_ORDER)
            current = best.get(r["c"], (len(STATUS_ORDER) + 1, []))
            names = current[1] + [r.get("label") or _local(r["i"])]
            best[r["c"]] = (min(rank, current[0]), names)
        labels = {s: s for s in STATUS_ORDER}
        for r in _records(store, "SELECT ?s ?l WHERE { ?s a crm:InstrumentStatus ; skos:prefLabel ?l FILTER(LANG(?l) = 'en') }"):
            labels[_local(r["s"])] = r["l"]
        for c, (rank, names) in best.items():
            if c in countries:
                countries[c].category = labels[STATUS_ORDER[rank]] if rank < len(STATUS_ORDER) else "status not stated"
                countries[c].value = float(len(set(names)))
                countries[c].detail = "; ".join(sorted(set(names)))
        result.categories = [labels[s] for s in STATUS_ORDER] + ["status not stated"]
        result.title = MAP_MEASURES[measure]
    else:
        result.materials = [(_local(r["material"]), r.get("label") or _local(r["material"]))
                            for r in _records(store, MATERIALS_WITH_WORLD_SHARES)]
        if material not in {s for s, _ in result.materials}:
            raise ValueError(f"no share of world production is stated for {material!r}")
        result.material = material
        result.title = f"share of world production of {dict(result.materials)[material]} (%)"
        latest: dict[str, tuple[str, float, set[str]]] = {}
        sparql = WORLD_SHARE.replace("crm:material ?material", f"crm:material <{ID}material/{material}>")
        for r in _records(store, sparql):
            year = str(r.get("year") or "")
            prev = latest.get(r["c"])
            if prev is None or year > prev[0]:
                latest[r["c"]] = (year, float(r["value"]), {r.get("key") or ""})
            elif year == prev[0] and float(r["value"]) == prev[1]:
                prev[2].add(r.get("key") or "")
        for c, (year, value, keys) in latest.items():
            if c in countries:
                countries[c].value = value
                countries[c].detail = f"{value:g} %" + (f" in {year}" if year else "") + \
                    f" ({', '.join(sorted(k for k in keys if k))})"
    for r in _records(store, SITES):
        mc = countries.get(r["c"])
        if mc is not None:
            site = (r["site"], r.get("label") or _local(r["site"]), r.get("typeLabel") or "site")
            if all(s[0] != site[0] for s in mc.sites):
                mc.sites.append(site)
            elif site[2] not in ("site", "place"):  # the most specific kind the curators gave
                mc.sites = [site if s[0] == site[0] and s[2] in ("site", "place") else s for s in mc.sites]
    for mc in countries.values():
        mc.sites.sort(key=lambda s: s[1])
    result.countries = sorted(countries.values(), key=lambda c: c.label)
    return result


def answer_map(columns: list[str], rows: list[dict]) -> CountryMap | None:
    """A SELECT answer (SPARQL JSON bindings) as map data: its first column whose values are all
    country IRIs of ours, coloured by its first numeric column, or else by the number of rows per
    country. None if no column holds countries."""
    def is_country(term):
        return term is None or (term.get("type") == "uri" and term["value"].startswith(COUNTRY))

    country_col = next((c for c in columns if any(r.get(c) for r in rows) and all(is_country(r.get(c)) for r in rows)), None)
    if country_col is None:
        return None
    numeric = next((c for c in columns if c != country_col and any(r.get(c) for r in rows) and all(
        r.get(c) is None or (r[c].get("type") in ("literal", "typed-literal") and _is_number(r[c]["value"]))
        for r in rows)), None)
    found: dict[str, MapCountry] = {}
    for r in rows:
        term = r.get(country_col)
        if term is None:
            continue
        iri = term["value"]
        c = found.setdefault(iri, MapCountry(iri, _local(iri), numeric_code(iri), False, 0.0))
        if numeric and r.get(numeric):
            c.value = max(c.value or 0.0, float(r[numeric]["value"])) if c.detail else float(r[numeric]["value"])
            c.detail = f"{numeric} = {c.value:g}"
        elif not numeric:
            c.value = (c.value or 0.0) + 1
            c.detail = f"{c.value:g} rows"
    title = f"{numeric} (largest per {country_col})" if numeric else f"rows per {country_col}"
    return CountryMap("answer", title, sorted(found.values(), key=lambda c: c.label))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


__all__ = ["MAP_MEASURES", "SHARE_QUANTITIES", "CountryMap", "MapCountry", "ShareBar", "ShareGroup", "TimelineItem",
           "answer_map", "country_map", "numeric_code", "shares", "timeline"]
