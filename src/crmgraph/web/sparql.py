"""The SPARQL 1.1 Protocol endpoint (`/sparql`) and its service description.

    GET  /sparql?query=…                           a query in the URL
    POST /sparql  query=… (form-urlencoded)        a query in a form
    POST /sparql  application/sparql-query body    a query as the body
    GET  /sparql                                   the service description (SD vocabulary; Turtle by default)

The dataset: without `default-graph-uri` / `named-graph-uri` and without FROM / FROM NAMED, the default
graph is the union of the named graphs. FROM / FROM NAMED in the query select graphs; the protocol's
`default-graph-uri` / `named-graph-uri` take precedence over them (SPARQL 1.1 Protocol §2.1.4); a graph
IRI that is not in the store is an empty graph. Relative IRIs in a query are resolved against the
endpoint's URL (its base IRI). Answers are written in the format the request asks for — the `format`
(or `output`, `results`) parameter if there is one (an unknown name is a 400), else the Accept header:
SPARQL JSON, XML, CSV or TSV for SELECT/ASK; Turtle, N-Triples, JSON-LD, RDF/XML or N3 for
CONSTRUCT/DESCRIBE. Updates, LOAD and SERVICE are refused (403); the limits come from the pool
(web/sandbox.py): the time limit, counted from the request's arrival (503), the row cap (422), the byte
cap (413), the memory limit (503), and the fair queue (503 with Retry-After when full). HEAD answers as
GET does, without the body.
"""
from __future__ import annotations

import time
from urllib.parse import parse_qsl

import pyoxigraph as ox
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


_SHORT_SOLUTION_NAMES = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv"}
_SHORT_GRAPH_NAMES = {
    "turtle": "turtle", "ttl": "turtle", "nt": "ntriples", "ntriples": "ntriples", "n-triples": "ntriples",
    "json-ld": "jsonld", "jsonld": "jsonld", "json": "jsonld", "xml": "rdfxml", "rdf+xml": "rdfxml", "rdfxml": "rdfxml",
    "rdf": "rdfxml", "n3": "n3"}
_SOLUTION_NAMES = _names(_SOLUTION_MEDIA, _SHORT_SOLUTION_NAMES)
_GRAPH_NAMES = _names(_GRAPH_MEDIA, _SHORT_GRAPH_NAMES)

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
    """The format the client wants most (ties go to the server's order); None if it accepts none.

    A wildcard range (`text/*`, `*/*`) matches a format by the media type it is served as; an alias
    (`text/xml` for SPARQL XML) counts only when the client lists it — else `Accept: text/*` would get
    `application/sparql-results+xml`, a type the client never accepted."""
    best, best_q = None, 0.0
    for fmt, types in media.items():
        q = max([_quality(types[0], ranges)] + [rq for r, rq in ranges if r in types[1:]])
        if q > best_q:
            best, best_q = fmt, q
    return best


def negotiate(accept: str | None, format_param: str | None = None) -> Formats:
    """The format for each kind of answer: the `format` parameter if given, else the Accept header.

    A `format` naming no format at all is a 400 (never a silent fall-back); one naming a format for
    one kind of answer only (`csv` for a CONSTRUCT) leaves the other kind with none, so such a query
    is answered 406."""
    if format_param is not None and format_param.strip():
        name = format_param.strip().lower()
        solutions, graph = _SOLUTION_NAMES.get(name), _GRAPH_NAMES.get(name)
        if solutions is None and graph is None:
            raise ProtocolError(f"unknown format {format_param!r}",
                                hint="use one of: " + ", ".join(sorted({*_SHORT_SOLUTION_NAMES, *_SHORT_GRAPH_NAMES}))
                                     + ", or a media type; or leave `format` out and send an Accept header")
        return {"solutions": solutions, "boolean": solutions, "graph": graph}
    ranges = parse_accept(accept)
    solutions = choose(_SOLUTION_MEDIA, ranges)
    return {"solutions": solutions, "boolean": solutions, "graph": choose(_GRAPH_MEDIA, ranges)}


def protocol_dataset(params: dict[str, list[str]]) -> tuple[list[str], list[str]] | None:
    """The RDF dataset the request names with `default-graph-uri` / `named-graph-uri` (None if neither);
    each must be an absolute IRI (400 otherwise)."""
    default, named = params.get("default-graph-uri", []), params.get("named-graph-uri", [])
    if not default and not named:
        return None
    for iri in default + named:
        try:
            ox.NamedNode(iri)
        except ValueError as exc:
            raise ProtocolError(f"default-graph-uri / named-graph-uri {iri!r} is not an absolute IRI: {exc}",
                                hint="give graph names as full IRIs, e.g. https://w3id.org/crmgraph/graph/asserted") from None
        if ":" not in iri:
            raise ProtocolError(f"default-graph-uri / named-graph-uri {iri!r} is not an absolute IRI",
                                hint="give graph names as full IRIs, e.g. https://w3id.org/crmgraph/graph/asserted")
    return default, named


def endpoint_iri(request: Request) -> str:
    """The endpoint's own URL (no query string): the base IRI of its queries and the service's name."""
    return str(request.url.replace(query="", fragment="")).rstrip("?")


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
    """SPARQL 1.1 Protocol: one query per request, answered by a worker of the app's query pool, within
    one time budget from the request's arrival (clients.request_arrival: reading it, waiting for an identical
    request's cached answer and waiting in the pool's queue all count)."""
    budget = request.app.state.pool.budget()
    params = await protocol_parameters(request)
    if "update" in params:
        raise _update_refused()
    queries = params.get("query", [])
    format_param = next((params[k][0] for k in ("format", "output", "results") if params.get(k)), None)
    if not queries:
        if request.method in ("GET", "HEAD"):
            return service_description(request, format_param)
        raise ProtocolError("no query in the request",
                            hint="send the query as the form field `query`, or as the body with Content-Type application/sparql-query")
    if len(queries) > 1:
        raise ProtocolError(f"the request has {len(queries)} queries; send exactly one")
    formats = negotiate(request.headers.get("accept"), format_param)
    dataset = protocol_dataset(params)
    started = time.perf_counter()
    answer = await request.app.state.pool.arun(queries[0], formats, budget, base_iri=endpoint_iri(request), dataset=dataset)
    total_ms = (time.perf_counter() - started) * 1000
    return Response(answer.body, media_type=answer.media_type, headers={
        "Vary": "Accept",
        "Server-Timing": f"query;dur={answer.seconds * 1000:.2f}, total;dur={total_ms:.2f}",
        "X-Crmgraph-Rows": str(answer.rows),
    })


def service_description(request: Request, format_param: str | None = None) -> Response:
    """What this endpoint is (SPARQL 1.1 Service Description): language, formats, dataset, limits."""
    endpoint = ox.NamedNode(endpoint_iri(request))
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
            f"Read-only: SPARQL Update, LOAD and SERVICE are refused. A query is stopped after {limits.timeout_s:g} s, "
            f"waiting for a worker included, or when it needs more than {limits.max_memory_mb} MB of memory; an answer "
            f"with more than {limits.max_rows} rows (or triples) or {limits.max_answer_mb:g} MB is refused, never cut short. "
            f"One client runs at most {limits.client_cap} queries at once. "
            "Without FROM, FROM NAMED, default-graph-uri or named-graph-uri, the default graph is the union of the "
            "named graphs; those, when given, select the dataset (the protocol's parameters take precedence). "
            "Relative IRIs are resolved against the endpoint's URL. "
            "The prefixes declared with sh:declare are predeclared in every query.", language="en")),
        ox.Triple(endpoint, sd("defaultDataset"), dataset),
        ox.Triple(dataset, ox.NamedNode(RDF + "type"), sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, ox.NamedNode(RDF + "type"), sd("Graph")),
    ]
    triples += [ox.Triple(endpoint, sd("resultFormat"), ox.NamedNode(FORMATS_NS + f)) for f in _SD_RESULT_FORMATS]
    triples += _prefix_declarations(endpoint)
    for graph in NAMED_GRAPHS:
        named = ox.BlankNode()
        triples += [ox.Triple(dataset, sd("namedGraph"), named),
                    ox.Triple(named, ox.NamedNode(RDF + "type"), sd("NamedGraph")),
                    ox.Triple(named, sd("name"), ox.NamedNode(graph))]
    fmt = negotiate(request.headers.get("accept"), format_param)["graph"] or "turtle"
    prefixes = {"sd": SD, "formats": FORMATS_NS, "dcterms": DCTERMS, "rdfs": RDFS, "sh": SH, "graph": PREFIXES["graph"]}
    return Response(write_answer(triples, fmt, prefixes=prefixes), media_type=media_type(fmt), headers={"Vary": "Accept"})


SH = "http://www.w3.org/ns/shacl#"
XSD_ANY_URI = ox.NamedNode("http://www.w3.org/2001/XMLSchema#anyURI")


def _prefix_declarations(endpoint: ox.NamedNode) -> list[ox.Triple]:
    """The predeclared prefixes, machine-readable: `endpoint sh:declare [ sh:prefix "crm" ;
    sh:namespace "…"^^xsd:anyURI ]` for each (the SHACL vocabulary for prefix declarations)."""
    triples = []
    for prefix, namespace in PREFIXES.items():
        declaration = ox.BlankNode()
        triples += [ox.Triple(endpoint, ox.NamedNode(SH + "declare"), declaration),
                    ox.Triple(declaration, ox.NamedNode(SH + "prefix"), ox.Literal(prefix)),
                    ox.Triple(declaration, ox.NamedNode(SH + "namespace"), ox.Literal(namespace, datatype=XSD_ANY_URI))]
    return triples
