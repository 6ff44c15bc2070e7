"""Search: `/search?q=…` (a results page), `/search.json?q=…` (suggestions as you type) and the script
of the search box every page carries (`/assets/portal/search.js`).

Matching is `query.lookup.EntityIndex.search`: labels and aliases (skos:altLabel, ISO codes, source keys
and titles), case- and accent-blind ("turkiye" finds Türkiye, "rare earths" the rare earth elements).
The index and the source register are read once per server from its read-only store (`index`,
`citations`) — a few tens of ms — and then answer from memory, so a suggestion costs well under a ms
in the server (benchmarks/search.py).
"""
from __future__ import annotations

import threading
import time
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response

from ..query.citations import Citations
from ..query.lookup import EntityIndex, Match
from .html import document, escape

#: Most suggestions sent while typing, and results on the page.
SUGGESTIONS, RESULTS = 10, 100
#: Longest query text looked at (longer text is cut: no name is that long).
MAX_QUERY = 200
#: The portal's own scripts (allow-list: any other name is a 404).
ASSETS = {"search.js": "text/javascript"}
_STATIC = Path(__file__).parent / "static"
_lock = threading.Lock()


def index(state) -> EntityIndex:
    """The app's entity index, loaded from its read-only store on first use."""
    with _lock:
        if getattr(state, "entity_index", None) is None:
            state.entity_index = EntityIndex.load(state.entity_store)
        return state.entity_index


def citations(state) -> Citations:
    """The app's source register, loaded from its read-only store on first use."""
    with _lock:
        if getattr(state, "citations", None) is None:
            state.citations = Citations.load(state.entity_store)
        return state.citations


def _match_json(m: Match) -> dict:
    e = m.entity
    return {**e.as_json(), "matched": m.matched if m.matched != e.label else None}


async def search_json(request: Request) -> Response:
    """`/search.json?q=…[&limit=N]`: the best matches (at most 10 by default, 100 at most)."""
    started = time.perf_counter()
    q = request.query_params.get("q", "")[:MAX_QUERY]
    try:
        limit = max(1, min(RESULTS, int(request.query_params.get("limit", SUGGESTIONS))))
    except ValueError:
        return JSONResponse({"error": "bad-request", "status": 400, "message": "limit must be a whole number",
                             "hint": "e.g. /search.json?q=lithium&limit=10"}, status_code=400)
    idx = index(request.app.state) if getattr(request.app.state, "entity_index", None) is not None \
        else await run_in_threadpool(index, request.app.state)
    matches = idx.search(q, limit=limit)
    return JSONResponse({"query": q, "results": [_match_json(m) for m in matches]},
                        headers={"Server-Timing": f"total;dur={(time.perf_counter() - started) * 1000:.2f}"})


async def search_page(request: Request) -> Response:
    """`/search?q=…`: every match, grouped by kind, each linked to its page (factsheet)."""
    started = time.perf_counter()
    q = request.query_params.get("q", "")[:MAX_QUERY]
    idx = await run_in_threadpool(index, request.app.state)
    matches = idx.search(q, limit=RESULTS) if q.strip() else []
    out = ["<h1>Search</h1>",
           f'<form method="get" action="/search"><input type="search" name="q" value="{escape(q)}" '
           f'aria-label="Search again" autofocus> <button type="submit">Search</button></form>']
    if not q.strip():
        out.append("<p>Type a country, a material, an agreement, a company or a source — by name, alias or code "
                   "(“Kazakhstan”, “kz”, “rare earths”, “turkiye”, “S22a”).</p>")
    elif not matches:
        out.append(f"<p>Nothing in the graph is called <strong>{escape(q)}</strong>. Try a shorter word, "
                   "or browse the <a href=\"/queries\">named queries</a>.</p>")
    else:
        out.append(f"<p>{len(matches)} match{'es' if len(matches) != 1 else ''} for <strong>{escape(q)}</strong>"
                   + (" (the first 100)" if len(matches) == RESULTS else "") + ".</p>")
        by_kind: dict[str, list[Match]] = {}
        for m in matches:
            by_kind.setdefault(m.entity.kind, []).append(m)
        out.append('<table class="answer results"><tr><th>name</th><th>kind</th><th>also called</th></tr>')
        for m in matches:
            e = m.entity
            also = ", ".join(a for a in e.aliases[:6])
            path = e.as_json()["path"]
            name = (f'<a href="{escape(path)}">{escape(e.label)}</a>' if path else escape(e.label))
            out.append(f"<tr><td>{name}</td><td>{escape(e.kind)}</td><td>{escape(also)}</td></tr>")
        out.append("</table>")
    response = HTMLResponse(document(f"Search: {q}" if q else "Search", "\n".join(out)))
    response.headers["Server-Timing"] = f"total;dur={(time.perf_counter() - started) * 1000:.2f}"
    return response


async def portal_asset(request: Request) -> Response:
    """`/assets/portal/<file>`: the portal's own scripts, from an allow-list."""
    name = request.path_params["file"]
    if name not in ASSETS:
        return Response("not found\n", status_code=404, media_type="text/plain")
    return FileResponse(_STATIC / name, media_type=ASSETS[name])
