"""A SPARQL 1.1 server as a store: queries over the SPARQL Protocol, loads over the Graph Store
Protocol. Tested against the Oxigraph server and Virtuoso.

Errors never hang and never pass silently. Every request has one overall deadline (`timeout` seconds
for the whole exchange: connecting, sending, the status line, headers and body), not a per-read
timeout that a server trickling a byte every few seconds could stretch forever: each socket operation
waits at most until the deadline (`_DeadlineBackend`, a network backend of httpcore under httpx). An
unreachable server, an HTTP error, a refused credential, an answer in a type that is not the one asked
for (an HTML page instead of RDF) and a result the server truncated (Virtuoso's ResultSetMaxRows) each
raise a clear StoreError or QueryError naming the endpoint. Credentials come from the constructor or
from $CRMGRAPH_ENDPOINT_USER / $CRMGRAPH_ENDPOINT_PASSWORD and are never logged.
"""
from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass
from typing import Iterable
from urllib.parse import urlsplit

import httpcore
import httpx
import pyoxigraph as ox

from ..errors import QueryError, StoreError
from ..namespaces import sparql_prologue

_PROLOGUE = sparql_prologue()
_PROLOGUE_LINES = _PROLOGUE.count("\n")
#: Longest a whole request to a server may take by default (seconds; `--timeout-s` on the command line).
DEFAULT_TIMEOUT_S = 30.0
#: The RDF types a CONSTRUCT/DESCRIBE answer may come in, and how to read each.
_RDF_TYPES = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/plain": ox.RdfFormat.N_TRIPLES,
              "text/ntriples": ox.RdfFormat.N_TRIPLES, "application/ntriples": ox.RdfFormat.N_TRIPLES,
              "text/turtle": ox.RdfFormat.TURTLE, "application/x-turtle": ox.RdfFormat.TURTLE,
              "application/rdf+xml": ox.RdfFormat.RDF_XML}
_RESULTS_TYPES = ("application/sparql-results+json", "application/json")
_FORM = re.compile(r"^\s*(?:(?:PREFIX|BASE)\b[^\n]*\n|#[^\n]*\n|\s)*\s*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Endpoint:
    """Where a server answers: its query URL, and (for writes) its Graph Store Protocol URL."""

    query_url: str
    store_url: str | None = None
    graph_param: str = "graph"  # Virtuoso's GSP calls it graph-uri
    kind: str = "generic"

    @classmethod
    def guess(cls, url: str) -> "Endpoint":
        """From a query URL: Oxigraph (`…/query`), Virtuoso (`…/sparql`), else a plain endpoint."""
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        if parts.path.rstrip("/").endswith("/query"):
            return cls(url, root + parts.path.rstrip("/")[: -len("/query")] + "/store", "graph", "oxigraph")
        if parts.path.rstrip("/").endswith("/sparql"):
            return cls(url, root + "/sparql-graph-crud-auth", "graph-uri", "virtuoso")
        return cls(url)


class RemoteStore:
    """The store interface over HTTP. Queries see the server's default graph, which must be the
    union of the named graphs (Oxigraph: `serve --union-default-graph`; Virtuoso does so by default)."""

    def __init__(self, endpoint: Endpoint | str, user: str | None = None, password: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT_S, digest: bool | None = None) -> None:
        if not timeout > 0:
            raise ValueError(f"timeout must be positive, got {timeout!r}")
        self.endpoint = Endpoint.guess(endpoint) if isinstance(endpoint, str) else endpoint
        self.timeout = timeout
        self._deadline = _Deadline()
        user = user if user is not None else os.environ.get("CRMGRAPH_ENDPOINT_USER")
        password = password if password is not None else os.environ.get("CRMGRAPH_ENDPOINT_PASSWORD")
        auth = None
        if user is not None:
            use_digest = digest if digest is not None else self.endpoint.kind == "virtuoso"
            auth = httpx.DigestAuth(user, password or "") if use_digest else httpx.BasicAuth(user, password or "")
        self._client = httpx.Client(timeout=timeout, auth=auth, follow_redirects=True,
                                    headers={"User-Agent": "crmgraph"}, transport=_DeadlineTransport(self._deadline))

    # -- reading
    def query(self, sparql: str, bindings: dict | None = None):
        if bindings:
            from ..query.named import inject_values

            sparql = inject_values(sparql, bindings)
        m = _FORM.match(sparql)
        form = m.group(1).upper() if m else "SELECT"
        accept = "application/n-triples" if form in ("CONSTRUCT", "DESCRIBE") else "application/sparql-results+json"
        response = self._send("POST", self.endpoint.query_url, data={"query": _PROLOGUE + sparql}, headers={"Accept": accept})
        if response.status_code == 400:
            raise QueryError(f"the server refused the query: {_shift(response.text.strip()[:500])}",
                             hint="check the query's syntax near that place")
        self._check(response, "query")
        self._check_truncation(response)
        body = response.content
        ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
        url = self.endpoint.query_url
        if form in ("CONSTRUCT", "DESCRIBE"):
            fmt = _RDF_TYPES.get(ctype)
            if fmt is None:
                raise QueryError(f"{url} answered a {form} with {ctype or 'no content type'}, not RDF "
                                 f"(asked for application/n-triples; {len(body):,} bytes, starting {body[:60]!r})",
                                 hint=_WRONG_TYPE_HINT)
            try:
                return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, format=fmt)]
            except (SyntaxError, ValueError) as exc:
                raise QueryError(f"{url} answered a {form} with {ctype} that does not parse: {exc}",
                                 hint=_WRONG_TYPE_HINT) from None
        if ctype and ctype not in _RESULTS_TYPES:
            raise QueryError(f"{url} answered a {form} with {ctype}, not SPARQL JSON results "
                             f"({len(body):,} bytes, starting {body[:60]!r})", hint=_WRONG_TYPE_HINT)
        if b'"bnode"' in body:
            body = _valid_blank_node_ids(body)
        try:
            return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        except (SyntaxError, ValueError) as exc:
            raise QueryError(f"the answer of {url} is not SPARQL JSON results: {exc}", hint=_WRONG_TYPE_HINT) from None

    def count(self, graph: str | None = None) -> int:
        q = (f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}" if graph
             else "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        for row in self.query(q):
            return int(row["n"].value)
        return 0

    # -- writing
    def replace_graph(self, graph: str, triples: Iterable[ox.Triple]) -> None:
        if not self.endpoint.store_url:
            raise StoreError(f"no Graph Store Protocol URL known for {self.endpoint.query_url}",
                             hint="pass the server's graph store URL (Oxigraph: …/store, Virtuoso: …/sparql-graph-crud-auth)")
        data = ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES)
        response = self._send("PUT", self.endpoint.store_url, params={self.endpoint.graph_param: graph},
                              content=data, headers={"Content-Type": "text/turtle" if self.endpoint.kind == "virtuoso" else "application/n-triples"})
        self._check(response, f"load of graph {graph}")

    def close(self) -> None:
        self._client.close()

    # -- plumbing
    def _send(self, method: str, url: str, **kwargs) -> httpx.Response:
        """One exchange with the server, all of it within `self.timeout` seconds."""
        self._deadline.set(self.timeout)
        try:
            return self._client.request(method, url, **kwargs)
        except httpx.TimeoutException:
            raise StoreError(f"{url} did not complete its answer within {self.timeout:g} s (the whole exchange: "
                             "connecting, sending the request, reading the answer)",
                             hint="is the server overloaded or the query heavy? simplify it, or raise the limit "
                                  "with --timeout-s") from None
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach {url}: {exc.__class__.__name__}: {exc}",
                             hint="is the server running, and is the URL right?") from exc
        finally:
            self._deadline.clear()

    def _check(self, response: httpx.Response, what: str) -> None:
        if response.status_code in (401, 403):
            raise StoreError(f"{what} refused by {response.request.url.copy_with(query=None)}: HTTP {response.status_code}",
                             hint="give credentials with --user/--password or $CRMGRAPH_ENDPOINT_USER / $CRMGRAPH_ENDPOINT_PASSWORD")
        if response.status_code >= 400:
            raise StoreError(f"{what} failed: HTTP {response.status_code} from {response.request.url.copy_with(query=None)}: "
                             f"{response.text.strip()[:300]}")

    def _check_truncation(self, response: httpx.Response) -> None:
        """Virtuoso cuts results at ResultSetMaxRows and says so only in a header: refuse the partial answer."""
        state = response.headers.get("X-SQL-State", "")
        limit = response.headers.get("X-SPARQL-MaxRows")
        if state == "S1TAT" or limit:
            raise QueryError(f"the server truncated the result (at most {limit or '?'} rows; {response.headers.get('X-SQL-Message', '').strip()})",
                             hint="add LIMIT/OFFSET paging, or raise ResultSetMaxRows in the server's [SPARQL] settings")


_WRONG_TYPE_HINT = ("is --endpoint the server's SPARQL query URL (Oxigraph: http://HOST:7878/query, Virtuoso: "
                    "http://HOST:8890/sparql), not a web page or a proxy's login page?")


# -- one deadline per exchange ---------------------------------------------------------------------

class _Deadline:
    """The deadline of the exchange the current thread is in (time.monotonic), if any."""

    def __init__(self) -> None:
        self._local = threading.local()

    def set(self, seconds: float) -> None:
        self._local.at = time.monotonic() + seconds

    def clear(self) -> None:
        self._local.at = None

    def cap(self, timeout: float | None, error: type[Exception]) -> float | None:
        """`timeout` shortened to the time left before the deadline; `error` once it has passed."""
        at = getattr(self._local, "at", None)
        if at is None:
            return timeout
        left = at - time.monotonic()
        if left <= 0:
            raise error("the request's deadline has passed")
        return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read and write waits at most until the exchange's deadline."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: _Deadline) -> None:
        self._stream, self._deadline = stream, deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadline.cap(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadline.cap(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname: str | None = None, timeout: float | None = None):
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname,
                                                      self._deadline.cap(timeout, httpcore.ConnectTimeout)), self._deadline)

    def get_extra_info(self, info: str):
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's synchronous sockets, each operation bounded by the exchange's deadline."""

    def __init__(self, deadline: _Deadline) -> None:
        self._backend, self._deadline = httpcore.SyncBackend(), deadline

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        stream = self._backend.connect_tcp(host, port, self._deadline.cap(timeout, httpcore.ConnectTimeout),
                                           local_address, socket_options)
        return _DeadlineStream(stream, self._deadline)

    def connect_unix_socket(self, path, timeout=None, socket_options=None):  # pragma: no cover - not used
        stream = self._backend.connect_unix_socket(path, self._deadline.cap(timeout, httpcore.ConnectTimeout), socket_options)
        return _DeadlineStream(stream, self._deadline)

    def sleep(self, seconds: float) -> None:  # pragma: no cover - retries are off
        self._backend.sleep(seconds)


class _DeadlineTransport(httpx.HTTPTransport):
    """httpx's own transport (its error mapping, keep-alive, TLS) over the deadline-bounded backend.
    httpx takes no network backend argument, so the connection pool is rebuilt with one."""

    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(), network_backend=_DeadlineBackend(deadline))


def _valid_blank_node_ids(body: bytes) -> bytes:
    """SPARQL JSON results with blank node labels that pyoxigraph accepts: Virtuoso writes them as
    `nodeID://b10001`, which is not a blank node label (pyoxigraph refuses the whole answer)."""
    import json
    import re

    data = json.loads(body)
    for row in data.get("results", {}).get("bindings", []):
        for term in row.values():
            if term.get("type") == "bnode":
                term["value"] = re.sub(r"[^A-Za-z0-9_]", "_", term["value"])
    return json.dumps(data).encode("utf-8")


def _shift(message: str) -> str:
    return re.sub(r"\bline (\d+)", lambda m: f"line {max(1, int(m.group(1)) - _PROLOGUE_LINES)}", message)
