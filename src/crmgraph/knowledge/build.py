"""`build`: ontology/ + graph/ → a validated, reasoned Oxigraph store.

    parse (file:line errors) → curation checks → SHACL → statements + truthy layer
      → HermiT + materialisation (over the truthy layer) → new store → swap

Each step raises a DataError listing every problem it found; nothing is written until all pass,
and the store is written beside the old one and swapped in only when complete.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .. import __version__
from .checks import check_curation, check_shapes, raise_if
from .curated import RDF_TYPE, CuratedFile, read_curated
from ..errors import Problem, ShapeViolationError
from ..namespaces import (CRM, DCTERMS, GRAPH_ASSERTED, GRAPH_BUILD, GRAPH_INFERRED, GRAPH_ONTOLOGY, GRAPH_SHAPES,
                         GRAPH_STATEMENTS, GRAPH_TRUTHY, ID, VOID, XSD)
from .reasoning import BackgroundHermit, materialise
from .shrink import check_shrink, previous_counts
from .statements import StatementLayer, compile_statements
from ..settings import Settings
from ..store.embedded import OxigraphStore, write_new_store
from ..store.lock import build_lock
from ..store.versions import NewVersion
from ..io.importcache import import_graphs, start_version
from .validation import findings, located

if TYPE_CHECKING:
    from ..io.importcache import ImportedGraphs


@dataclass
class BuildReport:
    """What a build did: counts per graph, timings per step, SHACL warnings."""

    store: Path | None
    files: list[str]
    triples: dict[str, int]
    timings: dict[str, float]
    warnings: list[Problem] = field(default_factory=list)
    imports: list = field(default_factory=list)  # ImportReport per dataset imported from data/
    #: the whole build in the library, from call to return (the steps plus the lock, the shrink guard …)
    wall: float | None = None
    #: imported graphs (IRIs) taken unchanged from the cache instead of imported again (`io/importcache.py`)
    reused: list[str] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        """The whole build if measured, else the sum of its steps."""
        return self.wall if self.wall is not None else sum(self.timings.values())


@dataclass
class CompiledGraph:
    """Everything a build produces, before it is written anywhere."""

    files: list[CuratedFile]
    ontology: list[ox.Triple]
    shapes: list[ox.Triple]
    asserted: list[ox.Triple]  # what curators wrote, minus the direct triples of referenced facts
    inferred: list[ox.Triple]
    warnings: list[Problem]
    timings: dict[str, float]
    #: outside datasets imported from data/ (dataset, triples, import report); each goes to its own graph
    imports: list = field(default_factory=list)
    statements: list[ox.Triple] = field(default_factory=list)  # the common statement shape (statements.py)
    truthy: list[ox.Triple] = field(default_factory=list)  # direct triples of accepted facts
    layer: StatementLayer | None = None
    #: the imported graphs when the build went through the import cache (then `imports` is empty)
    imported: "ImportedGraphs | None" = None

    @property
    def import_reports(self) -> list:
        if self.imported is not None:
            return list(self.imported.reports)
        return [r for _d, _t, r in self.imports]


def _is_shapes(f: CuratedFile) -> bool:
    return Path(f.name).name.startswith("shapes")


def _quiet(step: str) -> None:
    """The default progress callback: the library itself never prints."""


def compile_graph(settings: Settings, reason: bool = True, progress=_quiet, imports: bool = False,
                  shacl_engine: str = "oxigraph", after_parse=None, cache: bool = True,
                  import_cache: Path | None = None, while_reasoning=None) -> CompiledGraph:
    """Parse, check, validate and reason; raise a DataError at the first failing step.

    With `imports`, also import the outside datasets of `data/` (USGS MCS 2025, EC CRM study 2023)
    after the curated graph has passed: they are not reasoned over (they add figures, not axioms) and
    go to their own named graphs. `shacl_engine` is `oxigraph` (ours, fast) or `pyshacl` (the reference:
    same findings, `validation.py`). With `cache`, HermiT's answer is re-used from `settings.cache_dir`
    when what it reads is unchanged (`reasoning.run_hermit_cached`). With `import_cache` (a folder), each
    dataset whose inputs are unchanged is taken from there instead of imported again, and the imported
    graphs come as a store to start the new version from (`io/importcache.py`, `CompiledGraph.imported`).
    `while_reasoning(partial)`, if given, is called with everything but the inferred graph while HermiT is
    still running (when the imported graphs came through `import_cache`): `build` begins writing the new
    store version then. `progress(step)` is called as each step starts (the CLI shows it; the library
    stays silent). `after_parse(files)` runs right after parsing (the shrink guard), so that a build it
    refuses stops before the slow steps."""
    timings: dict[str, float] = {}
    progress("parsing ontology/ and graph/")
    t0 = time.perf_counter()
    onto_files = read_curated(settings.root, ("ontology",))
    data_files = read_curated(settings.root, ("graph",))
    ontology = [t for f in onto_files if not _is_shapes(f) for t in f.triples]
    shapes = [t for f in onto_files if _is_shapes(f) for t in f.triples]
    asserted = list(dict.fromkeys(t for f in data_files for t in f.triples))
    timings["parse"] = time.perf_counter() - t0
    if after_parse is not None:
        after_parse(onto_files + data_files)

    # The statement layer first: HermiT reads it, and starts in the background as soon as it can (Java in
    # a process of its own, `reasoning.BackgroundHermit`), while the checks and SHACL run here. An error
    # of the statement layer on data the checks would refuse is raised after the checks' own errors.
    progress("compiling statements and the truthy layer")
    t0 = time.perf_counter()
    layer: StatementLayer | None = None
    deferred: Exception | None = None
    try:
        layer = compile_statements(asserted, ontology)
    except Exception as exc:  # noqa: BLE001 — re-raised below, once the checks have had their say
        deferred = exc
    timings["statements"] = time.perf_counter() - t0
    hermit = None
    if reason and layer is not None:
        entity_facts = layer.asserted + layer.truthy  # never an unverified or contradicted direct triple
        hermit = BackgroundHermit(ontology, entity_facts, settings.cache_dir if cache else None)
    # The imported graphs, when the cache holds them for the asserted countries (what the importers get
    # unless reasoning types another entity as a country: checked below), load into memory meanwhile too.
    graphs = None
    if imports and import_cache is not None:
        t0 = time.perf_counter()
        graphs = import_graphs(settings, curated_countries(asserted), import_cache, only_cached=True)
        if graphs is not None:
            graphs.preload()
            timings["import (reused)"] = time.perf_counter() - t0

    progress("checking curation rules")
    t0 = time.perf_counter()
    raise_if(check_curation([f for f in onto_files if not _is_shapes(f)], data_files)
             + check_shapes([f for f in onto_files if _is_shapes(f)]))
    timings["check"] = time.perf_counter() - t0

    progress("validating with SHACL")
    t0 = time.perf_counter()
    found, engine = findings(asserted, ontology, shapes, shacl_engine)
    violations, warnings = located(found, data_files)
    if violations:
        raise ShapeViolationError(violations, hint="each line names the file, the entity and what the shape expects")
    # the line says when pyshacl ran (asked for, or shapes our engine does not implement: ~20× slower)
    timings["shacl" if engine == "oxigraph" else f"shacl ({engine})"] = time.perf_counter() - t0
    if deferred is not None:
        raise deferred
    assert layer is not None  # compile_statements returned
    if imports and import_cache is not None and graphs is None and hermit is not None and hermit.finished is None:
        # the curated graph has passed and HermiT is still at work in its own process: import meanwhile
        progress("importing data/ while HermiT reasons")
        t0 = time.perf_counter()
        graphs = import_graphs(settings, curated_countries(asserted), import_cache)
        if graphs is not None:
            graphs.preload()
        timings["import (parallel)"] = time.perf_counter() - t0

    files = onto_files + data_files
    if (while_reasoning is not None and graphs is not None and hermit is not None and hermit.finished is None
            and graphs.countries == curated_countries(asserted)):
        progress("writing the curated graphs while HermiT reasons")
        while_reasoning(CompiledGraph(files, ontology, shapes, layer.asserted, [], warnings, timings, [],
                                      statements=layer.statements, truthy=layer.truthy, layer=layer, imported=graphs))
    inferred: list[ox.Triple] = []
    if hermit is not None:
        progress("reasoning with HermiT")
        hermit_triples, cached = hermit.result()
        t0 = time.perf_counter()
        inferred = materialise(ontology, layer.asserted + layer.truthy, hermit_triples)
        # HermiT's span from its start to its answer (beside check, SHACL and the import when it ran), +
        # materialising: "(parallel)" in the timing line, as those steps' times are inside it too
        timings["reason (cached)" if cached else "reason (parallel)"] = (
            (hermit.finished or t0) - hermit.started + time.perf_counter() - t0)
    imported = []
    if imports:
        progress("importing data/ (USGS MCS 2025, EC CRM study 2023)")
        t0 = time.perf_counter()
        countries = curated_countries(asserted + inferred)
        if graphs is not None and graphs.countries == countries:  # imported with the asserted countries: right
            key = "import (parallel)" if "import (parallel)" in timings else "import (reused)"
        elif import_cache is not None:  # not imported yet, or reasoning found another country: (again) now
            graphs = import_graphs(settings, countries, import_cache)
            if graphs is not None:
                graphs.preload()
            key = "import (reused)" if graphs is not None and not graphs.imported else "import"
        else:
            from ..io.importing import import_all

            imported, key = import_all(settings, countries), "import"
        timings[key] = timings.get(key, 0.0) + time.perf_counter() - t0
    return CompiledGraph(files, ontology, shapes, layer.asserted, inferred, warnings, timings, imported,
                         statements=layer.statements, truthy=layer.truthy, layer=layer, imported=graphs)


def curated_countries(triples: list[ox.Triple]) -> set[str]:
    """The countries the curated graph describes (asserted or inferred `crm:Country`): the importers
    describe any other country they meet, minimally."""
    return {t.subject.value for t in triples if t.predicate == RDF_TYPE and t.object.value == CRM + "Country"}


def _build_metadata(compiled: CompiledGraph, settings: Settings) -> list[ox.Triple]:
    """A VoID description of the build: when, from which files (with checksums), how big."""
    ds = ox.NamedNode(ID + "dataset/crmgraph")
    out = [
        ox.Triple(ds, RDF_TYPE, ox.NamedNode(VOID + "Dataset")),
        ox.Triple(ds, ox.NamedNode(DCTERMS + "title"), ox.Literal("crmgraph knowledge graph", language="en")),
        ox.Triple(ds, ox.NamedNode(DCTERMS + "modified"),
                  ox.Literal(dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
                             datatype=ox.NamedNode(XSD + "dateTime"))),
        ox.Triple(ds, ox.NamedNode(CRM + "builtWith"), ox.Literal(f"crmgraph {__version__}")),
    ]
    for _name, graph, triples in (("ontology", GRAPH_ONTOLOGY, compiled.ontology), ("shapes", GRAPH_SHAPES, compiled.shapes),
                                 ("asserted", GRAPH_ASSERTED, compiled.asserted), ("statements", GRAPH_STATEMENTS, compiled.statements),
                                 ("truthy", GRAPH_TRUTHY, compiled.truthy), ("inferred", GRAPH_INFERRED, compiled.inferred)):
        sub = ox.NamedNode(graph)
        out += [ox.Triple(ds, ox.NamedNode(VOID + "subset"), sub),
                ox.Triple(sub, RDF_TYPE, ox.NamedNode(VOID + "Dataset")),
                ox.Triple(sub, ox.NamedNode(VOID + "triples"), ox.Literal(str(len(triples)), datatype=ox.NamedNode(XSD + "integer")))]
    for f in compiled.files:
        digest = hashlib.sha256(f.path.read_bytes()).hexdigest()
        node = ox.NamedNode(ID + "dataset/file/" + f.name)
        out += [ox.Triple(ds, ox.NamedNode(DCTERMS + "source"), node),
                ox.Triple(node, ox.NamedNode(DCTERMS + "identifier"), ox.Literal(f.name)),
                ox.Triple(node, ox.NamedNode(CRM + "sha256"), ox.Literal(digest)),
                # the file's parsed triples: what the shrink guard (shrink.py) compares the next build with
                ox.Triple(node, ox.NamedNode(VOID + "triples"), ox.Literal(str(len(f.triples)), datatype=ox.NamedNode(XSD + "integer")))]
    return out


def fill_store(store, compiled: CompiledGraph, settings: Settings) -> None:
    """Write the compiled graphs into an (empty) store."""
    _fill_curated(store, compiled, settings)
    for dataset, triples, _report in compiled.imports:
        store.replace_graph(dataset.graph, triples)
    if compiled.imported is not None:
        by_graph: dict[str, list[ox.Triple]] = {g: [] for g in compiled.imported.graphs}
        for q in ox.parse(compiled.imported.nquads, format=ox.RdfFormat.N_QUADS):
            by_graph[q.graph_name.value].append(q.triple)
        for graph, triples in by_graph.items():
            store.replace_graph(graph, triples)


def _fill_curated(store, compiled: CompiledGraph, settings: Settings) -> None:
    """The graphs a build makes from ontology/ and graph/, and its description (not the imported ones)."""
    for graph, triples in _before_reasoning(compiled).items():
        store.replace_graph(graph, triples)
    store.replace_graph(GRAPH_INFERRED, compiled.inferred)
    store.replace_graph(GRAPH_BUILD, _build_metadata(compiled, settings))


def _before_reasoning(compiled: CompiledGraph) -> dict[str, list[ox.Triple]]:
    """The curated graphs known before HermiT's answer (all but the inferred graph and the build's description)."""
    return {GRAPH_ONTOLOGY: compiled.ontology, GRAPH_SHAPES: compiled.shapes, GRAPH_ASSERTED: compiled.asserted,
            GRAPH_STATEMENTS: compiled.statements, GRAPH_TRUTHY: compiled.truthy}


def _quads(graphs: dict[str, list[ox.Triple]]) -> list[ox.Quad]:
    return [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g)) for g, triples in graphs.items() for t in triples]


class _NewStore:
    """A new store version that starts from the imported graphs' store (`io/importcache.py`), in two steps:
    created with the curated graphs known before reasoning (`__init__`: while HermiT runs, when it runs),
    then completed with the inferred graph, the build's description and the indicators (`finish`).

    The same graphs go to an in-memory store holding the imported graphs too (preloaded while compiling),
    where the indicators' queries run several times faster than on RocksDB."""

    def __init__(self, compiled: CompiledGraph, settings: Settings, target: Path, parallel: bool = False) -> None:
        t0 = time.perf_counter()
        if compiled.imported is None:
            raise ValueError("a new store version starts from imported graphs (compile with import_cache)")
        imported: ImportedGraphs = compiled.imported
        self.imported: ImportedGraphs = imported
        self.version = NewVersion(target, OxigraphStore, start=lambda path: start_version(imported.ready_base(), path))
        try:
            self.memory = OxigraphStore.wrap(imported.memory())
            quads = _quads(_before_reasoning(compiled))
            self.memory.raw.bulk_extend(quads)
            self.version.store.raw.bulk_extend(quads)
        except BaseException:
            self.version.abort()
            raise
        self.parallel = parallel
        self.early = time.perf_counter() - t0
        if parallel:  # its own line in the timing line: it overlapped "reason (parallel)"
            compiled.timings["store (parallel)"] = self.early

    def finish(self, compiled: CompiledGraph, settings: Settings, progress=_quiet) -> None:
        t0 = time.perf_counter()
        try:
            late = _quads({GRAPH_INFERRED: compiled.inferred, GRAPH_BUILD: _build_metadata(compiled, settings)})
            self.memory.raw.bulk_extend(late)
            from ..analysis.results import write_indicators
            from ..analysis.supplydata import load

            progress("computing the supply-risk indicators (graph:analytics)")
            t1 = time.perf_counter()
            write_indicators(self.memory, load(self.memory))
            compiled.timings["indicators"] = time.perf_counter() - t1
            written = set(self.imported.graphs) | set(_before_reasoning(compiled)) | {GRAPH_INFERRED, GRAPH_BUILD}
            analytics = [q for g in self.memory.raw.named_graphs() if g.value not in written
                         for q in self.memory.raw.quads_for_pattern(None, None, None, g)]  # graph:analytics
            self.version.store.raw.bulk_extend(late + analytics)
        except BaseException:
            self.version.abort()
            raise
        self.version.commit()
        compiled.timings["store"] = time.perf_counter() - t0 - compiled.timings["indicators"] + (
            0.0 if self.parallel else self.early)

    def abort(self) -> None:
        self.version.abort()


def _report(compiled: CompiledGraph, target: Path | None) -> BuildReport:
    return BuildReport(
        store=target, files=[f.name for f in compiled.files],
        triples={"ontology": len(compiled.ontology), "shapes": len(compiled.shapes),
                 "asserted": len(compiled.asserted), "statements": len(compiled.statements),
                 "truthy": len(compiled.truthy), "inferred": len(compiled.inferred)},
        timings=compiled.timings, warnings=compiled.warnings, imports=compiled.import_reports,
        reused=list(compiled.imported.reused) if compiled.imported is not None else [])


def build(settings: Settings | None = None, store_path: Path | None = None, reason: bool = True,
          progress=_quiet, imports: bool = True, allow_shrink: bool = False, wait: bool = False,
          cache: bool = True) -> BuildReport:
    """Build the store at `store_path` (default: the project's), with the datasets of `data/` unless
    `imports` is False. The old store survives any failure.

    Guards (docs/curation.md): one build at a time per folder (`store/lock.py`: BuildLocked naming the
    holder, or with `wait` queue behind it); no silent loss of more than 20 % of the previous store's
    curated triples (`shrink.py`: ShrinkRefused unless `allow_shrink`); an atomic switch to the new
    version (`store/versions.py`)."""
    started = time.perf_counter()
    settings = settings or Settings.discover()
    target = Path(os.path.abspath(store_path or settings.default_store))
    with build_lock(target.parent, wait=wait, on_wait=progress):
        previous = None if allow_shrink else previous_counts(target)
        guard = None
        if previous is not None and previous.per_file:
            def guard(files):
                check_shrink(previous.per_file, {f.name: len(f.triples) for f in files}, target)
        begun: list[_NewStore] = []  # the new version, begun while HermiT reasons (`while_reasoning`)
        try:
            compiled = compile_graph(settings, reason=reason, progress=progress, imports=imports, after_parse=guard,
                                     cache=cache, import_cache=settings.cache_dir if cache else None,
                                     while_reasoning=lambda partial: begun.append(
                                         _NewStore(partial, settings, target, parallel=True)))
            if previous is not None and not previous.per_file:  # a store from before per-file counts
                check_shrink({"asserted graph": previous.asserted}, {"asserted graph": len(compiled.asserted)},
                             target, what="asserted triples")
            write_store(compiled, settings, target, progress, begun=begun[0] if begun else None)
        except BaseException:
            for version in begun:
                version.abort()  # a later step failed: the half-written version goes, the old store stays
            raise
    report = _report(compiled, target)
    report.wall = time.perf_counter() - started
    return report


def write_store(compiled: CompiledGraph, settings: Settings, target: Path, progress=_quiet,
                begun: "_NewStore | None" = None) -> None:
    """Write the compiled graphs, and the supply-risk indicators when `data/` was imported, as the store at
    `target`; adds the "indicators" and "store" timings.

    Everything is assembled in an in-memory store first (the indicators' six queries run there, several
    times faster than on RocksDB) and copied into the new store with one bulk load, rather than a bulk
    load per graph: `benchmarks/build.py` measures the store step. When the imported graphs came through
    the import cache, the new version starts as a checkpoint of their store (hard links: no rewrite of
    their ≈160k quads) and only the other graphs are loaded into it (`_NewStore`; `begun` if `build` began
    it while HermiT reasoned)."""
    if begun is not None and begun.imported is not compiled.imported:
        begun.abort()  # reasoning found another country: the imports were redone, the early version is stale
        begun = None
    if compiled.imported is not None:
        progress(f"writing the store ({target})")
        (begun or _NewStore(compiled, settings, target)).finish(compiled, settings, progress)
        return
    t0 = time.perf_counter()
    memory = OxigraphStore(None)
    fill_store(memory, compiled, settings)
    if compiled.imports:
        from ..analysis.results import write_indicators
        from ..analysis.supplydata import load

        progress("computing the supply-risk indicators (graph:analytics)")
        t1 = time.perf_counter()
        write_indicators(memory, load(memory))
        compiled.timings["indicators"] = time.perf_counter() - t1
    progress(f"writing the store ({target})")
    write_new_store(target, lambda store: store.raw.bulk_extend(memory.raw))
    compiled.timings["store"] = time.perf_counter() - t0 - compiled.timings.get("indicators", 0.0)


def build_remote(store, settings: Settings | None = None, reason: bool = True, progress=_quiet,
                 imports: bool = True) -> BuildReport:
    """Compile, then load every graph into a SPARQL server (Graph Store Protocol PUT per graph).

    Nothing is sent until the whole build has passed its checks, so bad input never reaches the server.
    """
    settings = settings or Settings.discover()
    compiled = compile_graph(settings, reason=reason, progress=progress, imports=imports)
    progress("loading the server (Graph Store Protocol)")
    t0 = time.perf_counter()
    try:
        fill_store(store, compiled, settings)
    finally:
        store.close()
    compiled.timings["store"] = time.perf_counter() - t0
    return _report(compiled, None)


def build_in_memory(settings: Settings | None = None) -> OxigraphStore:
    """Compile and load into an in-memory store (tests, notebooks, small scripts)."""
    settings = settings or Settings.discover()
    compiled = compile_graph(settings)
    store = OxigraphStore(None)
    fill_store(store, compiled, settings)
    return store
