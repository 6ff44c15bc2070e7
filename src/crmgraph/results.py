"""Query results as plain Python values, and their serialisations (table, CSV, TSV, JSON, Markdown).

SELECT answers become a `Table`; CONSTRUCT/DESCRIBE answers a list of triples; ASK a boolean.
The serialisers follow the W3C SPARQL 1.1 result formats (JSON, CSV, TSV) so that any tool can
read what the CLI writes.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

import pyoxigraph as ox

from .namespaces import XSD, compact

FORMATS = ("table", "csv", "tsv", "json", "md")


@dataclass
class Table:
    columns: list[str]
    rows: list[list[ox.NamedNode | ox.BlankNode | ox.Literal | None]]

    def __len__(self) -> int:
        return len(self.rows)

    def records(self) -> list[dict[str, object]]:
        """Rows as dicts of Python values (str for IRIs, int/float/str for literals)."""
        return [{c: python_value(v) for c, v in zip(self.columns, row)} for row in self.rows]

    def column(self, name: str) -> list[object]:
        i = self.columns.index(name)
        return [python_value(r[i]) for r in self.rows]

    def to_dataframe(self):
        import pandas as pd

        return pd.DataFrame(self.records(), columns=self.columns)


def to_result(raw) -> Table | list[ox.Triple] | bool:
    if isinstance(raw, ox.QueryBoolean):
        return bool(raw)
    if isinstance(raw, ox.QuerySolutions):
        columns = [v.value for v in raw.variables]
        return Table(columns, [[sol[c] for c in columns] for sol in raw])
    return list(raw)


_NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger")}


def python_value(term) -> object:
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


def _display(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def to_csv(table: Table) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["" if t is None else (f"_:{t.value}" if isinstance(t, ox.BlankNode) else t.value) for t in row])
    return buf.getvalue()


def to_tsv(table: Table) -> str:
    lines = ["\t".join(f"?{c}" for c in table.columns)]
    for row in table.rows:
        lines.append("\t".join("" if t is None else str(t) for t in row))
    return "\n".join(lines) + "\n"


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
    bindings = [{c: _json_term(t) for c, t in zip(table.columns, row) if t is not None} for row in table.rows]
    return json.dumps({"head": {"vars": table.columns}, "results": {"bindings": bindings}}, ensure_ascii=False, indent=1)


def to_markdown(table: Table) -> str:
    def cell(t) -> str:
        return _display(t).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(cell(t) for t in row) + " |" for row in table.rows]
    return "\n".join(lines) + "\n"


def to_rich(table: Table):
    from rich.table import Table as RichTable

    rt = RichTable(*table.columns, show_lines=False)
    for row in table.rows:
        rt.add_row(*[_display(t) for t in row])
    return rt


def serialise(table: Table, fmt: str) -> str:
    """Text in one of FORMATS except 'table' (which is drawn by rich in the CLI)."""
    writers = {"csv": to_csv, "tsv": to_tsv, "json": to_json, "md": to_markdown}
    if fmt not in writers:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return writers[fmt](table)
