"""`crmgraph indicators …` and `crmgraph scenario …`: rich tables over the analysis library.

Kept apart from cli.py only for size; the same rule holds — parse options, call the library, print.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

out = Console()

indicators_app = typer.Typer(no_args_is_help=True, help="Supply-risk indicators per material or country (HHI, shares, SR/EI, instruments).")
scenario_app = typer.Typer(no_args_is_help=True, help="What-if scenarios: restrict supply, an agreement enters into force, a project starts production.")


def _pct(v: float | None) -> str:
    return "missing" if v is None else f"{v:.1f} %"


def _num(v: float | None) -> str:
    return "missing" if v is None else f"{v:,.0f}"


def _status(insts) -> str:
    return "; ".join(f"{i.label} ({i.status_label or 'status not stated'})" for i in insts) or "none in the graph"


def sr_ei_text(m) -> str:
    """SR/EI in words; a group assessed only as sub-groups gives each sub-group by name, never one of them."""
    if m.sr is None and m.sub_groups:
        return ("SR/EI not assessed for the group as a whole; sub-groups: " + "; ".join(
            f"{g.label} SR {g.sr:g}, EI {g.ei:g} ({g.year}), passes SR ≥ 1.0 and EI ≥ 2.8: {'yes' if g.passes_thresholds else 'no'}"
            for g in m.sub_groups))
    return (f"SR {m.sr if m.sr is not None else 'missing'}, EI {m.ei if m.ei is not None else 'missing'}"
            f"{f' ({m.sr_ei_year} assessment)' if m.sr_ei_year else ''}; passes SR ≥ 1.0 and EI ≥ 2.8: "
            f"{'missing' if m.passes_thresholds is None else 'yes' if m.passes_thresholds else 'no'}")


def print_material(m) -> None:
    out.print(f"[bold]{m.label}[/] — EU CRM 2023: {'yes' if m.critical_2023 else 'no'}; {sr_ei_text(m)}"
              + (f"  [yellow]flags: {', '.join(m.flags)}[/]" if m.flags else ""), highlight=False)
    for si in m.series:
        t = Table(title=f"{si.stage}: {si.series} — {si.year or 'year missing'}; HHI {_num(si.hhi)}; "
                        f"Central Asia {_pct(si.central_asian_share)}" + (f"; flags: {', '.join(si.flags)}" if si.flags else "")
                        + f"; sources: {', '.join(si.sources)}", title_justify="left")
        for col in ("rank", "country", "value", "share of world", "year", "EU instruments (status)"):
            t.add_column(col, overflow="fold")
        for rank, s in enumerate(si.suppliers, start=1):
            mark = "[cyan]" if s.central_asian else ""
            t.add_row(str(rank), f"{mark}{s.label}", "withheld" if s.value is None else f"{s.value:,.0f}",
                      _pct(s.share), s.year, _status(s.instruments) if s.central_asian else "")
        out.print(t)
    for e in m.eu_sourcing:
        t = Table(title=f"EU sourcing, {e.stage} (EC 2023 study): HHI {_num(e.hhi)}; Central Asia {e.central_asian_share:.0f} %; "
                        f"flags: {', '.join(e.flags)}", title_justify="left")
        t.add_column("country")
        t.add_column("share of EU sourcing")
        for _c, label, v, s in e.shares:
            t.add_row(label, ("< " if "LessThan" in s.qualifiers else "") + f"{v:g} %")
        out.print(t)


def print_country(c) -> None:
    out.print(f"[bold]{c.label}[/]{' (Central Asia)' if c.central_asian else ''} — degree centrality "
              f"{c.degree_centrality:.3f}, betweenness {c.betweenness:.3f}; EU instruments: {_status(c.instruments)}",
              highlight=False)
    t = Table(title="materials produced (USGS MCS 2025)", title_justify="left")
    for col in ("material", "stage", "series", "value", "share of world", "rank", "year"):
        t.add_column(col, overflow="fold")
    for m in c.materials:
        t.add_row(m.label, m.stage, m.series, "withheld" if m.value is None else f"{m.value:,.0f}", _pct(m.share),
                  str(m.rank or ""), m.year)
    out.print(t)
    if c.eu_sourcing:
        t = Table(title="share of EU sourcing (EC 2023 study)", title_justify="left")
        for col in ("material", "stage", "share"):
            t.add_column(col)
        for _m, label, stage, v in c.eu_sourcing:
            t.add_row(label, stage, f"{v:g} %")
        out.print(t)


def print_restriction(scen) -> None:
    for o in scen.outcomes:
        who = ", ".join(s.label for s in o.restricted) or "none of the restricted countries produces it"
        out.print(f"\n[bold]{o.label}[/] — {o.stage}: {o.series or 'no production series'} ({o.year or 'year missing'})",
                  highlight=False)
        out.print(f"  world production lost: {_num(o.lost_tonnes)} t = {_pct(o.lost_share)} of world ({who})", highlight=False)
        for st, v in o.eu_exposed.items():
            out.print(f"  EU sourcing exposed ({st}): {_pct(v)} (EC 2023 study)", highlight=False)
        if not o.eu_exposed:
            out.print("  EU sourcing exposed: missing (no EU sourcing table for this material)")
        t = Table(title=f"Central Asian producers who could help: together {_pct(o.central_asian_cover)} of the gap",
                  title_justify="left")
        for col in ("country", "production (t)", "share of world", "covers gap", "EU sourcing share now",
                    "EU instruments (status)", "data"):
            t.add_column(col, overflow="fold")
        for a in o.alternatives:
            t.add_row(a.label, _num(a.production_tonnes), _pct(a.world_share), _pct(a.covers_gap),
                      ", ".join(f"{k} {v:g} %" for k, v in a.eu_share.items()) or "not listed",
                      "; ".join(f"{label} ({status or 'status not stated'})" for _i, label, status in a.instruments) or "none",
                      f"{a.source}: {a.figure.rsplit('/', 1)[-1]}")
        out.print(t)
        out.print(f"  sources: {', '.join(o.sources)}" + (f"  [yellow]flags: {', '.join(o.flags)}[/]" if o.flags else ""),
                  highlight=False)


def _data(store: Optional[Path]):
    from .analysis.supplydata import load
    from .cli import _store_path
    from .store.embedded import OxigraphStore

    s = OxigraphStore(_store_path(store), read_only=True)
    return s, load(s)


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
                return all_material_indicators(d)
            return [material_indicators(d, _resolve(d, m, "material")) for m in material]
        finally:
            s.close()
    for m in _run(go):
        print_material(m)


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
    t = Table(title="most concentrated materials (world production, USGS MCS 2025)")
    for col in ("material", "CRM 2023", "series", "year", "HHI", "largest supplier", "share", "Central Asia", "SR", "EI"):
        t.add_column(col, overflow="fold")
    for m in ms[:limit]:
        si = m.main_series()
        t.add_row(m.label, "yes" if m.critical_2023 else "no", si.series, si.year or "", f"{si.hhi:,.0f}",
                  si.largest.label if si.largest else "", _pct(si.largest.share if si.largest else None),
                  _pct(si.central_asian_share), str(m.sr if m.sr is not None else "missing"),
                  str(m.ei if m.ei is not None else "missing"))
    out.print(t)


@scenario_app.command("restrict")
def scenario_restrict(country: list[str] = typer.Option(..., "--country", "-c", help="Country ISO code (repeatable)."),
                      material: list[str] = typer.Option(..., "--material", "-m", help="Material slug (repeatable)."),
                      store: Optional[Path] = StoreOption,
                      save: bool = typer.Option(False, "--save", help="Also write the outcome as RDF (graph:analytics/scenario-…) with its PROV activity.")) -> None:
    """The countries stop supplying the materials: world production lost, EU sourcing exposed, and which
    Central Asian producers could cover what share of the gap, under which EU instrument, on whose data."""
    from .analysis.scenarios import restrict_in_store
    from .cli import _run, _store_path
    from .store.embedded import OxigraphStore

    def go():
        s = OxigraphStore(_store_path(store), read_only=True)
        try:
            return restrict_in_store(s, country, material)
        finally:
            s.close()
    scen = _run(go)
    print_restriction(scen)
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
            return agreement_in_force(d, instrument)
        finally:
            s.close()
    scen = _run(go)
    t = Table(title=f"if {scen.parameters['label']} enters into force")
    for col in ("material", "series", "partners' world share", "world share under in-force EU instruments: before", "after"):
        t.add_column(col, overflow="fold")
    for o in scen.outcomes:
        t.add_row(o.label, o.series, _pct(o.partner_share), _pct(o.share_before), _pct(o.share_after))
    out.print(t)
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
            return project_starts(s, d, site, tonnes, material)
        finally:
            s.close()
    scen = _run(go)
    t = Table(title=f"if {site} starts producing {tonnes:,.0f} t/y")
    for col in ("material", "series", "country share before", "after", "HHI before", "after", "Central Asia before", "after"):
        t.add_column(col, overflow="fold")
    for o in scen.outcomes:
        share = lambda si: next((s.share for s in si.suppliers if s.country == o.country), 0.0)  # noqa: E731
        t.add_row(o.label, o.series, _pct(share(o.before)), _pct(share(o.after)), _num(o.before.hhi), _num(o.after.hhi),
                  _pct(o.before.central_asian_share), _pct(o.after.central_asian_share))
    out.print(t)
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
