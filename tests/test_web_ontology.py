"""The ontology's documentation page (web/ontology.py): a title and description from the ontology's
header, classes as a hierarchy with their properties, controlled vocabularies as tables, an anchor and
a definition for every term, and the page's JSON and RDF twins."""
from __future__ import annotations

import re

import httpx
import pytest
import rdflib

from crmgraph.web import create_app
from crmgraph.web.sandbox import Limits

from .test_web_sparql import serving

CRM = "https://w3id.org/crmgraph/ontology#"


@pytest.fixture(scope="module")
def client(store_path, settings):
    with serving(create_app(store_path, settings, Limits(timeout_s=5.0, max_rows=1000, workers=1))) as url:
        with httpx.Client(base_url=url.removesuffix("/sparql"), timeout=30) as c:
            yield c


def test_the_page_is_titled_and_described_by_the_ontology_header(client):
    page = client.get("/ontology").text
    assert "<title>crmgraph ontology · crmgraph</title>" in page
    assert "<h1>crmgraph ontology</h1>" in page
    assert "Vocabulary for a sourced knowledge graph" in page
    assert "https://creativecommons.org/licenses/by/4.0/" in page


def test_classes_are_a_hierarchy_with_their_properties(client):
    page = client.get("/ontology").text
    tree = page.split('<h2 id="classes">', 1)[1].split('<h2 id="properties">', 1)[0]
    # Company sits inside Organisation's list, which sits inside Agent's
    agent = tree.index('href="#Agent"')
    organisation = tree.index('href="#Organisation"', agent)
    company = tree.index('href="#Company"', organisation)
    assert agent < organisation < company
    between = tree[agent:company]
    assert between.count("<ul>") >= 2
    # a class lists the properties whose domain it is, with their range
    assert re.search(r'href="#Instrument"[^<]*</a>.*?href="#instrumentStatus"', tree, re.S)
    # outside superclasses are named, defined classes marked
    assert "prov:Agent" in tree and "defined" in tree


def test_controlled_vocabularies_are_tables(client):
    page = client.get("/ontology").text
    for name in ("VerificationStatus", "InstrumentStatus", "QuantityKind", "Scope", "Unit"):
        assert f'id="vocabulary-{name}"' in page, name
    units = page.split('id="vocabulary-Unit"', 1)[1].split("</table>", 1)[0]
    assert "unit:tonne" in units or "unit:" in units


def test_every_term_has_an_anchor_and_a_definition(client):
    data = client.get("/ontology.json").json()
    assert data["title"] == "crmgraph ontology"
    page = client.get("/ontology").text
    for term in data["terms"]:
        assert f'id="{term["name"]}"' in page
    missing = [t["name"] for t in data["terms"] if not (t["definition"] or t["comment"])]
    assert missing == []


def test_rdf_twins(client):
    g = rdflib.Graph().parse(data=client.get("/ontology.ttl").content, format="turtle")
    assert (rdflib.URIRef(CRM + "Country"), None, None) in g
    assert client.get("/ontology.exe").status_code == 404


def test_a_generated_diagram_of_the_main_classes(client, store):
    from crmgraph.web.ontology import diagram, ontology_page

    page = client.get("/ontology").text
    svg = page.split('<svg class="diagram"', 1)[1].split("</svg>", 1)[0]
    assert '<a href="#Instrument">' in svg and "partyTo" in svg and "<script" not in svg
    d = diagram(ontology_page(store).terms)
    names = {n["name"] for n in d["nodes"]}
    assert {"Agent", "Instrument", "Material", "Figure", "Unit"} <= names
    assert {(e["from"].rsplit("#", 1)[1], e["to"].rsplit("#", 1)[1]) for e in d["edges"]} >= {("Agent", "Instrument"), ("Figure", "Unit")}
    places = [(n["x"], n["y"]) for n in d["nodes"]]
    assert len(set(places)) == len(places)  # no two boxes on one spot
    assert d == diagram(ontology_page(store).terms)  # deterministic
