"""Resolvable IRIs (web/entities.py): an entity's HTML page, its JSON twin and its RDF description by
content negotiation or suffix, the ontology page, 404s — and safety: every label escaped, no path
traversal, nothing loaded from outside the server. The protocol-level checks (raw paths, real
clients) and the rest all run against a real uvicorn server on 127.0.0.1."""
from __future__ import annotations

import re
import socket
import time
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox
import pytest
import rdflib

from crmgraph.namespaces import GRAPH_ASSERTED, GRAPH_INFERRED
from crmgraph.web.sandbox import Limits
from crmgraph.store.embedded import OxigraphStore
from crmgraph.web import create_app
from crmgraph.web.entities import local_path

from .test_web_sparql import serving
from crmgraph.web.html import SEARCH_SCRIPT

KZ = "https://w3id.org/crmgraph/id/country/KZ"
CRM = "https://w3id.org/crmgraph/ontology#"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
LIMITS = Limits(timeout_s=5.0, max_rows=1000, workers=1)


@pytest.fixture(scope="module")
def base(store_path, settings) -> str:
    with serving(create_app(store_path, settings, LIMITS)) as url:
        yield url.removesuffix("/sparql")


@pytest.fixture(scope="module")
def client(base):
    with httpx.Client(base_url=base, timeout=30) as c:
        yield c


def test_iris_map_to_local_paths():
    assert local_path(KZ) == "/id/country/KZ"
    assert local_path(CRM + "Country") == "/ontology#Country"
    assert local_path("https://w3id.org/crmgraph/ontology") == "/ontology"
    assert local_path("http://www.wikidata.org/entity/Q232") is None


def test_html_page_of_kazakhstan(client):
    r = client.get("/id/country/KZ", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert "<h1>Kazakhstan</h1>" in page
    # an asserted fact with its source as a short citation (linked to the source's page, full title as a
    # tooltip) and its locator; never a bare key, never "not given"
    assert re.search(r'<a href="/id/source/seed-002" title="[^"]*">Michael Rossi, Analysis of the first EU–Central Asia '
                     r'Summit \(2025\)</a>, Introduction ¶3', page)
    assert "not given" not in page and ">seed-002<" not in page
    # an inferred type, marked inferred
    assert re.search(r'href="/ontology#EURawMaterialsPartner"[^>]*>[^<]*</a> <span class="inferred">inferred</span>', page)
    # neighbours link to their local pages; Wikidata links out
    assert 'href="/id/region/central-asia"' in page
    assert 'href="http://www.wikidata.org/entity/Q232"' in page
    # figures where KZ is crm:subject, and what points to it
    assert "Figures and claims about it" in page and "What points here" in page
    assert 'href="/id/country/KZ.json"' in page
    # the portal's sections, and the same entity in the explorer (which opens its panel)
    assert 'href="/explore"' in page and 'href="/"' in page
    assert 'href="/explore?focus=https%3A%2F%2Fw3id.org%2Fcrmgraph%2Fid%2Fcountry%2FKZ"' in page


def test_json_twin_has_what_the_page_shows(client):
    data = client.get("/id/country/KZ.json").json()
    assert data["iri"] == KZ and data["label"] == "Kazakhstan"
    assert data["wikidata"] == ["http://www.wikidata.org/entity/Q232"]
    assert {"iri": CRM + "EURawMaterialsPartner", "path": "/ontology#EURawMaterialsPartner", "inferred": True} in data["types"]
    member = [f for f in data["facts"] if f["property"] == CRM + "memberOf"]
    assert member and not member[0]["inferred"]
    sources = [s for a in member[0]["assertions"] for s in a["sources"]]
    assert any(s["key"] == "seed-002" and s["locator"] == "Introduction ¶3" and s["path"] == "/id/source/seed-002"
               for s in sources)
    assert any(st["values"].get("crm:value") for st in data["statements"])
    assert data["incoming"]
    # the same answer by content negotiation
    assert client.get("/id/country/KZ", headers={"Accept": "application/json"}).json() == data


@pytest.mark.parametrize("suffix, accept, rdflib_format", [
    (".ttl", None, "turtle"), (".nt", None, "nt"), (".jsonld", None, "json-ld"),
    ("", "text/turtle", "turtle"), ("", "application/n-triples", "nt"), ("", "application/ld+json", "json-ld"),
])
def test_rdf_description_parses_and_has_the_label(base, suffix, accept, rdflib_format):
    r = httpx.get(f"{base}/id/country/KZ{suffix}", headers={"Accept": accept} if accept else {}, timeout=30)
    assert r.status_code == 200, r.text
    g = rdflib.Graph().parse(data=r.content, format=rdflib_format)
    assert (rdflib.URIRef(KZ), rdflib.URIRef(SKOS_PREF), rdflib.Literal("Kazakhstan", lang="en")) in g
    # the assertion nodes (and their references) come with it
    assert any(True for _ in g.subjects(rdflib.URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#subject"), rdflib.URIRef(KZ)))
    assert r.headers["vary"] == "Accept"


def test_ontology_page_and_files(client):
    page = client.get("/ontology").text
    assert 'id="EURawMaterialsPartner"' in page
    g = rdflib.Graph().parse(data=client.get("/ontology.ttl").content, format="turtle")
    assert (rdflib.URIRef(CRM + "Country"), None, None) in g
    assert client.get("/ontology.json").json()["terms"]
    assert client.get("/ontology.exe").status_code == 404


def test_unknown_iri_is_a_helpful_404(client):
    r = client.get("/id/country/XX")
    assert r.status_code == 404 and "https://w3id.org/crmgraph/id/country/XX" in r.text and "/sparql" in r.text
    assert client.get("/id/country/XX.json").json()["error"] == "not-found"
    assert client.get("/id/country").status_code == 404


def _raw_get(base: str, raw_path: str) -> tuple[int, bytes]:
    """A GET with the path exactly as written (no client-side normalisation of `..` or `%2e`)."""
    host, port = urlsplit(base).hostname, urlsplit(base).port
    with socket.create_connection((host, port), timeout=30) as sock:
        sock.sendall(f"GET {raw_path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return int(data.split(b" ", 2)[1]), data


@pytest.mark.parametrize("path", [
    "/id/../../etc/passwd", "/id/country/../../../etc/passwd", "/id/%2e%2e/%2e%2e/etc/passwd",
    "/id/country/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/id/country/..%2F..%2Fetc%2Fpasswd", "/id/..%5c..%5cetc%5cpasswd",
    "/id/country/KZ%00.ttl", "/ontology.%2e%2e%2fetc%2fpasswd",
])
def test_no_path_traversal(base, path):
    status, body = _raw_get(base, path)
    assert status in (400, 404), (path, status)
    assert b"root:" not in body


@pytest.fixture(scope="module")
def crafted(settings, tmp_path_factory):
    """A store whose labels and literals try to inject HTML."""
    path = tmp_path_factory.mktemp("crafted") / "store"
    store = OxigraphStore(path)
    x = ox.NamedNode("https://w3id.org/crmgraph/id/country/XS")
    evil = ox.NamedNode("https://w3id.org/crmgraph/id/org/evil")
    store.replace_graph(GRAPH_ASSERTED, [
        ox.Triple(x, ox.NamedNode(SKOS_PREF), ox.Literal("<script>alert(1)</script>", language="en")),
        ox.Triple(x, ox.NamedNode(CRM + "iso3166Alpha2"), ox.Literal('"><img src=x onerror=alert(2)>')),
        ox.Triple(x, ox.NamedNode(CRM + "memberOf"), evil),
        ox.Triple(evil, ox.NamedNode(SKOS_PREF), ox.Literal("</a><script>alert(3)</script>", language="en")),
        ox.Triple(x, ox.NamedNode(CRM + "wikidata"), ox.NamedNode("javascript:alert(4)")),
    ])
    store.replace_graph(GRAPH_INFERRED, [])
    store.close()
    with serving(create_app(path, settings, LIMITS)) as url, \
            httpx.Client(base_url=url.removesuffix("/sparql"), timeout=30) as c:
        yield c


def test_labels_and_literals_are_escaped(crafted):
    page = crafted.get("/id/country/XS").text
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in page
    assert "&lt;/a&gt;&lt;script&gt;alert(3)&lt;/script&gt;" in page
    assert 'href="javascript:' not in page


def test_pages_load_nothing_from_outside(client):
    for path in ("/id/country/KZ", "/ontology", "/id/country/XX"):
        page = client.get(path).text
        assert not re.search(r'<(script|img|iframe|link[^>]*stylesheet)[^>]*(src|href)="(https?:)?//', page), path
        assert "<script" not in page.replace(SEARCH_SCRIPT, "")  # only the search box's own script
        assert not re.search(r'<link[^>]*href="(https?:)?//', page)


def test_a_typical_page_is_fast(base):
    with httpx.Client(timeout=30) as http:
        http.get(f"{base}/id/country/KZ")
        times = []
        for _ in range(10):
            started = time.perf_counter()
            assert http.get(f"{base}/id/material/lithium").status_code == 200
            times.append(time.perf_counter() - started)
    assert sorted(times)[len(times) // 2] < 0.1


def test_country_factsheet_answers_first(client):
    page = client.get("/id/country/KZ").text
    order = [page.index(h) for h in ('id="crms"', 'id="instruments"', 'id="figures"', 'id="disagreements"',
                                      '<details class="raw">')]
    assert order == sorted(order), "summary sections first, raw statements last"
    summary = page[: page.index('<details class="raw">')]
    # the CRMs with labels linked to their pages, status words with marks, readable citations
    assert 'href="/id/material/antimony"' in summary and "◐ second-hand" in summary
    assert "USGS Mineral Commodity Summaries 2025" in summary
    assert 'class="timeline"' in summary and "EU–Kazakhstan Enhanced Partnership and Cooperation Agreement" in summary
    assert "crm:Unverified" not in summary and "@en" not in summary and "skos:prefLabel" not in summary
    # the summary's sections link to the named queries they come from
    assert 'href="/queries/crm-supply-by-country?country=country%3AKZ"' in summary
    data = client.get("/id/country/KZ.json").json()
    assert [s["key"] for s in data["factsheet"]["sections"]] == ["crms", "instruments", "figures"]
    assert data["factsheet"]["sections"][0]["rows"]


def test_material_factsheet_has_list_history_shares_and_producers(client):
    page = client.get("/id/material/antimony").text
    summary = page[: page.index('<details class="raw">')]
    for heading in ("On the EU lists, 2011–2023", "World and EU supplier shares",
                    "Who supplies it, and Central Asian producers", "Where sources disagree"):
        assert heading in summary, heading
    for year in ("2011", "2014", "2017", "2020", "2023"):
        assert re.search(rf'list {year}[^<]*</a></td><td class="num">{year}</td><td><a href="/id/entry/eu-crm-{year}-antimony">yes',
                         summary), year
    assert 'href="/id/country/TJ"' in summary  # Tajikistan, a Central Asian producer
    # helium: on the 2017 list, off in 2020, back in 2023 — every edition says which
    helium = client.get("/id/material/helium").text
    on = dict(re.findall(r'<td class="num">(\d{4})</td><td>(<a href="/id/entry/[^"]+">yes|<span class="status">not on it)', helium))
    assert {y: v.endswith("yes") for y, v in on.items()} == {"2011": False, "2014": False, "2017": True, "2020": False,
                                                             "2023": True, "2024": False}


def test_a_source_page_says_how_to_cite_it(client):
    page = client.get("/id/source/S1b").text
    assert "Cite as: <strong>Minespider glossary</strong>" in page
    assert 'href="https://minespider.com/glossary/terms/critical-raw-material"' in page


def test_warm_up_prepares_the_central_asian_states_first_and_a_page_is_read_once(store, settings):
    """`crmgraph serve` prepares the factsheets researchers land on before they ask (entities.warm): the
    Central Asian states first; a prepared page is served from memory (the store does not change)."""
    from types import SimpleNamespace

    from crmgraph.web import entities

    order = [row["x"].value for row in store.query(entities.WARM_PAGES)]
    assert {i.rsplit("/", 1)[-1] for i in order[:5]} == {"KZ", "KG", "TJ", "TM", "UZ"}
    assert "https://w3id.org/crmgraph/id/material/antimony" in order
    state = SimpleNamespace(entity_store=store, settings=settings)
    kz = "https://w3id.org/crmgraph/id/country/KZ"
    first = entities._full_page(state, kz)
    assert entities._full_page(state, kz) is first and first.factsheet is not None
    assert first.factsheet.indicators is None   # the test store has no imported data: no indicator, not zeros
    assert "No imported dataset" in entities.render_page(first, "/id/country/KZ")
