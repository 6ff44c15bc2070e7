"""The release folder (io/export.py): every file parses back, with independent parsers, to the store's
counts; the JSON-LD expands with pyld under its published context; same store → same bytes, and the same
graph with other blank-node labels → the same bytes; checksums hold; a failed export leaves the previous
release in place; the CSV tables carry every figure with its status and sources."""
from __future__ import annotations

import csv
import hashlib
import io
import json

import pyoxigraph as ox
import pytest
import rdflib
from pyld import jsonld as pyld

from crmgraph.io import export as export_module
from crmgraph.io.canonical import canonical_quads, serialize_quads
from crmgraph.io.describe import Version
from crmgraph.io.export import CHECKSUMS, export_release, read_checksums
from crmgraph.namespaces import GRAPH_ASSERTED, GRAPH_ONTOLOGY

VERSION = Version("0.1.0", "2026-11-27")
FORMATS = {"nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "ttl": ox.RdfFormat.TURTLE,
           "nt": ox.RdfFormat.N_TRIPLES, "rdf": ox.RdfFormat.RDF_XML}


@pytest.fixture(scope="module")
def release(store, tmp_path_factory):
    return export_release(store, tmp_path_factory.mktemp("export") / "release", VERSION)


def _parse_count(path) -> int:
    return len(list(ox.parse(path=str(path), format=FORMATS[path.suffix[1:]])))


def test_the_release_has_every_promised_file(release):
    names = {p.name for p in release.folder.iterdir()}
    assert {"crmgraph.nq", "crmgraph.trig", "asserted.ttl", "asserted.nt", "asserted.rdf", "asserted.jsonld",
            "ontology.ttl", "ontology.rdf", "context.jsonld", "figures.csv", "instruments.csv", "list-entries.csv",
            "sources.csv", "void.ttl", "README.txt", CHECKSUMS} <= names
    assert not any(p.name.startswith("release.partial") for p in release.folder.parent.iterdir())


def test_every_rdf_file_parses_back_to_the_store_counts(release, store):
    expected = {"crmgraph": store.count(), "asserted": store.count(GRAPH_ASSERTED), "ontology": store.count(GRAPH_ONTOLOGY)}
    checked = 0
    for path in sorted(release.folder.iterdir()):
        if path.suffix[1:] in FORMATS and path.stem in expected:
            assert _parse_count(path) == expected[path.stem], path.name
            assert release.file(path.name).triples == expected[path.stem]
            checked += 1
    assert checked == 7  # nq, trig, 3 × asserted (the JSON-LD is read by pyld below), 2 × ontology


def test_rdflib_reads_the_turtle_and_the_nquads_alike(release, store):
    g = rdflib.Graph().parse(release.folder / "asserted.ttl", format="turtle")
    assert len(g) == store.count(GRAPH_ASSERTED)
    ds = rdflib.Dataset()
    ds.parse(release.folder / "crmgraph.nq", format="nquads")
    assert sum(len(ctx) for ctx in ds.contexts() if len(ctx)) == store.count()


def test_published_files_are_plain_rdf_1_1(release):
    """No triple terms (RDF 1.2): the curated files' {| … |} annotations arrive as crm:Assertion nodes, and
    rdflib, which has no RDF 1.2, reads the TriG."""
    for name in ("crmgraph.nq", "asserted.ttl"):
        quads = ox.parse(path=str(release.folder / name), format=FORMATS[name.rsplit(".", 1)[1]])
        assert not any(isinstance(t, ox.Triple) for q in quads for t in (q.subject, q.object)), name
    ds = rdflib.Dataset()
    ds.parse(release.folder / "crmgraph.trig", format="trig")
    assert sum(len(ctx) for ctx in ds.contexts() if len(ctx)) == release.file("crmgraph.trig").triples


def test_the_jsonld_expands_with_pyld_to_the_same_triples(release, store):
    document = json.loads((release.folder / "asserted.jsonld").read_text(encoding="utf-8"))
    published = json.loads((release.folder / "context.jsonld").read_text(encoding="utf-8"))
    assert document["@context"] == published["@context"]
    nquads = pyld.to_rdf(document, {"format": "application/n-quads"})
    parsed = list(ox.parse(nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS))
    assert len(parsed) == store.count(GRAPH_ASSERTED)
    # the same triples as the N-Triples file, once blank nodes are canonical
    from_jsonld = serialize_quads(canonical_quads(parsed), ox.RdfFormat.N_QUADS)
    from_nt = serialize_quads(canonical_quads(ox.parse(path=str(release.folder / "asserted.nt"),
                                                       format=ox.RdfFormat.N_TRIPLES)), ox.RdfFormat.N_QUADS)
    assert from_jsonld == from_nt


def test_two_exports_of_one_store_are_byte_identical(release, store, tmp_path):
    again = export_release(store, tmp_path / "again", VERSION)
    first = {p.name: p.read_bytes() for p in release.folder.iterdir()}
    second = {p.name: p.read_bytes() for p in again.folder.iterdir()}
    assert first.keys() == second.keys()
    assert [n for n in first if first[n] != second[n]] == []


def test_blank_node_labels_do_not_change_the_bytes():
    """Two parses of one Turtle text get different random blank-node labels; the canonical output is one."""
    text = b"""@prefix ex: <http://example.org/> .
    ex:a ex:ref [ ex:source ex:s1 ; ex:locator "p. 1" ] , [ ex:source ex:s2 ; ex:locator "p. 2" ] .
    ex:b ex:ref [ ex:source ex:s1 ; ex:locator "p. 1" ] ."""
    first, second = (list(ox.parse(text, format=ox.RdfFormat.TURTLE)) for _ in range(2))
    assert {str(q.object) for q in first if q.predicate.value.endswith("ref")} != \
        {str(q.object) for q in second if q.predicate.value.endswith("ref")}
    write = lambda quads: serialize_quads(canonical_quads(quads), ox.RdfFormat.N_QUADS)  # noqa: E731
    assert write(first) == write(second)
    assert b"_:c14n0" in write(first)


def test_checksums_cover_every_other_file(release):
    sums = read_checksums(release.folder)
    files = {p.name for p in release.folder.iterdir()} - {CHECKSUMS}
    assert set(sums) == files
    for name, digest in sums.items():
        assert hashlib.sha256((release.folder / name).read_bytes()).hexdigest() == digest, name


def test_a_failed_export_leaves_the_previous_release(release, store, tmp_path, monkeypatch):
    target = tmp_path / "release"
    export_release(store, target, VERSION)
    before = {p.name: p.read_bytes() for p in target.iterdir()}

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(export_module.tables, "rows", broken)
    with pytest.raises(RuntimeError):
        export_release(store, target, VERSION)
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["release"]


def _csv(release, name) -> list[dict]:
    return list(csv.DictReader(io.StringIO((release.folder / name).read_text(encoding="utf-8"))))


def test_every_figure_is_a_row_with_its_status_and_sources(release, select):
    figures = _csv(release, "figures.csv")
    n = select("SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { GRAPH graph:asserted { ?f a crm:Figure } }")[0]["n"]
    assert len(figures) == n and len({f["figure"] for f in figures}) == n
    assert all(f["status"] and f["sources"] and f["value"] for f in figures)
    kz = [f for f in figures if f["subject"].endswith("/country/KZ")]
    assert kz and all(f["subjectLabel"] == "Kazakhstan" for f in kz)


def test_list_entries_come_by_edition_in_official_order(release):
    entries = [e for e in _csv(release, "list-entries.csv") if e["list"].endswith("/crma-strategic-2024")]
    positions = [int(e["position"]) for e in entries if e["position"]]
    assert positions == sorted(positions) and positions[0] == 1
    assert all(e["status"] and e["sources"] for e in entries)


def test_instruments_and_sources_tables(release):
    instruments = {i["instrument"].rsplit("/", 1)[-1]: i for i in _csv(release, "instruments.csv")}
    assert instruments["crma"]["adoptedOn"] == "2024-03-18"
    sources = {s["key"]: s for s in _csv(release, "sources.csv")}
    assert sources["S2"]["title"] == "European Commission press release IP/14/599"


def test_the_readme_gives_version_licence_and_citation(release):
    text = (release.folder / "README.txt").read_text(encoding="utf-8")
    assert "Version 0.1.0 (2026-11-27)" in text and "CC BY 4.0" in text and "@misc{crmgraph_0_1_0" in text
    assert "crmgraph.nq" in text


def test_assertion_iris_do_not_depend_on_blank_node_labels(settings):
    """An annotated triple with a blank node (a role: `person holdsRole [ … ] {| … |}`) gets the same
    assertion IRI on every parse, so two builds of the same graph/ give the same release files."""
    from crmgraph.knowledge.curated import parse_file

    path = settings.graph_dir / "organisations.ttl"
    first, second = (parse_file(path, "graph/organisations.ttl") for _ in range(2))
    iris = lambda f: sorted(t.subject.value for t in f.triples if t.subject.value.startswith(  # noqa: E731
        "https://w3id.org/crmgraph/id/assertion/") and t.predicate.value.endswith("#type"))
    assert iris(first) == iris(second) and len(iris(first)) > 10
