"""Read access by the SPARQL 1.1 Graph Store HTTP Protocol: `/store` (indirect graph identification).

    GET /store?graph=IRI    one named graph            Turtle, N-Triples, RDF/XML, JSON-LD, N3, or N-Quads/TriG
    GET /store?default      the default graph          (the union of the named graphs, as /sparql sees it)
    GET /store              the whole dataset          N-Quads (default) or TriG

The format is chosen by the Accept header (or `?format=nt|ttl|rdf|jsonld|nq|trig`). This is a dump, so
there is no row cap — and it is streamed, never built in memory: pyoxigraph serialises the store's
quads straight into a writer (`_QueueWriter`) in a worker thread, and the response sends what it wrote
in ~64 KiB pieces as they come (a bounded queue: a slow client slows the serialiser down, it does not
fill the memory). A client that hangs up stops the serialiser at its next write.

A triple held in two named graphs comes twice in the default graph's stream; RDF parsers read a graph
as a set, so it counts once. Writes (PUT, POST, DELETE, PATCH) are refused with 405: the store is built
from `graph/` by `crmgraph build`, never edited over HTTP.
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from ..query.results import MEDIA_TYPES
from .sparql import choose, parse_accept

#: Formats of one graph, in the server's order (Turtle for */*): name → (pyoxigraph format, media types).
GRAPH_FORMATS = {
    "turtle": (ox.RdfFormat.TURTLE, MEDIA_TYPES["turtle"]),
    "ntriples": (ox.RdfFormat.N_TRIPLES, MEDIA_TYPES["ntriples"]),
    "rdfxml": (ox.RdfFormat.RDF_XML, MEDIA_TYPES["rdfxml"]),
    "jsonld": (ox.RdfFormat.JSON_LD, MEDIA_TYPES["jsonld"]),
    "n3": (ox.RdfFormat.N3, MEDIA_TYPES["n3"]),
}
#: Formats of quads (the whole dataset, or a graph with its name), N-Quads first.
DATASET_FORMATS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "nquads": (ox.RdfFormat.N_QUADS, ("application/n-quads",)),
    "trig": (ox.RdfFormat.TRIG, ("application/trig",)),
}
#: `?format=` short names.
FORMAT_NAMES = {"ttl": "turtle", "turtle": "turtle", "nt": "ntriples", "ntriples": "ntriples", "rdf": "rdfxml",
                "xml": "rdfxml", "rdfxml": "rdfxml", "jsonld": "jsonld", "n3": "n3", "nq": "nquads",
                "nquads": "nquads", "trig": "trig"}
#: Bytes per piece sent to the client.
CHUNK = 64 * 1024
#: Pieces waiting in memory at most (so at most ~1 MiB per download).
QUEUE_PIECES = 16


class _Closed(Exception):
    """The client went away: stop serialising."""


class _QueueWriter:
    """A file-like object for `pyoxigraph.serialize`: collects what it writes into CHUNK-sized pieces on a
    bounded queue; `close()` from the reader's side makes the next write raise, which ends the serialiser."""

    def __init__(self) -> None:
        self.pieces: queue.Queue = queue.Queue(maxsize=QUEUE_PIECES)
        self.buffer = bytearray()
        self.closed = threading.Event()

    def write(self, data: bytes) -> int:
        if self.closed.is_set():
            raise _Closed()
        self.buffer += data
        if len(self.buffer) >= CHUNK:
            self._put(bytes(self.buffer))
            self.buffer.clear()
        return len(data)

    def flush(self) -> None:
        pass

    def _put(self, item) -> None:
        while not self.closed.is_set():
            try:
                self.pieces.put(item, timeout=0.5)
                return
            except queue.Full:
                continue
        raise _Closed()

    def finish(self, error: BaseException | None = None) -> None:
        if self.buffer and error is None:
            self._put(bytes(self.buffer))
        self._put(error or StopIteration())


def stream(items, fmt: ox.RdfFormat) -> Iterator[bytes]:
    """Serialise `items()` (an iterator of quads or triples, made in the worker thread that reads it) in a
    worker thread; yield the bytes as they come."""
    writer = _QueueWriter()

    def run() -> None:
        try:
            ox.serialize(items(), output=writer, format=fmt)
        except _Closed:
            return
        except BaseException as exc:  # noqa: BLE001 - handed to the reader, which ends the response
            try:
                writer.finish(exc)
            except _Closed:
                pass
            return
        try:
            writer.finish()
        except _Closed:
            pass

    thread = threading.Thread(target=run, name="graph-store-dump", daemon=True)
    thread.start()
    try:
        while True:
            piece = writer.pieces.get()
            if isinstance(piece, StopIteration):
                return
            if isinstance(piece, BaseException):
                raise piece
            yield piece
    finally:
        writer.closed.set()


def _choose(request: Request, formats: dict) -> str | None:
    name = FORMAT_NAMES.get((request.query_params.get("format") or "").strip().lower())
    if name in formats:
        return name
    return choose({k: v[1] for k, v in formats.items()}, parse_accept(request.headers.get("accept")))


def _not_acceptable(formats: dict) -> Response:
    types = ", ".join(t for _, types in formats.values() for t in types)
    return PlainTextResponse(f"not acceptable: this resource is available as {types} (or ?format=…)\n", status_code=406)


async def graph_store(request: Request) -> Response:
    """`GET /store[?graph=IRI | ?default]`: a named graph, the default graph or the whole dataset, streamed."""
    raw = request.app.state.entity_store.raw
    params = request.query_params
    graph = params.get("graph")
    if graph is not None and "default" in params:
        return PlainTextResponse("give either ?graph=IRI or ?default, not both\n", status_code=400)
    if graph is None and "default" not in params:
        formats = DATASET_FORMATS
        source = lambda: raw.quads_for_pattern(None, None, None, None)  # noqa: E731
        what = "dataset"
    else:
        formats = {**GRAPH_FORMATS, **DATASET_FORMATS}
        if graph is not None:
            try:
                node = ox.NamedNode(graph)
            except ValueError:
                return PlainTextResponse(f"not an IRI: {graph!r}\n", status_code=400)
            if not raw.contains_named_graph(node):
                names = ", ".join(sorted(g.value for g in raw.named_graphs()))
                return PlainTextResponse(f"no graph <{graph}> in this store; its graphs are: {names}\n", status_code=404)
            pattern = (None, None, None, node)
            what = graph
        else:
            pattern = (None, None, None, None)  # the default graph is the union of the named graphs
            what = "default graph (union of the named graphs)"
        source = lambda: raw.quads_for_pattern(*pattern)  # noqa: E731
    fmt = _choose(request, formats)
    if fmt is None:
        return _not_acceptable(formats)
    rdf_format, media = formats[fmt]
    quads = fmt in DATASET_FORMATS
    items = source if quads else (lambda: (q.triple for q in source()))
    headers = {"Vary": "Accept", "X-Graph": what.encode("ascii", "backslashreplace").decode("ascii")}
    return StreamingResponse(stream(items, rdf_format), media_type=media[0], headers=headers)


async def refuse_write(request: Request) -> Response:
    """PUT/POST/DELETE/PATCH on /store: refused — the store is built from graph/, not edited over HTTP."""
    return PlainTextResponse("the graph store is read-only: edit graph/ and run `crmgraph build`\n", status_code=405,
                             headers={"Allow": "GET"})
