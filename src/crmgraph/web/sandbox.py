"""Running SPARQL from strangers: read-only, off the network, with a time limit and caps that really hold.

    check_read_only(sparql)      refuses SERVICE from a real parse (web/querycheck.py); updates never run
    QueryPool(store_path, limits)
      .start()                   N worker processes, each off the network, with the store opened read-only
      .run(sparql, formats)      one query in an idle worker → Answer(body bytes, media type, rows)
      .layout(n, edges)          node positions for a drawn answer, computed in a worker (stoppable)
      .status()                  workers alive / wanted, replacements pending, last failure, isolation
      .close()

A pyoxigraph query cannot be cancelled from Python, so each query runs in a worker *process*: the
caller waits at most `limits.timeout_s` for an idle worker (else `ServerBusy`), then at most until its
`Budget` runs out (`limits.timeout_s` from the moment its first worker started on the request, shared by
every step of it, e.g. the query and the layout of a drawn answer); past it the worker is killed (SIGKILL), the caller gets `QueryTimeout`, and a fresh worker is started in the
background while the other workers keep answering. The worker checks the query itself (so the
parse counts against the time limit), and writes the answer in the requested format (results.write_answer),
so only bytes cross the pipe. An answer with more than `limits.max_rows` rows (or triples) is
refused with `ResultTooLarge` — never cut short silently: the worker stops reading at row max_rows + 1.

Each worker first leaves the network (web/offline.py: a network namespace of its own), so even a
query the check misjudged cannot open a connection. A worker that dies or is killed is replaced in
the background; a replacement that cannot open the store (e.g. while `crmgraph build` swaps it)
tries again with a growing pause (up to `retry_max_s`) and logs why, until it succeeds or the pool
closes — the pool never shrinks for good.

Workers are started with the `forkserver` method (cheap to replace, no fork of a threaded server).
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .. import errors
from ..errors import CrmgraphError, QueryError, QueryTimeout, ResultTooLarge, ServerBusy, StoreError
from .querycheck import check_read_only, names_a_dataset, update_refusal

__all__ = ["Answer", "Budget", "Limits", "QueryPool", "check_read_only"]

log = logging.getLogger(__name__)

# -- limits and answers --------------------------------------------------------------------------

@dataclass(frozen=True)
class Limits:
    """How long a request may take (query, network and layout together), how many rows (or triples)
    an answer may have, how many nodes a drawn answer may have, how many queries run at once."""

    timeout_s: float = 10.0
    max_rows: int = 10_000
    workers: int = 2
    max_nodes: int = 2_000

    def __post_init__(self) -> None:
        if not self.timeout_s > 0:
            raise ValueError(f"timeout_s must be positive, got {self.timeout_s!r}")
        if self.max_rows < 1:
            raise ValueError(f"max_rows must be at least 1, got {self.max_rows!r}")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers!r}")
        if self.max_nodes < 1:
            raise ValueError(f"max_nodes must be at least 1, got {self.max_nodes!r}")


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
    """A worker's life: leave the network, open the store read-only, then answer requests until the
    pipe closes."""
    from ..store.embedded import OxigraphStore
    from .offline import cut_network

    isolation = cut_network()
    try:
        store = OxigraphStore(Path(store_path), read_only=True)
    except CrmgraphError as exc:
        conn.send(("error", type(exc).__name__, exc.message, exc.hint, None))
        return
    conn.send(("ready", os.getpid(), isolation.isolated, isolation.how))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        kind, *args = request
        conn.send(_answer(store, *args) if kind == "query" else _layout(*args))


def _layout(n: int, edges: list, iterations: int | None) -> tuple:
    from ..views.layout import force_layout

    try:
        return ("ok", force_layout(n, edges, iterations))
    except MemoryError:
        return ("error", "ResultTooLarge", f"laying out {n:,} nodes needs more memory than this server has",
                "draw fewer nodes (add LIMIT)", None)


def _answer(store, sparql: str, formats: Formats, max_rows: int, options: dict | None = None) -> tuple:
    from ..namespaces import PREFIXES
    from ..query.results import Table, media_type, write_answer

    started = time.perf_counter()
    try:
        check_read_only(sparql)
        options = dict(options or {})
        if options.pop("dataset_from_query", False):
            options["union_default_graph"] = not names_a_dataset(sparql)
        try:
            raw = store.query(sparql, **options)
        except QueryError as exc:
            refusal = update_refusal(sparql) if isinstance(exc.__cause__, SyntaxError) else None
            raise refusal or exc
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

class Budget:
    """One request's time limit, shared by all its steps (the query, then, for a drawn answer, reading it,
    building the network and the layout): `seconds` from the moment a worker first starts on it.
    Waiting for an idle worker is not work and is bounded apart (ServerBusy)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline: float | None = None

    def start(self) -> float:
        """The deadline (time.monotonic), fixed the first time this is called."""
        if self.deadline is None:
            self.deadline = time.monotonic() + self.seconds
        return self.deadline

    def check(self, step: str) -> None:
        """QueryTimeout if the budget has run out (for steps done in the server, checked after each)."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise self.exceeded(step)

    def exceeded(self, what: str) -> QueryTimeout:
        return QueryTimeout(f"{what} was stopped after {self.seconds:g} s, this endpoint's time limit",
                            hint="make it more selective (specific patterns first, fewer OPTIONALs, a LIMIT), "
                                 "or raise the limit with `crmgraph serve --timeout-s`", limit=self.seconds)



@dataclass(eq=False)
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: object
    isolated: bool = False
    isolation: str = ""

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


@dataclass
class _Health:
    """What the pool knows about its own state (read by /health)."""

    replacing: int = 0                 # replacements started and not yet ready
    last_failure: str | None = None    # why the last replacement could not start
    last_failure_at: float | None = None
    isolation: str = ""                # how the last worker that started is kept off the network
    isolated: bool | None = None
    warned: set = field(default_factory=set)


class QueryPool:
    """A few worker processes over one store, each request bounded by `limits` (thread-safe)."""

    def __init__(self, store_path: Path, limits: Limits | None = None, start_method: str = "forkserver",
                 retry_max_s: float = 5.0) -> None:
        self.store_path = Path(store_path)
        self.limits = limits or Limits()
        self.retry_max_s = retry_max_s
        self._context = multiprocessing.get_context(start_method)
        if start_method == "forkserver":
            self._context.set_forkserver_preload(["crmgraph.web.sandbox", "crmgraph.store.embedded", "crmgraph.query.results",
                                                  "crmgraph.views.layout", "rdflib.plugins.sparql.parser"])
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._health = _Health()
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
        """Workers alive now (dead ones found on the way are replaced)."""
        self._reap()
        with self._lock:
            return len(self._workers)

    def status(self) -> dict:
        """The pool's state for monitoring: workers alive and wanted, idle, replacements pending,
        the last reason a replacement failed, and how workers are kept off the network."""
        alive = self.size
        h = self._health
        with self._lock:
            idle = sum(1 for w in list(self._idle.queue) if w in self._workers)
        return {"workers": alive, "wanted": self.limits.workers, "idle": idle,
                "replacing": h.replacing, "last_failure": h.last_failure,
                "last_failure_age_s": None if h.last_failure_at is None else round(time.monotonic() - h.last_failure_at, 1),
                "offline": h.isolated, "isolation": h.isolation}

    # -- running
    def budget(self, seconds: float | None = None) -> "Budget":
        """A new request's time budget (default: `limits.timeout_s`)."""
        return Budget(self.limits.timeout_s if seconds is None else seconds)

    def run(self, sparql: str, formats: Formats | None = None, budget: "Budget | None" = None, *,
            base_iri: str | None = None, dataset: "tuple[list[str], list[str]] | None" = None) -> Answer:
        """Run one query in an idle worker, all of it (checking, evaluating, writing) within `budget`
        (default: a fresh one of `limits.timeout_s`).

        `base_iri` resolves the query's relative IRIs; `dataset` (default graph IRIs, named graph IRIs) is
        the SPARQL Protocol's default-graph-uri / named-graph-uri and overrides the query's FROM clauses.
        Without it, a query with FROM / FROM NAMED gets the dataset it names (querycheck.names_a_dataset,
        in the worker), any other query the union of all graphs as its default graph."""
        limits = self.limits
        options = {"base_iri": base_iri, "dataset": dataset, "dataset_from_query": dataset is None}
        reply = self._call(("query", sparql, formats or DEFAULT_FORMATS, limits.max_rows, options), budget, "the query")
        _, body, media, kind, rows, seconds = reply
        return Answer(body, media, kind, rows, seconds)

    def layout(self, n: int, edges: list[tuple[int, int]], iterations: int | None = None,
               budget: "Budget | None" = None) -> list[tuple[float, float]]:
        """views.layout.force_layout in a worker, stopped (the worker killed) when `budget` runs out."""
        return self._call(("layout", n, list(edges), iterations), budget, "laying out the network")[1]

    def _call(self, request: tuple, budget: "Budget | None", what: str) -> tuple:
        budget = budget or self.budget()
        worker = self._take_idle(time.monotonic() + budget.seconds)
        deadline = budget.start()
        try:
            worker.conn.send(request)
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                self._retire(worker, kill=True)
                raise budget.exceeded(what)
            reply = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            code = worker.process.exitcode
            self._retire(worker, kill=True)
            raise CrmgraphError(f"the query worker stopped unexpectedly (exit code {code})",
                                hint="the query may have needed too much memory; make it more selective") from None
        self._idle.put(worker)
        if reply[0] == "error":
            raise _rebuild_error(*reply[1:])
        return reply

    def _take_idle(self, deadline: float) -> _Worker:
        """An idle, living worker; dead ones met on the way are replaced. ServerBusy at the deadline."""
        self._reap()
        while True:
            try:
                worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise ServerBusy(self._busy_message(), hint="try again in a moment; the server runs at most "
                                 f"{self.limits.workers} queries at once (`crmgraph serve --workers`)") from None
            with self._lock:
                known = worker in self._workers
            if known and worker.process.is_alive():
                return worker
            if known:
                self._retire(worker, kill=True)
            else:
                worker.conn.close()

    def _busy_message(self) -> str:
        alive, h = self.size, self._health
        if alive == 0 and h.last_failure:
            return f"no query worker is running: {h.last_failure} (retrying)"
        return f"all {alive} query workers stayed busy for {self.limits.timeout_s:g} s"

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
            process.join(5)
            raise _rebuild_error(*reply[1:])
        _, _, isolated, how = reply
        worker = _Worker(process, conn, isolated, how)
        self._note_isolation(isolated, how)
        with self._lock:
            if self._closed:
                worker.stop()
                raise StoreError("the query pool is closed")
            self._workers.add(worker)
        return worker

    def _note_isolation(self, isolated: bool, how: str) -> None:
        h = self._health
        h.isolated, h.isolation = isolated, how
        if not isolated and how not in h.warned:
            h.warned.add(how)
            log.warning("query workers can open network connections (only the SERVICE check stands between a "
                        "query and the network): %s", how)

    def _reap(self) -> None:
        """Replace every worker that died (killed from outside, out of memory…) since the last look."""
        with self._lock:
            dead = [w for w in self._workers if not w.process.is_alive()]
        for w in dead:
            log.warning("a query worker (pid %s) died with exit code %s; starting a replacement",
                        w.process.pid, w.process.exitcode)
            self._retire(w, kill=True)

    def _retire(self, worker: _Worker, kill: bool) -> None:
        """Stop a worker (killing it mid-query) and start its replacement in the background."""
        with self._lock:
            if worker not in self._workers:
                return
            self._workers.discard(worker)
            closed = self._closed
            if not closed:
                self._health.replacing += 1
        worker.stop(kill=kill)
        if not closed:
            threading.Thread(target=self._replace, name="crmgraph-worker-replacement", daemon=True).start()

    def _replace(self) -> None:
        """Start one replacement worker, trying again with a growing pause until it opens the store
        or the pool closes; each failure is logged with its cause."""
        pause = 0.05
        try:
            while not self._closed:
                try:
                    self._idle.put(self._await_ready(*self._launch()))
                except (CrmgraphError, OSError, ValueError) as exc:
                    if self._closed:
                        return
                    cause = getattr(exc, "message", None) or str(exc)
                    self._health.last_failure, self._health.last_failure_at = cause, time.monotonic()
                    log.warning("a replacement query worker could not start (%s); trying again in %.2g s", cause, pause)
                    time.sleep(pause)
                    pause = min(pause * 2, self.retry_max_s)
                    continue
                self.replacements += 1
                if self._health.last_failure:
                    log.info("a replacement query worker started after earlier failures")
                    self._health.last_failure = self._health.last_failure_at = None
                return
        finally:
            with self._lock:
                self._health.replacing -= 1
