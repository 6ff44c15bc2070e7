"""Errors crmgraph raises, all with a message that says what is wrong and how to fix it.

    CrmgraphError                 base of every error the library raises on purpose
    ├── DataError                 bad curated input; carries file, line and entity where known
    │   ├── ParseError            a file is not valid Turtle (syntax, unknown prefix)
    │   ├── CurationError         the data breaks a curation rule (unknown term, missing source …)
    │   ├── ShapeViolationError   SHACL validation failed
    │   └── InconsistencyError    OWL reasoning found the data inconsistent
    ├── StoreError                the store is missing, locked or unreadable
    └── QueryError                a query cannot be parsed or run

The CLI renders each one with `render_for_cli`; later the web layer will have its own renderer.
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


class CurationError(DataError):
    title = "the data breaks curation rules (docs/curation.md)"


class ShapeViolationError(DataError):
    title = "SHACL validation failed (ontology/shapes.ttl)"


class InconsistencyError(DataError):
    title = "OWL reasoning found the knowledge base inconsistent"


class StoreError(CrmgraphError):
    """The store cannot be opened or written."""


class QueryError(CrmgraphError):
    """A query cannot be parsed or evaluated."""


def render_for_cli(error: CrmgraphError) -> str:
    """The text the CLI prints for an error (one place, tested)."""
    return f"error: {error}"
