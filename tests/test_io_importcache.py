"""The import cache (`io/importcache.py`): a dataset is imported again exactly when something it depends
on changed, and a store built from the cache holds the very graphs a from-scratch import writes."""
from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from crmgraph.io.datasets import DATASETS
from crmgraph.io.importcache import code_closure, dataset_key, import_graphs
from crmgraph.io.importing import import_all
from crmgraph.knowledge.build import curated_countries, write_store
from crmgraph.namespaces import DCTERMS, GRAPH_BUILD, PROV
from crmgraph.settings import Settings
from crmgraph.store.embedded import OxigraphStore

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "crmgraph"
#: the two triples that differ between any two builds: when the build and the indicators ran
TIMESTAMPS = {DCTERMS + "modified", PROV + "startedAtTime"}


def test_the_importers_code_is_every_module_they_import_and_no_other():
    closure = {p.relative_to(PACKAGE).as_posix() for p in code_closure(PACKAGE / "io" / "importing.py")}
    # the importers, the name tables, the figure writer and the statement shape it shares with the build
    assert {"io/importing.py", "io/usgs.py", "io/eucrm.py", "io/names.py", "io/records.py", "io/datasets.py",
            "knowledge/statements.py", "namespaces.py"} <= closure
    assert not any(p.startswith(("web/", "views/", "analysis/", "query/")) for p in closure)
    assert "knowledge/shacl.py" not in closure and "io/export.py" not in closure


def test_a_dataset_key_changes_with_its_bytes_and_the_curated_countries_only(tmp_path):
    dataset = DATASETS["usgs-mcs"]
    folder = tmp_path / dataset.folder
    shutil.copytree(Settings.discover().data_dir / dataset.folder, folder)
    countries = {"https://w3id.org/crmgraph/id/country/KZ"}
    key = dataset_key(dataset, folder, countries)
    assert dataset_key(dataset, folder, set(countries)) == key  # same inputs, same key
    assert dataset_key(dataset, folder, countries | {"https://w3id.org/crmgraph/id/country/UZ"}) != key
    csv = folder / "MCS2025_World_Data.csv"
    csv.write_bytes(csv.read_bytes() + b"\n")
    assert dataset_key(dataset, folder, countries) != key


def _canonical(store: OxigraphStore) -> dict[str, set[str]]:
    """Each graph as canonical N-Quads lines (RDFC-1.0: blank-node labels from the graph's shape), without
    the two time stamps."""
    out: dict[str, set[str]] = {}
    for graph in store.raw.named_graphs():
        quads = ox.Dataset(q for q in store.raw.quads_for_pattern(None, None, None, graph)
                           if q.predicate.value not in TIMESTAMPS)
        quads.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        out[graph.value] = set(ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode().splitlines())
    return out


@pytest.fixture(scope="module")
def countries(compiled):
    return curated_countries(compiled.asserted + compiled.inferred)


@pytest.fixture(scope="module")
def cache(settings, countries, tmp_path_factory) -> Path:
    """A cache folder after one build's imports (both datasets imported: it was empty)."""
    folder = tmp_path_factory.mktemp("importcache")
    first = import_graphs(settings, countries, folder)
    assert (first.imported, first.reused) == ([d.graph for d in DATASETS.values()], [])
    assert (first.ready_base() / "COMPLETE").is_file()  # written in the background, complete once waited for
    return folder


def _copy_entries(cache: Path, to: Path) -> Path:
    """The per-dataset entries of `cache` (not its store) in a folder of the test's own."""
    to.mkdir()
    for entry in cache.glob("import-*"):
        shutil.copy(entry, to / entry.name)
    return to


def test_a_store_built_from_the_cache_holds_the_same_graphs_as_a_fresh_import(compiled, settings, countries, cache, tmp_path):
    again = import_graphs(settings, countries, cache)
    graphs = [d.graph for d in DATASETS.values()]
    assert (again.imported, again.reused) == ([], graphs)  # nothing changed: both re-used
    fresh = dataclasses.replace(compiled, imports=import_all(settings, countries), timings={})
    assert [r.figures for r in again.reports] == [r.figures for _d, _t, r in fresh.imports]
    assert again.reports[0].figures > 1000

    cached = dataclasses.replace(compiled, imported=again, timings={})
    write_store(fresh, settings, tmp_path / "fresh")
    write_store(cached, settings, tmp_path / "cached")
    a, b = OxigraphStore(tmp_path / "fresh", read_only=True), OxigraphStore(tmp_path / "cached", read_only=True)
    try:
        left, right = _canonical(a), _canonical(b)
        assert set(left) == set(right) and set(graphs) <= set(left)
        for graph in left:
            assert left[graph] == right[graph], graph
        assert len(left[graphs[1]]) > 100_000 and len(left[GRAPH_BUILD]) > 10
    finally:
        a.close(), b.close()
    assert {"store", "indicators"} <= cached.timings.keys()


def test_a_changed_input_imports_that_dataset_again_and_reuses_the_other(settings, countries, cache, tmp_path):
    project = Settings(root=tmp_path / "project")  # the importers read only its data/
    shutil.copytree(settings.data_dir, project.data_dir)
    usgs, eu = DATASETS["usgs-mcs"], DATASETS["eu-crm-study"]
    readme = project.data_dir / usgs.folder / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    again = import_graphs(project, countries, _copy_entries(cache, tmp_path / "cache"))
    assert (again.reused, again.imported) == ([eu.graph], [usgs.graph])
    assert (again.ready_base() / "COMPLETE").is_file()  # a new combination: its store written anew


def test_an_unreadable_cache_entry_is_a_miss(settings, countries, cache, tmp_path):
    mine = _copy_entries(cache, tmp_path / "cache")
    usgs_key = dataset_key(DATASETS["usgs-mcs"], settings.data_dir / DATASETS["usgs-mcs"].folder, countries)
    (mine / f"import-{usgs_key}.report").write_bytes(b"not a pickle")
    again = import_graphs(settings, countries, mine)
    assert again.imported == [DATASETS["usgs-mcs"].graph] and again.reused == [DATASETS["eu-crm-study"].graph]
    again.ready_base()


def test_without_a_data_folder_nothing_is_imported(countries, tmp_path):
    assert import_graphs(Settings(root=tmp_path), countries, tmp_path / "cache") is None


def test_a_look_at_the_cache_alone_never_imports(settings, countries, cache, tmp_path):
    """What a build asks before its checks, to preload the imported graphs: a hit, or None at no cost."""
    assert import_graphs(settings, countries, tmp_path / "empty", only_cached=True) is None
    assert not [p for p in (tmp_path / "empty").iterdir() if p.name.startswith("import")]
    hit = import_graphs(settings, countries, cache, only_cached=True)
    assert hit is not None and hit.imported == [] and hit.countries == frozenset(countries)
    hit.preload()
    memory = hit.memory()  # the preloaded store, waited for
    assert len(memory) == len(hit.nquads.splitlines()) > 150_000
    assert len(hit.memory()) == len(memory)  # asked again: loaded again, not the same (filled) store
