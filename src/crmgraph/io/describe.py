"""The dataset's description: DCAT (the EU's DCAT-AP 3 profile) and VoID in one graph, and schema.org.

One node, `https://w3id.org/crmgraph/id/dataset/crmgraph`, is both a `dcat:Dataset` and a
`void:Dataset`: title, description, licence (data CC BY 4.0; the code is MIT), semantic version
(CHANGES.md), issued (the version's date) and modified (the build's time) dates, publisher, every
source document it draws on (`dct:source`), triple counts per named graph (`void:subset`) and per
class (`void:classPartition`, asserted graph), example resources, the SPARQL endpoint (a
`dcat:DataService`), and — when described for a release — its distributions with media type, size
and SHA-256 checksum. A `dcat:Catalog` holds the dataset and the service, as DCAT-AP expects.

DCAT-AP's range for `dct:source` is `dcat:Dataset`, so each source document is typed `dcat:Dataset`
here too (with its title): a statistical publication, an official text or a news report is the
resource the facts were taken from. tests/test_io_describe.py validates the graph with the DCAT-AP 3.0.1
shapes (tests/data/dcat-ap-3/, copied with their licence).

Public IRIs are the project's w3id.org ones (the portal serves `/sparql`, `/downloads/<file>` under
the same base as `/id/…` and `/ontology`).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..errors import DataError, Problem
from ..namespaces import (CRM, DCTERMS, GRAPH_ASSERTED, GRAPH_BUILD, ID, ONTOLOGY_IRI, RDF, SCHEMA, SKOS, VOID, XSD)

BASE = "https://w3id.org/crmgraph/"
DATASET = ID + "dataset/crmgraph"
CATALOG = ID + "dataset/catalog"
SERVICE = ID + "dataset/sparql-endpoint"
PUBLISHER = ID + "dataset/publisher"
ENDPOINT = BASE + "sparql"
DOWNLOADS = BASE + "downloads/"
DATA_LICENCE = "https://creativecommons.org/licenses/by/4.0/"
CODE_LICENCE = "https://opensource.org/license/mit"
TITLE = "crmgraph: the EU's critical raw materials and its partnerships with Central Asia"
DESCRIPTION = ("A sourced knowledge graph of the EU's critical raw materials (CRMs): the CRM list editions "
               "2011–2023 and the CRMA strategic list, the EU's instruments with the Central Asian states and the "
               "other powers in play, organisations, sites, and figures on supply, reserves and trade — every fact "
               "with its source, locator, claimant, year and verification status. Data under CC BY 4.0; the code that "
               "builds it under MIT.")
PUBLISHER_NAME = "crmgraph developers"
KEYWORDS = ("critical raw materials", "Central Asia", "European Union", "Critical Raw Materials Act", "supply chains",
            "knowledge graph")
#: Example resources named in the description (kept only if the store holds them).
EXAMPLES = ("country/KZ", "material/antimony", "list/crma-strategic-2024", "union/EU", "instrument/crma")

#: Where the dataset is about (our own entities, as dct:Location): Central Asia and the EU.
SPATIAL = (ID + "region/central-asia", ID + "union/EU")
#: Themes from the EU's data-theme table (DCAT-AP's controlled vocabulary for dcat:theme).
THEME_SCHEME = "http://publications.europa.eu/resource/authority/data-theme"
THEMES = {THEME_SCHEME + "/ECON": "Economy and finance", THEME_SCHEME + "/INTR": "International issues"}
LANGUAGE = "http://publications.europa.eu/resource/authority/language/ENG"
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"
DCAT = "http://www.w3.org/ns/dcat#"
FOAF = "http://xmlns.com/foaf/0.1/"
SPDX = "http://spdx.org/rdf/terms#"
OWL_VERSION_INFO = "http://www.w3.org/2002/07/owl#versionInfo"
ADMS = "http://www.w3.org/ns/adms#"
IANA = "https://www.iana.org/assignments/media-types/"
_SEMVER = re.compile(r"^## (\d+\.\d+\.\d+) — (\d{4}-\d{2}-\d{2})\s*$", re.M)


@dataclass(frozen=True)
class Version:
    """The dataset's semantic version and the date it was released (the top entry of CHANGES.md)."""

    number: str
    date: str


def dataset_version(changes: Path) -> Version:
    """The first `## X.Y.Z — YYYY-MM-DD` heading of CHANGES.md: the version the data is at."""
    try:
        text = changes.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError([Problem(f"cannot read it: {exc.strerror or exc}", file=str(changes),
                                 hint="CHANGES.md at the project's root gives the dataset version")]) from exc
    match = _SEMVER.search(text)
    if match is None:
        raise DataError([Problem("no version heading", file=str(changes),
                                 hint="start each release with a line `## 1.2.3 — 2026-11-27` (semantic version, date)")])
    return Version(match.group(1), match.group(2))


@dataclass(frozen=True)
class Distribution:
    """One file of a release, as the description lists it."""

    file: str
    title: str
    media_type: str
    size: int
    sha256: str
    triples: int | None = None  # triples (or quads) for RDF files, rows for CSV files
    rows: int | None = None
    rdf: bool = True


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _lit(value: str, lang: str | None = None, datatype: str | None = None) -> ox.Literal:
    if lang:
        return ox.Literal(value, language=lang)
    return ox.Literal(value, datatype=_n(datatype)) if datatype else ox.Literal(value)


def _int(n: int, datatype: str = XSD + "integer") -> ox.Literal:
    return ox.Literal(str(n), datatype=_n(datatype))


def _rows(store, sparql: str) -> list[list]:
    answer = store.query(sparql)
    names = [v.value for v in answer.variables]
    return [[s[n] for n in names] for s in answer]


def build_time(store) -> str | None:
    """When the store was built (dcterms:modified of the build graph), as xsd:dateTime text."""
    rows = _rows(store, f"SELECT ?t WHERE {{ GRAPH <{GRAPH_BUILD}> {{ <{DATASET}> dcterms:modified ?t }} }}")
    return rows[0][0].value if rows else None


def graph_counts(store) -> dict[str, int]:
    """Triples per named graph of the store."""
    return {g.value: int(n.value) for g, n in _rows(store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}


def class_counts(store) -> list[tuple[str, int, int]]:
    """(class, entities, triples about them) in the asserted graph, for every class with members."""
    rows = _rows(store, f"""SELECT ?c (COUNT(DISTINCT ?s) AS ?e) (COUNT(*) AS ?t) WHERE {{
        GRAPH <{GRAPH_ASSERTED}> {{ ?s a ?c . ?s ?p ?o }} FILTER(isIRI(?c)) }} GROUP BY ?c ORDER BY ?c""")
    return [(c.value, int(e.value), int(t.value)) for c, e, t in rows]


def describe(store, version: Version, distributions: Sequence[Distribution] = ()) -> list[ox.Triple]:
    """The DCAT-AP + VoID description of the dataset in `store` (and of a release's files, if given)."""
    ds, T = _n(DATASET), []

    def add(s, p: str, o) -> None:
        T.append(ox.Triple(s if not isinstance(s, str) else _n(s), _n(p), o if not isinstance(o, str) else _n(o)))

    modified = build_time(store)
    counts = graph_counts(store)
    # the catalogue, the publisher, the licence
    add(CATALOG, RDF + "type", DCAT + "Catalog")
    add(CATALOG, DCTERMS + "title", _lit("crmgraph catalogue", "en"))
    add(CATALOG, DCTERMS + "description", _lit("The crmgraph knowledge graph and the SPARQL endpoint that serves it.", "en"))
    add(CATALOG, DCTERMS + "publisher", PUBLISHER)
    add(CATALOG, DCTERMS + "license", DATA_LICENCE)
    add(CATALOG, DCAT + "dataset", ds)
    add(CATALOG, DCAT + "service", SERVICE)
    add(CATALOG, FOAF + "homepage", BASE)
    add(CATALOG, DCTERMS + "issued", _lit(version.date, datatype=XSD + "date"))
    if modified:
        add(CATALOG, DCTERMS + "modified", _lit(modified, datatype=XSD + "dateTime"))
    add(CATALOG, DCTERMS + "language", LANGUAGE)
    add(LANGUAGE, RDF + "type", DCTERMS + "LinguisticSystem")
    for place in SPATIAL:
        add(CATALOG, DCTERMS + "spatial", place)
        add(ds, DCTERMS + "spatial", place)
        add(place, RDF + "type", DCTERMS + "Location")
    add(CATALOG, DCAT + "themeTaxonomy", THEME_SCHEME)
    add(THEME_SCHEME, RDF + "type", SKOS + "ConceptScheme")
    add(THEME_SCHEME, DCTERMS + "title", _lit("Data theme", "en"))
    for theme, label in THEMES.items():
        add(ds, DCAT + "theme", theme)
        add(SERVICE, DCAT + "theme", theme)
        add(theme, RDF + "type", SKOS + "Concept")
        add(theme, SKOS + "prefLabel", _lit(label, "en"))
        add(theme, SKOS + "inScheme", THEME_SCHEME)
    add(BASE, RDF + "type", FOAF + "Document")
    add(PUBLISHER, RDF + "type", FOAF + "Agent")
    add(PUBLISHER, FOAF + "name", _lit(PUBLISHER_NAME))
    for licence, title in ((DATA_LICENCE, "Creative Commons Attribution 4.0 International (the data)"),
                           (CODE_LICENCE, "MIT License (the code that builds the data)")):
        add(licence, RDF + "type", DCTERMS + "LicenseDocument")
        add(licence, DCTERMS + "title", _lit(title, "en"))
    # the dataset
    for kind in (DCAT + "Dataset", VOID + "Dataset"):
        add(ds, RDF + "type", kind)
    add(ds, DCTERMS + "title", _lit(TITLE, "en"))
    add(ds, DCTERMS + "description", _lit(DESCRIPTION, "en"))
    add(ds, DCTERMS + "publisher", PUBLISHER)
    add(ds, DCTERMS + "creator", PUBLISHER)
    add(ds, DCTERMS + "license", DATA_LICENCE)
    add(ds, DCAT + "version", _lit(version.number))
    add(ds, OWL_VERSION_INFO, _lit(version.number))
    add(ds, ADMS + "versionNotes", _lit(f"See CHANGES.md, version {version.number}.", "en"))
    add(ds, DCTERMS + "issued", _lit(version.date, datatype=XSD + "date"))
    if modified:
        add(ds, DCTERMS + "modified", _lit(modified, datatype=XSD + "dateTime"))
    add(ds, DCAT + "landingPage", BASE)
    add(ds, DCTERMS + "language", LANGUAGE)
    for k in KEYWORDS:
        add(ds, DCAT + "keyword", _lit(k, "en"))
    add(ds, VOID + "sparqlEndpoint", ENDPOINT)
    add(ds, VOID + "uriSpace", _lit(ID))
    add(ds, VOID + "vocabulary", ONTOLOGY_IRI)
    add(ds, VOID + "triples", _int(sum(counts.values())))
    for example in EXAMPLES:
        if store.query(f"ASK {{ <{ID + example}> ?p ?o }}"):
            add(ds, VOID + "exampleResource", ID + example)
    for graph, n in sorted(counts.items()):
        add(ds, VOID + "subset", graph)
        add(graph, RDF + "type", VOID + "Dataset")
        add(graph, VOID + "triples", _int(n))
    for cls, entities, triples in class_counts(store):
        part = _n(f"{DATASET}/class/{_slug(cls)}")
        add(ds, VOID + "classPartition", part)
        add(part, VOID + "class", cls)
        add(part, VOID + "entities", _int(entities))
        add(part, VOID + "triples", _int(triples))
    for src, title in _rows(store, f"""SELECT ?s (SAMPLE(?t) AS ?title) WHERE {{ GRAPH <{GRAPH_ASSERTED}> {{
            ?s a crm:SourceDocument OPTIONAL {{ ?s dcterms:title ?t }} }} }} GROUP BY ?s ORDER BY ?s"""):
        add(ds, DCTERMS + "source", src)
        add(src, RDF + "type", DCAT + "Dataset")
        add(src, DCTERMS + "title", title if title is not None else _lit(src.value.rsplit("/", 1)[-1]))
        add(src, DCTERMS + "description", _lit("A source document that facts of crmgraph cite.", "en"))
    # the SPARQL endpoint
    add(SERVICE, RDF + "type", DCAT + "DataService")
    add(SERVICE, DCTERMS + "title", _lit("crmgraph SPARQL 1.1 endpoint", "en"))
    add(SERVICE, DCAT + "endpointURL", ENDPOINT)
    add(SERVICE, DCAT + "servesDataset", ds)
    add(SERVICE, DCTERMS + "license", DATA_LICENCE)
    add(SERVICE, DCTERMS + "publisher", PUBLISHER)
    add(SERVICE, DCAT + "endpointDescription", ENDPOINT)  # /sparql without a query: its service description
    add(SERVICE, DCTERMS + "conformsTo", SPARQL_PROTOCOL)
    add(SPARQL_PROTOCOL, RDF + "type", DCTERMS + "Standard")
    add(SERVICE, DCAT + "keyword", _lit("SPARQL", "en"))
    # the release's files
    for d in distributions:
        node = _n(DOWNLOADS + d.file)
        checksum = _n(DOWNLOADS + d.file + "#sha256")
        media = _n(IANA + d.media_type)
        add(ds, DCAT + "distribution", node)
        if d.rdf:
            add(ds, VOID + "dataDump", node)
        add(node, RDF + "type", DCAT + "Distribution")
        add(node, DCTERMS + "title", _lit(d.file))
        add(node, DCTERMS + "description", _lit(d.title, "en"))
        add(node, DCAT + "accessURL", node)
        add(node, DCAT + "downloadURL", node)
        add(node, DCAT + "mediaType", media)
        add(node, DCTERMS + "format", media)
        add(media, RDF + "type", DCTERMS + "MediaType")
        add(media, RDF + "type", DCTERMS + "MediaTypeOrExtent")
        add(node, DCAT + "byteSize", _int(d.size, XSD + "nonNegativeInteger"))
        add(node, DCTERMS + "license", DATA_LICENCE)
        add(node, SPDX + "checksum", checksum)
        add(checksum, RDF + "type", SPDX + "Checksum")
        add(checksum, SPDX + "algorithm", SPDX + "checksumAlgorithm_sha256")
        add(checksum, SPDX + "checksumValue", _lit(d.sha256, datatype=XSD + "hexBinary"))
        if d.triples is not None:
            add(node, VOID + "triples", _int(d.triples))
        if d.rows is not None:
            add(node, CRM + "rows", _int(d.rows))
    return T


def _slug(iri: str) -> str:
    """A class IRI as a path segment (crm:Country → crm-Country)."""
    for prefix, ns in (("crm", CRM), ("skos", SKOS), ("schema", SCHEMA), ("dcterms", DCTERMS)):
        if iri.startswith(ns):
            return f"{prefix}-{iri[len(ns):]}"
    return re.sub(r"[^A-Za-z0-9]+", "-", iri).strip("-")


def schema_org(description: list[ox.Triple]) -> dict:
    """The description as a schema.org `Dataset` (JSON-LD), for dataset search engines: the page's <head>."""
    by: dict[str, dict[str, list]] = {}
    for t in description:
        by.setdefault(t.subject.value, {}).setdefault(t.predicate.value, []).append(t.object)

    def one(s: str, p: str) -> str | None:
        values = by.get(s, {}).get(p, [])
        return values[0].value if values else None

    ds = by.get(DATASET, {})
    out = {"@context": "https://schema.org/", "@type": "Dataset", "@id": DATASET, "name": one(DATASET, DCTERMS + "title"),
           "description": one(DATASET, DCTERMS + "description"), "url": BASE, "license": DATA_LICENCE,
           "version": one(DATASET, DCAT + "version"), "datePublished": one(DATASET, DCTERMS + "issued"),
           "dateModified": one(DATASET, DCTERMS + "modified"),
           "keywords": sorted(k.value for k in ds.get(DCAT + "keyword", [])),
           "creator": {"@type": "Organization", "name": PUBLISHER_NAME},
           "publisher": {"@type": "Organization", "name": PUBLISHER_NAME},
           "isBasedOn": sorted(s.value for s in ds.get(DCTERMS + "source", [])),
           "distribution": [{"@type": "DataDownload", "contentUrl": d.value, "name": one(d.value, DCTERMS + "title"),
                             "encodingFormat": (one(d.value, DCAT + "mediaType") or "").removeprefix(IANA),
                             "contentSize": one(d.value, DCAT + "byteSize")}
                            for d in sorted(ds.get(DCAT + "distribution", []), key=lambda d: d.value)]}
    return {k: v for k, v in out.items() if v not in (None, [], "")}
