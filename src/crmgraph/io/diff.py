"""`crmgraph diff OLD NEW`: what changed between two releases (or stores), statement by statement.

The unit is the statement, as curators and readers think of facts, not the triple:

- an **assertion** (`crm:Assertion`: a direct triple with its status and references) is keyed by the triple
  it reifies, `rdf:subject rdf:predicate rdf:object`;
- a **figure, claim or list entry** (any other `crm:Statement` node) is keyed by its IRI;
- its **body** is every other property (value, unit, year, status, comment …), with each reference (a blank
  node `[ crm:source …; crm:locator … ]`) read as its content, so blank-node labels never count;
- a direct triple of the asserted graph that no statement covers (a label, a type) is a **plain triple**.

A statement in NEW only is *added*, in OLD only *removed*; with the same key and another body it is
*changed*, listed with the properties that differ (old → new) and its sources before and after. Only the
asserted graph is compared (the inferred graph follows from it; the build graph differs every build).

OLD and NEW may each be a release folder (its `crmgraph.nq`), a store folder (`var/store`), or an N-Quads
or TriG file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..errors import CrmgraphError
from ..namespaces import CRM, GRAPH_ASSERTED, PROV, RDF, XSD, compact

_TYPE, _SUBJECT, _PREDICATE, _OBJECT = RDF + "type", RDF + "subject", RDF + "predicate", RDF + "object"
_DERIVED = PROV + "wasDerivedFrom"
#: Classes whose members are statements (the asserted graph types them with one of these).
STATEMENT_CLASSES = frozenset(CRM + c for c in ("Assertion", "Figure", "Claim", "ListEntry", "Statement"))


class DiffInputError(CrmgraphError):
    """An input of `crmgraph diff` is neither a release folder, a store nor an RDF dataset file."""


@dataclass(frozen=True)
class Statement:
    """One statement: its key (what it is about), kind, body (property → sorted values) and sources."""

    key: str
    kind: str
    body: tuple[tuple[str, tuple[str, ...]], ...]
    sources: tuple[str, ...]

    def as_json(self) -> dict:
        return {"key": self.key, "kind": self.kind, "body": {p: list(v) for p, v in self.body}, "sources": list(self.sources)}


@dataclass
class Change:
    """A statement whose body differs: the properties that differ, old and new values."""

    old: Statement
    new: Statement
    fields: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"key": self.new.key, "kind": self.new.kind,
                "changed": {p: {"old": list(o), "new": list(n)} for p, (o, n) in self.fields.items()},
                "sourcesBefore": list(self.old.sources), "sourcesAfter": list(self.new.sources)}


@dataclass
class Diff:
    """What `crmgraph diff` reports."""

    added: list[Statement] = field(default_factory=list)
    removed: list[Statement] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    triples_added: list[str] = field(default_factory=list)
    triples_removed: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.triples_added or self.triples_removed)

    def as_json(self) -> dict:
        return {"added": [s.as_json() for s in self.added], "removed": [s.as_json() for s in self.removed],
                "changed": [c.as_json() for c in self.changed],
                "triplesAdded": self.triples_added, "triplesRemoved": self.triples_removed}


# -- reading the inputs --------------------------------------------------------------------------

def read_asserted(path: Path) -> list[ox.Triple]:
    """The asserted graph of a release folder, a store folder, or an N-Quads/TriG file."""
    path = Path(path)
    graph = ox.NamedNode(GRAPH_ASSERTED)
    if path.is_dir() and (path / "CURRENT").exists():
        store = ox.Store.read_only(str(path))
        return [q.triple for q in store.quads_for_pattern(None, None, None, graph)]
    if path.is_dir() and (path / "crmgraph.nq").exists():
        path = path / "crmgraph.nq"
    formats = {".nq": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG}
    if not path.is_file() or path.suffix not in formats:
        raise DiffInputError(f"{path}: not a release folder, a store or an .nq/.trig file",
                             hint="give a folder written by `crmgraph export`, a store folder (var/store) or a dataset file")
    try:
        return [q.triple for q in ox.parse(path=str(path), format=formats[path.suffix]) if q.graph_name == graph]
    except SyntaxError as exc:
        raise DiffInputError(f"{path}: cannot be parsed: {exc}", hint="is it a complete N-Quads/TriG file?") from exc


def _text(term, bnodes: dict[str, list[tuple[str, object]]], depth: int = 0) -> str:
    """A term as text; a blank node as its content `[p o; …]` (so its label never matters)."""
    if isinstance(term, ox.BlankNode):
        if depth > 5:
            return "[…]"
        pairs = sorted(f"{compact(p)} {_text(o, bnodes, depth + 1)}" for p, o in bnodes.get(term.value, []))
        return "[" + "; ".join(pairs) + "]"
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    if isinstance(term, ox.Literal) and not term.language and term.datatype.value != XSD + "string":
        return f"{ox.Literal(term.value)}^^{compact(term.datatype.value)}"
    return str(term)


def statements(triples: list[ox.Triple]) -> tuple[dict[str, Statement], set[str]]:
    """The statements of an asserted graph by key, and its plain triples (as text)."""
    bnodes: dict[str, list[tuple[str, object]]] = {}
    props: dict[str, list[tuple[str, Any]]] = {}  # (predicate IRI, pyoxigraph term)
    kinds: dict[str, str] = {}
    for t in triples:
        if isinstance(t.subject, ox.BlankNode):
            bnodes.setdefault(t.subject.value, []).append((t.predicate.value, t.object))
        else:
            props.setdefault(str(t.subject), []).append((t.predicate.value, t.object))
            if t.predicate.value == _TYPE and t.object.value in STATEMENT_CLASSES:
                kinds[str(t.subject)] = t.object.value
    out: dict[str, Statement] = {}
    covered: set[str] = set()
    for node, kind in kinds.items():
        values: dict[str, set[str]] = {}
        sources: list[str] = []
        reified = {}
        for p, o in props[node]:
            if p == _DERIVED:
                sources.append(_text(o, bnodes))
            elif p in (_SUBJECT, _PREDICATE, _OBJECT) and kind == CRM + "Assertion":
                reified[p] = o
            elif not (p == _TYPE and o.value in STATEMENT_CLASSES):
                values.setdefault(compact(p), set()).add(_text(o, bnodes))
        if kind == CRM + "Assertion" and len(reified) == 3:
            triple = f"{_text(reified[_SUBJECT], bnodes)} {_text(reified[_PREDICATE], bnodes)} {_text(reified[_OBJECT], bnodes)}"
            covered.add(triple)
            key = triple
        else:
            key = compact(node[1:-1]) if node.startswith("<") else node
        out[key] = Statement(key, compact(kind), tuple(sorted((p, tuple(sorted(v))) for p, v in values.items())),
                             tuple(sorted(sources)))
    plain = set()
    for t in triples:
        if isinstance(t.subject, ox.BlankNode) or str(t.subject) in kinds:
            continue
        text = f"{_text(t.subject, bnodes)} {_text(t.predicate, bnodes)} {_text(t.object, bnodes)}"
        if text not in covered:
            plain.add(text)
    return out, plain


def diff_graphs(old: list[ox.Triple], new: list[ox.Triple]) -> Diff:
    """The difference between two asserted graphs, by statement."""
    old_st, old_plain = statements(old)
    new_st, new_plain = statements(new)
    result = Diff()
    result.added = [new_st[k] for k in sorted(new_st.keys() - old_st.keys())]
    result.removed = [old_st[k] for k in sorted(old_st.keys() - new_st.keys())]
    for key in sorted(old_st.keys() & new_st.keys()):
        a, b = old_st[key], new_st[key]
        if a.body == b.body and a.sources == b.sources and a.kind == b.kind:
            continue
        change = Change(a, b)
        before, after = dict(a.body), dict(b.body)
        for p in sorted(before.keys() | after.keys()):
            if before.get(p, ()) != after.get(p, ()):
                change.fields[p] = (before.get(p, ()), after.get(p, ()))
        if a.sources != b.sources:
            change.fields["prov:wasDerivedFrom"] = (a.sources, b.sources)
        result.changed.append(change)
    result.triples_added = sorted(new_plain - old_plain)
    result.triples_removed = sorted(old_plain - new_plain)
    return result


def diff(old: Path, new: Path) -> Diff:
    """`crmgraph diff OLD NEW`: two release folders, stores or dataset files."""
    return diff_graphs(read_asserted(old), read_asserted(new))


def to_text(d: Diff) -> str:
    """The diff for a terminal: one block per statement, sources indented under it."""
    if d.empty:
        return "no change in the asserted graph\n"
    out = [f"{len(d.added)} added, {len(d.removed)} removed, {len(d.changed)} changed statements; "
           f"{len(d.triples_added)} plain triples added, {len(d.triples_removed)} removed"]

    def block(sign: str, st: Statement) -> None:
        out.append(f"{sign} {st.kind} {st.key}")
        for p, values in st.body:
            out.append(f"    {p} {', '.join(values)}")
        for s in st.sources:
            out.append(f"    source {s}")

    for st in d.added:
        block("+", st)
    for st in d.removed:
        block("-", st)
    for c in d.changed:
        out.append(f"~ {c.new.kind} {c.new.key}")
        for p, (before, after) in c.fields.items():
            out.append(f"    {p}: {', '.join(before) or '(none)'} → {', '.join(after) or '(none)'}")
        for s in c.new.sources:
            out.append(f"    source {s}")
    out += [f"+ {t}" for t in d.triples_added] + [f"- {t}" for t in d.triples_removed]
    return "\n".join(out) + "\n"
