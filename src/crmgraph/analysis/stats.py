"""Counts that describe a built store: triples per graph, instances per class, facts per source,
the entities still without their identifiers, and how many references say where in the source they are.

The last two measure curation debt (issue 9): a country without its Wikidata item or ISO codes cannot be
joined with outside data, and a reference whose locator is "not given" sends the reader to a whole source.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..namespaces import CRM, NAMED_GRAPHS
from ..query.results import python_value, to_table


@dataclass
class Stats:
    triples_per_graph: dict[str, int]
    instances_per_class: dict[str, int]
    facts_per_source: list[tuple[str, str, int]]  # (source key, title, statements citing it)
    statements_by_status: dict[str, dict[str, int]]  # kind -> status -> count
    missing_identifiers: list[tuple[str, str, str, list[str]]]  # (class, IRI, label, identifiers it lacks)
    locators: dict[str, int]  # "place" (a section, page, line, annex point …), "whole document", "not given"

    @property
    def locator_share(self) -> float:
        """Share of references that tell the reader where to look (a place, or a short whole document)."""
        total = sum(self.locators.values())
        return (total - self.locators.get("not given", 0)) / total if total else 0.0

    @property
    def total_triples(self) -> int:
        return sum(self.triples_per_graph.values())


def _rows(store, sparql: str):
    return [[python_value(t) for t in row] for row in to_table(store.query(sparql)).rows]


def compute_stats(store) -> Stats:
    per_graph = {g.rsplit("/", 1)[-1]: store.count(g) for g in NAMED_GRAPHS}
    classes = _rows(store, """
        SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH graph:asserted { ?s a ?class } FILTER(STRSTARTS(STR(?class), STR(crm:))) }
        GROUP BY ?class ORDER BY DESC(?n) ?class""")
    sources = _rows(store, """
        SELECT ?key ?title (COUNT(DISTINCT ?st) AS ?n) WHERE {
          ?st prov:wasDerivedFrom/crm:source ?src . ?src crm:sourceKey ?key .
          OPTIONAL { ?src dcterms:title ?title }
        } GROUP BY ?key ?title ORDER BY DESC(?n) ?key""")
    status = _rows(store, """
        SELECT ?kind ?status (COUNT(DISTINCT ?st) AS ?n) WHERE {
          GRAPH graph:asserted { ?st a ?kind ; crm:status ?status }
          VALUES ?kind { crm:Figure crm:Claim crm:Assertion crm:ListEntry }
        } GROUP BY ?kind ?status""")
    by_status: dict[str, dict[str, int]] = {}
    for kind, st, n in status:
        by_status.setdefault(kind.removeprefix(CRM), {})[st.removeprefix(CRM)] = n
    missing = _rows(store, """
        SELECT ?class ?e ?label ?wd ?a2 ?a3 ?num WHERE {
          GRAPH graph:asserted { VALUES ?class { crm:Country crm:Union crm:Material } ?e a ?class }
          OPTIONAL { ?e skos:prefLabel ?label FILTER(LANG(?label) = "en") }
          OPTIONAL { ?e crm:wikidata ?w1 } OPTIONAL { ?e crm:baseMaterial/crm:wikidata ?w2 }
          BIND(BOUND(?w1) || BOUND(?w2) AS ?wd)
          BIND(EXISTS { ?e crm:iso3166Alpha2 ?x } AS ?a2) BIND(EXISTS { ?e crm:iso3166Alpha3 ?y } AS ?a3)
          BIND(EXISTS { ?e crm:iso3166Numeric ?z } AS ?num)
        } ORDER BY ?class ?e""")
    lacking: dict[str, tuple[str, str, str, list[str]]] = {}
    for cls, iri, label, wd, a2, a3, num in missing:
        needs = [] if _true(wd) else ["Wikidata item"]
        if cls == CRM + "Country":
            needs += [name for name, ok in (("ISO alpha-2", a2), ("ISO alpha-3", a3), ("ISO numeric", num)) if not _true(ok)]
        if needs and iri not in lacking:
            lacking[iri] = (cls.removeprefix(CRM), iri, label or "", needs)
    locators = _rows(store, """
        SELECT ?kind (COUNT(?r) AS ?n) WHERE {
          GRAPH graph:asserted { ?st prov:wasDerivedFrom ?r . ?r crm:locator ?l }
          BIND(IF(LCASE(STR(?l)) = "not given", "not given", IF(STRSTARTS(LCASE(STR(?l)), "whole "), "whole document", "place")) AS ?kind)
        } GROUP BY ?kind""")
    return Stats(
        triples_per_graph=per_graph,
        instances_per_class={c.removeprefix(CRM): n for c, n in classes},
        facts_per_source=[(k, t or "", n) for k, t, n in sources],
        statements_by_status=by_status,
        missing_identifiers=list(lacking.values()),
        locators={kind: n for kind, n in locators},
    )


def _true(value) -> bool:
    """Booleans as every backend writes them (Virtuoso answers 1/0)."""
    return value in (True, 1, "1", "true")
