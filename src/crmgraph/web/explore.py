"""The graph explorer in the portal: `/explore` (the page), `/explore.json` (its data) and
`/assets/explorer/FILE` (vis-network and the explorer's script and style, an allow-list).

    /explore                         the whole knowledge graph (up to --max-nodes, best connected first)
    /explore?query=NAME&param=value  the answer of a named query, drawn as a network
    /explore?sparql=SELECT…          the answer of any read-only query (a CONSTRUCT, or a SELECT with two IRI columns)
    /explore?focus=IRI               open on one entity (its panel shown)

The entity network (`network.load_network`) is read once per server from the app's read-only store
and kept; the whole-graph view and its layout are computed once too, and kept on disk
(`var/cache/explorer/`, by store version and the version of the code that draws it), so a restarted
server has them at once. `/explore` for the whole graph answers at once with the page's frame and a
"loading" note, and the page fetches `/explore.json` (which waits for the warm-up on a fresh server):
the first paint never waits for the network. A query's view is computed before the page is sent (an
unknown query or a refused answer is an error page with its status) and kept for the page's own fetch
of `/explore.json` a moment later.

The data is packed (`views.wire`: each statement, reference and repeated string once) and sent gzipped
to clients that accept it: 0.3 MB instead of 5.7 MB for the curated graph. A query view is bounded as a
whole (issue 8): its query runs through the app's `QueryPool` (read-only, off the network, row cap —
the same guard as `/sparql`), an answer with more than `--max-nodes` nodes is refused (422) before
anything is laid out, and the layout runs in a pool worker that is killed when the time is up; query,
network and layout share one time limit (`--timeout-s` from the moment the query starts, 503 past it).

Pages send a Content-Security-Policy that allows scripts, styles and connections only from this
server: even a bug could not make the page load anything from outside.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import threading
from collections import OrderedDict
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response

from ..views import explorer
from ..views import network as network_module
from ..views.wire import pack
from ..errors import CrmgraphError, ProtocolError, QueryError, render_for_http
from ..views.network import Network, explorer_data, load_network, view_from_answer, whole_view
from ..query.named import bind, find_named_query, load_named_queries
from ..query.results import Table, to_result
from .cache import accepts_gzip
from .html import CSP, NAV, document, escape
from .sandbox import Budget

#: Most entities the whole-graph view puts on screen at first (best connected first; the rest are searchable).
#: A query's answer is capped by the server's `Limits.max_nodes` instead (`crmgraph serve --max-nodes`).
MAX_NODES = 2000
_lock = threading.RLock()  # re-entrant: the whole view reads the network under it
#: Parameters of /explore that are not a named query's parameters.
_OWN = {"query", "sparql", "focus"}


def _network(state) -> Network:
    """The app's entity network, read once (under a lock: the first requests may arrive together)."""
    with _lock:
        if getattr(state, "network", None) is None:
            state.network = load_network(state.entity_store)
        return state.network


def _whole_data(state) -> bytes:
    """The whole-graph view, packed, as JSON bytes: from memory, else from the disk cache of this store
    version, else computed (and written to the disk cache)."""
    with _lock:
        if getattr(state, "whole_data", None) is None:
            cached = _disk_cache(state)
            body = None
            if cached is not None:
                try:
                    body = cached.read_bytes()
                except OSError:
                    body = None
            if body is None:
                net = _network(state)
                body = _json_bytes(pack(explorer_data(net, whole_view(net, MAX_NODES))))
                if cached is not None:
                    _write_cache(cached, body)
            state.whole_data = body
        return state.whole_data


#: The modules whose code decides what the whole-graph view holds: a change to any of them is a new cache key.
_DRAWN_BY = ("network.py", "layout.py", "wire.py", "indicators.py")


def _disk_cache(state) -> Path | None:
    """Where the whole-graph view of the served store is kept on disk: `explorer/<key>.json` in the cache
    folder, the key a hash of the store's version (web.cache.StoreVersion) and of the drawing code. None
    when the store's version is unknown (an app over a store object, or no IDENTITY file)."""
    version = getattr(state, "store_version", None)
    token = version.pinned or version.current() if version is not None else None
    settings = getattr(state, "settings", None)
    if token is None or settings is None:
        return None
    digest = hashlib.sha256(token.encode())
    folder = Path(network_module.__file__).parent
    for name in _DRAWN_BY:
        digest.update((folder / name).read_bytes())
    return settings.cache_dir / "explorer" / f"whole-{digest.hexdigest()[:24]}.json"


def _write_cache(path: Path, body: bytes, keep: int = 4) -> None:
    """Write atomically (a temporary file renamed), keep the `keep` newest views; a cache that cannot be
    written (read-only folder, full disk) is simply not kept."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(body)
        os.replace(tmp, path)
        old = sorted(path.parent.glob("whole-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)[keep:]
        for stale in old:
            stale.unlink(missing_ok=True)
    except OSError:
        pass


def _json_bytes(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def warm(state) -> None:
    """Read the network and lay out the whole graph before the first visitor asks (the app starts this
    in a background thread; a request that comes first simply waits on the lock). Errors are left for
    the request to report."""
    try:
        _whole_data(state)
    except Exception:  # noqa: BLE001 - the first request will raise it again, with a proper answer
        pass


def _answer_of(request: Request, sparql: str, budget: Budget):
    """Run a query through the pool; its answer as a Table, triples or a boolean."""
    answer = request.app.state.pool.run(sparql, {"solutions": "json", "boolean": "json", "graph": "ntriples"},
                                        budget=budget)
    if answer.kind == "graph":
        result: Table | list[ox.Triple] | bool = [q.triple for q in ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES)]
    else:
        result = to_result(ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON))
    budget.check("reading the answer")
    return result


def _drawn(request: Request, answer, title: str, budget: Budget) -> dict:
    """A query's answer as explorer data, every step within the request's budget: the view (refused
    past `limits.max_nodes` nodes), then the layout in a worker process that is killed when it runs out."""
    pool = request.app.state.pool
    net = _network(request.app.state)
    view = view_from_answer(net, answer, title, max_nodes=pool.limits.max_nodes)
    budget.check("building the network")
    data = explorer_data(net, view, layout=lambda n, edges: pool.layout(n, edges, budget=budget))
    budget.check("writing the network")
    return data


def _query_view(request: Request) -> tuple[dict | bytes, dict[str, str]]:
    """The data of the view the request asks for (packed: a dict for a query's view, JSON bytes for the
    whole graph), and header links (label → path). A query view's every step (query, network, layout)
    counts against one budget: `--timeout-s` from the query's start."""
    params = request.query_params
    if "query" in params or "sparql" in params:
        _network(request.app.state)   # read once per server, the graph's size: not part of this request's budget
    budget = request.app.state.pool.budget()
    if "query" in params:
        queries = load_named_queries(request.app.state.settings.queries_dir)
        try:
            query = find_named_query(queries, params["query"])
        except QueryError as exc:  # an unknown name: the page does not exist
            raise ProtocolError(exc.message, exc.hint or "the named queries are listed at /queries", status=404) from exc
        values = {k: v for k, v in params.items() if k not in _OWN}
        sparql, _ = bind(query, values)
        data = pack(_drawn(request, _answer_of(request, sparql, budget), query.title, budget))
        qs = urlencode(values)
        return data, {"results as a table": f"/queries/{query.name}" + (f"?{qs}" if qs else "")}
    if "sparql" in params:
        data = pack(_drawn(request, _answer_of(request, params["sparql"], budget), "Query answer", budget))
        return data, {"whole graph": "/explore"}
    return _whole_data(request.app.state), {}


def _error_page(exc: CrmgraphError) -> str:
    body = (f'<h1>Cannot draw this view</h1><p class="error">{escape(exc.message)}'
            + (f"<br>{escape(exc.hint)}" if exc.hint else "") + "</p>"
            '<p>The explorer draws the whole graph (<a href="/explore">/explore</a>), a named query '
            "(<code>/explore?query=NAME</code>, see <a href=\"/queries\">/queries</a>) or a query of your own "
            "(<code>/explore?sparql=…</code>: a CONSTRUCT, or a SELECT with two columns of IRIs).</p>")
    return document("Explorer", body)


def _is_query_view(request: Request) -> bool:
    return "query" in request.query_params or "sparql" in request.query_params


async def explore(request: Request) -> Response:
    """`/explore[?query=NAME&…|?sparql=…][&focus=IRI]`: the interactive network, a small page that fetches its
    data from `/explore.json` with the same parameters. The whole graph's page is sent at once; a query's
    view is computed first (an unknown query or a refused answer is an error page with its status) and
    kept for the page's own fetch a moment later (`_kept`)."""
    query = request.url.query
    src = "/explore.json" + (f"?{query}" if query else "")
    links = {"data (JSON)": src}
    headers = {"Content-Security-Policy": CSP}
    if not _is_query_view(request):
        page = explorer.render_page(None, inline=False, links=links, nav=NAV, src="/explore.json",
                                    title="The knowledge graph")
        return HTMLResponse(page, headers=headers)
    try:
        data, own = await run_in_threadpool(_query_view, request)
    except CrmgraphError as exc:
        status, _ = render_for_http(exc)
        return HTMLResponse(_error_page(exc), status_code=status, headers=headers)
    assert isinstance(data, dict)  # a query's view (the whole graph's bytes are only for /explore.json)
    _keep(request.app.state, query, _json_bytes(data))
    page = explorer.render_page(None, inline=False, links={**own, **links}, nav=NAV, src=src, title=data["title"])
    return HTMLResponse(page, headers=headers)


async def explore_json(request: Request) -> Response:
    """`/explore.json[?query=NAME&…|?sparql=…]`: the explorer's data (nodes, edges, facts, sources), packed
    (views.wire; `crmgraph.views.wire.unpack` reads it back)."""
    kept = _kept(request.app.state, request.url.query) if _is_query_view(request) else None
    if kept is not None:   # (said in Server-Timing, like the answer cache's hits)
        return _answer(request, kept, "application/json", {"Server-Timing": 'view;desc="kept"'})
    try:
        data, _ = await run_in_threadpool(_query_view, request)
    except CrmgraphError as exc:
        status, body = render_for_http(exc)
        return JSONResponse(body, status_code=status)
    return _answer(request, data if isinstance(data, bytes) else _json_bytes(data), "application/json")


#: Query views kept between a page and its own fetch of the data (the last few, by query string).
KEPT_VIEWS = 8


def _keep(state, query: str, body: bytes) -> None:
    with _lock:
        kept = getattr(state, "kept_views", None)
        if kept is None:
            kept = state.kept_views = OrderedDict()
        kept[query] = body
        kept.move_to_end(query)
        while len(kept) > KEPT_VIEWS:
            kept.popitem(last=False)


def _kept(state, query: str) -> bytes | None:
    with _lock:
        return (getattr(state, "kept_views", None) or {}).get(query)


#: Answers smaller than this are sent as they are (gzip's header and a round trip cost more than they save).
GZIP_MIN_BYTES = 1024


def _answer(request: Request, body: bytes, media_type: str, headers: dict[str, str] | None = None) -> Response:
    """The explorer's data, gzipped when the client accepts it (it shrinks about 9×), with `Vary:
    Accept-Encoding` either way. The whole graph's gzipped data is made once per server. (Pages are never
    gzipped here: the site's footer is added to the HTML after the route.)"""
    headers = {**(headers or {}), "Vary": "Accept-Encoding"}
    if len(body) >= GZIP_MIN_BYTES and accepts_gzip(request.headers.get("accept-encoding", "")):
        state = request.app.state
        if body is getattr(state, "whole_data", None):
            zipped = getattr(state, "whole_data_gzip", None)
            if zipped is None:
                zipped = state.whole_data_gzip = gzip.compress(body, 6, mtime=0)
        else:
            zipped = gzip.compress(body, 6, mtime=0)
        return Response(zipped, media_type=media_type, headers={**headers, "Content-Encoding": "gzip"})
    return Response(body, media_type=media_type, headers=headers)


async def explorer_asset(request: Request) -> Response:
    """`/assets/explorer/FILE`: vis-network, explorer.js or explorer.css; anything else is a 404."""
    name = request.path_params["file"]
    media_type = explorer.ASSETS.get(name)
    if media_type is None:
        return PlainTextResponse("error: no such asset\n", status_code=404)
    try:
        path = explorer.asset_path(name)
    except CrmgraphError as exc:
        return PlainTextResponse(f"error: {exc.message}\nhint: {exc.hint}\n", status_code=404)
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "public, max-age=3600"})
