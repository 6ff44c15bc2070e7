"""Reading the curated files (`ontology/*.ttl`, `graph/*.ttl`) into quads, with positions.

Curators write direct triples annotated with their references in RDF 1.2 annotation syntax
(`s p o {| prov:wasDerivedFrom [...] |}`). Oxigraph parses that into a reifier
(`_:r rdf:reifies <<( s p o )>>`). Here each reifier becomes a classic RDF 1.1 reification, a
`crm:Assertion` node with `rdf:subject/predicate/object` and a stable IRI, so that every SPARQL 1.1
client and server (Virtuoso, rdflib, owlready2) can read the references. See ARCHITECTURE.md.
"""
from __future__ import annotations

import hashlib
import re
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox

from ..errors import ParseError, Problem
from ..namespaces import ASSERTION, CRM, PROV, RDF
from .positions import Positions, scan

RDF_TYPE = ox.NamedNode(RDF + "type")
RDF_REIFIES = ox.NamedNode(RDF + "reifies")
RDF_SUBJECT = ox.NamedNode(RDF + "subject")
RDF_PREDICATE = ox.NamedNode(RDF + "predicate")
RDF_OBJECT = ox.NamedNode(RDF + "object")
WAS_DERIVED_FROM = ox.NamedNode(PROV + "wasDerivedFrom")
CRM_ASSERTION = ox.NamedNode(CRM + "Assertion")
CRM_REFERENCE = ox.NamedNode(CRM + "Reference")
CRM_ASSERTED_IN = ox.NamedNode(CRM + "assertedIn")

_PREFIX_RE = re.compile(r"^\s*@?prefix\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)
_SUBJECT_RE = re.compile(r"^(<[^>]+>|[A-Za-z][\w.-]*:[^\s;,.]*(?:\.[^\s;,.]+)*)\s")


@dataclass
class CuratedFile:
    """One parsed file: its triples (annotations already turned into assertions) and an index of
    where each subject is first written, so that errors can name a line."""

    path: Path
    name: str  # path relative to the project, e.g. graph/figures.ttl
    triples: list[ox.Triple]
    subject_lines: dict[str, int] = field(default_factory=dict)
    text: str = ""

    def line_of(self, iri: str) -> int | None:
        """The line where `iri` is described (as a subject), else where it is first written as a term
        (never in a comment or a string, never as part of a longer name)."""
        if iri in self.subject_lines:
            return self.subject_lines[iri]
        return self.positions.line_of_iri(iri)

    def line_of_term(self, term, subject=None, predicate: str | None = None) -> int | None:
        """The line where `term` (an IRI or a literal) is written in the statements about `subject`
        (a NamedNode, or None) — right after `predicate` if given and written so —, else where it is first
        written; else the subject's line."""
        subject_iri = subject.value if isinstance(subject, ox.NamedNode) else None
        if isinstance(term, ox.Literal):
            line = self.positions.line_of_literal(term.value, term.datatype.value, subject_iri, predicate)
        elif isinstance(term, ox.NamedNode):
            line = self.positions.line_of_iri(term.value, subject_iri, predicate)
        else:
            line = None
        if line is None and subject_iri is not None:
            line = self.line_of(subject_iri)
        return line

    @cached_property
    def positions(self) -> Positions:
        """Where each term is written (computed on first use: only files with a problem pay for it)."""
        return scan(self.text)


def _prefixes(text: str) -> dict[str, str]:
    found = {}
    for line in text.splitlines():
        m = _PREFIX_RE.match(line)
        if m:
            found[m.group(1) or ""] = m.group(2)
    return found


def _index_subjects(text: str) -> dict[str, int]:
    """Map each IRI written at the start of a line (a subject) to its first line number."""
    prefixes = _prefixes(text)
    index: dict[str, int] = {}
    for lineno, line in enumerate(text.splitlines(), start=1):
        m = _SUBJECT_RE.match(line)
        if not m:
            continue
        token = m.group(1)
        if token.startswith("<"):
            iri = token[1:-1]
        else:
            prefix, _, local = token.partition(":")
            if prefix not in prefixes:
                continue
            iri = prefixes[prefix] + local.replace("\\", "")
        index.setdefault(iri, lineno)
    return index


_LINE_RE = re.compile(r"line (\d+)")
#: Files parsed in this process, by name and content: parsing the same text again gives the same triples
#: (assertion IRIs depend only on name and text), so a process that compiles many copies of the project
#: (the test suite, a notebook) parses each unchanged file once. Callers never mutate `triples`.
_PARSED: OrderedDict[tuple[str, str], CuratedFile] = OrderedDict()
_PARSED_MAX = 64


def parse_file(path: Path, name: str) -> CuratedFile:
    """Parse one Turtle file. Raises ParseError naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError([Problem(f"not UTF-8 text ({exc.reason} at byte {exc.start})", file=name,
                                  hint="save the file as UTF-8")]) from exc
    except IsADirectoryError:
        raise ParseError([Problem("is a folder, not a Turtle file", file=name,
                                  hint="rename the folder so its name does not end in .ttl, or move it out")]) from None
    except FileNotFoundError:
        raise ParseError([Problem("cannot be read: it is a link to a file that does not exist", file=name,
                                  hint="remove the link, or point it at an existing Turtle file")]) from None
    except OSError as exc:
        raise ParseError([Problem(f"cannot be read: {exc.strerror or exc}", file=name,
                                  hint="check the file's permissions")]) from None
    key = (name, hashlib.sha1(text.encode("utf-8")).hexdigest())
    if key in _PARSED:
        _PARSED.move_to_end(key)
        return replace(_PARSED[key], path=path)
    try:
        quads = list(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE))
    except SyntaxError as exc:
        msg = str(exc)
        m = _LINE_RE.search(msg)
        hint = ("declare the prefix at the top of the file (see docs/curation.md for the standard list)"
                if "prefix" in msg.lower() else "check the Turtle syntax around that line")
        raise ParseError([Problem(msg, file=name, line=int(m.group(1)) if m else None, hint=hint)]) from exc
    triples = _reify_annotations(quads, name)
    parsed = CuratedFile(path=path, name=name, triples=triples, subject_lines=_index_subjects(text), text=text)
    _PARSED[key] = parsed
    while len(_PARSED) > _PARSED_MAX:
        _PARSED.popitem(last=False)
    return parsed


def _local_blank(node, tag: str, cache: dict):
    """Blank-node labels are local to a file: make them unique across files."""
    if isinstance(node, ox.BlankNode):
        if node not in cache:
            cache[node] = ox.BlankNode(f"{tag}{node.value}")
        return cache[node]
    return node


def _reify_annotations(quads, name: str) -> list[ox.Triple]:
    tag = "f" + hashlib.sha1(name.encode()).hexdigest()[:8] + "x"
    bnodes: dict = {}
    reifiers: dict[object, ox.Triple] = {}
    for q in quads:
        if q.predicate == RDF_REIFIES and isinstance(q.object, ox.Triple):
            reifiers[q.subject] = q.object

    # A stable IRI per annotation block: the triple, the file, and its ordinal in that file.
    seen: dict[tuple, int] = defaultdict(int)
    assertion_of: dict[object, ox.NamedNode] = {}
    out: list[ox.Triple] = []
    # A blank node in the annotated triple counts by its order of first appearance in the file, not by its
    # label (Oxigraph draws labels at random): the same file gives the same assertion IRIs on every build.
    order: dict[object, str] = {}
    for q in quads:
        terms = (q.subject, q.object) + ((q.object.subject, q.object.object) if isinstance(q.object, ox.Triple) else ())
        for term in terms:
            if isinstance(term, ox.BlankNode) and term not in order:
                order[term] = f"_:b{len(order)}"

    def stable(term) -> str:
        return order.get(term, str(term)) if isinstance(term, ox.BlankNode) else str(term)

    for reifier, triple in reifiers.items():
        key = (stable(triple.subject), str(triple.predicate), stable(triple.object))
        ordinal = seen[key]
        seen[key] += 1
        digest = hashlib.sha1("|".join(key + (name, str(ordinal))).encode()).hexdigest()[:20]
        node = ox.NamedNode(ASSERTION + digest) if isinstance(reifier, ox.BlankNode) else reifier
        assertion_of[reifier] = node
        s = _local_blank(triple.subject, tag, bnodes)
        o = _local_blank(triple.object, tag, bnodes)
        out += [
            ox.Triple(node, RDF_TYPE, CRM_ASSERTION),
            ox.Triple(node, RDF_SUBJECT, s),
            ox.Triple(node, RDF_PREDICATE, triple.predicate),
            ox.Triple(node, RDF_OBJECT, o),
            ox.Triple(node, CRM_ASSERTED_IN, ox.Literal(name)),
        ]

    for q in quads:
        if q.predicate == RDF_REIFIES and isinstance(q.object, ox.Triple):
            continue
        s = assertion_of.get(q.subject) or _local_blank(q.subject, tag, bnodes)
        o = assertion_of.get(q.object) or _local_blank(q.object, tag, bnodes)
        out.append(ox.Triple(s, q.predicate, o))
        if q.predicate == WAS_DERIVED_FROM and isinstance(o, ox.BlankNode):
            out.append(ox.Triple(o, RDF_TYPE, CRM_REFERENCE))
    return list(dict.fromkeys(out))  # drop duplicates, keep order


def read_curated(root: Path, folders: tuple[str, ...]) -> list[CuratedFile]:
    """Parse every `*.ttl` under the given folders of the project (sorted, so builds are stable).

    Collects the parse errors of all files before raising, so a curator sees them all at once.
    """
    files: list[CuratedFile] = []
    problems: list[Problem] = []
    for folder in folders:
        for path in sorted((root / folder).glob("*.ttl")):
            name = path.relative_to(root).as_posix()
            try:
                files.append(parse_file(path, name))
            except ParseError as exc:
                problems += exc.problems
    if problems:
        raise ParseError(problems)
    return files
