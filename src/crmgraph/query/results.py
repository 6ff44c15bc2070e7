"""Query results as plain Python values, and their serialisations (table, CSV, TSV, JSON, XML, Markdown).

SELECT answers become a `Table`; CONSTRUCT/DESCRIBE answers a list of triples; ASK a boolean.
The serialisers follow the W3C SPARQL 1.1 result formats (JSON, XML, CSV, TSV) so that any tool can
read what the CLI and the SPARQL endpoint write. `SOLUTION_FORMATS` and `GRAPH_FORMATS` name every
format an answer can be written in (`write_answer` writes any answer as bytes; `write_answer_to`
writes it piece by piece into a file, so a caller can stop it at a byte cap), and `MEDIA_TYPES` the
media types of each: the one written, then the aliases a client may ask for it by. This module is the
one place that says which media types name a format; the web's content negotiation
(`negotiation_table`) is derived from it, so the endpoint and the entity pages cannot drift apart.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from ..errors import MissingExtra
from ..namespaces import XSD, compact

FORMATS = ("table", "csv", "tsv", "json", "md")


@dataclass
class Table:
    columns: list[str]
    rows: list[list[ox.NamedNode | ox.BlankNode | ox.Literal | None]]

    def __len__(self) -> int:
        return len(self.rows)

    def records(self) -> list[dict[str, Any]]:
        """Rows as dicts of Python values (str for IRIs, int/float/str for literals)."""
        return [{c: python_value(v) for c, v in zip(self.columns, row)} for row in self.rows]

    def column(self, name: str) -> list[Any]:
        i = self.columns.index(name)
        return [python_value(r[i]) for r in self.rows]

    def to_dataframe(self):
        """The table as a pandas DataFrame; pandas is the optional `notebook` extra."""
        try:
            import pandas as pd
        except ModuleNotFoundError as exc:
            raise MissingExtra("pandas", "notebook", "Table.to_dataframe()") from exc

        return pd.DataFrame(self.records(), columns=self.columns)


class BytesSink(Protocol):
    """Anything an answer can be written into: a binary file, a BytesIO, a sink that counts the bytes."""

    def write(self, data: bytes, /) -> object: ...


def to_result(raw) -> Table | list[ox.Triple] | bool:
    if isinstance(raw, ox.QueryBoolean):
        return bool(raw)
    if isinstance(raw, ox.QuerySolutions):
        columns = [v.value for v in raw.variables]
        return Table(columns, [[sol[c] for c in columns] for sol in raw])
    return list(raw)


def to_table(raw) -> Table:
    """A SELECT's answer as a Table, for callers whose query is a SELECT: they read rows and columns, which
    an ASK's yes/no or a CONSTRUCT's triples do not have, so those are a programming error said so here."""
    answer = to_result(raw)
    if not isinstance(answer, Table):
        raise TypeError(f"expected a SELECT's table of solutions, got {type(answer).__name__} (an ASK or a CONSTRUCT?)")
    return answer


_NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger")}


def python_value(term) -> Any:
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        try:
            if dt in (XSD + "integer", XSD + "int", XSD + "long", XSD + "nonNegativeInteger"):
                return int(term.value)
            if dt in (XSD + "decimal", XSD + "double", XSD + "float"):
                return float(term.value)
            if dt == XSD + "boolean":
                return term.value in ("true", "1")  # both are canonical-enough XSD forms (Virtuoso writes 1/0)
        except ValueError:
            return term.value
        return term.value
    return term.value


def display_text(term) -> str:
    """A term as a reader sees it in a cell: a compact IRI, `_:id` for a blank node, a literal's text."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def to_csv(table: Table) -> str:
    return "".join(_csv_chunks(table))


def _csv_chunks(table: Table) -> Iterator[str]:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["" if t is None else (f"_:{t.value}" if isinstance(t, ox.BlankNode) else t.value) for t in row])
        if buf.tell() > _CHUNK:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def to_tsv(table: Table) -> str:
    return "".join(_tsv_chunks(table))


def _tsv_chunks(table: Table) -> Iterator[str]:
    yield "\t".join(f"?{c}" for c in table.columns) + "\n"
    for row in table.rows:
        yield "\t".join("" if t is None else str(t) for t in row) + "\n"


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD + "string":
        out["datatype"] = term.datatype.value
    return out


def to_json(table: Table) -> str:
    return "".join(_json_chunks(table))


def _json_chunks(table: Table) -> Iterator[str]:
    """SPARQL JSON, exactly as json.dumps(…, indent=1) writes it, one binding at a time."""
    columns = table.columns
    head = json.dumps({"head": {"vars": columns}, "results": {"bindings": []}}, ensure_ascii=False, indent=1)
    if not table.rows:
        yield head
        return
    opening, closing = head[:-len(_JSON_EMPTY_TAIL)], _JSON_TAIL
    yield opening + "[\n"
    for i, row in enumerate(table.rows):
        binding = json.dumps({c: _json_term(t) for c, t in zip(columns, row) if t is not None}, ensure_ascii=False, indent=1)
        yield ("" if i == 0 else ",\n") + _indent(binding, "   ")
    yield closing


#: How json.dumps(indent=1) ends the document with no bindings, and with some (after the last one).
_JSON_EMPTY_TAIL = "[]\n }\n}"
_JSON_TAIL = "\n  ]\n }\n}"


def _indent(text: str, prefix: str) -> str:
    return prefix + text.replace("\n", "\n" + prefix)


_SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != XSD + "string":
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def to_xml(table: Table) -> str:
    """SPARQL 1.1 Query Results XML Format."""
    return "".join(_xml_chunks(table))


def _xml_chunks(table: Table) -> Iterator[str]:
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="{_SPARQL_RESULTS_NS}">\n<head>'
    yield "".join(f"<variable name={quoteattr(c)}/>" for c in table.columns)
    yield "</head>\n<results>\n"
    for row in table.rows:
        yield ("<result>" + "".join(f"<binding name={quoteattr(c)}>{_xml_term(t)}</binding>"
                                    for c, t in zip(table.columns, row) if t is not None) + "</result>\n")
    yield "</results>\n</sparql>\n"


def boolean_to_json(value: bool) -> str:
    return json.dumps({"head": {}, "boolean": value})


def boolean_to_xml(value: bool) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="{_SPARQL_RESULTS_NS}"><head/>'
            f"<boolean>{'true' if value else 'false'}</boolean></sparql>\n")


def _boolean_text(value: bool) -> str:
    return "true\n" if value else "false\n"  # CSV/TSV define no ASK form; Oxigraph and Jena write the word


#: SELECT/ASK answer formats: name → (table writer, boolean writer). The order is the server's
#: preference in content negotiation (a client that accepts anything gets SPARQL JSON).
SOLUTION_FORMATS = {
    "json": (to_json, boolean_to_json),
    "xml": (to_xml, boolean_to_xml),
    "csv": (to_csv, _boolean_text),
    "tsv": (to_tsv, _boolean_text),
}
#: CONSTRUCT/DESCRIBE answer formats: name → pyoxigraph format. The order is the server's preference
#: in content negotiation (a client that accepts anything gets Turtle).
GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "n3": ox.RdfFormat.N3,
}

#: For each format of SOLUTION_FORMATS and GRAPH_FORMATS: the media types that name it. The first is
#: the one written (the Content-Type served; for graphs, pyoxigraph's own); the others are aliases
#: clients still send — `application/json` and XML for SPARQL results, the pre-registration
#: `application/x-turtle`, and `text/plain`, N-Triples' media type until 2014.
MEDIA_TYPES: dict[str, tuple[str, ...]] = {
    "json": ("application/sparql-results+json", "application/json"),
    "xml": ("application/sparql-results+xml", "application/xml", "text/xml"),
    "csv": ("text/csv",),
    "tsv": ("text/tab-separated-values",),
    "turtle": ("text/turtle", "application/x-turtle"),
    "ntriples": ("application/n-triples", "text/plain"),
    "jsonld": ("application/ld+json",),
    "rdfxml": ("application/rdf+xml",),
    "n3": ("text/n3",),
}
#: Aliases too generic to name a format by themselves (any plain text, any JSON, any XML). A request
#: to the SPARQL endpoint is for a query's answer, so there they name its formats; an entity's IRI has
#: other representations (its page's data is `application/json`), so it does not take them as RDF.
GENERIC_MEDIA_TYPES = frozenset({"text/plain", "application/json", "application/xml", "text/xml"})


def media_type(fmt: str) -> str:
    """The media type a format of SOLUTION_FORMATS or GRAPH_FORMATS is written as."""
    return MEDIA_TYPES[fmt][0]


def negotiation_table(formats: Iterable[str], *, generic: bool = True) -> dict[str, tuple[str, ...]]:
    """For content negotiation between `formats` (in the server's order of preference): each format →
    the media types that ask for it, the written one first; without GENERIC_MEDIA_TYPES if not `generic`."""
    return {fmt: tuple(t for t in MEDIA_TYPES[fmt] if generic or t not in GENERIC_MEDIA_TYPES) for fmt in formats}


def write_answer(answer: Table | list[ox.Triple] | bool, fmt: str, prefixes: dict[str, str] | None = None) -> bytes:
    """An answer as bytes in a format of SOLUTION_FORMATS (tables, booleans) or GRAPH_FORMATS (triples)."""
    out = io.BytesIO()
    write_answer_to(out, answer, fmt, prefixes)
    return out.getvalue()


def write_answer_to(out: BytesSink, answer: Table | list[ox.Triple] | bool, fmt: str,
                    prefixes: dict[str, str] | None = None) -> None:
    """Write an answer into `out` piece by piece (at most ~64 KB at a time), so that an `out` counting
    what it receives can stop a huge answer as it is written (its `write` raises), never after."""
    if isinstance(answer, list):
        used = _used_prefixes(answer, prefixes) if prefixes and fmt in ("turtle", "n3") else None
        ox.serialize(answer, out, format=GRAPH_FORMATS[fmt], prefixes=used)
        return
    if isinstance(answer, bool):
        out.write(SOLUTION_FORMATS[fmt][1](answer).encode("utf-8"))
        return
    pending, size = [], 0
    for chunk in _SOLUTION_CHUNKS[fmt](answer):
        pending.append(chunk)
        size += len(chunk)
        if size > _CHUNK:
            out.write("".join(pending).encode("utf-8"))
            pending, size = [], 0
    out.write("".join(pending).encode("utf-8"))


#: The size (in characters) of the pieces write_answer_to writes.
_CHUNK = 1 << 16
_SOLUTION_CHUNKS = {"json": _json_chunks, "xml": _xml_chunks, "csv": _csv_chunks, "tsv": _tsv_chunks}


def _used_prefixes(triples: list[ox.Triple], prefixes: dict[str, str]) -> dict[str, str]:
    """The prefixes some IRI of the triples can be written with (so a small answer gets a short header)."""
    iris = {t.value for triple in triples for t in (triple.subject, triple.predicate, triple.object) if isinstance(t, ox.NamedNode)}
    iris |= {triple.object.datatype.value for triple in triples if isinstance(triple.object, ox.Literal)}
    namespaces = {i[: max(i.rfind("/"), i.rfind("#")) + 1] for i in iris}
    return {p: ns for p, ns in prefixes.items() if ns in namespaces}


def to_markdown(table: Table) -> str:
    def cell(t) -> str:
        return display_text(t).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(cell(t) for t in row) + " |" for row in table.rows]
    return "\n".join(lines) + "\n"


#: Narrowest a column may get in a CLI table before the answer is shown one record per block instead.
MIN_COLUMN = 10
#: Status words with their marks, as the CLI prints them (the portal's are in web.html.STATUSES).
STATUS_TEXT = {"verified": "✔ verified", "second-hand": "◐ second-hand", "unverified": "? unverified",
               "contradicted": "✖ contradicted", "derived": "∴ derived"}


def _status_text(text: str) -> str:
    name = text.rsplit("#", 1)[-1].rsplit(":", 1)[-1]
    for word, shown in STATUS_TEXT.items():
        if name.lower().replace("-", "") == word.replace("-", ""):
            return shown
    return text


def reader_rows(table: Table, citations=None) -> tuple[list[str], list[list[str]]]:
    """The answer as a reader's text table (`answers.shape`): labels for IRIs, one row per finding,
    statuses as words with marks, sources as short citations (with `citations`) or keys, and locators."""
    from .answers import shape

    answer = shape(table)
    headers = [c.title for c in answer.columns]
    rows = []
    for row in answer.rows:
        out = []
        for col, cell in zip(answer.columns, row):
            if col.kind == "sources":
                if citations is not None:
                    out.append(citations.text(cell.refs))
                else:
                    from .citations import has_locator
                    out.append("; ".join(r.source.rsplit("/", 1)[-1] + (f", {r.locator}" if has_locator(r.locator) else "")
                                         for r in cell.refs))
            elif col.kind == "status":
                out.append(_status_text(cell.text))
            elif citations is not None and cell.text.startswith("source ") and citations.get(cell.text[7:]) is not None:
                out.append(citations.get(cell.text[7:]).short)  # a claimant that is a source: as cited
            else:
                out.append(cell.text)
        rows.append(out)
    return headers, rows


def to_rich(table: Table, width: int | None = None, citations=None):
    """A rich renderable that fits `width` columns (default: the terminal's): a table whose cells wrap
    when every column can keep at least MIN_COLUMN characters, else one block per record (field: value),
    so nothing is cut to `co… │ Ka…`."""
    import shutil

    width = width or shutil.get_terminal_size((100, 24)).columns
    headers, rows = reader_rows(table, citations)
    return fit_rows(headers, rows, width)


def fit_rows(headers: list[str], rows: list[list[str]], width: int, title: str | None = None,
             header_cap: int | None = None):
    """Rows of text as a rich table when every column can keep a readable width within `width`, else
    one block per row ("field  value"). `header_cap` counts long headers as at most that many characters
    (they wrap); `title` heads the table (or the blocks)."""
    from rich.console import Group
    from rich.rule import Rule
    from rich.table import Table as RichTable
    from rich.text import Text

    def header_width(h: str) -> int:
        return len(h) if header_cap is None else min(len(h), header_cap)

    natural = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    needed = sum(min(n, max(MIN_COLUMN, header_width(h))) for n, h in zip(natural, headers)) + 3 * len(headers) + 1
    if needed <= width or len(headers) <= 1:
        rt = RichTable(title=title, title_justify="left", show_lines=False, expand=False)
        for h in headers:
            rt.add_column(h, overflow="fold")
        for row in rows:
            rt.add_row(*row)
        return rt
    blocks: list = [Text(title, style="italic")] if title else []
    for i, row in enumerate(rows):
        grid = RichTable.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        for h, v in zip(headers, row):
            if v:
                grid.add_row(h, v)
        blocks += [Rule(f"{i + 1}/{len(rows)}", align="left", style="dim"), grid]
    return Group(*blocks)


def serialise(table: Table, fmt: str) -> str:
    """Text in one of FORMATS except 'table' (which is drawn by rich in the CLI)."""
    writers = {"csv": to_csv, "tsv": to_tsv, "json": to_json, "md": to_markdown}
    if fmt not in writers:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return writers[fmt](table)
