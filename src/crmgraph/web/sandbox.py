"""Running SPARQL from strangers: read-only, off the network, and bounded in time, memory and bytes,
with a fair queue in front of the workers.

    check_read_only(sparql)      refuses SERVICE from a real parse (web/querycheck.py); updates never run
    QueryPool(store_path, limits)
      .start()                   N worker processes, each off the network, with the store opened read-only
      .run(sparql, formats)      one query in a worker → Answer(body bytes, media type, rows)
    await .arun(sparql, …)     the same from the event loop, without a thread
      .layout(n, edges)          node positions for a drawn answer, computed in a worker (stoppable)
      .status()                  workers alive / wanted, idle, the queue (waiting, running, per client), isolation
      .close()

A pyoxigraph query cannot be cancelled from Python, so each query runs in a worker *process*. Every
request has one `Budget`: `limits.timeout_s` from the moment it arrived, shared by waiting for a worker
and by every step of the work (the query, then for a drawn answer the layout) — so no answer takes
longer than the limit, queue included. Past it, a waiting request gets `ServerBusy` (HTTP 503 with
Retry-After) and a running one `QueryTimeout`: its worker is killed (SIGKILL) and a fresh one started in
the background while the other workers keep answering.

The fair queue: requests wait for a worker in a queue of at most `limits.queue`, of which one client
holds at most half (beyond it, ServerBusy at once, so waiting requests can never hold every server thread
the pages need); a client (web/clients.py) has at most `limits.client_cap` queries running at once (max(1, workers − 1) by default), so no client
can hold every worker; a freed worker goes to the waiting request whose client has the fewest running,
then the oldest. `/health`'s probe jumps the queue and never waits behind it.

Memory: each worker limits its own data segment (RLIMIT_DATA, `limits.max_memory_mb`) once the store is
open. It is what stops pyoxigraph's allocations (RLIMIT_AS would count the store's mapped files; an RSS
watchdog would act after the fact): Rust aborts on the failed allocation, Python raises MemoryError;
either way the caller gets `MemoryLimitExceeded` (HTTP 503) and a dead worker is replaced.

Bytes: an answer with more than `limits.max_rows` rows (or triples) is refused with `ResultTooLarge`;
one whose bytes pass `limits.max_answer_mb` with `AnswerTooLarge` (HTTP 413) — counted while the answer
is written, into a counting sink that stops the writer, never after it was built. A table is written by
pyoxigraph's own writer (`QuerySolutions.serialize`, 20× faster than Python's on 10,000 rows), and the
sink counts its rows as they are written (`_RowCounter`: a rule per format), so the row cap stays exact;
triples are read in Python first (counted, their values' lengths a lower bound of any format), then
written by pyoxigraph with the prefixes they use. The worker checks the query itself (the parse counts
against the time limit) and writes the answer in the requested format, so only bytes cross the pipe:
a small header, then the body as raw bytes (not pickled).

Two ways in: `run` blocks its thread (pages that run in the server's threads); `arun` is for the event
loop (/sparql, /health): it waits for a worker on a future the queue resolves and for the answer on the
pipe's file descriptor, so a request costs no thread hop and a freed worker wakes one waiter, not all.

Each worker first leaves the network (web/offline.py: a network namespace of its own), so even a
query the check misjudged cannot open a connection. A worker that dies or is killed is replaced in
the background; a replacement that cannot open the store (e.g. while `crmgraph build` swaps it)
tries again with a growing pause (up to `retry_max_s`) and logs why, until it succeeds or the pool
closes — the pool never shrinks for good.

Workers are started with the `forkserver` method (cheap to replace, no fork of a threaded server). Each
sends its standard error to a file of its own (in a temporary folder of the pool): when a worker stops,
what it wrote there — Rust's "memory allocation of N bytes failed" as it aborts at the memory limit — is
logged once, as one line with the worker's pid and exit code, instead of landing on the server's console.
"""
from __future__ import annotations

import asyncio
import itertools
import logging
import math
import multiprocessing
import os
import re
import shutil
import signal
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Callable

import pyoxigraph as ox

from .. import errors
from ..errors import (AnswerTooLarge, CrmgraphError, MemoryLimitExceeded, QueryError, QueryTimeout, ResultTooLarge,
                      ServerBusy, StoreError)
from .clients import current_client, request_arrival
from .querycheck import check_read_only, names_a_dataset, update_refusal

__all__ = ["Answer", "Budget", "Limits", "QueryPool", "check_read_only"]

log = logging.getLogger(__name__)

# -- limits and answers --------------------------------------------------------------------------

@dataclass(frozen=True)
class Limits:
    """What one request may use: time (queue, query, network and layout together), rows (or triples),
    bytes of the written answer, memory of its worker, nodes of a drawn answer; and how queries share the
    workers: how many run at once, how many may wait, how many one client may run at once
    (`per_client` 0: max(1, workers − 1))."""

    timeout_s: float = 10.0
    max_rows: int = 10_000
    workers: int = 2
    max_nodes: int = 2_000
    max_memory_mb: int = 1024
    max_answer_mb: float = 50.0
    per_client: int = 0
    queue: int = 16

    def __post_init__(self) -> None:
        if not self.timeout_s > 0:
            raise ValueError(f"timeout_s must be positive, got {self.timeout_s!r}")
        if self.max_rows < 1:
            raise ValueError(f"max_rows must be at least 1, got {self.max_rows!r}")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers!r}")
        if self.max_nodes < 1:
            raise ValueError(f"max_nodes must be at least 1, got {self.max_nodes!r}")
        if self.max_memory_mb != 0 and self.max_memory_mb < MIN_MEMORY_MB:
            raise ValueError(f"max_memory_mb must be at least {MIN_MEMORY_MB} (a worker needs about that at rest), "
                             f"or 0 for no limit; got {self.max_memory_mb!r}")
        if not self.max_answer_mb > 0:
            raise ValueError(f"max_answer_mb must be positive, got {self.max_answer_mb!r}")
        if self.per_client < 0:
            raise ValueError(f"per_client must be 0 (automatic) or more, got {self.per_client!r}")
        if self.queue < 0:
            raise ValueError(f"queue must be 0 or more, got {self.queue!r}")

    @property
    def client_cap(self) -> int:
        """Most queries one client may run at once."""
        return self.per_client or max(1, self.workers - 1)

    @property
    def client_queue(self) -> int:
        """Most queries one client may have waiting: half the queue (at least one)."""
        return max(1, self.queue // 2)

    @property
    def max_answer_bytes(self) -> int:
        return int(self.max_answer_mb * 1_000_000)

    def as_dict(self) -> dict:
        """The limits as a monitor or a client reads them (/health)."""
        return {"timeout_s": self.timeout_s, "max_rows": self.max_rows, "max_answer_mb": self.max_answer_mb,
                "max_memory_mb": self.max_memory_mb or None, "max_nodes": self.max_nodes, "workers": self.workers,
                "per_client": self.client_cap, "queue": self.queue}


#: The least memory limit accepted: a worker uses about 100 MB of data at rest (the store open, the
#: SPARQL grammar loaded), and needs room to answer anything.
MIN_MEMORY_MB = 256


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

def _serve(store_path: str, conn, max_memory_mb: int = 0, stderr_path: str | None = None) -> None:  # pragma: no cover - runs in the worker process
    """A worker's life: send its own standard error to `stderr_path` (the pool logs it if the worker dies),
    leave the network, open the store read-only, limit its memory, then answer requests until the pipe closes."""
    from ..store.embedded import OxigraphStore
    from .offline import cut_network

    if stderr_path:  # Rust writes "memory allocation of N bytes failed" to fd 2 as it aborts: not onto the server's console
        fd = os.open(stderr_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fd, 2)
        os.close(fd)

    isolation = cut_network()
    try:
        store = OxigraphStore(Path(store_path), read_only=True)
        memory = _limit_memory(max_memory_mb)
    except CrmgraphError as exc:
        conn.send(("error", type(exc).__name__, exc.message, exc.hint, None))
        return
    try:
        conn.send(("ready", os.getpid(), isolation.isolated, isolation.how, memory))
    except (BrokenPipeError, OSError):
        return  # the server stopped while this worker was starting
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        kind, *args = request
        if kind != "query":
            conn.send(_layout(*args))
            continue
        reply = _answer(store, *args)
        if reply[0] != "ok":
            conn.send(reply)
            continue
        body = reply[1]  # the header first (the body's length), then the body's bytes as they are (no pickling):
        conn.send(("ok", len(body), *reply[2:]))  # the server reads a small answer at once, a large one off its event loop
        conn.send_bytes(body)


def _limit_memory(max_memory_mb: int) -> dict:
    """Cap this process's data segment (heap and anonymous mappings: what a query allocates; not the
    store's mapped files) at `max_memory_mb`; what the worker uses at rest, for /health."""
    import resource

    at_rest = _data_mb(os.getpid())
    if max_memory_mb:
        if at_rest is not None and at_rest >= max_memory_mb:
            raise StoreError(f"a query worker already uses {at_rest:.0f} MB with the store open, more than the "
                             f"memory limit of {max_memory_mb} MB", hint="raise `crmgraph serve --max-memory-mb`")
        limit = max_memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    return {"limit_mb": max_memory_mb or None, "how": "RLIMIT_DATA" if max_memory_mb else "none",
            "at_rest_mb": None if at_rest is None else round(at_rest)}


def _data_mb(pid: int) -> float | None:
    """A process's data segment (VmData) in MB, where /proc tells it."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _layout(n: int, edges: list, iterations: int | None) -> tuple:
    from ..views.layout import force_layout

    try:
        return ("ok", force_layout(n, edges, iterations))
    except MemoryError:
        return ("error", "ResultTooLarge", f"laying out {n:,} nodes needs more memory than this server has",
                "draw fewer nodes (add LIMIT)", None)


class _Sink:
    """Where an answer is written: counts the bytes and stops the writer once they pass the cap; with a
    `_RowCounter`, counts the rows as they are written too and stops the writer at the first row past
    `max_rows`. Pyoxigraph's native writers call `write` with pieces of the answer as they go, so either
    cap stops the writing there, never after the whole answer was made."""

    def __init__(self, cap: int, rows: "_RowCounter | None" = None, max_rows: int = 0) -> None:
        self.cap, self.size = cap, 0
        self.parts: list[bytes] = []
        self.rows, self.max_rows = rows, max_rows
        self.stopped: CrmgraphError | None = None  # why writing was stopped (re-raised as it is, whatever the writer made of it)

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.cap:
            self.stopped = _too_many_bytes(self.cap, "while it was written")
            raise self.stopped
        if self.rows is not None and self.rows.feed(data) > self.max_rows:
            self.stopped = _too_large(self.max_rows, "rows")
            raise self.stopped
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


class _RowCounter:
    """Counts the solutions in a SPARQL results document as Oxigraph writes it, piece by piece, so the row
    cap holds exactly while the engine's own writer makes the answer (it has no way to stop at N rows).

    Each rule holds for Oxigraph's writers (checked against the written rows in tests/test_sandbox.py):
    - TSV: one line per solution after the header; values never hold a raw line feed (literals are
      written with escapes, \\n).
    - CSV: one line per solution after the header, ended by CRLF; a value with a line break is quoted,
      and quotes inside it doubled — so a line feed outside quotes (by the parity of `"`) ends a row.
    - XML: one `<result>` element per solution; a `<` in text or attributes is always written `&lt;`.
    - JSON (compact): each solution is an object that follows the bindings' `[` or a `,`. Inside strings
      every `"` and `\\` is escaped, so once the escape pairs are dropped, the remaining quotes delimit the
      strings, and outside them `[{` or `,{` only ever starts a solution (terms follow a `:`; vars are strings).
    """

    _ESCAPE = re.compile(rb"\\.", re.S)

    def __init__(self, fmt: str) -> None:
        if fmt not in NATIVE_SOLUTION_FORMATS:
            raise ValueError(f"no row counting rule for {fmt!r}")
        self.fmt, self.rows = fmt, 0
        self._lines = 0          # csv/tsv: line ends seen (the header's included)
        self._inside = False     # csv/json: inside a quoted value at the end of the last piece
        self._carry = b""        # xml/json: the end of the last piece, where a marker may be cut in two

    def feed(self, data: bytes) -> int:
        """Take the next piece of the document; the solutions seen so far."""
        fmt = self.fmt
        if fmt == "tsv":
            self._lines += data.count(b"\n")
            self.rows = max(0, self._lines - 1)
        elif fmt == "xml":
            data = self._carry + data
            self.rows += data.count(b"<result>")
            self._carry = data[-7:]  # shorter than the marker: it cannot be counted twice
        elif fmt == "csv":
            parts = data.split(b'"')
            self._lines += sum(p.count(b"\n") for p in parts[1 if self._inside else 0::2])
            self._inside ^= len(parts) % 2 == 0
            self.rows = max(0, self._lines - 1)
        else:  # json
            data = self._ESCAPE.sub(b"", self._carry + data)
            self._carry = b""
            if data.endswith(b"\\"):  # an escape cut in two: its second half comes with the next piece
                data, self._carry = data[:-1], b"\\"
            parts = data.split(b'"')
            outside = parts[1 if self._inside else 0::2]
            self.rows += sum(p.count(b"[{") + p.count(b",{") for p in outside)
            self._inside ^= len(parts) % 2 == 0
            if not self._inside and not self._carry and data[-1:] in (b"[", b","):
                self._carry = data[-1:]
        return self.rows


#: The formats the worker writes a table in with pyoxigraph's own writer (20× faster than results.py's
#: Python writers on 10,000 rows of SPARQL JSON), each with a rule to count its rows (`_RowCounter`).
NATIVE_SOLUTION_FORMATS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
                           "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}


def _answer(store, sparql: str, formats: Formats, max_rows: int, options: dict | None = None,
            max_answer_bytes: int | None = None) -> tuple:
    from ..namespaces import PREFIXES
    from ..query.results import media_type, write_answer_to

    started = time.perf_counter()
    cap = max_answer_bytes or 1 << 62
    try:
        check_read_only(sparql)
        options = dict(options or {})
        if options.pop("dataset_from_query", False):
            options["union_default_graph"] = not names_a_dataset(sparql)
        try:
            raw = store.query(sparql, **options)
        except QueryError as exc:
            refusal = update_refusal(sparql) if isinstance(exc.__cause__, SyntaxError) else None
            if refusal is not None:
                raise refusal from exc
            raise
        kind = ("boolean" if isinstance(raw, ox.QueryBoolean) else
                "solutions" if isinstance(raw, ox.QuerySolutions) else "graph")
        fmt = formats.get(kind)
        if fmt is None:
            raise errors.NotAcceptable(f"this query gives {_KIND_NAMES[kind]}, and the request accepts no format for that",
                                       hint=_FORMAT_HINTS[kind])
        sink = _Sink(cap)
        try:
            if kind == "boolean":
                write_answer_to(sink, bool(raw), fmt)
                rows = 1
            elif kind == "solutions":
                counter = sink.rows = _RowCounter(fmt)
                sink.max_rows = max_rows
                raw.serialize(sink, NATIVE_SOLUTION_FORMATS[fmt])
                rows = counter.rows
            else:
                size = 0  # the values' lengths so far: every format writes each value at least once
                triples: list[ox.Triple] = []
                for triple in raw:
                    if len(triples) == max_rows:
                        raise _too_large(max_rows, "triples")
                    size += len(triple.subject.value) + len(triple.predicate.value) + len(triple.object.value)
                    if size > cap:
                        raise _too_many_bytes(cap, "in its values alone")
                    triples.append(triple)
                write_answer_to(sink, triples, fmt, prefixes=PREFIXES)
                rows = len(triples)
        except CrmgraphError:
            raise
        except Exception as exc:
            if sink.stopped is not None:  # a cap stopped the native writer: say which, whatever it raised
                raise sink.stopped from None
            if isinstance(exc, (OSError, RuntimeError, ValueError)):
                raise errors.QueryError(f"the query failed: {exc}") from exc
            raise
        return ("ok", sink.getvalue(), media_type(fmt), kind, rows, time.perf_counter() - started)
    except CrmgraphError as exc:
        return ("error", type(exc).__name__, exc.message, exc.hint, getattr(exc, "limit", None))
    except MemoryError:
        return ("error", "MemoryLimitExceeded", "the query needed more memory than a query worker may use; it was stopped",
                _MEMORY_HINT, None)
    except Exception as exc:  # noqa: BLE001 - a bug must reach the caller as an error, not kill the worker
        return ("error", "CrmgraphError", f"internal error while running the query: {exc.__class__.__name__}: {exc}", "", None)


_KIND_NAMES = {"solutions": "a table (SELECT)", "boolean": "a yes/no answer (ASK)", "graph": "triples (CONSTRUCT/DESCRIBE)"}
_FORMAT_HINTS = {
    "solutions": "accept application/sparql-results+json, application/sparql-results+xml, text/csv or text/tab-separated-values",
    "boolean": "accept application/sparql-results+json or application/sparql-results+xml",
    "graph": "accept text/turtle, application/n-triples, application/ld+json or application/rdf+xml",
}
_MEMORY_HINT = ("simplify it: add LIMIT, filter early, avoid ORDER BY or DISTINCT over large joins (a cross product of "
                "two patterns that share no variable is the usual cause); the limit is set with `crmgraph serve --max-memory-mb`")


def _too_large(limit: int, what: str) -> ResultTooLarge:
    return ResultTooLarge(f"the answer has more than {limit:,} {what}, this endpoint's cap; nothing was returned",
                          hint=f"add LIMIT {limit} (and OFFSET to page through the rest), or aggregate with COUNT/GROUP BY; "
                               "the cap is set with `crmgraph serve --max-rows`", limit=limit)


def _too_many_bytes(cap: int, when: str) -> AnswerTooLarge:
    mb = cap / 1_000_000
    return AnswerTooLarge(f"the answer is larger than {mb:g} MB ({when}), this endpoint's cap; writing stopped and "
                          "nothing was returned",
                          hint="select fewer or shorter values (SUBSTR, STRLEN instead of a long text), add LIMIT, or "
                               "aggregate; the cap is set with `crmgraph serve --max-answer-mb`", limit=mb)


def _rebuild_error(name: str, message: str, hint: str, limit) -> CrmgraphError:
    cls = getattr(errors, name, CrmgraphError)
    if not (isinstance(cls, type) and issubclass(cls, CrmgraphError)) or issubclass(cls, errors.DataError):
        cls = CrmgraphError
    if cls in (ResultTooLarge, QueryTimeout, AnswerTooLarge, MemoryLimitExceeded):
        return cls(message, hint, limit=limit)  # type: ignore[call-arg]  # each of these four takes its limit
    return cls(message, hint)


# -- the pool ------------------------------------------------------------------------------------

class Budget:
    """One request's time limit, shared by all its steps — waiting for a worker, the query, then, for a
    drawn answer, reading it, building the network and the layout: `seconds` from the moment the
    request arrived (the Budget was made), so the queue counts against it."""

    def __init__(self, seconds: float, since: float | None = None) -> None:
        self.seconds = seconds
        self.deadline = (time.monotonic() if since is None else since) + seconds

    def start(self) -> float:
        """The deadline (time.monotonic)."""
        return self.deadline

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def check(self, step: str) -> None:
        """QueryTimeout if the budget has run out (for steps done in the server, checked after each)."""
        if time.monotonic() > self.deadline:
            raise self.exceeded(step)

    def exceeded(self, what: str) -> QueryTimeout:
        return QueryTimeout(f"{what} was stopped after {self.seconds:g} s, this endpoint's time limit",
                            hint="make it more selective (specific patterns first, fewer OPTIONALs, a LIMIT), "
                                 "or raise the limit with `crmgraph serve --timeout-s`", limit=self.seconds)


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    isolated: bool = False
    isolation: str = ""
    memory: dict = field(default_factory=dict)
    stderr_path: str | None = None

    def last_words(self, limit: int = 2000) -> str:
        """What the worker wrote to its standard error (its end: at most `limit` characters), one line."""
        if not self.stderr_path:
            return ""
        try:
            with open(self.stderr_path, "rb") as fh:
                fh.seek(0, os.SEEK_END)
                fh.seek(max(0, fh.tell() - limit))
                text = fh.read().decode("utf-8", "replace")
        except OSError:
            return ""
        return " | ".join(line.strip() for line in text.splitlines() if line.strip())

    def forget_stderr(self) -> None:
        if self.stderr_path:
            try:
                os.unlink(self.stderr_path)
            except OSError:
                pass

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


@dataclass(eq=False)
class _Ticket:
    """A request waiting for a worker (the fair queue's entry)."""

    client: str | None
    priority: bool
    seq: int
    deadline: float
    worker: _Worker | None = None
    wake: "Callable[[], None] | None" = None  # an event-loop waiter's (arun): resolves its future


@dataclass
class _Health:
    """What the pool knows about its own state (read by /health)."""

    replacing: int = 0                 # replacements started and not yet ready
    last_failure: str | None = None    # why the last replacement could not start
    last_failure_at: float | None = None
    isolation: str = ""                # how the last worker that started is kept off the network
    isolated: bool | None = None
    memory: dict = field(default_factory=dict)  # the last worker's memory limit and use at rest
    warned: set = field(default_factory=set)
    refused: int = 0                   # requests refused because the queue was full
    out_of_memory: int = 0             # queries stopped at the memory limit


#: Least time a request must have left to be given a worker.
MIN_RUN_S = 0.1
#: Largest query text sent, and answer read, on the event loop itself by `arun`; larger ones go through a
#: thread, so the loop never blocks on a pipe that fills up.
INLINE_BYTES = 256 * 1024


def _settle(future: "asyncio.Future", value: bool) -> None:
    if not future.done():
        future.set_result(value)


def _settle_soon(loop: "asyncio.AbstractEventLoop", future: "asyncio.Future") -> None:
    """Resolve `future` on its loop, from any thread (the queue is served from threads and the loop)."""
    try:
        loop.call_soon_threadsafe(_settle, future, True)
    except RuntimeError:  # the loop is closed: nobody waits any more
        pass


async def _settled(future: "asyncio.Future", timeout: float) -> bool:
    """Wait for `future` at most `timeout` seconds (not cancelling it); whether it was resolved."""
    if not future.done() and timeout > 0:
        loop = asyncio.get_running_loop()
        timer = loop.call_later(timeout, _settle, future, False)
        try:
            await asyncio.shield(future)
        finally:
            timer.cancel()
    return future.done() and future.result() is True


async def _readable(conn, timeout: float) -> bool:
    """Wait until the worker's pipe has something to read (its answer), at most `timeout` seconds."""
    if conn.poll(0):
        return True
    if timeout <= 0:
        return False
    loop = asyncio.get_running_loop()
    ready = loop.create_future()
    fd = conn.fileno()
    loop.add_reader(fd, _settle, ready, True)
    timer = loop.call_later(timeout, _settle, ready, False)
    try:
        return await ready
    finally:
        timer.cancel()
        loop.remove_reader(fd)
        os.set_blocking(fd, True)  # uvloop makes a watched fd non-blocking; the pipe's reads expect it blocking


def _to_answer(reply: tuple) -> Answer:
    _, body, media, kind, rows, seconds = reply
    return Answer(body, media, kind, rows, seconds)


#: How soon a client refused for a full queue or a long wait is told to try again (HTTP Retry-After, s).
def _retry_after(limits: Limits) -> int:
    return max(1, math.ceil(limits.timeout_s / 2))


class QueryPool:
    """A few worker processes over one store, each request bounded by `limits`, shared fairly (thread-safe)."""

    def __init__(self, store_path: Path, limits: Limits | None = None, start_method: str = "forkserver",
                 retry_max_s: float = 5.0) -> None:
        self.store_path = Path(store_path)
        self.limits = limits or Limits()
        self.retry_max_s = retry_max_s
        self._context: Any = multiprocessing.get_context(start_method)  # fork or spawn: each has its own Process
        if start_method == "forkserver":
            self._context.set_forkserver_preload(["crmgraph.web.sandbox", "crmgraph.store.embedded", "crmgraph.query.results",
                                                  "crmgraph.views.layout", "rdflib.plugins.sparql.parser"])
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)   # a worker became idle, or a ticket was served
        self._idle: list[_Worker] = []
        self._waiting: list[_Ticket] = []
        self._running: Counter = Counter()                 # client → queries running now
        self._seq = itertools.count()
        self._launched = itertools.count(1)
        #: Where each worker's standard error goes (read and logged once if it dies; removed on close).
        self._stderr_dir = tempfile.mkdtemp(prefix="crmgraph-workers-")
        self._workers: set[_Worker] = set()
        self._closed = False
        self._health = _Health()
        self.replacements = 0  # workers started to replace killed ones (for tests and monitoring)

    # -- life cycle
    def start(self) -> "QueryPool":
        """Start every worker (in parallel) and wait until each has opened the store."""
        started = [self._launch() for _ in range(self.limits.workers)]
        try:
            for process, conn, stderr_path in started:
                self._add_idle(self._await_ready(process, conn, stderr_path))
        except BaseException:
            self.close()
            for process, _conn, _path in started:
                if process.is_alive():
                    process.kill()
            raise
        return self

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._workers = list(self._workers), set()
            self._idle = []
            for ticket in self._waiting:
                if ticket.wake is not None:
                    ticket.wake()
            self._changed.notify_all()
        for w in workers:
            w.stop()
            w.forget_stderr()
        shutil.rmtree(self._stderr_dir, ignore_errors=True)

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
        """The pool's state for monitoring: workers alive and wanted, idle, replacements pending, the last
        reason a replacement failed, how workers are kept off the network and their memory limit, and the
        queue: requests waiting, queries running (in all, and for the busiest client), refusals."""
        alive = self.size
        h = self._health
        with self._lock:
            idle = sum(1 for w in self._idle if w in self._workers)
            running = sum(self._running.values())
            busiest = max(self._running.values(), default=0)
            waiting = len(self._waiting)
            clients = len(+self._running)
        return {"workers": alive, "wanted": self.limits.workers, "idle": idle,
                "replacing": h.replacing, "last_failure": h.last_failure,
                "last_failure_age_s": None if h.last_failure_at is None else round(time.monotonic() - h.last_failure_at, 1),
                "offline": h.isolated, "isolation": h.isolation, "memory": h.memory,
                "queue": {"waiting": waiting, "running": running, "clients_running": clients,
                          "busiest_client_running": busiest, "per_client": self.limits.client_cap,
                          "size": self.limits.queue, "refused": h.refused, "out_of_memory": h.out_of_memory}}

    # -- running
    def budget(self, seconds: float | None = None) -> "Budget":
        """A request's time budget: `limits.timeout_s` from the moment the request being served arrived
        (clients.request_arrival; now outside a request), or `seconds` from now."""
        if seconds is None:
            return Budget(self.limits.timeout_s, request_arrival.get())
        return Budget(seconds)

    def run(self, sparql: str, formats: Formats | None = None, budget: "Budget | None" = None, *,
            base_iri: str | None = None, dataset: "tuple[list[str], list[str]] | None" = None,
            client: "str | None | object" = ..., priority: bool = False) -> Answer:
        """Run one query in a worker, all of it (waiting, checking, evaluating, writing) within `budget`
        (default: a fresh one of `limits.timeout_s`). Blocks the calling thread; from the event loop,
        `await arun(…)` does the same without a thread.

        `base_iri` resolves the query's relative IRIs; `dataset` (default graph IRIs, named graph IRIs) is
        the SPARQL Protocol's default-graph-uri / named-graph-uri and overrides the query's FROM clauses.
        Without it, a query with FROM / FROM NAMED gets the dataset it names (querycheck.names_a_dataset,
        in the worker), any other query the union of all graphs as its default graph. `client` (default:
        the request's, clients.current_client) is who the fair queue counts it against; `priority`
        requests (the health probe) are served before any other waiting one."""
        return _to_answer(self._call(self._query_request(sparql, formats, base_iri, dataset), budget, "the query",
                                     client, priority))

    async def arun(self, sparql: str, formats: Formats | None = None, budget: "Budget | None" = None, *,
                   base_iri: str | None = None, dataset: "tuple[list[str], list[str]] | None" = None,
                   client: "str | None | object" = ..., priority: bool = False) -> Answer:
        """`run` for the event loop: the same fair queue, budget and errors, but waiting for a worker and
        for its answer costs no thread — a future the queue resolves, and the worker's pipe watched by the
        loop. Why: on the short queries of an endpoint, handing each request to a thread and back (and
        waking every thread that waits on the queue's condition) cost the server more than the query."""
        return _to_answer(await self._acall(self._query_request(sparql, formats, base_iri, dataset), budget,
                                            "the query", client, priority))

    def _query_request(self, sparql: str, formats: Formats | None, base_iri: str | None, dataset) -> tuple:
        limits = self.limits
        options = {"base_iri": base_iri, "dataset": dataset, "dataset_from_query": dataset is None}
        return ("query", sparql, formats or DEFAULT_FORMATS, limits.max_rows, options, limits.max_answer_bytes)

    def layout(self, n: int, edges: list[tuple[int, int]], iterations: int | None = None,
               budget: "Budget | None" = None) -> list[tuple[float, float]]:
        """views.layout.force_layout in a worker, stopped (the worker killed) when `budget` runs out."""
        return self._call(("layout", n, list(edges), iterations), budget, "laying out the network", ..., False)[1]

    def _call(self, request: tuple, budget: "Budget | None", what: str, client, priority: bool) -> tuple:
        budget = budget or self.budget()
        client = current_client.get() if client is ... else client
        worker = self._take(client, budget, priority, what)
        healthy = False
        try:
            try:
                worker.conn.send(request)
                if not worker.conn.poll(max(0.0, budget.left())):
                    self._retire(worker, kill=True)
                    raise budget.exceeded(what)
                reply = worker.conn.recv()
                if request[0] == "query" and reply[0] == "ok":
                    reply = ("ok", worker.conn.recv_bytes(), *reply[2:])
            except (EOFError, OSError, BrokenPipeError):
                worker.process.join(1)
                code = worker.process.exitcode
                self._retire(worker, kill=True)
                raise self._died(code) from None
            healthy = True
        finally:
            self._release(worker, client, healthy)
        return self._checked(reply)

    async def _acall(self, request: tuple, budget: "Budget | None", what: str, client, priority: bool) -> tuple:
        budget = budget or self.budget()
        client = current_client.get() if client is ... else client
        worker = await self._atake(client, budget, priority, what)
        healthy = False
        try:
            conn = worker.conn
            try:
                if isinstance(request[1], str) and len(request[1]) > INLINE_BYTES:  # a long query: the pipe may fill before the worker reads it
                    await asyncio.to_thread(conn.send, request)
                else:
                    conn.send(request)
                if not await _readable(conn, budget.left()):
                    self._retire(worker, kill=True)
                    raise budget.exceeded(what)
                reply = conn.recv()
                if request[0] == "query" and reply[0] == "ok":
                    body = conn.recv_bytes() if reply[1] <= INLINE_BYTES else await asyncio.to_thread(conn.recv_bytes)
                    reply = ("ok", body, *reply[2:])
            except (EOFError, OSError, BrokenPipeError):
                await asyncio.to_thread(worker.process.join, 1)
                code = worker.process.exitcode
                self._retire(worker, kill=True)
                raise self._died(code) from None
            except asyncio.CancelledError:  # the request was abandoned mid-query: its answer would stay in the pipe
                self._retire(worker, kill=True)
                raise
            healthy = True
        finally:
            self._release(worker, client, healthy)
        return self._checked(reply)

    def _checked(self, reply: tuple) -> tuple:
        """The worker's reply, or the error it reports raised as the library's exception."""
        if reply[0] == "error":
            name, message, hint, limit = reply[1:5]
            if name == "MemoryLimitExceeded":  # Python's MemoryError at the limit (Rust's failed allocations abort)
                self._health.out_of_memory += 1
                if self.limits.max_memory_mb:
                    message, limit = self._memory_message(), self.limits.max_memory_mb
            raise _rebuild_error(name, message, hint, limit)
        return reply

    def _died(self, code: int | None) -> CrmgraphError:
        """Why a worker died mid-request: Rust aborts (SIGABRT) when an allocation fails at the memory limit."""
        if code == -signal.SIGABRT and self.limits.max_memory_mb:
            self._health.out_of_memory += 1
            return MemoryLimitExceeded(self._memory_message(), _MEMORY_HINT, limit=self.limits.max_memory_mb)
        return CrmgraphError(f"the query worker stopped unexpectedly (exit code {code}); it is being replaced",
                             hint="the query may have needed too much memory; make it more selective")

    def _memory_message(self) -> str:
        return (f"the query needed more than {self.limits.max_memory_mb:,} MB, the memory limit of a query worker; it was "
                "stopped (the worker is replaced)")

    # -- the fair queue
    def _take(self, client: str | None, budget: Budget, priority: bool, what: str = "the query") -> _Worker:
        """A living worker for this request, by the fair queue's rules; ServerBusy when the queue is full
        or the budget runs out while every worker is busy, QueryTimeout when it runs out with a worker free
        (the request spent its time in earlier steps, e.g. building a drawn answer's network)."""
        self._reap()
        with self._lock:
            if self._closed:
                raise StoreError("the query pool is closed")
            if not priority:
                self._admit(client)
            ticket = _Ticket(client, priority, next(self._seq), budget.deadline)
            self._waiting.append(ticket)
            try:
                while True:
                    self._dispatch()
                    if ticket.worker is not None:
                        return ticket.worker
                    left = self._still_waiting(client, budget, priority, what)
                    self._changed.wait(left)
            finally:
                if ticket in self._waiting:
                    self._waiting.remove(ticket)

    def _still_waiting(self, client: str | None, budget: Budget, priority: bool, what: str) -> float:
        """The time a ticket without a worker may still wait (lock held); QueryTimeout when it is up with a
        worker free for it (the time is up, not the server busy), ServerBusy when it is up otherwise."""
        left = budget.left()
        if (left <= MIN_RUN_S and self._idle and not self._closed
                and (priority or client is None or self._running[client] < self.limits.client_cap)):
            raise budget.exceeded(what)
        if left <= 0 or self._closed:
            raise ServerBusy(self._busy_message(budget), hint=self._busy_hint(), retry_after=_retry_after(self.limits))
        return left

    async def _atake(self, client: str | None, budget: Budget, priority: bool, what: str = "the query") -> _Worker:
        """`_take` for the event loop: the same rules, errors and order; the request waits on a future
        that `_dispatch` resolves when it hands this ticket a worker (no thread, no condition)."""
        self._reap()
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._closed:
                raise StoreError("the query pool is closed")
            if not priority:
                self._admit(client)
            ticket = _Ticket(client, priority, next(self._seq), budget.deadline)
            self._waiting.append(ticket)
            self._dispatch()
            if ticket.worker is not None:
                return ticket.worker
            woken = loop.create_future()
            ticket.wake = partial(_settle_soon, loop, woken)
        given = False
        try:
            while True:
                left = budget.left()
                await _settled(woken, left - MIN_RUN_S if left > MIN_RUN_S else left)
                with self._lock:
                    self._dispatch()
                    if ticket.worker is not None:
                        given = True
                        return ticket.worker
                    left = self._still_waiting(client, budget, priority, what)
                    if woken.done():
                        woken = loop.create_future()
                        ticket.wake = partial(_settle_soon, loop, woken)
        finally:
            with self._lock:
                if ticket in self._waiting:
                    self._waiting.remove(ticket)
                ticket.wake = None
                if ticket.worker is not None and not given:  # cancelled just as a worker was handed over
                    self._release(ticket.worker, client, True)

    def _admit(self, client: str | None) -> None:
        """ServerBusy (with Retry-After) unless this request may wait (lock held): it could run now, or the
        queue has room — and its client holds at most half of it, so one client cannot fill the queue either."""
        limits = self.limits
        if self._idle and (client is None or self._running[client] < limits.client_cap):
            return
        mine = sum(1 for t in self._waiting if t.client == client) if client is not None else 0
        if len(self._waiting) < limits.queue and mine < limits.client_queue:
            return
        self._health.refused += 1
        why = (f"{len(self._waiting)} queries are already waiting for a worker, this server's queue" if mine < limits.client_queue
               else f"this client already has {mine} queries waiting for a worker, its share of the queue")
        raise ServerBusy(f"{why} (all {len(self._workers)} workers busy)", hint=self._busy_hint(),
                         retry_after=_retry_after(limits))

    def _dispatch(self) -> None:
        """Give idle workers to waiting tickets (lock held): priority first, then the ticket whose client
        runs the fewest queries, then the oldest; a client at its cap waits for one of its own to end."""
        cap = self.limits.client_cap
        while self._idle and self._waiting:
            soon = time.monotonic() + MIN_RUN_S  # a request with less time left would only get its worker killed
            eligible = [t for t in self._waiting if t.deadline > soon
                        and (t.priority or t.client is None or self._running[t.client] < cap)]
            if not eligible:
                return
            ticket = min(eligible, key=lambda t: (not t.priority, self._running[t.client] if t.client else 0, t.seq))
            worker = self._idle.pop()
            if worker not in self._workers:
                continue
            if not worker.process.is_alive():  # died while idle: replaced in the background, not handed out
                threading.Thread(target=self._retire, args=(worker, True), daemon=True).start()
                continue
            self._waiting.remove(ticket)
            ticket.worker = worker
            self._running[ticket.client] += 1
            if ticket.wake is not None:
                ticket.wake()
            self._changed.notify_all()

    def _release(self, worker: _Worker, client: str | None, healthy: bool) -> None:
        """A request is done with its worker: count it off its client, and give the worker to the next
        waiting request if it is still good."""
        with self._lock:
            self._running[client] -= 1
            if self._running[client] <= 0:
                del self._running[client]
            if healthy and worker in self._workers and worker.process.is_alive():
                self._idle.append(worker)
            self._dispatch()
            self._changed.notify_all()

    def _add_idle(self, worker: _Worker) -> None:
        with self._lock:
            self._idle.append(worker)
            self._dispatch()
            self._changed.notify_all()

    def _busy_message(self, budget: Budget) -> str:
        alive, h = self.size, self._health
        if alive == 0 and h.last_failure:
            return f"no query worker is running: {h.last_failure} (retrying)"
        return (f"no query worker became free within {budget.seconds:g} s, this endpoint's time limit (which the wait "
                f"counts against): all {alive} are busy and {len(self._waiting) - 1} other queries wait")

    def _busy_hint(self) -> str:
        return (f"try again in a moment; the server runs at most {self.limits.workers} queries at once, at most "
                f"{self.limits.client_cap} per client, and lets {self.limits.queue} wait "
                "(`crmgraph serve --workers`, `--per-client`, `--queue`)")

    # -- plumbing
    def _launch(self):
        parent, child = self._context.Pipe(duplex=True)
        stderr_path = os.path.join(self._stderr_dir, f"worker-{next(self._launched)}.stderr")
        process = self._context.Process(target=_serve, args=(str(self.store_path), child, self.limits.max_memory_mb,
                                                             stderr_path), daemon=True, name="crmgraph-query-worker")
        process.start()
        child.close()
        return process, parent, stderr_path

    def _await_ready(self, process, conn, stderr_path: str | None = None) -> _Worker:
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
        _, _, isolated, how, memory = reply
        worker = _Worker(process, conn, isolated, how, memory, stderr_path)
        self._note_isolation(isolated, how)
        self._health.memory = memory
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
        """Stop a worker (killing it mid-query) and start its replacement, both in the background: the
        caller answers at once (a killed process holding gigabytes can take a while to be reaped)."""
        with self._lock:
            if worker not in self._workers:
                return
            self._workers.discard(worker)
            if worker in self._idle:
                self._idle.remove(worker)
            closed = self._closed
            if not closed:
                self._health.replacing += 1
        if kill and worker.process.is_alive():
            worker.process.kill()  # at once: the query stops using CPU and memory now

        def stop_and_replace() -> None:
            worker.stop(kill=kill)
            said = worker.last_words()
            if said:  # once, in the log, with who said it (e.g. Rust's "memory allocation of … bytes failed")
                log.warning("query worker %s (exit code %s) wrote before it stopped: %s", worker.process.pid,
                            worker.process.exitcode, said)
            worker.forget_stderr()
            if not closed:
                self._replace()

        threading.Thread(target=stop_and_replace, name="crmgraph-worker-replacement", daemon=True).start()

    def _replace(self) -> None:
        """Start one replacement worker, trying again with a growing pause until it opens the store
        or the pool closes; each failure is logged with its cause."""
        pause = 0.05
        try:
            while not self._closed:
                try:
                    self._add_idle(self._await_ready(*self._launch()))
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
