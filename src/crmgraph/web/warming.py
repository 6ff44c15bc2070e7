"""Getting a fresh server ready before its first crowd: the explorer's layout, the factsheets, and the
answer cache filled with the portal's fixed, expensive answers — in the background, while it already serves.

    Warming()                       the state /health reports: "off", "warming" (with the step running) or "ready"
    await warm_up(app, warming)     the steps, in order, one at a time; `warming.on_ready(summary)` at the end
    answer_paths(home_html, names)  which answers to compute ahead: the home page, /queries, every named query's
                                    page with its defaults, every page the home page links to and the explorer's
                                    default view; then (drawings_linked) the drawing behind every "view as a
                                    network" link of those pages, asked as the explorer page fetches it

Why: measured on a fresh `crmgraph serve` with 50 clients (benchmarks/serving.py), the first run's p99 was
seconds and some requests got 503: the explorer's and the factsheets' warm-up threads held the GIL while
clients arrived, and 50 clients asking at once for the drawing of a named query (6 s of layout on a loaded
2-core machine) or a named query's page waited for one computation, behind the pool's queue. Done ahead, the
first visitors are answered from the cache.

The answers are asked of the app itself, through its whole middleware stack (so they are kept by
web/cache.py exactly as a visitor's would be), one at a time, as the client `crmgraph-warm-up`: the fair
queue counts them like any client's, so a warm-up holds at most one query worker and visitors keep the
others. The cache keys an answer by the Host it was asked with: the warm-up asks as the address the server
listens on (`host`, e.g. 127.0.0.1:8000); behind a proxy with another Host, the cache is filled on the
first visits instead (the explorer's layout and the factsheets are warm either way). An answer that fails or
runs out of time is not kept, and is recorded in the summary; warming never stops the server.
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence
from urllib.parse import quote, urlsplit

from starlette.concurrency import run_in_threadpool

__all__ = ["DRAWING_HEADERS", "WARM_UP_CLIENT", "Warming", "answer_paths", "drawings_linked", "warm_up"]

log = logging.getLogger(__name__)

#: The client the warm-up's requests count against in the fair queue (web/clients.py reads scope["client"]).
WARM_UP_CLIENT = "crmgraph-warm-up"
#: Links of the home page never asked ahead: answers the cache does not keep, or files.
_SKIPPED = ("/sparql", "/downloads", "/store", "/health", "/assets/", "/.well-known/")


@dataclass
class Warming:
    """Where the warm-up is: `state` "off" (not asked for), "warming" or "ready"; the step running; how many
    answers were kept and which failed; when it started and how long it took."""

    state: str = "off"
    step: str | None = None
    answers: int = 0
    failed: list[str] = field(default_factory=list)
    started: float | None = None
    seconds: float | None = None
    on_ready: Callable[[dict], None] | None = None

    def as_dict(self) -> dict:
        """For /health."""
        running = None if self.started is None or self.seconds is not None else round(time.monotonic() - self.started, 1)
        return {"state": self.state, "step": self.step, "answers_kept": self.answers, "failed": self.failed[:20],
                "seconds": self.seconds if self.seconds is not None else running}


def answer_paths(home_html: str, named: dict[str, list[str]]) -> list[str]:
    """The paths to ask ahead, cheapest and most visited first, each once: the home page's links (pages of
    the portal), /queries, every named query's page (`named`: name → its parameter names; a page is asked
    with its defaults), the explorer's default view, then the drawing of each named query the home page links
    to (its `/explore.json?query=…`, with the same parameters)."""
    from .cache import cacheable_path

    links = []
    for href in re.findall(r'href="(/[^"#]*)(?:#[^"]*)?"', home_html):
        href = href.replace("&amp;", "&")
        if cacheable_path(urlsplit(href).path) and not href.startswith(_SKIPPED):
            links.append(href)
    paths = ["/", "/queries", *links, *(f"/queries/{quote(name)}" for name in sorted(named)), "/explore.json"]
    return list(dict.fromkeys(paths))


#: A page's link to a drawn answer (a named query's "view as a network").
_DRAWING_LINK = re.compile(r'href="/explore\?(query=[^"#]*)"')
#: The headers the explorer page's fetch of its data sends (explorer.js; a browser adds gzip itself), so a
#: drawing prepared ahead is the cache entry a visitor's fetch finds.
DRAWING_HEADERS = {"accept": "application/json", "accept-encoding": "gzip"}


def drawings_linked(page_html: str) -> list[str]:
    """The data paths (`/explore.json?query=…`) of the drawings a page links to: only queries whose page
    offers a network view, so the warm-up never asks for a drawing the explorer would refuse."""
    return [f"/explore.json?{q.replace('&amp;', '&')}" for q in _DRAWING_LINK.findall(page_html)]


async def warm_up(app, warming: Warming, host: str, steps: Sequence[tuple[str, Callable[[], object]]],
                  paths: list[str] | None = None) -> None:
    """Run the blocking `steps` (name, function) in a thread one after the other, then ask the app for each
    of `paths` (default: `answer_paths` of its home page and named queries) as `host`; mark `warming` ready
    and call its `on_ready` with a summary."""
    warming.state, warming.started = "warming", time.monotonic()
    for name, step in steps:
        warming.step = name
        try:
            await run_in_threadpool(step)
        except Exception:  # noqa: BLE001 - a page that cannot be prepared now fails visibly on its visit
            log.exception("warming up %s failed", name)
            warming.failed.append(name)
    warming.step = "answers"
    if paths is None:
        try:
            status, _, home = await ask(app, "/", host)
            from ..query.named import load_named_queries

            named = {name: [p.name for p in q.parameters] for name, q in load_named_queries(app.state.settings.queries_dir).items()}
            paths = answer_paths(home.decode("utf-8", "replace") if status == 200 else "", named)
        except Exception:  # noqa: BLE001
            log.exception("could not list the answers to warm up")
            paths = []
    queued = list(dict.fromkeys(paths))
    for path in queued:  # grows as pages link drawings
        drawing = path.split("?", 1)[0] == "/explore.json"  # the explorer data, asked as its page fetches it
        try:
            status, headers, body = await ask(app, path, host, DRAWING_HEADERS if drawing else None)
        except Exception:  # noqa: BLE001 - one failed answer does not stop the others
            log.exception("warming up %s failed", path)
            status, headers, body = 500, {}, b""
        if status == 200:
            warming.answers += 1
            if headers.get("content-type", "").startswith("text/html"):
                queued.extend(p for p in drawings_linked(body.decode("utf-8", "replace")) if p not in queued)
        else:
            warming.failed.append(f"{path} ({status})")
    warming.step, warming.state = None, "ready"
    warming.seconds = round(time.monotonic() - warming.started, 1)
    if warming.on_ready is not None:
        warming.on_ready(warming.as_dict())


async def ask(app, path_and_query: str, host: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """GET a path of the app (through all its middleware) as the warm-up client, with `headers` (lower-case
    names) besides Host; the status, the headers (lower-case names) and the body."""
    parts = urlsplit(path_and_query)
    sent_headers = [(b"host", host.encode("latin-1"))] + [(k.encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": parts.path, "raw_path": parts.path.encode(), "query_string": parts.query.encode(), "root_path": "",
             "headers": sent_headers, "client": (WARM_UP_CLIENT, 0), "server": None, "state": {}}
    sent: dict = {"status": 500, "headers": {}}
    body = bytearray()

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            sent["status"] = message["status"]
            sent["headers"] = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in message.get("headers", [])}
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))

    await app(scope, receive, send)
    return sent["status"], sent["headers"], bytes(body)
