"""The supply-risk pages of the portal: `/risk` (the EU's criticality picture — SR/EI scatter with
the thresholds — and the most concentrated materials), `/risk/material/<slug>`, `/risk/country/<code>`
and `/risk/scenario` (a form: which countries stop supplying which materials → the answer with its
evidence). Each page has a `.json` twin with the same data; each chart (Vega-Lite, drawn in the
browser by vega-embed from `/assets/vega/`) has a table twin on the page.

The numbers come from `analysis/` over a snapshot of the read-only store, read once per server (the
store does not change while it is served).
"""
from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from ..analysis import indicators as ind
from ..analysis.scenarios import Scenario, _resolve, agreement_in_force, project_starts, restrict
from ..analysis.supplydata import SupplyData, load
from ..errors import CrmgraphError
from ..namespaces import ID
from ..views.charts import sr_ei_scatter, supplier_bars
from ..views.explorer import script_json
from ..query.citations import Reference
from . import search
from .html import cite, document, escape, href

_LOCK = threading.Lock()
T = TypeVar("T")

#: `/assets/vega/FILE` → (path under web-assets/node_modules, media type)
VEGA_ASSETS = {
    "vega.min.js": ("vega/build/vega.min.js", "text/javascript"),
    "vega-lite.min.js": ("vega-lite/build/vega-lite.min.js", "text/javascript"),
    "vega-embed.min.js": ("vega-embed/build/vega-embed.min.js", "text/javascript"),
    "vega-interpreter.js": ("vega-interpreter/build/vega-interpreter.js", "text/javascript"),
}
#: vega-interpreter is published as an ES module importing three functions from `vega-util`; the
#: browser has them on the `vega` global (vega re-exports vega-util), so that one import line is
#: rewritten when served (no bundler, no import map).
INTERPRETER_IMPORT = "import { ascending, isString, DisallowedObjectProperties } from 'vega-util';"
INTERPRETER_SHIM = "const { ascending, isString, DisallowedObjectProperties } = globalThis.vega;"

HEAD = ('<script src="/assets/vega/vega.min.js"></script><script src="/assets/vega/vega-lite.min.js"></script>'
        '<script src="/assets/vega/vega-embed.min.js"></script><script type="module" src="/assets/vega/risk.js"></script>'
        '<style>.chart{margin:1em 0}.ca{background:#e3f4f0}.flag{color:#7a4b00;background:#fff4dc;padding:0 .3em;'
        'border-radius:3px;font-size:85%}</style>')


def snapshot(state) -> SupplyData:
    """The analytics snapshot of the served store, read on first use."""
    with _LOCK:
        if getattr(state, "risk_data", None) is None:
            state.risk_data = load(state.entity_store)
        return state.risk_data


def _as_json(value) -> object:
    return dataclasses.asdict(value) if dataclasses.is_dataclass(value) and not isinstance(value, type) else value


def _link(iri: str, label: str) -> str:
    if iri.startswith(ID + "material/"):
        return f'<a href="/risk/material/{escape(iri.rsplit("/", 1)[-1])}">{escape(label)}</a>'
    if iri.startswith(ID + "country/"):
        return f'<a href="/risk/country/{escape(iri.rsplit("/", 1)[-1])}">{escape(label)}</a>'
    h = href(iri)
    return f'<a href="{escape(h)}">{escape(label)}</a>' if h else escape(label)


def _cites(request: Request, keys, locator: str | None = None) -> str:
    """Source keys of the analytics ("usgs-mcs2025-world") as readable citations linked to the sources'
    pages (web.html.cite), with a locator where one row is meant."""
    citations = search.citations(request.app.state)
    return cite(citations, [Reference(k, locator) for k in keys]) or escape(", ".join(keys))


def _chart(chart_id: str, spec: dict) -> str:
    return (f'<div class="chart" data-spec="{escape(chart_id)}"></div>'
            f'<script type="application/json" id="{escape(chart_id)}">{script_json(spec)}</script>')


def _pct(v) -> str:
    return "missing" if v is None else f"{v:.1f} %"


def _flags(flags) -> str:
    return " ".join(f'<span class="flag">{escape(f)}</span>' for f in flags)


def _table(head: list[str], rows: list[list[str]], cls: list[str] | None = None) -> str:
    body = "".join(f'<tr{(" class=" + chr(34) + c + chr(34)) if c else ""}>' + "".join(f"<td>{x}</td>" for x in r) + "</tr>"
                   for r, c in zip(rows, cls or [""] * len(rows)))
    return "<table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr>" + body + "</table>"


def _want_json(request: Request) -> bool:
    return request.path_params.get("suffix") == "json" or request.url.path.endswith(".json")


async def _answer(request: Request, compute: Callable[[], T], render: Callable[[T], str], refuse: Callable[[CrmgraphError], Response],
                  title: Callable[[T], str]) -> Response:
    """The pattern every /risk page with parameters follows, in one place: read the parameters and compute
    off the event loop (`compute`, which raises a CrmgraphError for a bad parameter); a refusal is
    `refuse(error)` (404 for an unknown entity, 400 with the form again for a bad scenario); `.json` gets the
    result itself; a page gets `render(result)` in the portal's document with the charts' scripts."""
    try:
        result = await run_in_threadpool(compute)
    except CrmgraphError as exc:
        return refuse(exc)
    if _want_json(request):
        return JSONResponse(_as_json(result))
    return Response(document(title(result), render(result), HEAD), media_type="text/html")


def _not_found(exc: CrmgraphError) -> Response:
    return PlainTextResponse(f"error: {exc.message}\nhint: {exc.hint}\n", status_code=404)


# ------------------------------------------------------------------ /risk
def overview_data(data: SupplyData) -> dict:
    mats = ind.all_material_indicators(data)
    scored = [m for m in mats if m.sr is not None]
    ranked = sorted(((m, si) for m in mats if (si := m.main_series()) is not None and si.hhi is not None),
                    key=lambda pair: -(pair[1].hhi or 0.0))
    return {
        "sr_ei": [{"material": m.label, "iri": m.material, "sr": m.sr, "ei": m.ei, "year": m.sr_ei_year,
                   "passes": m.passes_thresholds, "critical_2023": m.critical_2023} for m in scored],
        "concentration": [{"material": m.label, "iri": m.material, "series": si.series,
                           "stage": si.stage, "year": si.year, "hhi": si.hhi,
                           "largest": si.largest.label if si.largest else None,
                           "largest_share": si.largest.share if si.largest else None,
                           "central_asian_share": si.central_asian_share,
                           "flags": si.flags} for m, si in ranked],
        "thresholds": {"sr": ind.SR_THRESHOLD, "ei": ind.EI_THRESHOLD},
    }


def _scenario_form(country: str = "CN", material: str = "antimony") -> str:
    return ('<form action="/risk/scenario" method="get"><label>countries that stop supplying (ISO codes, comma-separated) '
            f'<input type="text" name="country" value="{escape(country)}"></label><label>materials (slugs, comma-separated) '
            f'<input type="text" name="material" value="{escape(material)}"></label><button type="submit">what if?</button></form>')


def _sr_ei_html(m) -> str:
    """SR/EI and the thresholds; a group the EC assesses only as sub-groups (rare earths) shows each
    sub-group by name with its own values, never one of them as the group's."""
    if m.sr is None and m.sub_groups:
        return "SR/EI not assessed for the group as a whole; sub-groups: " + "; ".join(
            f"{_link(g.material, g.label)} SR {g.sr:g}, EI {g.ei:g} ({escape(g.year)}), passes SR ≥ 1.0 and EI ≥ 2.8: "
            f"{'yes' if g.passes_thresholds else 'no'}" for g in m.sub_groups)
    return (f"SR {m.sr if m.sr is not None else 'missing'}, EI {m.ei if m.ei is not None else 'missing'}"
            f"{f' ({escape(m.sr_ei_year)} assessment)' if m.sr_ei_year else ''} · passes SR ≥ 1.0 and EI ≥ 2.8: "
            f"{'missing' if m.passes_thresholds is None else 'yes' if m.passes_thresholds else 'no'}")


async def overview(request: Request) -> Response:
    data = await run_in_threadpool(snapshot, request.app.state)
    d = await run_in_threadpool(overview_data, data)
    if _want_json(request):
        return JSONResponse(d)
    year = d["sr_ei"][0]["year"] if d["sr_ei"] else "—"
    spec = sr_ei_scatter([{"material": r["material"], "sr": r["sr"], "ei": r["ei"], "critical": bool(r["passes"])}
                          for r in d["sr_ei"]], ind.SR_THRESHOLD, ind.EI_THRESHOLD, year)
    body = ("<h1>Supply risk</h1><p>Where is the EU exposed, and how much can Central Asia relieve it? Computed from the "
            "graph: world production by country (USGS MCS 2025), the EU's sourcing shares and SR/EI scores (EC CRM study 2023), "
            "the EU's instruments with each country. <a href=\"/risk.json\">JSON</a></p>"
            "<h2>What if a supplier stops?</h2>" + _scenario_form() + _other_forms() +
            "<h2>The EU's criticality picture</h2>" + _chart("sr-ei", spec) +
            _table(["material", "SR", "EI", "year", "passes SR ≥ 1.0 and EI ≥ 2.8", "on the 2023 CRM list"],
                   [[_link(r["iri"], r["material"]), f"{r['sr']:g}", f"{r['ei']:g}", escape(r["year"]),
                     "yes" if r["passes"] else "no", "yes" if r["critical_2023"] else "no"]
                    for r in sorted(d["sr_ei"], key=lambda r: -r["sr"])]) +
            "<h2>Most concentrated world production</h2>" +
            _table(["material", "series", "year", "HHI", "largest supplier", "share", "Central Asia", "flags"],
                   [[_link(r["iri"], r["material"]), escape(r["series"]), escape(r["year"] or ""), f"{r['hhi']:,.0f}",
                     escape(r["largest"] or ""), _pct(r["largest_share"]), _pct(r["central_asian_share"]), _flags(r["flags"])]
                    for r in d["concentration"]]))
    return Response(document("Supply risk", body, HEAD), media_type="text/html")


# ------------------------------------------------------------------ /risk/material/<slug>
async def material_page(request: Request) -> Response:
    data = await run_in_threadpool(snapshot, request.app.state)
    slug = request.path_params["slug"]
    return await _answer(request, lambda: ind.material_indicators(data, _resolve(data, slug, "material")),
                         lambda m: _material_html(request, data, slug, m), _not_found, lambda m: f"{m.label}: supply risk")


def _material_html(request: Request, data: SupplyData, slug: str, m: ind.MaterialIndicators) -> str:
    iri = m.material
    parts = [f"<h1>{escape(m.label)}: supply risk</h1>",
             f'<p><a href="{escape(href(iri))}">entity page</a> · <a href="/risk/material/{escape(slug)}.json">JSON</a> · '
             f'<a href="/risk/scenario?country=CN&amp;material={escape(slug)}">what if China stops?</a></p>',
             f"<p>EU CRM 2023: {'yes' if m.critical_2023 else 'no'} · {_sr_ei_html(m)} {_flags(m.flags)}</p>"]
    for n, si in enumerate(m.series):
        rows = [{"supplier": s.label, "share": s.share, "central_asian": s.central_asian} for s in si.suppliers if s.share is not None]
        parts.append(f"<h2>{escape(si.stage)}: {escape(si.series)} ({escape(si.year or 'year missing')})</h2>"
                     f"<p>HHI {'missing' if si.hhi is None else f'{si.hhi:,.0f}'} · largest supplier "
                     f"{escape(si.largest.label) if si.largest else 'missing'} ({_pct(si.largest.share if si.largest else None)}) · "
                     f"Central Asia {_pct(si.central_asian_share)} · sources: {_cites(request, si.sources)} {_flags(si.flags)}</p>")
        parts.append(_chart(f"series-{n}", supplier_bars(f"{m.label}: {si.series}, {si.year}", rows)))
        parts.append(_table(["rank", "country", f"value ({data.symbol(si.unit)})" if si.unit else "value", "share of world", "year",
                             "EU instruments (status)", "figure"],
                            [[str(i), _link(s.country, s.label), "withheld" if s.value is None else f"{s.value:,.0f}",
                              _pct(s.share), escape(s.year),
                              escape("; ".join(f"{x.label} ({x.status_label or 'status not stated'})" for x in s.instruments))
                              if s.central_asian else "", _link(s.figure, s.figure.rsplit("/", 1)[-1]) if s.figure else ""]
                             for i, s in enumerate(si.suppliers, start=1)],
                            ["ca" if s.central_asian else "" for s in si.suppliers]))
    for n, e in enumerate(m.eu_sourcing):
        rows = [{"supplier": label, "share": v, "central_asian": c in data.central_asian} for c, label, v, _s in e.shares]
        parts.append(f"<h2>EU sourcing, {escape(e.stage)} (EC CRM study 2023)</h2><p>HHI "
                     f"{'missing' if e.hhi is None else f'{e.hhi:,.0f}'} · Central Asia {e.central_asian_share:g} % {_flags(e.flags)}</p>")
        parts.append(_chart(f"eu-{n}", supplier_bars(f"{m.label}: EU sourcing, {e.stage}", rows, "share of EU sourcing (%)")))
        parts.append(_table(["country", "share of EU sourcing", "source"],
                            [[_link(c, label), ("&lt; " if "LessThan" in s.qualifiers else "") + f"{v:g} %",
                              _cites(request, [s.source], s.locator)] for c, label, v, s in e.shares],
                            ["ca" if c in data.central_asian else "" for c, *_ in e.shares]))
    return "".join(parts)


# ------------------------------------------------------------------ /risk/country/<code>
async def country_page(request: Request) -> Response:
    data = await run_in_threadpool(snapshot, request.app.state)
    code = request.path_params["code"]
    return await _answer(request, lambda: ind.country_indicators(data, _resolve(data, code, "country")),
                         lambda c: _country_html(code, c), _not_found, lambda c: f"{c.label}: supply role")


def _country_html(code: str, c: ind.CountryIndicators) -> str:
    iri = c.country
    rows = [{"supplier": f"{m.label} ({m.series})", "share": m.share, "central_asian": c.central_asian}
            for m in c.materials if m.share is not None]
    body = (f"<h1>{escape(c.label)}: supply role</h1>"
            f'<p><a href="{escape(href(iri))}">entity page</a> · <a href="/risk/country/{escape(code)}.json">JSON</a></p>'
            f"<p>{'Central Asian country · ' if c.central_asian else ''}degree centrality {c.degree_centrality:.3f} · "
            f"betweenness {c.betweenness:.3f} in the supply network</p>"
            "<h2>Instruments with the EU</h2>" +
            _table(["instrument", "status"], [[_link(i.iri, i.label), escape(i.status_label or "status not stated")]
                                              for i in c.instruments]) +
            "<h2>Materials produced (share of world production, USGS MCS 2025)</h2>" +
            _chart("country", supplier_bars(f"{c.label}: share of world production", rows)) +
            _table(["material", "stage", "series", "value", "share of world", "rank", "year"],
                   [[_link(m.material, m.label), escape(m.stage), escape(m.series),
                     "withheld" if m.value is None else f"{m.value:,.0f}", _pct(m.share), str(m.rank or ""), escape(m.year)]
                    for m in c.materials]) +
            "<h2>Share of EU sourcing (EC CRM study 2023)</h2>" +
            _table(["material", "stage", "share"], [[_link(m, label), escape(st), f"{v:g} %"] for m, label, st, v in c.eu_sourcing]))
    return body


# ------------------------------------------------------------------ /risk/scenario
SCENARIO_KINDS = ("restrict", "agreement", "project")


def _other_forms(instrument: str = "", site: str = "", tonnes: str = "", material: str = "") -> str:
    """The two other kinds of scenario the issue names: an agreement enters into force; a deposit or
    project starts production at Z t/y."""
    return ('<h2>What if an agreement enters into force?</h2><form action="/risk/scenario" method="get">'
            '<input type="hidden" name="kind" value="agreement"><label>instrument (slug, e.g. eu-kg-epca) '
            f'<input type="text" name="instrument" value="{escape(instrument or "eu-kg-epca")}"></label>'
            '<button type="submit">what if?</button></form>'
            '<h2>What if a deposit starts production?</h2><form action="/risk/scenario" method="get">'
            '<input type="hidden" name="kind" value="project"><label>deposit or project (slug, e.g. northern-katpar) '
            f'<input type="text" name="site" value="{escape(site or "northern-katpar")}"></label><label>tonnes per year '
            f'<input type="text" name="tonnes" value="{escape(tonnes or "5000")}"></label><label>material (if it holds several) '
            f'<input type="text" name="material" value="{escape(material)}"></label><button type="submit">what if?</button></form>')


def _bad_parameter(request: Request, exc: CrmgraphError, form: str, heading: str = "Scenario") -> Response:
    """A scenario's bad parameter: 400, as JSON or as the page's heading and form again with the reason."""
    if _want_json(request):
        return JSONResponse({"error": "bad-parameter", "message": exc.message, "hint": exc.hint}, status_code=400)
    body = f'<h1>{escape(heading)}</h1><p class="error">{escape(exc.message)} — {escape(exc.hint)}</p>' + form
    return Response(document("Scenario", body), media_type="text/html", status_code=400)


def _tonnes(text: str) -> float:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        raise CrmgraphError(f"tonnes per year {text!r} is not a number", hint="give ?tonnes=5000") from None


async def _agreement_page(request: Request, data: SupplyData) -> Response:
    instrument = request.query_params.get("instrument", "").strip()
    form = _other_forms(instrument=instrument)

    def compute() -> Scenario:
        if not instrument:
            raise CrmgraphError("no instrument named", hint="give ?instrument=SLUG, e.g. eu-kg-epca")
        return agreement_in_force(data, instrument)

    return await _answer(request, compute, lambda scen: _agreement_html(request, data, instrument, form, scen),
                         lambda exc: _bad_parameter(request, exc, form), lambda scen: "Scenario: agreement")


def _agreement_html(request: Request, data: SupplyData, instrument: str, form: str, scen: Scenario) -> str:
    partners = ", ".join(_link(c, data.label(c)) for c in scen.parameters["partners"].split(","))
    keys = sorted({k for o in scen.outcomes for k in o.sources})
    body = (f"<h1>What if {escape(scen.parameters['label'])} enters into force?</h1>"
            f'<p class="answer">Partners: {partners}. Per material, the share of world production from countries with an EU '
            f"instrument in force, before and after. Sources: {_cites(request, keys) if keys else 'none (no production series of the partners)'}</p>"
            f'<p><a href="/risk/scenario.json?kind=agreement&amp;instrument={escape(instrument)}">JSON</a></p>' +
            _table(["material", "series", "year", "partners' world share", "in-force share before", "after"],
                   [[_link(o.material, o.label), escape(o.series), escape(o.year or ""), _pct(o.partner_share),
                     _pct(o.share_before), _pct(o.share_after)] for o in scen.outcomes]) + form)
    return body


async def _project_page(request: Request, data: SupplyData) -> Response:
    q = request.query_params
    site, tonnes, material = q.get("site", "").strip(), q.get("tonnes", "").strip(), q.get("material", "").strip()
    form = _other_forms(site=site, tonnes=tonnes, material=material)

    def compute() -> Scenario:
        t = _tonnes(tonnes)
        if not site:
            raise CrmgraphError("no deposit or project named", hint="give ?site=SLUG, e.g. northern-katpar")
        return project_starts(request.app.state.entity_store, data, site, t, material or None)

    return await _answer(request, compute, lambda scen: _project_html(request, data, site, tonnes, form, scen),
                         lambda exc: _bad_parameter(request, exc, form), lambda scen: "Scenario: project")


def _project_html(request: Request, data: SupplyData, site: str, tonnes: str, form: str, scen: Scenario) -> str:
    t = _tonnes(tonnes)  # read again: compute() refused it if it were not a number
    country = data.label(scen.parameters["country"])
    parts = [f"<h1>What if {escape(site)} starts producing {t:,.0f} t/y?</h1>",
             f'<p>In {_link(scen.parameters["country"], country)}. '
             f'<a href="/risk/scenario.json?kind=project&amp;site={escape(site)}&amp;tonnes={escape(tonnes)}">JSON</a></p>']
    for o in scen.outcomes:
        share = lambda si, o=o: next((s.share for s in si.suppliers if s.country == o.country), 0.0)  # noqa: E731
        parts.append(f"<h2>{_link(o.material, o.label)}: {escape(o.series)} ({escape(o.before.year or 'year missing')})</h2>"
                     + (f"<p>{escape(o.note)}</p>" if o.note else "") +
                     _table(["", "before", "after"],
                            [[escape(f"{country}'s share of world production"), _pct(share(o.before)), _pct(share(o.after))],
                             ["HHI of world production", "missing" if o.before.hhi is None else f"{o.before.hhi:,.0f}",
                              "missing" if o.after.hhi is None else f"{o.after.hhi:,.0f}"],
                             ["Central Asia's share", _pct(o.before.central_asian_share), _pct(o.after.central_asian_share)]])
                     + f"<p>Sources: {_cites(request, o.before.sources)}</p>")
    return "".join(parts) + form


async def scenario_page(request: Request) -> Response:
    data = await run_in_threadpool(snapshot, request.app.state)
    kind = request.query_params.get("kind", "restrict")
    if kind == "agreement":
        return await _agreement_page(request, data)
    if kind == "project":
        return await _project_page(request, data)
    if kind != "restrict":
        return _bad_parameter(request, CrmgraphError(f"unknown kind of scenario {kind!r}",
                                                     hint="use one of: " + ", ".join(SCENARIO_KINDS)), _other_forms())
    countries = [x for x in request.query_params.get("country", "CN").replace(" ", "").split(",") if x]
    materials = [x for x in request.query_params.get("material", "antimony").replace(" ", "").split(",") if x]
    form = _scenario_form(",".join(countries), ",".join(materials))
    return await _answer(request, lambda: restrict(data, countries, materials),
                         lambda scen: _restrict_html(request, countries, materials, scen),
                         lambda exc: _bad_parameter(request, exc, form, "What if a supplier stops?"), lambda scen: "Scenario")


def _restrict_html(request: Request, countries: list[str], materials: list[str], scen: Scenario) -> str:
    parts = ["<h1>What if a supplier stops?</h1>", _scenario_form(",".join(countries), ",".join(materials)),
             f'<p><a href="/risk/scenario.json?country={escape(",".join(countries))}&amp;material={escape(",".join(materials))}">JSON</a></p>']
    for n, o in enumerate(scen.outcomes):
        who = ", ".join(s.label for s in o.restricted) or "none of them produces it"
        eu = "; ".join(f"{escape(st)}: {_pct(v)}" for st, v in o.eu_exposed.items()) or "missing (no EU sourcing table)"
        parts.append(f"<h2>{_link(o.material, o.label)} — {escape(o.stage)}: {escape(o.series or 'no production series')} "
                     f"({escape(o.year or 'year missing')})</h2>"
                     f'<p class="answer">World production lost: <b>{"missing" if o.lost_tonnes is None else f"{o.lost_tonnes:,.0f}"} {escape(o.unit)}'
                     f" = {_pct(o.lost_share)}</b> of world ({escape(who)}). EU sourcing exposed: <b>{eu}</b> (EC CRM study 2023). "
                     f"Central Asian producers could cover <b>{_pct(o.central_asian_cover)}</b> of the gap at their current production. "
                     f"Sources: {_cites(request, o.sources)} {_flags(o.flags)}</p>")
        rows = [{"supplier": a.label, "share": a.covers_gap, "central_asian": True} for a in o.alternatives if a.covers_gap is not None]
        parts.append(_chart(f"gap-{n}", supplier_bars(f"{o.label}: share of the gap each Central Asian producer could cover",
                                                       rows, "share of the lost production (%)")))
        parts.append(_table(["country", f"production ({o.unit})", "share of world", "covers gap", "EU sourcing share now",
                             "EU instruments (status)", "data (figure)"],
                            [[_link(a.country, a.label), "missing" if a.production_tonnes is None else f"{a.production_tonnes:,.0f}",
                              _pct(a.world_share), _pct(a.covers_gap),
                              escape(", ".join(f"{k} {v:g} %" for k, v in a.eu_share.items()) or "not listed"),
                              "; ".join(f"{_link(i, label)} ({escape(status or 'status not stated')})"
                                        for i, label, status in a.instruments) or "none",
                              f"{_cites(request, [a.source])}: {_link(a.figure, 'figure')}"] for a in o.alternatives]))
    return "".join(parts) + _other_forms()


async def vega_asset(request: Request) -> Response:
    """`/assets/vega/FILE`: Vega, Vega-Lite, vega-embed, the expression interpreter (npm, web-assets/) and
    risk.js (ours); an allow-list, anything else is a 404."""
    from pathlib import Path

    name = request.path_params["file"]
    headers = {"Cache-Control": "public, max-age=3600"}
    if name == "risk.js":
        return Response((Path(__file__).parent / "static" / "risk.js").read_bytes(), media_type="text/javascript", headers=headers)
    if name not in VEGA_ASSETS:
        return PlainTextResponse("error: no such asset\n", status_code=404)
    rel, media = VEGA_ASSETS[name]
    path = request.app.state.settings.web_assets_dir / "node_modules" / rel
    if not path.is_file():
        return PlainTextResponse("error: Vega is not installed\nhint: run `make install` (npm ci --prefix web-assets)\n",
                                 status_code=404)
    body = path.read_bytes()
    if name == "vega-interpreter.js":
        body = body.replace(INTERPRETER_IMPORT.encode(), INTERPRETER_SHIM.encode(), 1)
    return Response(body, media_type=media, headers=headers)


# ------------------------------------------------------------------ factsheet blocks (web/entities.py)
#: Suppliers a factsheet's chart and table show (the full ranking is on /risk/material/<slug>).
FACTSHEET_SUPPLIERS = 12


def _score(v) -> str:
    return "missing" if v is None else f"{v:g}"


def _instruments(instruments) -> str:
    return "; ".join(f"{_link(i.iri, i.label)} ({escape(i.status_label or 'status not stated')})" for i in instruments) \
        or "none with the EU in the graph"


def material_summary(m, citations, slug: str) -> str:
    """A material's supply-risk block for its factsheet: SR/EI against the thresholds, the concentration of
    world production and of EU sourcing with the largest suppliers, the Central Asian producers with the
    EU's instruments (status), and the ranked supplier shares of the main series as a chart with its table
    twin; links to the full /risk page and the scenario form."""
    def ref(keys):
        return cite(citations, [Reference(k) for k in keys]) if citations is not None else escape(", ".join(keys))

    out = ['<h2 id="risk">Supply risk</h2>']
    if m.sr is not None:
        verdict = ("passes both thresholds (SR ≥ 1.0 and EI ≥ 2.8)" if m.passes_thresholds
                   else "does not pass both thresholds (SR ≥ 1.0 and EI ≥ 2.8)")
        out.append(f'<p class="answer">EU assessment{f" {escape(m.sr_ei_year)}" if m.sr_ei_year else ""}: supply risk '
                   f"<b>{_score(m.sr)}</b>, economic importance <b>{_score(m.ei)}</b> — {verdict}. "
                   f"On the 2023 CRM list: {'yes' if m.critical_2023 else 'no'}. {_flags(m.flags)}</p>")
    elif m.sub_groups:
        out.append("<p>SR/EI are assessed per sub-group: " + "; ".join(
            f"{escape(g.label)} SR {g.sr:g}, EI {g.ei:g} ({escape(g.year)}; "
            f"{'passes' if g.passes_thresholds else 'does not pass'} both thresholds)" for g in m.sub_groups) + ".</p>")
    else:
        out.append("<p>SR/EI: missing (the EC 2023 study gives no score for it).</p>")
    rows = []
    for si in m.series:
        rows.append([escape(si.stage), escape(si.series), escape(si.year or "missing"),
                     "missing" if si.hhi is None else f"{si.hhi:,.0f}",
                     (f"{_link(si.largest.country, si.largest.label)} ({_pct(si.largest.share)})" if si.largest else "missing"),
                     _pct(si.central_asian_share), ref(si.sources) + " " + _flags(si.flags)])
    for e in m.eu_sourcing:
        rows.append([escape(e.stage), "EU sourcing", "", "missing" if e.hhi is None else f"{e.hhi:,.0f}",
                     (f"{_link(e.largest[0], e.largest[1])} ({e.largest[2]:g} %)" if e.largest else "missing"),
                     f"{e.central_asian_share:g} %", ref(e.sources) + " " + _flags(e.flags)])
    if rows:
        out.append('<h3>Concentration of supply</h3>'
                   + _table(["stage", "world production series or EU sourcing", "year", "HHI (0–10,000)",
                             "largest supplier (share)", "Central Asia's share", "source"], rows))
    else:
        out.append("<p>No production series or EU sourcing table covers it.</p>")
    main = m.main_series()
    if main is not None:
        ca = [s for s in main.suppliers if s.central_asian]
        out.append("<h3>Central Asian producers</h3>")
        out.append(_table(["country", "production", "share of world", "year", "EU instruments (status)"],
                          [[_link(s.country, s.label), "withheld" if s.value is None else f"{s.value:,.0f}",
                            _pct(s.share), escape(s.year), _instruments(s.instruments)] for s in ca])
                   if ca else f"<p>None listed in {escape(main.series)} ({escape(main.year or 'year missing')}).</p>")
        shown = [s for s in main.suppliers if s.share is not None][:FACTSHEET_SUPPLIERS]
        bars = [{"supplier": s.label, "share": round(s.share, 2), "central_asian": s.central_asian} for s in shown]
        out.append(f"<h3>Who produces it: {escape(main.series)} ({escape(main.year or 'year missing')})</h3>")
        out.append(_chart("factsheet-suppliers", supplier_bars(f"{m.label}: share of world production", bars)))
        out.append(_table(["rank", "country", "share of world", "year"],
                          [[str(i), _link(s.country, s.label), _pct(s.share), escape(s.year)] for i, s in enumerate(shown, 1)],
                          ["ca" if s.central_asian else "" for s in shown]))
    largest = main.largest.country.rsplit("/", 1)[-1] if main is not None and main.largest else "CN"
    out.append(f'<p><a href="/risk/material/{escape(slug)}">Every series and supplier, with their figures</a> · '
               f'<a href="/risk/scenario?country={escape(largest)}&amp;material={escape(slug)}">What if its largest supplier '
               f"stops?</a></p>" + _scenario_form(largest, slug))
    return "\n".join(out)


def country_summary(c, code: str) -> str:
    """A country's supply-risk block for its factsheet: the materials it produces with its share of world
    production and rank (chart + table twin), its shares of EU sourcing, its centrality in the supply
    network; links to /risk/country/<code> and the scenario form."""
    out = ['<h2 id="risk">Supply role</h2>',
           f"<p>Centrality in the supply network (producing country → material): degree {c.degree_centrality:.3f}, "
           f"betweenness {c.betweenness:.3f}. {'A Central Asian state. ' if c.central_asian else ''}"
           f'<a href="/risk/country/{escape(code)}">All its indicators</a>.</p>']
    shares = [x for x in c.materials if x.share is not None]
    if shares:
        bars = [{"supplier": f"{x.label} ({x.stage})", "share": round(x.share, 2), "central_asian": c.central_asian}
                for x in shares[:FACTSHEET_SUPPLIERS]]
        out.append("<h3>Materials it produces: share of world production (USGS MCS 2025)</h3>")
        out.append(_chart("factsheet-materials", supplier_bars(f"{c.label}: share of world production", bars)))
    if c.materials:
        out.append(_table(["material", "stage", "series", "share of world", "rank", "year"],
                          [[_link(x.material, x.label), escape(x.stage), escape(x.series), _pct(x.share),
                            str(x.rank or "—"), escape(x.year)] for x in c.materials]))
    else:
        out.append("<p>No production series of the USGS world table lists it.</p>")
    if c.eu_sourcing:
        out.append("<h3>Its share of EU sourcing (EC CRM study 2023)</h3>"
                   + _table(["material", "stage", "share"], [[_link(m, label), escape(st), f"{v:g} %"]
                                                          for m, label, st, v in c.eu_sourcing]))
    first = c.materials[0].material.rsplit("/", 1)[-1] if c.materials else "antimony"
    out.append("<p>What if it stopped supplying?</p>" + _scenario_form(code, first))
    return "\n".join(out)
