"""`/health`: whether this server can answer queries now, and what bounds them, as JSON for a monitor or
a load balancer.

    {"status": "ok" | "degraded" | "busy" | "down", "ready": true | false,
     "warming": {"state": "off" | "warming" | "ready", "step", "answers_kept", "failed", "seconds"},
     "cache": {"entries", "bytes", "max_bytes", "hits", "misses", "evictions"},   (the answer cache: web/cache.py)
     "queries": {"ok": …, "seconds": …, "error": …},
     "pool": {"workers", "wanted", "idle", "replacing", "last_failure", "offline", "isolation", "memory", …},
     "lanes": {"queries": {"running", "waiting", "queue", "per_client", "refused", …},
               "pages": {"threads", "busy", "kept_for_pages"}},
     "limits": {"timeout_s", "max_rows", "max_answer_mb", "max_memory_mb", "max_nodes", "workers", "per_client", "queue"},
     "store": {"path", "modified", "builtWith"}, "version": …}

"Can queries run" is answered by doing it: one small query through the same `QueryPool` as `/sparql`
(the build graph's date and tool, which is also the store's version as the *workers* see it — after a
rebuild it changes once the workers are replaced). The probe jumps the pool's queue, and is not sent at
all while every worker is running a query: /health must answer at once, never wait behind heavy
queries. `ok`: it answered and every wanted worker is alive; `degraded`: it answered with fewer workers, or
none is alive but replacements are starting and none has failed (every worker was just killed at the
time limit); `busy`: every worker alive is running a query (the queue says how many wait);
`down`: no worker could answer (HTTP 503), with the pool's last failure saying why.

`ready` is false while a fresh server still prepares its expensive answers (web/warming.py: the explorer's
layout, the factsheets, the answer cache); it answers meanwhile, only slower. A load balancer or a benchmark
that wants the server at its best waits for `ready`; one that only wants it up reads `status`.

The two lanes: heavy work (SPARQL from anyone: /sparql, named-query results, drawn and mapped queries)
runs in the pool's worker processes behind its fair queue; pages (entity pages, factsheets, search,
static files, this) read the store directly in the server's threads, of which the queue can hold at
most `workers + queue` (app.py keeps more than that for pages).
"""
from __future__ import annotations

import json
import time

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .. import __version__
from ..errors import CrmgraphError, ServerBusy
from ..namespaces import GRAPH_BUILD

#: The store's version: when it was built and with which crmgraph (the build graph, see ARCHITECTURE.md).
VERSION_QUERY = f"""SELECT ?modified ?builtWith WHERE {{ GRAPH <{GRAPH_BUILD}> {{ ?d dcterms:modified ?modified .
    OPTIONAL {{ ?d crm:builtWith ?builtWith }} }} }} ORDER BY DESC(?modified) LIMIT 1"""
#: Longest /health waits for its query (only when a worker is idle or none is alive: a replacement may come).
WAIT_S = 3.0


async def health(request: Request) -> Response:
    """`/health`: pool size, queue, limits, store version, whether queries can run (503 if they cannot)."""
    pool = request.app.state.pool
    started = time.monotonic()
    store: dict = {"path": str(request.app.state.store_path), "modified": None, "builtWith": None}
    queries: dict = {"ok": False, "seconds": None, "error": None}
    busy = False
    before = pool.status()
    starting = before["workers"] == 0 and before["replacing"] > 0 and not before["last_failure"]
    if before["workers"] > 0 and before["idle"] == 0:
        busy = True
        queries["error"] = (f"not probed: all {before['workers']} workers are running queries "
                            f"({before['queue']['waiting']} waiting)")
    elif starting:
        queries["error"] = f"not probed: {before['replacing']} replacement workers are starting"
    else:
        try:
            answer = await pool.arun(VERSION_QUERY, None, pool.budget(min(WAIT_S, pool.limits.timeout_s)),
                                     client="health", priority=True)
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
    elif busy and status["workers"] > 0:
        state = "busy"
    elif status["replacing"] > 0 and not status["last_failure"]:
        state = "degraded"  # every worker was just killed (time limits): replacements start, nothing failed
    else:
        state = "down"
    threads = anyio.to_thread.current_default_thread_limiter()
    queue = status.pop("queue")
    lanes = {"queries": queue,
             "pages": {"threads": threads.total_tokens, "busy": threads.borrowed_tokens,
                       "kept_for_pages": threads.total_tokens - pool.limits.workers - pool.limits.queue}}
    warming = request.app.state.warming.as_dict()
    cache = getattr(request.app.state, "answer_cache", None)
    body = {"status": state, "ready": warming["state"] != "warming", "warming": warming, "queries": queries, "pool": status, "lanes": lanes,
            "cache": cache.stats() if cache is not None else None,
            "limits": pool.limits.as_dict(), "store": store, "version": __version__}
    return JSONResponse(body, status_code=503 if state == "down" else 200, headers={"Cache-Control": "no-store"})
