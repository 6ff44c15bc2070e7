"""The SPARQL editor page `/editor` (YASGUI) and the static route `/assets/yasgui/FILE` it loads.

YASGUI comes from the npm registry, pinned in `web-assets/package.json` + `package-lock.json` and
installed by `make install` (`npm ci --prefix web-assets`); it is served from
`web-assets/node_modules/@zazuko/yasgui/build/` and never from a CDN. Only the files listed in
`ASSETS` are served (an allow-list, so no path can leave the build folder).

YASGUI is configured so that no request leaves the server: its endpoint is `/sparql` (and the
endpoint catalogue holds only that), the LOV-backed class/property autocompleters are off (only the
bundled prefixes and the query's variables are completed), `prefixCcApi` is null (bundled prefixes),
nothing is persisted in localStorage, and no tab copies another endpoint. The named queries of
`queries/` are a menu: each link loads the query's SPARQL text into the editor (the text comes from
an inline JSON block, escaped for a `<script>` element; parameters bound to their defaults by a
VALUES block) and runs it; each also links to the query's own page.

Two additions to YASGUI, in the page's own script (`EDITOR_JS`):
- IRIs of ours in the results link to the local portal: YASR writes each IRI as `<a href="IRI">`;
  a MutationObserver on the editor rewrites every `a[href^="https://w3id.org/crmgraph/"]` as soon
  as YASR adds it (before it can be clicked), with the mapping of `namespaces.local_path` (entity
  IRIs → `/id/…`, the ontology → `/ontology`, its terms → `/ontology#Term`); the IRI stays in the
  link's title. Other IRIs (Wikidata …) are left as they are.
- A YASR plugin "Network" (`Yasr.registerPlugin`): offered when the answer can be drawn (a
  non-empty CONSTRUCT, or a SELECT with at least two columns whose bound values are all IRIs — the
  rule of `network.view_from_answer`), it shows the explorer for the query that gave the answer in
  an iframe, `/explore?sparql=…` (the explorer runs the query again through the same pool; its
  Content-Security-Policy allows being framed by this server's pages only).
- A YASR plugin "Map": offered when a column's bound values are all countries of the graph, it frames
  `/views/map?sparql=…` (web/charts.py): the world map coloured by the answer's first numeric column.
"""
from __future__ import annotations

import re

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response

from ..namespaces import CRM, ID, ONTOLOGY_IRI, PREFIXES
from ..errors import QueryError
from ..query.named import NamedQuery, bind, load_named_queries
from ..views.explorer import script_json
from .html import content_security_policy, document, escape

#: Where YASGUI's built files are, below `web-assets/`.
YASGUI_BUILD = ("node_modules", "@zazuko", "yasgui", "build")

#: The only files `/assets/yasgui/…` serves, with their media types.
ASSETS = {
    "yasgui.min.js": "text/javascript; charset=utf-8",
    "yasgui.min.css": "text/css; charset=utf-8",
}

EDITOR_CSS = """.editor-layout{display:flex;gap:1.2em;align-items:flex-start}#named-queries{flex:0 0 16em;font-size:90%}
#named-queries ul{list-style:none;padding:0;margin:0}#named-queries li{margin:.2em 0 .6em}
#named-queries button{background:none;border:none;padding:0;color:#0645ad;cursor:pointer;text-align:left;font:inherit}
#named-queries button:hover{text-decoration:underline}#yasgui{flex:1 1 auto;min-width:0}
body{max-width:none}.crmgraph-network p{margin:.3em 0}
.crmgraph-network iframe{width:100%;height:75vh;border:1px solid #ccc}"""

#: IRIs of ours → local paths, for the editor's script (the mapping of `namespaces.local_path`).
LOCAL_IRIS = {"root": "https://w3id.org/crmgraph/", "id": ID, "ontology": ONTOLOGY_IRI, "terms": CRM}
#: Longest `/explore?sparql=…` URL the network view sends (uvicorn's h11 refuses request heads over 16 KiB).
MAX_EXPLORE_URL = 14_000

#: The editor's script, after YASGUI's: local links for our IRIs, the "Network" plugin, YASGUI itself,
#: the named-query menu. `config`, `localIris` and `maxExploreUrl` are defined before it.
EDITOR_JS = r"""
function localPath(iri) {
  if (iri.startsWith(localIris.id)) return '/id/' + iri.slice(localIris.id.length);
  if (iri === localIris.ontology) return '/ontology';
  if (iri.startsWith(localIris.terms)) return '/ontology#' + iri.slice(localIris.terms.length);
  return null;
}
function localiseLinks(root) {
  for (const a of root.querySelectorAll('a[href^="' + localIris.root + '"]:not([data-iri])')) {
    const iri = a.getAttribute('href');
    a.dataset.iri = iri;
    const path = localPath(iri);
    if (path !== null) {
      a.setAttribute('href', path);
      if (!a.title) a.title = iri;
    }
  }
}

// The query each result area shows the answer of (set when a query starts).
const ranQueries = new WeakMap();

// The Network and Map views show the answer as another page of the portal draws it (it runs the query
// again) in a frame, with a link to open that page alone; a query too long for a URL gets a note instead.
function drawInFrame(yasr, path, boxClass, tooLong, intro, linkText, title) {
  const query = ranQueries.get(yasr) || '';
  const url = path + '?' + new URLSearchParams({sparql: query}).toString();
  const box = document.createElement('div');
  box.className = boxClass;
  const note = document.createElement('p');
  if (url.length > maxExploreUrl) {
    note.textContent = 'This query is too long (' + url.length + ' characters as a URL) ' + tooLong;
    box.append(note);
  } else {
    const link = document.createElement('a');
    link.href = url;
    link.target = '_blank';
    link.textContent = linkText;
    note.append(intro, link);
    const frame = document.createElement('iframe');
    frame.src = url;
    frame.title = title;
    box.append(note, frame);
  }
  yasr.resultsEl.appendChild(box);
}
// An empty 16×16 icon for a results view's tab.
const svgNs = 'http://www.w3.org/2000/svg';
function viewIcon() {
  const svg = document.createElementNS(svgNs, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '16');
  svg.setAttribute('aria-hidden', 'true');
  return svg;
}

class NetworkPlugin {
  constructor(yasr) {
    this.yasr = yasr;
    this.priority = 1;          // never chosen instead of the table; only when picked
    this.label = 'Network';
  }
  canHandleResults() {
    const results = this.yasr.results;
    if (!results || results.hasError() || !ranQueries.has(this.yasr)) return false;
    const type = results.getType();
    if (type === 'ttl') return results.getStatements().length > 0;
    if (type !== 'json' || results.getBoolean() !== undefined) return false;
    const rows = results.getBindings();
    const iriColumns = results.getVariables().filter(
      v => rows.some(row => row[v]) && rows.every(row => !row[v] || row[v].type === 'uri'));
    return iriColumns.length >= 2;
  }
  draw() {
    drawInFrame(this.yasr, '/explore', 'crmgraph-network',
                'to be sent to the explorer; shorten it, or save it as a named query and open it at /explore?query=NAME.',
                'The answer drawn by the explorer (the query is run again). ', 'open the network in its own page',
                'the answer as a network');
  }
  getIcon() {
    const svg = viewIcon();
    const add = (name, attrs) => {
      const el = document.createElementNS(svgNs, name);
      for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
      svg.appendChild(el);
    };
    add('path', {d: 'M3 12 L8 4 L13 11 Z', fill: 'none', stroke: 'currentColor', 'stroke-width': '1.2'});
    for (const [cx, cy] of [[3, 12], [8, 4], [13, 11]]) add('circle', {cx, cy, r: '2.2', fill: 'currentColor'});
    return svg;
  }
}
Yasgui.Yasr.registerPlugin('network', NetworkPlugin);

// "Map": an answer with a column whose values are all countries of the graph, on the world map
// (/views/map?sparql=…, which runs the query again), coloured by its first numeric column.
const countryPrefix = localIris.id + 'country/';
class MapPlugin {
  constructor(yasr) {
    this.yasr = yasr;
    this.priority = 1;
    this.label = 'Map';
  }
  canHandleResults() {
    const results = this.yasr.results;
    if (!results || results.hasError() || !ranQueries.has(this.yasr)) return false;
    if (results.getType() !== 'json' || results.getBoolean() !== undefined) return false;
    const rows = results.getBindings();
    return results.getVariables().some(v => rows.some(row => row[v]) && rows.every(
      row => !row[v] || (row[v].type === 'uri' && row[v].value.startsWith(countryPrefix))));
  }
  draw() {
    drawInFrame(this.yasr, '/views/map', 'crmgraph-network crmgraph-map', 'to be put on the map; shorten it.',
                'The answer\'s countries on the world map (the query is run again). ', 'open the map in its own page',
                'the answer on a map');
  }
  getIcon() {
    const svg = viewIcon();
    const path = document.createElementNS(svgNs, 'path');
    path.setAttribute('d', 'M8 1a5 5 0 0 0-5 5c0 4 5 9 5 9s5-5 5-9a5 5 0 0 0-5-5zm0 7a2 2 0 1 1 0-4 2 2 0 0 1 0 4z');
    path.setAttribute('fill', 'currentColor');
    svg.appendChild(path);
    return svg;
  }
}
Yasgui.Yasr.registerPlugin('map', MapPlugin);

config.endpointCatalogueOptions.getData = () => [{endpoint: '/sparql'}];
config.requestConfig.endpoint = new URL('/sparql', window.location.href).href;
const container = document.getElementById('yasgui');
new MutationObserver(() => localiseLinks(container)).observe(container, {childList: true, subtree: true});
const yasgui = new Yasgui(container, config);
window.yasgui = yasgui;
yasgui.on('query', (instance, tab) => ranQueries.set(tab.getYasr(), tab.getQuery()));
const texts = JSON.parse(document.getElementById('named-query-texts').textContent);
for (const button of document.querySelectorAll('#named-queries button.named-query')) {
  button.addEventListener('click', () => {
    const tab = yasgui.getTab();
    tab.getYasqe().setValue(texts[button.dataset.name]);
    tab.query();
  });
}
"""

#: The editor's first query (its prefixes written out, so the editor does not flag them as undeclared).
DEFAULT_QUERY = "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in ("crm", "region", "skos")) + (
    "\nSELECT ?country ?label WHERE {\n  ?country crm:memberOf region:central-asia ; skos:prefLabel ?label .\n}\n"
    "ORDER BY ?label\nLIMIT 100\n")


def editor_text(query: NamedQuery) -> str:
    """A named query's text for the editor: its defaults bound as a VALUES block the user can edit
    (the text as written if a parameter has no default), and PREFIX lines for the prefixes it uses
    (the server predeclares them, but YASQE would flag each use as an error), after its header."""
    try:
        text = bind(query, {})[0]
    except QueryError:
        text = query.sparql
    # bind() blanks the header's comment lines (keeping line numbers); the editor shows them
    original, bound = query.sparql.splitlines(keepends=True), text.splitlines(keepends=True)
    for i, line in enumerate(original[:len(bound)]):
        if not line.lstrip().startswith("#"):
            break
        if not bound[i].strip():
            bound[i] = line
    return with_prefix_lines("".join(bound))


def with_prefix_lines(text: str) -> str:
    """`text` with `PREFIX p: <…>` for every known prefix it uses and does not declare, placed after
    the leading comment lines."""
    declared = {m.lower() for m in re.findall(r"(?im)^\s*PREFIX\s+([\w-]*):", text)}
    outside_iris = re.sub(r"<[^<>\s]*>", " ", text)  # `p:` inside an IRI is not a use of prefix p
    used = [p for p in PREFIXES
            if p.lower() not in declared and re.search(rf"(?<![\w:#.-]){re.escape(p)}:(?=[\w])", outside_iris)]
    if not used:
        return text
    lines = text.splitlines(keepends=True)
    header = 0
    while header < len(lines) and lines[header].lstrip().startswith("#"):
        header += 1
    prefixes = "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in used)
    return "".join(lines[:header]) + prefixes + "".join(lines[header:])


async def yasgui_asset(request: Request) -> Response:
    """`/assets/yasgui/FILE`: one of YASGUI's built files (an allow-list); anything else is a 404."""
    name = request.path_params["file"]
    media_type = ASSETS.get(name)
    if media_type is None:
        return PlainTextResponse("error: no such asset\n", status_code=404)
    build = request.app.state.settings.web_assets_dir.joinpath(*YASGUI_BUILD)
    path = (build / name).resolve()
    if path.parent != build.resolve() or not path.is_file():
        return PlainTextResponse("error: YASGUI is not installed\nhint: run `make install` "
                                 "(npm ci --prefix web-assets)\n", status_code=404)
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "public, max-age=3600"})


async def editor(request: Request) -> Response:
    """`/editor`: YASGUI on `/sparql`, with the named queries as a menu."""
    queries = await run_in_threadpool(load_named_queries, request.app.state.settings.queries_dir)
    menu = "".join(
        f'<li><button type="button" class="named-query" data-name="{escape(q.name)}" '
        f'title="{escape(q.description)}">{escape(q.title)}</button><br>'
        f'<a class="status" href="/queries/{escape(q.name)}">page with parameters</a></li>'
        for q in queries.values())
    texts = {q.name: editor_text(q) for q in queries.values()}
    config = {
        "requestConfig": {"endpoint": "/sparql", "method": "POST"},
        "endpointCatalogueOptions": {"keys": []},
        "copyEndpointOnNewTab": False,
        "persistenceId": None,
        "populateFromUrl": False,
        "yasqe": {"autocompleters": ["prefixes", "variables"], "prefixCcApi": None,
                  "persistenceId": None, "value": DEFAULT_QUERY},
        "yasr": {"persistenceId": None, "prefixes": PREFIXES},
    }
    setup = ("\n"
             f"const config = {script_json(config)};\n"
             f"const localIris = {script_json(LOCAL_IRIS)};\n"
             f"const maxExploreUrl = {MAX_EXPLORE_URL};\n"
             f"{EDITOR_JS}")
    body = (
        "<h1>SPARQL editor</h1>"
        '<p>Queries run at this server\'s <a href="/sparql">SPARQL endpoint</a> (read-only, time limit, row cap); '
        "the usual prefixes (<code>crm:</code>, <code>country:</code>, <code>region:</code> …) are predeclared. "
        "Run with Ctrl+Enter or the ▶ button. IRIs of this graph link to their pages here; an answer with two "
        "columns of IRIs (or a CONSTRUCT) can be drawn as a network: pick <em>Network</em> above the results; "
        "one with a column of countries can be put on the world map: pick <em>Map</em>.</p>"
        '<div class="editor-layout"><nav id="named-queries" aria-label="named queries"><h2>Named queries</h2>'
        f'<ul>{menu}</ul><p><a href="/queries">all named queries</a></p></nav><div id="yasgui"></div></div>'
        f'<script id="named-query-texts" type="application/json">{script_json(texts)}</script>'
        '<script src="/assets/yasgui/yasgui.min.js"></script>'
        f"<script>{setup}</script>")
    head = f'<link rel="stylesheet" href="/assets/yasgui/yasgui.min.css"><style>{EDITOR_CSS}</style>'
    return HTMLResponse(document("SPARQL editor", body, head=head),
                        headers={"Content-Security-Policy": content_security_policy(setup)})
