"""The request mixes, as lists of URL paths (a path may appear several times: that is its weight).

    sparql_named(settings, endpoint)    every named query of queries/ with its defaults, as written for any
                                        SPARQL server (the PREFIX lines it needs spelled out): the portal's real
                                        questions (those whose GET URL exceeds oxigraph's 8 KB head are left out)
    sparql_light(store, endpoint)       short lookups (an entity's triples, an ASK, a count of a class): where
                                        the HTTP path, not the engine, takes the time
    portal(store, settings)             what 50 readers of the portal ask for: entity pages and factsheets,
                                        named-query pages, search suggestions, the explorer's data, and /sparql

The SPARQL mixes are the same text for `crmgraph serve` (/sparql) and `oxigraph serve` (/query), so a ratio
of the two is a ratio of servers, not of questions. Entities are read from the store itself (sorted, so two
runs over one store send the same requests).
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, urlencode

import pyoxigraph as ox

from crmgraph.namespaces import ID, PREFIXES, sparql_prologue

__all__ = ["ACCEPT_JSON", "entities", "portal", "sparql_light", "sparql_named"]

ACCEPT_JSON = "application/sparql-results+json"
_LABELLED = """SELECT DISTINCT ?e ?kind WHERE {{ ?e a ?kind ; skos:prefLabel ?l .
  FILTER(STRSTARTS(STR(?e), "{id}") && !STRSTARTS(STR(?e), "{id}assertion/") && !STRSTARTS(STR(?e), "{id}statement/")) }}
  ORDER BY ?e"""


def _q(endpoint: str, sparql: str) -> str:
    return f"{endpoint}?{urlencode({'query': sparql}, quote_via=quote)}"


def entities(store: Path, kinds: tuple[str, ...] = ("country", "material", "company", "instrument", "org", "site")) -> dict[str, list[str]]:
    """Labelled entity IRIs of the store by kind (the path segment after id/), sorted."""
    raw = ox.Store.read_only(str(store))
    found: dict[str, list[str]] = {k: [] for k in kinds}
    for row in raw.query(sparql_prologue() + _LABELLED.format(id=ID), use_default_graph_as_union=True):
        iri = row["e"].value
        kind = iri[len(ID):].split("/")[0]
        if kind in found and iri not in found[kind]:
            found[kind].append(iri)
    return found


def declared(sparql: str) -> str:
    """The query with PREFIX lines for the predeclared prefixes it uses, and only those: oxigraph serve
    refuses request heads over 8 KB, which the whole prologue makes some GET URLs exceed."""
    used = [f"PREFIX {name}: <{ns}>\n" for name, ns in PREFIXES.items() if re.search(rf"(?<![\w:]){re.escape(name)}:", sparql)]
    return "".join(used) + sparql


#: Longest GET URL sent: oxigraph serve answers 400 to a request head over 8 KB.
MAX_URL = 7_500


def sparql_named(settings, endpoint: str) -> tuple[list[str], list[str]]:
    """The named queries as GET URLs, and the names of those left out because their URL is too long
    for oxigraph serve (left out for both servers, so the mixes stay the same)."""
    from crmgraph.query.named import bind, load_named_queries

    paths, skipped = [], []
    for name, q in sorted(load_named_queries(settings.queries_dir).items()):
        path = _q(endpoint, declared(bind(q, {})[0]))
        if len(path) > MAX_URL:
            skipped.append(name)
        else:
            paths.append(path)
    return paths, skipped


def sparql_light(store: Path, endpoint: str, per_kind: int = 8) -> list[str]:
    found = entities(store)
    crm = "PREFIX crm: <https://w3id.org/crmgraph/ontology#>\n"
    paths = []
    for iris in found.values():
        for iri in iris[:per_kind]:
            paths.append(_q(endpoint, f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }} LIMIT 200"))
            paths.append(_q(endpoint, f"ASK {{ ?s ?p <{iri}> }}"))
    for cls in ("Country", "RawMaterial", "Company", "Figure", "Claim"):
        paths.append(_q(endpoint, crm + f"SELECT (COUNT(*) AS ?n) WHERE {{ ?x a crm:{cls} }}"))
    return paths


def portal(store: Path, settings, per_kind: int = 6) -> list[str]:
    """The portal mix: pages as a reader opens them (HTML), the JSON the pages fetch, and /sparql."""
    found = entities(store)
    pages = [iri.replace(ID, "/id/", 1) for kind in found for iri in found[kind][:per_kind]]
    factsheets = [iri.replace(ID, "/id/", 1) for kind in ("country", "material") for iri in found[kind][:per_kind]]
    named = ["/queries/" + n for n in ("crm-list-entries", "eu-ca-instrument-timeline", "central-asian-alternatives",
                                       "erma-members", "critical-and-strategic-materials", "eu-crm-supply-from-central-asia",
                                       "people-and-roles", "materials-on-every-edition")]
    searches = [f"/search.json?q={quote(q)}" for q in ("kaz", "lith", "antimony", "rare earths", "turkiye", "uz", "tungsten", "erma")]
    explorer = ["/explore.json?query=eu-crm-supply-from-central-asia", "/explore.json"]
    sparql = sparql_light(store, "/sparql", per_kind=2)[:12]
    return pages + factsheets + named + ["/queries"] + searches + explorer + sparql + ["/"]
