"""The explorer page: one HTML template for the portal's `/explore` and for `crmgraph viz -o FILE.html`.

The page loads three assets: vis-network, `static/explorer.js` and `static/explorer.css`. The portal serves
them from `/assets/explorer/…`; `crmgraph viz` writes them into the file, so it opens from disk with
no server and no internet. Its data (`network.explorer_data`, packed by `views.wire`: 0.3 MB gzipped
instead of 5.7 MB for the curated graph) is either in the page, in a `<script type="application/json">`
element (the file of `crmgraph viz`), or fetched by the page once it is drawn (`src`, the portal: the
whole graph's first computation takes seconds while a server warms up — the page's frame, controls and
a "loading" note are on screen at once, and the network follows).

vis-network comes from the pyvis package (its bundled `lib/vis-9.1.2/vis-network.min.js`, pinned by
the pyvis version in pyproject.toml). We use pyvis for that pinned, offline copy but not for its HTML
template: the template links Bootstrap and tom-select from CDNs, has no side panel, no filters and no
neighbourhood expansion, and it would have to be patched to drop the CDN links. Our template is small
and the same for both uses.
"""
from __future__ import annotations

import importlib.util
import json
from html import escape
from pathlib import Path

from ..errors import CrmgraphError
from .wire import SCHEMA, pack

STATIC = Path(__file__).parent / "static"
VIS_NETWORK = ("lib", "vis-9.1.2", "vis-network.min.js")

#: The files `/assets/explorer/…` serves (an allow-list) → their media types.
ASSETS = {
    "vis-network.min.js": "text/javascript; charset=utf-8",
    "explorer.js": "text/javascript; charset=utf-8",
    "explorer.css": "text/css; charset=utf-8",
}

def asset_path(name: str) -> Path:
    """Where an asset of ASSETS is on disk."""
    if name not in ASSETS:
        raise KeyError(name)
    if name == "vis-network.min.js":
        spec = importlib.util.find_spec("pyvis")  # found without importing pyvis (and IPython with it)
        if spec is None or not spec.submodule_search_locations:
            raise CrmgraphError("vis-network is missing: the pyvis package is not installed",
                                hint="run `make install` (or `pip install -e .`), which installs pyvis")
        return Path(list(spec.submodule_search_locations)[0]).joinpath(*VIS_NETWORK)
    return STATIC / name


def script_json(value: object) -> str:
    """JSON that is safe inside a <script> element (no `</script>`, no `<!--`); the explorer's data and
    the editor's configuration use it."""
    return (json.dumps(value, ensure_ascii=False)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def render_page(data: dict | None, inline: bool, links: dict[str, str] | None = None, nav: str = "",
                src: str | None = None, title: str | None = None) -> str:
    """The explorer as HTML. `data`: the explorer's data (`network.explorer_data`, or already packed), packed into the page;
    or None with `src`, the URL the page fetches it from (packed, `/explore.json…`) once it is on screen.
    `inline`: put the assets in the page (one self-contained file); otherwise link them from
    `/assets/explorer/`. `links`: extra header links (label → path), e.g. the query this view comes
    from; `nav`: the portal's navigation bar (HTML), if served; `title`: the heading when there is no data."""
    # the style is always in the page (4 KB): the first paint waits for no second request
    css = f"<style>{asset_path('explorer.css').read_text(encoding='utf-8')}</style>"
    if inline:
        scripts = "".join(f"<script>{_inline_js(asset_path(n).read_text(encoding='utf-8'))}</script>\n"
                          for n in ("vis-network.min.js", "explorer.js"))
    else:
        scripts = ('<script src="/assets/explorer/vis-network.min.js" defer></script>\n'
                   '<script src="/assets/explorer/explorer.js" defer></script>\n')
    if data is None and src is None:
        raise ValueError("render_page needs the data or the URL to fetch it from")
    packed = data if data is None or data.get("schema") == SCHEMA else pack(data)
    payload = (f'<script type="application/json" id="crmgraph-data">{script_json(packed)}</script>'
               if packed is not None else "")
    fetched = f' data-src="{escape(src)}"' if data is None and src is not None else ""
    extra = "".join(f' <a href="{escape(h)}">{escape(t)}</a>' for t, h in (links or {}).items())
    # served: the search box asks the portal's /search.json (aliases, codes, accents); a file: labels only
    suggest = "" if inline else ' data-find="/search.json"'
    title = (data or {}).get("title") or title or "crmgraph"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)} · crmgraph explorer</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">{css}</head>
<body>
<header><h1>{escape(title)}</h1>{nav}<span id="counts"></span><span id="note"></span>{extra}<span id="built"></span></header>
<div id="app">
<aside id="controls">
  <label class="field" for="search">Find in the graph</label>
  <input id="search" type="search" placeholder="e.g. lithium, kz, turkiye" autocomplete="off"{suggest}
         aria-label="Find an entity in the graph" aria-controls="search-results">
  <ul id="search-results"></ul>
  <label class="field" for="filter-country">Country</label>
  <select id="filter-country"><option value="">all</option></select>
  <label class="field" for="filter-material">Material</label>
  <select id="filter-material"><option value="">all</option></select>
  <label class="field" for="filter-source">Source</label>
  <select id="filter-source"><option value="">all</option></select>
  <p><button id="reset" type="button">Reset filters</button></p>
  <label class="field" for="colour-by">Colour by</label>
  <select id="colour-by"><option value="">class (legend below)</option></select>
  <div id="indicator-legend" hidden></div>
  <div class="field">Classes <span class="count">(untick to hide)</span></div>
  <div id="legend"></div>
  <div class="field">Links</div>
  <div id="edge-legend"></div>
  <p class="count">Click a node for its facts and sources; double-click to show its neighbours.</p>
</aside>
<main id="network" aria-label="network of the knowledge graph"{fetched}><p id="loading" role="status">Loading the graph…</p></main>
<aside id="panel" hidden></aside>
</div>
{payload}
{scripts}</body></html>
"""


def _inline_js(js: str) -> str:
    """JavaScript safe inside an inline <script> element."""
    return js.replace("</script", "<\\/script").replace("<!--", "<\\!--")


def build_data(store, query=None, values: dict[str, str] | None = None, max_nodes: int = 2000,
               local_links: bool = True) -> dict:
    """The explorer's data for a store: the whole graph, or the answer of `query` (a NamedQuery)."""
    from .network import explorer_data, load_network, view_from_answer, whole_view
    from ..query.named import run_named

    net = load_network(store)
    if query is None:
        view = whole_view(net, max_nodes)
    else:
        view = view_from_answer(net, run_named(store, query, values or {}), query.title)
    return explorer_data(net, view, local_links=local_links)


def write_file(store, output: Path, query=None, values: dict[str, str] | None = None, max_nodes: int = 2000) -> dict:
    """`crmgraph viz`: the explorer as one self-contained HTML file (no server, no internet).
    Written to a temporary file beside `output` and renamed, so a failure leaves no half-written file.
    Returns the data drawn (for a summary)."""
    import os
    import tempfile

    data = build_data(store, query, values, max_nodes, local_links=False)
    page = render_page(data, inline=True)
    output = Path(output)
    if output.parent and not output.parent.exists():
        raise CrmgraphError(f"cannot write {output}: folder {output.parent} does not exist",
                            hint="create the folder first, or write the file somewhere else with -o")
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent or Path("."))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(page)
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return data
