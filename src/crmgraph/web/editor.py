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
"""
from __future__ import annotations

import json

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response

from ..namespaces import PREFIXES
from ..errors import QueryError
from ..queries import NamedQuery, bind, load_named_queries
from .html import document, escape

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
body{max-width:none}"""

#: The editor's first query (its prefixes written out, so the editor does not flag them as undeclared).
DEFAULT_QUERY = "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in ("crm", "region", "skos")) + (
    "\nSELECT ?country ?label WHERE {\n  ?country crm:memberOf region:central-asia ; skos:prefLabel ?label .\n}\n"
    "ORDER BY ?label\nLIMIT 100\n")


def _script_json(value: object) -> str:
    """JSON safe inside a <script> element (no `</script>`, no `<!--`)."""
    return (json.dumps(value, ensure_ascii=True).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026"))


def editor_text(query: NamedQuery) -> str:
    """A named query's text for the editor: its defaults bound as a VALUES block the user can edit
    (the text as written if a parameter has no default)."""
    try:
        return bind(query, {})[0]
    except QueryError:
        return query.sparql


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
    body = (
        "<h1>SPARQL editor</h1>"
        '<p>Queries run at this server\'s <a href="/sparql">SPARQL endpoint</a> (read-only, time limit, row cap); '
        "the usual prefixes (<code>crm:</code>, <code>country:</code>, <code>region:</code> …) are predeclared. "
        "Run with Ctrl+Enter or the ▶ button.</p>"
        '<div class="editor-layout"><nav id="named-queries" aria-label="named queries"><h2>Named queries</h2>'
        f'<ul>{menu}</ul><p><a href="/queries">all named queries</a></p></nav><div id="yasgui"></div></div>'
        f'<script id="named-query-texts" type="application/json">{_script_json(texts)}</script>'
        '<script src="/assets/yasgui/yasgui.min.js"></script>'
        "<script>\n"
        f"const config = {_script_json(config)};\n"
        "config.endpointCatalogueOptions.getData = () => [{endpoint: '/sparql'}];\n"
        "config.requestConfig.endpoint = new URL('/sparql', window.location.href).href;\n"
        "const yasgui = new Yasgui(document.getElementById('yasgui'), config);\n"
        "window.yasgui = yasgui;\n"
        "const texts = JSON.parse(document.getElementById('named-query-texts').textContent);\n"
        "for (const button of document.querySelectorAll('#named-queries button.named-query')) {\n"
        "  button.addEventListener('click', () => {\n"
        "    const tab = yasgui.getTab();\n"
        "    tab.getYasqe().setValue(texts[button.dataset.name]);\n"
        "    tab.query();\n"
        "  });\n"
        "}\n"
        "</script>")
    head = f'<link rel="stylesheet" href="/assets/yasgui/yasgui.min.css"><style>{EDITOR_CSS}</style>'
    return HTMLResponse(document("SPARQL editor", body, head=head))
