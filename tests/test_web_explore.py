"""The explorer's routes over HTTP (web/explore.py), against a real uvicorn server on 127.0.0.1:
the page and its JSON twin for the whole graph, a named query and a query of one's own; strangers'
queries go through the same guard as /sparql; the asset route serves three files and nothing else;
pages forbid loading anything from outside. (What the page does in a browser: test_browser_explorer.py.)"""
from __future__ import annotations

import re
import time
from urllib.parse import quote

import httpx
import pytest

from crmgraph.namespaces import ID
from crmgraph.views.wire import unpack
from crmgraph.web.sandbox import Limits
from crmgraph.web import create_app

from .test_web_sparql import serving
from crmgraph.web.html import SEARCH_SCRIPT

LIMITS = Limits(timeout_s=3.0, max_rows=500, workers=1)
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def client(store_path, settings):
    with serving(create_app(store_path, settings, LIMITS)) as url, \
            httpx.Client(base_url=url.removesuffix("/sparql"), timeout=60) as c:
        yield c


def page_data(client, html: str) -> dict:
    """The data a page fetches (its `data-src`, packed), unpacked."""
    src = re.search(r'data-src="([^"]+)"', html).group(1)
    return unpack(client.get(src.replace("&amp;", "&")).json())


def labels_on_screen(data: dict) -> set[str]:
    return {data["nodes"][i]["label"] for i in data["view"]}


def test_the_explorer_shows_the_whole_graph_from_its_json_twin(client):
    page = client.get("/explore")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'id="crmgraph-data"' not in page.text, "the whole graph's page is sent at once, without its data"
    assert 'data-src="/explore.json"' in page.text and 'id="loading"' in page.text
    data = unpack(client.get("/explore.json").json())
    assert {"Kazakhstan", "Uzbekistan", "lithium", "European Union"} <= labels_on_screen(data)
    assert len(data["view"]) == len(data["nodes"]) > 300
    kz = next(n for n in data["nodes"] if n["iri"] == ID + "country/KZ")
    assert kz["href"] == "/id/country/KZ", "entities link to their local pages"
    assert any(f["refs"] for f in kz["facts"]) and any(t["inferred"] for t in kz["types"])


def test_pages_load_only_the_servers_own_assets_and_forbid_anything_else(client):
    page = client.get("/explore")
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "connect-src 'self'" in csp
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith(("/assets/explorer/", "/assets/portal/")) or s == "data:," for s in sources), sources


def test_a_named_query_is_drawn_from_its_answer(client):
    page = client.get("/explore", params={"query": "eu-crm-supply-from-central-asia"})
    assert page.status_code == 200
    assert 'id="crmgraph-data"' not in page.text, "the page is small: it fetches its data"
    data = page_data(client, page.text)
    on_screen = labels_on_screen(data)
    assert "Kazakhstan" in on_screen and "European Union" not in on_screen
    assert len(data["view"]) < len(data["nodes"]), "the rest of the graph stays available for expanding"
    assert 'href="/queries/eu-crm-supply-from-central-asia"' in page.text, "links back to the results as a table"
    assert 'href="/explore.json?query=eu-crm-supply-from-central-asia"' in page.text, "and to its data"


def test_a_named_querys_parameters_are_used(client):
    data = unpack(client.get("/explore.json", params={"query": "crm-list-entries", "list": "crma-strategic-2024"}).json())
    on_screen = labels_on_screen(data)
    assert {"copper", "bismuth"} <= on_screen and "Kazakhstan" not in on_screen
    assert client.get("/explore", params={"query": "crm-list-entries", "list": "no such list"}).status_code == 400


def test_a_query_of_ones_own_is_drawn_if_it_has_two_iri_columns(client):
    sparql = "SELECT ?c ?i WHERE { ?c crm:partyTo ?i . ?c crm:memberOf region:central-asia }"
    data = unpack(client.get("/explore.json", params={"sparql": sparql}).json())
    assert {"Kazakhstan", "Uzbekistan", "Tajikistan", "Kyrgyzstan", "Turkmenistan"} <= labels_on_screen(data)
    construct = "CONSTRUCT { ?c crm:partyTo ?i } WHERE { ?c crm:partyTo ?i . ?c crm:memberOf region:central-asia }"
    assert labels_on_screen(unpack(client.get("/explore.json", params={"sparql": construct}).json())) == labels_on_screen(data)


@pytest.mark.parametrize("sparql, status, words", [
    ("ASK {}", 400, "yes/no"),
    ("SELECT ?l WHERE { ?c skos:prefLabel ?l }", 400, "column(s) of IRIs"),
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", 403, "read-only"),
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", 403, "SERVICE"),
    ("SELECT ?s ?o WHERE { ?s ?p ?o }", 422, "500"),
    ("SELECT ?s WHERE { ?s ", 400, "syntax"),
])
def test_queries_that_cannot_be_drawn_or_run_are_refused_with_a_reason(client, sparql, status, words):
    page = client.get("/explore", params={"sparql": sparql})
    assert page.status_code == status, page.text
    assert words.lower() in page.text.lower() and "<script" not in page.text.replace(SEARCH_SCRIPT, "")
    twin = client.get("/explore.json", params={"sparql": sparql})
    assert twin.status_code == status and twin.json()["message"]


def test_the_time_limit_stops_a_heavy_query_and_the_explorer_answers_at_once_after(client):
    slow = client.get("/explore", params={"sparql": HEAVY})
    assert slow.status_code == 503 and "time limit" in slow.text.lower()
    # the killed worker's replacement opens the store (under a second here, several on a loaded machine)
    end = time.monotonic() + 60
    while client.get("/health").json()["status"] != "ok":
        assert time.monotonic() < end, "the pool did not refill"
        time.sleep(0.1)
    after = client.get("/explore.json", params={"query": "eu-crm-supply-from-central-asia"})
    assert after.status_code == 200, after.text


def test_an_unknown_named_query_is_a_404(client):
    page = client.get("/explore", params={"query": "no-such-query"})
    assert page.status_code == 404 and "no-such-query" in page.text


def test_a_hostile_parameter_is_escaped_in_the_error_page(client):
    page = client.get("/explore", params={"query": "<script>alert(1)</script>"})
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;" in page.text


def test_the_asset_route_serves_three_files_and_nothing_else(client):
    for name, kind in (("vis-network.min.js", "javascript"), ("explorer.js", "javascript"), ("explorer.css", "css")):
        r = client.get(f"/assets/explorer/{name}")
        assert r.status_code == 200 and kind in r.headers["content-type"] and len(r.content) > 500
    for attempt in ("/assets/explorer/../network.py", "/assets/explorer/..%2Fnetwork.py", "/assets/explorer/%2e%2e/cli.py",
                    "/assets/explorer/vis-network.css", "/assets/explorer/..", "/assets/explorer/%2Fetc%2Fpasswd"):
        r = client.get(attempt)
        assert r.status_code == 404, attempt
        assert "import" not in r.text and "root:" not in r.text
    assert quote("/assets/explorer/explorer.js") == "/assets/explorer/explorer.js"


@pytest.mark.parametrize("path", ["/", "/explore", "/editor", "/queries", "/queries/crm-list-entries",
                                  "/id/country/KZ", "/id/country/KZ.ttl", "/ontology", "/sparql", "/id/nowhere/x"])
def test_every_answer_forbids_loading_from_outside(client, path):
    r = client.get(path)
    csp = dict(part.strip().split(" ", 1) for part in r.headers["content-security-policy"].split(";"))
    assert csp["default-src"] == "'self'" and csp["connect-src"] == "'self'" and csp["object-src"] == "'none'"
    script_src = csp["script-src"].split()
    assert script_src[0] == "'self'" and "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert all(s.startswith("'sha256-") for s in script_src[1:]), "inline scripts only by their hash"
    assert r.headers["x-content-type-options"] == "nosniff"


def test_the_explorers_data_is_gzipped_for_clients_that_accept_it_and_never_for_others(client):
    plain = client.get("/explore.json", headers={"Accept-Encoding": "identity"})
    zipped = client.get("/explore.json", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers and zipped.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in plain.headers["vary"] and "Accept-Encoding" in zipped.headers["vary"]
    assert zipped.json() == plain.json()                                   # httpx decodes it
    assert int(zipped.headers["content-length"]) < len(plain.content) / 4
    again = client.get("/explore.json", headers={"Accept-Encoding": "identity"})  # after a gzip answer was kept
    assert "content-encoding" not in again.headers and again.content == plain.content
    view = client.get("/explore.json", params={"query": "eu-crm-supply-from-central-asia"}, headers={"Accept-Encoding": "gzip"})
    assert view.headers["content-encoding"] == "gzip" and unpack(view.json())["view"]
    # the cache files an answer by whether gzip is accepted, not by the header's spelling: a browser's
    # "gzip, deflate, br, zstd" finds the answer kept for "gzip"; "gzip;q=0" is a client that refuses it
    browser = client.get("/explore.json", headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert browser.headers["x-crmgraph-cache"] == "hit" and browser.headers["content-encoding"] == "gzip"
    refuses = client.get("/explore.json", headers={"Accept-Encoding": "gzip;q=0, deflate"})
    assert "content-encoding" not in refuses.headers and refuses.content == plain.content


def test_the_whole_graphs_view_is_kept_on_disk_by_store_version_and_read_back_by_a_new_server(store_path, settings,
                                                                                              tmp_path, monkeypatch):
    monkeypatch.setenv("CRMGRAPH_CACHE", str(tmp_path / "cache"))
    with serving(create_app(store_path, settings, LIMITS)) as url, httpx.Client(timeout=60) as c:
        first = c.get(url.removesuffix("/sparql") + "/explore.json").content
    (kept,) = (tmp_path / "cache" / "explorer").glob("whole-*.json")
    assert kept.read_bytes() == first
    kept.write_bytes(first.replace(b'"The knowledge graph"', b'"The knowledge graph (from disk)"'))
    with serving(create_app(store_path, settings, LIMITS)) as url, httpx.Client(timeout=60) as c:
        assert unpack(c.get(url.removesuffix("/sparql") + "/explore.json").json())["title"] == "The knowledge graph (from disk)"


def test_a_query_views_page_keeps_its_data_for_the_pages_own_fetch(client):
    """The page of a query's view runs the query (an error is the page's status) and keeps the data, so the
    page's fetch a moment later does not run it again."""
    params = {"query": "crm-list-entries", "list": "eu-crm-2011"}
    page = client.get("/explore", params=params)
    assert page.status_code == 200 and '<footer class="site">' in page.text
    src = re.search(r'data-src="([^"]+)"', page.text).group(1).replace("&amp;", "&")
    assert src == "/explore.json?query=crm-list-entries&list=eu-crm-2011"
    fetched = client.get(src)
    assert 'view;desc="kept"' in fetched.headers.get("server-timing", "")
    labels = labels_on_screen(unpack(fetched.json()))
    assert {"antimony", "cobalt", "tungsten"} <= labels   # materials of the 2011 list
