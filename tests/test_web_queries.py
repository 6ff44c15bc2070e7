"""Named-query pages (web/queries.py), like Datasette's canned queries: the list, a query's page with
its parameters as a GET form, its results as an escaped HTML table with CSV and JSON twins that agree
with `crmgraph.query.named.run_named`, 400 for a bad value (before anything runs), 404 with the closest
names — all against a real uvicorn server on 127.0.0.1."""
from __future__ import annotations

from crmgraph.views.wire import unpack

import csv
import html
import io
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pyoxigraph as ox
import pytest

from crmgraph.query.named import load_named_queries, run_named
from crmgraph.web.sandbox import Limits
from crmgraph.store.embedded import OxigraphStore
from crmgraph.web import create_app

from .test_web_sparql import serving
from crmgraph.web.html import SEARCH_SCRIPT

LIMITS = Limits(timeout_s=5.0, max_rows=1000, workers=1)
STRATEGIC = {"list": "crma-strategic-2024"}


@pytest.fixture(scope="module")
def app(store_path, settings):
    return create_app(store_path, settings, LIMITS)


@pytest.fixture(scope="module")
def client(app):
    with serving(app) as url, httpx.Client(base_url=url.removesuffix("/sparql"), timeout=30) as c:
        yield c


@pytest.fixture(scope="module")
def named(settings):
    return load_named_queries(settings.queries_dir)


def test_list_page_shows_every_named_query(client, named):
    r = client.get("/queries")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    for q in named.values():
        assert f'href="/queries/{q.name}"' in r.text
    data = client.get("/queries.json").json()
    assert {q["name"] for q in data["queries"]} == set(named)
    entries = next(q for q in data["queries"] if q["name"] == "crm-list-entries")
    assert entries["parameters"][0]["name"] == "list" and entries["parameters"][0]["default"] == "eu-crm-2023"


#: A prefixed name (crm:Assertion, skos:broader, country:KZ, graph:analytics …): the graph's vocabulary, not a reader's words.
JARGON = re.compile(r"\b[a-z]+:[A-Za-z]")


def test_every_query_page_says_in_plain_words_which_question_it_answers(client, named):
    """A query's description is for a policy researcher: no prefixed names of the graph's vocabulary; what it
    does in those terms (`# how:`) sits beside the SPARQL, one click away."""
    for q in named.values():
        assert q.description and not JARGON.search(q.description), (q.name, JARGON.findall(q.description))
        assert "?" in q.description, f"{q.name}: the description says which question the query answers"
        assert q.how, f"{q.name}.rq has no # how: line"
    q = named["crm-supply-by-country"]
    page = client.get(f"/queries/{q.name}").text
    assert f"<p>{html.escape(q.description)}</p>" in page
    details = page[page.index('<details class="sparql" id="sparql">'):]
    assert details.index("<summary>How it works: the SPARQL query</summary>") < details.index(html.escape(q.how))
    assert details.index(html.escape(q.how)) < details.index("<pre>") < details.index("</details>")
    assert client.get("/queries.json").json()["queries"][0]["how"]


def test_list_page_groups_queries_by_theme_with_plain_summaries(client, named):
    """/queries: one section per theme, in the order of named.THEMES, each query under its header's theme,
    with its one-line summary; no vocabulary jargon (crm:, skos:) in the summaries a reader sees first."""
    from crmgraph.query.named import THEMES

    page = client.get("/queries").text
    sections = re.findall(r'<section class="theme" id="([^"]+)"><h2>([^<]+)</h2>(.*?)</section>', page, flags=re.S)
    titles = [html.unescape(t) for _, t, _ in sections]
    assert titles == [t for t in THEMES if any(q.theme == t for q in named.values())]
    assert len(titles) >= 5, "the queries are spread over several themes"
    for _, theme, body in sections:
        listed = set(re.findall(r'data-query="([^"]+)"', body))
        assert listed == {q.name for q in named.values() if q.theme == html.unescape(theme)}
    for q in named.values():
        assert q.theme != "Other", f"{q.name}.rq has no # theme: line"
        assert q.summary and not re.search(r"\b(crm|skos|rdf|owl|qk):", q.summary), q.name
    kz = named["crm-supply-by-country"]
    assert kz.theme == "Sourcing from Central Asia" and html.escape(kz.summary) in page
    data = client.get("/queries.json").json()
    assert data["themes"] == titles
    assert next(q for q in data["queries"] if q["name"] == kz.name)["summary"] == kz.summary


def test_an_unknown_theme_is_refused_at_load_time(tmp_path):
    from crmgraph.errors import QueryError
    from crmgraph.query.named import parse_named_query

    rq = tmp_path / "q.rq"
    rq.write_text("# title: T\n# theme: Gossip\nSELECT * WHERE { ?s ?p ?o }\n")
    with pytest.raises(QueryError, match="unknown theme 'Gossip'"):
        parse_named_query(rq)


def test_query_page_with_parameter(client, named):
    r = client.get("/queries/crm-list-entries", params=STRATEGIC)
    assert r.status_code == 200
    page = r.text
    assert f"<h1>{named['crm-list-entries'].title}</h1>" in page
    # the form is a GET form, pre-filled with the current value
    assert '<form method="get" action="/queries/crm-list-entries">' in page
    assert 'name="list" value="crma-strategic-2024"' in page
    # 17 distinct entries, linked to their local pages; copper among them
    entries = set(re.findall(r'href="(/id/entry/crma-strategic-2024-[^"]+)"', page))
    assert len(entries) == 17
    assert "Copper" in page or "copper" in page
    assert 'href="/id/material/copper"' in page
    # the SPARQL text, escaped, and the download links with the same parameters
    assert "<pre>" in page and "SELECT ?listLabel" in page and "crm:ListEntry" in page
    assert 'href="/queries/crm-list-entries.csv?list=crma-strategic-2024"' in page
    assert 'href="/queries/crm-list-entries.json?list=crma-strategic-2024"' in page
    # nothing loaded from outside the server
    assert "<script" not in page.replace(SEARCH_SCRIPT, "") and not re.search(r'(?<!class="ext" )(src|href)="(https?:)?//(?!www\.wikidata)', page)  # links to a source itself are marked ext


def test_defaults_fill_the_form(client):
    page = client.get("/queries/crm-list-entries").text
    assert 'name="list" value="eu-crm-2023"' in page
    assert re.search(r'href="/id/entry/eu-crm-2023-[^"]+"', page)


def test_csv_and_json_twins_agree_with_run_named(client, named, store_path):
    store = OxigraphStore(store_path, read_only=True)
    try:
        table = run_named(store, named["crm-list-entries"], STRATEGIC)
    finally:
        store.close()
    expected = [[("" if t is None else t.value) for t in row] for row in table.rows]

    r = client.get("/queries/crm-list-entries.csv", params=STRATEGIC)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    # the same columns and rows, plus the readable citation the CSV adds after source and locator
    at = rows[0].index("citation")
    assert at == rows[0].index("sources") + 1 and all(row[at] for row in rows[1:])
    rows = [row[:at] + row[at + 1:] for row in rows]
    assert rows[0] == table.columns and rows[1:] == expected

    r = client.get("/queries/crm-list-entries.json", params=STRATEGIC)
    assert r.status_code == 200 and "json" in r.headers["content-type"]
    data = r.json()
    assert data["head"]["vars"] == table.columns
    got = [[b.get(c, {}).get("value", "") for c in table.columns] for b in data["results"]["bindings"]]
    assert got == expected
    assert len({row[table.columns.index("entry")] for row in expected}) == 17
    assert any("copper" in v.lower() for row in expected for v in row)


class CountingPool:
    def __init__(self, pool):
        self.pool, self.calls = pool, []

    def run(self, sparql, formats=None):
        self.calls.append(sparql)
        return self.pool.run(sparql, formats)


@pytest.mark.parametrize("value", [
    'crma-strategic-2024> } } ; DROP ALL ; SELECT * WHERE { <x',
    '"><script>alert(1)</script>',
    "https://w3id.org/crmgraph/id/list/x> ?p ?o } #",
])
def test_hostile_parameter_is_refused_before_running(client, app, value):
    pool = CountingPool(app.state.pool)
    app.state.pool = pool
    try:
        for path in ("/queries/crm-list-entries", "/queries/crm-list-entries.csv", "/queries/crm-list-entries.json"):
            r = client.get(path, params={"list": value})
            assert r.status_code == 400, (path, r.text)
        r = client.get("/queries/crm-list-entries", params={"list": value})
        assert "parameter list (list)" in r.text and "is not valid" in r.text
        assert "<script" not in r.text.replace(SEARCH_SCRIPT, "")
        if "<script>" in value:  # the value is echoed (in the message and the form field), escaped
            assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in r.text
        assert client.get("/queries/crm-list-entries.json", params={"list": value}).json()["error"] == "query-error"
        assert pool.calls == []
    finally:
        app.state.pool = pool.pool


def test_unknown_parameter_is_refused(client):
    r = client.get("/queries/crm-list-entries", params={"lst": "eu-crm-2023"})
    assert r.status_code == 400 and "has no parameter" in r.text


def test_unknown_query_lists_closest_names(client):
    r = client.get("/queries/crm-list-entrys")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert 'href="/queries/crm-list-entries"' in r.text and "did you mean" in r.text
    r = client.get("/queries/crm-list-entrys.json")
    assert r.status_code == 404 and "crm-list-entries" in r.json()["closest"]
    assert client.get("/queries/crm-list-entries.xml").status_code == 404


def test_query_page_survives_the_row_cap(store_path, settings):
    with serving(create_app(store_path, settings, Limits(timeout_s=5.0, max_rows=3, workers=1))) as url:
        r = httpx.get(url.removesuffix("/sparql") + "/queries/crm-list-entries", timeout=30)
    assert r.status_code == 422 and "more than 3 rows" in r.text and 'name="list"' in r.text


# -- escaping: a crafted store whose labels carry markup -------------------------------------------

CRAFTED = """
@prefix crm: <https://w3id.org/crmgraph/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix id: <https://w3id.org/crmgraph/id/> .
id:entry\\/evil a crm:ListEntry ; crm:inList id:list\\/eu-crm-2023 ; crm:material id:material\\/evil ;
    crm:officialName "<script>alert('name')</script>" ; crm:status id:status\\/x ; prov:wasDerivedFrom id:ref\\/x .
id:ref\\/x crm:source id:source\\/x ; crm:locator "<b onmouseover=alert(1)>p. 1</b>" ;
    crm:citation "k: <b onmouseover=alert(1)>p. 1</b>" .
id:source\\/x crm:sourceKey "k\\"><script>alert(2)</script>" .
id:status\\/x skos:prefLabel "Verified"@en .
id:material\\/evil skos:prefLabel "<img src=x onerror=alert(3)>"@en .
id:list\\/eu-crm-2023 skos:prefLabel "List & <i>co</i>"@en .
"""


@pytest.fixture(scope="module")
def crafted_client(settings, tmp_path_factory):
    path = tmp_path_factory.mktemp("crafted") / "store"
    store = OxigraphStore(path)
    store.replace_graph("https://w3id.org/crmgraph/graph/asserted", ox.parse(CRAFTED, format=ox.RdfFormat.TURTLE))
    store.close()
    with serving(create_app(path, settings, LIMITS)) as url, \
            httpx.Client(base_url=url.removesuffix("/sparql"), timeout=30) as c:
        yield c


def test_labels_in_results_are_escaped(crafted_client):
    r = crafted_client.get("/queries/crm-list-entries")
    assert r.status_code == 200
    page = r.text
    assert "&lt;script&gt;alert(&#x27;name&#x27;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(3)&gt;" in page and "List &amp; &lt;i&gt;co&lt;/i&gt;" in page
    assert "<script" not in page.replace(SEARCH_SCRIPT, "") and "<img" not in page and "<b " not in page and "<i>" not in page
    # the twins carry the raw values
    data = crafted_client.get("/queries/crm-list-entries.json").json()
    assert data["results"]["bindings"][0]["officialName"]["value"] == "<script>alert('name')</script>"


# -- the network link, and CONSTRUCT answers ----------------------------------------------------------

def _network_href(page: str) -> str | None:
    m = re.search(r'<a class="network-link" href="([^"]*)">view as a network</a>', page)
    return None if m is None else html.unescape(m.group(1))


def test_drawable_query_links_to_the_network_with_its_parameters(client):
    page = client.get("/queries/crm-list-entries", params=STRATEGIC).text
    # two IRI columns (material, entry): drawable; the link sits with the downloads, parameters carried
    assert ('<a href="/queries/crm-list-entries.json?list=crma-strategic-2024">JSON</a> · '
            '<a href="/queries/crm-list-entries?list=crma-strategic-2024">link to these results</a> · '
            '<a class="network-link" href="/explore?query=crm-list-entries&amp;list=crma-strategic-2024">'
            'view as a network</a>') in page
    href = _network_href(page)
    data = unpack(client.get(href.replace("/explore?", "/explore.json?", 1)).json())
    shown = {data["nodes"][i]["iri"] for i in data["view"]}  # the view: the answer's entities
    assert "https://w3id.org/crmgraph/id/material/copper" in shown
    assert "https://w3id.org/crmgraph/id/material/baryte" not in shown  # on the 2023 list, not the strategic one
    assert client.get(href).status_code == 200
    # the defaults are carried too when the page was opened without parameters
    assert _network_href(client.get("/queries/crm-list-entries").text) == "/explore?query=crm-list-entries&list=eu-crm-2023"


@pytest.mark.parametrize("name", ["statement-status-counts", "source-fact-counts"])
def test_table_only_query_has_no_network_link(client, name):
    page = client.get(f"/queries/{name}").text
    assert "<h2>Results</h2>" in page and f'href="/queries/{name}.csv"' in page
    assert "view as a network" not in page and "/explore?" not in page


def test_drawable_follows_the_network_rule():
    from crmgraph.web.queries import drawable

    iri = {"type": "uri", "value": "https://w3id.org/crmgraph/id/country/KZ"}
    lit = {"type": "literal", "value": "x"}
    table = lambda rows: {"head": {"vars": ["a", "b", "c"]}, "results": {"bindings": rows}}  # noqa: E731
    assert drawable("solutions", table([{"a": iri, "b": iri}]))
    assert drawable("solutions", table([{"a": iri, "b": iri}, {"a": iri}]))        # unbound cells are fine
    assert not drawable("solutions", table([{"a": iri, "b": lit}]))                # one IRI column
    assert not drawable("solutions", table([{"a": iri, "b": iri}, {"b": lit}]))    # b mixes IRIs and literals
    assert not drawable("solutions", table([]))
    assert not drawable("boolean", {"head": {}, "boolean": True})
    assert drawable("graph", table([{"a": iri, "b": iri, "c": lit}]))
    assert not drawable("graph", table([]))


EXTRA_QUERIES = {
    "instruments-graph.rq": """# title: Instruments of one country, as triples
# description: A CONSTRUCT: the country, the instruments it is party to, and their labels.
# param: country country = KZ — the country
CONSTRUCT { ?country crm:partyTo ?inst . ?inst skos:prefLabel ?label }
WHERE { ?country crm:partyTo ?inst . ?inst skos:prefLabel ?label . FILTER(LANG(?label) = "en") }
""",
    "members-with-note.rq": """# title: Members of regions, with a note
# description: Two IRI columns and a free-text note that is only echoed.
# param: note string = none — any text
SELECT ?country ?region ?note WHERE { ?country crm:memberOf ?region } ORDER BY ?country LIMIT 20
""",
}


@pytest.fixture(scope="module")
def extra_client(store_path, tmp_path_factory):
    """A server whose queries/ holds a CONSTRUCT and a query with a free-text parameter."""
    from crmgraph.settings import Settings

    root = tmp_path_factory.mktemp("extra-queries")
    (root / "queries").mkdir()
    for name, text in EXTRA_QUERIES.items():
        (root / "queries" / name).write_text(text, encoding="utf-8")
    with serving(create_app(store_path, Settings(root=root), LIMITS)) as url, \
            httpx.Client(base_url=url.removesuffix("/sparql"), timeout=30) as c:
        yield c


def test_construct_answer_is_a_table_of_triples_with_downloads(extra_client, store_path):
    store = OxigraphStore(store_path, read_only=True)
    try:
        expected = list(store.query("CONSTRUCT { country:KZ crm:partyTo ?i . ?i skos:prefLabel ?l } WHERE { "
                                    "country:KZ crm:partyTo ?i . ?i skos:prefLabel ?l . FILTER(LANG(?l) = \"en\") }"))
    finally:
        store.close()
    assert len(expected) > 10
    r = extra_client.get("/queries/instruments-graph")
    assert r.status_code == 200 and r.headers["x-crmgraph-rows"] == str(len(expected))
    page = r.text
    assert f"<p>{len(expected)} triples.</p>" in page
    assert "<tr><th>Subject</th><th>Predicate</th><th>Object</th></tr>" in page
    assert 'href="/id/country/KZ"' in page and 'href="/ontology#partyTo"' in page  # our IRIs, local pages
    assert "<pre>" in page  # only the SPARQL text is preformatted; the answer is a table
    assert page.count("<pre>") == 1
    for ext in ("csv", "json", "ttl", "nt", "jsonld"):
        assert f'href="/queries/instruments-graph.{ext}?country=KZ"' in page
    assert _network_href(page) == "/explore?query=instruments-graph&country=KZ"

    rows = list(csv.reader(io.StringIO(extra_client.get("/queries/instruments-graph.csv").text)))
    assert rows[0] == ["subject", "predicate", "object"] and len(rows) == len(expected) + 1
    assert {row[1] for row in rows[1:]} == {"https://w3id.org/crmgraph/ontology#partyTo",
                                           "http://www.w3.org/2004/02/skos/core#prefLabel"}
    assert sorted(rows[1:]) == sorted([t.subject.value, t.predicate.value, t.object.value] for t in expected)
    data = extra_client.get("/queries/instruments-graph.json").json()
    assert data["head"]["vars"] == ["subject", "predicate", "object"]
    assert len(data["results"]["bindings"]) == len(expected)
    for ext, fmt, media in (("ttl", ox.RdfFormat.TURTLE, "text/turtle"), ("nt", ox.RdfFormat.N_TRIPLES, "application/n-triples"),
                            ("jsonld", ox.RdfFormat.JSON_LD, "application/ld+json")):
        r = extra_client.get(f"/queries/instruments-graph.{ext}", params={"country": "KZ"})
        assert r.status_code == 200 and r.headers["content-type"].startswith(media), (ext, r.headers["content-type"])
        assert {q.triple for q in ox.parse(r.content, format=fmt)} == set(expected), ext
    # the network the link opens
    data = unpack(extra_client.get("/explore.json", params={"query": "instruments-graph", "country": "KZ"}).json())
    assert "https://w3id.org/crmgraph/id/country/KZ" in {data["nodes"][i]["iri"] for i in data["view"]}


def test_rdf_suffix_of_a_select_is_refused_with_a_hint(client):
    r = client.get("/queries/crm-list-entries.ttl")
    assert r.status_code == 406 and ".ttl is for CONSTRUCT queries" in r.text and "crm-list-entries.csv" in r.text
    assert client.get("/queries/crm-list-entries.jsonld").json()["status"] == 406


@pytest.mark.parametrize("note", ['a&b "quoted" <script>alert(1)</script>', "x=1&query=other&sparql=ASK{}", "é ü ∑"])
def test_network_link_parameters_are_encoded_and_escaped(extra_client, note):
    r = extra_client.get("/queries/members-with-note", params={"note": note})
    assert r.status_code == 200
    page = r.text
    assert "<script" not in page.replace(SEARCH_SCRIPT, "")
    href = _network_href(page)
    assert href is not None and href.startswith("/explore?query=members-with-note&note=")
    # the raw href attribute holds no quote or angle bracket, and one parameter only besides the query
    raw = re.search(r'<a class="network-link" href="([^"]*)"', page).group(1)
    assert not set(raw) & set('"<>\' ')
    assert parse_qs(urlsplit(href).query) == {"query": ["members-with-note"], "note": [note]}
    # the explorer gets the same value back
    assert extra_client.get(href).status_code == 200
