"""The SPARQL 1.1 Protocol endpoint at /sparql, as real clients use it: a real uvicorn server on
127.0.0.1 over a store built from the real data, queried by SPARQLWrapper, rdflib's SPARQLStore and
plain HTTP. It is read-only, stops a query at the time limit while answering everyone else, and
refuses (never cuts short) an answer above the row cap."""
from __future__ import annotations

import io
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import rdflib
import rdflib.compare
from rdflib.query import Result
from SPARQLWrapper import GET, JSON, POST, POSTDIRECTLY, URLENCODED, SPARQLWrapper, XML

from crmgraph.errors import StoreError
from crmgraph.web.sandbox import Limits
from crmgraph.store.embedded import OxigraphStore
from crmgraph.web import bind, create_app, make_server

CRM = "https://w3id.org/crmgraph/ontology#"
COUNTRY = "https://w3id.org/crmgraph/id/country/"
CENTRAL_ASIA = ["KG", "KZ", "TJ", "TM", "UZ"]
LIMITS = Limits(timeout_s=2.0, max_rows=1000, workers=2)

# Prefixes crm:, region: … are predeclared by the endpoint; standard clients may declare their own.
SELECT = "SELECT ?c ?code WHERE { ?c crm:iso3166Alpha2 ?code ; crm:memberOf region:central-asia } ORDER BY ?code"
SELECT_DECLARED = ("PREFIX crm: <https://w3id.org/crmgraph/ontology#>\nPREFIX region: <https://w3id.org/crmgraph/id/region/>\n"
                   + SELECT)
ASK = "ASK { country:KZ crm:memberOf region:central-asia }"
CONSTRUCT = "CONSTRUCT { ?c crm:iso3166Alpha2 ?code } WHERE { ?c crm:iso3166Alpha2 ?code ; crm:memberOf region:central-asia }"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . FILTER(?c = ?f) }"  # ~10⁹ pairs: minutes of work


@contextmanager
def serving(app):
    """The app on a real uvicorn server in a thread, on a free port of 127.0.0.1."""
    sock = bind("127.0.0.1", 0)
    server = make_server(app)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/sparql"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


@pytest.fixture(scope="module")
def app(store_path, settings):
    return create_app(store_path, settings, LIMITS)


@pytest.fixture(scope="module")
def endpoint(app) -> str:
    with serving(app) as url:
        yield url


@pytest.fixture(scope="module")
def http(endpoint):
    with httpx.Client(timeout=60) as client:
        yield client


def get(http, endpoint, query, accept=None, **params):
    return http.get(endpoint, params={"query": query, **params}, headers={"Accept": accept} if accept else {})


# -- real clients --------------------------------------------------------------------------------

@pytest.mark.parametrize("method, encoding", [(GET, URLENCODED), (POST, URLENCODED), (POST, POSTDIRECTLY)],
                         ids=["get", "post-form", "post-direct"])
def test_sparqlwrapper_select_as_json_over_get_form_post_and_direct_post(endpoint, method, encoding):
    client = SPARQLWrapper(endpoint)
    client.setQuery(SELECT_DECLARED)
    client.setReturnFormat(JSON)
    client.setMethod(method)
    client.setRequestMethod(encoding)
    bindings = client.queryAndConvert()["results"]["bindings"]
    assert [b["code"]["value"] for b in bindings] == CENTRAL_ASIA
    assert bindings[1]["c"] == {"type": "uri", "value": COUNTRY + "KZ"}


def test_sparqlwrapper_select_as_xml(endpoint):
    client = SPARQLWrapper(endpoint)
    client.setQuery(SELECT)
    client.setReturnFormat(XML)
    document = client.queryAndConvert()
    literals = [node.firstChild.data for node in document.getElementsByTagName("literal")]
    assert literals == CENTRAL_ASIA


def test_sparqlwrapper_construct_gives_an_rdflib_graph(endpoint):
    client = SPARQLWrapper(endpoint)
    client.setQuery(CONSTRUCT)  # SPARQLWrapper's default for CONSTRUCT: RDF/XML, parsed into an rdflib Graph
    graph = client.queryAndConvert()
    assert isinstance(graph, rdflib.Graph) and len(graph) == 5
    assert (rdflib.URIRef(COUNTRY + "KZ"), rdflib.URIRef(CRM + "iso3166Alpha2"), rdflib.Literal("KZ")) in graph


def test_rdflib_sparqlstore_reads_the_graph(endpoint):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = rdflib.Graph(store=SPARQLStore(endpoint))
    rows = graph.query(SELECT_DECLARED)
    assert [str(r.code) for r in rows] == CENTRAL_ASIA
    assert graph.query(ASK).askAnswer is True
    kz = rdflib.URIRef(COUNTRY + "KZ")
    assert list(graph.objects(kz, rdflib.URIRef(CRM + "iso3166Alpha2"))) == [rdflib.Literal("KZ")]


# -- every format parses -------------------------------------------------------------------------

@pytest.mark.parametrize("media_type, rdflib_format", [
    ("application/sparql-results+json", "json"), ("application/sparql-results+xml", "xml"),
    ("text/csv", "csv"), ("text/tab-separated-values", "tsv")])
def test_select_answers_in_each_results_format_parse(http, endpoint, media_type, rdflib_format):
    response = get(http, endpoint, SELECT, accept=media_type)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    rows = Result.parse(io.BytesIO(response.content), format=rdflib_format)
    assert [str(r["code"]) for r in rows] == CENTRAL_ASIA


@pytest.mark.parametrize("media_type, rdflib_format", [
    ("application/sparql-results+json", "json"), ("application/sparql-results+xml", "xml")])
def test_ask_answers_parse(http, endpoint, media_type, rdflib_format):
    response = get(http, endpoint, ASK, accept=media_type)
    assert response.headers["content-type"].split(";")[0] == media_type
    assert Result.parse(io.BytesIO(response.content), format=rdflib_format).askAnswer is True


@pytest.mark.parametrize("media_type", ["text/csv", "text/tab-separated-values"])
def test_ask_in_csv_or_tsv_is_the_word_true_or_false(http, endpoint, media_type):
    assert get(http, endpoint, ASK, accept=media_type).text == "true\n"
    assert get(http, endpoint, "ASK { country:KZ crm:memberOf country:FR }", accept=media_type).text == "false\n"


@pytest.mark.parametrize("query", [CONSTRUCT, "DESCRIBE country:KZ"], ids=["construct", "describe"])
@pytest.mark.parametrize("media_type, rdflib_format", [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"), ("text/n3", "n3")])
def test_graph_answers_in_each_rdf_format_parse_to_the_same_triples(http, endpoint, query, media_type, rdflib_format):
    reference = rdflib.Graph().parse(data=get(http, endpoint, query, accept="application/n-triples").text, format="nt")
    assert len(reference) >= 5
    response = get(http, endpoint, query, accept=media_type)
    assert response.headers["content-type"].split(";")[0] == media_type
    graph = rdflib.Graph().parse(data=response.content, format=rdflib_format)
    assert rdflib.compare.isomorphic(graph, reference)


def test_without_an_accept_header_tables_are_sparql_json_and_graphs_turtle(http, endpoint):
    assert http.get(endpoint, params={"query": SELECT}).headers["content-type"] == "application/sparql-results+json"
    assert http.get(endpoint, params={"query": CONSTRUCT}).headers["content-type"].startswith("text/turtle")


def test_accept_qualities_pick_the_format(http, endpoint):
    response = get(http, endpoint, SELECT, accept="application/sparql-results+json;q=0.5, text/csv;q=0.9, */*;q=0.1")
    assert response.headers["content-type"].startswith("text/csv")


def test_a_format_parameter_overrides_the_accept_header(http, endpoint):
    response = get(http, endpoint, SELECT, accept="application/sparql-results+xml", format="csv")
    assert response.text.splitlines()[0] == "c,code"
    response = get(http, endpoint, CONSTRUCT, output="json")  # for a graph, json means JSON-LD
    assert response.headers["content-type"] == "application/ld+json"


def test_an_answer_no_accepted_format_fits_is_406(http, endpoint):
    response = get(http, endpoint, CONSTRUCT, accept="text/csv")
    assert response.status_code == 406
    assert "triples (CONSTRUCT/DESCRIBE)" in response.text and "text/turtle" in response.text


GRAPH = "https://w3id.org/crmgraph/graph/"
COUNT = "SELECT (COUNT(*) AS ?n) {from} WHERE {{ ?s ?p ?o }}"


def count(http, endpoint, query, **params) -> int:
    response = http.get(endpoint, params={"query": query, **params}, headers={"Accept": "text/csv"})
    assert response.status_code == 200, response.text
    return int(response.text.splitlines()[1])


def test_without_a_dataset_the_default_graph_is_the_union_of_the_named_graphs(http, endpoint):
    ontology = count(http, endpoint, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}ontology> {{ ?s ?p ?o }} }}")
    assert 0 < ontology < count(http, endpoint, COUNT.format(**{"from": ""}))


def test_from_makes_the_named_graph_the_default_graph(http, endpoint):
    ontology = count(http, endpoint, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}ontology> {{ ?s ?p ?o }} }}")
    assert count(http, endpoint, COUNT.format(**{"from": f"FROM <{GRAPH}ontology>"})) == ontology
    shapes_and_ontology = count(http, endpoint, COUNT.format(**{"from": f"FROM <{GRAPH}ontology> FROM <{GRAPH}shapes>"}))
    assert shapes_and_ontology > ontology


def test_from_named_limits_the_graphs_graph_can_see_and_empties_the_default_graph(http, endpoint):
    query = f"SELECT DISTINCT ?g FROM NAMED <{GRAPH}shapes> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    response = http.get(endpoint, params={"query": query}, headers={"Accept": "text/csv"})
    assert response.text.splitlines()[1:] == [f"{GRAPH}shapes"]
    assert count(http, endpoint, COUNT.format(**{"from": f"FROM NAMED <{GRAPH}shapes>"})) == 0


def test_default_graph_uri_selects_the_default_graph_and_overrides_from(http, endpoint):
    ontology = count(http, endpoint, COUNT.format(**{"from": f"FROM <{GRAPH}ontology>"}))
    assert count(http, endpoint, COUNT.format(**{"from": ""}), **{"default-graph-uri": f"{GRAPH}ontology"}) == ontology
    # the protocol's dataset takes precedence over the query's FROM (SPARQL 1.1 Protocol 2.1.4)
    assert count(http, endpoint, COUNT.format(**{"from": f"FROM <{GRAPH}asserted>"}),
                 **{"default-graph-uri": f"{GRAPH}ontology"}) == ontology
    # the Central Asian countries are not in the shapes graph
    response = http.get(endpoint, params={"query": SELECT, "default-graph-uri": f"{GRAPH}shapes"},
                        headers={"Accept": "text/csv"})
    assert response.status_code == 200 and response.text.splitlines() == ["c,code"]


def test_named_graph_uri_limits_the_named_graphs_and_a_graph_not_in_the_store_is_empty(http, endpoint):
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = http.get(endpoint, params={"query": query, "named-graph-uri": [f"{GRAPH}ontology", "https://example.org/nowhere"]},
                        headers={"Accept": "text/csv"})
    assert response.text.splitlines()[1:] == [f"{GRAPH}ontology"]
    assert count(http, endpoint, COUNT.format(**{"from": ""}), **{"named-graph-uri": f"{GRAPH}ontology"}) == 0


def test_rdflib_sparqlstore_with_a_graph_identifier_reads_that_graph_only(endpoint):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = rdflib.Graph(SPARQLStore(endpoint, returnFormat="json"), identifier=rdflib.URIRef(GRAPH + "ontology"))
    classes = {row[0] for row in graph.query("SELECT DISTINCT ?c WHERE { ?c a <http://www.w3.org/2002/07/owl#Class> }")}
    assert rdflib.URIRef(CRM + "Country") in classes
    assert not list(graph.query(f"ASK {{ <{COUNTRY}KZ> ?p ?o }}"))[0]


def test_a_graph_uri_that_is_not_an_iri_is_400(http, endpoint):
    response = http.get(endpoint, params={"query": ASK, "default-graph-uri": "not an iri"})
    assert response.status_code == 400 and "not an absolute IRI" in response.text


def test_relative_iris_are_resolved_against_the_endpoint(http, endpoint):
    response = get(http, endpoint, "CONSTRUCT { <s> <p> 1 } WHERE {}", accept="application/n-triples")
    assert response.status_code == 200, response.text
    base = endpoint.rsplit("/", 1)[0] + "/"
    assert response.text.strip() == f'<{base}s> <{base}p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .'


def test_an_unknown_format_parameter_is_400_and_lists_the_known_ones(http, endpoint):
    response = get(http, endpoint, SELECT, format="excel")
    assert response.status_code == 400 and "unknown format 'excel'" in response.text and "csv" in response.text
    assert http.get(endpoint, params={"format": "excel"}).status_code == 400  # the service description too


def test_a_format_parameter_for_the_wrong_kind_of_answer_is_406_not_a_fallback(http, endpoint):
    assert get(http, endpoint, CONSTRUCT, format="csv").status_code == 406
    assert get(http, endpoint, SELECT, format="turtle").status_code == 406


def test_a_wildcard_accept_gets_a_type_it_covers(http, endpoint):
    assert get(http, endpoint, SELECT, accept="text/*").headers["content-type"].startswith("text/csv")
    assert get(http, endpoint, CONSTRUCT, accept="text/*").headers["content-type"].startswith("text/turtle")
    assert get(http, endpoint, SELECT, accept="application/*").headers["content-type"] == "application/sparql-results+json"
    # an alias still names its format when listed
    assert get(http, endpoint, SELECT, accept="text/xml").headers["content-type"] == "application/sparql-results+xml"


def test_a_post_with_a_body_of_another_type_is_415(http, endpoint):
    response = http.post(endpoint, content=SELECT, headers={"Content-Type": "text/plain"})
    assert response.status_code == 415 and "application/sparql-query" in response.text


def test_a_syntax_error_is_400_and_names_the_users_line(http, endpoint):
    response = get(http, endpoint, "SELECT ?x WHERE {\n  ?x a crm:Country \n  FILTER( \n}", accept="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "query-error" and "line 4" in body["message"]


# -- the service description ---------------------------------------------------------------------

def test_get_without_a_query_describes_the_service(http, endpoint):
    response = http.get(endpoint)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    service = rdflib.URIRef(endpoint)
    assert (service, rdflib.RDF.type, sd.Service) in graph
    assert (service, sd.endpoint, service) in graph
    assert (service, sd.supportedLanguage, sd.SPARQL11Query) in graph
    assert (service, sd.feature, sd.UnionDefaultGraph) in graph
    assert (service, sd.resultFormat, rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON")) in graph
    names = set(graph.objects(None, sd.name))
    assert rdflib.URIRef("https://w3id.org/crmgraph/graph/asserted") in names
    assert "stopped after 2 s" in str(graph.value(service, rdflib.RDFS.comment))


def test_the_service_description_declares_the_predeclared_prefixes_with_sh_declare(http, endpoint):
    from crmgraph.namespaces import PREFIXES

    graph = rdflib.Graph().parse(data=http.get(endpoint).text, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    declared = {str(graph.value(d, sh.prefix)): graph.value(d, sh.namespace)
                for d in graph.objects(rdflib.URIRef(endpoint), sh.declare)}
    assert declared.keys() == PREFIXES.keys()
    assert declared["crm"] == rdflib.Literal(CRM, datatype=rdflib.XSD.anyURI)
    # and they really are predeclared
    assert get(http, endpoint, "ASK { ?c crm:iso3166Alpha2 ?code }", accept="application/json").json()["boolean"]


# -- HEAD and errors -----------------------------------------------------------------------------

@pytest.mark.parametrize("path, params", [("/sparql", {"query": ASK}), ("/sparql", {}), ("/", {}), ("/ontology", {}),
                                          ("/queries", {}), ("/risk", {})])
def test_head_answers_wherever_get_does_with_the_same_headers_and_no_body(http, endpoint, path, params):
    url = endpoint.rsplit("/", 1)[0] + path
    got, head = http.get(url, params=params), http.head(url, params=params)
    assert got.status_code == head.status_code == 200
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.content == b""


def test_routing_errors_are_plain_text_unless_the_client_reads_json(http, endpoint):
    missing = endpoint.rsplit("/", 1)[0] + "/no/such/page"
    response = http.get(missing, headers={"Accept": "text/plain"})
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/plain")
    assert response.text.startswith("error: ")
    response = http.get(missing, headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.json()["error"] == "not-found"
    response = http.put(endpoint, content=b"ASK {}", headers={"Accept": "text/*"})
    assert response.status_code == 405 and response.headers["content-type"].startswith("text/plain")
    assert "GET" in response.headers["allow"] and "POST" in response.text



def test_the_service_description_comes_in_other_rdf_formats_too(http, endpoint):
    response = http.get(endpoint, headers={"Accept": "application/ld+json"})
    graph = rdflib.Graph().parse(data=response.content, format="json-ld")
    assert len(graph) > 20


# -- read-only -----------------------------------------------------------------------------------

UPDATES = [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/data.ttl> INTO GRAPH <urn:g>",
    "CLEAR ALL",
    "DROP GRAPH graph:asserted",
    "PREFIX ex: <urn:x#>\nWITH graph:asserted DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "# a comment first\ncreate graph <urn:g>",
]


@pytest.mark.parametrize("sent_as", ["GET query=", "POST query=", "POST update=", "POST sparql-update"])
@pytest.mark.parametrize("update", UPDATES, ids=lambda u: u.split()[0] if not u.startswith(("PREFIX", "#")) else u.split("\n")[1].split()[0])
def test_updates_and_load_are_refused_with_403(http, endpoint, update, sent_as):
    if sent_as == "GET query=":
        response = http.get(endpoint, params={"query": update})
    elif sent_as == "POST sparql-update":
        response = http.post(endpoint, content=update, headers={"Content-Type": "application/sparql-update"})
    else:
        response = http.post(endpoint, data={sent_as.split()[1][:-1]: update})
    assert response.status_code == 403
    assert "read-only" in response.text


def test_the_data_is_unchanged_after_the_refused_updates(http, endpoint, store_path):
    store = OxigraphStore(store_path, read_only=True)
    try:
        expected = store.count()
    finally:
        store.close()
    response = get(http, endpoint, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", accept="text/csv")
    assert int(response.text.splitlines()[1]) == expected


@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ # a comment }}\n  SeRvIcE <{url}> {{ ?s ?p ?o }} }}",
    "PREFIX remote: <{url}>\nSELECT * WHERE {{ ?x ?y ?z . SERVICE remote: {{ ?s ?p ?o }} }}",
])
def test_service_clauses_are_refused_and_no_connection_is_made(http, endpoint, template):
    with socket.socket() as trap:
        trap.bind(("127.0.0.1", 0))
        trap.listen()
        trap.settimeout(0.3)
        url = f"http://127.0.0.1:{trap.getsockname()[1]}/sparql"
        response = get(http, endpoint, template.format(url=url), accept="application/json")
        assert response.status_code == 403
        assert response.json()["error"] == "refused" and "SERVICE" in response.json()["message"]
        with pytest.raises(socket.timeout):
            trap.accept()


def test_service_as_a_word_in_strings_iris_and_variable_names_is_fine(http, endpoint):
    query = ('SELECT ?service WHERE { BIND("SERVICE <http://example.org/>" AS ?service) '
             'FILTER(?service != <http://example.org/SERVICE>) }  # SERVICE')
    response = get(http, endpoint, query, accept="text/csv")
    assert response.status_code == 200 and response.text.splitlines() == ["service", "SERVICE <http://example.org/>"]


# -- the time limit ------------------------------------------------------------------------------

def test_a_heavy_query_is_stopped_at_the_time_limit_and_the_next_request_is_answered_at_once(http, endpoint):
    started = time.monotonic()
    response = get(http, endpoint, HEAVY, accept="application/sparql-results+json")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    body = response.json()
    assert body["error"] == "timeout" and body["limit"] == 2.0
    assert "stopped after 2 s" in body["message"] and "--timeout-s" in body["hint"]
    assert LIMITS.timeout_s <= elapsed < LIMITS.timeout_s + 2

    started = time.monotonic()
    response = get(http, endpoint, SELECT, accept="text/csv")
    assert response.status_code == 200 and len(response.text.splitlines()) == 6
    assert time.monotonic() - started < 0.5


def test_the_time_limit_message_is_plain_text_for_clients_that_do_not_read_json(http, endpoint):
    response = get(http, endpoint, HEAVY, accept="text/csv")
    assert response.status_code == 503
    assert response.text.startswith("error: the query was stopped after 2 s")


def test_others_are_served_while_a_heavy_query_runs(app, http, endpoint):
    # both workers up first: the previous tests' killed workers are replaced in the background
    # (under a second here, several on a loaded machine)
    deadline = time.monotonic() + 60
    while app.state.pool.status()["replacing"] or app.state.pool.size < LIMITS.workers:
        assert time.monotonic() < deadline, "the pool did not refill"
        time.sleep(0.1)
    # the heavy query comes from another client (127.0.0.2): one client runs at most workers - 1 queries at
    # once (tests/test_web_limits.py), so its own next query would wait for its heavy one
    def heavy_client():
        with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=30) as other:
            other.get(endpoint, params={"query": HEAVY})

    heavy = threading.Thread(target=heavy_client)
    heavy.start()
    time.sleep(0.3)
    for _ in range(10):
        started = time.monotonic()
        assert get(http, endpoint, ASK, accept="text/csv").text == "true\n"
        assert time.monotonic() - started < 0.5
    assert heavy.is_alive(), "the heavy query should still be running"
    heavy.join()


def test_a_killed_worker_is_replaced(app, http, endpoint):
    get(http, endpoint, HEAVY)
    deadline = time.monotonic() + 30
    while app.state.pool.size < LIMITS.workers and time.monotonic() < deadline:
        time.sleep(0.1)
    assert app.state.pool.size == LIMITS.workers and app.state.pool.replacements >= 1


# -- the row cap ---------------------------------------------------------------------------------

def test_an_answer_over_the_row_cap_is_refused_with_the_cap_and_a_fix(http, endpoint):
    response = get(http, endpoint, "SELECT * WHERE { ?s ?p ?o }", accept="application/sparql-results+json")
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "too-many-rows" and body["limit"] == 1000
    assert "more than 1,000 rows" in body["message"] and "nothing was returned" in body["message"]
    assert "LIMIT 1000" in body["hint"]


def test_graph_answers_are_capped_in_triples(http, endpoint):
    response = get(http, endpoint, "CONSTRUCT WHERE { ?s ?p ?o }", accept="text/turtle")
    assert response.status_code == 422
    assert response.text.startswith("error: the answer has more than 1,000 triples")


def test_an_answer_of_exactly_the_cap_is_returned_whole(http, endpoint):
    response = get(http, endpoint, "SELECT * WHERE { ?s ?p ?o } LIMIT 1000", accept="text/tab-separated-values")
    assert response.status_code == 200
    assert len(response.text.splitlines()) == 1 + 1000
    assert response.headers["x-crmgraph-rows"] == "1000"


# -- overhead ------------------------------------------------------------------------------------

def test_the_per_query_overhead_is_small(http, endpoint):
    """A trivial query over HTTP (client, server, worker process and back) takes a few milliseconds.
    Each query is new (a comment differs), so the answer cache does not answer it: the worker does."""
    timings = []
    for i in range(30):
        started = time.perf_counter()
        response = get(http, endpoint, f"ASK {{}} # overhead {i}", accept="application/sparql-results+json")
        assert response.json()["boolean"] is True and response.headers["x-crmgraph-cache"] == "miss"
        timings.append(time.perf_counter() - started)
    response = get(http, endpoint, "ASK {}")
    assert response.headers["server-timing"].startswith("query;dur=")
    assert statistics.median(timings) < 0.05


# -- building and serving the app ----------------------------------------------------------------

def test_the_app_needs_a_store_on_disk(tmp_path, settings):
    with pytest.raises(StoreError, match="no store at"):
        create_app(tmp_path / "nowhere", settings)
    with pytest.raises(StoreError, match="in-memory"):
        create_app(OxigraphStore(None), settings)


def test_crmgraph_serve_prints_its_url_and_answers_there(store_path):
    command = [str(Path(sys.executable).with_name("crmgraph")), "serve", "--store", str(store_path), "--port", "0",
               "--timeout-s", "5", "--max-rows", "20", "--workers", "1"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith("crmgraph: portal at http://127.0.0.1:"), line + process.stderr.read()
        portal = line.split(" at ")[1].strip()
        from crmgraph.web.html import SECTIONS

        lines = [process.stdout.readline() for _ in range(len(SECTIONS) - 1)]  # one line per section after home
        url = next(x.split()[-1] for x in lines if "SPARQL endpoint" in x)
        assert url == portal + "sparql"
        assert any(x.split()[-1] == portal + "explore" for x in lines), lines
        # Ready means /health says so (its query has gone through a worker), not "the port accepts":
        # on a loaded machine the first worker can take seconds to start, which is not what this tests.
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(portal + "health", timeout=30)
                if health.status_code == 200 and health.json()["status"] == "ok":
                    break
            except (httpx.ConnectError, httpx.ReadTimeout):
                pass
            assert time.monotonic() < deadline, "the server never said it was ready at /health"
            time.sleep(0.2)
        response = httpx.get(url, params={"query": SELECT}, headers={"Accept": "text/csv"}, timeout=30)
        assert response.text.splitlines()[1:] == [f"{COUNTRY}{c},{c}" for c in CENTRAL_ASIA]
        assert httpx.get(url, params={"query": "SELECT * WHERE { ?s ?p ?o }"}, timeout=30).status_code == 422  # --max-rows 20
        explorer = httpx.get(portal + "explore", timeout=30)
        assert explorer.status_code == 200 and 'data-src="/explore.json"' in explorer.text
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert process.returncode in (0, -signal.SIGTERM)  # uvicorn shuts down cleanly, then re-raises the signal


def test_crmgraph_serve_checks_its_arguments_before_starting(store_path, tmp_path):
    from typer.testing import CliRunner

    from crmgraph.cli import app as cli

    runner = CliRunner()
    result = runner.invoke(cli, ["serve", "--store", str(tmp_path / "nowhere")])
    assert result.exit_code == 1 and "no store" in result.stderr and "crmgraph build" in result.stderr
    for bad in (["--max-rows", "0"], ["--timeout-s", "0"], ["--workers", "0"], ["--port", "70000"]):
        assert runner.invoke(cli, ["serve", "--store", str(store_path), *bad]).exit_code == 2, bad
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = runner.invoke(cli, ["serve", "--store", str(store_path), "--port", str(taken.getsockname()[1])])
    assert result.exit_code == 1 and "cannot listen on 127.0.0.1" in result.stderr and "--port" in result.stderr


def test_the_word_from_in_a_string_or_a_name_keeps_the_union_default_graph(http, endpoint):
    from crmgraph.web.querycheck import names_a_dataset

    assert names_a_dataset("SELECT * FROM <urn:g> WHERE { ?s ?p ?o }")
    assert names_a_dataset("select * from named <urn:g> { graph ?g { ?s ?p ?o } }")
    assert not names_a_dataset('SELECT ?fromage WHERE { ?fromage ?p "FROM <urn:g>" } # FROM <urn:g>')
    query = 'ASK { country:KZ crm:memberOf region:central-asia FILTER("FROM <urn:g>" != "") }'
    assert get(http, endpoint, query, accept="application/json").json()["boolean"] is True
