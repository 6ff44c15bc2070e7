"""`/conflicts`: the disagreement report as a page of the portal, and `/conflicts.json`, its twin.

The page is `analysis.conflicts.find_disagreements` on the app's read-only store (the one the entity
pages use), computed once per server and kept (the store does not change while it serves): each
disagreement is a section with its title, why it is one, and its sides side by side — what each says,
for which period, who says it, its status, and its references (source title linked to the source's
page, key, locator). `?kind=` keeps one kind (the same for the JSON twin). Every string from the graph
goes through `web.html.escape`.
"""
from __future__ import annotations

import threading
from collections import Counter
from dataclasses import asdict

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from ..analysis.conflicts import KINDS, Disagreement, Side, find_disagreements
from ..errors import ProtocolError
from ..namespaces import ID
from ..query.citations import Reference, has_locator, short_title
from . import search
from .html import STATUSES, cite, document, escape, local_path, status_html, status_legend

STYLE = """<style>
.kinds a{margin-right:1em}.dis{border-top:1px solid #ccc;padding:.4em 0 .8em}.dis h2{font-size:1.1em;margin:.3em 0}
.why{margin:.2em 0 .5em;color:#333}.kind{font-size:80%;background:#eef;border-radius:3px;padding:0 .4em;margin-right:.4em}
.sides{display:flex;flex-wrap:wrap;gap:.6em;align-items:flex-start}.side{flex:1 1 15em;max-width:24em;border:1px solid #ddd;border-left-width:5px;
border-radius:4px;padding:.4em .6em;background:#fcfcfc}.says{font-size:1.15em;font-weight:600}.side .meta{font-size:85%;color:#444}
.side ul{margin:.3em 0 0;padding-left:1.1em;font-size:85%}.side-verified{border-left-color:#2a7}.side-second-hand{border-left-color:#7a9}
.side-derived{border-left-color:#69c}.side-unverified{border-left-color:#d90}.side-contradicted{border-left-color:#c33}
</style>"""

_lock = threading.Lock()


def _report(request: Request) -> list[Disagreement]:
    """The store's disagreements, computed on the first visit and kept for the server's life."""
    state = request.app.state
    with _lock:
        found = getattr(state, "disagreements", None)
        if found is None:
            found = state.disagreements = find_disagreements(state.entity_store)
    return found


def _kind(request: Request) -> str | None:
    kind = request.query_params.get("kind")
    if kind is not None and kind not in KINDS:
        raise ProtocolError(f"unknown kind {kind!r}", hint=f"use one of: {', '.join(KINDS)} (or no kind for all)")
    return kind


def _link(iri: str, text: str) -> str:
    path = local_path(iri)
    return f'<a href="{escape(path)}">{escape(text)}</a>' if path else escape(text)


def _status_class(status: str) -> str:
    """The status's class suffix in html.STATUSES ("verified", "second-hand" …), for the side's border."""
    for key, (cls, _mark, word, _meaning) in STATUSES.items():
        if status.lower() in (key.lower(), word):
            return cls
    return "other"


def _side(s: Side, citations=None) -> str:
    """One side: what it says, period and claimant, its status (the portal's marks: html.status_html, one
    legend per page) and its references as readable citations (html.cite), never bare keys."""
    meta = " · ".join(escape(x) for x in (s.period, s.claimant) if x)
    if citations is not None:
        refs = "".join(f"<li>{cite(citations, [Reference(r.source, r.locator)])}</li>" for r in s.references)
    else:
        refs = "".join(f'<li>{_link(ID + "source/" + r.source, short_title(r.title) or r.source)}'
                       + (f", {escape(r.locator)}" if has_locator(r.locator) else "") + "</li>" for r in s.references)
    statement = _link(s.statement, "statement") if local_path(s.statement) else ""
    return (f'<div class="side side-{_status_class(s.status)}"><div class="says">{escape(s.says)}</div>'
            f'<div class="meta">{meta}{" · " if meta else ""}{status_html(s.status)}'
            f'{" · " + statement if statement else ""}</div>'
            + (f"<ul>{refs}</ul>" if refs else "") + "</div>")


def render(found: list[Disagreement], kind: str | None, citations=None) -> str:
    counts = Counter(d.kind for d in found)
    shown = [d for d in found if kind is None or d.kind == kind]
    out = ["<h1>Disagreements between sources</h1>",
           "<p>Where the sources disagree, the graph keeps every side; this page sets them side by side, each with "
           "its period, who says it, how far it is verified and where it is written. Found by rules over the whole "
           "graph, not from a list: " + "; ".join(f"<strong>{escape(k)}</strong> — {escape(v)}" for k, v in KINDS.items())
           + '. Also as <a href="/conflicts.json">JSON</a> and from the shell: <code>crmgraph conflicts --format '
           "text|json|csv|md</code>.</p>",
           '<p class="kinds">' + f'<a href="/conflicts">all ({len(found)})</a>'
           + "".join(f'<a href="/conflicts?kind={escape(k)}">{escape(k)} ({counts[k]})</a>' for k in KINDS if counts[k])
           + "</p>", status_legend()]
    for d in shown:
        out.append(f'<section class="dis" id="{escape(d.id)}" data-kind="{escape(d.kind)}">'
                   f'<h2><span class="kind">{escape(d.kind)}</span>{escape(d.title)}</h2>'
                   f'<p class="why">{escape(d.why)}</p><div class="sides">'
                   + "".join(_side(s, citations) for s in d.sides) + "</div></section>")
    return "\n".join(out)


async def conflicts_page(request: Request) -> Response:
    """`/conflicts`: every disagreement, both sides side by side."""
    kind = _kind(request)
    found = await run_in_threadpool(_report, request)
    cites = await run_in_threadpool(search.citations, request.app.state)
    return HTMLResponse(document("Disagreements", render(found, kind, cites), head=STYLE))


async def conflicts_json(request: Request) -> Response:
    """`/conflicts.json`: the same report as JSON (`{"counts": {kind: n}, "disagreements": […]}`)."""
    kind = _kind(request)
    found = await run_in_threadpool(_report, request)
    return JSONResponse({"counts": dict(Counter(d.kind for d in found)),
                         "disagreements": [asdict(d) for d in found if kind is None or d.kind == kind]})
