"""Every request is bounded (issue 13 §1), over HTTP against a real server on 127.0.0.1: a query that needs
too much memory is stopped with a clear 503 and its worker replaced; an answer over the byte cap is refused
with 413, counted while it is written; the fair queue lets no client hold every worker, never lets an
answer take longer than the time limit (the wait counts), refuses at once with Retry-After when full, and
pages and /health answer while every worker runs heavy queries. Clients are told apart by their address:
the tests send from 127.0.0.2, 127.0.0.3 … (all loopback)."""
from __future__ import annotations

import threading
import time

import httpx
import pytest

from crmgraph.web import create_app
from crmgraph.web.clients import client_of
from crmgraph.web.sandbox import Limits

from .test_web_sparql import HEAVY, serving

#: ORDER BY over a cross product: the whole product is held to be sorted (the issue's 2.9 GB in 10 s).
CROSS_PRODUCT = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"


def big_string_query(doublings: int) -> str:
    """One row, one value of 16 · 8^doublings characters, built by CONCAT in the engine."""
    binds, previous = [], "?v0"
    for i in range(1, doublings + 1):
        binds.append(f"BIND(CONCAT({', '.join([previous] * 8)}) AS ?v{i})")
        previous = f"?v{i}"
    return f'SELECT (STRLEN({previous}) AS ?n) {previous} WHERE {{ BIND("0123456789abcdef" AS ?v0) {" ".join(binds)} }}'


def client(address: str, timeout: float = 60) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=timeout)


def _wait_for(condition, seconds: float = 60.0) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "condition not reached in time"
        time.sleep(0.05)


# -- memory and bytes ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bounded(store_path, settings):
    """A server with small memory and byte limits."""
    app = create_app(store_path, settings, Limits(timeout_s=10.0, max_rows=10_000, workers=2, max_memory_mb=300,
                                                  max_answer_mb=1.0))
    with serving(app) as url:
        yield app, url


def test_a_query_needing_more_memory_than_the_limit_is_stopped_with_503_and_its_worker_replaced(bounded, caplog, capfd):
    app, url = bounded
    caplog.set_level("WARNING", logger="crmgraph.web.sandbox")
    replaced = app.state.pool.replacements
    started = time.monotonic()
    response = httpx.get(url, params={"query": CROSS_PRODUCT}, headers={"Accept": "application/json"}, timeout=60)
    elapsed = time.monotonic() - started
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["error"] == "out-of-memory" and body["limit"] == 300
    assert "needed more than 300 MB" in body["message"] and "--max-memory-mb" in body["hint"] and "LIMIT" in body["hint"]
    assert elapsed < 10.0, f"stopped by the time limit ({elapsed:.1f} s), not by the memory limit"
    _wait_for(lambda: app.state.pool.replacements > replaced and app.state.pool.size == 2)
    assert httpx.get(url, params={"query": "ASK {}"}, timeout=30).json()["boolean"] is True
    assert httpx.get(url.removesuffix("sparql") + "health", timeout=30).json()["lanes"]["queries"]["out_of_memory"] >= 1
    # the engine's own last words ("memory allocation of N bytes failed", as Rust aborts) are logged once, with
    # the worker and its exit code; none of it reaches the server's console
    said = [r.getMessage() for r in caplog.records if "wrote before it stopped" in r.getMessage()]
    assert len(said) == 1 and "memory allocation of" in said[0] and "(exit code -6)" in said[0], said
    assert "memory allocation" not in capfd.readouterr().err


def test_a_huge_single_value_is_refused_with_413_before_it_is_written(bounded):
    _, url = bounded
    response = httpx.get(url, params={"query": big_string_query(6)}, headers={"Accept": "application/json"}, timeout=60)
    assert response.status_code == 413, response.text[:300]
    body = response.json()
    assert body["error"] == "answer-too-large" and body["limit"] == 1.0
    # the engine's writer is stopped by the counting sink at the cap, mid-value: the 4 MB string is never whole
    assert "larger than 1 MB (while it was written)" in body["message"] and "nothing was returned" in body["message"]
    assert "--max-answer-mb" in body["hint"]
    # the same query, smaller, is answered whole: 16 · 8⁴ = 65,536 characters
    small = httpx.get(url, params={"query": big_string_query(4)}, headers={"Accept": "text/csv"}, timeout=60)
    assert small.status_code == 200 and small.text.splitlines()[1].startswith("65536,0123456789abcdef")


def test_the_byte_cap_counts_the_answer_as_written_in_the_format_asked_for(bounded):
    _, url = bounded
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 5000"
    # as CSV it fits under 1 MB; as SPARQL JSON (the same values, more bytes around them) it does not
    as_csv = httpx.get(url, params={"query": query}, headers={"Accept": "text/csv"}, timeout=60)
    assert as_csv.status_code == 200 and len(as_csv.content) < 1_000_000
    as_json = httpx.get(url, params={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert as_json.status_code == 413
    assert "while it was written" in as_json.json()["message"]


# -- the fair queue ------------------------------------------------------------------------------

LIMIT_S = 4.0
#: What an answer may take beyond the limit: killing the worker and answering, on a loaded 2-core machine
#: (measured: up to 2 s at load 10); the old code took up to twice the limit (8 s here).
MARGIN_S = 3.0
FAIR = Limits(timeout_s=LIMIT_S, max_rows=1000, workers=2, queue=4)


@pytest.fixture(scope="module")
def fair(store_path, settings):
    app = create_app(store_path, settings, FAIR)
    with serving(app) as url:
        yield app, url.removesuffix("/sparql")


def _heavy(address: str, base: str, results: list, n: int = 0) -> None:
    # each request's text differs (a comment), so the answer cache cannot fold them into one computation
    with client(address) as c:
        started = time.monotonic()
        response = c.get(base + "/sparql", params={"query": f"{HEAVY} # {address} {n}"}, headers={"Accept": "application/json"})
    results.append((address, response.status_code, response.json()["error"], response.headers.get("retry-after"),
                    time.monotonic() - started))


def _idle(app) -> bool:
    status = app.state.pool.status()
    return status["workers"] == FAIR.workers and status["idle"] == FAIR.workers and status["replacing"] == 0


def test_eight_heavy_clients_leave_pages_and_health_answering_and_no_answer_takes_longer_than_the_limit(fair):
    app, base = fair
    with client("127.0.0.1") as me:
        assert me.get(base + "/id/country/KZ").status_code == 200   # the page once before, as a visitor would
        _wait_for(lambda: _idle(app))
        results: list = []
        threads = [threading.Thread(target=_heavy, args=(f"127.0.0.{i}", base, results)) for i in range(2, 10)]
        for t in threads:
            t.start()
        _wait_for(lambda: app.state.pool.status()["queue"]["running"] == 2, 10)
        page = me.get(base + "/id/country/KZ")
        health = me.get(base + "/health")
        still_running = sum(t.is_alive() for t in threads)
        for t in threads:
            t.join()
    assert page.status_code == 200 and "Kazakhstan" in page.text
    assert health.status_code == 200
    body = health.json()
    assert body["status"] == "busy" and body["lanes"]["queries"]["running"] == 2
    assert body["limits"]["timeout_s"] == LIMIT_S and body["limits"]["per_client"] == 1 and body["limits"]["queue"] == 4
    assert still_running >= 2, "the page and /health should have answered while the heavy queries still ran"

    assert len(results) == 8 and all(status == 503 for _, status, *_ in results)
    assert max(elapsed for *_, elapsed in results) < LIMIT_S + MARGIN_S, results    # never ~2× the limit
    refused = [r for r in results if r[2] == "busy"]
    assert refused and all(r[3] is not None and int(r[3]) >= 1 for r in refused), results  # Retry-After
    assert [r for r in results if r[2] == "timeout"], results


def test_one_client_never_holds_every_worker(fair):
    app, base = fair
    _wait_for(lambda: _idle(app))
    results: list = []
    threads = [threading.Thread(target=_heavy, args=("127.0.0.2", base, results, n)) for n in range(3)]
    for t in threads:
        t.start()
    _wait_for(lambda: app.state.pool.status()["queue"]["waiting"] == 2, 10)
    status = app.state.pool.status()["queue"]
    assert status["running"] == 1 and status["busiest_client_running"] == 1
    with client("127.0.0.3") as other:
        started = time.monotonic()
        answer = other.get(base + "/sparql", params={"query": "ASK {}"}, headers={"Accept": "application/json"})
        assert answer.json()["boolean"] is True and time.monotonic() - started < LIMIT_S / 2
    assert any(t.is_alive() for t in threads)
    for t in threads:
        t.join()
    # one at a time: the first ran to the limit; the others waited (and ran, for what time they had left)
    errors = [error for _, _, error, _, _ in results]
    assert set(errors) <= {"busy", "timeout"} and "timeout" in errors
    assert max(elapsed for *_, elapsed in results) < LIMIT_S + MARGIN_S


def test_one_client_cannot_fill_the_queue_either(fair):
    app, base = fair
    _wait_for(lambda: _idle(app))
    results: list = []
    threads = [threading.Thread(target=_heavy, args=("127.0.0.2", base, results, n)) for n in range(3)]
    for t in threads:   # one runs (its cap), two wait: half the queue of 4
        t.start()
    _wait_for(lambda: app.state.pool.status()["queue"]["waiting"] == 2, 10)
    with client("127.0.0.2") as same, client("127.0.0.3") as other:
        started = time.monotonic()
        refused = same.get(base + "/sparql", params={"query": HEAVY + " # fourth"}, headers={"Accept": "application/json"})
        assert time.monotonic() - started < LIMIT_S / 2, "a refusal must come at once"
        assert refused.status_code == 503 and "its share of the queue" in refused.json()["message"]
        assert int(refused.headers["retry-after"]) >= 1
        # another client still gets in (and runs at once on the free worker)
        assert other.get(base + "/sparql", params={"query": "ASK {}"}, headers={"Accept": "application/json"}).json()["boolean"]
    for t in threads:
        t.join()


def test_identical_heavy_queries_folded_by_the_cache_still_answer_within_the_limit(fair):
    """The answer cache makes identical requests wait for the first one; that wait counts against the
    limit too (the arrival is noted before the cache), so none of them takes ~2× the limit."""
    app, base = fair
    _wait_for(lambda: _idle(app))
    results: list = []
    threads = [threading.Thread(target=_heavy, args=(f"127.0.0.{i}", base, results)) for i in (2, 3, 4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 3 and all(status == 503 for _, status, *_ in results)
    assert max(elapsed for *_, elapsed in results) < LIMIT_S + MARGIN_S, results


def test_x_forwarded_for_counts_only_when_trusted():
    scope = {"client": ("10.0.0.1", 5000), "headers": [(b"x-forwarded-for", b"6.6.6.6, 192.0.2.7")]}
    assert client_of(scope) == "10.0.0.1"
    assert client_of(scope, trust_forwarded=True) == "192.0.2.7"   # the entry the proxy added, not the client's claim
    assert client_of({"client": None, "headers": []}) is None


def test_the_server_itself_never_rewrites_the_client_from_x_forwarded_for(store_path, settings):
    """uvicorn would, for any peer at 127.0.0.1 (its default): a local client could then pose as many."""
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    from crmgraph.web.app import make_server

    server = make_server(create_app(store_path, settings, Limits(workers=1)))
    server.config.load()
    assert server.config.proxy_headers is False and not isinstance(server.config.loaded_app, ProxyHeadersMiddleware)


def test_a_client_may_fill_half_the_queue():
    assert Limits(queue=16).client_queue == 8 and Limits(queue=1).client_queue == 1 and Limits(queue=0).client_queue == 1


@pytest.mark.parametrize("bad", [{"max_memory_mb": 100}, {"max_answer_mb": 0}, {"per_client": -1}, {"queue": -1}])
def test_limits_are_checked(bad):
    with pytest.raises(ValueError):
        Limits(**bad)


def test_the_client_cap_is_workers_minus_one_at_least_one():
    assert Limits(workers=1).client_cap == 1 and Limits(workers=2).client_cap == 1 and Limits(workers=4).client_cap == 3
    assert Limits(workers=4, per_client=2).client_cap == 2
