"""The portal's charts — views people would rather look at than read — each with its table twin.

    /views/timeline[.json]                       EU–Central Asia instruments on a timeline (vis-timeline)
    /views/shares[.json]?quantity=…              ranked bars of shares (of EU supply, EU imports, world production …)
    /views/map[.json]?measure=…[&material=…]     a world map coloured by a figure or by instrument status,
                                                 with the Central Asian states and their sites listed
    /views/map?sparql=SELECT…                    a query's answer with a column of countries, on the map
                                                 (the SPARQL editor's "Map" view frames it)
    /assets/views/FILE                           the allow-listed scripts, styles and map data they load

What is drawn comes from `views.chartdata` (fixed queries on the app's read-only store; a `?sparql=` query
runs through the `QueryPool`, like /sparql); the page carries the same data as a table below the chart
and as JSON at the `.json` twin, so nothing is only in a picture. vis-timeline, world-atlas (Natural
Earth's countries at 1:110m, ids = ISO 3166-1 numeric) and topojson-client are pinned in
web-assets/package.json and served from web-assets/node_modules, never from a CDN. Data travels in
`<script type="application/json">` blocks; the scripts write text only through `textContent`.
"""
from __future__ import annotations

import copy
import math
from pathlib import Path
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response

from ..errors import CrmgraphError, QueryError, render_for_http
from ..views import chartdata
from ..views.explorer import script_json
from ..query.citations import Reference, has_locator, short_title
from . import search
from .html import cite, document, escape, href, status_html, status_legend

STATIC = Path(__file__).resolve().parents[1] / "views" / "static"
#: `/assets/views/NAME` → (where: "npm" path under web-assets/node_modules or "static", media type).
ASSETS = {
    "vis-timeline-graph2d.min.js": (("npm", "vis-timeline", "standalone", "umd"), "text/javascript"),
    "vis-timeline-graph2d.min.css": (("npm", "vis-timeline", "styles"), "text/css"),
    "topojson-client.min.js": (("npm", "topojson-client", "dist"), "text/javascript"),
    "countries-110m.json": (("npm", "world-atlas"), "application/json"),
    "timeline.js": (("static",), "text/javascript"),
    "map.js": (("static",), "text/javascript"),
}

#: Colours of instrument statuses (the timeline's items, the map's categories), most advanced first.
STATUS_COLOURS = {"in force": "#1b7837", "signed, not yet in force": "#5aae61", "signed but not in force": "#a6dba0",
                  "initialled": "#d9f0d3", "adopted": "#2166ac", "endorsed": "#67a9cf", "under negotiation": "#fdb863",
                  "announced": "#e08214", "superseded": "#bababa", "status not stated": "#e0e0e0"}
#: Sequential colours for a measure (light to dark), five classes.
SCALE = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")

STYLE = """<style>
.chart-note{color:#555;font-size:90%}.legend{display:flex;flex-wrap:wrap;gap:.4em 1.2em;margin:.5em 0;font-size:90%}
.legend span.swatch{display:inline-block;width:1em;height:1em;border:1px solid #888;vertical-align:-.15em;margin-right:.3em}
#timeline{border:1px solid #ccc;margin:.5em 0 1em;background:#fff}
#timeline .vis-label .vis-inner{font-size:12px;max-width:24em;white-space:normal;line-height:1.2;padding:3px 5px}
#timeline .vis-label .lane{font-size:11px;color:#666;text-transform:uppercase;letter-spacing:.03em}
#timeline .vis-label.lane-1,#timeline .vis-group.lane-1{background:#f6f8fb}
.vis-item.claim{border-style:dashed!important}.vis-item .vis-item-content{font-size:12px;padding:2px 4px}
.bars{margin:.3em 0 1.4em}.bars .row{display:grid;grid-template-columns:16em 1fr 16em;gap:.6em;align-items:center;margin:.15em 0}
.bars .track{background:#f0f2f5;height:1.1em;border-radius:2px}.bars .bar{background:#3182bd;height:100%;border-radius:2px}
.bars .bar.combined{background:repeating-linear-gradient(45deg,#3182bd,#3182bd 6px,#6baed6 6px,#6baed6 12px)}
.bars .value{font-size:90%}.bars .who{text-align:right}.bars h3{margin:.8em 0 .2em}
#map{border:1px solid #ccc;background:#eef4fb;margin:.5em 0}#map svg{display:block;width:100%;height:auto}
#map path{stroke:#fff;stroke-width:.4}#map path.data{cursor:pointer}#map path.data:hover{stroke:#000;stroke-width:1}
.map-tools button{margin-right:.4em}.ca{display:grid;grid-template-columns:repeat(auto-fill,minmax(15em,1fr));gap:.8em}
.ca>div{border:1px solid #ddd;border-radius:4px;padding:.5em .8em}.ca ul{margin:.3em 0;padding-left:1.1em}
.twin{margin-top:1.5em}form.chart-form label{display:inline-block;margin-right:1em}
</style>"""


def _cached(request: Request, key: tuple, compute):
    """The chart data for `key`, computed once per server: the app's store is opened read-only for the
    server's lifetime, so its answers cannot change under it (a rebuilt store is seen on restart)."""
    cache = getattr(request.app.state, "chart_cache", None)
    if cache is None:
        cache = request.app.state.chart_cache = {}
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def _head(*scripts: str, css: tuple[str, ...] = ()) -> str:
    return STYLE + "".join(f'<link rel="stylesheet" href="/assets/views/{escape(c)}">' for c in css) + \
        "".join(f'<script src="/assets/views/{escape(s)}" defer></script>' for s in scripts)


def _link(iri: str, text: str) -> str:
    target = href(iri)
    return f'<a href="{escape(target)}">{escape(text)}</a>' if target else escape(text)


def _refs(refs: list[chartdata.Reference], citations=None) -> str:
    """A finding's sources as readable citations ("publisher, short title (year), locator"), each linked to
    the source's page (web.html.cite, as on the answer tables); without the register, the source's short
    title — never a bare key."""
    if citations is not None:
        return cite(citations, [Reference(r.source, r.locator) for r in refs])
    return "; ".join(f'<a href="{escape(href(r.source) or "")}" title="{escape(r.title)}">{escape(short_title(r.title) or r.key)}</a>'
                     + (f", {escape(r.locator)}" if has_locator(r.locator) else "") for r in refs)


def _ref_json(r: chartdata.Reference, citations=None) -> dict:
    """A reference for the page's scripts: its short citation beside the key (the tooltips show it)."""
    src = citations.get(r.source) if citations is not None else None
    return {**r.as_json(), "short": src.short if src else (short_title(r.title) or r.key),
            "locator": r.locator if has_locator(r.locator) else ""}


def _statuses(statuses) -> str:
    return " ".join(status_html(s) for s in statuses)


def _json_or_html(request: Request) -> bool:
    return request.url.path.endswith(".json")


def _bad_request(request: Request, exc: CrmgraphError, title: str) -> Response:
    status, body = render_for_http(exc)
    if _json_or_html(request):
        return JSONResponse(body, status_code=status)
    return HTMLResponse(document(title, f'<h1>{escape(title)}</h1><p class="error">{escape(exc.message)}'
                                        + (f"<br>{escape(exc.hint)}" if exc.hint else "") + "</p>"), status_code=status)


# -- /views/timeline -----------------------------------------------------------------------------

async def timeline_view(request: Request) -> Response:
    """`/views/timeline[.json]`: the instruments between the EU and Central Asia on a timeline."""
    store = request.app.state.entity_store
    items = await run_in_threadpool(_cached, request, ("timeline",), lambda: chartdata.timeline(store))
    if _json_or_html(request):
        return JSONResponse({"items": [i.as_json() for i in items]})
    cites = await run_in_threadpool(search.citations, request.app.state)
    return HTMLResponse(document("EU–Central Asia instruments", render_timeline(items, cites),
                                 head=_head("vis-timeline-graph2d.min.js", "timeline.js",
                                            css=("vis-timeline-graph2d.min.css",))))


def render_timeline(items: list[chartdata.TimelineItem], citations=None) -> str:
    lanes = sorted({i.lane for i in items}, key=lambda lane: (lane.startswith(("several", "Central Asia")), lane))
    data = {"lanes": lanes, "colours": STATUS_COLOURS,
            "items": [{**i.as_json(), "id": n, "references": [_ref_json(r, citations) for r in i.references]}
                      for n, i in enumerate(items)]}
    used = [s for s in STATUS_COLOURS if any(i.instrument_status == s for i in items)]
    out = ["<h1>EU–Central Asia instruments on a timeline</h1>",
           f'<p>{len(items)} dated steps of {len({i.instrument for i in items})} agreements, strategies and memoranda between '
           'the EU and Central Asia, one row per instrument, grouped by its Central Asian party. Drag to move, scroll to zoom; click a step for its '
           'row in the table below. Dates are as precise as the sources give them (a year is drawn at 1 January).</p>',
           '<div class="legend" id="timeline-legend">'
           + "".join(f'<span><span class="swatch" style="background:{STATUS_COLOURS[s]}"></span>{escape(s)}</span>' for s in used)
           + '<span><span class="swatch" style="border-style:dashed"></span>one source\'s dated claim</span></div>',
           '<div id="timeline" aria-label="timeline of the instruments (the table below lists the same steps)"></div>',
           f'<script type="application/json" id="timeline-data">{script_json(data)}</script>',
           '<h2 class="twin">The same as a table</h2><p class="chart-note">Also as <a href="/views/timeline.json">JSON</a>, '
           'and as the named query <a href="/queries/eu-ca-instrument-timeline">eu-ca-instrument-timeline</a>.</p>',
           '<table id="timeline-table"><tr><th>date</th><th>instrument</th><th>step</th><th>Central Asian party</th>'
           '<th>instrument status</th><th>statement</th><th>sources</th></tr>']
    for n, i in enumerate(items):
        out.append(f'<tr id="step-{n}"><td>{escape(i.date)}</td><td>{_link(i.instrument, i.label)}</td><td>{escape(i.step)}'
                   + (' <span class="status">(claim)</span>' if i.kind == "claim" else "")
                   + f"</td><td>{escape(i.lane)}</td><td>{escape(i.instrument_status)}</td>"
                   f"<td>{_statuses(i.statuses)}</td><td class=\"src\">{_refs(i.references, citations)}</td></tr>")
    out.append("</table>" + status_legend())
    return "\n".join(out)


# -- /views/shares -------------------------------------------------------------------------------

async def shares_view(request: Request) -> Response:
    """`/views/shares[.json]?quantity=SLUG`: ranked bars of one share quantity, per material."""
    quantity = request.query_params.get("quantity", "share-of-eu-supply")
    if quantity not in chartdata.SHARE_QUANTITIES:
        return _bad_request(request, QueryError(f"unknown quantity {quantity!r}",
                                                hint="one of " + ", ".join(chartdata.SHARE_QUANTITIES)), "Shares")
    store = request.app.state.entity_store
    groups = await run_in_threadpool(_cached, request, ("shares", quantity), lambda: chartdata.shares(store, quantity))
    if _json_or_html(request):
        return JSONResponse({"quantity": quantity, "title": chartdata.SHARE_QUANTITIES[quantity],
                             "groups": [g.as_json() for g in groups]})
    cites = await run_in_threadpool(search.citations, request.app.state)
    return HTMLResponse(document("Shares", render_shares(quantity, groups, cites), head=_head()))


def render_shares(quantity: str, groups: list[chartdata.ShareGroup], citations=None) -> str:
    title = chartdata.SHARE_QUANTITIES[quantity]
    options = "".join(f'<option value="{escape(q)}"{" selected" if q == quantity else ""}>{escape(t)}</option>'
                      for q, t in chartdata.SHARE_QUANTITIES.items())
    n = sum(len(g.bars) for g in groups)
    out = [f"<h1>Who supplies what: {escape(title)}</h1>",
           f'<form class="chart-form" method="get" action="/views/shares"><label>Figure <select name="quantity">{options}'
           '</select></label><button type="submit">Show</button></form>',
           f'<p>{n} figures for {len(groups)} materials, largest first. Each bar is one figure as its source gives it: '
           'the same material can have several (different years, sources or measures), and a figure about several '
           'countries together is one striped bar naming them all — never split into per-country shares.</p>']
    for g in groups:
        out.append(f'<div class="bars" data-material="{escape(g.material)}"><h3>{_link(g.material, g.label) if g.material else escape(g.label)}</h3>')
        for b in g.bars:
            who = " + ".join(_link(i, label) for i, label in b.subjects)
            value = (f"{escape(b.qualifier)} " if b.qualifier else "") + f"{b.value:g}" + (f"–{b.upper:g}" if b.upper is not None else "") + " %"
            extra = ", ".join(x for x in (b.period, b.scope) if x)
            out.append(f'<div class="row"><div class="who">{who}</div><div class="track" title="{escape(b.label)}: {escape(value)}">'
                       f'<div class="bar{" combined" if len(b.subjects) > 1 else ""}" style="width:{min(max(b.value, 0), 100):.1f}%"></div></div>'
                       f'<div class="value">{value}{" (" + escape(extra) + ")" if extra else ""} · {status_html(b.status)} · '
                       f'<span class="src">{_refs(b.references, citations)}</span></div></div>')
        out.append("</div>")
    out.append(f'<h2 class="twin">The same as a table</h2><p class="chart-note">Also as <a href="/views/shares.json?'
               f'{escape(urlencode({"quantity": quantity}))}">JSON</a>.</p><table id="shares-table"><tr><th>material</th>'
               '<th>country or countries</th><th>value (%)</th><th>year or period</th><th>scope</th><th>claimant</th>'
               '<th>status</th><th>sources</th></tr>')
    for g in groups:
        for b in g.bars:
            out.append(f"<tr><td>{escape(g.label)}</td><td>{' + '.join(_link(i, label) for i, label in b.subjects)}</td>"
                       f"<td>{escape(b.qualifier + ' ' if b.qualifier else '')}{b.value:g}"
                       f"{'–' + format(b.upper, 'g') if b.upper is not None else ''}</td>"
                       f"<td>{escape(b.period)}</td><td>{escape(b.scope)}</td><td>{escape(b.claimant)}</td>"
                       f"<td>{status_html(b.status)}</td><td class=\"src\">{_refs(b.references, citations)}</td></tr>")
    out.append("</table>" + status_legend())
    return "\n".join(out)


# -- /views/map ----------------------------------------------------------------------------------

def _map_of(request: Request) -> chartdata.CountryMap:
    params = request.query_params
    if "sparql" in params:
        answer = request.app.state.pool.run(params["sparql"], {"solutions": "json", "boolean": None, "graph": None})
        import json

        data = json.loads(answer.body)
        found = chartdata.answer_map(data["head"]["vars"], data["results"]["bindings"])
        if found is None:
            raise QueryError("the answer has no column of countries to put on the map",
                             hint="select a column whose values are countries of the graph (e.g. country:KZ)")
        return found
    measure = params.get("measure", "crms")
    if measure not in chartdata.MAP_MEASURES:
        raise QueryError(f"unknown measure {measure!r}", hint="one of " + ", ".join(chartdata.MAP_MEASURES))
    material = params.get("material", "antimony")
    store = request.app.state.entity_store
    try:
        found = _cached(request, ("map", measure, material if measure == "world-share" else ""),
                        lambda: chartdata.country_map(store, measure, material))
    except ValueError as exc:
        raise QueryError(str(exc), hint="pick a material from the list on /views/map?measure=world-share") from None
    return copy.deepcopy(found)  # render_map sets each country's colour


async def map_view(request: Request) -> Response:
    """`/views/map[.json]?measure=…&material=…` or `?sparql=…`: countries on a world map."""
    try:
        found = await run_in_threadpool(_map_of, request)
    except CrmgraphError as exc:
        return _bad_request(request, exc, "Map")
    if _json_or_html(request):
        return JSONResponse(found.as_json())
    return HTMLResponse(document("Map", render_map(found, embedded="sparql" in request.query_params),
                                 head=_head("topojson-client.min.js", "map.js")))


def _classes(values: list[float]) -> list[tuple[float, str, str]]:
    """Up to five classes from 0 to the largest value, as (upper bound, colour, legend text): equal steps,
    whole numbers when every value is one (counts), so the legend never reads "0–2.4 materials"."""
    top = max(values) if values else 1.0
    whole = all(float(v).is_integer() for v in values)
    bounds = sorted({math.ceil(top * (k + 1) / len(SCALE)) if whole else top * (k + 1) / len(SCALE)
                     for k in range(len(SCALE))})
    colours = SCALE[len(SCALE) - len(bounds):]
    out: list[tuple[float, str, str]] = []
    low = 0.0
    for bound, colour in zip(bounds, colours):
        if whole:
            first = int(low) + 1 if out else min(1, int(bound))
            text = f"{first}" if first == int(bound) else f"{first}–{int(bound)}"
        else:
            text = f"{low:.3g}–{bound:.3g}"
        out.append((bound, colour, text))
        low = bound
    return out


def render_map(found: chartdata.CountryMap, embedded: bool = False) -> str:
    shown = [c for c in found.countries if c.value is not None or c.category]
    categorical = bool(found.categories)
    classes = _classes([c.value for c in shown if c.value is not None])
    for c in shown:  # the colour of each country, decided here so the legend and the map agree
        if categorical:
            c.colour = STATUS_COLOURS.get(c.category, "#e0e0e0")
        else:
            c.colour = next(colour for bound, colour, _ in classes if (c.value or 0.0) <= bound + 1e-9)
    data = {"countries": [{**c.as_json(), "colour": c.colour} for c in shown], "title": found.title}
    out = [] if embedded else ["<h1>Countries on the map</h1>"]
    if found.measure != "answer":
        options = "".join(f'<option value="{escape(m)}"{" selected" if m == found.measure else ""}>{escape(t)}</option>'
                          for m, t in chartdata.MAP_MEASURES.items())
        materials = "".join(f'<option value="{escape(s)}"{" selected" if s == found.material else ""}>{escape(label)}</option>'
                            for s, label in found.materials)
        out.append(f'<form class="chart-form" method="get" action="/views/map"><label>Colour by <select name="measure">{options}'
                   "</select></label>" + (f'<label>material <select name="material">{materials}</select></label>' if materials else "")
                   + '<button type="submit">Show</button></form>')
    if categorical:
        legend = [(s, STATUS_COLOURS[s]) for s in found.categories if any(c.category == s for c in shown)]
    else:
        legend = [(text, colour) for _, colour, text in classes]
    out.append(f'<p><strong>{escape(found.title)}</strong> — {len(shown)} countries with a value; grey: none stated in the graph. '
               'Click a country for its page.</p>'
               '<div class="legend">' + "".join(f'<span><span class="swatch" style="background:{colour}"></span>{escape(text)}</span>'
                                                for text, colour in legend) + "</div>"
               '<p class="map-tools"><button type="button" data-view="eurasia">Europe and Asia</button>'
               '<button type="button" data-view="world">World</button></p>'
               '<div id="map" role="img" aria-label="world map (the table below lists the same values)"></div>'
               f'<script type="application/json" id="map-data">{script_json(data)}</script>')
    central = [c for c in found.countries if c.central_asian]
    if central:
        out.append("<h2>The Central Asian states and their sites</h2><div class=\"ca\" id=\"central-asia\">")
        for c in central:
            value = c.category or ("" if c.value is None else f"{c.value:g}")
            sites = "".join(f"<li>{_link(i, label)} <span class=\"status\">{escape(kind)}</span></li>" for i, label, kind in c.sites)
            out.append(f"<div><strong>{_link(c.iri, c.label)}</strong>: {escape(value) or 'none stated'}"
                       + (f'<br><span class="status">{escape(c.detail)}</span>' if c.detail else "")
                       + (f"<ul>{sites}</ul>" if sites else '<p class="status">no sites in the graph</p>') + "</div>")
        out.append("</div>")
    out.append('<h2 class="twin">The same as a table</h2>'
               f'<table id="map-table"><tr><th>country</th><th>ISO 3166-1 numeric</th><th>{escape(found.title)}</th>'
               "<th>what it rests on</th></tr>")
    for c in sorted(shown, key=lambda c: (-(c.value or 0), c.label)):
        value = c.category or f"{c.value:g}"
        out.append(f'<tr data-code="{escape(c.code or "")}"><td>{_link(c.iri, c.label)}</td><td>{escape(c.code or "unknown")}</td>'
                   f"<td>{escape(value)}</td><td>{escape(c.detail)}</td></tr>")
    out.append("</table>")
    return "\n".join(out)


# -- assets --------------------------------------------------------------------------------------

async def views_asset(request: Request) -> Response:
    """`/assets/views/FILE`: one of ASSETS; anything else is a 404."""
    name = request.path_params["file"]
    entry = ASSETS.get(name)
    if entry is None:
        return PlainTextResponse("error: no such asset\n", status_code=404)
    (where, *parts), media_type = entry
    folder = STATIC if where == "static" else request.app.state.settings.web_assets_dir.joinpath("node_modules", *parts)
    path = folder / name
    if not path.is_file():
        return PlainTextResponse(f"error: {name} is not installed\nhint: run `make install` (npm ci --prefix web-assets)\n",
                                 status_code=404)
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "public, max-age=3600"})
