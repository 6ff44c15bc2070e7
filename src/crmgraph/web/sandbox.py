"""Running SPARQL from strangers: read-only, with a time limit and a row cap that really hold.

    check_read_only(sparql)      refuses SPARQL Update, LOAD … and SERVICE before anything runs
    QueryPool(store_path, limits)
      .start()                   N worker processes, each with the store opened read-only
      .run(sparql, formats)      one query in an idle worker → Answer(body bytes, media type, rows)
      .close()

A pyoxigraph query cannot be cancelled from Python, so each query runs in a worker *process*: the
caller waits at most `limits.timeout_s`; past it the worker is killed (SIGKILL), the caller gets
`QueryTimeout`, and a fresh worker is started in the background while the other workers keep
answering. The worker writes the answer in the requested format itself (results.write_answer), so
only bytes cross the pipe. An answer with more than `limits.max_rows` rows (or triples) is refused
with `ResultTooLarge` — never cut short silently: the worker stops reading at row max_rows + 1.

Workers are started with the `forkserver` method (cheap to replace, no fork of a threaded server).
"""
from __future__ import annotations

import multiprocessing
import os
import queue
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .. import errors
from ..errors import CrmgraphError, QueryRefused, QueryTimeout, ResultTooLarge, ServerBusy, StoreError

# -- read-only check -----------------------------------------------------------------------------

#: The first keyword of every SPARQL 1.1 Update operation.
UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}

# One SPARQL token at a time, following the grammar's terminals for what can hide a keyword:
# strings (short and long, with escapes), IRI references (no space, brace, quote or '<' inside),
# comments (to the end of the line), variables and prefixed names (whose parts never count as keywords).
_TOKEN = re.compile(r'''
    (?P<space>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
              |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][^\s(){}\[\],;.<>=!&|+*/"'^#-]*)
  | (?P<pname>(?:[^\W\d][\w.-]*)?:(?:[\w.:%-]|\\.)*)
  | (?P<word>[^\W\d]\w*)
  | (?P<other>.)
''', re.VERBOSE | re.DOTALL)
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def keywords(sparql: str) -> list[str]:
    """The bare words of a query (keywords, function names), upper-cased, in order — never a word
    inside a string, an IRI, a comment, a variable or a prefixed name."""
    text = _CODEPOINT.sub(lambda m: _char(m.group(1) or m.group(2)), sparql)
    return [m.group().upper() for m in _TOKEN.finditer(text) if m.lastgroup == "word"]


def _char(hex_digits: str) -> str:
    try:
        return chr(int(hex_digits, 16))
    except (ValueError, OverflowError):
        return "\ufffd"


def check_read_only(sparql: str) -> None:
    """Raise QueryRefused for SPARQL Update (INSERT, DELETE, LOAD, CLEAR …) and for SERVICE, which
    would make this machine call another server. Anything else is left to the SPARQL parser."""
    words = keywords(sparql)
    first = next((w for w in words if w not in ("PREFIX", "BASE")), "")
    if first in UPDATE_KEYWORDS:
        raise QueryRefused(f"SPARQL Update ({first}) is not accepted: this endpoint is read-only",
                           hint="only SELECT, ASK, CONSTRUCT and DESCRIBE queries can be run here; "
                                "change the data in graph/ and run `crmgraph build`")
    if "SERVICE" in words:
        raise QueryRefused("SERVICE (federated query) is not accepted: this endpoint does not call other servers",
                           hint="run the part for the other server there, and join the answers yourself")


# -- limits and answers --------------------------------------------------------------------------

@dataclass(frozen=True)
class Limits:
    """How long a query may run, how many rows (or triples) it may return, how many run at once."""

    timeout_s: float = 10.0
    max_rows: int = 10_000
    workers: int = 2

    def __post_init__(self) -> None:
        if not self.timeout_s > 0:
            raise ValueError(f"timeout_s must be positive, got {self.timeout_s!r}")
        if self.max_rows < 1:
            raise ValueError(f"max_rows must be at least 1, got {self.max_rows!r}")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers!r}")


@dataclass(frozen=True)
class Answer:
    """A query's answer, already written in the format asked for."""

    body: bytes
    media_type: str
    kind: str        # "solutions", "boolean" or "graph"
    rows: int        # rows, triples, or 1 for a boolean
    seconds: float   # evaluation + writing, measured in the worker


#: Which format (of results.SOLUTION_FORMATS / GRAPH_FORMATS) to write each kind of answer in;
#: None where the client accepts no format for that kind.
Formats = dict[str, "str | None"]
DEFAULT_FORMATS: Formats = {"solutions": "json", "boolean": "json", "graph": "turtle"}


# -- the worker process --------------------------------------------------------------------------

def _serve(store_path: str, conn) -> None:  # pragma: no cover - runs in the worker process
    """A worker's life: open the store read-only, then answer requests until the pipe closes."""
    from ..store.embedded import OxigraphStore

    try:
        store = OxigraphStore(Path(store_path), read_only=True)
    except CrmgraphError as exc:
        conn.send(("error", type(exc).__name__, exc.message, exc.hint, None))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        conn.send(_answer(store, *request))


def _answer(store, sparql: str, formats: Formats, max_rows: int, options: dict | None = None) -> tuple:
    from ..namespaces import PREFIXES
    from ..query.results import Table, media_type, write_answer

    started = time.perf_counter()
    try:
        raw = store.query(sparql, **(options or {}))
        kind = ("boolean" if isinstance(raw, ox.QueryBoolean) else
                "solutions" if isinstance(raw, ox.QuerySolutions) else "graph")
        fmt = formats.get(kind)
        if fmt is None:
            raise errors.NotAcceptable(f"this query gives {_KIND_NAMES[kind]}, and the request accepts no format for that",
                                       hint=_FORMAT_HINTS[kind])
        try:
            if kind == "boolean":
                answer, rows = bool(raw), 1
            elif kind == "solutions":
                columns = [v.value for v in raw.variables]
                table = Table(columns, [])
                for solution in raw:
                    if len(table.rows) == max_rows:
                        raise _too_large(max_rows, "rows")
                    table.rows.append([solution[c] for c in columns])
                answer, rows = table, len(table.rows)
            else:
                triples = []
                for triple in raw:
                    if len(triples) == max_rows:
                        raise _too_large(max_rows, "triples")
                    triples.append(triple)
                answer, rows = triples, len(triples)
        except (OSError, RuntimeError, ValueError) as exc:
            raise errors.QueryError(f"the query failed: {exc}") from exc
        body = write_answer(answer, fmt, prefixes=PREFIXES)
        return ("ok", body, media_type(fmt), kind, rows, time.perf_counter() - started)
    except CrmgraphError as exc:
        return ("error", type(exc).__name__, exc.message, exc.hint, getattr(exc, "limit", None))
    except Exception as exc:  # noqa: BLE001 - a bug must reach the caller as an error, not kill the worker
        return ("error", "CrmgraphError", f"internal error while running the query: {exc.__class__.__name__}: {exc}", "", None)


_KIND_NAMES = {"solutions": "a table (SELECT)", "boolean": "a yes/no answer (ASK)", "graph": "triples (CONSTRUCT/DESCRIBE)"}
_FORMAT_HINTS = {
    "solutions": "accept application/sparql-results+json, application/sparql-results+xml, text/csv or text/tab-separated-values",
    "boolean": "accept application/sparql-results+json or application/sparql-results+xml",
    "graph": "accept text/turtle, application/n-triples, application/ld+json or application/rdf+xml",
}


def _too_large(limit: int, what: str) -> ResultTooLarge:
    return ResultTooLarge(f"the answer has more than {limit:,} {what}, this endpoint's cap; nothing was returned",
                          hint=f"add LIMIT {limit} (and OFFSET to page through the rest), or aggregate with COUNT/GROUP BY; "
                               "the cap is set with `crmgraph serve --max-rows`", limit=limit)


def _rebuild_error(name: str, message: str, hint: str, limit) -> CrmgraphError:
    cls = getattr(errors, name, CrmgraphError)
    if not (isinstance(cls, type) and issubclass(cls, CrmgraphError)) or issubclass(cls, errors.DataError):
        cls = CrmgraphError
    if cls in (ResultTooLarge, QueryTimeout):
        return cls(message, hint, limit=limit)
    return cls(message, hint)


# -- the pool ------------------------------------------------------------------------------------

@dataclass(eq=False)
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: object

    def stop(self, kill: bool = False) -> None:
        if not kill:
            try:
                self.conn.send(None)
            except (OSError, ValueError):
                kill = True
            self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class QueryPool:
    """A few worker processes over one store, each query bounded by `limits` (thread-safe)."""

    def __init__(self, store_path: Path, limits: Limits | None = None, start_method: str = "forkserver") -> None:
        self.store_path = Path(store_path)
        self.limits = limits or Limits()
        self._context = multiprocessing.get_context(start_method)
        if start_method == "forkserver":
            self._context.set_forkserver_preload(["crmgraph.web.sandbox", "crmgraph.store.embedded", "crmgraph.query.results"])
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.replacements = 0  # workers started to replace killed ones (for tests and monitoring)

    # -- life cycle
    def start(self) -> "QueryPool":
        """Start every worker (in parallel) and wait until each has opened the store."""
        started = [self._launch() for _ in range(self.limits.workers)]
        try:
            for process, conn in started:
                self._idle.put(self._await_ready(process, conn))
        except BaseException:
            self.close()
            for process, conn in started:
                if process.is_alive():
                    process.kill()
            raise
        return self

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._workers = list(self._workers), set()
        for w in workers:
            w.stop()

    def __enter__(self) -> "QueryPool":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def size(self) -> int:
        with self._lock:
            return len(self._workers)

    # -- running
    def run(self, sparql: str, formats: Formats | None = None, *, base_iri: str | None = None,
            dataset: "tuple[list[str], list[str]] | None" = None) -> Answer:
        """Run one query in an idle worker; at most `limits.timeout_s` to get a worker and as long to answer.

        `base_iri` resolves the query's relative IRIs; `dataset` (default graph IRIs, named graph IRIs) is
        the SPARQL Protocol's default-graph-uri / named-graph-uri and overrides the query's FROM clauses.
        Without either, a query with FROM / FROM NAMED gets the dataset it names, any other query the
        union of all graphs as its default graph."""
        check_read_only(sparql)
        options = {"base_iri": base_iri, "dataset": dataset,
                   "union_default_graph": dataset is None and "FROM" not in keywords(sparql)}
        limits = self.limits
        try:
            worker = self._idle.get(timeout=limits.timeout_s)
        except queue.Empty:
            raise ServerBusy(f"all {limits.workers} query workers stayed busy for {limits.timeout_s:g} s",
                             hint="try again in a moment; the server runs at most that many queries at once "
                                  "(`crmgraph serve --workers`)") from None
        try:
            worker.conn.send((sparql, formats or DEFAULT_FORMATS, limits.max_rows, options))
            if not worker.conn.poll(limits.timeout_s):
                self._retire(worker, kill=True)
                raise QueryTimeout(f"the query was stopped after {limits.timeout_s:g} s, this endpoint's time limit",
                                   hint="make it more selective (specific patterns first, fewer OPTIONALs, a LIMIT), "
                                        "or raise the limit with `crmgraph serve --timeout-s`", limit=limits.timeout_s)
            reply = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            code = worker.process.exitcode
            self._retire(worker, kill=True)
            raise CrmgraphError(f"the query worker stopped unexpectedly (exit code {code})",
                                hint="the query may have needed too much memory; make it more selective") from None
        self._idle.put(worker)
        if reply[0] == "error":
            raise _rebuild_error(*reply[1:])
        _, body, media, kind, rows, seconds = reply
        return Answer(body, media, kind, rows, seconds)

    # -- plumbing
    def _launch(self):
        parent, child = self._context.Pipe(duplex=True)
        process = self._context.Process(target=_serve, args=(str(self.store_path), child), daemon=True,
                                        name="crmgraph-query-worker")
        process.start()
        child.close()
        return process, parent

    def _await_ready(self, process, conn) -> _Worker:
        if not conn.poll(60):
            process.kill()
            raise StoreError(f"a query worker did not open the store at {self.store_path} within 60 s")
        try:
            reply = conn.recv()
        except EOFError:
            process.join(5)
            raise StoreError(f"a query worker exited while opening the store at {self.store_path} "
                             f"(exit code {process.exitcode})") from None
        if reply[0] == "error":
            raise _rebuild_error(*reply[1:])
        worker = _Worker(process, conn)
        with self._lock:
            if self._closed:
                worker.stop()
                raise StoreError("the query pool is closed")
            self._workers.add(worker)
        return worker

    def _retire(self, worker: _Worker, kill: bool) -> None:
        """Stop a worker (killing it mid-query) and start its replacement in the background."""
        with self._lock:
            self._workers.discard(worker)
            closed = self._closed
        worker.stop(kill=kill)
        if not closed:
            threading.Thread(target=self._replace, name="crmgraph-worker-replacement", daemon=True).start()

    def _replace(self) -> None:
        try:
            self._idle.put(self._await_ready(*self._launch()))
            self.replacements += 1
        except (CrmgraphError, OSError, ValueError):
            pass  # the store went away or the pool closed; `run` then reports the pool as busy
