"""Read access by the Graph Store Protocol (web/store.py) on a real server: a named graph, the default
graph and the whole dataset, streamed in any RDF format by Accept, far past the endpoint's row cap; writes
refused; bad requests answered with what to do."""
from __future__ import annotations

import httpx
import pyoxigraph as ox
import pytest

from crmgraph.namespaces import GRAPH_ASSERTED, GRAPH_ONTOLOGY
from crmgraph.store.embedded import OxigraphStore
from crmgraph.web import create_app
from crmgraph.web.sandbox import Limits

from .test_web_sparql import serving

#: A row cap far below the asserted graph's size: the dump must not care.
LIMITS = Limits(timeout_s=5.0, max_rows=1000, workers=1)


@pytest.fixture(scope="module")
def base(store_path, settings) -> str:
    with serving(create_app(store_path, settings, LIMITS)) as url:
        yield url.removesuffix("/sparql")


@pytest.fixture(scope="module")
def counts(store_path) -> dict:
    s = OxigraphStore(store_path, read_only=True)
    try:
        return {"all": s.count(), "asserted": s.count(GRAPH_ASSERTED), "ontology": s.count(GRAPH_ONTOLOGY),
                "distinct": len({q.triple for q in s.raw.quads_for_pattern(None, None, None, None)})}
    finally:
        s.close()


def _get(base: str, params: dict | None = None, accept: str | None = None) -> httpx.Response:
    return httpx.get(f"{base}/store", params=params, headers={"Accept": accept} if accept else {}, timeout=60)


def test_a_named_graph_larger_than_the_row_cap_is_streamed_whole(base, counts):
    assert counts["asserted"] > 10 * LIMITS.max_rows
    with httpx.stream("GET", f"{base}/store", params={"graph": GRAPH_ASSERTED},
                      headers={"Accept": "application/n-triples"}, timeout=60) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/n-triples")
        assert "content-length" not in r.headers  # streamed (chunked), not built first
        pieces = list(r.iter_raw())
    assert len(pieces) > 1
    assert len(list(ox.parse(b"".join(pieces), format=ox.RdfFormat.N_TRIPLES))) == counts["asserted"]


@pytest.mark.parametrize("accept, fmt", [
    (None, ox.RdfFormat.TURTLE), ("text/turtle", ox.RdfFormat.TURTLE), ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ("application/ld+json", ox.RdfFormat.JSON_LD), ("application/n-quads", ox.RdfFormat.N_QUADS)])
def test_any_rdf_format_by_content_negotiation(base, counts, accept, fmt):
    r = _get(base, {"graph": GRAPH_ONTOLOGY}, accept)
    assert r.status_code == 200, r.text
    assert r.headers["vary"] == "Accept"
    assert len(list(ox.parse(r.content, format=fmt))) == counts["ontology"]


def test_the_whole_dataset_as_nquads_or_trig(base, counts):
    r = _get(base)
    assert r.headers["content-type"].startswith("application/n-quads")
    quads = list(ox.parse(r.content, format=ox.RdfFormat.N_QUADS))
    assert len(quads) == counts["all"] and {q.graph_name.value for q in quads} >= {GRAPH_ASSERTED, GRAPH_ONTOLOGY}
    r = _get(base, accept="application/trig")
    assert len(list(ox.parse(r.content, format=ox.RdfFormat.TRIG))) == counts["all"]
    assert _get(base, {"format": "trig"}).headers["content-type"].startswith("application/trig")


def test_the_default_graph_is_the_union_of_the_named_graphs(base, counts):
    r = httpx.get(f"{base}/store?default", headers={"Accept": "application/n-triples"}, timeout=60)
    assert r.status_code == 200
    assert len(set(ox.parse(r.content, format=ox.RdfFormat.N_TRIPLES))) == counts["distinct"]


def test_writes_are_refused(base):
    for method in ("PUT", "POST", "DELETE"):
        r = httpx.request(method, f"{base}/store", params={"graph": GRAPH_ASSERTED}, content=b"<a> <b> <c> .",
                          headers={"Content-Type": "application/n-triples"}, timeout=30)
        assert r.status_code == 405 and "read-only" in r.text and r.headers["allow"] == "GET"


def test_bad_requests_say_what_to_do(base):
    r = _get(base, {"graph": "https://w3id.org/crmgraph/graph/nowhere"})
    assert r.status_code == 404 and GRAPH_ASSERTED in r.text
    assert _get(base, {"graph": "not an iri"}).status_code == 400
    assert httpx.get(f"{base}/store?default&graph={GRAPH_ASSERTED}", timeout=30).status_code == 400
    r = _get(base, accept="image/png")
    assert r.status_code == 406 and "application/n-quads" in r.text
