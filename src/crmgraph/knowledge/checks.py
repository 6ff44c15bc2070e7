"""Curation rules the build enforces before SHACL and reasoning (docs/curation.md).

These catch what SHACL cannot express well and what curators get wrong most often: a misspelt
ontology term, an entity used but defined nowhere, an entity defined twice with different labels,
and a contradicted claim written as a plain triple. Every problem names the file and line.
"""
from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from .curated import RDF_OBJECT, RDF_PREDICATE, RDF_SUBJECT, RDF_TYPE, CuratedFile
from ..errors import CurationError, Problem
from ..namespaces import ASSERTION, CRM, ID, SKOS, compact

PREF_LABEL = ox.NamedNode(SKOS + "prefLabel")
CRM_STATUS = ox.NamedNode(CRM + "status")
CONTRADICTED = ox.NamedNode(CRM + "Contradicted")


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
                        f"unknown ontology term {compact(iri)}", file=f.name, line=f.line_of(iri),
                        hint="use a term of ontology/crmgraph.ttl (listed in docs/curation.md) or add it there with a label and definition"))
            obj = t.object
            if (isinstance(obj, ox.NamedNode) and obj.value.startswith(ID) and not obj.value.startswith(ASSERTION)
                    and obj.value not in defined and (f.name, obj.value) not in reported):
                reported.add((f.name, obj.value))
                problems.append(Problem(
                    f"{compact(obj.value)} is used but defined nowhere", file=f.name, line=f.line_of(obj.value),
                    hint="check the slug against docs/curation.md, or define it (a crm:Class ; skos:prefLabel) in the file that owns it"))

    for (iri, lang), found in labels.items():
        if len(found) > 1:
            where = "; ".join(f"{label!r} in {name}" for label, name in found.items())
            problems.append(Problem(f"has {len(found)} different skos:prefLabel@{lang or '-'}: {where}",
                                    entity=compact(iri), hint="define each entity in exactly one file; other files only use its IRI"))

    problems += _contradicted_direct_triples(data)
    problems += _duplicate_figures(data)
    return problems


_FIGURE_KEY = tuple(CRM + p for p in ("subject", "material", "quantityKind", "scope", "refYear", "periodStart", "periodEnd",
                                      "value", "upperValue", "unit", "claimant"))


def _duplicate_figures(data: list[CuratedFile]) -> list[Problem]:
    """The same figure written twice (same key, value, claimant and source) would be counted twice."""
    figures: dict[object, tuple[CuratedFile, dict[str, str]]] = {}
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
            if t.predicate.value == "http://www.w3.org/ns/prov#wasDerivedFrom":
                refs[t.subject].add(t.object)
    seen: dict[tuple, object] = {}
    problems = []
    for node, (f, props) in figures.items():
        sources = frozenset(ref_source.get(r) for r in refs[node]) - {None}
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
                    f"the direct triple {compact(getattr(s, 'value', str(s)))} {compact(getattr(p, 'value', str(p)))} … is annotated crm:Contradicted, so it would be asserted as true",
                    file=f.name, line=f.line_of(getattr(s, "value", "")),
                    hint="write it as a crm:Claim node with its claimant (and crm:polarity false for a denial) instead"))
    return problems


def raise_if(problems: list[Problem]) -> None:
    if problems:
        raise CurationError(problems)
