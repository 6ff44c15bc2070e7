"""Answer-first tables: a query's answer shaped for a reader, the same for the portal and the CLI.

A SPARQL answer is written for machines: an IRI column beside its label column, one row per
material × route × source, a source key in one column and its locator in another. `shape` turns a
`results.Table` into an `Answer` a person can read:

- an IRI column with a label column (`crm` + `crmLabel`, or `crm_label`) becomes one column whose cells
  show the label and keep the IRI for the link;
- the reference columns (`source`, `locator`, `citedIn`, `citedInLocator`) become one `sources`
  column of `citations.Reference`s, and rows that say the same thing apart from their references are
  merged into one row per finding, its references gathered (in first-seen order, no duplicates);
- a `status` column is a status (rendered as a word with a mark);
- literals lose their language tags and datatypes (numbers are marked as numbers, for alignment).

Shaping never drops a row's meaning: every column other than the references stays, so two rows
that differ in scope, year, claimant or status stay two rows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..namespaces import XSD
from .citations import Reference
from .results import Table, display_text

#: Columns that carry a finding's references; shaped into one `sources` column.
SOURCE_COLUMNS = ("source", "sourceKey")
LOCATOR_COLUMNS = ("locator",)
CITED_COLUMNS = ("citedIn",)
CITED_LOCATOR_COLUMNS = ("citedInLocator",)
REFERENCE_COLUMNS = frozenset(SOURCE_COLUMNS + LOCATOR_COLUMNS + CITED_COLUMNS + CITED_LOCATOR_COLUMNS)
#: Columns that hold a verification status.
STATUS_COLUMNS = frozenset({"status", "statusLabel"})
_NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger",
                              "gYear", "positiveInteger")}


@dataclass
class Cell:
    text: str = ""
    iri: str | None = None
    numeric: bool = False
    refs: list[Reference] = field(default_factory=list)

    def key(self) -> tuple:
        return (self.text, self.iri)


#: Column headings that the general rule (split camelCase, first letter capital) would get wrong or leave
#: as plumbing: a reader sees "Material", never the variable `crm`.
HEADINGS = {
    "crm": "Critical raw material", "hhi": "HHI", "c": "Country", "m": "Material", "src": "Source key",
    "url": "URL", "otherEUInstruments": "Other EU instruments", "when": "Period", "refYear": "Year",
    "unverifiedOrSecondHand": "Unverified or second-hand", "citedInCount": "Cited in (count)",
    "inferredCriticalAndStrategic": "Critical and strategic (inferred)", "firstDate": "First date",
    "sourceKind": "Kind of source", "statedLocation": "Location (as stated)", "listEntries": "List entries",
    "sources": "Sources", "claimant": "Claimed by", "scope": "Scope",
    "strategicProjectSince": "Strategic project since", "centralAsianAlternatives": "Central Asian alternatives",
    "centralAsianShare": "Central Asia's share", "worldShare": "Share of world", "largestShare": "Largest share",
    "largest": "Largest supplier", "org": "Organisation", "annexPoint": "Annex point", "editionYears": "Edition years",
}


def heading(name: str) -> str:
    """A column's heading in words: `crm` → "Critical raw material", `firstDate` → "First date",
    `claimant1` → "Claimed by (1)", `scope_label` → "Scope"."""
    base = name
    for suffix in ("Label", "_label"):
        if base.endswith(suffix) and len(base) > len(suffix):
            base = base[: -len(suffix)]
    m = re.fullmatch(r"(.*?[A-Za-z])(\d+)", base)
    number = ""
    if m:
        base, number = m.group(1), f" ({m.group(2)})"
    if base in HEADINGS:
        return HEADINGS[base] + number
    words = re.sub(r"(?<=[a-z])(?=[A-Z])|_", " ", base).split()
    text = " ".join([words[0]] + [w if w.isupper() and len(w) > 1 else w.lower() for w in words[1:]]) if words else base
    return text[:1].upper() + text[1:] + number


@dataclass
class Column:
    name: str                 # the variable it shows (the IRI's, for a labelled IRI column)
    kind: str = "value"       # "value", "status" or "sources"

    @property
    def title(self) -> str:
        """The heading a reader sees (words, not the variable's name)."""
        return heading(self.name)


@dataclass
class Answer:
    columns: list[Column]
    rows: list[list[Cell]]
    source_rows: int          # rows of the answer before merging

    @property
    def merged(self) -> bool:
        return self.source_rows != len(self.rows)


def label_column(columns: list[str], name: str) -> str | None:
    for candidate in (name + "Label", name + "_label", name + "label"):
        if candidate in columns and candidate != name:
            return candidate
    return None


#: Columns that qualify a `value` column and are shown inside it ("at least 15 – 18 of 34 count").
VALUE_PARTS = ("qualifier", "valueQualifier", "upperValue", "outOf", "unit", "unitLabel")


def _header(name: str) -> str:
    """`materialLabel` → `material`, `scope_label` → `scope`: a label column stands for its thing."""
    for suffix in ("Label", "_label"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _compose_values(answer: Answer) -> Answer:
    """Fold qualifier, upper value, out-of and unit columns into the `value` column, so a figure reads
    as one phrase and the table stays narrow."""
    names = [c.name for c in answer.columns]
    if "value" not in names:
        return answer
    parts = {n: names.index(n) for n in VALUE_PARTS if n in names}
    if not parts:
        return answer
    v = names.index("value")
    for row in answer.rows:
        cell = row[v]
        text = cell.text
        q = next((row[parts[n]].text for n in ("qualifier", "valueQualifier") if n in parts and row[parts[n]].text), "")
        if q:
            text = f"{q} {text}"
        if "upperValue" in parts and row[parts["upperValue"]].text:
            text += f"–{row[parts['upperValue']].text}"
        if "outOf" in parts and row[parts["outOf"]].text:
            text += f" of {row[parts['outOf']].text}"
        unit = next((row[parts[n]].text for n in ("unitLabel", "unit") if n in parts and row[parts[n]].text), "")
        if unit and unit != "count":
            text += f" {unit}"
        row[v] = Cell(text, cell.iri, cell.numeric, cell.refs)
    keep = [i for i in range(len(names)) if i not in parts.values()]
    return Answer([answer.columns[i] for i in keep], [[row[i] for i in keep] for row in answer.rows], answer.source_rows)


def shape(table: Table) -> Answer:
    """The answer as a reader's table (see the module docstring)."""
    answer = _shape(table)
    for i, col in enumerate(answer.columns):  # the statement layer aggregates references into one text column
        if col.name == "sources" and col.kind == "value" and all(not row[i].iri for row in answer.rows):
            col.kind = "sources"
            for row in answer.rows:
                row[i] = Cell(refs=parse_sources(row[i].text))
    answer = _compose_values(answer)
    for col in answer.columns:
        col.name = _header(col.name)
    return answer


def _shape(table: Table) -> Answer:
    cols = table.columns
    at = {c: i for i, c in enumerate(cols)}
    labels = {c: label_column(cols, c) for c in cols}
    hidden = {lab for c, lab in labels.items() if lab is not None}
    src_col = next((c for c in SOURCE_COLUMNS if c in at), None)
    loc_col = next((c for c in LOCATOR_COLUMNS if c in at), None) if src_col else None
    cited_col = next((c for c in CITED_COLUMNS if c in at), None) if src_col else None
    cited_loc_col = next((c for c in CITED_LOCATOR_COLUMNS if c in at), None) if src_col else None
    shown = [c for c in cols if c not in hidden and not (src_col and c in REFERENCE_COLUMNS)]
    columns = [Column(c, "status" if c in STATUS_COLUMNS else "value") for c in shown]
    if src_col:
        columns.append(Column("sources", "sources"))
    merged: dict[tuple, list[Cell]] = {}
    for row in table.rows:
        cells = []
        for c in shown:
            term = row[at[c]]
            lab = labels[c]
            if isinstance(term, ox.NamedNode):
                label_term = row[at[lab]] if lab else None
                cells.append(Cell(label_term.value if label_term is not None else display_text(term), term.value))
            else:
                cells.append(Cell(display_text(term), None,
                                  isinstance(term, ox.Literal) and term.datatype.value in _NUMERIC))
        key = tuple(cell.key() for cell in cells)
        if key not in merged:
            merged[key] = cells + ([Cell()] if src_col else [])
        if src_col:
            src = row[at[src_col]]
            if src is not None:
                ref = Reference(src.value, _cell_text(row, at, loc_col), _cell_text(row, at, cited_col),
                                _cell_text(row, at, cited_loc_col))
                refs = merged[key][-1].refs
                if ref not in refs:
                    refs.append(ref)
    return Answer(columns, list(merged.values()), len(table.rows))


_SOURCES_ITEM = re.compile(r"^(?P<key>[^:;]+?): (?P<loc>.*?)(?: \(via (?P<via>[^:]+): (?P<vialoc>.*)\))?$")


def parse_sources(text: str) -> list[Reference]:
    """The statement layer's aggregated `sources` text ("S22a: Antimony chapter (via reference-facts: §4);
    S35b: not given") as references."""
    refs = []
    for item in (p.strip() for p in text.split("; ") if p.strip()):
        m = _SOURCES_ITEM.match(item)
        refs.append(Reference(m.group("key"), m.group("loc"), m.group("via"), m.group("vialoc")) if m else Reference(item))
    return refs


def from_sparql_json(data: dict) -> Table:
    """A SPARQL JSON answer (as the query pool writes it) as a Table of pyoxigraph terms."""
    columns = list(data["head"].get("vars", []))

    def term(t: dict | None):
        if t is None:
            return None
        if t["type"] == "uri":
            return ox.NamedNode(t["value"])
        if t["type"] == "bnode":
            return ox.BlankNode(t["value"])
        if "xml:lang" in t:
            return ox.Literal(t["value"], language=t["xml:lang"])
        if "datatype" in t:
            return ox.Literal(t["value"], datatype=ox.NamedNode(t["datatype"]))
        return ox.Literal(t["value"])

    return Table(columns, [[term(b.get(c)) for c in columns] for b in data["results"]["bindings"]])


def _cell_text(row, at: dict[str, int], column: str | None) -> str | None:
    """The text of a row's cell in an optional column: None when the query has no such column or left it unbound."""
    term = row[at[column]] if column else None
    return None if term is None else term.value
