"""The app factory: `create_app(store, settings, limits)` → a FastAPI app whose routes are in `ROUTES`.

The app owns one `sandbox.QueryPool` (started when the server starts, stopped when it stops), so
every query from the web is read-only and bounded in time, memory and bytes, behind a fair queue that
counts each request against its client (`clients.ClientIdentity`). Pages read the store directly in the
server's threads; the app keeps `PAGE_THREADS` more threads than the queue can ever hold, so pages never
wait behind heavy queries. Library errors become HTTP
answers in one place (`error_response`). FastAPI's /docs and /redoc are off: they load their
scripts from a CDN, and no page of the portal may load anything from outside the server.
"""
from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import socket
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Awaitable, Callable

import anyio.to_thread
from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from .. import __version__
from ..errors import CrmgraphError, StoreError, render_for_http
from .clients import ClientIdentity
from .cache import AnswerCache, CachedAnswers, StoreVersion
from .sandbox import Limits, QueryPool
from .warming import Warming, warm_up
from ..settings import Settings
from ..store.embedded import OxigraphStore
from . import charts, conflicts, downloads, editor, entities, explore, health, home, ontology, queries, risk, search, sparql, store as graph_store
from .html import CSP, footer


@dataclass(frozen=True)
class Route:
    path: str
    endpoint: Callable[[Request], Awaitable[Response]]
    methods: tuple[str, ...]
    name: str
    description: str


#: Every route of the portal (each one is documented in README.md; a test checks it).
ROUTES: tuple[Route, ...] = (
    Route("/", home.home, ("GET",), "home",
          "the portal's front door: what the graph is, a search box, six flagship questions opening their answers, "
          "links to every section, then the counts"),
    Route("/sparql", sparql.sparql_endpoint, ("GET", "POST"), "sparql",
          "SPARQL 1.1 Protocol endpoint (read-only, time limit, row cap); without a query, its service description"),
    Route("/id/{rest:path}", entities.entity, ("GET",), "entity",
          "an entity's page (HTML), its JSON twin (.json) or its RDF description (.ttl, .nt, .jsonld, or by Accept)"),
    Route("/ontology", ontology.ontology, ("GET",), "ontology",
          "the ontology's documentation: header, class hierarchy with properties, controlled vocabularies, "
          "every term with an anchor (/ontology#Term); HTML, JSON or RDF by Accept"),
    Route("/ontology.{suffix}", ontology.ontology, ("GET",), "ontology-file",
          "the ontology as .html, .json, .ttl, .nt or .jsonld"),
    Route("/queries", queries.query_list, ("GET",), "queries",
          "the named queries of queries/*.rq grouped by theme, each with a plain-language summary and its parameters"),
    Route("/queries.json", queries.query_list, ("GET",), "queries-json", "the list of named queries as JSON"),
    Route("/queries/{name}.{suffix}", queries.named_query, ("GET",), "named-query-results",
          "a named query's results as CSV (.csv) or SPARQL JSON (.json), parameters in the query string"),
    Route("/queries/{name}", queries.named_query, ("GET",), "named-query",
          "a named query's page: parameters as a GET form, its SPARQL, its results as a table"),
    Route("/editor", editor.editor, ("GET",), "editor",
          "the SPARQL editor (YASGUI on /sparql, no outside services), with the named queries as a menu"),
    Route("/explore", explore.explore, ("GET",), "explore",
          "the graph explorer: the whole graph, or ?query=NAME&param=… (a named query's answer), or ?sparql=… "
          "(a CONSTRUCT, or a SELECT with two IRI columns), drawn as a network; &focus=IRI opens one entity"),
    Route("/explore.json", explore.explore_json, ("GET",), "explore-json",
          "the explorer's data for the same parameters: nodes with positions, facts and sources; edges; classes"),
    Route("/conflicts", conflicts.conflicts_page, ("GET",), "conflicts",
          "every disagreement between sources, both sides side by side with periods, claimants, statuses, source "
          "titles and locators; ?kind= keeps one kind"),
    Route("/conflicts.json", conflicts.conflicts_json, ("GET",), "conflicts-json",
          "the disagreement report as JSON (counts by kind, and each disagreement with its sides and references)"),
    Route("/assets/explorer/{file}", explore.explorer_asset, ("GET",), "explorer-asset",
          "vis-network (from the pyvis package), explorer.js and explorer.css; nothing else"),
    Route("/views/timeline", charts.timeline_view, ("GET",), "timeline",
          "EU–Central Asia instruments on a timeline (vis-timeline), one lane per Central Asian party, with its table twin"),
    Route("/views/timeline.json", charts.timeline_view, ("GET",), "timeline-json", "the timeline's steps as JSON"),
    Route("/views/shares", charts.shares_view, ("GET",), "shares",
          "ranked bars of shares (?quantity=share-of-eu-supply, share-of-eu-imports, share-of-world-production …), "
          "per material, with their table twin"),
    Route("/views/shares.json", charts.shares_view, ("GET",), "shares-json", "the bars as JSON"),
    Route("/views/map", charts.map_view, ("GET",), "map",
          "a world map coloured by ?measure= (critical raw materials, instrument status, world share of a ?material=) "
          "or by a query's answer (?sparql=…), with the Central Asian states and their sites, and its table twin"),
    Route("/views/map.json", charts.map_view, ("GET",), "map-json", "the map's values as JSON"),
    Route("/assets/views/{file}", charts.views_asset, ("GET",), "views-asset",
          "vis-timeline, topojson-client and world-atlas' countries-110m.json (web-assets, from npm), timeline.js, map.js"),
    Route("/health", health.health, ("GET",), "health",
          "JSON for monitors: whether queries can run (one small query through the pool; 503 if not), the pool's "
          "workers alive/wanted, replacements pending and last failure, whether workers are off the network, "
          "the store's version (build date and tool), whether the start-up warm-up is done (ready), the answer cache's fill"),
    Route("/downloads", downloads.downloads, ("GET",), "downloads",
          "the release's files (format, size, triple or row count, SHA-256, licence) and how to cite the dataset"),
    Route("/downloads.json", downloads.downloads, ("GET",), "downloads-json", "the downloads page's data as JSON"),
    Route("/downloads/{file}", downloads.download_file, ("GET",), "download-file",
          "a file of the release folder written by crmgraph export (only the files its SHA256SUMS names)"),
    Route("/.well-known/void", downloads.well_known_void, ("GET",), "void",
          "the dataset's description (DCAT-AP 3 + VoID): Turtle, N-Triples, RDF/XML or JSON-LD by Accept"),
    Route("/store", graph_store.graph_store, ("GET",), "graph-store",
          "SPARQL 1.1 Graph Store Protocol, read-only: ?graph=IRI (a named graph), ?default (the union), or the whole "
          "dataset (N-Quads/TriG); any RDF format by Accept; streamed, no row cap"),
    Route("/store", graph_store.refuse_write, ("PUT", "POST", "DELETE", "PATCH"), "graph-store-write",
          "writes to the graph store: refused (405)"),
    Route("/risk", risk.overview, ("GET",), "risk",
          "supply risk: the SR/EI scatter of every assessed material with the EU thresholds, the most concentrated "
          "materials, a scenario form"),
    Route("/risk.json", risk.overview, ("GET",), "risk-json", "the same data as JSON"),
    Route("/risk/material/{slug}.{suffix}", risk.material_page, ("GET",), "risk-material-json",
          "a material's indicators as JSON (.json)"),
    Route("/risk/material/{slug}", risk.material_page, ("GET",), "risk-material",
          "a material's indicators: HHI, ranked supplier shares (chart + table) per series and EU sourcing stage, SR/EI"),
    Route("/risk/country/{code}.{suffix}", risk.country_page, ("GET",), "risk-country-json",
          "a country's indicators as JSON (.json)"),
    Route("/risk/country/{code}", risk.country_page, ("GET",), "risk-country",
          "a country's indicators: materials with world share and rank, EU sourcing shares, EU instruments, centrality"),
    Route("/risk/scenario.json", risk.scenario_page, ("GET",), "risk-scenario-json", "a scenario's outcome as JSON"),
    Route("/risk/scenario", risk.scenario_page, ("GET",), "risk-scenario",
          "?country=CN&material=antimony: what if these countries stop supplying — the answer with its evidence"),
    Route("/assets/vega/{file}", risk.vega_asset, ("GET",), "vega-asset",
          "Vega, Vega-Lite, vega-embed and Vega's CSP-safe expression interpreter (npm, web-assets/) and risk.js"),
    Route("/search", search.search_page, ("GET",), "search",
          "search every entity by label, alias or code (case- and accent-blind): ?q=…; results linked to their pages"),
    Route("/search.json", search.search_json, ("GET",), "search-json",
          "the best matches for ?q=… as JSON (the search box's suggestions as you type)"),
    Route("/assets/portal/{file}", search.portal_asset, ("GET",), "portal-asset",
          "the portal's own scripts (search.js: the search box's suggestions); nothing else"),
    Route("/assets/yasgui/{file}", editor.yasgui_asset, ("GET",), "yasgui-asset",
          "YASGUI's built JS and CSS, from web-assets/ (installed from npm by make install); nothing else"),
)


class SecurityHeaders:
    """ASGI middleware: every response gets the portal's Content-Security-Policy (web.html.CSP) unless
    its route set a stricter or more specific one, and `X-Content-Type-Options: nosniff`."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", CSP.encode()))
                if b"x-content-type-options" not in names:
                    headers.append((b"x-content-type-options", b"nosniff"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class Footer:
    """ASGI middleware: puts the site's footer (licences, dataset version, build date: `web.html.footer`, made
    once when the server starts) before the last `</body>` of every HTML answer, so every page has it —
    the pages themselves need not know the version. Other answers pass through untouched (streamed)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        state: dict = {}

        async def send_with_footer(message) -> None:
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                if headers.get(b"content-type", b"").startswith(b"text/html"):
                    state["start"], state["body"] = message, bytearray()
                    return
                return await send(message)
            if message["type"] == "http.response.body" and "start" in state:
                state["body"] += message.get("body", b"")
                if message.get("more_body"):
                    return
                body = bytes(state["body"])
                footer = getattr(scope.get("app").state, "footer", "") if scope.get("app") else ""
                at = body.rfind(b"</body>")
                if footer and at >= 0:
                    body = body[:at] + footer.encode("utf-8") + body[at:]
                start = state.pop("start")
                sent = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
                sent.append((b"content-length", str(len(body)).encode()))
                await send({**start, "headers": sent})
                return await send({"type": "http.response.body", "body": body, "more_body": False})
            await send(message)

        await self.app(scope, receive, send_with_footer)


def _footer(store: OxigraphStore, settings: Settings) -> str:
    """The footer's text, from CHANGES.md (dataset version) and the store's build graph (build date)."""
    from ..io.describe import build_time, dataset_version

    try:
        version = dataset_version(settings.changes_file).number
    except CrmgraphError:
        version = "unknown"
    return footer(version, build_time(store))


def error_response(request: Request, error: CrmgraphError) -> Response:
    """A library error as an HTTP answer: JSON if the client reads JSON, else plain text; with
    Retry-After when the error says when to try again (a full queue)."""
    status, body = render_for_http(error)
    retry_after = getattr(error, "retry_after", None)
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    if "json" in request.headers.get("accept", ""):
        return JSONResponse(body, status_code=status, headers=headers)
    text = f"error: {error.message}\n" + (f"hint: {error.hint}\n" if error.hint else "")
    return PlainTextResponse(text, status_code=status, headers=headers)


_HTTP_ERRORS = {404: ("not-found", "no such page", "see / for the portal's sections and /sparql for the endpoint"),
                405: ("method-not-allowed", "this method is not allowed here", "")}


def http_error_response(request: Request, exc: StarletteHTTPException) -> Response:
    """Routing errors (404, 405 …) in the same negotiated shapes as library errors — JSON only for
    clients that read JSON, plain text for the others — keeping the headers they carry (Allow)."""
    code, default_message, hint = _HTTP_ERRORS.get(exc.status_code, ("http-error", "", ""))
    message = exc.detail if isinstance(exc.detail, str) and exc.detail not in ("Not Found", "Method Not Allowed") \
        else default_message or str(exc.detail)
    if exc.status_code == 405 and exc.headers and "Allow" in exc.headers:
        hint = f"this address accepts {exc.headers['Allow']}"
    headers = dict(exc.headers or {})
    if "json" in request.headers.get("accept", ""):
        return JSONResponse({"error": code, "message": message, **({"hint": hint} if hint else {})},
                            status_code=exc.status_code, headers=headers)
    text = f"error: {message}\n" + (f"hint: {hint}\n" if hint else "")
    return PlainTextResponse(text, status_code=exc.status_code, headers=headers)


def _with_head(methods: tuple[str, ...]) -> tuple[str, ...]:
    """HEAD wherever GET works (RFC 9110 §9.3.2): the same status and headers; the server sends no body."""
    return methods + ("HEAD",) if "GET" in methods and "HEAD" not in methods else methods


def _store_path(store: Path | str | OxigraphStore | None, settings: Settings) -> Path:
    if isinstance(store, OxigraphStore):
        if store.path is None:
            raise StoreError("the web app needs a store on disk (its query workers open it read-only), not an in-memory one",
                             hint="write the store to a folder (crmgraph build --store PATH) and pass that path")
        store = store.path
    path = Path(store) if store is not None else settings.default_store
    if not (path / "CURRENT").exists():
        raise StoreError(f"no store at {path}", hint="run `crmgraph build` first (or pass --store PATH)")
    return path


#: Server threads kept for pages beyond those the query queue can hold (workers + queue).
PAGE_THREADS = 32


def create_app(store: Path | str | OxigraphStore | None = None, settings: Settings | None = None,
               limits: Limits | None = None, warm_explorer: bool = False, cache_bytes: int = 64 * 2**20,
               trust_forwarded: bool = False) -> FastAPI:
    """The portal's app over a store on disk (default: the project's). Starts nothing until served.

    `warm_explorer`: as soon as the server starts (`crmgraph serve` does), in the background, one step at a
    time: read the entity network and lay out the explorer's view, prepare the factsheets, then fill the
    answer cache with the portal's fixed, expensive answers (web/warming.py; /health says "warming", then
    "ready"). It is Python work that holds the GIL for moments, so requests arriving during it are slower;
    off by default for embedded and test servers.

    `cache_bytes`: the answer cache's bound (web/cache.py; 0 turns it off). The store is read-only while
    served, so a 200 answer is kept by (store version, request) and served again before routing.

    `trust_forwarded`: count requests against the client named by the last `X-Forwarded-For` entry
    (behind a reverse proxy), not the peer address (web/clients.py)."""
    settings = settings or Settings.discover()
    limits = limits or Limits()
    store_path = _store_path(store, settings)

    version = StoreVersion(store_path)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        version.pin()  # the store the workers and the pages are about to open
        threads = anyio.to_thread.current_default_thread_limiter()
        threads.total_tokens = max(threads.total_tokens, limits.workers + limits.queue + PAGE_THREADS)
        pool = QueryPool(store_path, limits)
        await run_in_threadpool(pool.start)
        app.state.pool = pool
        app.state.entity_store = OxigraphStore(store_path, read_only=True)
        app.state.footer = await run_in_threadpool(_footer, app.state.entity_store, settings)
        warming_task = None
        if warm_explorer:
            steps = [("explorer", partial(explore.warm, app.state)), ("factsheets", partial(entities.warm, app.state))]
            warming_task = asyncio.create_task(warm_up(app, app.state.warming, app.state.warm_host, steps))
        try:
            yield
        finally:
            if warming_task is not None:
                warming_task.cancel()
            app.state.entity_store.close()
            await run_in_threadpool(pool.close)

    # FastAPI's OpenTelemetry hooks off: nothing here exports traces or metrics, and asking whether a provider
    # is configured cost each request (cache hits included) about a third of its time in the app
    app = FastAPI(title="crmgraph", version=__version__, docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=lifespan, telemetry={"tracing": False, "metrics": False, "logs": False})
    app.state.settings, app.state.limits, app.state.store_path = settings, limits, store_path
    #: The warm-up's state (/health); the Host it asks as (the CLI sets the address it listens on) and
    #: `warming.on_ready`, called once it is done (the CLI prints it).
    app.state.warming, app.state.warm_host = Warming(), "127.0.0.1"
    for route in ROUTES:
        app.add_api_route(route.path, route.endpoint, methods=list(_with_head(route.methods)), name=route.name,
                          description=route.description, include_in_schema=False)
    # starlette types a handler as taking any Exception; each of these is registered for its own class
    app.add_exception_handler(CrmgraphError, error_response)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, http_error_response)  # type: ignore[arg-type]
    app.add_middleware(Footer)
    app.add_middleware(SecurityHeaders)
    app.state.answer_cache, app.state.store_version = AnswerCache(cache_bytes), version
    app.add_middleware(CachedAnswers, cache=app.state.answer_cache, version=version)  # a hit skips the rest
    app.add_middleware(ClientIdentity, trust_forwarded=trust_forwarded)  # outermost: the arrival counts from here
    return app


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0: any free port); OSError if it is taken."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def make_server(app: FastAPI, log_level: str = "warning"):
    """A uvicorn server for the app; run it with `server.run(sockets=[bind(host, port)])`.

    uvicorn's own proxy-header handling is off: by default it replaces the client address with
    X-Forwarded-For for any peer at 127.0.0.1, so a local client could pose as many and escape the fair
    queue's per-client cap; whether to trust that header is `--trust-x-forwarded-for`'s decision alone
    (web/clients.py)."""
    import uvicorn

    return uvicorn.Server(uvicorn.Config(app, log_level=log_level, lifespan="on", access_log=False, proxy_headers=False))


#: How `serve_processes` tells each HTTP process what to serve (uvicorn starts them by importing a factory).
SERVE_ENV = "CRMGRAPH_SERVE"
#: How long uvicorn's supervisor waits for an HTTP process to answer its health ping before it kills and
#: replaces it: the process's start (copying the store into memory, the explorer's warm-up, which holds the
#: GIL) takes seconds on a loaded machine, and uvicorn's 5 s default made it kill healthy processes in a loop.
HEALTHCHECK_S = 60


def app_from_environment() -> FastAPI:
    """The app of one HTTP process of `serve_processes` (uvicorn imports and calls this in each process)."""
    spec = json.loads(os.environ[SERVE_ENV])
    app = create_app(Path(spec["store"]), Settings.discover(), Limits(**spec["limits"]), warm_explorer=spec["warm"],
                     cache_bytes=spec["cache_bytes"], trust_forwarded=spec["trust_forwarded"])
    app.state.warm_host = spec.get("warm_host") or app.state.warm_host
    return app


def process_spec(store_path: Path, limits: Limits, processes: int, cache_bytes: int, warm_explorer: bool,
                 trust_forwarded: bool = False, warm_host: str | None = None) -> dict:
    """What each of `processes` HTTP processes serves: the store, its share of the query workers (at least
    one), of the waiting queue and of the cache's bytes; the other limits as they are."""
    shared = {**dataclasses.asdict(limits), "workers": max(1, limits.workers // processes),
              "queue": -(-limits.queue // processes)}
    return {"store": str(store_path), "warm": warm_explorer, "cache_bytes": cache_bytes // processes,
            "trust_forwarded": trust_forwarded, "warm_host": warm_host, "limits": shared}


def serve_processes(sock: socket.socket, store_path: Path, limits: Limits, processes: int, cache_bytes: int,
                    warm_explorer: bool = True, trust_forwarded: bool = False, log_level: str = "warning",
                    warm_host: str | None = None) -> None:
    """Serve on `sock` from `processes` HTTP processes until stopped (SIGINT/SIGTERM), each with its share of
    the query workers (at least one: `limits.workers // processes`), of the queue and of the answer cache's bytes.

    Why several: the HTTP path (parsing, routing, writing answers, the cache's hits) runs on one event loop,
    so one process uses at most one core however many the machine has; the query workers are processes
    anyway. Each process keeps its own cache and its own pages' store (memory grows with `processes`)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    os.environ[SERVE_ENV] = json.dumps(process_spec(store_path, limits, processes, cache_bytes, warm_explorer,
                                                    trust_forwarded, warm_host))
    config = uvicorn.Config("crmgraph.web.app:app_from_environment", factory=True, workers=processes,
                            log_level=log_level, access_log=False, lifespan="on", proxy_headers=False,
                            timeout_worker_healthcheck=HEALTHCHECK_S)
    Multiprocess(config, sockets=[sock]).run()
