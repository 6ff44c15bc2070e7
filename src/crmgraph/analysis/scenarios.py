"""What-if scenarios over the supply snapshot: computed from the graph's figures, never hard-coded.

- `restrict(countries, materials)`: the named countries stop supplying the materials. Per material
  and production series: the world production lost (tonnes and share); per stage, the EU sourcing
  share exposed (EC 2023 study; for a group the study covers only per sub-group — rare earths — per
  stage and sub-group, by name, flagged `eu-sourcing-of-sub-groups`); and which Central Asian producers (not themselves restricted) could
  cover what share of the gap at their current production, under which EU instruments (with status),
  on which data (figure IRIs and source keys).
- `agreement_in_force(instrument)`: the instrument's partner countries gain an in-force EU
  instrument; per material, the share of world production from countries with an in-force EU
  instrument, before and after.
- `project_starts(site, tonnes)`: a deposit or project of the graph starts producing Z t/y of its
  material in its country; the series' shares, HHI and Central Asian share before and after.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import QueryError
from ..namespaces import CRM
from .indicators import SeriesIndicators, SupplierShare, eu_sourcing, series_indicators
from .supplydata import SupplyData, _rows

IN_FORCE = CRM + "InForce"


@dataclass
class Alternative:
    country: str
    label: str
    production_tonnes: float | None
    world_share: float | None
    covers_gap: float | None  # percent of the lost production its current output equals (capped at 100)
    eu_share: dict[str, float]  # stage → its current share of EU sourcing
    instruments: list[tuple[str, str, str | None]]  # (iri, label, status label)
    figure: str
    source: str
    locator: str = ""  # the row of the source the production figure comes from


@dataclass
class RestrictionOutcome:
    material: str
    label: str
    stage: str
    series: str
    year: str | None
    lost_tonnes: float | None
    lost_share: float | None  # percent of world production
    restricted: list[SupplierShare]
    eu_exposed: dict[str, float | None]  # stage → percent of EU sourcing from the restricted countries
    eu_exposed_figures: list[str]
    alternatives: list[Alternative]
    central_asian_cover: float | None  # percent of the gap all Central Asian alternatives together cover (≤ 100)
    flags: list[str]
    sources: list[str]
    unit: str = "t"  # the symbol of the quantities' unit (lost_tonnes, production_tonnes): "t", or "m³" for helium


@dataclass
class Scenario:
    kind: str
    parameters: dict[str, str]
    outcomes: list = field(default_factory=list)


def _resolve(data: SupplyData, token: str, kind: str) -> str:
    """'CN', 'country:CN', 'antimony', 'mat:antimony' or an IRI → the IRI; a clear error otherwise."""
    from ..namespaces import ID, PREFIXES

    token = token.strip()
    pool = data.countries if kind == "country" else data.materials
    base = ID + ("country/" if kind == "country" else "material/")
    if token.startswith("http"):
        iri = token
    elif ":" in token and token.split(":", 1)[0] in PREFIXES:
        iri = PREFIXES[token.split(":", 1)[0]] + token.split(":", 1)[1]
    else:
        iri = base + (token.upper() if kind == "country" else token.lower().replace(" ", "-"))
        if kind == "country" and token.upper() == "GR":
            iri = base + "EL"
    if iri not in pool:  # a name as people type it: "China", "turkiye", "Rare earth elements"
        from ..query.lookup import normalise

        by_label = {normalise(data.label(p)): p for p in pool}
        if normalise(token) in by_label:
            return by_label[normalise(token)]
        import difflib

        names = {p.rsplit("/", 1)[-1]: p for p in pool} | {data.label(p): p for p in pool}
        close = difflib.get_close_matches(token, list(names), n=3)
        raise QueryError(f"unknown {kind} {token!r}",
                         hint=f"use an ISO code, slug or name of the graph{'; did you mean ' + ', '.join(close) + '?' if close else ''}")
    return iri


def _material_guess(token: str) -> str:
    from ..namespaces import ID, PREFIXES

    token = token.strip()
    if token.startswith("http"):
        return token
    if ":" in token and token.split(":", 1)[0] in PREFIXES:
        return PREFIXES[token.split(":", 1)[0]] + token.split(":", 1)[1]
    return ID + "material/" + token.lower().replace(" ", "-")


def restrict_in_store(store, countries: list[str], materials: list[str]) -> Scenario:
    """`restrict` reading only the named materials' data from the store (the usual CLI path: one
    scenario in well under a second, benchmarks/analytics.py)."""
    from .supplydata import load

    return restrict(load(store, materials=[_material_guess(m) for m in materials]), countries, materials)


def restrict(data: SupplyData, countries: list[str], materials: list[str]) -> Scenario:
    cs = [_resolve(data, c, "country") for c in countries]
    ms = [_resolve(data, m, "material") for m in materials]
    scen = Scenario("restrict", {"countries": ",".join(sorted(cs)), "materials": ",".join(sorted(ms))})
    for material in ms:
        keys: list[tuple[str, str, str | None]] = [*data.series_of(material)] or \
            [(material, st, None) for st in sorted({k[1] for k in data.eu_shares if k[0] == material})]
        if not keys and any(k[0] in data.subgroups.get(material, ()) for k in data.eu_shares):
            keys = [(material, "sub-groups", None)]  # EU sourcing only per sub-group (see _restrict_series)
        for key in keys:
            scen.outcomes.append(_restrict_series(data, key, set(cs)))
    return scen


def _restrict_series(data: SupplyData, key, restricted: set[str]) -> RestrictionOutcome:
    material, stage, series = key
    flags: list[str] = []
    if series is not None:
        found = series_indicators(data, key)
        si: SeriesIndicators | None = found
        hit = [s for s in found.suppliers if s.country in restricted]
        lost_t = sum(s.tonnes for s in hit if s.tonnes is not None) if hit else 0.0
        lost_share = sum(s.share for s in hit if s.share is not None) if found.world_total else None
        if any(s.tonnes is None for s in hit):
            flags.append("restricted-production-withheld")
        flags += found.flags
    else:
        si, hit, lost_t, lost_share = None, [], None, None
        flags.append("no-production-series")
    eu_exposed: dict[str, float | None] = {}
    eu_figs: list[str] = []
    eu_stage = {st: eu_sourcing(data, material, st) for st in ("extraction", "processing")}
    if not any(e.shares for e in eu_stage.values()):
        # rare earths: the EC gives EU sourcing only per sub-group — each by name, never as the group's
        subs = {f"{st}, {data.label(sub)}": eu_sourcing(data, sub, st) for sub in data.subgroups.get(material, [])
                for st in ("extraction", "processing")}
        subs = {k: e for k, e in sorted(subs.items()) if e.shares}
        if subs:
            eu_stage = subs
            flags.append("eu-sourcing-of-sub-groups")
    for st, eus in eu_stage.items():
        if not eus.shares:
            continue
        rows = [r for r in eus.shares if r[0] in restricted]
        eu_exposed[st] = sum(r[2] for r in rows)
        eu_figs += [r[3].figure for r in rows]
    alternatives: list[Alternative] = []
    if si is not None:
        for s in si.suppliers:
            if not s.central_asian or s.country in restricted:
                continue
            cover = (min(100.0, 100.0 * s.tonnes / lost_t) if (s.tonnes is not None and lost_t) else None)
            eu_share = {st: r[2] for st, eus in eu_stage.items() for r in eus.shares if r[0] == s.country}
            alternatives.append(Alternative(s.country, s.label, s.tonnes, s.share, cover, eu_share,
                                            [(i.iri, i.label, i.status_label) for i in s.instruments], s.figure, s.source,
                                            s.locator))
    ca_total = sum(a.production_tonnes for a in alternatives if a.production_tonnes is not None)
    ca_cover = min(100.0, 100.0 * ca_total / lost_t) if lost_t else None
    sources = sorted(set(si.sources if si else []) | {r[3].source for eus in eu_stage.values() for r in eus.shares})
    return RestrictionOutcome(material, data.label(material), stage, series or "", si.year if si else None, lost_t,
                              lost_share, hit, eu_exposed, eu_figs, alternatives, ca_cover, flags, sources,
                              data.symbol(si.base_unit) if si and si.base_unit else "t")


@dataclass
class AgreementOutcome:
    material: str
    label: str
    series: str
    share_before: float  # percent of world production from countries with an in-force EU instrument
    share_after: float
    partner_share: float  # the instrument's partners' share
    year: str | None = None
    sources: list[str] = field(default_factory=list)  # source keys of the series' figures


def agreement_in_force(data: SupplyData, instrument: str) -> Scenario:
    from ..namespaces import ID

    iri = instrument if instrument.startswith("http") else ID + "instrument/" + instrument.split(":")[-1]
    partners = {c for c, insts in data.instruments.items() if any(i.iri == iri for i in insts)}
    if not partners:
        import difflib

        slugs = sorted({i.iri.rsplit("/", 1)[-1] for insts in data.instruments.values() for i in insts})
        close = difflib.get_close_matches(instrument.split(":")[-1], slugs, n=3, cutoff=0.4)
        raise QueryError(f"no country is party to {instrument!r} with the EU in the graph",
                         hint=("did you mean " + ", ".join(close) + "? " if close else "")
                         + "name an instrument of graph/instruments.ttl that a country and the EU are party to, e.g. eu-kg-epca")
    label = next(i.label for c in partners for i in data.instruments[c] if i.iri == iri)
    in_force = {c for c, insts in data.instruments.items() if any(i.status == IN_FORCE for i in insts)}
    scen = Scenario("agreement", {"instrument": iri, "label": label, "partners": ",".join(sorted(partners))})
    for key in sorted(data.series):
        si = series_indicators(data, key)
        if not any(s.country in partners for s in si.suppliers):
            continue
        before = sum(s.share or 0 for s in si.suppliers if s.country in in_force)
        after = sum(s.share or 0 for s in si.suppliers if s.country in in_force | partners)
        part = sum(s.share or 0 for s in si.suppliers if s.country in partners)
        scen.outcomes.append(AgreementOutcome(key[0], data.label(key[0]), key[2], before, after, part, si.year, si.sources))
    scen.outcomes.sort(key=lambda o: -(o.share_after - o.share_before))
    return scen


@dataclass
class ProjectOutcome:
    material: str
    label: str
    series: str
    country: str
    before: SeriesIndicators
    after: SeriesIndicators
    note: str = ""  # e.g. the series is of a narrower material ("natural graphite" for a graphite deposit)


_SITE = """SELECT ?country ?material WHERE { ?site crm:locatedIn ?country . ?country a crm:Country .
  { ?site crm:material ?material } UNION { ?site crm:produces ?material } }"""


def project_starts(store, data: SupplyData, site: str, tonnes: float, material: str | None = None) -> Scenario:
    from ..namespaces import ID
    from ..query.api import to_term

    iri = site if site.startswith("http") else ID + "site/" + site.split(":")[-1]
    from ..query.named import inject_values

    rows = _rows(store, inject_values(_SITE, {"site": to_term(__import__("pyoxigraph").NamedNode(iri))}))
    if not rows:
        raise QueryError(f"the graph gives no country and material for {site!r}",
                         hint="name a deposit or project of graph/sites.ttl with crm:locatedIn and crm:material")
    mats = sorted({r["material"] for r in rows})
    if material:
        m_iri = _resolve(data, material, "material")
        if m_iri not in mats:
            raise QueryError(f"{site!r} is not stated to hold {material!r}", hint=f"its materials: {', '.join(mats)}")
        mats = [m_iri]
    country = rows[0]["country"]
    scen = Scenario("project", {"site": iri, "tonnes_per_year": repr(float(tonnes)), "country": country,
                                "materials": ",".join(mats)})
    for m in mats:
        keys = [k for k in data.series_of(m) if k[1] == "extraction"]
        note = ""
        if not keys:  # a graphite deposit: the data count its output as natural graphite (skos:broader graphite)
            subs = [sub for sub in data.subgroups.get(m, []) if any(k[1] == "extraction" for k in data.series_of(sub))]
            keys = [k for sub in subs for k in data.series_of(sub) if k[1] == "extraction"]
            if keys:
                note = (f"{data.label(m)} has no production series of its own; the series of "
                        + ", ".join(data.label(sub) for sub in subs) + f" (a narrower material of {data.label(m)}) is used")
        for key in keys:
            before = series_indicators(data, key)
            current = next((s.tonnes or 0.0 for s in before.suppliers if s.country == country), 0.0)
            after = series_indicators(data, key, year=before.year, overrides={country: current + float(tonnes)})
            scen.outcomes.append(ProjectOutcome(key[0], data.label(key[0]), key[2], country, before, after, note))
    if not scen.outcomes:
        names = ", ".join(f"{data.label(m)} ({m.rsplit('/', 1)[-1]})" for m in mats)
        raise QueryError(f"no extraction series for {names} in the graph, nor for a narrower material of it",
                         hint="the USGS import gives series for the materials it covers (crmgraph build); "
                              "`crmgraph indicators ranking` lists the materials with one")
    return scen
