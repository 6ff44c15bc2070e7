"""The home page `/` (web/home.py) on a real uvicorn server on 127.0.0.1: it links every section of the
portal (and every local link on it answers), its counts agree with the store (counted here another
way: the triples fetched and tallied in Python), labels and titles from the store are escaped, and
the pages of the shared frame (web/html.document) link the home page and the explorer and give an empty
icon, so no browser asks for /favicon.ico."""
from __future__ import annotations

import html
import re
from collections import Counter, defaultdict

import httpx
import pyoxigraph as ox
import pytest

from crmgraph.namespaces import CRM, ID
from crmgraph.views.network import NOT_NODES
from crmgraph.query.results import to_result
from crmgraph.web.sandbox import Limits
from crmgraph.store.embedded import OxigraphStore
from crmgraph.web import create_app

from .test_web_sparql import serving
from crmgraph.web.html import SEARCH_SCRIPT

LIMITS = Limits(timeout_s=10.0, max_rows=10_000, workers=1)  # the serve default: the "verified" list is long
KINDS = (CRM + "Assertion", CRM + "Figure", CRM + "Claim", CRM + "ListEntry")


@pytest.fixture(scope="module")
def client(store_path, settings):
    with serving(create_app(store_path, settings, LIMITS)) as url, \
            httpx.Client(base_url=url.removesuffix("/sparql"), timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def home(client) -> str:
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    return r.text


def _number(cell: str) -> int:
    return int(re.sub(r"<[^>]+>", "", cell).replace(",", "").strip())


def test_home_links_every_section(home):
    for path in ("/explore", "/editor", "/queries", "/ontology", "/sparql", "/ontology.ttl", "/queries.json",
                 "/explore.json", "/id/country/KZ", "/id/material/antimony", "/queries/source-fact-counts"):
        assert f'href="{path}"' in home, path
    # one line each for the sections
    for name in ("Graph explorer", "SPARQL editor", "Named queries", "Ontology", "SPARQL endpoint"):
        assert re.search(rf'<li><a href="/[a-z]+">{name}</a> — \w', home), name
    assert "critical raw materials" in home and "Central Asia" in home


def test_home_opens_on_what_the_graph_is_a_search_box_and_six_questions(home):
    """The first screen answers "what is this, and what can I ask it": two sentences, a search box,
    six question cards each linking to its answer; the counts come after, the class table folded."""
    from crmgraph.web.home import QUESTIONS

    lead = re.search(r'<p class="lead">(.*?)</p>', home, flags=re.S).group(1)
    assert len(re.findall(r"[.;?!](\s|$)", re.sub(r"<[^>]+>", "", lead).replace(";", ","))) == 2
    search = home.index('action="/search"')
    cards = re.findall(r'<li><a class="q" href="([^"]+)">([^<]+)</a><span class="what">', home)
    assert len(cards) == len(QUESTIONS) == 6
    assert cards[0] == ("/queries/crm-supply-by-country?country=KZ",
                        "Which critical raw materials can the EU source from Kazakhstan — and on whose word?")
    assert search < home.index('class="questions"') < home.index('id="statuses"') < home.index('id="classes"')
    assert re.search(r'<details class="more"><summary>Entities by class', home), "the class table is folded"


def test_every_question_card_opens_an_answer_with_rows(client, home):
    for link, question in re.findall(r'<li><a class="q" href="([^"]+)">([^<]+)</a>', home):
        r = client.get(html.unescape(link))
        assert r.status_code == 200, (question, link)
        if link.startswith("/queries/"):  # an answer, not an empty table
            rows = int(client.get(html.unescape(link).replace("?", ".json?", 1) if "?" in link else link + ".json")
                       .headers["X-Crmgraph-Rows"])
            assert rows > 0, (question, link)


def test_every_local_link_on_the_home_page_answers(client, home):
    hrefs = {html.unescape(h) for h in re.findall(r'href="(/[^"]*)"', home)}
    links = {h.split("#", 1)[0] for h in hrefs}
    assert len(links) > 20
    for link in sorted(links):
        r = client.get(link, headers={"Accept": "text/html"})
        assert r.status_code == 200, (link, r.status_code, r.text[:300])
    # the classes and statuses link to their anchors on the ontology page
    ontology = client.get("/ontology", headers={"Accept": "text/html"}).text
    anchors = {h.split("#", 1)[1] for h in hrefs if h.startswith("/ontology#")}
    assert {"Country", "Figure", "Verified"} <= anchors
    for anchor in anchors:
        assert f'id="{anchor}"' in ontology, anchor


def test_nothing_is_loaded_from_outside(home):
    # the one script element is a data block (the schema.org Dataset), which browsers do not run
    assert re.findall(r"<script[^>]*>", home.replace(SEARCH_SCRIPT, "")) == ['<script type="application/ld+json">'] and " src=" not in home.replace(SEARCH_SCRIPT, "")
    assert not re.search(r'<link[^>]*href="(?!data:)', home)  # only the empty data: icon
    assert '<link rel="icon" href="data:,">' in home


def _tally(store) -> tuple[dict[str, int], dict[str, Counter], int, int]:
    """Counted another way: the asserted types and statuses fetched as rows and tallied here."""
    members: dict[str, set[str]] = defaultdict(set)
    for s, c in to_result(store.query("SELECT ?s ?c WHERE { GRAPH graph:asserted { ?s a ?c } }")).rows:
        if isinstance(s, ox.NamedNode) and s.value.startswith(ID) and c.value.startswith(CRM) and c.value not in NOT_NODES:
            members[c.value].add(s.value)
    classes = {c: len(s) for c, s in members.items()}
    entities = len(set().union(*members.values()))
    statuses: dict[str, Counter] = defaultdict(Counter)
    seen = set()
    rows = to_result(store.query("SELECT ?st ?k ?status WHERE { GRAPH graph:asserted { ?st a ?k ; crm:status ?status } }")).rows
    for st, kind, status in rows:
        if kind.value in KINDS and (st, kind, status) not in seen:
            seen.add((st, kind, status))
            statuses[status.value][kind.value] += 1
    sources = len({s for (s,) in to_result(store.query("SELECT ?s WHERE { ?s a crm:SourceDocument }")).rows})
    return classes, statuses, entities, sources


def test_counts_agree_with_the_store(home, store):
    classes, statuses, entities, sources = _tally(store)
    shown = {html.unescape(c): _number(n) for c, n in
             re.findall(r'<tr data-class="([^"]+)"><td>.*?</td><td>([\d,]+)</td></tr>', home)}
    assert shown == classes
    assert shown[CRM + "Country"] >= 40 and shown[CRM + "Material"] >= 80
    rows = re.findall(r'<tr data-status="([^"]+)">(.*?)</tr>', home)
    shown_status = {}
    for status, cells in rows:
        numbers = [_number(c) for c in re.findall(r"<td>([\d,]+)</td>", cells)]
        assert len(numbers) == len(KINDS) + 1 and numbers[-1] == sum(numbers[:-1])
        shown_status[html.unescape(status)] = dict(zip(KINDS, numbers))
    assert shown_status == {s: {k: by_kind.get(k, 0) for k in KINDS} for s, by_kind in statuses.items()}
    assert shown_status[CRM + "Verified"][CRM + "ListEntry"] == 142  # every list entry is verified
    total = sum(sum(c.values()) for c in statuses.values())
    quads = sum(1 for _ in store.query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"))
    assert (f'<p class="counts-line">{entities:,} entities, {total:,} statements from {sources:,} sources, in {quads:,} triples'
            in home)
    assert f"<p>{sources:,} source documents; the 10 most cited" in home
    assert len(re.findall(r'<tr><td><a href="/id/source/', home)) == 10


def test_most_cited_sources_are_counted_right(home, store):
    rows = re.findall(r'<tr><td><a href="(/id/source/[^"]+)">.*?</a></td><td><code>.*?</code></td><td>([\d,]+)</td></tr>',
                      home)
    assert len(rows) == 10
    counts = [_number(n) for _, n in rows]
    assert counts == sorted(counts, reverse=True)
    citing: dict[str, set] = defaultdict(set)
    for st, src in to_result(store.query("SELECT ?st ?src WHERE { ?st prov:wasDerivedFrom/crm:source ?src }")).rows:
        citing[src.value].add(st)
    tally = sorted((len(sts) for sts in citing.values()), reverse=True)
    assert counts == tally[:10]
    for path, n in rows:
        assert len(citing["https://w3id.org/crmgraph" + path]) == _number(n), path


def test_status_links_open_the_named_query(client, home):
    link = re.search(r'<a class="status" href="([^"]+)">list</a>', home).group(1)
    assert html.unescape(link).startswith("/queries/statements-by-status?status=crm%3A")
    assert client.get(html.unescape(link)).status_code == 200


def test_pages_in_the_shared_frame_link_home_and_the_explorer(client):
    """The pages built with web/html.document (entity pages and the explorer have frames of their own)."""
    for path in ("/", "/queries", "/queries/crm-list-entries", "/queries/no-such-query", "/editor",
                 "/explore?query=crm-list-entrys"):
        page = client.get(path, headers={"Accept": "text/html"}).text
        nav = re.search(r"<nav>(.*?)</nav>", page).group(1)
        assert '<a href="/">home</a>' in nav and '<a href="/explore">explorer</a>' in nav, path
        assert '<link rel="icon" href="data:,">' in page, path


# -- escaping: a crafted store whose labels and titles carry markup ---------------------------------

CRAFTED = """
@prefix crm: <https://w3id.org/crmgraph/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix id: <https://w3id.org/crmgraph/id/> .
id:thing\\/evil a <https://w3id.org/crmgraph/ontology#Evil'&Class> .
<https://w3id.org/crmgraph/ontology#Evil'&Class> rdfs:label "<script>alert('class')</script>"@en .
id:source\\/x a crm:SourceDocument ; crm:sourceKey "k<b>1</b>" ; dcterms:title "<img src=x onerror=alert(1)>" .
id:figure\\/1 a crm:Figure ; crm:status crm:Weird ; prov:wasDerivedFrom [ crm:source id:source\\/x ] .
crm:Weird skos:prefLabel "<i>weird</i> & co"@en .
"""


@pytest.fixture(scope="module")
def crafted_home(settings, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("crafted-home") / "store"
    store = OxigraphStore(path)
    store.replace_graph("https://w3id.org/crmgraph/graph/asserted", ox.parse(CRAFTED, format=ox.RdfFormat.TURTLE))
    store.close()
    with serving(create_app(path, settings, LIMITS)) as url:
        r = httpx.get(url.removesuffix("/sparql") + "/", timeout=60)
    assert r.status_code == 200
    return r.text


def test_labels_and_titles_are_escaped(crafted_home):
    page = crafted_home
    assert "&lt;script&gt;alert(&#x27;class&#x27;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "k&lt;b&gt;1&lt;/b&gt;" in page
    assert "&lt;i&gt;weird&lt;/i&gt; &amp; co" in page
    assert re.findall(r"<script[^>]*>", page.replace(SEARCH_SCRIPT, "")) == ['<script type="application/ld+json">']  # the schema.org data block
    assert "<img" not in page and "<i>" not in page and "<b>" not in page
    # an IRI with an apostrophe and an ampersand is escaped in its attributes
    assert 'data-class="https://w3id.org/crmgraph/ontology#Evil&#x27;&amp;Class"' in page
    assert 'href="/ontology#Evil&#x27;&amp;Class"' in page
    # counts of the crafted store: one entity, one figure, one source; no example page exists there
    assert '<p class="counts-line">1 entity, 1 statement from 1 source, in ' in page
    assert "Factsheets:" not in page
    assert 'href="/queries/statements-by-status?status=crm%3AWeird"' in page
