"""Counts that describe a built store: triples per graph, instances per class, facts per source."""
from __future__ import annotations

from dataclasses import dataclass

from ..namespaces import CRM, NAMED_GRAPHS
from ..query.results import python_value, to_result


@dataclass
class Stats:
    triples_per_graph: dict[str, int]
    instances_per_class: dict[str, int]
    facts_per_source: list[tuple[str, str, int]]  # (source key, title, statements citing it)
    statements_by_status: dict[str, dict[str, int]]  # kind -> status -> count

    @property
    def total_triples(self) -> int:
        return sum(self.triples_per_graph.values())


def _rows(store, sparql: str):
    return [[python_value(t) for t in row] for row in to_result(store.query(sparql)).rows]


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
    return Stats(
        triples_per_graph=per_graph,
        instances_per_class={c.removeprefix(CRM): n for c, n in classes},
        facts_per_source=[(k, t or "", n) for k, t, n in sources],
        statements_by_status=by_status,
    )
