"""What an importer produces: figures in today's statement shape (subject, material, quantity kind,
value, unit, year, scope, claimant, status, qualifier, `prov:wasDerivedFrom [source ; locator]`),
withheld values, the dataset as a source — and an import report of every row read, mapped or not.

One writer for both importers so that an imported figure looks exactly like a curated one to every
query (the statement layer, the explorer, the named queries), plus `crm:stage`, `crm:series` and the
source's own names (`crm:sourceName`) so a reader can trace a mapped row back.

Each imported figure is also a full statement of the statement layer (`knowledge/statements.py`):
`a crm:Statement, crm:AcceptedStatement`, `crm:property` = its quantity kind, `crm:polarity`, and a
`crm:citation` on its reference ("usgs-mcs2025-world: data/…csv line 412; COMMODITY='Antimony'; …").
They are written here, into the dataset's own graph, rather than compiled at build time: a re-import
replaces that one graph (so it can never duplicate them), and writing them costs nothing, where
compiling ~130,000 imported triples took 2 s of the build. `shape_triples` and `citation_text` are the
compiler's own functions, so the two shapes cannot drift (tests/test_statements.py compares them).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..knowledge.statements import Statement, citation_text, shape_triples
from ..namespaces import CRM, DCTERMS, ID, PROV, RDF, RDFS, SCHEMA, SKOS, XSD
from .datasets import Dataset

_T = ox.NamedNode(RDF + "type")


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _lit(value, datatype: str | None = None, lang: str | None = None) -> ox.Literal:
    if lang:
        return ox.Literal(str(value), language=lang)
    if datatype:
        return ox.Literal(str(value), datatype=_n(datatype))
    return ox.Literal(str(value))


def number(value: float) -> ox.Literal:
    """An integer literal for whole numbers, a decimal otherwise (as curators write them)."""
    if float(value).is_integer():
        return _lit(int(value), XSD + "integer")
    return _lit(repr(float(value)), XSD + "decimal")


@dataclass
class Unmapped:
    file: str
    line: int
    name: str
    reason: str


@dataclass
class FileReport:
    file: str
    sha256: str
    rows: int = 0
    mapped: int = 0
    unmapped: list[Unmapped] = field(default_factory=list)
    figures: int = 0
    withheld: int = 0
    empty_cells: int = 0


@dataclass
class ImportReport:
    """Per file: rows read, rows mapped, rows unmapped (each with file, line, name and reason),
    figures written, withheld values, empty cells (no value and no withheld note: missing)."""

    dataset: Dataset
    files: list[FileReport] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def mapped(self) -> int:
        return sum(f.mapped for f in self.files)

    @property
    def unmapped(self) -> list[Unmapped]:
        return [u for f in self.files for u in f.unmapped]

    @property
    def figures(self) -> int:
        return sum(f.figures for f in self.files)

    @property
    def withheld(self) -> int:
        return sum(f.withheld for f in self.files)

    def unmapped_by_name(self) -> dict[str, tuple[int, str]]:
        """Unmapped names with how many rows each and the reason: the short form of the report."""
        out: dict[str, tuple[int, str]] = {}
        for u in self.unmapped:
            n, _ = out.get(u.name, (0, u.reason))
            out[u.name] = (n + 1, u.reason)
        return out


class GraphWriter:
    """Collects the triples of one import: the source description, figures and withheld values."""

    def __init__(self, dataset: Dataset, digests: dict[str, str], claimant: str, status: str) -> None:
        self.dataset = dataset
        self.claimant = _n(claimant)
        self.status = _n(CRM + status)
        self.triples: list[ox.Triple] = []
        self._source(digests)

    def add(self, s, p: str, o) -> None:
        self.triples.append(ox.Triple(s, _n(p), o))

    def _source(self, digests: dict[str, str]) -> None:
        d = self.dataset
        s = _n(d.source_iri)
        self.add(s, RDF + "type", _n(CRM + "SourceDocument"))
        self.add(s, CRM + "sourceKey", _lit(d.key))
        self.add(s, DCTERMS + "title", _lit(d.title, lang="en"))
        self.add(s, DCTERMS + "publisher", _lit(d.publisher))
        self.add(s, DCTERMS + "creator", _lit(d.creator))
        self.add(s, DCTERMS + "license", _n(d.licence_url))
        self.add(s, DCTERMS + "rights", _lit(d.licence, lang="en"))
        self.add(s, SCHEMA + "version", _lit(d.version))
        self.add(s, SCHEMA + "url", _lit(d.url, XSD + "anyURI"))
        self.add(s, DCTERMS + "bibliographicCitation", _lit(d.citation, lang="en"))
        self.add(s, CRM + "sourceKind", _n(CRM + d.kind))
        if d.doi:
            self.add(s, DCTERMS + "identifier", _lit("doi:" + d.doi))
        if d.issued:
            self.add(s, DCTERMS + "issued", _lit(d.issued, XSD + ("gYear" if len(d.issued) == 4 else "date")))
        for name, digest in digests.items():
            part = _n(d.source_iri + "/file/" + hashlib.sha1(name.encode()).hexdigest()[:10])
            self.add(s, DCTERMS + "hasPart", part)
            self.add(part, DCTERMS + "identifier", _lit(f"data/{d.folder}/{name}"))
            self.add(part, CRM + "sha256", _lit(digest))

    def _statement(self, node: ox.NamedNode, *, subject: str, material: str, qk: str, year: str | None,
                   scope: str, locator: str, stage: str | None, series: str | None,
                   names: tuple[str, ...], comment: str) -> ox.BlankNode:
        self.add(node, CRM + "subject", _n(subject))
        self.add(node, CRM + "material", _n(material))
        self.add(node, CRM + "quantityKind", _n(ID + "quantity/" + qk))
        if year:
            self.add(node, CRM + "refYear", _lit(year, XSD + "gYear"))
        else:
            self.add(node, CRM + "yearNotStated", _lit("true", XSD + "boolean"))
        self.add(node, CRM + "scope", _n(ID + "scope/" + scope))
        self.add(node, CRM + "claimant", self.claimant)
        self.add(node, CRM + "status", self.status)
        if stage:
            self.add(node, CRM + "stage", _lit(stage))
        if series:
            self.add(node, CRM + "series", _lit(series))
        for name in names:
            self.add(node, CRM + "sourceName", _lit(name))
        self.add(node, RDFS + "comment", _lit(comment, lang="en"))
        ref = ox.BlankNode()
        self.add(node, PROV + "wasDerivedFrom", ref)
        self.add(ref, RDF + "type", _n(CRM + "Reference"))
        self.add(ref, CRM + "source", _n(self.dataset.source_iri))
        self.add(ref, CRM + "locator", _lit(locator))
        return ref

    def figure(self, local: str, *, value: float, unit: str, qualifiers: tuple[str, ...] = (), **kw) -> None:
        node = _n(ID + "figure/" + local)
        self.add(node, RDF + "type", _n(CRM + "Figure"))
        self.add(node, CRM + "value", number(value))
        self.add(node, CRM + "unit", _n(ID + "unit/" + unit))
        for q in qualifiers:
            self.add(node, CRM + "valueQualifier", _n(CRM + q))
        ref = self._statement(node, **kw)
        # the statement layer's shape (crm:subject is written above already) and the reference's citation
        self.triples += shape_triples(Statement(node, "Figure", [], _n(ID + "quantity/" + kw["qk"]), None,
                                                self.status.value))
        self.add(ref, CRM + "citation", _lit(citation_text(self.dataset.key, kw["locator"])))

    def withheld(self, local: str, *, unit: str, **kw) -> None:
        node = _n(ID + "figure/" + local)
        self.add(node, RDF + "type", _n(CRM + "WithheldFigure"))
        self.add(node, CRM + "unit", _n(ID + "unit/" + unit))
        self._statement(node, **kw)

    def country(self, iri: str, code: str | None, label: str) -> None:
        """A country the curated graph does not describe yet: typed, labelled with the source's name (and its
        ISO code when the source's name matched one)."""
        node = _n(iri)
        self.add(node, RDF + "type", _n(CRM + "Country"))
        self.add(node, SKOS + "prefLabel", _lit(label, lang="en"))
        if code is not None:
            self.add(node, CRM + "iso3166Alpha2", _lit(code))
