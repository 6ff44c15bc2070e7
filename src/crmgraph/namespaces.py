"""IRIs of the crmgraph vocabulary, its entities and the named graphs of the store.

One place for every namespace so that the build, the queries and the web layer agree on them.
"""
from __future__ import annotations

from functools import lru_cache

CRM = "https://w3id.org/crmgraph/ontology#"
ONTOLOGY_IRI = "https://w3id.org/crmgraph/ontology"
ID = "https://w3id.org/crmgraph/id/"
SOURCE = ID + "source/"
ASSERTION = ID + "assertion/"
GRAPH = "https://w3id.org/crmgraph/graph/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "https://schema.org/"
SH = "http://www.w3.org/ns/shacl#"
WD = "http://www.wikidata.org/entity/"
VOID = "http://rdfs.org/ns/void#"

#: Named graphs of the store. The default graph is the union of all of them when querying.
GRAPH_ONTOLOGY = GRAPH + "ontology"
GRAPH_SHAPES = GRAPH + "shapes"
GRAPH_ASSERTED = GRAPH + "asserted"
GRAPH_STATEMENTS = GRAPH + "statements"  # every fact in one statement shape (knowledge/statements.py)
GRAPH_TRUTHY = GRAPH + "truthy"  # direct triples of accepted facts only
GRAPH_INFERRED = GRAPH + "inferred"
GRAPH_BUILD = GRAPH + "build"
GRAPH_IMPORT_PREFIX = GRAPH + "import/"  # + a dataset's key: the graph of its imported rows (io/datasets.py)
NAMED_GRAPHS = (GRAPH_ONTOLOGY, GRAPH_SHAPES, GRAPH_ASSERTED, GRAPH_STATEMENTS, GRAPH_TRUTHY, GRAPH_INFERRED, GRAPH_BUILD)

#: Prefixes known to every query run through crmgraph (a query may still declare its own).
PREFIXES: dict[str, str] = {
    "crm": CRM,
    "id": ID,
    "src": SOURCE,
    "country": ID + "country/",
    "union": ID + "union/",
    "region": ID + "region/",
    "mat": ID + "material/",
    "list": ID + "list/",
    "entry": ID + "entry/",
    "inst": ID + "instrument/",
    "event": ID + "event/",
    "org": ID + "org/",
    "person": ID + "person/",
    "place": ID + "place/",
    "site": ID + "site/",
    "fig": ID + "figure/",
    "claim": ID + "claim/",
    "sector": ID + "sector/",
    "app": ID + "application/",
    "risk": ID + "challenge/",
    "infra": ID + "infrastructure/",
    "measure": ID + "measure/",
    "unit": ID + "unit/",
    "qk": ID + "quantity/",
    "scope": ID + "scope/",
    "graph": GRAPH,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
    "schema": SCHEMA,
    "wd": WD,
    "sh": SH,
}


def sparql_prologue() -> str:
    """The PREFIX lines for every known prefix, to put in front of a user's query."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


@lru_cache(maxsize=1 << 16)
def compact(iri: str) -> str:
    """Shorten an IRI with the longest matching known prefix (for messages and tables). Remembered: pages
    call it thousands of times on the same few hundred IRIs (PREFIXES never changes at run time)."""
    best = None
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and (best is None or len(ns) > len(PREFIXES[best])):
            best = prefix
    if best is None:
        return f"<{iri}>"
    local = iri[len(PREFIXES[best]):]
    if not local or any(c in local for c in "/#?"):
        return f"<{iri}>"
    return f"{best}:{local}"


def local_path(iri: str) -> str | None:
    """The portal's path for an IRI of ours (None for anyone else's): entity and ontology IRIs
    resolve to pages of the local portal (`crmgraph serve`)."""
    if iri.startswith(ID):
        return "/id/" + iri[len(ID):]
    if iri == ONTOLOGY_IRI:
        return "/ontology"
    if iri.startswith(CRM):
        return "/ontology#" + iri[len(CRM):]
    return None
