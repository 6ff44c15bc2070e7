"""SHACL validation of the curated data (pyshacl), with a report a curator can act on.

pyshacl reports focus nodes; curators think in files and lines. `locate` maps a focus node back
to the file and line that describe it: an entity to its defining line, a reference (a blank node)
to the statement that cites it, an assertion to the annotated triple.
"""
from __future__ import annotations

import pyoxigraph as ox
import rdflib

from .curated import CRM_ASSERTED_IN, RDF_SUBJECT, WAS_DERIVED_FROM, CuratedFile
from ..errors import Problem, ShapeViolationError
from ..namespaces import SH, compact


def to_rdflib(triples: list[ox.Triple]) -> rdflib.Graph:
    graph = rdflib.Graph()
    if triples:
        graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="ox-ntriples")
    return graph


class Locator:
    """Answers 'where in graph/ is this node written?'."""

    def __init__(self, files: list[CuratedFile]) -> None:
        self.files = files
        self.parent: dict[str, object] = {}
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


def validate_shapes(data: list[ox.Triple], ontology: list[ox.Triple], shapes: list[ox.Triple],
                    files: list[CuratedFile]) -> tuple[list[Problem], list[Problem]]:
    """Run pyshacl; return (violations, warnings) as located problems."""
    import pyshacl

    from pyshacl.errors import ShapeLoadError, ConstraintLoadError, ReportableRuntimeError

    try:
        conforms, report, _ = pyshacl.validate(
            to_rdflib(data), shacl_graph=to_rdflib(shapes), ont_graph=to_rdflib(ontology),
            inference="none", advanced=True, allow_warnings=True, abort_on_first=False)
    except (ShapeLoadError, ConstraintLoadError, ReportableRuntimeError) as exc:
        # a malformed shape (sh:minCount "one" …) is the shapes' fault, not a crash: say which and why
        raise ShapeViolationError([Problem(f"a shape cannot be used: {getattr(exc, 'message', exc)}",
                                           file="ontology/shapes.ttl",
                                           hint="fix the shape (e.g. sh:minCount takes an integer: sh:minCount 1)")]) from None
    del conforms  # with allow_warnings, a report of warnings only still "conforms": read it anyway
    sh = rdflib.Namespace(SH)
    locator = Locator(files)
    violations: list[Problem] = []
    warnings: list[Problem] = []
    seen: set[tuple] = set()
    for result in report.subjects(rdflib.RDF.type, sh.ValidationResult):
        focus = report.value(result, sh.focusNode)
        path = report.value(result, sh.resultPath)
        message = report.value(result, sh.resultMessage)
        severity = report.value(result, sh.resultSeverity)
        value = report.value(result, sh.value)
        file, line, entity = locator.locate(str(focus), isinstance(focus, rdflib.BNode))
        text = str(message) if message else "violates a shape"
        if path is not None and isinstance(path, rdflib.URIRef):
            text = f"{compact(str(path))}: {text}"
        if value is not None and not isinstance(value, rdflib.BNode):
            text += f" (value: {value.n3() if isinstance(value, rdflib.Literal) else compact(str(value))})"
        key = (file, line, entity, text)
        if key in seen:
            continue
        seen.add(key)
        problem = Problem(text, file=file, line=line, entity=entity)
        (warnings if severity in (sh.Warning, sh.Info) else violations).append(problem)
    sort = lambda p: (p.file or "", p.line or 0, p.message)  # noqa: E731
    return sorted(violations, key=sort), sorted(warnings, key=sort)

