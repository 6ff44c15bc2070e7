"""SHACL validation of the curated data, with a report a curator can act on.

Two engines give the same findings (`tests/test_knowledge_shacl.py`): `shacl.py` on Oxigraph (every
build: fast), and pyshacl (the reference, `crmgraph validate --engine pyshacl`; and the fallback when
the shapes use a feature `shacl.py` does not implement). Engines report focus nodes; curators think
in files and lines. `locate` maps a focus node back to the file and line that describe it: an entity to its defining line, a reference (a blank node)
to the statement that cites it, an assertion to the annotated triple.
"""
from __future__ import annotations

import re
from typing import Any

from typing import TYPE_CHECKING

import pyoxigraph as ox

if TYPE_CHECKING:
    import rdflib  # imported where pyshacl runs: a build on our engine does not load rdflib (~0.1 s)
from . import shacl
from .shacl import Finding, ShapeError, UnsupportedShapes

from .curated import CRM_ASSERTED_IN, RDF_SUBJECT, WAS_DERIVED_FROM, CuratedFile
from ..errors import Problem, ShapeViolationError
from ..namespaces import SH, XSD, compact


def to_rdflib(triples: list[ox.Triple]) -> rdflib.Graph:
    import rdflib

    graph = rdflib.Graph()
    if triples:
        graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="ox-ntriples")
    return graph


class Locator:
    """Answers 'where in graph/ is this node written?'."""

    def __init__(self, files: list[CuratedFile]) -> None:
        self.files = files
        self.parent: dict[str, Any] = {}  # blank node id -> the pyoxigraph term that points to it
        self.asserted_in: dict[str, str] = {}
        self.assertion_subject: dict[str, str] = {}
        self.file_of_bnode: dict[str, CuratedFile] = {}
        for f in files:
            for t in f.triples:
                if t.predicate == WAS_DERIVED_FROM and isinstance(t.object, ox.BlankNode):
                    self.parent[t.object.value] = t.subject
                if isinstance(t.subject, ox.BlankNode):
                    self.file_of_bnode.setdefault(t.subject.value, f)
                if t.predicate == CRM_ASSERTED_IN:
                    self.asserted_in[t.subject.value] = t.object.value
                if t.predicate == RDF_SUBJECT and isinstance(t.object, ox.NamedNode):
                    self.assertion_subject[t.subject.value] = t.object.value

    def locate(self, node: str, is_blank: bool) -> tuple[str | None, int | None, str]:
        """Return (file, line, entity label) for a focus node."""
        if is_blank:
            parent = self.parent.get(node)
            if parent is not None:
                return self.locate(parent.value, isinstance(parent, ox.BlankNode))
            f = self.file_of_bnode.get(node)
            return (f.name if f else None, None, "a blank node")
        if node in self.asserted_in:
            name = self.asserted_in[node]
            subject = self.assertion_subject.get(node, "")
            f = next((f for f in self.files if f.name == name), None)
            return name, f.line_of(subject) if f and subject else None, f"the annotation on {compact(subject)}"
        for f in self.files:
            if node in f.subject_lines:
                return f.name, f.subject_lines[node], compact(node)
        return None, None, compact(node)


ENGINES = ("oxigraph", "pyshacl")


def pyshacl_findings(data: list[ox.Triple], ontology: list[ox.Triple], shapes: list[ox.Triple]) -> list[Finding]:
    """The reference engine: pyshacl's report as `Finding`s (the ontology mixed into the data graph)."""
    import pyshacl
    import rdflib

    from pyshacl.errors import ConstraintLoadError, ReportableRuntimeError, ShapeLoadError

    shapes_graph = to_rdflib(shapes)
    templates = [_template(str(m)) for m in shapes_graph.objects(None, rdflib.URIRef(SH + "message"))]
    try:
        _conforms, report, _ = pyshacl.validate(
            to_rdflib(data), shacl_graph=shapes_graph, ont_graph=to_rdflib(ontology),
            inference="none", advanced=True, allow_warnings=True, abort_on_first=False)
    except (ShapeLoadError, ConstraintLoadError, ReportableRuntimeError) as exc:
        raise ShapeError(f"{getattr(exc, 'message', exc)}", "fix the shape (e.g. sh:minCount takes an integer: sh:minCount 1)") from None
    sh = rdflib.Namespace(SH)
    as_ox = _Converter(report)
    out = []
    for result in report.subjects(rdflib.RDF.type, sh.ValidationResult):
        path = report.value(result, sh.resultPath)
        messages = [str(m) for m in report.objects(result, sh.resultMessage)]
        constraint = report.value(result, sh.sourceConstraint)
        own = [str(m) for m in report.objects(constraint, sh.message)] if constraint is not None else []
        mine = sorted(m for m in messages if any(re.fullmatch(_template(t), m) for t in own))
        # pyshacl's generic text (the shape declares no message) is not a declared message
        declared = mine + sorted(m for m in set(messages) - set(mine) if any(re.fullmatch(t, m) for t in templates))
        value = report.value(result, sh.value)
        out.append(Finding(as_ox.term(report.value(result, sh.focusNode)),
                           None if path is None else str(path) if isinstance(path, rdflib.URIRef) else as_ox.path(path),
                           None if value is None else as_ox.term(value), str(report.value(result, sh.resultSeverity)),
                           str(report.value(result, sh.sourceConstraintComponent)), tuple(declared)))
    return out


def _template(message: str) -> str:
    return ".*".join(re.escape(part) for part in re.split(r"{[?$]\w+}", message))


class _Converter:
    """rdflib terms of a pyshacl report → pyoxigraph terms; complex result paths → their SPARQL form."""

    def __init__(self, report: rdflib.Graph) -> None:
        self.graph = report

    @staticmethod
    def term(node):
        import rdflib

        if isinstance(node, rdflib.BNode):
            return ox.BlankNode(str(node))
        if isinstance(node, rdflib.URIRef):
            return ox.NamedNode(str(node))
        if node.language:
            return ox.Literal(str(node), language=node.language)
        return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype or XSD + "string")))

    def path(self, node) -> str:
        import rdflib

        triples = [ox.Triple(*(self.term(x) for x in t)) for t in self.graph.triples((None, None, None))
                   if not isinstance(t[2], rdflib.Literal)]
        return shacl._path_sparql(shacl._Graph(triples), self.term(node))


def located(findings: list[Finding], files: list[CuratedFile]) -> tuple[list[Problem], list[Problem]]:
    """Findings → (violations, warnings) located in graph/, one per file, line, entity and text."""
    locator = Locator(files)
    violations: list[Problem] = []
    warnings: list[Problem] = []
    seen: set[tuple] = set()
    for finding in findings:
        file, line, entity = locator.locate(finding.focus.value, isinstance(finding.focus, ox.BlankNode))
        text = finding.messages[0] if finding.messages else _default_message(finding)
        if finding.path is not None and not finding.path.startswith(("(", "^")):
            text = f"{compact(finding.path)}: {text}"
        if finding.value is not None and not isinstance(finding.value, ox.BlankNode):
            text += f" (value: {_show(finding.value)})"
        key = (file, line, entity, text)
        if key in seen:
            continue
        seen.add(key)
        problem = Problem(text, file=file, line=line, entity=entity)
        (violations if finding.severity == SH + "Violation" else warnings).append(problem)
    sort = lambda p: (p.file or "", p.line or 0, p.message)  # noqa: E731
    return sorted(violations, key=sort), sorted(warnings, key=sort)


def _show(term) -> str:
    """A value as the report shows it: a literal in Turtle form (rdflib's n3), an IRI compacted."""
    if isinstance(term, ox.Literal):
        return shacl._to_rdflib(term).n3()
    return compact(term.value)


_DEFAULTS = {"MinCount": "needs a value here (sh:minCount)", "MaxCount": "has more values than allowed (sh:maxCount)",
             "Class": "the value is not of the class the shape expects (sh:class)",
             "Datatype": "the value is not a literal of the datatype the shape expects (sh:datatype)",
             "NodeKind": "the value is not of the kind the shape expects (sh:nodeKind)",
             "Pattern": "the value does not match the shape's pattern (sh:pattern)",
             "UniqueLang": "two values share a language (sh:uniqueLang)",
             "LessThanOrEquals": "the value is greater than the one it must not exceed (sh:lessThanOrEquals)",
             "HasValue": "lacks the value the shape requires (sh:hasValue)", "Or": "matches none of the alternatives (sh:or)",
             "SPARQL": "violates a SPARQL constraint (sh:sparql)"}


def _default_message(finding: Finding) -> str:
    name = finding.component[len(SH):].removesuffix("ConstraintComponent")
    return _DEFAULTS.get(name, f"violates a shape ({compact(finding.component)})")


def findings(data: list[ox.Triple], ontology: list[ox.Triple], shapes: list[ox.Triple],
             engine: str = "oxigraph") -> tuple[list[Finding], str]:
    """Every finding and the engine that produced it. `oxigraph` (the default, `shacl.py`) falls back to
    pyshacl when the shapes use a feature it does not implement; `pyshacl` is the reference."""
    if engine not in ENGINES:
        raise ValueError(f"unknown SHACL engine {engine!r} (one of {', '.join(ENGINES)})")
    try:
        if engine == "oxigraph":
            try:
                return shacl.validate(data + ontology, shapes), "oxigraph"
            except UnsupportedShapes:
                pass
        return pyshacl_findings(data, ontology, shapes), "pyshacl"
    except ShapeError as exc:
        # a malformed shape (sh:minCount "one" …) is the shapes' fault, not a crash: say which and why
        raise ShapeViolationError([Problem(f"a shape cannot be used: {exc.message}", file="ontology/shapes.ttl",
                                           hint=exc.hint)]) from None


def validate_shapes(data: list[ox.Triple], ontology: list[ox.Triple], shapes: list[ox.Triple],
                    files: list[CuratedFile], engine: str = "oxigraph") -> tuple[list[Problem], list[Problem]]:
    """Validate; return (violations, warnings) as located problems."""
    return located(findings(data, ontology, shapes, engine)[0], files)
