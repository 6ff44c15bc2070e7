"""Curation rules the build enforces before SHACL and reasoning (docs/curation.md).

These catch what SHACL cannot express well and what curators get wrong most often: a misspelt
ontology term, an entity used but defined nowhere, an entity defined twice with different labels,
and a contradicted claim written as a plain triple. Every problem names the file and line.

Fidelity rules (issue 9), each a mistake found in the data once:
- one triple with two statuses (stated in two files, Verified in one and Unverified in the other): a
  reader cannot tell which holds;
- duplicate role nodes (the same person, title and organisation twice): counts and pages double;
- a domain triple without a reference: typically `s p A , B {| … |}`, whose annotation covers only B;
- a figure whose comment says the year is "not stated" while it carries one: an invented year, which
  creates false conflicts and hides real ones.
"""
from __future__ import annotations

import re

from collections import defaultdict
from typing import Any

import pyoxigraph as ox

from .curated import RDF_OBJECT, RDF_PREDICATE, RDF_SUBJECT, RDF_TYPE, CuratedFile
from ..errors import CurationError, Problem
from ..namespaces import ASSERTION, CRM, ID, OWL, PROV, RDF, RDFS, SH, SKOS, XSD, compact
from .lexical import INTEGER_TYPES, XSD_DATATYPES
from .lexical import problem as lexical_problem
from .values import _entity, check_literal_forms, check_values

PREF_LABEL = ox.NamedNode(SKOS + "prefLabel")
CRM_STATUS = ox.NamedNode(CRM + "status")
CONTRADICTED = ox.NamedNode(CRM + "Contradicted")
RDFS_COMMENT = RDFS + "comment"


def _iris(triple: ox.Triple):
    for term in (triple.subject, triple.predicate, triple.object):
        if isinstance(term, ox.NamedNode):
            yield term.value


def check_curation(ontology: list[CuratedFile], data: list[CuratedFile]) -> list[Problem]:
    """Return every rule broken by the data files (empty when all is well)."""
    problems: list[Problem] = []
    declared = {t.subject.value for f in ontology for t in f.triples if isinstance(t.subject, ox.NamedNode)}
    defined: dict[str, str] = {}  # entity IRI -> file that gives it a type
    labels: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)  # (iri, lang) -> {label: file}
    for f in data:
        for t in f.triples:
            if t.predicate == RDF_TYPE and isinstance(t.subject, ox.NamedNode):
                defined.setdefault(t.subject.value, f.name)
            if t.predicate == PREF_LABEL and isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.Literal):
                labels[(t.subject.value, t.object.language or "")].setdefault(t.object.value, f.name)

    reported: set[tuple[str, str]] = set()
    for f in data:
        for t in f.triples:
            for iri in _iris(t):
                if iri.startswith(CRM) and iri not in declared and (f.name, iri) not in reported:
                    reported.add((f.name, iri))
                    problems.append(Problem(
                        f"unknown ontology term {compact(iri)}", file=f.name, line=f.line_of_term(ox.NamedNode(iri), t.subject),
                        hint="use a term of ontology/crmgraph.ttl (listed in docs/curation.md) or add it there with a label and definition"))
            obj = t.object
            if (isinstance(obj, ox.NamedNode) and obj.value.startswith(ID) and not obj.value.startswith(ASSERTION)
                    and obj.value not in defined and (f.name, obj.value) not in reported):
                reported.add((f.name, obj.value))
                problems.append(Problem(
                    f"{compact(obj.value)} is used but defined nowhere", file=f.name, line=f.line_of_term(obj, t.subject),
                    hint="check the slug against docs/curation.md, or define it (a crm:Class ; skos:prefLabel) in the file that owns it"))

    for (iri, lang), found in labels.items():
        if len(found) > 1:
            where = "; ".join(f"{label!r} in {name}" for label, name in found.items())
            problems.append(Problem(f"has {len(found)} different skos:prefLabel@{lang or '-'}: {where}",
                                    entity=compact(iri), hint="define each entity in exactly one file; other files only use its IRI"))

    problems += check_literal_forms(ontology + data)
    problems += _unknown_classes(ontology, data)
    problems += _undefined_subjects(ontology, data)
    problems += check_values(data)
    problems += _contradicted_direct_triples(data)
    problems += _duplicate_figures(data)
    problems += _triples_with_two_statuses(data)
    problems += _duplicate_roles(data)
    problems += _unreferenced_triples(data)
    problems += _invented_years(data)
    return problems


OWL_CLASS = OWL + "Class"
RDFS_CLASS = RDFS + "Class"
#: Classes of standard vocabularies the curated files may use without the ontology declaring them.
EXTERNAL_CLASSES = {SKOS + "ConceptScheme", SKOS + "Concept"}
#: How many undefined subjects of one file are named one by one (the rest are counted).
UNDEFINED_SHOWN = 5


def _unknown_classes(ontology: list[CuratedFile], data: list[CuratedFile]) -> list[Problem]:
    """`x a C` where C is no class of the ontology (a crm: one is already an unknown ontology term)."""
    classes = {t.subject.value for f in ontology for t in f.triples
               if t.predicate == RDF_TYPE and t.object.value in (OWL_CLASS, RDFS_CLASS)} | EXTERNAL_CLASSES
    problems, reported = [], set()
    for f in data:
        for t in f.triples:
            if (t.predicate == RDF_TYPE and isinstance(t.object, ox.NamedNode) and t.object.value not in classes
                    and not t.object.value.startswith(CRM) and (f.name, t.object.value) not in reported):
                reported.add((f.name, t.object.value))
                problems.append(Problem(
                    f"unknown class {compact(t.object.value)}: not a class of the ontology", file=f.name,
                    line=f.line_of_term(t.object, t.subject), entity=_node_name(t.subject),
                    hint="type the entity with a class of ontology/crmgraph.ttl (docs/curation.md lists them)"))
    return problems


def _undefined_subjects(ontology: list[CuratedFile], data: list[CuratedFile]) -> list[Problem]:
    """Every named subject (not a blank node: references, roles) has an rdf:type in some curated file.

    Triples about an entity defined nowhere are invisible to every class-based query and page, and a
    misspelt subject would silently start a second entity; a file of them (issue 13: 50 MB) is refused."""
    typed = {t.subject.value for f in ontology + data for t in f.triples
             if t.predicate == RDF_TYPE and isinstance(t.subject, ox.NamedNode)}
    problems = []
    for f in data:
        undefined: dict[str, int] = {}
        triples = 0
        for t in f.triples:
            if isinstance(t.subject, ox.NamedNode) and t.subject.value not in typed:
                undefined[t.subject.value] = undefined.get(t.subject.value, 0) + 1
                triples += 1
        for iri in list(undefined)[:UNDEFINED_SHOWN]:
            problems.append(Problem(
                f"{compact(iri)} is described ({undefined[iri]} triples) but defined nowhere (no rdf:type in any curated file)",
                file=f.name, line=f.line_of(iri), entity=compact(iri),
                hint="define it once (a crm:Class ; skos:prefLabel) in the file that owns it, or correct the IRI if it is a typo"))
        if len(undefined) > UNDEFINED_SHOWN:
            problems.append(Problem(
                f"… and {len(undefined) - UNDEFINED_SHOWN} more subjects defined nowhere "
                f"({len(undefined)} in all, {triples} triples)", file=f.name,
                hint="every subject must be an entity with a type, a statement or a reference (docs/curation.md)"))
    return problems


def _node_name(node) -> str:
    return compact(node.value) if isinstance(node, ox.NamedNode) else str(node)


def _assertions(data: list[CuratedFile]):
    """Each annotated triple: (s, p, o) -> [(file, assertion node, status)]."""
    found: dict[tuple, list] = defaultdict(list)
    for f in data:
        parts: dict[object, dict[str, object]] = defaultdict(dict)
        for t in f.triples:
            if t.predicate in (RDF_SUBJECT, RDF_PREDICATE, RDF_OBJECT, CRM_STATUS):
                parts[t.subject][t.predicate.value] = t.object
        for node, p in parts.items():
            if RDF_SUBJECT.value in p:
                key = (p[RDF_SUBJECT.value], p[RDF_PREDICATE.value], p[RDF_OBJECT.value])
                found[key].append((f, node, p.get(CRM_STATUS.value)))
    return found


def _triples_with_two_statuses(data: list[CuratedFile]) -> list[Problem]:
    problems = []
    for (s, p, o), where in _assertions(data).items():
        statuses = {st for _, _, st in where if st is not None}
        if len(statuses) > 1:
            said = "; ".join(f"{_node_name(st)} in {g.name}:{g.line_of(getattr(s, 'value', ''))}" for g, _, st in where)
            first = where[0][2]
            files = {g.name: g for g, _, st in where[1:] if st != first}  # each file that disagrees with the first
            for f in files.values():
                problems.append(Problem(
                    f"the triple {_node_name(s)} {_node_name(p)} {_node_name(o)} has {len(statuses)} statuses: {said}",
                    file=f.name, line=f.line_of(getattr(s, "value", "")), entity=_node_name(s),
                    hint="state a triple once, in the file that owns it, with one crm:status and all its references"))
    return problems


ROLE_TITLE = CRM + "roleTitle"
ROLE_IN = CRM + "roleIn"
HOLDS_ROLE = CRM + "holdsRole"


def _duplicate_roles(data: list[CuratedFile]) -> list[Problem]:
    """The same person holding the same title in the same organisation through two role nodes."""
    role_props: dict[object, dict[str, str]] = defaultdict(dict)
    holders: list[tuple[CuratedFile, object, object]] = []
    for f in data:
        for t in f.triples:
            if t.predicate.value in (ROLE_TITLE, ROLE_IN):
                role_props[t.subject][t.predicate.value] = t.object.value  # "x" and "x"@en are one title
            if t.predicate.value == HOLDS_ROLE:
                holders.append((f, t.subject, t.object))
    seen: dict[tuple, tuple[CuratedFile, object]] = {}
    problems = []
    for f, person, role in holders:
        props = role_props.get(role, {})
        key = (person, props.get(ROLE_TITLE), props.get(ROLE_IN))
        if key[1] is None:
            continue
        first = seen.setdefault(key, (f, role))
        if first[1] != role:
            problems.append(Problem(
                f"holds the role {props.get(ROLE_TITLE)} in {compact(props.get(ROLE_IN, '').strip('<>')) or '?'} through two role nodes "
                f"(also in {first[0].name}:{first[0].line_of(getattr(person, 'value', ''))})",
                file=f.name, line=f.line_of(getattr(person, "value", "")), entity=_node_name(person),
                hint="describe each role once (one crm:holdsRole with one crm:Role node) and give it all its references"))
    return problems


# Predicates that describe statements, references, sources and vocabulary rather than the domain:
# those nodes carry their own references (or are the references).
_NOT_DOMAIN = {CRM + p for p in (
    "status", "assertedIn", "source", "locator", "citedIn", "citedInLocator", "sourceKey", "sourceKind", "authorName",
    "reliability", "symbol", "multiplier", "roleTitle", "roleIn", "asOf")}
_STATEMENT_TYPES = {CRM + c for c in ("Figure", "Claim", "ListEntry", "Assertion", "Reference", "SourceDocument",
                                       "QuantityKind", "Unit", "Scope", "Role")}


def _unreferenced_triples(data: list[CuratedFile]) -> list[Problem]:
    """A domain triple (crm: predicate between entities) that no annotation block covers."""
    statement_nodes = {t.subject for f in data for t in f.triples
                       if t.predicate == RDF_TYPE and t.object.value in _STATEMENT_TYPES}
    covered = set(_assertions(data))
    problems = []
    for f in data:
        for t in f.triples:
            p = t.predicate.value
            if (not p.startswith(CRM) or p in _NOT_DOMAIN or isinstance(t.subject, ox.BlankNode)
                    or t.subject in statement_nodes or (t.subject, t.predicate, t.object) in covered):
                continue
            problems.append(Problem(
                f"the triple {_node_name(t.subject)} {compact(p)} {_node_name(t.object)} has no reference",
                file=f.name, line=f.line_of(t.subject.value), entity=_node_name(t.subject),
                hint="annotate it: s p o {| crm:status … ; prov:wasDerivedFrom [ crm:source src:… ; crm:locator \"…\" ] |} — "
                     "after `s p A , B {| … |}` only B is annotated: give A its own block"))
    return problems


_NOT_STATED = re.compile(r"not stated|gives no (data )?year|no (data )?year (is )?(stated|given)|(data )?year is not given", re.IGNORECASE)
_YEAR_PROPS = {CRM + p for p in ("refYear", "periodStart", "periodEnd")}


def _invented_years(data: list[CuratedFile]) -> list[Problem]:
    """A figure that says its source gives no year, yet carries one."""
    figures = {t.subject for f in data for t in f.triples if t.predicate == RDF_TYPE and t.object.value == CRM + "Figure"}
    problems = []
    for f in data:
        years = defaultdict(list)
        comments = {}
        for t in f.triples:
            if t.subject in figures and t.predicate.value in _YEAR_PROPS:
                years[t.subject].append(f"{compact(t.predicate.value)} {t.object.value}")
            if t.subject in figures and t.predicate.value == RDFS_COMMENT and (said := _NOT_STATED.search(t.object.value)):
                comments[t.subject] = said.group(0)
        for node in comments.keys() & years.keys():
            problems.append(Problem(
                f"the comment says the year is {comments[node]!r}, but the figure carries {', '.join(years[node])}",
                file=f.name, line=f.line_of(node.value), entity=_node_name(node),
                hint="a figure's year is the year its data refers to in the source's own words; if none is given, "
                     "write crm:yearNotStated true instead of a year (a source's publication date goes on the source as dcterms:issued)"))
    return problems


_FIGURE_KEY = tuple(CRM + p for p in ("subject", "material", "quantityKind", "scope", "refYear", "periodStart", "periodEnd",
                                      "value", "upperValue", "unit", "claimant"))


def _duplicate_figures(data: list[CuratedFile]) -> list[Problem]:
    """The same figure written twice (same key, value, claimant and source) would be counted twice."""
    figures: dict[Any, tuple[CuratedFile, dict[str, str]]] = {}
    refs: dict[object, set[str]] = defaultdict(set)
    ref_source: dict[object, str] = {}
    for f in data:
        for t in f.triples:
            if t.predicate == RDF_TYPE and t.object.value == CRM + "Figure":
                figures.setdefault(t.subject, (f, {}))
            if t.predicate.value == CRM + "source":
                ref_source[t.subject] = t.object.value
        for t in f.triples:
            if t.subject in figures and t.predicate.value in _FIGURE_KEY:
                figures[t.subject][1][t.predicate.value] = str(t.object)
            if t.predicate.value == PROV + "wasDerivedFrom":
                refs[t.subject].add(t.object)
    seen: dict[tuple, Any] = {}
    problems = []
    for node, (f, props) in figures.items():
        sources = {s for s in (ref_source.get(r) for r in refs[node]) if s is not None}
        for source in sorted(sources):
            key = tuple(props.get(p) for p in _FIGURE_KEY) + (source,)
            other = seen.setdefault(key, node)
            if other is not node:
                of, _ = figures[other]
                problems.append(Problem(
                    f"states the same figure as {compact(other.value)} ({of.name}:{of.line_of(other.value)}) from the same source {compact(source)}",
                    file=f.name, line=f.line_of(node.value), entity=compact(node.value),
                    hint="keep one node (the file that owns the subject, docs/curation.md) and delete the other"))
                break
    return problems


def _contradicted_direct_triples(data: list[CuratedFile]) -> list[Problem]:
    """A triple annotated as contradicted would still be asserted as true: refuse it."""
    problems = []
    for f in data:
        parts: dict[object, dict] = defaultdict(dict)
        contradicted = set()
        for t in f.triples:
            if t.predicate in (RDF_SUBJECT, RDF_PREDICATE, RDF_OBJECT):
                parts[t.subject][t.predicate.value] = t.object
            if t.predicate == CRM_STATUS and t.object == CONTRADICTED:
                contradicted.add(t.subject)
        for node in contradicted:
            if node in parts:
                s = parts[node].get(RDF_SUBJECT.value)
                p = parts[node].get(RDF_PREDICATE.value)
                problems.append(Problem(
                    f"the direct triple {compact(getattr(s, 'value', str(s)))} {compact(getattr(p, 'value', str(p)))} … "
                    "is annotated crm:Contradicted, so it would be asserted as true",
                    file=f.name, line=f.line_of(getattr(s, "value", "")),
                    hint="write it as a crm:Claim node with its claimant (and crm:polarity false for a denial) instead"))
    return problems


#: SHACL parameters whose value is a count: a literal of an XSD integer type, 0 or more.
_SHACL_COUNTS = {SH + p for p in ("minCount", "maxCount", "minLength", "maxLength")}
_SH_PATTERN, _SH_FLAGS, _SH_DATATYPE = SH + "pattern", SH + "flags", SH + "datatype"
#: Datatypes `sh:datatype` may name beside the XSD ones: language-tagged and HTML text, any literal.
_NON_XSD_DATATYPES = {RDF + "langString", RDF + "dirLangString", RDF + "HTML", RDF + "XMLLiteral", RDF + "JSON", RDFS + "Literal"}


def check_shapes(shapes: list[CuratedFile]) -> list[Problem]:
    """The shapes files' own literals, before any shape runs: every typed literal in its lexical space (the
    guard the data files have), each count parameter a whole number ≥ 0, each `sh:pattern` a regular
    expression that compiles with its `sh:flags`, each `sh:datatype` a datatype that exists. A broken shape
    otherwise fails inside the SHACL engine with no line, or silently checks nothing."""
    problems = check_literal_forms(shapes)
    for f in shapes:
        flags = {t.subject: t.object.value for t in f.triples if t.predicate.value == _SH_FLAGS and isinstance(t.object, ox.Literal)}
        parents = {t.object: t.subject for t in f.triples if isinstance(t.object, ox.BlankNode)}
        for t in f.triples:
            wrong = _shape_parameter_problem(t.predicate.value, t.object, flags.get(t.subject, ""))
            if wrong:
                what, hint = wrong
                owner = _owner(t.subject, parents)  # a property shape is a blank node: its line is in its node shape
                problems.append(Problem(f"{compact(t.predicate.value)} {_written(t.object)}: {what}", file=f.name,
                                        line=f.line_of_term(t.object, owner, t.predicate.value), entity=_entity(owner), hint=hint))
    return problems


def _owner(node, parents: dict):
    """The named node whose statements hold `node` (itself if named): up the blank nodes that lead to it."""
    seen = set()
    while isinstance(node, ox.BlankNode) and node in parents and node not in seen:
        seen.add(node)
        node = parents[node]
    return node


def _shape_parameter_problem(parameter: str, value, flags: str) -> tuple[str, str] | None:
    """(what is wrong, how to fix it) for a SHACL parameter's value, or None when it is fine (or not checked)."""
    if parameter in _SHACL_COUNTS:
        name = compact(parameter)
        if not isinstance(value, ox.Literal) or value.datatype.value[len(XSD):] not in INTEGER_TYPES:
            return "a count must be a whole number (an xsd:integer literal)", f"write {name} 1 (digits, no quotes)"
        if not lexical_problem(value.value, value.datatype.value) and int(value.value) < 0:
            return "a count cannot be negative", f"write {name} 0 or more"
    elif parameter == _SH_PATTERN:
        if not isinstance(value, ox.Literal):
            return "a pattern must be a string", 'write the regular expression in quotes: sh:pattern "^[A-Z]{2}$"'
        try:
            re.compile(value.value, _regex_flags(flags))
        except re.error as exc:
            return (f"not a valid regular expression: {exc}",
                    "fix the expression (an unclosed group or class, a quantifier with nothing before it?); "
                    "in Turtle a backslash is written twice: \\\\d")
    elif parameter == _SH_DATATYPE:
        if not isinstance(value, ox.NamedNode) or not (value.value in _NON_XSD_DATATYPES or
                                                       (value.value.startswith(XSD) and value.value[len(XSD):] in XSD_DATATYPES)):
            return ("not a datatype a literal can have",
                    "name an XSD datatype as XML Schema spells it (xsd:string, xsd:integer, xsd:decimal, xsd:gYear, xsd:date …), "
                    "rdf:langString for text with a language tag, or rdfs:Literal")
    return None


def _regex_flags(flags: str) -> int:
    return (re.I if "i" in flags else 0) | (re.M if "m" in flags else 0) | (re.S if "s" in flags else 0) | (re.X if "x" in flags else 0)


def _written(term) -> str:
    if isinstance(term, ox.Literal):
        return f'"{term.value}"' + ("" if term.datatype.value == XSD + "string" else f"^^{compact(term.datatype.value)}")
    return compact(term.value) if isinstance(term, ox.NamedNode) else "a blank node"



def raise_if(problems: list[Problem]) -> None:
    if problems:
        raise CurationError(problems)
