"""A build writes exactly what it compiled: the fast store path (everything assembled in memory, one bulk
load into the new store) holds the same quads as the plain one (a bulk load per graph, `fill_store`)."""
from __future__ import annotations

import dataclasses
import os

import pyoxigraph as ox
import pytest

from crmgraph.errors import InconsistencyError, Problem
from crmgraph.knowledge.build import write_store
from crmgraph.namespaces import DCTERMS, GRAPH_BUILD
from crmgraph.store.embedded import OxigraphStore

BUILD_TIME = ox.NamedNode(DCTERMS + "modified")


def _quads(store: OxigraphStore) -> set[ox.Quad]:
    """Every quad but the build's time stamp."""
    return {q for q in store.raw if not (q.graph_name == ox.NamedNode(GRAPH_BUILD) and q.predicate == BUILD_TIME)}


def test_the_store_a_build_writes_holds_exactly_the_compiled_graphs(compiled, settings, store, tmp_path):
    mine = dataclasses.replace(compiled, timings=dict(compiled.timings))
    write_store(mine, settings, tmp_path / "store")
    written = OxigraphStore(tmp_path / "store", read_only=True)
    try:
        assert _quads(written) == _quads(store)
        assert len(_quads(store)) > 40_000
    finally:
        written.close()
    assert {"store"} <= mine.timings.keys() and "indicators" not in mine.timings  # no data/ imported here


def test_a_build_reports_its_whole_time_not_only_the_sum_of_its_steps():
    from crmgraph.knowledge.build import BuildReport

    report = BuildReport(store=None, files=[], triples={}, timings={"parse": 1.0, "store": 2.0})
    assert report.seconds == 3.0  # nothing else measured: the steps
    report.wall = 3.4  # the lock, the shrink guard, the report … around the steps
    assert report.seconds == 3.4


def test_a_build_imports_and_writes_while_hermit_reasons_and_the_next_one_reuses_the_import(settings, tmp_path,
                                                                                           monkeypatch):
    """HermiT runs in the background: with an empty cache the datasets are imported and the new store
    version begun meanwhile (HermiT here answers only once the version has begun, after the import, so
    they provably overlap); the next build takes the imports from the cache before its checks. Both name
    what they did in the timing line, and the store holds every graph."""
    import threading

    from crmgraph.knowledge import build as b
    from crmgraph.knowledge import reasoning

    monkeypatch.setenv("CRMGRAPH_CACHE", str(tmp_path / "cache"))
    begun = threading.Event()

    class NewStore(b._NewStore):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if kwargs.get("parallel"):
                begun.set()

    def hermit(ontology, data):
        assert begun.wait(120)
        return []
    monkeypatch.setattr(b, "_NewStore", NewStore)
    monkeypatch.setattr(reasoning, "run_hermit", hermit)

    first = b.build(settings, store_path=tmp_path / "store")
    assert {"import (parallel)", "store (parallel)", "reason (parallel)", "store"} <= first.timings.keys()
    assert first.reused == [] and [r.dataset.key for r in first.imports] == ["usgs-mcs2025-world", "eu-crm-study-2023"]
    second = b.build(settings, store_path=tmp_path / "store")
    assert {"import (reused)", "reason (cached)", "store"} <= second.timings.keys()
    assert "store (parallel)" not in second.timings  # HermiT's answer was cached: nothing to overlap
    assert second.reused == [r.dataset.graph for r in first.imports]
    assert [r.figures for r in second.imports] == [r.figures for r in first.imports]
    # a third build fails after it began its version (HermiT finds an inconsistency): the version goes
    for answer in (tmp_path / "cache").glob("hermit-*.nt"):
        answer.unlink()
    versions = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("store"))
    current = os.readlink(tmp_path / "store")

    def inconsistent(ontology, data):
        assert begun.wait(120)
        raise InconsistencyError([Problem("is typed as crm:Country and crm:Material")])
    begun.clear()
    monkeypatch.setattr(reasoning, "run_hermit", inconsistent)
    with pytest.raises(InconsistencyError):
        b.build(settings, store_path=tmp_path / "store")
    assert begun.is_set() and os.readlink(tmp_path / "store") == current
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("store")) == versions
    written = OxigraphStore(tmp_path / "store", read_only=True)
    try:
        graphs = {g.value for g in written.raw.named_graphs()}
        assert {r.dataset.graph for r in first.imports} | {GRAPH_BUILD} <= graphs and len(graphs) == 10
        assert written.count(first.imports[1].dataset.graph) > 100_000 and written.count(GRAPH_BUILD) > 10
    finally:
        written.close()
