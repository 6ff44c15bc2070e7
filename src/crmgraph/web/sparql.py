"""The SPARQL 1.1 Protocol endpoint (`/sparql`) and its service description.

    GET  /sparql?query=…                           a query in the URL
    POST /sparql  query=… (form-urlencoded)        a query in a form
    POST /sparql  application/sparql-query body    a query as the body
    GET  /sparql                                   the service description (SD vocabulary; Turtle by default)

`default-graph-uri` and `named-graph-uri` are accepted and ignored: the default graph is always the
union of the named graphs. Answers are written in the format the request asks for — the `format`
(or `output`, `results`) parameter if it names one, else the Accept header: SPARQL JSON, XML, CSV or
TSV for SELECT/ASK; Turtle, N-Triples, JSON-LD, RDF/XML or N3 for CONSTRUCT/DESCRIBE. Updates,
LOAD and SERVICE are refused (403); the time limit (503) and the row cap (422) come from the pool.
"""
from __future__ import annotations

import time
from urllib.parse import parse_qsl

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ..errors import ProtocolError, QueryRefused
from ..namespaces import DCTERMS, NAMED_GRAPHS, PREFIXES, RDF, RDFS
from ..query.results import GRAPH_FORMATS, SOLUTION_FORMATS, media_type, negotiation_table, write_answer
from .sandbox import Formats

#: Largest query body accepted (bytes).
MAX_QUERY_BYTES = 1_000_000

#: For each format: the media types that ask for it (the first is the one served), all of
#: results.MEDIA_TYPES — generic ones included, as a request here is always for a query's answer.
_SOLUTION_MEDIA = negotiation_table(SOLUTION_FORMATS)
_GRAPH_MEDIA = negotiation_table(GRAPH_FORMATS)


def _names(media: dict[str, tuple[str, ...]], short: dict[str, str]) -> dict[str, str]:
    """What a `format=` parameter may say for each format: short names (as Virtuoso, Fuseki and
    SPARQLWrapper send them) and the media types themselves."""
    return {**{t: fmt for fmt, types in media.items() for t in types}, **short}


_SOLUTION_NAMES = _names(_SOLUTION_MEDIA, {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv"})
_GRAPH_NAMES = _names(_GRAPH_MEDIA, {
    "turtle": "turtle", "ttl": "turtle", "nt": "ntriples", "ntriples": "ntriples", "n-triples": "ntriples",
    "json-ld": "jsonld", "jsonld": "jsonld", "json": "jsonld", "xml": "rdfxml", "rdf+xml": "rdfxml", "rdfxml": "rdfxml",
    "rdf": "rdfxml", "n3": "n3"})

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
_SD_RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                      "Turtle", "N-Triples", "JSON-LD", "RDF_XML", "N3")


# -- content negotiation -------------------------------------------------------------------------

def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """An Accept header as (media range, quality) pairs; no header means */*."""
    ranges = []
    for part in (header or "*/*").split(","):
        media, *params = part.split(";")
        media = media.strip().lower()
        if not media:
            continue
        q = 1.0
        for p in params:
            key, _, value = p.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((media, q))
    return ranges


def _quality(media: str, ranges: list[tuple[str, float]]) -> float:
    """How much the client wants `media`: the quality of the most specific range that matches it."""
    kind = media.split("/")[0]
    best, specificity = 0.0, -1
    for r, q in ranges:
        s = 2 if r == media else 1 if r == f"{kind}/*" else 0 if r == "*/*" else -1
        if s > specificity:
            best, specificity = q, s
    return best if specificity >= 0 else 0.0


def choose(media: dict[str, tuple[str, ...]], ranges: list[tuple[str, float]]) -> str | None:
    """The format the client wants most (ties go to the server's order); None if it accepts none."""
    best, best_q = None, 0.0
    for fmt, types in media.items():
        q = max(_quality(t, ranges) for t in types)
        if q > best_q:
            best, best_q = fmt, q
    return best


def negotiate(accept: str | None, format_param: str | None = None) -> Formats:
    """The format for each kind of answer: the `format` parameter where it names one, else the Accept header."""
    ranges = parse_accept(accept)
    name = (format_param or "").strip().lower()
    solutions = _SOLUTION_NAMES.get(name) or choose(_SOLUTION_MEDIA, ranges)
    graph = _GRAPH_NAMES.get(name) or choose(_GRAPH_MEDIA, ranges)
    return {"solutions": solutions, "boolean": solutions, "graph": graph}


# -- the request ---------------------------------------------------------------------------------

async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_QUERY_BYTES:
        raise _too_big()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_QUERY_BYTES:
            raise _too_big()
        chunks.append(chunk)
    return b"".join(chunks)


def _too_big() -> ProtocolError:
    return ProtocolError(f"the request body is larger than {MAX_QUERY_BYTES:,} bytes", status=413,
                         hint="send a shorter query")


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(f"the request body is not UTF-8: {exc}", hint="send the query encoded as UTF-8") from exc


async def protocol_parameters(request: Request) -> dict[str, list[str]]:
    """The SPARQL Protocol parameters of a request: URL parameters, plus a POSTed form or query body."""
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    if request.method != "POST":
        return params
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/sparql-update":
        raise _update_refused()
    if ctype not in ("application/x-www-form-urlencoded", "application/sparql-query"):
        raise ProtocolError(f"cannot read a POSTed {ctype or 'body without a Content-Type'}", status=415,
                            hint="POST the query as a form (application/x-www-form-urlencoded, field `query`) "
                                 "or as the body with Content-Type application/sparql-query")
    body = _decode(await _read_body(request))
    if ctype == "application/sparql-query":
        params["query"] = params.get("query", []) + [body]
    else:
        try:
            pairs = parse_qsl(body, keep_blank_values=True, encoding="utf-8", errors="strict")
        except (UnicodeDecodeError, ValueError) as exc:
            raise ProtocolError(f"the form is not valid UTF-8 form data: {exc}") from exc
        for key, value in pairs:
            params.setdefault(key, []).append(value)
    return params


def _update_refused() -> QueryRefused:
    return QueryRefused("SPARQL Update is not accepted: this endpoint is read-only",
                        hint="only SELECT, ASK, CONSTRUCT and DESCRIBE queries can be run here; "
                             "change the data in graph/ and run `crmgraph build`")


# -- the endpoint --------------------------------------------------------------------------------

async def sparql_endpoint(request: Request) -> Response:
    """SPARQL 1.1 Protocol: one query per request, answered by a worker of the app's query pool."""
    params = await protocol_parameters(request)
    if "update" in params:
        raise _update_refused()
    queries = params.get("query", [])
    format_param = next((params[k][0] for k in ("format", "output", "results") if params.get(k)), None)
    if not queries:
        if request.method == "GET":
            return service_description(request, format_param)
        raise ProtocolError("no query in the request",
                            hint="send the query as the form field `query`, or as the body with Content-Type application/sparql-query")
    if len(queries) > 1:
        raise ProtocolError(f"the request has {len(queries)} queries; send exactly one")
    formats = negotiate(request.headers.get("accept"), format_param)
    started = time.perf_counter()
    answer = await run_in_threadpool(request.app.state.pool.run, queries[0], formats)
    total_ms = (time.perf_counter() - started) * 1000
    return Response(answer.body, media_type=answer.media_type, headers={
        "Vary": "Accept",
        "Server-Timing": f"query;dur={answer.seconds * 1000:.2f}, total;dur={total_ms:.2f}",
        "X-Crmgraph-Rows": str(answer.rows),
    })


def service_description(request: Request, format_param: str | None = None) -> Response:
    """What this endpoint is (SPARQL 1.1 Service Description): language, formats, dataset, limits."""
    endpoint = ox.NamedNode(str(request.url.replace(query="", fragment="")).rstrip("?"))
    limits = request.app.state.limits

    def sd(term: str) -> ox.NamedNode:
        return ox.NamedNode(SD + term)

    dataset, default_graph = ox.BlankNode(), ox.BlankNode()
    triples = [
        ox.Triple(endpoint, ox.NamedNode(RDF + "type"), sd("Service")),
        ox.Triple(endpoint, sd("endpoint"), endpoint),
        ox.Triple(endpoint, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(endpoint, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(endpoint, ox.NamedNode(DCTERMS + "title"), ox.Literal("crmgraph SPARQL endpoint (read-only)", language="en")),
        ox.Triple(endpoint, ox.NamedNode(RDFS + "comment"), ox.Literal(
            f"Read-only: SPARQL Update, LOAD and SERVICE are refused. A query is stopped after {limits.timeout_s:g} s; "
            f"an answer with more than {limits.max_rows} rows (or triples) is refused, never cut short. "
            "The default graph is the union of the named graphs; default-graph-uri and named-graph-uri are ignored. "
            "Prefixes crm:, id:, mat:, country:, inst:, src: and others are predeclared.", language="en")),
        ox.Triple(endpoint, sd("defaultDataset"), dataset),
        ox.Triple(dataset, ox.NamedNode(RDF + "type"), sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, ox.NamedNode(RDF + "type"), sd("Graph")),
    ]
    triples += [ox.Triple(endpoint, sd("resultFormat"), ox.NamedNode(FORMATS_NS + f)) for f in _SD_RESULT_FORMATS]
    for graph in NAMED_GRAPHS:
        named = ox.BlankNode()
        triples += [ox.Triple(dataset, sd("namedGraph"), named),
                    ox.Triple(named, ox.NamedNode(RDF + "type"), sd("NamedGraph")),
                    ox.Triple(named, sd("name"), ox.NamedNode(graph))]
    fmt = negotiate(request.headers.get("accept"), format_param)["graph"] or "turtle"
    prefixes = {"sd": SD, "formats": FORMATS_NS, "dcterms": DCTERMS, "rdfs": RDFS, "graph": PREFIXES["graph"]}
    return Response(write_answer(triples, fmt, prefixes=prefixes), media_type=media_type(fmt), headers={"Vary": "Accept"})
