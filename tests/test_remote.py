"""The same knowledge base on real SPARQL servers started by the tests on 127.0.0.1:
the Oxigraph server and Virtuoso. Every named query must give the same answer as the embedded store."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from crmgraph.knowledge.build import fill_store
from crmgraph.cli import app
from crmgraph.errors import QueryError, StoreError
from crmgraph.query.named import load_named_queries, run_named
from crmgraph.store.remote import RemoteStore
from crmgraph.query.results import Table, to_result

from crmgraph.store.localservers import free_port, oxigraph_server, virtuoso_server

ROOT = Path(__file__).resolve().parents[1]
QUERIES = load_named_queries(ROOT / "queries")
VIRTUOSO_AUTH = {"user": "dba", "password": "dba"}  # the throw-away database's default account


@pytest.fixture(scope="module")
def oxigraph_url(tmp_path_factory):
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as url:
        yield url


@pytest.fixture(scope="module")
def virtuoso_url(tmp_path_factory):
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as url:
        yield url


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def remote(request, compiled, settings):
    """A server of each kind, loaded with the knowledge base through the Graph Store Protocol."""
    if request.param == "oxigraph":
        store = RemoteStore(request.getfixturevalue("oxigraph_url"))
    else:
        store = RemoteStore(request.getfixturevalue("virtuoso_url"), **VIRTUOSO_AUTH)
    fill_store(store, compiled, settings)
    yield store
    store.close()


def _unordered(value: object) -> str:
    """GROUP_CONCAT has no defined order in SPARQL: compare concatenated lists by their words."""
    text = str(value)
    if "; " in text or ", " in text:
        return " ".join(sorted(re.findall(r"[^\s,;()]+", text)))
    return text


def canonical(result) -> object:
    """An order-free, server-independent form of an answer."""
    if isinstance(result, Table):
        return sorted(tuple(sorted((k, _unordered(v)) for k, v in r.items() if v is not None)) for r in result.records())
    return result


def test_the_graphs_arrive_whole(remote, compiled):
    assert remote.count("https://w3id.org/crmgraph/graph/asserted") == len(compiled.asserted)
    assert remote.count("https://w3id.org/crmgraph/graph/inferred") == len(compiled.inferred)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_named_query_answers_as_on_the_embedded_store(remote, store, name):
    assert canonical(run_named(remote, QUERIES[name])) == canonical(run_named(store, QUERIES[name]))


def test_blank_nodes_in_an_answer_are_read(remote):
    """References are blank nodes; Virtuoso labels them `nodeID://…`, which pyoxigraph would refuse."""
    table = to_result(remote.query("SELECT ?ref WHERE { ?a prov:wasDerivedFrom ?ref } LIMIT 5"))
    assert len(table.rows) == 5 and all(isinstance(row[0], ox.BlankNode) for row in table.rows)


def test_the_explorer_draws_the_same_network_from_a_server(remote, store):
    """`crmgraph viz --endpoint` and a portal over a server read the network with the same queries."""
    from crmgraph.views.network import load_network

    def shape(net):
        nodes = {(iri, n.style, n.label, len(n.facts), len(n.statements)) for iri, n in net.nodes.items()}
        edges = sorted((e.source, e.target, e.kind, e.label, e.count, tuple(sorted(e.sources))) for e in net.edges)
        return nodes, edges

    assert shape(load_network(remote)) == shape(load_network(store))


def test_virtuoso_truncation_is_reported_never_returned(virtuoso_url, compiled, settings):
    store = RemoteStore(virtuoso_url, **VIRTUOSO_AUTH)
    try:
        fill_store(store, compiled, settings)
        with pytest.raises(QueryError, match="truncated"):
            store.query("SELECT * WHERE { GRAPH graph:asserted { ?s ?p ?o } }")  # > ResultSetMaxRows (10,000)
    finally:
        store.close()


def test_writes_without_credentials_are_refused_with_a_hint(virtuoso_url):
    store = RemoteStore(virtuoso_url)
    with pytest.raises(StoreError) as info:
        store.replace_graph("https://example.org/g", [])
    assert "401" in str(info.value) and "--user" in info.value.hint
    store.close()


def test_an_unreachable_endpoint_fails_fast_and_clearly():
    store = RemoteStore(f"http://127.0.0.1:{free_port()}/query", timeout=2)
    started = time.monotonic()
    with pytest.raises(StoreError, match="cannot reach"):
        store.query("ASK {}")
    assert time.monotonic() - started < 5


def test_a_syntax_error_comes_back_as_a_query_error(oxigraph_url):
    store = RemoteStore(oxigraph_url)
    with pytest.raises(QueryError, match="refused the query"):
        store.query("SELECT ?x WHERE { ?x ")
    store.close()


def test_the_cli_builds_and_queries_a_server(oxigraph_url, tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["build", "--endpoint", oxigraph_url])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["query", "eu-crm-supply-from-central-asia", "--endpoint", oxigraph_url, "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert "Tajikistan,produces,antimony" in result.stdout
