"""The disagreement report as text, JSON, CSV or Markdown — strings, never printed here.

One shape for all four: a disagreement is a heading (kind, title, why) and its sides, each with
what it says, for which period, who says it, its status and its references (source title, key and
locator). CSV has one row per side, so a spreadsheet keeps the sides of one disagreement together
under the same id.
"""
from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import asdict

from .conflicts import KINDS, Disagreement, Side

FORMATS = ("text", "json", "csv", "md")


class UnknownFormat(ValueError):
    """A report format that does not exist; the message lists the ones that do."""

    def __init__(self, fmt: str) -> None:
        super().__init__(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def _refs(side: Side, with_titles: bool = True) -> str:
    parts = []
    for r in side.references:
        name = f"{r.title} [{r.source}]" if with_titles and r.title and r.title != r.source else r.source
        parts.append(f"{name}, {r.locator}")
    return "; ".join(parts)


def _who(side: Side) -> str:
    bits = [b for b in (side.claimant, side.period) if b]
    return f" ({', '.join(bits)})" if bits else ""


def summary(found: list[Disagreement]) -> str:
    counts = Counter(d.kind for d in found)
    return f"{len(found)} disagreements: " + ", ".join(f"{counts[k]} {k}" for k in KINDS if counts[k])


def to_text(found: list[Disagreement]) -> str:
    lines = []
    for i, d in enumerate(found, 1):
        lines.append(f"{i}. [{d.kind}] {d.title}")
        lines.append(f"   {d.why}")
        for s in d.sides:
            lines.append(f"   - {s.says}{_who(s)} [{s.status}]")
            if s.references:
                lines.append(f"       {_refs(s)}")
        lines.append("")
    lines.append(summary(found))
    return "\n".join(lines) + "\n"


def to_json(found: list[Disagreement]) -> str:
    return json.dumps([asdict(d) for d in found], ensure_ascii=False, indent=1) + "\n"


CSV_COLUMNS = ("id", "kind", "title", "why", "statement", "says", "period", "claimant", "status", "sources", "references")


def to_csv(found: list[Disagreement]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for d in found:
        for s in d.sides:
            w.writerow([d.id, d.kind, d.title, d.why, s.statement, s.says, s.period, s.claimant, s.status,
                        " ".join(dict.fromkeys(r.source for r in s.references)), _refs(s)])
    return buf.getvalue()


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(found: list[Disagreement]) -> str:
    lines = ["# Disagreements between sources", "", summary(found) + ".", ""]
    for i, d in enumerate(found, 1):
        lines += [f"## {i}. {_md(d.title)}", "", f"*{d.kind}* — {_md(d.why)}", "",
                  "| says | period | who | status | sources (locator) |", "|---|---|---|---|---|"]
        for s in d.sides:
            lines.append(f"| {_md(s.says)} | {_md(s.period)} | {_md(s.claimant)} | {s.status} | {_md(_refs(s))} |")
        lines.append("")
    return "\n".join(lines)


_WRITERS = {"text": to_text, "json": to_json, "csv": to_csv, "md": to_markdown}


def render(found: list[Disagreement], fmt: str) -> str:
    """The report in one of FORMATS; UnknownFormat for anything else."""
    try:
        return _WRITERS[fmt](found)
    except KeyError:
        raise UnknownFormat(fmt) from None


__all__ = ["FORMATS", "UnknownFormat", "render", "summary", "to_csv", "to_json", "to_markdown", "to_text"]
