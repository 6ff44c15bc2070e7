"""The Python API: `crmgraph.open(...)` returns a `KnowledgeGraph` to query from scripts and notebooks.

    import crmgraph
    kg = crmgraph.open()                                  # the project's store (var/store)
    table = kg.query("SELECT ?f ?v WHERE { ?f crm:subject ?c ; crm:value ?v }", c=crmgraph.iri("country:TJ"))
    table.to_dataframe()
    kg.named("supply-alternatives", material="antimony")  # a named query of queries/

Python values passed as parameters become RDF terms: `str` a plain literal, `int` an integer,
`float` a decimal, `bool` a boolean, `datetime.date` a date; use `crmgraph.iri()` (or an
rdflib.URIRef / pyoxigraph.NamedNode) for IRIs.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ..errors import QueryError
from ..namespaces import PREFIXES, XSD
from .named import NamedQuery, find_named_query, inject_values, load_named_queries, run_named
from .results import Table, to_result
from ..settings import Settings
from ..store.embedded import OxigraphStore

if TYPE_CHECKING:
    from .lookup import EntityIndex


def iri(name: str) -> ox.NamedNode:
    """An IRI from a prefixed name (`mat:antimony`) or a full IRI."""
    prefix, sep, local = name.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return ox.NamedNode(PREFIXES[prefix] + local)
    return ox.NamedNode(name)


def to_term(value) -> ox.NamedNode | ox.Literal | ox.BlankNode:
    """A Python, rdflib or pyoxigraph value as a pyoxigraph RDF term."""
    if isinstance(value, (ox.NamedNode, ox.Literal, ox.BlankNode)):
        return value
    try:
        import rdflib

        if isinstance(value, rdflib.URIRef):
            return ox.NamedNode(str(value))
        if isinstance(value, rdflib.Literal):
            if value.language:
                return ox.Literal(str(value), language=value.language)
            return ox.Literal(str(value), datatype=ox.NamedNode(str(value.datatype or XSD + "string")))
    except ImportError:  # pragma: no cover - rdflib is a dependency
        pass
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=ox.NamedNode(XSD + "decimal"))
    if isinstance(value, dt.date):
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(XSD + "date"))
    if isinstance(value, str):
        return ox.Literal(value)
    raise QueryError(f"cannot use {value!r} ({type(value).__name__}) as a query parameter",
                     hint="pass a str, int, float, bool, date, crmgraph.iri('prefix:name') or an rdflib term")


class KnowledgeGraph:
    """A handle on a store with the named queries of a project."""

    def __init__(self, store, queries_dir: Path) -> None:
        self.store = store
        self._queries_dir = queries_dir
        self._queries: dict[str, NamedQuery] | None = None
        self._index: EntityIndex | None = None  # loaded on the first search or bound parameter

    def query(self, sparql: str, **params) -> Table | list[ox.Triple] | bool:
        """Run SPARQL; keyword arguments are bound to the variables of the same name."""
        terms = {name: to_term(v) for name, v in params.items()}
        return to_result(self.store.query(inject_values(sparql, terms) if terms else sparql))

    @property
    def queries(self) -> dict[str, NamedQuery]:
        if self._queries is None:
            self._queries = load_named_queries(self._queries_dir)
        return self._queries

    def named(self, name: str, **params) -> Table | list[ox.Triple] | bool:
        """Run a named query; parameters as the query declares them (slugs, prefixed names, numbers)."""
        from .lookup import EntityIndex

        if self._index is None:
            self._index = EntityIndex.load(self.store)
        return run_named(self.store, find_named_query(self.queries, name), {k: str(v) for k, v in params.items()},
                         index=self._index)

    def search(self, text: str, limit: int = 20):
        """Entities whose label, alias or code matches `text` (case- and accent-blind), best first."""
        from .lookup import EntityIndex

        if self._index is None:
            self._index = EntityIndex.load(self.store)
        return self._index.search(text, limit=limit)

    def to_networkx(self, kind: str = "supply"):
        """The graph as a networkx network: `supply` (country → material → EU, shares, years and
        sources on the edges), `instruments` (EU ↔ countries) or `ownership` (company → owner).
        Imported lazily from analysis/ so that the query layer does not depend on it."""
        from ..analysis.networks import to_networkx

        return to_networkx(self.store, kind)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> "KnowledgeGraph":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open(store: str | Path | None = None, *, settings: Settings | None = None) -> KnowledgeGraph:  # noqa: A001
    """Open the knowledge graph: a store folder (default: the project's `var/store`), read-only."""
    settings = settings or Settings.discover()
    path = Path(store) if store is not None else settings.default_store
    return KnowledgeGraph(OxigraphStore(path, read_only=True), settings.queries_dir)
