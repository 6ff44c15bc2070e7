"""Build guards: one build at a time (store/lock.py), no silent loss of facts (knowledge/shrink.py)."""
from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from crmgraph.errors import BuildLocked, CurationError, ShrinkRefused
from crmgraph.knowledge.build import build
from crmgraph.knowledge.shrink import check_shrink, previous_counts
from crmgraph.namespaces import GRAPH_ASSERTED
from crmgraph.store.embedded import OxigraphStore
from crmgraph.store.lock import build_lock

from .conftest import ROOT, write_graph_file

HOLDER = """import sys
from pathlib import Path
from crmgraph.store.lock import build_lock
with build_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    sys.stdin.readline()
"""


@pytest.fixture
def holder(tmp_path):
    """Another process holding the build lock of tmp_path until it is sent a line."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    yield proc
    if proc.poll() is None:
        proc.stdin.write("\n")
        proc.stdin.flush()
    proc.wait(timeout=10)


def test_a_second_build_fails_at_once_naming_the_first_ones_pid(holder, tmp_path):
    with pytest.raises(BuildLocked) as info:
        with build_lock(tmp_path):
            pass
    assert info.value.pid == holder.pid and f"pid {holder.pid}" in str(info.value) and "--wait" in info.value.hint


def test_with_wait_a_second_build_starts_when_the_first_has_finished(holder, tmp_path):
    said = []

    def finish_first():
        holder.stdin.write("\n")
        holder.stdin.flush()
    threading.Timer(0.3, finish_first).start()
    with build_lock(tmp_path, wait=True, on_wait=said.append) as lock:
        assert f"pid {holder.pid}" in said[0]
        assert holder.wait(timeout=10) == 0
        assert lock.read_text().startswith(f"pid {__import__('os').getpid()} started ")


def test_the_lock_of_a_killed_build_is_free(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    proc.kill()
    proc.wait(timeout=10)
    with build_lock(tmp_path):
        pass


def test_crmgraph_build_refuses_before_parsing_while_another_build_runs(holder, tmp_path):
    crmgraph = Path(sys.executable).parent / "crmgraph"
    done = subprocess.run([str(crmgraph), "build", "--store", str(tmp_path / "store")], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert f"another crmgraph build (pid {holder.pid}" in done.stderr and "crmgraph build --wait" in done.stderr
    assert not (tmp_path / "store").exists()


# -- the shrink guard ----------------------------------------------------------------------------------

@pytest.fixture
def previous(store_path, tmp_path):
    """A copy of a real store built from the real graph/ (the session's), to build over."""
    copy = tmp_path / "var" / "store"
    shutil.copytree(store_path, copy)
    return copy


def _asserted(path) -> int:
    store = OxigraphStore(path, read_only=True, in_memory=False)
    try:
        return store.count(GRAPH_ASSERTED)
    finally:
        store.close()


def test_the_build_graph_records_each_files_triples(previous):
    counts = previous_counts(previous)
    assert counts.per_file["graph/figures.ttl"] > 4000 and counts.asserted > 30000


def test_an_emptied_figures_file_stops_the_build_saying_what_would_be_lost(project, previous):
    before = _asserted(previous)
    figures = previous_counts(previous).per_file["graph/figures.ttl"]
    (project.graph_dir / "figures.ttl").write_text("# emptied by mistake\n", encoding="utf-8")
    with pytest.raises(ShrinkRefused) as info:
        build(project, store_path=previous, reason=False, imports=False)
    message = str(info.value)
    assert f"graph/figures.ttl {figures:,} → 0" in message and "lost more than 50%" in message
    assert "crmgraph build --allow-shrink" in info.value.hint
    assert _asserted(previous) == before


def test_allow_shrink_lets_the_build_go_on_to_the_other_checks(project, previous):
    (project.graph_dir / "figures.ttl").write_text("# emptied on purpose\n", encoding="utf-8")
    write_graph_file(project, "typo.ttl", 'country:TJJ skos:altLabel "Tajikistan"@fr .\n')
    with pytest.raises(CurationError):  # past the shrink guard, stopped by the next check
        build(project, store_path=previous, reason=False, imports=False, allow_shrink=True)


def test_losing_more_than_a_fifth_in_all_is_refused():
    before = {f"graph/f{i}.ttl": 90 for i in range(10)}
    after = {name: 70 for name in before}
    with pytest.raises(ShrinkRefused, match="more than the 20% a build may drop unasked"):
        check_shrink(before, after, Path("var/store"))


def test_moving_a_files_content_to_another_file_or_small_edits_are_not_a_loss():
    check_shrink({"graph/a.ttl": 1000, "graph/b.ttl": 10}, {"graph/b.ttl": 1010}, Path("var/store"))
    check_shrink({"graph/a.ttl": 1000, "graph/b.ttl": 10}, {"graph/a.ttl": 900, "graph/b.ttl": 10}, Path("var/store"))
    check_shrink({"graph/a.ttl": 60, "graph/b.ttl": 1000}, {"graph/b.ttl": 1000}, Path("var/store"))  # a small file


def test_no_previous_store_is_nothing_to_lose(tmp_path):
    assert previous_counts(tmp_path / "nowhere") is None
