"""`crmgraph indicators …` and `crmgraph scenario …`: rich tables over the analysis library.

Kept apart from cli.py only for size; the same rule holds — parse options, call the library, print.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

out = Console()


def _console() -> Console:
    """A console measured now (so `COLUMNS=80 crmgraph …` and a resized terminal are honoured)."""
    global out
    out = Console()
    return out

indicators_app = typer.Typer(no_args_is_help=True, help="Supply-risk indicators per material or country (HHI, shares, SR/EI, instruments).")
scenario_app = typer.Typer(no_args_is_help=True,
                           help="What-if scenarios: restrict supply, an agreement enters into force, a project starts production.")


def _pct(v: float | None) -> str:
    return "missing" if v is None else f"{v:.1f} %"


def _num(v: float | None) -> str:
    return "missing" if v is None else f"{v:,.0f}"


def _status(insts) -> str:
    return "; ".join(f"{i.label} ({i.status_label or 'status not stated'})" for i in insts) or "none in the graph"


def fit(title: str, headers: list[str], rows: list[list[str]], width: int | None = None):
    """A table that fits the terminal: columns that wrap when each can keep a readable width, else one
    block per row ("field  value") — never `Kaz… │ 17,…`. The same rule as `crmgraph query` answers
    (query/results.fit_rows), with long headings counted as 14 characters (they wrap)."""
    from .query.results import fit_rows

    return fit_rows(headers, rows, width or out.width, title=title, header_cap=14)


def sr_ei_text(m) -> str:
    """SR/EI in words; a group assessed only as sub-groups gives each sub-group by name, never one of them."""
    if m.sr is None and m.sub_groups:
        return ("SR/EI not assessed for the group as a whole; sub-groups: " + "; ".join(
            f"{g.label} SR {g.sr:g}, EI {g.ei:g} ({g.year}), passes SR ≥ 1.0 and EI ≥ 2.8: {'yes' if g.passes_thresholds else 'no'}"
            for g in m.sub_groups))
    return (f"SR {m.sr if m.sr is not None else 'missing'}, EI {m.ei if m.ei is not None else 'missing'}"
            f"{f' ({m.sr_ei_year} assessment)' if m.sr_ei_year else ''}; passes SR ≥ 1.0 and EI ≥ 2.8: "
            f"{'missing' if m.passes_thresholds is None else 'yes' if m.passes_thresholds else 'no'}")


def _cite(cites, key: str) -> str:
    """A source key as readers know it ("USGS, Mineral Commodity Summaries 2025 (2025)"), else the key."""
    src = cites.get(key) if cites is not None else None
    return src.short if src is not None else key


_ROW = re.compile(r"(?P<file>[^/;]+\.csv) line (?P<line>\d+).*?column (?P<column>[^;]+)")


def _where(locator: str) -> str:
    """A dataset row's locator, short: "MCS2025_World_Data.csv line 60, column PROD_EST_ 2024"."""
    m = _ROW.search(locator or "")
    return f"{m.group('file')} line {m.group('line')}, column {m.group('column').strip()}" if m else (locator or "")


def _sources(cites, keys) -> str:
    return "; ".join(_cite(cites, k) for k in keys)


def print_material(m, cites=None) -> None:
    out.print(f"[bold]{m.label}[/] — EU CRM 2023: {'yes' if m.critical_2023 else 'no'}; {sr_ei_text(m)}"
              + (f"  [yellow]flags: {', '.join(m.flags)}[/]" if m.flags else ""), highlight=False)
    for si in m.series:
        title = (f"{si.stage}: {si.series} — {si.year or 'year missing'}; HHI {_num(si.hhi)}; "
                 f"Central Asia {_pct(si.central_asian_share)}" + (f"; flags: {', '.join(si.flags)}" if si.flags else "")
                 + f"; sources: {_sources(cites, si.sources)}")
        unit = f" ({_unit_label(si.unit)})" if si.unit else ""
        rows = [[str(rank), s.label + (" (Central Asia)" if s.central_asian else ""),
                 "withheld" if s.value is None else f"{s.value:,.0f}", _pct(s.share), s.year,
                 _status(s.instruments) if s.central_asian else ""] for rank, s in enumerate(si.suppliers, start=1)]
        out.print(fit(title, ["rank", "country", "value" + unit, "share of world", "year", "EU instruments (status)"], rows))
    for e in m.eu_sourcing:
        title = (f"EU sourcing, {e.stage} ({_sources(cites, e.sources) or 'EC 2023 study'}): HHI {_num(e.hhi)}; "
                 f"Central Asia {e.central_asian_share:.0f} %; flags: {', '.join(e.flags)}")
        out.print(fit(title, ["country", "share of EU sourcing"],
                      [[label, ("< " if "LessThan" in s.qualifiers else "") + f"{v:g} %"] for _c, label, v, s in e.shares]))


SYMBOLS: dict[str, str] = {}  # unit IRI → symbol, read from the graph by `_data` (crm:symbol)


def _unit_label(unit: str | None) -> str:
    return SYMBOLS.get(unit or "") or (unit or "").rsplit("/", 1)[-1]


def print_country(c) -> None:
    out.print(f"[bold]{c.label}[/]{' (Central Asia)' if c.central_asian else ''} — degree centrality "
              f"{c.degree_centrality:.3f}, betweenness {c.betweenness:.3f}; EU instruments: {_status(c.instruments)}",
              highlight=False)
    out.print(fit("materials produced (USGS MCS 2025)", ["material", "stage", "series", "value", "share of world", "rank", "year"],
                  [[m.label, m.stage, m.series, ("withheld" if m.value is None else f"{m.value:,.0f}") +
                    (f" {_unit_label(m.unit)}" if m.unit and m.value is not None else ""), _pct(m.share),
                    str(m.rank or ""), m.year] for m in c.materials]))
    if c.eu_sourcing:
        out.print(fit("share of EU sourcing (EC 2023 study)", ["material", "stage", "share"],
                      [[label, stage, f"{v:g} %"] for _m, label, stage, v in c.eu_sourcing]))


def print_restriction(scen, cites=None) -> None:
    for o in scen.outcomes:
        who = ", ".join(s.label for s in o.restricted) or "none of the restricted countries produces it"
        out.print(f"\n[bold]{o.label}[/] — {o.stage}: {o.series or 'no production series'} ({o.year or 'year missing'})",
                  highlight=False)
        out.print(f"  world production lost: {_num(o.lost_tonnes)} {o.unit} = {_pct(o.lost_share)} of world ({who})",
                  highlight=False)
        for st, v in o.eu_exposed.items():
            out.print(f"  EU sourcing exposed ({st}): {_pct(v)}", highlight=False)
        if not o.eu_exposed:
            out.print("  EU sourcing exposed: missing (no EU sourcing table for this material)")
        rows = [[a.label, _num(a.production_tonnes), _pct(a.world_share), _pct(a.covers_gap),
                 ", ".join(f"{k} {v:g} %" for k, v in a.eu_share.items()) or "not listed",
                 "; ".join(f"{label} ({status or 'status not stated'})" for _i, label, status in a.instruments) or "none",
                 f"{_cite(cites, a.source)}, {_where(a.locator)}" if a.locator else _cite(cites, a.source)]
                for a in o.alternatives]
        title = f"Central Asian producers who could help: together {_pct(o.central_asian_cover)} of the gap"
        if rows:
            out.print(fit(title, ["country", f"production ({o.unit})", "share of world", "covers gap",
                                  "EU sourcing share now", "EU instruments (status)", "data"], rows))
        else:
            out.print(f"  {title}: no Central Asian producer in the data", highlight=False)
        out.print(f"  sources: {_sources(cites, o.sources)}" + (f"  [yellow]flags: {', '.join(o.flags)}[/]" if o.flags else ""),
                  highlight=False)


def print_project(scen, site: str, tonnes: float, cites=None) -> None:
    """Before and after, one small table per series: measures as rows, so it fits 80 columns."""
    country = scen.parameters.get("country_label") or scen.parameters["country"].rsplit("/", 1)[-1]
    out.print(f"[bold]if {site} starts producing {tonnes:,.0f} t/y[/] (in {country})", highlight=False)
    for o in scen.outcomes:
        share = lambda si, o=o: next((s.share for s in si.suppliers if s.country == o.country), 0.0)  # noqa: E731
        rows = [[f"{country}'s share of world production", _pct(share(o.before)), _pct(share(o.after))],
                ["HHI of world production", _num(o.before.hhi), _num(o.after.hhi)],
                ["Central Asia's share", _pct(o.before.central_asian_share), _pct(o.after.central_asian_share)]]
        out.print(fit(f"{o.label}: {o.series} ({o.before.year or 'year missing'})", ["", "before", "after"], rows))
        if o.note:
            out.print(f"  note: {o.note}", highlight=False)
        out.print(f"  sources: {_sources(cites, o.before.sources)}", highlight=False)


def _data(store: Optional[Path]):
    from .analysis.supplydata import load
    from .cli import _store_path
    from .store.embedded import OxigraphStore

    _console()
    s = OxigraphStore(_store_path(store), read_only=True)
    d = load(s)
    SYMBOLS.update(d.unit_symbols)
    return s, d


def _citations(s):
    from .query.citations import Citations

    return Citations.load(s)


StoreOption = typer.Option(None, "--store", help="Store folder (default: var/store, or $CRMGRAPH_STORE).")


@indicators_app.command("material")
def indicators_material(material: list[str] = typer.Argument(..., help="Material slugs (antimony, tungsten …) or 'all'."),
                        store: Optional[Path] = StoreOption) -> None:
    """Per material: world HHI per production series, largest supplier, Central Asian share and producers with
    the EU's instruments, EU sourcing HHI per stage, SR/EI and the thresholds."""
    from .analysis.indicators import all_material_indicators, material_indicators
    from .analysis.scenarios import _resolve
    from .cli import _run

    def go():
        s, d = _data(store)
        try:
            if material == ["all"]:
                return all_material_indicators(d), _citations(s)
            return [material_indicators(d, _resolve(d, m, "material")) for m in material], _citations(s)
        finally:
            s.close()
    found, cites = _run(go)
    for m in found:
        print_material(m, cites)


@indicators_app.command("country")
def indicators_country(country: list[str] = typer.Argument(..., help="ISO codes (KZ, TJ …)."),
                       store: Optional[Path] = StoreOption) -> None:
    """Per country: materials produced with world share and rank, EU sourcing shares, instruments with the EU,
    centrality in the supply network."""
    from .analysis.indicators import country_indicators
    from .analysis.scenarios import _resolve
    from .cli import _run

    def go():
        s, d = _data(store)
        try:
            return [country_indicators(d, _resolve(d, c, "country")) for c in country]
        finally:
            s.close()
    for c in _run(go):
        print_country(c)


@indicators_app.command("ranking")
def indicators_ranking(store: Optional[Path] = StoreOption, limit: int = typer.Option(20, help="How many rows.")) -> None:
    """Materials ranked by world concentration (HHI of their main series), with SR/EI and Central Asia's share."""
    from .analysis.indicators import all_material_indicators
    from .cli import _run

    def go():
        s, d = _data(store)
        try:
            return all_material_indicators(d)
        finally:
            s.close()
    ms = [m for m in _run(go) if m.main_series() and m.main_series().hhi is not None]
    ms.sort(key=lambda m: -m.main_series().hhi)
    def score(m, kind: str) -> str:
        v = m.sr if kind == "SR" else m.ei
        if v is not None:
            return f"{v:g}"
        if m.sub_groups:  # rare earths: each sub-group by name
            return "; ".join(f"{g.label} {g.sr if kind == 'SR' else g.ei:g}" for g in m.sub_groups)
        return "missing"
    rows = []
    for m in ms[:limit]:
        si = m.main_series()
        rows.append([m.label, "yes" if m.critical_2023 else "no", si.series, si.year or "", f"{si.hhi:,.0f}",
                     si.largest.label if si.largest else "", _pct(si.largest.share if si.largest else None),
                     _pct(si.central_asian_share), score(m, "SR"), score(m, "EI")])
    out.print(fit("most concentrated materials (world production, USGS MCS 2025)",
                  ["material", "CRM 2023", "series", "year", "HHI", "largest supplier", "share", "Central Asia", "SR", "EI"], rows))


@scenario_app.command("restrict")
def scenario_restrict(country: list[str] = typer.Option(..., "--country", "-c", help="Country ISO code (repeatable)."),
                      material: list[str] = typer.Option(..., "--material", "-m", help="Material slug (repeatable)."),
                      store: Optional[Path] = StoreOption,
                      save: bool = typer.Option(False, "--save",
                                                help="Also write the outcome as RDF (graph:analytics/scenario-…) with its PROV activity.")) -> None:
    """The countries stop supplying the materials: world production lost, EU sourcing exposed, and which
    Central Asian producers could cover what share of the gap, under which EU instrument, on whose data."""
    from .analysis.scenarios import restrict_in_store
    from .cli import _run, _store_path
    from .store.embedded import OxigraphStore

    def go():
        _console()
        s = OxigraphStore(_store_path(store), read_only=True)
        try:
            return restrict_in_store(s, country, material), _citations(s)
        finally:
            s.close()
    scen, cites = _run(go)
    print_restriction(scen, cites)
    if save:
        _save(scen, store)


@scenario_app.command("agreement")
def scenario_agreement(instrument: str = typer.Argument(..., help="An instrument slug, e.g. eu-kg-epca."),
                       store: Optional[Path] = StoreOption, save: bool = typer.Option(False, "--save")) -> None:
    """The instrument enters into force: per material, the share of world production from countries with an
    in-force EU instrument, before and after."""
    from .analysis.scenarios import agreement_in_force
    from .cli import _run

    def go():
        s, d = _data(store)
        try:
            scen = agreement_in_force(d, instrument)
            return scen, _citations(s), ", ".join(d.label(c) for c in scen.parameters["partners"].split(","))
        finally:
            s.close()
    scen, cites, partners = _run(go)
    out.print(fit(f"if {scen.parameters['label']} enters into force: per material, the share of world production "
                  "from countries with an EU instrument in force",
                  ["material", "series", "partners' world share", "in-force share before", "after"],
                  [[o.label, o.series, _pct(o.partner_share), _pct(o.share_before), _pct(o.share_after)]
                   for o in scen.outcomes]))
    keys = sorted({k for o in scen.outcomes for k in o.sources})
    out.print(f"  partners: {partners}; sources: {_sources(cites, keys)}" if keys
              else "  no production series of the partners in the data", highlight=False)
    if save:
        _save(scen, store)


@scenario_app.command("project")
def scenario_project(site: str = typer.Argument(..., help="A deposit or project slug of graph/sites.ttl."),
                     tonnes: float = typer.Option(..., "--tonnes", help="Production per year, in tonnes of the series' content."),
                     material: Optional[str] = typer.Option(None, "--material", help="If the site holds several materials."),
                     store: Optional[Path] = StoreOption, save: bool = typer.Option(False, "--save")) -> None:
    """The project starts producing Z t/y: its country's world share, the HHI and Central Asia's share, before and after."""
    from .analysis.scenarios import project_starts
    from .cli import _run

    def go():
        s, d = _data(store)
        try:
            scen = project_starts(s, d, site, tonnes, material)
            scen.parameters["country_label"] = d.label(scen.parameters["country"])
            return scen, _citations(s)
        finally:
            s.close()
    scen, cites = _run(go)
    print_project(scen, site, tonnes, cites)
    if save:
        _save(scen, store)


def _save(scen, store: Optional[Path]) -> None:
    from .analysis.results import write_scenario
    from .cli import _run, _store_path
    from .store.embedded import OxigraphStore

    def go():
        s = OxigraphStore(_store_path(store))
        try:
            return write_scenario(s, scen)
        finally:
            s.close()
    graph = _run(go)
    out.print(f"written to {graph}")
