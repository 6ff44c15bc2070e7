"""Running SPARQL from strangers (crmgraph.web.sandbox): the read-only check finds update keywords and
SERVICE wherever the SPARQL parser would, and nowhere else; limits are checked; a pool over a real
store answers, refuses and stops queries. (Over HTTP: tests/test_web_sparql.py.)"""
from __future__ import annotations

import json
import time

import pytest

from crmgraph.knowledge.build import fill_store
from crmgraph.errors import QueryRefused, QueryTimeout, ResultTooLarge, StoreError
from crmgraph.web.sandbox import Limits, QueryPool, check_read_only, keywords
from crmgraph.store.embedded import OxigraphStore


@pytest.mark.parametrize("query", [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "delete where { ?s ?p ?o }",
    "PREFIX ex: <urn:ex#>\nBASE <urn:base>\nLOAD <http://example.org/data.ttl>",
    "# CLEAR comes after a comment\nCLEAR DEFAULT",
    "  DROP SILENT GRAPH <urn:g>",
    "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "CREATE GRAPH <urn:g>", "COPY <urn:a> TO <urn:b>", "MOVE DEFAULT TO <urn:b>", "ADD <urn:a> TO <urn:b>",
])
def test_updates_are_refused(query):
    with pytest.raises(QueryRefused, match="read-only"):
        check_read_only(query)


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "select * { service silent ?endpoint { ?s ?p ?o } }",
    "SELECT * {\n#}\nSERVICE<http://example.org/sparql>{?s ?p ?o}}",
    "SELECT * { FILTER(1<2)SERVICE<http://example.org/sparql>{?s ?p ?o} }",
    r"SELECT * { \u0053ERVICE <http://example.org/sparql> { ?s ?p ?o } }",  # codepoint escapes are undone first
    "ASK { ?x ?y ?z . SERVICE ex:remote { ?s ?p ?o } }",
])
def test_service_is_refused_wherever_the_parser_would_see_it(query):
    with pytest.raises(QueryRefused, match="SERVICE"):
        check_read_only(query)


@pytest.mark.parametrize("query", [
    'SELECT ?service WHERE { ?service a <http://example.org/SERVICE> }',
    "SELECT * { ?s ex:service ?o ; service:x ?y ; ex:a.SERVICE ?z }",
    'SELECT * { BIND("SERVICE <http://x/> {}" AS ?a) BIND(\'\'\'multi\nSERVICE\nline\'\'\' AS ?b) }',
    "SELECT * { ?s ?p ?o } # SERVICE <http://example.org/>",
    "SELECT * { ?s ?p \"INSERT DATA\" }",
    "PREFIX insert: <urn:x#>\nSELECT * { ?s insert:delete ?o }",
])
def test_words_in_strings_iris_comments_variables_and_prefixed_names_do_not_count(query):
    check_read_only(query)


def test_keywords_are_the_bare_words_in_order():
    assert keywords('PREFIX s: <http://x#SERVICE> SELECT ?service (STR("SERVICE") AS ?x) # SERVICE\n'
                    "WHERE { ?s s:service ?o }") == ["PREFIX", "SELECT", "STR", "AS", "WHERE"]


@pytest.mark.parametrize("bad", [{"timeout_s": 0}, {"max_rows": 0}, {"workers": 0}])
def test_limits_must_be_positive(bad):
    with pytest.raises(ValueError):
        Limits(**bad)


@pytest.fixture(scope="module")
def pool(compiled, settings, tmp_path_factory):
    path = tmp_path_factory.mktemp("sandbox") / "store"
    store = OxigraphStore(path)
    fill_store(store, compiled, settings)
    store.close()
    with QueryPool(path, Limits(timeout_s=1.0, max_rows=100, workers=1)) as pool:
        yield pool


def test_a_pool_answers_in_the_format_asked_for(pool):
    answer = pool.run("SELECT ?code WHERE { country:KZ crm:iso3166Alpha2 ?code }")
    assert answer.media_type == "application/sparql-results+json" and answer.kind == "solutions" and answer.rows == 1
    assert json.loads(answer.body)["results"]["bindings"] == [{"code": {"type": "literal", "value": "KZ"}}]
    answer = pool.run("CONSTRUCT WHERE { country:KZ crm:iso3166Alpha2 ?code }", {"graph": "ntriples"})
    assert answer.body.decode() == '<https://w3id.org/crmgraph/id/country/KZ> <https://w3id.org/crmgraph/ontology#iso3166Alpha2> "KZ" .\n'


def test_a_pool_refuses_updates_before_any_worker_sees_them(pool):
    with pytest.raises(QueryRefused):
        pool.run("INSERT DATA { <urn:a> <urn:b> <urn:c> }")


def test_a_pool_refuses_answers_over_the_cap(pool):
    with pytest.raises(ResultTooLarge) as caught:
        pool.run("SELECT * WHERE { ?s ?p ?o }")
    assert caught.value.limit == 100
    assert pool.run("SELECT * WHERE { ?s ?p ?o } LIMIT 100").rows == 100


def test_a_single_worker_pool_stops_a_heavy_query_and_recovers(pool):
    started = time.monotonic()
    with pytest.raises(QueryTimeout) as caught:
        pool.run("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . FILTER(?c = ?f) }")
    assert caught.value.limit == 1.0 and time.monotonic() - started < 3
    # the only worker was killed: the next query waits for its replacement, which takes well under the limit
    assert pool.run("ASK {}").body == b'{"head": {}, "boolean": true}'


def test_a_pool_over_a_missing_store_fails_to_start(tmp_path):
    with pytest.raises(StoreError, match="no store"):
        QueryPool(tmp_path / "nowhere", Limits(workers=1)).start()
