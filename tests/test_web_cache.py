"""The answer cache (web/cache.py): what is kept, under which key, for how long, and what never is.

Most tests put the middleware in front of a tiny ASGI app that counts its calls (no store, no workers);
the last ones run the real portal over the real store, where the SSRF check and the pool's refusals live."""
from __future__ import annotations

import asyncio
import json
import os
import uuid

import httpx
import pytest

from crmgraph.web import create_app
from crmgraph.web.app import SERVE_ENV, app_from_environment, process_spec
from crmgraph.web.cache import AnswerCache, CachedAnswers, Entry, StoreVersion, make_entry
from crmgraph.web.sandbox import Limits

from .test_web_sparql import serving


# -- the LRU -------------------------------------------------------------------------------------

def entry(n: int) -> Entry:
    return Entry(headers=(), body=b"x" * n, etag=b'"e"', last_modified=None, size=n)


def test_a_kept_answer_is_found_by_its_key_and_counted_as_a_hit():
    cache = AnswerCache(10_000)
    assert cache.get(("v", "/a")) is None
    assert cache.put(("v", "/a"), entry(100))
    assert cache.get(("v", "/a")).body == b"x" * 100
    assert cache.get(("w", "/a")) is None  # another store version: another key
    assert cache.stats()["hits"] == 1 and cache.stats()["misses"] == 2


def test_the_bound_is_in_bytes_and_the_least_recently_used_go_first():
    cache = AnswerCache(max_bytes=3_000, max_entry_bytes=3_000)
    for name in ("a", "b", "c"):
        assert cache.put((name,), entry(900))
    cache.get(("a",))                      # a is now the most recently used
    assert cache.put(("d",), entry(900))   # 4 × ~901 bytes > 3,000: the least recently used (b) goes
    assert cache.get(("b",)) is None
    assert all(cache.get((k,)) is not None for k in ("a", "c", "d"))
    assert cache.bytes <= 3_000 and cache.evictions == 1
    assert cache.put(("big",), entry(2_500))  # one big entry pushes out as many as it must
    assert len(cache) == 1 and cache.bytes <= 3_000


def test_an_answer_bigger_than_an_entry_may_be_is_not_kept():
    cache = AnswerCache(max_bytes=10_000, max_entry_bytes=1_000)
    assert not cache.put(("k",), entry(2_000))
    assert len(cache) == 0 and cache.bytes == 0


def test_the_etag_depends_on_body_and_media_type_and_the_entry_counts_its_headers():
    json_entry = make_entry([(b"content-type", b"application/json"), (b"date", b"x")], b"{}", None, None)
    text_entry = make_entry([(b"content-type", b"text/plain")], b"{}", None, None)
    assert json_entry.etag != text_entry.etag
    assert (b"date", b"x") not in json_entry.headers and (b"cache-control", b"no-cache") in json_entry.headers
    assert json_entry.size > len(json_entry.body)


# -- the store's version -------------------------------------------------------------------------

def write_identity(folder) -> None:
    """What a rebuild does to the IDENTITY file: a new store (a new file, a new UUID) swapped in."""
    fresh = folder / "IDENTITY.new"
    fresh.write_text(str(uuid.uuid4()))
    os.replace(fresh, folder / "IDENTITY")


def test_the_store_version_changes_with_a_new_store_and_is_none_without_one(tmp_path):
    write_identity(tmp_path)
    version = StoreVersion(tmp_path)
    first = version.current()
    assert first and version.current() == first
    write_identity(tmp_path)
    assert version.current() not in (None, first)
    (tmp_path / "IDENTITY").unlink()
    assert version.current() is None


# -- the middleware, over a counting app ---------------------------------------------------------

class Counting:
    """An ASGI app answering `GET /sparql?…` with its path, query string and Accept header, counting calls;
    `?status=N` answers with that status, `?stream` without a Content-Length, `?nostore` with no-store."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":  # when served by uvicorn (tests/test_stress.py)
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            return await send({"type": "lifespan.shutdown.complete"})
        self.calls += 1
        query = scope["query_string"].decode()
        accept = dict(scope["headers"]).get(b"accept", b"")
        body = f"{scope['path']}?{query} as {accept.decode()} #{self.calls}".encode()
        status = int(query.split("status=")[1]) if "status=" in query else 200
        headers = [(b"content-type", b"text/plain"), (b"vary", b"Accept")]
        if "nostore" in query:
            headers.append((b"cache-control", b"no-store"))
        if "stream" not in query:
            headers.append((b"content-length", str(len(body)).encode()))
        await asyncio.sleep(0.05 if "slow" in query else 0)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class Client:
    """A synchronous client for an ASGI app (in-process, no server)."""

    def __init__(self, app) -> None:
        self.app = app

    def request(self, method: str, path: str, headers: dict | None = None) -> httpx.Response:
        async def one() -> httpx.Response:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(self.app), base_url="http://127.0.0.1:8000") as c:
                return await c.request(method, path, headers=headers)
        return asyncio.run(one())

    def get(self, path: str, headers: dict | None = None) -> httpx.Response:
        return self.request("GET", path, headers)

    def head(self, path: str, headers: dict | None = None) -> httpx.Response:
        return self.request("HEAD", path, headers)


@pytest.fixture
def served(tmp_path):
    write_identity(tmp_path)
    inner = Counting()
    version = StoreVersion(tmp_path)
    version.pin()
    app = CachedAnswers(inner, AnswerCache(1_000_000), version)
    return Client(app), inner, version, app


def test_the_same_request_is_answered_from_the_cache_the_second_time(served):
    client, inner, _, _ = served
    first = client.get("/sparql?query=ASK%7B%7D")
    second = client.get("/sparql?query=ASK%7B%7D")
    assert inner.calls == 1
    assert (first.headers["x-crmgraph-cache"], second.headers["x-crmgraph-cache"]) == ("miss", "hit")
    assert second.content == first.content and second.headers["etag"] == first.headers["etag"]
    assert second.headers["vary"] == "Accept" and second.headers["cache-control"] == "no-cache"
    assert "last-modified" in second.headers


def test_another_accept_or_another_query_is_another_entry(served):
    client, inner, _, app = served
    csv = client.get("/sparql?query=q", headers={"accept": "text/csv"})
    json = client.get("/sparql?query=q", headers={"accept": "application/sparql-results+json"})
    client.get("/sparql?query=q2", headers={"accept": "text/csv"})  # another query: a third entry
    assert inner.calls == 3 and len(app.cache) == 3
    assert b"as text/csv" in csv.content and b"as application/sparql-results+json" in json.content
    assert client.get("/sparql?query=q", headers={"accept": "text/csv"}).content == csv.content and inner.calls == 3


@pytest.mark.parametrize("query", ["status=403", "status=503", "status=422", "status=500", "stream", "nostore"])
def test_errors_refusals_streams_and_no_store_answers_are_never_kept(served, query):
    client, inner, _, app = served
    for _ in range(2):
        response = client.get(f"/sparql?{query}")
        assert response.headers.get("x-crmgraph-cache") != "hit"
    assert inner.calls == 2 and len(app.cache) == 0


@pytest.mark.parametrize("path", ["/health", "/downloads/x.nq", "/store", "/assets/explorer/explorer.js"])
def test_routes_whose_answer_depends_on_more_than_the_store_pass_through(served, path):
    client, inner, _, app = served
    client.get(path), client.get(path)
    assert inner.calls == 2 and len(app.cache) == 0


def test_a_new_store_on_disk_invalidates_and_nothing_is_kept_until_the_server_reopens_it(served, tmp_path):
    client, inner, version, app = served
    client.get("/sparql?query=q")
    assert client.get("/sparql?query=q").headers["x-crmgraph-cache"] == "hit"
    write_identity(tmp_path)                 # crmgraph build swapped a new store in
    assert client.get("/sparql?query=q").headers.get("x-crmgraph-cache") is None  # computed again, not kept
    client.get("/sparql?query=q")
    assert inner.calls == 3 and len(app.cache) == 0
    version.pin()                            # the server re-opened the store: cache the new version's answers
    client.get("/sparql?query=q")
    assert client.get("/sparql?query=q").headers["x-crmgraph-cache"] == "hit" and inner.calls == 4


def test_if_none_match_and_if_modified_since_get_304_without_a_body(served):
    client, inner, _, _ = served
    first = client.get("/id/country/KZ")
    again = client.get("/id/country/KZ", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"] and "content-type" not in again.headers
    assert client.get("/id/country/KZ", headers={"if-none-match": '"other"'}).status_code == 200
    since = client.get("/id/country/KZ", headers={"if-modified-since": first.headers["last-modified"]})
    assert since.status_code == 304
    fresh = client.get("/id/country/TJ", headers={"if-none-match": '"x", ' + first.headers["etag"].replace('"', '"y')})
    assert fresh.status_code == 200  # a miss is compared too, against the answer just computed
    assert inner.calls == 2


def test_head_is_answered_from_a_get_entry_without_a_body(served):
    client, inner, _, _ = served
    got = client.get("/queries")
    head = client.head("/queries")
    assert head.status_code == 200 and head.content == b"" and head.headers["content-length"] == str(len(got.content))
    assert inner.calls == 1


def test_many_clients_asking_the_same_new_thing_at_once_cause_one_computation(tmp_path):
    write_identity(tmp_path)
    inner = Counting()
    app = CachedAnswers(inner, AnswerCache(1_000_000), StoreVersion(tmp_path))

    async def fifty() -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://127.0.0.1") as client:
            return await asyncio.gather(*(client.get("/queries/x?slow") for _ in range(50)))

    answers = asyncio.run(fifty())
    assert inner.calls == 1
    assert {a.content for a in answers} == {answers[0].content} and all(a.status_code == 200 for a in answers)


# -- the real portal -----------------------------------------------------------------------------

SERVICE = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def portal(store_path, settings):
    app = create_app(store_path, settings, Limits(timeout_s=5.0, max_rows=100, workers=1))
    with serving(app) as url, httpx.Client(base_url=url.removesuffix("/sparql"), timeout=60) as client:
        yield client, app


def test_the_portal_serves_a_repeated_sparql_answer_from_the_cache_per_format(portal):
    client, _ = portal
    query = {"query": "SELECT ?c WHERE { ?c crm:memberOf region:central-asia } ORDER BY ?c"}
    first = client.get("/sparql", params=query, headers={"accept": "text/csv"})
    second = client.get("/sparql", params=query, headers={"accept": "text/csv"})
    as_json = client.get("/sparql", params=query, headers={"accept": "application/sparql-results+json"})
    assert first.status_code == 200 and first.headers["x-crmgraph-cache"] == "miss"
    assert second.headers["x-crmgraph-cache"] == "hit" and second.content == first.content
    assert second.headers["content-security-policy"] == first.headers["content-security-policy"]
    assert as_json.headers["x-crmgraph-cache"] == "miss" and as_json.json()["results"]["bindings"]
    assert client.get("/sparql", params=query, headers={"accept": "text/csv", "if-none-match": first.headers["etag"]}).status_code == 304


def test_the_portal_never_serves_a_refused_or_capped_query_from_the_cache(portal):
    client, app = portal
    before = len(app.state.answer_cache)
    for _ in range(2):
        refused = client.get("/sparql", params={"query": SERVICE})
        assert refused.status_code == 403 and refused.headers.get("x-crmgraph-cache") != "hit"
        capped = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
        assert capped.status_code == 422 and capped.headers.get("x-crmgraph-cache") != "hit"
    assert len(app.state.answer_cache) == before


def test_the_portal_serves_a_page_again_from_the_cache_with_its_footer(portal):
    client, _ = portal
    first = client.get("/id/country/KZ")
    second = client.get("/id/country/KZ")
    assert first.status_code == 200 and second.headers["x-crmgraph-cache"] == "hit"
    assert second.text == first.text and '<footer class="site">' in second.text


# -- several HTTP processes (crmgraph serve --processes N) ---------------------------------------

def test_each_http_process_gets_its_share_of_workers_and_cache_and_builds_its_app(store_path, monkeypatch):
    limits = Limits(timeout_s=3, max_rows=50, workers=3, max_nodes=9, queue=5)
    spec = process_spec(store_path, limits, 2, 64_000_000, False)
    assert spec["limits"]["workers"] == 1 and spec["limits"]["queue"] == 3  # shared out, rounded up for the queue
    assert spec["limits"]["timeout_s"] == 3 and spec["limits"]["max_rows"] == 50 and spec["limits"]["max_nodes"] == 9
    assert spec["cache_bytes"] == 32_000_000
    assert process_spec(store_path, Limits(workers=1), 4, 8, False)["limits"]["workers"] == 1  # never none
    monkeypatch.setenv(SERVE_ENV, json.dumps(spec))
    app = app_from_environment()  # what uvicorn calls in each process (nothing starts until it serves)
    assert app.state.limits == Limits(timeout_s=3, max_rows=50, workers=1, max_nodes=9, queue=3)
    assert app.state.answer_cache.max_bytes == 32_000_000 and app.state.store_path == store_path


def test_a_rebuilt_store_under_a_running_portal_is_never_answered_from_the_old_entries(tmp_path, settings):
    """`crmgraph build` switches the store's link to a new version while the server runs: the kept answers
    are dropped, and none is kept or served until the server opens the new store (a restart)."""
    import pyoxigraph as ox

    from crmgraph.namespaces import GRAPH_ASSERTED
    from crmgraph.store.embedded import write_new_store

    def fill(n: int):
        return lambda store: store.replace_graph(GRAPH_ASSERTED, [
            ox.Triple(ox.NamedNode(f"urn:test:s{i}"), ox.NamedNode("urn:test:p"), ox.Literal(str(i))) for i in range(n)])

    target = tmp_path / "store"
    write_new_store(target, fill(3))
    app = create_app(target, settings, Limits(timeout_s=5.0, workers=1))
    count = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s <urn:test:p> ?o }"}
    with serving(app) as url, httpx.Client(timeout=60) as client:
        assert client.get(url, params=count, headers={"accept": "text/csv"}).headers["x-crmgraph-cache"] == "miss"
        assert client.get(url, params=count, headers={"accept": "text/csv"}).headers["x-crmgraph-cache"] == "hit"
        write_new_store(target, fill(5))
        again = client.get(url, params=count, headers={"accept": "text/csv"})
        assert again.status_code == 200 and "x-crmgraph-cache" not in again.headers
        assert len(app.state.answer_cache) == 0
