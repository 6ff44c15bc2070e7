"""`crmgraph diff` (io/diff.py) on a fixture pair (tests/data/diff/old.trig → new.trig): exactly the changed
statements, by statement and with their sources; blank-node labels never count; a release folder and a store
are read like a dataset file; bad input says what to give."""
from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from crmgraph.cli import app
from crmgraph.io.diff import DiffInputError, diff, diff_graphs, read_asserted, to_text

DATA = Path(__file__).resolve().parent / "data" / "diff"


@pytest.fixture(scope="module")
def result():
    return diff(DATA / "old.trig", DATA / "new.trig")


def test_exactly_the_added_and_removed_statements(result):
    assert [(s.kind, s.key) for s in result.added] == [("crm:Assertion", "country:KZ crm:produces mat:tungsten"),
                                                       ("crm:Figure", "fig:f3")]
    assert [(s.kind, s.key) for s in result.removed] == [("crm:Figure", "fig:f2")]
    assert result.added[0].sources == ('[crm:locator "Annex III"; crm:source src:S4]',)
    assert result.removed[0].sources == ('[crm:locator "p. 9"; crm:source src:S3]',)


def test_exactly_the_changed_statements_with_what_changed(result):
    changed = {c.new.key: c.fields for c in result.changed}
    assert set(changed) == {"country:KZ crm:produces mat:chromium", "fig:f1"}
    assert changed["fig:f1"] == {"crm:value": (('"21227"^^xsd:integer',), ('"21277"^^xsd:integer',))}
    chromium = changed["country:KZ crm:produces mat:chromium"]
    assert chromium["crm:status"] == (("crm:Unverified",), ("crm:Verified",))
    assert chromium["prov:wasDerivedFrom"] == (('[crm:locator "§4"; crm:source src:S2]',),
                                               ('[crm:locator "Annex II"; crm:source src:S4]',))


def test_plain_triples_and_nothing_else(result):
    assert result.triples_added == ['country:UZ skos:prefLabel "Republic of Uzbekistan"@en']
    assert result.triples_removed == ['country:UZ skos:prefLabel "Uzbekistan"@en']
    # the direct triples that assertions cover are not listed again, the unchanged ones not at all
    text = to_text(result)
    assert "uranium" not in text and "tungsten" in text
    assert text.startswith("2 added, 1 removed, 2 changed statements; 1 plain triples added, 1 removed")


def test_the_same_graph_with_other_blank_node_labels_is_no_change():
    first = read_asserted(DATA / "old.trig")
    second = read_asserted(DATA / "old.trig")  # parsed again: new random blank-node labels
    assert {str(t) for t in first} != {str(t) for t in second}
    assert diff_graphs(first, second).empty


def test_release_folders_and_stores_are_read_too(tmp_path):
    old_release = tmp_path / "old"
    old_release.mkdir()
    quads = list(ox.parse(path=str(DATA / "old.trig"), format=ox.RdfFormat.TRIG))
    (old_release / "crmgraph.nq").write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    store = ox.Store(str(tmp_path / "store"))
    store.bulk_extend(ox.parse(path=str(DATA / "new.trig"), format=ox.RdfFormat.TRIG))
    store.flush()
    del store
    d = diff(old_release, tmp_path / "store")
    assert [s.key for s in d.added] == ["country:KZ crm:produces mat:tungsten", "fig:f3"]


def test_bad_input_says_what_to_give(tmp_path):
    with pytest.raises(DiffInputError, match="not a release folder, a store or an .nq/.trig file"):
        diff(tmp_path, DATA / "new.trig")


def test_the_cli_prints_text_or_json():
    runner = CliRunner()
    r = runner.invoke(app, ["diff", str(DATA / "old.trig"), str(DATA / "new.trig"), "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert [c["key"] for c in data["changed"]] == ["country:KZ crm:produces mat:chromium", "fig:f1"]
    r = runner.invoke(app, ["diff", str(DATA / "nowhere"), str(DATA / "new.trig")])
    assert r.exit_code == 1 and "hint:" in r.output
