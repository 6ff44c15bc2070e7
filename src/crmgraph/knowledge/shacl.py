"""SHACL on Oxigraph: the shapes of `ontology/shapes.ttl` checked with SPARQL on an in-memory store.

Why not pyshacl on every build: it took 18.5 of a 29.6 s build, two thirds of that re-parsing the same
`sh:sparql` query once per focus node with rdflib's pure-Python parser, the rest walking rdflib graphs
(benchmarks/build.py measures both engines side by side). Here the data is loaded once into a
pyoxigraph store; targets, paths, class membership and `sh:sparql` constraints are SPARQL queries
(one per target, path and class, one pre-bound query per focus node for `sh:sparql`), and the
per-value tests (datatype, pattern, comparisons) are the same Python tests pyshacl applies, so the
findings are the same: `tests/test_knowledge_shacl.py` compares both engines' findings on the real
graph and on broken fixtures that trigger every constraint kind below.

Implemented — what our shapes use, nothing more: targets `sh:targetClass` (with subclasses),
`sh:targetNode`, `sh:targetSubjectsOf`, `sh:targetObjectsOf`; paths (IRI, sequence, `sh:alternativePath`,
`sh:inversePath`, `sh:oneOrMorePath`); `sh:property`, `sh:or`, `sh:minCount`, `sh:maxCount`, `sh:class`,
`sh:datatype`, `sh:nodeKind`, `sh:pattern` (+ `sh:flags`), `sh:uniqueLang`, `sh:lessThanOrEquals`,
`sh:hasValue`, `sh:sparql` (SELECT, `$this` pre-bound); `sh:message`, `sh:severity`. A shapes graph that
uses anything else raises `UnsupportedShapes` naming it, and `validation.findings` then runs
pyshacl instead: a new kind of shape is never silently skipped.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pyoxigraph as ox

from ..namespaces import RDF, RDFS, SH, XSD

_TYPE, _FIRST, _REST, _NIL = RDF + "type", RDF + "first", RDF + "rest", RDF + "nil"
VIOLATION = SH + "Violation"
_TARGETS = {SH + p for p in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")}
_CONSTRAINTS = {SH + p for p in ("minCount", "maxCount", "class", "datatype", "nodeKind", "pattern", "uniqueLang",
                                 "lessThanOrEquals", "hasValue", "or", "sparql")}
#: shape predicates that take part in validation without being a constraint of their own
_STRUCTURE = {SH + p for p in ("property", "path", "message", "severity", "flags", "name", "description", "order",
                               "group", "defaultValue")} | _TARGETS
_INTEGERS = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                                "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}
_NODE_KINDS = {SH + "IRI": (ox.NamedNode,), SH + "BlankNode": (ox.BlankNode,), SH + "Literal": (ox.Literal,),
               SH + "BlankNodeOrIRI": (ox.BlankNode, ox.NamedNode), SH + "BlankNodeOrLiteral": (ox.BlankNode, ox.Literal),
               SH + "IRIOrLiteral": (ox.NamedNode, ox.Literal)}


class UnsupportedShapes(Exception):
    """The shapes use a SHACL feature this engine does not implement (the caller falls back to pyshacl)."""


class ShapeError(Exception):
    """A shape that cannot be used as written (e.g. `sh:minCount "one"`): the shapes' fault."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


@dataclass(frozen=True)
class Finding:
    """One validation result, in the terms both engines can report (see `validation.pyshacl_findings`)."""

    focus: ox.NamedNode | ox.BlankNode | ox.Literal
    path: str | None  # the result path: its IRI, or the SPARQL form of a complex path
    value: ox.NamedNode | ox.BlankNode | ox.Literal | None
    severity: str
    component: str  # e.g. sh:MinCountConstraintComponent
    messages: tuple[str, ...]  # the declared sh:message texts (a SPARQL constraint's own first); () if none


class _Graph:
    """The shapes graph as subject → predicate → objects, with RDF lists."""

    def __init__(self, triples: list[ox.Triple]) -> None:
        self.out: dict = {}
        for t in triples:
            self.out.setdefault(t.subject, {}).setdefault(t.predicate.value, []).append(t.object)

    def values(self, node, predicate: str) -> list:
        return self.out.get(node, {}).get(predicate, [])

    def items(self, node) -> list:
        items, seen = [], set()
        while not (isinstance(node, ox.NamedNode) and node.value == _NIL):
            if node in seen or not self.values(node, _FIRST):
                raise ShapeError(f"an RDF list in the shapes is malformed at {node}", "write lists as ( a b c )")
            seen.add(node)
            items.append(self.values(node, _FIRST)[0])
            node = (self.values(node, _REST) or [ox.NamedNode(_NIL)])[0]
        return items


def _iri(term) -> str:
    if not isinstance(term, ox.NamedNode):
        raise ShapeError(f"expected an IRI in a shape, got {term}", "use a property or class IRI here")
    return f"<{term.value}>"


def _path_sparql(g: _Graph, node) -> str:
    """A SHACL property path as a SPARQL 1.1 property path."""
    if isinstance(node, ox.NamedNode):
        return _iri(node)
    if g.values(node, _FIRST):
        return "(" + " / ".join(_path_sparql(g, x) for x in g.items(node)) + ")"
    if alt := g.values(node, SH + "alternativePath"):
        return "(" + " | ".join(_path_sparql(g, x) for x in g.items(alt[0])) + ")"
    if inv := g.values(node, SH + "inversePath"):
        return "^" + _path_sparql(g, inv[0])
    if more := g.values(node, SH + "oneOrMorePath"):
        return "(" + _path_sparql(g, more[0]) + ")+"
    raise UnsupportedShapes(f"the path {node} (sh:zeroOrMorePath / sh:zeroOrOnePath are not implemented)")


def _integer(g: _Graph, node, predicate: str) -> int:
    value = g.values(node, predicate)[0]
    name = "sh:" + predicate[len(SH):]
    if (not isinstance(value, ox.Literal) or value.datatype.value not in _INTEGERS
            or not re.fullmatch(r"[+-]?[0-9]+", value.value) or int(value.value) < 0):
        raise ShapeError(f"{name} must be a non-negative integer, not {value}",
                         f"fix the shape (e.g. {name} takes an integer: {name} 1)")
    return int(value.value)


@dataclass
class Shape:
    node: ox.NamedNode | ox.BlankNode
    path: str | None  # SPARQL path, None for a node shape
    severity: str
    messages: tuple[str, ...]
    constraints: list[tuple[str, Any]] = field(default_factory=list)  # (kind, parameter: int, IRI, regex, shapes, query)
    properties: list["Shape"] = field(default_factory=list)


def _parse_shape(g: _Graph, node, cache: dict) -> Shape:
    if node in cache:
        return cache[node]
    preds = g.out.get(node, {})
    unknown = sorted(p for p in preds if p.startswith(SH) and p not in _CONSTRAINTS | _STRUCTURE)
    if SH + "deactivated" in unknown and all(v == ox.Literal(False) for v in preds[SH + "deactivated"]):
        unknown.remove(SH + "deactivated")
    if unknown:
        raise UnsupportedShapes(f"{node} uses " + ", ".join("sh:" + p[len(SH):] for p in unknown))
    if any(t.value in (RDFS + "Class", "http://www.w3.org/2002/07/owl#Class") for t in preds.get(_TYPE, [])):
        raise UnsupportedShapes(f"{node} is also a class (implicit class targets are not implemented)")
    path = _path_sparql(g, preds[SH + "path"][0]) if SH + "path" in preds else None
    severity = preds.get(SH + "severity", [ox.NamedNode(VIOLATION)])[0].value
    shape = Shape(node, path, severity, tuple(m.value for m in preds.get(SH + "message", [])))
    cache[node] = shape
    for p in sorted(preds):
        kind = p[len(SH):]
        for value in preds[p]:
            if p in (SH + "minCount", SH + "maxCount"):
                shape.constraints.append((kind, _integer(g, node, p)))
            elif kind in ("class", "datatype", "nodeKind", "lessThanOrEquals"):
                shape.constraints.append((kind, _iri(value)[1:-1]))
            elif kind == "hasValue":
                shape.constraints.append((kind, value))
            elif kind == "uniqueLang":
                if value.value == "true":
                    shape.constraints.append((kind, True))
            elif kind == "pattern":
                flags = "".join(f.value for f in preds.get(SH + "flags", [])[:1]).lower()
                shape.constraints.append((kind, re.compile(value.value, (re.I if "i" in flags else 0) | (re.M if "m" in flags else 0))))
            elif kind == "or":
                shape.constraints.append((kind, [_parse_shape(g, m, cache) for m in g.items(value)]))
            elif kind == "sparql":
                shape.constraints.append((kind, _parse_sparql(g, value)))
            elif kind == "property":
                if path is not None:
                    raise UnsupportedShapes(f"{node}: sh:property inside a property shape")
                shape.properties.append(_parse_shape(g, value, cache))
    for kind, value in shape.constraints:
        if kind == "nodeKind" and value not in _NODE_KINDS:
            raise ShapeError(f"unknown sh:nodeKind <{value}>", "use sh:IRI, sh:Literal, sh:BlankNode, sh:BlankNodeOrIRI …")
    return shape


@dataclass(frozen=True)
class _Sparql:
    select: str
    messages: tuple[str, ...]


def _parse_sparql(g: _Graph, node) -> _Sparql:
    preds = g.out.get(node, {})
    extra = sorted(p for p in preds if p.startswith(SH) and p not in (SH + "select", SH + "message"))
    if extra or SH + "select" not in preds:
        raise UnsupportedShapes(f"a sh:sparql constraint with {', '.join(extra) or 'no sh:select'}")
    text = preds[SH + "select"][0].value
    if re.search(r"[$?](shapesGraph|currentShape)\b", text):
        raise UnsupportedShapes("a sh:sparql constraint using $shapesGraph or $currentShape")
    return _Sparql(text, tuple(m.value for m in preds.get(SH + "message", [])))


def _to_rdflib(term):
    """The rdflib twin of a term: pyshacl's value tests (ill-typed literals, comparisons) run on these."""
    import rdflib

    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype.value == XSD + "string":
            return rdflib.Literal(term.value)
        log = logging.getLogger("rdflib.term")  # rdflib logs a traceback for every ill-typed literal
        quiet, log.disabled = log.disabled, True
        try:
            return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
        finally:
            log.disabled = quiet
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    return rdflib.BNode(term.value)


def _datatype_ok(term, datatype: str) -> bool:
    """pyshacl 0.40's DatatypeConstraintComponent on one value (rdflib's lexical checks included)."""
    if not isinstance(term, ox.Literal):
        return False
    import datetime as dt

    literal = _to_rdflib(term)
    actual = term.datatype.value if not term.language else RDF + "langString"
    if actual == datatype:
        if getattr(literal, "ill_typed", None) is True:
            return False
        value = literal.value
        checks: dict[str, type | tuple[type, ...]] = {XSD + "string": (str, bytes), RDF + "langString": (str, bytes), XSD + "integer": int,
                  XSD + "float": float, XSD + "decimal": Decimal, XSD + "boolean": bool, XSD + "date": dt.date,
                  XSD + "time": dt.time, XSD + "dateTime": dt.datetime}
        return isinstance(value, checks[datatype]) if datatype in checks else True
    if datatype == RDFS + "Literal":
        return True
    return datatype == RDFS + "Datatype" and not term.language


def _less_or_equal(a, b) -> bool:
    """pyshacl's sh:lessThanOrEquals test: strings only against strings, else Python's (rdflib's) <=."""
    def norm(term):
        if isinstance(term, ox.NamedNode):
            return term.value, True
        literal = _to_rdflib(term)
        return (literal.value, True) if isinstance(literal.value, str) else (literal, False)

    if isinstance(a, ox.BlankNode) or isinstance(b, ox.BlankNode):
        raise ShapeError("sh:lessThanOrEquals cannot compare a blank node", "compare literals or IRIs")
    (x, xs), (y, ys) = norm(a), norm(b)
    if xs != ys:
        return False
    try:
        return bool(x <= y)
    except TypeError:
        return False


class Validator:
    """Validates one data graph (triples) against one shapes graph."""

    def __init__(self, data: list[ox.Triple], shapes: list[ox.Triple]) -> None:
        self.g = _Graph(shapes)
        cache: dict = {}
        roots = [n for n, preds in self.g.out.items() if _TARGETS & preds.keys()]
        self.roots = [_parse_shape(self.g, n, cache) for n in sorted(roots, key=str)]
        self.store = ox.Store()
        self.store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in data)
        self._paths: dict[str, dict] = {}
        self._classes: dict[str, set] = {}

    # -- data access (SPARQL) -------------------------------------------------------------------------
    def _column(self, sparql: str) -> set:
        return {row[0] for row in self.store.query(sparql)}

    def instances(self, cls: str) -> set:
        if cls not in self._classes:
            self._classes[cls] = self._column(
                f"SELECT DISTINCT ?x WHERE {{ ?x <{_TYPE}>/<{RDFS}subClassOf>* <{cls}> }}")
        return self._classes[cls]

    def path_values(self, path: str) -> dict:
        if path not in self._paths:
            pairs: dict = {}
            for row in self.store.query(f"SELECT DISTINCT ?s ?o WHERE {{ ?s {path} ?o }}"):
                pairs.setdefault(row[0], set()).add(row[1])
            self._paths[path] = pairs
        return self._paths[path]

    def targets(self, shape: Shape) -> set:
        out: set = set()
        preds = self.g.out[shape.node]
        for c in preds.get(SH + "targetClass", []):
            out |= self.instances(_iri(c)[1:-1])
        out |= set(preds.get(SH + "targetNode", []))
        for p in preds.get(SH + "targetSubjectsOf", []):
            out |= self._column(f"SELECT DISTINCT ?s WHERE {{ ?s {_iri(p)} ?o }}")
        for p in preds.get(SH + "targetObjectsOf", []):
            out |= self._column(f"SELECT DISTINCT ?o WHERE {{ ?s {_iri(p)} ?o }}")
        return out

    # -- validation -----------------------------------------------------------------------------------
    def run(self) -> list[Finding]:
        findings: list[Finding] = []
        for shape in self.roots:
            findings += self.validate(shape, self.targets(shape))
        return findings

    def conforming(self, shape: Shape, nodes: set) -> set:
        return nodes - {f.focus for f in self.validate(shape, nodes)}

    def validate(self, shape: Shape, focus: set) -> list[Finding]:
        if shape.path is None:
            values = {f: {f} for f in focus}
        else:
            pairs = self.path_values(shape.path)
            values = {f: pairs.get(f, set()) for f in focus}
        out: list[Finding] = []

        def result(f, value, kind: str, messages: tuple[str, ...] = ()) -> None:
            out.append(Finding(f, self._result_path(shape), value, shape.severity,
                               SH + kind[0].upper() + kind[1:] + "ConstraintComponent", messages + shape.messages))

        for kind, param in shape.constraints:
            if kind == "minCount":
                for f, vs in values.items():
                    if len(vs) < param:
                        result(f, None, kind)
            elif kind == "maxCount":
                for f, vs in values.items():
                    if len(vs) > param:
                        result(f, None, kind)
            elif kind == "class":
                members = self.instances(param)
                for f, vs in values.items():
                    for v in vs:
                        if isinstance(v, ox.Literal) or v not in members:
                            result(f, v, kind)
            elif kind == "datatype":
                for f, vs in values.items():
                    for v in vs:
                        if not _datatype_ok(v, param):
                            result(f, v, kind)
            elif kind == "nodeKind":
                for f, vs in values.items():
                    for v in vs:
                        if not isinstance(v, _NODE_KINDS[param]):
                            result(f, v, kind)
            elif kind == "pattern":
                for f, vs in values.items():
                    for v in vs:
                        if isinstance(v, ox.BlankNode) or not param.search(v.value):
                            result(f, v, kind)
            elif kind == "uniqueLang":
                for f, vs in values.items():
                    langs = [v.language.lower() for v in vs if isinstance(v, ox.Literal) and v.language]
                    for _lang in sorted({x for x in langs if langs.count(x) > 1}):
                        result(f, None, kind)
            elif kind == "hasValue":
                for f, vs in values.items():
                    if param not in vs:
                        result(f, None, kind)
            elif kind == "lessThanOrEquals":
                others = self.path_values(f"<{param}>")
                for f, vs in values.items():
                    for v in vs:
                        for w in others.get(f, ()):
                            if not _less_or_equal(v, w):
                                result(f, v, kind)
            elif kind == "or":
                every = set().union(*values.values()) if values else set()
                passing = set().union(*(self.conforming(m, every) for m in param)) if every else set()
                for f, vs in values.items():
                    for v in vs:
                        if v not in passing:
                            result(f, v, kind)
            elif kind == "sparql":
                for f in values:
                    for this, path, value, bound in self._sparql(param, f):
                        text = tuple(_fill(m, bound) for m in param.messages)
                        shape_text = tuple(_fill(m, bound) for m in shape.messages)
                        out.append(Finding(this, path or self._result_path(shape),
                                           value if value is not None else (f if shape.path is None else None),
                                           shape.severity, SH + "SPARQLConstraintComponent",
                                           text + tuple(m for m in shape_text if m not in text)))
        for prop in shape.properties:
            out += self.validate(prop, focus)
        return out

    def _result_path(self, shape: Shape) -> str | None:
        if shape.path is None:
            return None
        return shape.path[1:-1] if re.fullmatch(r"<[^<>]*>", shape.path) else shape.path

    def _sparql(self, constraint: _Sparql, focus) -> list[tuple]:
        """Run a SPARQL constraint with $this pre-bound; distinct (this, path, value, other bindings)."""
        try:
            rows = self.store.query(constraint.select, substitutions={ox.Variable("this"): focus})
        except SyntaxError as exc:
            raise ShapeError(f"a sh:select is not valid SPARQL: {exc}", "fix the query of that sh:sparql constraint") from None
        names = [v.value for v in rows.variables]
        seen, out = set(), []
        for row in rows:
            bound = {n: row[n] for n in names if row[n] is not None}
            if "failure" in bound:
                raise UnsupportedShapes("a sh:sparql constraint reporting ?failure")
            this, path, value = bound.pop("this", None), bound.pop("path", None), bound.pop("value", None)
            if this is None and path is None and value is None:
                continue
            key = (this, path, value, tuple(sorted(bound.items(), key=lambda kv: kv[0])))
            if key in seen:
                continue
            seen.add(key)
            out.append((this or focus, path.value if path is not None else None, value,
                        {**bound, "this": this or focus, **({"value": value} if value is not None else {})}))
        return out


def _fill(message: str, bound: dict) -> str:
    """Substitute {$var} / {?var} in a SPARQL constraint's message, as pyshacl does."""
    for name, term in bound.items():
        message = re.sub("{[?$]" + re.escape(name) + "}", term.value.replace("\\", "\\\\"), message)
    return message


def validate(data: list[ox.Triple], shapes: list[ox.Triple]) -> list[Finding]:
    """Every finding of `shapes` on `data` (raises UnsupportedShapes or ShapeError)."""
    return Validator(data, shapes).run()
