"""Named-query pages, like Datasette's canned queries: the queries of `queries/*.rq` in the browser.

    /queries                    the list of named queries (title, description, parameters); /queries.json its twin
    /queries/NAME?p=v…          a query's page: its parameters as a GET form (pre-filled with the current
                                values or the defaults), its SPARQL text, and its results as a table
    /queries/NAME.csv?p=v…      the same results as CSV (SPARQL 1.1 CSV)
    /queries/NAME.json?p=v…     the same results as SPARQL JSON
    /queries/NAME.ttl|.nt|.jsonld?p=v…   a CONSTRUCT's triples as Turtle, N-Triples or JSON-LD

A CONSTRUCT (or DESCRIBE) answer is shown, and downloaded as CSV and JSON, as a table of triples
(subject, predicate, object), and as RDF by the suffixes above. An answer that can be drawn — any
non-empty CONSTRUCT, or a SELECT with at least two columns of IRIs (the rule of
`network.view_from_answer`) — gets a "view as a network" link to `/explore?query=NAME&…`, the
same parameters carried over.

The URL with its query string is the shareable form of a result. Parameters are bound by
`crmgraph.query.named.bind` (each value becomes one RDF term in a VALUES block, never pasted into the
text), so a bad value is refused (400) before anything runs; the bound query then runs in the app's
`QueryPool`, like /sparql (read-only, time limit, row cap). Unknown names get a 404 with the closest
names. Every string on a page goes through `web.html.escape`; IRIs of ours link to their local pages.
"""
from __future__ import annotations

import csv
import difflib
import io
import json
import time
from urllib.parse import urlencode

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from ..errors import CrmgraphError, NotAcceptable, QueryError, render_for_http
from ..query.named import THEMES, NamedQuery, bind, find_named_query, load_named_queries, query_json
from ..query.results import Table, media_type, to_json, write_answer
from . import search
from ..query.answers import from_sparql_json, shape
from ..query.citations import Citations, Reference
from .html import answer_html, document, escape, status_legend

#: Suffix of `/queries/NAME.<suffix>` → the format of the answer.
SUFFIXES = {"html": "html", "csv": "csv", "json": "json", "ttl": "turtle", "nt": "ntriples", "jsonld": "jsonld"}
#: RDF formats (of results.GRAPH_FORMATS) only a CONSTRUCT/DESCRIBE answer can be written in.
GRAPH_ONLY = {"turtle", "ntriples", "jsonld"}
#: The RDF downloads a CONSTRUCT's page offers: suffix → label.
GRAPH_DOWNLOADS = {"ttl": "Turtle", "nt": "N-Triples", "jsonld": "JSON-LD"}
#: The columns of a CONSTRUCT's answer shown (and downloaded as CSV/JSON) as a table.
TRIPLE_COLUMNS = ["subject", "predicate", "object"]
#: Parameters of `/explore` itself: a named query with a parameter of that name cannot be sent there.
EXPLORE_OWN = {"query", "sparql", "focus"}


def _named_queries(request: Request) -> dict[str, NamedQuery]:
    return load_named_queries(request.app.state.settings.queries_dir)


# -- /queries ------------------------------------------------------------------------------------

async def query_list(request: Request) -> Response:
    """`/queries` (HTML) and `/queries.json`: every named query, grouped by theme (`# theme:` of its
    header, in the order of `named.THEMES`), each with its one-line plain-language summary."""
    queries = await run_in_threadpool(_named_queries, request)
    if request.url.path.endswith(".json"):
        return JSONResponse({"themes": [t for t in THEMES if any(q.theme == t for q in queries.values())],
                             "queries": [query_json(q) for q in queries.values()]})
    return HTMLResponse(document("Named queries", render_query_list(queries), head=LIST_STYLE))


#: The list page's own style (spacing between entries; the summary in the reader's type).
LIST_STYLE = ("<style>ul.queries{padding-left:1.2em}ul.queries li{margin:.2em 0 .9em}"
              "ul.queries li>a{font-weight:600}.themes{line-height:1.9}</style>")


def render_query_list(queries: dict[str, NamedQuery]) -> str:
    """The list page: a contents line of themes, then per theme the queries by title, each with its
    summary and what it asks for (its parameters and their defaults, in words)."""
    themes = [(t, [q for q in queries.values() if q.theme == t]) for t in THEMES]
    themes = [(t, qs) for t, qs in themes if qs]
    out = ["<h1>Questions the graph answers</h1>",
           f"<p>{len(queries)} ready-made questions (named queries), grouped by theme. Each opens a page with its "
           "answer, every row with its sources; change its parameters in the form there. Also as "
           '<a href="/queries.json">JSON</a>; any other question can be asked in the <a href="/editor">SPARQL editor</a>.</p>',
           '<p class="themes">' + " · ".join(f'<a href="#{escape(_anchor(t))}">{escape(t)}</a> ({len(qs)})'
                                             for t, qs in themes) + "</p>"]
    for theme, qs in themes:
        out.append(f'<section class="theme" id="{escape(_anchor(theme))}"><h2>{escape(theme)}</h2><ul class="queries">')
        for q in sorted(qs, key=lambda q: q.title.lower()):
            params = ", ".join(f"{escape(p.name)}" + (f" (default {escape(p.default)})" if p.default is not None
                                                      else " (required)") for p in q.parameters)
            out.append(f'<li data-query="{escape(q.name)}"><a href="/queries/{escape(q.name)}">{escape(q.title)}</a>'
                       f'<br><span class="summary">{escape(q.summary)}</span>'
                       f'<br><span class="status">{"asks for: " + params if params else "no parameters"}'
                       f' · <code>{escape(q.name)}</code></span></li>')
        out.append("</ul></section>")
    return "\n".join(out)


def _anchor(theme: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in theme.lower()).strip("-")


# -- /queries/NAME -------------------------------------------------------------------------------

def _split_name(request: Request) -> tuple[str, str | None]:
    """(query name, format) from the path; format None for an unknown suffix."""
    name, suffix = request.path_params["name"], request.path_params.get("suffix")
    if suffix is None:
        return name, "html"
    return name, SUFFIXES.get(suffix)


def _values(request: Request, query: NamedQuery) -> dict[str, str]:
    """The parameter values of the request (empty fields count as not given)."""
    values: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if value.strip() == "":
            continue
        if key in values:
            raise QueryError(f"the parameter {key!r} is given more than once", hint="give each parameter once")
        values[key] = value
    return values


async def named_query(request: Request) -> Response:
    """`/queries/NAME[.csv|.json|.html]?param=value…`: a named query's page, or its results."""
    name, fmt = _split_name(request)
    queries = await run_in_threadpool(_named_queries, request)
    try:
        query = find_named_query(queries, name)
    except QueryError as exc:
        return _not_found(exc, fmt, queries, name)
    if fmt is None:
        return _not_found(QueryError(f"no format {request.path_params['suffix']!r} for a named query",
                                     hint="add .csv or .json to the query's path (.ttl, .nt or .jsonld for a CONSTRUCT), "
                                          "or nothing for its page"),
                          None, queries, name)
    values: dict[str, str] = dict(request.query_params)
    started = time.perf_counter()
    try:
        values = _values(request, query)
        entity_index = await run_in_threadpool(search.index, request.app.state)
        sparql, _ = bind(query, values, entity_index)  # a bad value stops here (400), before anything runs
        answer = await run_in_threadpool(request.app.state.pool.run, sparql, _pool_formats(fmt))
    except NotAcceptable as exc:
        if fmt in GRAPH_ONLY:  # a SELECT or ASK asked for as RDF: say which suffixes it has
            return _error(query, values, fmt, NotAcceptable(
                f"{name} answers with a table (or yes/no), not triples: .{request.path_params['suffix']} "
                "is for CONSTRUCT queries", hint=f"use /queries/{name}.csv or /queries/{name}.json"))
        return _error(query, values, fmt, exc)
    except CrmgraphError as exc:
        return _error(query, values, fmt, exc)
    headers = {"Server-Timing": f"query;dur={answer.seconds * 1000:.2f}, "
                                f"total;dur={(time.perf_counter() - started) * 1000:.2f}",
               "X-Crmgraph-Rows": str(answer.rows)}
    if fmt != "html":
        if answer.kind == "graph" and fmt in ("csv", "json"):  # the table of triples the page shows
            body = await run_in_threadpool(write_answer, triples_table(answer.body), fmt)
            return Response(body, media_type=media_type(fmt), headers=headers)
        body = answer.body
        if fmt == "csv" and answer.kind == "solutions":
            body = with_citations(body, await run_in_threadpool(search.citations, request.app.state))
        return Response(body, media_type=answer.media_type, headers=headers)
    cites = await run_in_threadpool(search.citations, request.app.state)
    return HTMLResponse(render_query_page(query, values, answer=answer, cites=cites), headers=headers)


def with_citations(csv_bytes: bytes, citations: Citations) -> bytes:
    """A CSV answer with a `citation` column after its `source` (and `locator`) columns: the source's
    short citation and the locator ("USGS Mineral Commodity Summaries 2025 — Antimony chapter, Table 1"),
    so a spreadsheet reader sees who said it, not a key. Other answers are returned as they are."""
    rows = list(csv.reader(io.StringIO(csv_bytes.decode("utf-8"))))
    if rows and "sources" in rows[0] and "source" not in rows[0] and "citation" not in rows[0]:
        from ..query.answers import parse_sources

        header = rows[0]
        at = header.index("sources") + 1
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header[:at] + ["citation"] + header[at:])
        for row in rows[1:]:
            text = row[at - 1] if at - 1 < len(row) else ""
            writer.writerow(row[:at] + [citations.text(parse_sources(text)) if text else ""] + row[at:])
        return out.getvalue().encode("utf-8")
    if not rows or "source" not in rows[0] or "citation" in rows[0]:
        return csv_bytes
    header = rows[0]
    s = header.index("source")
    loc = header.index("locator") if "locator" in header else None
    at = max(s, loc if loc is not None else s) + 1
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header[:at] + ["citation"] + header[at:])
    for row in rows[1:]:
        ref = Reference(row[s], row[loc] if loc is not None and loc < len(row) else None) if s < len(row) and row[s] else None
        writer.writerow(row[:at] + [citations.text([ref]) if ref else ""] + row[at:])
    return out.getvalue().encode("utf-8")


def _error(query: NamedQuery, values: dict[str, str], fmt: str, exc: CrmgraphError) -> Response:
    """An error as the page (with the form, to fix the value), as JSON, or as text."""
    status, body = render_for_http(exc)
    if fmt == "html":
        return HTMLResponse(render_query_page(query, values, error=exc), status_code=status)
    if fmt in ("json", "jsonld"):
        return JSONResponse(body, status_code=status)
    return Response(f"error: {exc.message}\n" + (f"hint: {exc.hint}\n" if exc.hint else ""),
                    status_code=status, media_type="text/plain")


def _pool_formats(fmt: str) -> dict[str, str | None]:
    """The format the pool writes each kind of answer in, for a page or download format. A CONSTRUCT
    comes as N-Triples where it becomes a table (the page, .csv, .json); a SELECT or ASK asked for as
    RDF (.ttl, .nt, .jsonld) is refused by the pool (406), before any row is written."""
    if fmt in GRAPH_ONLY:
        return {"solutions": None, "boolean": None, "graph": fmt}
    table_fmt = "json" if fmt == "html" else fmt
    return {"solutions": table_fmt, "boolean": table_fmt, "graph": "ntriples"}


def triples_table(ntriples: bytes) -> Table:
    """A CONSTRUCT's answer (N-Triples) as a table of subject, predicate, object (an RDF 1.2 triple
    term in the object position is shown as its N-Triples text)."""
    def cell(term):
        return ox.Literal(str(term)) if isinstance(term, ox.Triple) else term

    triples = ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)
    return Table(list(TRIPLE_COLUMNS), [[q.subject, q.predicate, cell(q.object)] for q in triples])


def _not_found(exc: QueryError, fmt: str | None, queries: dict[str, NamedQuery], name: str) -> Response:
    close = difflib.get_close_matches(name, list(queries), n=3, cutoff=0.5)
    if fmt in ("json", "csv"):
        body = {"error": "not-found", "status": 404, "message": exc.message, "hint": exc.hint, "closest": close}
        return JSONResponse(body, status_code=404) if fmt == "json" else \
            Response(f"error: {exc.message}\nhint: {exc.hint}\n", status_code=404, media_type="text/plain")
    links = "".join(f'<li><a href="/queries/{escape(n)}">{escape(n)}</a> — {escape(queries[n].title)}</li>'
                    for n in close)
    html = (f"<h1>Not found</h1><p class=\"error\">{escape(exc.message)}<br>{escape(exc.hint)}</p>"
            + (f"<p>Closest names:</p><ul>{links}</ul>" if links else "")
            + '<p>All named queries are listed at <a href="/queries">/queries</a>.</p>')
    return HTMLResponse(document("Not found", html), status_code=404)


# -- the page ------------------------------------------------------------------------------------

def _answer_data(answer) -> dict:
    """The answer as SPARQL JSON (a CONSTRUCT's triples as a table of subject, predicate, object)."""
    if answer.kind == "graph":
        return json.loads(to_json(triples_table(answer.body)))
    return json.loads(answer.body)


def drawable(kind: str, data: dict) -> bool:
    """Whether `/explore` can draw the answer (the rule of `network.view_from_answer`): a CONSTRUCT
    with at least one triple, or a SELECT with at least two columns that are bound in some row and
    only ever to IRIs."""
    if kind == "graph":
        return bool(data["results"]["bindings"])
    if kind != "solutions":
        return False
    rows = data["results"]["bindings"]
    iri_columns = [c for c in data["head"]["vars"]
                   if any(c in row for row in rows) and all(row[c]["type"] == "uri" for row in rows if c in row)]
    return len(iri_columns) >= 2


def _results_html(kind: str, data: dict, cites: Citations | None = None) -> str:
    """The answer as a reader's table (`query.answers.shape`): labels linked to their pages, one row per
    finding with its sources as citations, statuses as words with marks; a CONSTRUCT's triples as they are."""
    if kind == "boolean":
        return f"<p>Answer: <strong>{'yes' if data.get('boolean') else 'no'}</strong></p>"
    table = from_sparql_json(data)
    if kind == "graph":
        answer = shape(Table(table.columns, table.rows))
    else:
        answer = shape(table)
    noun = "triple" if kind == "graph" else "row"
    n = len(answer.rows)
    merged = (f" ({answer.source_rows} rows of the query, merged where only the sources differ)"
              if answer.merged else "")
    out = [f"<p>{n} {noun}{'s' if n != 1 else ''}{merged}.</p>"]
    if any(c.kind == "status" for c in answer.columns):
        out.append(status_legend())
    out.append(answer_html(answer, cites))
    return "\n".join(out)


def render_query_page(query: NamedQuery, values: dict[str, str], answer=None, error: CrmgraphError | None = None,
                      cites: Citations | None = None) -> str:
    """A named query's page: title, description, a GET form for its parameters, results or error, SPARQL."""
    current = {p.name: values.get(p.name, p.default or "") for p in query.parameters}
    path = f"/queries/{query.name}"
    qs = urlencode({k: v for k, v in current.items() if v != ""})
    suffix = f"?{qs}" if qs else ""
    out = [f"<h1>{escape(query.title)}</h1>", f'<p class="iri">{escape(query.name)}</p>',
           f"<p>{escape(query.description)}</p>",
           f'<form method="get" action="{escape(path)}">']
    for p in query.parameters:
        field_id = f"param-{p.name}"
        out.append(f'<label for="{escape(field_id)}"><code>{escape(p.name)}</code> '
                   f'<span class="status">{escape(p.type)}{"" if p.default is not None else " (required)"}</span> '
                   f'<input type="text" id="{escape(field_id)}" name="{escape(p.name)}" '
                   f'value="{escape(current[p.name])}" placeholder="{escape(p.default or "")}"> '
                   f'<span class="status">{escape(p.description)}</span></label>')
    out.append('<button type="submit">Run</button></form>')
    if error is not None:
        out.append(f'<p class="error">{escape(error.message)}'
                   + (f"<br>{escape(error.hint)}" if error.hint else "") + "</p>")
    if answer is not None:
        data = _answer_data(answer)
        links = [f'<a href="{escape(path + ".csv" + suffix)}">CSV</a>',
                 f'<a href="{escape(path + ".json" + suffix)}">JSON</a>']
        if answer.kind == "graph":
            links += [f'<a href="{escape(path + "." + ext + suffix)}">{label}</a>'
                      for ext, label in GRAPH_DOWNLOADS.items()]
        links.append(f'<a href="{escape(path + suffix)}">link to these results</a>')
        if drawable(answer.kind, data) and not EXPLORE_OWN & set(current):
            explore = "/explore?" + urlencode({"query": query.name, **{k: v for k, v in current.items() if v != ""}})
            links.append(f'<a class="network-link" href="{escape(explore)}">view as a network</a>')
        out.append(f'<p>Download: {" · ".join(links)}</p>')
        out.append("<h2>Results</h2>" + _results_html(answer.kind, data, cites))
    # the SPARQL one click away, with how it finds the answer in the graph's terms (classes, properties)
    out.append('<details class="sparql" id="sparql"><summary>How it works: the SPARQL query</summary>'
               + (f'<p class="how">{escape(query.how)}</p>' if query.how else "")
               + f"<pre>{escape(query.sparql)}</pre></details>")
    head = (f'<link rel="alternate" type="application/sparql-results+json" href="{escape(path + ".json" + suffix)}">'
            f'<link rel="alternate" type="text/csv" href="{escape(path + ".csv" + suffix)}">')
    return document(query.title, "\n".join(out), head=head)
