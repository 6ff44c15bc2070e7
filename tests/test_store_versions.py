"""The store is a link to its current version, switched atomically (store/versions.py): at no moment —
crash included — does `var/store` fail to open; leftovers go on the next build; readers keep working."""
from __future__ import annotations

import os

import pyoxigraph as ox
import pytest

from crmgraph.namespaces import GRAPH_ASSERTED
from crmgraph.store import versions
from crmgraph.store.embedded import OxigraphStore, write_new_store

P = ox.NamedNode("urn:test:p")


def _fill(n: int):
    """A fill that writes n triples: the store's content says which build wrote it."""
    def fill(store):
        store.replace_graph(GRAPH_ASSERTED, [ox.Triple(ox.NamedNode(f"urn:test:s{i}"), P, ox.Literal(str(i))) for i in range(n)])
    return fill


def _count(path) -> int:
    store = OxigraphStore(path, read_only=True, in_memory=False)
    try:
        return store.count(GRAPH_ASSERTED)
    finally:
        store.close()


def _versions(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("store-"))


def test_the_store_is_a_relative_link_to_a_complete_version(tmp_path):
    target = tmp_path / "store"
    version = write_new_store(target, _fill(3))
    assert target.is_symlink() and os.readlink(target) == version.name and version.parent == tmp_path
    assert _count(target) == 3


def test_the_previous_version_is_kept_and_older_ones_are_removed(tmp_path):
    target = tmp_path / "store"
    first = write_new_store(target, _fill(1))
    second = write_new_store(target, _fill(2))
    assert _versions(tmp_path) == sorted([first.name, second.name])
    third = write_new_store(target, _fill(3))
    assert _versions(tmp_path) == sorted([second.name, third.name])
    assert _count(target) == 3


def test_a_crash_before_the_atomic_switch_leaves_the_old_store_readable_and_the_next_build_cleans_up(tmp_path, monkeypatch):
    target = tmp_path / "store"
    write_new_store(target, _fill(1))

    def crash(*args):
        raise KeyboardInterrupt("killed between writing the new version and switching to it")
    monkeypatch.setattr(versions.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        write_new_store(target, _fill(2))
    assert _count(target) == 1  # the old version still opens
    monkeypatch.undo()
    # what a real kill -9 would also leave: a temporary link, and folders of the old two-rename swap
    os.symlink("nowhere", tmp_path / ".store.link-deadbeef")
    (tmp_path / ".store.new-123-abcdef01").mkdir()
    (tmp_path / ".store.old-123-abcdef01").mkdir()
    assert len(_versions(tmp_path)) == 2  # the orphan, complete but never switched to
    newest = write_new_store(target, _fill(3))
    assert _count(target) == 3
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".store")]
    assert leftovers == [] and newest.name in _versions(tmp_path) and len(_versions(tmp_path)) == 2


def test_a_failed_fill_leaves_the_link_and_no_half_written_version(tmp_path):
    target = tmp_path / "store"
    write_new_store(target, _fill(1))
    before = _versions(tmp_path)

    def fail(store):
        _fill(5)(store)
        raise RuntimeError("the build failed while writing")
    with pytest.raises(RuntimeError):
        write_new_store(target, fail)
    assert _versions(tmp_path) == before and _count(target) == 1


def test_a_store_of_the_old_layout_becomes_the_previous_version(tmp_path):
    target = tmp_path / "store"
    old = OxigraphStore(target)  # a plain folder, as builds wrote it before versions
    _fill(4)(old)
    old.close()
    new = write_new_store(target, _fill(2))
    assert target.is_symlink() and _count(target) == 2
    (previous,) = [name for name in _versions(tmp_path) if name != new.name]
    assert _count(tmp_path / previous) == 4


def test_a_reader_that_opened_the_old_version_keeps_reading_and_new_readers_see_the_new_one(tmp_path):
    target = tmp_path / "store"
    write_new_store(target, _fill(1))
    reader = OxigraphStore(target, read_only=True, in_memory=False)
    try:
        write_new_store(target, _fill(2))
        assert reader.count(GRAPH_ASSERTED) == 1
        assert _count(target) == 2
    finally:
        reader.close()


def test_the_store_path_from_the_environment_is_not_resolved_through_the_link(tmp_path, monkeypatch):
    from crmgraph.settings import Settings

    target = tmp_path / "store"
    write_new_store(target, _fill(1))
    monkeypatch.setenv("CRMGRAPH_STORE", str(target))
    assert Settings(root=tmp_path).default_store == target
