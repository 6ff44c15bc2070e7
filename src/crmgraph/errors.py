"""Errors crmgraph raises, all with a message that says what is wrong and how to fix it.

    CrmgraphError                 base of every error the library raises on purpose
    ├── DataError                 bad curated input; carries file, line and entity where known
    │   ├── ParseError            a file is not valid Turtle (syntax, unknown prefix)
    │   ├── CurationError         the data breaks a curation rule (unknown term, missing source …)
    │   ├── ShapeViolationError   SHACL validation failed
    │   ├── InconsistencyError    OWL reasoning found the data inconsistent
    │   └── DatasetError          an outside dataset cannot be imported (missing file, wrong checksum, bad column)
    ├── StoreError                the store is missing, locked or unreadable
    │   ├── ServerBusy            no query worker became free in time
    │   ├── BuildLocked           another build holds the build lock (names its pid)
    │   └── ShrinkRefused         the build would drop more than the allowed share of the previous store's facts
    ├── QueryError                a query cannot be parsed or run
    │   ├── QueryRefused          the query would write, or reach another server (read-only endpoints)
    │   ├── QueryTimeout          the query ran past the time limit and was stopped
    │   ├── ResultTooLarge        the answer has more rows than the cap
    │   ├── AnswerTooLarge        the answer, as written, has more bytes than the cap
    │   ├── MemoryLimitExceeded   the query needed more memory than a worker may use (the worker was replaced)
    │   └── NotAcceptable         no result format the client accepts fits the answer
    ├── ProtocolError             an HTTP request that does not follow the SPARQL 1.1 Protocol
    └── MissingExtra              an optional dependency is not installed (also an ImportError)

The CLI renders each one with `render_for_cli`, the web layer with `render_for_http` (status + JSON body).
"""
from __future__ import annotations

from dataclasses import dataclass


class CrmgraphError(Exception):
    """Base class: every error crmgraph raises deliberately."""

    hint: str = ""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        if hint:
            self.hint = hint

    def __str__(self) -> str:
        return self.message + (f"\n  hint: {self.hint}" if self.hint else "")


@dataclass
class Problem:
    """One thing wrong with the data: where it is and what to do about it."""

    message: str
    file: str | None = None
    line: int | None = None
    entity: str | None = None
    hint: str = ""

    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file + (f":{self.line}" if self.line else ""))
        if self.entity:
            parts.append(self.entity)
        return " ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        text = f"{where}: {self.message}" if where else self.message
        return text + (f" (fix: {self.hint})" if self.hint else "")


class DataError(CrmgraphError):
    """Curated input that cannot be built; lists every problem found, not just the first."""

    title = "the curated data has problems"

    def __init__(self, problems: list[Problem], hint: str = "") -> None:
        self.problems = problems
        lines = [f"{self.title} ({len(problems)}):"] + [f"  - {p}" for p in problems[:50]]
        if len(problems) > 50:
            lines.append(f"  … and {len(problems) - 50} more")
        super().__init__("\n".join(lines), hint)


class ParseError(DataError):
    title = "a file could not be parsed"


class DatasetError(DataError):
    title = "a dataset could not be imported"


class CurationError(DataError):
    title = "the data breaks curation rules (docs/curation.md)"


class ShapeViolationError(DataError):
    title = "SHACL validation failed (ontology/shapes.ttl)"


class InconsistencyError(DataError):
    title = "OWL reasoning found the knowledge base inconsistent"


class StoreError(CrmgraphError):
    """The store cannot be opened or written."""


class BuildLocked(StoreError):
    """Another `crmgraph build` is writing the same store folder; carries the holder's pid when known."""

    def __init__(self, message: str, hint: str = "", pid: int | None = None) -> None:
        super().__init__(message, hint)
        self.pid = pid


class ShrinkRefused(StoreError):
    """The new build would drop more than the allowed share of the previous store's curated triples."""


class QueryError(CrmgraphError):
    """A query cannot be parsed or evaluated."""


class ServerBusy(StoreError):
    """No query worker became free in time, or the queue for one is full; `retry_after` (seconds), when
    known, is sent as HTTP Retry-After."""

    def __init__(self, message: str, hint: str = "", retry_after: int | None = None) -> None:
        super().__init__(message, hint)
        self.retry_after = retry_after


class QueryRefused(QueryError):
    """A read-only endpoint refuses SPARQL Update, LOAD and SERVICE."""


class QueryTimeout(QueryError):
    """The query was stopped at the time limit (its worker process was killed)."""

    def __init__(self, message: str, hint: str = "", limit: float | None = None) -> None:
        super().__init__(message, hint)
        self.limit = limit


class ResultTooLarge(QueryError):
    """The answer has more rows (or triples) than the cap; nothing partial is returned."""

    def __init__(self, message: str, hint: str = "", limit: int | None = None) -> None:
        super().__init__(message, hint)
        self.limit = limit


class AnswerTooLarge(QueryError):
    """The answer, as it is written, passed the byte cap; writing stopped there and nothing is returned."""

    def __init__(self, message: str, hint: str = "", limit: float | None = None) -> None:
        super().__init__(message, hint)
        self.limit = limit


class MemoryLimitExceeded(QueryError):
    """The query needed more memory than a query worker may use; the worker was stopped and replaced."""

    def __init__(self, message: str, hint: str = "", limit: float | None = None) -> None:
        super().__init__(message, hint)
        self.limit = limit


class NotAcceptable(QueryError):
    """The client accepts no format in which this kind of answer can be written."""


class ProtocolError(CrmgraphError):
    """An HTTP request that breaks the SPARQL 1.1 Protocol; carries its HTTP status."""

    def __init__(self, message: str, hint: str = "", status: int = 400) -> None:
        super().__init__(message, hint)
        self.status = status


class MissingExtra(CrmgraphError, ImportError):
    """A feature needs an optional dependency that is not installed; names the extra that brings it.
    Also an ImportError, so code that tolerates a missing module keeps working."""

    def __init__(self, module: str, extra: str, feature: str) -> None:
        super().__init__(f"{feature} needs {module}, which is not installed",
                         hint=f"install the `{extra}` extra: pip install 'crmgraph[{extra}]' "
                              f"(in a checkout: pip install -e '.[{extra}]')")
        self.name, self.extra = module, extra


#: (error class, HTTP status, short machine-readable kind), most specific first.
_HTTP = (
    (QueryRefused, 403, "refused"),
    (QueryTimeout, 503, "timeout"),
    (ResultTooLarge, 422, "too-many-rows"),
    (AnswerTooLarge, 413, "answer-too-large"),
    (MemoryLimitExceeded, 503, "out-of-memory"),
    (NotAcceptable, 406, "not-acceptable"),
    (QueryError, 400, "query-error"),
    (ServerBusy, 503, "busy"),
    (StoreError, 500, "store-error"),
    (ProtocolError, 400, "bad-request"),
    (CrmgraphError, 500, "error"),
)


def render_for_http(error: CrmgraphError) -> tuple[int, dict]:
    """The HTTP status and JSON body for an error (one place, tested):
    `{"error": kind, "status": …, "message": …, "hint": …}`, plus `limit` for the time limit, row cap, byte cap (MB) and memory limit (MB)."""
    for cls, status, kind in _HTTP:  # noqa: B007 - the first match is read after the loop
        if isinstance(error, cls):
            break
    if isinstance(error, ProtocolError):
        status = error.status
    body: dict = {"error": kind, "status": status, "message": error.message, "hint": error.hint}
    limit = getattr(error, "limit", None)
    if limit is not None:
        body["limit"] = limit
    return status, body


def render_for_cli(error: CrmgraphError) -> str:
    """The text the CLI prints for an error (one place, tested)."""
    return f"error: {error}"
