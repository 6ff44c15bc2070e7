"""Supply-risk indicators per material (and stage, and series) and per country, from a `SupplyData`
snapshot of the graph.

What each indicator means, and the rules that keep it honest:
- **HHI (world)**: the Herfindahl–Hirschman index of a production series, Σ (share in %)², 0–10,000,
  over the countries of the series, shares against the series' world total. Only one year is used
  per series (the latest with a world total); a country with no figure that year is *missing*,
  never 0; if its only figure is of another year, it is used and the series is flagged
  `mixed-years`. A withheld value is flagged `withheld-values` (the HHI is then a lower bound).
  The "other countries" remainder is not a supplier: it counts in the world total only. Several
  rows of one country in one series and year are parts of its output (USGS: US helium "extracted
  from natural gas" + "from Cliffside Field") and are summed, flagged `country-rows-summed`, with
  every part among the inputs. Quantities are in the series' base unit (`base_unit`: tonnes, or
  cubic metres for helium, a gas volume with no mass given).
- **HHI (EU sourcing)**: the same index over the EU's sourcing shares of the EC 2023 study, per
  stage. The study lists only suppliers of ≥ 1 %, so this HHI is flagged `shares-below-1pct-not-listed`.
- **Largest supplier** and its share; **Central Asian share** (sum over Central Asian producers) and
  the producers, each with the EU's instruments with it and their status.
- **SR / EI** of the latest assessment and whether the material passes the EU thresholds
  (SR ≥ 1.0 and EI ≥ 2.8, the 2023 method). A group the study assesses only as sub-groups (rare
  earths: heavy and light since 2014) gets no SR/EI of its own — never one sub-group's silently —
  but `sub_groups`: each sub-group by name with its own SR, EI, year and thresholds (flag
  `sr-ei-of-sub-groups-only`).
Every result carries its inputs (figure IRIs), years and source keys.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from dataclasses import replace

from .supplydata import OTHER, WORLD, Instrument, Obs, Share, SupplyData

SR_THRESHOLD = 1.0
EI_THRESHOLD = 2.8


@dataclass(frozen=True)
class SupplierShare:
    country: str
    label: str
    value: float | None  # in the series' unit (None: withheld)
    tonnes: float | None
    share: float | None  # percent of world (None: withheld or no world total)
    year: str
    figure: str
    source: str
    central_asian: bool
    instruments: tuple[Instrument, ...] = ()
    parts: tuple[str, ...] = ()  # all figures summed into `value` when the country has several rows
    locator: str = ""  # where in the source (the dataset row)


@dataclass
class SeriesIndicators:
    """Indicators of one production series of one material at one stage."""

    material: str
    stage: str
    series: str
    year: str | None
    unit: str | None
    world_total: float | None  # in tonnes
    world_figure: str | None
    suppliers: list[SupplierShare]
    hhi: float | None
    largest: SupplierShare | None
    central_asian_share: float | None
    central_asian: list[SupplierShare]
    flags: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    base_unit: str | None = None  # the unit of world_total and every supplier's tonnes

    @property
    def inputs(self) -> list[str]:
        return ([self.world_figure] if self.world_figure else []) + [f for s in self.suppliers for f in (s.parts or (s.figure,))]


@dataclass
class EuSourcing:
    """The EU's sourcing of a material at one stage (EC 2023 study)."""

    material: str
    stage: str
    shares: list[tuple[str, str, float, Share]]  # (country, label, percent, the figure)
    hhi: float | None
    largest: tuple[str, str, float] | None
    central_asian_share: float
    flags: list[str]
    sources: list[str]


@dataclass(frozen=True)
class SubGroupScores:
    """SR/EI of one sub-group of a material group (heavy rare earth elements, for rare earths)."""

    material: str
    label: str
    sr: float
    ei: float
    year: str
    passes_thresholds: bool
    figures: tuple[str, str]  # the SR and EI figures


@dataclass
class MaterialIndicators:
    material: str
    label: str
    critical_2023: bool
    sr: float | None
    ei: float | None
    sr_ei_year: str | None
    sr_ei_figures: list[str]
    passes_thresholds: bool | None  # None when SR or EI is missing
    series: list[SeriesIndicators]
    eu_sourcing: list[EuSourcing]
    flags: list[str] = field(default_factory=list)
    sub_groups: list[SubGroupScores] = field(default_factory=list)  # when SR/EI exist only per sub-group

    def main_series(self, stage: str | None = None) -> SeriesIndicators | None:
        """The series with the most suppliers (extraction first unless `stage` is given)."""
        cands = [s for s in self.series if stage is None or s.stage == stage]
        cands.sort(key=lambda s: (s.stage != "extraction", -len(s.suppliers)))
        return cands[0] if cands else None


def hhi(shares: list[float]) -> float:
    """Σ share², shares in percent (0–10,000)."""
    return sum(s * s for s in shares)


def series_indicators(data: SupplyData, key: tuple[str, str, str], year: str | None = None,
                      overrides: dict[str, float] | None = None) -> SeriesIndicators:
    """The indicators of one series. `overrides` (country → tonnes) replaces or adds a country's
    production (scenarios): the world total grows by the difference. Plain calls are remembered on
    the snapshot (every page and indicator of a material reuses them)."""
    if year is None and not overrides:
        if key not in data.computed:
            data.computed[key] = _series_indicators(data, key, None, None)
        return data.computed[key]
    return _series_indicators(data, key, year, overrides)


def _series_indicators(data: SupplyData, key: tuple[str, str, str], year: str | None,
                       overrides: dict[str, float] | None) -> SeriesIndicators:
    material, stage, series = key
    obs = data.series.get(key, [])
    years = sorted({o.year for o in obs if o.subject == WORLD and o.tonnes is not None}, reverse=True)
    flags: list[str] = []
    if year is None:
        year = years[0] if years else (max((o.year for o in obs), default=None))
    world = next((o for o in obs if o.subject == WORLD and o.year == year and o.tonnes is not None), None)
    by_country: dict[str, list[Obs]] = {}
    for o in obs:
        if o.subject not in (WORLD, OTHER):
            by_country.setdefault(o.subject, []).append(o)
    chosen: list[Obs] = []
    for lst in by_country.values():
        same = [o for o in lst if o.year == year]
        if len(same) > 1:
            chosen.append(_summed(same))
            if "country-rows-summed" not in flags:
                flags.append("country-rows-summed")
        elif same:
            chosen.append(same[0])
        else:
            other = sorted((o for o in lst if o.tonnes is not None), key=lambda o: o.year, reverse=True)
            if other:
                chosen.append(other[0])
                if "mixed-years" not in flags:
                    flags.append("mixed-years")
            elif lst:
                chosen.append(lst[0])  # withheld in every year
    world_t = world.tonnes if world else None
    unit = world.unit if world else (chosen[0].unit if chosen else None)
    if world is None:
        flags.append("missing-world-total")
    tonnes = {o.subject: o.tonnes for o in chosen}
    if overrides:
        for country, t in overrides.items():
            before = tonnes.get(country) or 0.0
            tonnes[country] = t
            if world_t is not None:
                world_t += t - before
    if any(o.value is None for o in chosen):
        flags.append("withheld-values")
    suppliers: list[SupplierShare] = []
    for o in chosen:
        made = tonnes.get(o.subject)
        share: float | None = (100.0 * made / world_t) if (made is not None and world_t) else None
        suppliers.append(SupplierShare(o.subject, data.label(o.subject), o.value, made, share, o.year, o.figure, o.source,
                                       o.subject in data.central_asian, tuple(data.instruments.get(o.subject, ())), o.parts,
                                       o.locator))
    if overrides:
        for country, t in overrides.items():
            if country not in by_country:
                share = (100.0 * t / world_t) if world_t else None
                suppliers.append(SupplierShare(country, data.label(country), t, t, share, year or "", "", "scenario",
                                               country in data.central_asian, tuple(data.instruments.get(country, ()))))
    suppliers = [s for s in suppliers if s.tonnes is None or s.tonnes > 0 or s.value is None]
    suppliers.sort(key=lambda s: (s.share is None, -(s.share or 0), s.label))
    with_share = [s for s in suppliers if s.share is not None]
    ca = [s for s in suppliers if s.central_asian]
    sources = sorted({o.source for o in chosen} | ({world.source} if world else set()))
    base = world.base_unit if world else (chosen[0].base_unit if chosen else None)
    return SeriesIndicators(
        material, stage, series, year, unit, world_t, world.figure if world else None, suppliers,
        hhi([s.share for s in with_share if s.share is not None]) if with_share else None,
        with_share[0] if with_share else None,
        sum(s.share for s in ca if s.share is not None) if world_t else None,
        ca, flags, sources, base or None)


def _summed(parts: list[Obs]) -> Obs:
    """One country's several rows of one series and year as one observation (withheld if any part is)."""
    withheld = any(o.value is None for o in parts)
    return replace(parts[0], value=None if withheld else sum(o.value for o in parts if o.value is not None),
                   tonnes=None if withheld else sum(o.tonnes for o in parts if o.tonnes is not None),
                   qualifiers=tuple(sorted({q for o in parts for q in o.qualifiers})),
                   locator=" + ".join(o.locator for o in parts), parts=tuple(o.figure for o in parts))


def eu_sourcing(data: SupplyData, material: str, stage: str) -> EuSourcing:
    shares = data.eu_shares.get((material, stage), [])
    rows = sorted(((s.subject, data.label(s.subject), s.value, s) for s in shares), key=lambda r: -r[2])
    flags = ["shares-below-1pct-not-listed"] if rows else ["missing"]
    if any("LessThan" in r[3].qualifiers for r in rows):
        flags.append("less-than-values")
    return EuSourcing(material, stage, rows, hhi([r[2] for r in rows]) if rows else None,
                      (rows[0][0], rows[0][1], rows[0][2]) if rows else None,
                      sum(r[2] for r in rows if r[0] in data.central_asian), flags,
                      sorted({r[3].source for r in rows}))


def _latest_scores(data: SupplyData, material: str) -> tuple[str, tuple, tuple] | None:
    """(year, SR entry, EI entry) of the latest assessment that gives both, or None."""
    scores = data.scores.get(material, {})
    sr_years, ei_years = scores.get("SR", {}), scores.get("EI", {})
    common = sorted(set(sr_years) & set(ei_years), reverse=True)
    return (common[0], sr_years[common[0]], ei_years[common[0]]) if common else None


def sub_group_scores(data: SupplyData, material: str) -> list[SubGroupScores]:
    """SR/EI of the material's sub-groups (skos:broader), each of its own latest assessment."""
    out = []
    for sub in data.subgroups.get(material, []):
        latest = _latest_scores(data, sub)
        if latest:
            year, (sr, sr_fig, *_), (ei, ei_fig, *_) = latest
            out.append(SubGroupScores(sub, data.label(sub), sr, ei, year, sr >= SR_THRESHOLD and ei >= EI_THRESHOLD,
                                      (sr_fig, ei_fig)))
    return sorted(out, key=lambda g: g.label)


def material_indicators(data: SupplyData, material: str) -> MaterialIndicators:
    latest = _latest_scores(data, material)
    year = latest[0] if latest else None
    sr = latest[1][0] if latest else None
    ei = latest[2][0] if latest else None
    subs = [] if latest else sub_group_scores(data, material)
    flags = [] if year else ["sr-ei-of-sub-groups-only"] if subs else ["sr-ei-missing"]
    stages = sorted({k[1] for k in data.eu_shares if k[0] == material})
    series = [series_indicators(data, key) for key in data.series_of(material)]
    if not series:
        flags.append("no-production-series")
    return MaterialIndicators(
        material, data.label(material), material in data.critical_2023, sr, ei, year,
        [latest[1][1], latest[2][1]] if latest else [],
        (sr >= SR_THRESHOLD and ei >= EI_THRESHOLD) if sr is not None and ei is not None else None,
        series, [eu_sourcing(data, material, st) for st in stages], flags, subs)


def all_material_indicators(data: SupplyData) -> list[MaterialIndicators]:
    """Every material with a production series, an EU sourcing table or SR/EI scores (its own or its sub-groups')."""
    mats = {k[0] for k in data.series} | {k[0] for k in data.eu_shares} | set(data.scores)
    mats |= {g for g, subs in data.subgroups.items() if any(s in data.scores for s in subs)}
    return sorted((material_indicators(data, m) for m in mats), key=lambda m: m.label.lower())


@dataclass
class CountryMaterial:
    material: str
    label: str
    stage: str
    series: str
    share: float | None
    value: float | None
    unit: str | None
    year: str
    rank: int | None
    figure: str


@dataclass
class CountryIndicators:
    country: str
    label: str
    central_asian: bool
    materials: list[CountryMaterial]
    eu_sourcing: list[tuple[str, str, str, float]]  # (material, label, stage, percent)
    instruments: list[Instrument]
    degree_centrality: float
    weighted_degree: float  # Σ world shares (percent) over its series
    betweenness: float


def country_indicators(data: SupplyData, country: str, centrality: dict | None = None,
                       cache: dict | None = None) -> CountryIndicators:
    mats: list[CountryMaterial] = []
    for key in data.series:
        si = cache[key] if cache is not None and key in cache else series_indicators(data, key)
        if cache is not None:
            cache[key] = si
        for rank, s in enumerate(si.suppliers, start=1):
            if s.country == country:
                mats.append(CountryMaterial(key[0], data.label(key[0]), key[1], key[2], s.share, s.value, si.unit,
                                            s.year, rank if s.share is not None else None, s.figure))
    mats.sort(key=lambda m: (-(m.share or 0), m.label))
    eu = sorted(((m, data.label(m), st, s.value) for (m, st), lst in data.eu_shares.items() for s in lst
                 if s.subject == country), key=lambda r: -r[3])
    if centrality is None:  # computed once per snapshot (betweenness is most of a country page's cost)
        from .networks import supply_centrality

        if "centrality" not in data.computed:
            data.computed["centrality"] = supply_centrality(data)
        centrality = data.computed["centrality"]
    c = centrality.get(country, {})
    return CountryIndicators(country, data.label(country), country in data.central_asian, mats, eu,
                             list(data.instruments.get(country, [])), c.get("degree", 0.0),
                             sum(m.share or 0 for m in mats), c.get("betweenness", 0.0))


def all_country_indicators(data: SupplyData) -> list[CountryIndicators]:
    from .networks import supply_centrality

    centrality = data.computed.get("centrality") or supply_centrality(data)
    data.computed["centrality"] = centrality
    cache: dict = {}
    producers = {o.subject for obs in data.series.values() for o in obs if o.subject in data.countries}
    producers |= {s.subject for lst in data.eu_shares.values() for s in lst}
    return sorted((country_indicators(data, c, centrality, cache) for c in producers), key=lambda c: c.label)
