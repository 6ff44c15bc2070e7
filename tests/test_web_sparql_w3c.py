"""The W3C SPARQL 1.1 Protocol test suite, run against /sparql from its manifest.

The manifest and data are in tests/data/w3c-sparql11-protocol/ (copied byte for byte from w3c/rdf-tests,
with their licence and README). Every one of the 34 tests is run, as the manifest writes its HTTP
requests, against a real server over a store holding the tests' data (data1–3.nt in the named graphs
the manifest's `ut:graphData` labels give them):

- `query_*` and `bad_*`: every request, checked for the expected status class, result format
  (boolean / tabular / RDF, by the media types the test names) and boolean value;
- `update_*`: this endpoint is read-only, so the update request (the first one) must be refused with
  403, where a writable store answers 2xx; the follow-up requests that would check the update's effect
  are not run (there is none). `bad_update_*` expect a 4xx and get one.
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest
import rdflib
from rdflib.collection import Collection

from crmgraph.store.embedded import OxigraphStore
from crmgraph.web import create_app
from crmgraph.web.sandbox import Limits

from .test_web_sparql import serving

SUITE = Path(__file__).parent / "data" / "w3c-sparql11-protocol"
BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest#"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"

#: Media types that count as each `mf:expectedFormat` (the manifest's test names list them).
FORMAT_TYPES = {
    "boolean": {"application/sparql-results+json", "application/sparql-results+xml"},
    "tabular": {"application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                "text/tab-separated-values"},
    "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples"},
}


def _manifest() -> rdflib.Graph:
    return rdflib.Graph().parse(SUITE / "manifest.ttl", format="turtle", publicID=BASE)


def _requests(graph: rdflib.Graph, test) -> list[dict]:
    """The HTTP requests of one test, in order, as plain dicts."""
    action = graph.value(test, MF.action)
    out = []
    for req in Collection(graph, graph.value(action, HT.requests)):
        body = graph.value(req, HT.body)
        headers = {}
        if (header_list := graph.value(req, HT.headers)) is not None:
            headers = {str(graph.value(h, HT.fieldName)): str(graph.value(h, HT.fieldValue))
                       for h in Collection(graph, header_list)}
        resp = graph.value(req, HT.resp)
        out.append({
            "method": str(graph.value(req, HT.methodName)),
            "path": str(graph.value(req, HT.absolutePath)),
            "body": None if body is None else str(graph.value(body, CNT.chars)).encode(
                str(graph.value(body, CNT.characterEncoding) or "UTF-8")),
            "headers": headers,
            "statuses": {int(str(s)[len(HTS)]) for s in graph.objects(resp, MF.expectedStatus)},
            "format": (str(f) if (f := graph.value(resp, MF.expectedFormat)) is not None else None),
            "boolean": (v.toPython() if (v := graph.value(resp, MF.expectedBoolean)) is not None else None),
        })
    return out


def _tests() -> list[tuple[str, list[dict]]]:
    graph = _manifest()
    manifest = next(graph.subjects(rdflib.RDF.type, MF.Manifest))
    return [(str(t)[len(BASE):], _requests(graph, t)) for t in Collection(graph, graph.value(manifest, MF.entries))]


TESTS = _tests()


def test_the_manifest_is_read_whole():
    names = [name for name, _ in TESTS]
    assert len(names) == 34 and all(requests for _, requests in TESTS)
    assert sum(n.startswith("query_") for n in names) == 13 and sum(n.startswith("bad_") for n in names) == 14


@pytest.fixture(scope="module")
def w3c_endpoint(tmp_path_factory, settings):
    """A server over the suite's data: each data file in the named graph the manifest names it by."""
    graph = _manifest()
    labels = {str(graph.value(d, UT.graph)): str(graph.value(d, rdflib.RDFS.label))
              for d in graph.objects(None, UT.graphData)}
    path = tmp_path_factory.mktemp("w3c") / "store"
    store = OxigraphStore(path)
    for file_iri, name in sorted(labels.items()):
        store.load_file(SUITE / file_iri.rsplit("/", 1)[-1], name)
    store.close()
    with serving(create_app(path, settings, Limits(timeout_s=5.0, max_rows=100, workers=1))) as url:
        yield url


def _boolean(response: httpx.Response) -> bool:
    if "json" in response.headers["content-type"]:
        return json.loads(response.content)["boolean"]
    element = ET.fromstring(response.content).find("{http://www.w3.org/2005/sparql-results#}boolean")
    return element.text.strip() == "true"


@pytest.mark.parametrize("name, requests", TESTS, ids=[name for name, _ in TESTS])
def test_w3c_protocol(w3c_endpoint, name, requests):
    with httpx.Client(timeout=30) as http:
        for i, req in enumerate(requests):
            assert req["path"].startswith("/sparql/")
            url = w3c_endpoint + req["path"][len("/sparql/"):]
            response = http.request(req["method"], url, content=req["body"], headers=req["headers"])
            if name.startswith("update_"):
                # read-only: the update is refused, and there is nothing for the next requests to check
                assert i == 0 and response.status_code == 403, response.text
                assert "read-only" in response.text
                return
            assert response.status_code // 100 in req["statuses"], f"{response.status_code}: {response.text}"
            if req["format"]:
                media = response.headers["content-type"].split(";")[0]
                assert media in FORMAT_TYPES[req["format"]], media
            if req["boolean"] is not None:
                assert _boolean(response) is req["boolean"]
