"""A SPARQL 1.1 server as a store: queries over the SPARQL Protocol, loads over the Graph Store
Protocol. Tested against the Oxigraph server and Virtuoso.

Errors never hang (every request has a timeout) and never pass silently: an unreachable server,
an HTTP error, a refused credential and a result the server truncated (Virtuoso's
ResultSetMaxRows) each raise a clear StoreError or QueryError. Credentials come from the
constructor or from $CRMGRAPH_ENDPOINT_USER / $CRMGRAPH_ENDPOINT_PASSWORD and are never logged.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Iterable
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox

from ..errors import QueryError, StoreError
from ..namespaces import sparql_prologue

_PROLOGUE = sparql_prologue()
_PROLOGUE_LINES = _PROLOGUE.count("\n")
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
                 timeout: float = 30.0, digest: bool | None = None) -> None:
        self.endpoint = Endpoint.guess(endpoint) if isinstance(endpoint, str) else endpoint
        user = user if user is not None else os.environ.get("CRMGRAPH_ENDPOINT_USER")
        password = password if password is not None else os.environ.get("CRMGRAPH_ENDPOINT_PASSWORD")
        auth = None
        if user is not None:
            use_digest = digest if digest is not None else self.endpoint.kind == "virtuoso"
            auth = httpx.DigestAuth(user, password or "") if use_digest else httpx.BasicAuth(user, password or "")
        self._client = httpx.Client(timeout=timeout, auth=auth, follow_redirects=True,
                                    headers={"User-Agent": "crmgraph"})

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
        if form in ("CONSTRUCT", "DESCRIBE"):
            ctype = response.headers.get("content-type", "")
            fmt = ox.RdfFormat.TURTLE if "turtle" in ctype else ox.RdfFormat.N_TRIPLES
            return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, format=fmt)]
        if b'"bnode"' in body:
            body = _valid_blank_node_ids(body)
        try:
            return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        except (SyntaxError, ValueError) as exc:
            raise QueryError(f"the server's answer is not SPARQL JSON results: {exc}") from exc

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
        try:
            return self._client.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise StoreError(f"{url} did not answer within {self._client.timeout.read} s",
                             hint="is the server overloaded? raise the timeout, or simplify the query") from exc
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach {url}: {exc.__class__.__name__}: {exc}",
                             hint="is the server running, and is the URL right?") from exc

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
