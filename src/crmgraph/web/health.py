"""`/health`: whether this server can answer queries now, as JSON for a monitor or a load balancer.

    {"status": "ok" | "degraded" | "busy" | "down", "queries": {"ok": …, "seconds": …, "error": …},
     "pool": {"workers", "wanted", "idle", "replacing", "last_failure", "offline", "isolation", …},
     "store": {"path", "modified", "builtWith"}, "version": …}

"Can queries run" is answered by doing it: one small query through the same `QueryPool` as
`/sparql` (the build graph's date and tool, which is also the store's version as the *workers* see
it — after a rebuild it changes once the workers are replaced). `ok`: it answered and every wanted
worker is alive; `degraded`: it answered with fewer workers (replacements pending); `busy`: workers
are alive but all stayed busy for 3 s; `down`: no worker could answer (HTTP 503), with the pool's
last failure saying why.
"""
from __future__ import annotations

import json
import time

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .. import __version__
from ..errors import CrmgraphError, ServerBusy
from ..namespaces import GRAPH_BUILD

#: The store's version: when it was built and with which crmgraph (the build graph, see ARCHITECTURE.md).
VERSION_QUERY = f"""SELECT ?modified ?builtWith WHERE {{ GRAPH <{GRAPH_BUILD}> {{ ?d dcterms:modified ?modified .
    OPTIONAL {{ ?d crm:builtWith ?builtWith }} }} }} ORDER BY DESC(?modified) LIMIT 1"""
#: Longest /health waits for its query (a monitor wants a quick answer, even "down").
WAIT_S = 3.0


async def health(request: Request) -> Response:
    """`/health`: pool size, store version, whether queries can run (503 if they cannot)."""
    pool = request.app.state.pool
    started = time.monotonic()
    store: dict = {"path": str(request.app.state.store_path), "modified": None, "builtWith": None}
    queries: dict = {"ok": False, "seconds": None, "error": None}
    busy = False
    try:
        answer = await run_in_threadpool(pool.run, VERSION_QUERY, None, pool.budget(min(WAIT_S, pool.limits.timeout_s)))
        rows = json.loads(answer.body)["results"]["bindings"]
        if rows:
            store["modified"] = rows[0]["modified"]["value"]
            store["builtWith"] = rows[0].get("builtWith", {}).get("value")
        queries["ok"] = True
    except CrmgraphError as exc:
        queries["error"] = exc.message
        busy = isinstance(exc, ServerBusy)
    queries["seconds"] = round(time.monotonic() - started, 3)
    status = pool.status()
    if queries["ok"]:
        state = "ok" if status["workers"] >= status["wanted"] else "degraded"
    else:
        state = "busy" if busy and status["workers"] > 0 else "down"
    body = {"status": state, "queries": queries, "pool": status, "store": store, "version": __version__}
    return JSONResponse(body, status_code=503 if state == "down" else 200, headers={"Cache-Control": "no-store"})
