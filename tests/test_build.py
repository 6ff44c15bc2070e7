"""A build writes exactly what it compiled: the fast store path (everything assembled in memory, one bulk
load into the new store) holds the same quads as the plain one (a bulk load per graph, `fill_store`)."""
from __future__ import annotations

import dataclasses

import pyoxigraph as ox

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
