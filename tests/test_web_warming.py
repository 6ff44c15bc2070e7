"""A fresh server gets ready before its first crowd (web/warming.py): /health says "warming" while the
start-up steps and the portal's expensive answers are prepared, then "ready"; what was prepared is served
from the answer cache on the first visit; which answers are prepared ahead."""
from __future__ import annotations

import asyncio
import threading

import pytest

from crmgraph.web.app import create_app
from crmgraph.web.sandbox import Limits
from crmgraph.web.warming import WARM_UP_CLIENT, answer_paths, ask, drawings_linked, warm_up


def test_the_answers_prepared_are_the_home_pages_links_the_named_queries_and_their_drawings():
    home = ('<a href="/queries/erma-members">x</a> <a href="/id/country/KZ">KZ</a> <a href="/sparql">s</a> '
            '<a href="/downloads">d</a> <a href="/queries/crm-supply-by-country?country=KZ&amp;x=1">c</a> '
            '<a href="/views/map#top">m</a> <a href="https://example.org/">out</a>')
    paths = answer_paths(home, {"erma-members": [], "crm-supply-by-country": ["country"], "people-and-roles": []})
    assert paths[:2] == ["/", "/queries"]
    assert "/id/country/KZ" in paths and "/views/map" in paths
    assert not any(p.startswith(("/sparql", "/downloads", "https:")) for p in paths)  # not kept by the cache, or not ours
    assert {"/queries/erma-members", "/queries/people-and-roles", "/queries/crm-supply-by-country?country=KZ&x=1"} <= set(paths)
    # the explorer's default view comes last; drawings are found in the pages themselves (drawings_linked)
    assert paths[-1] == "/explore.json" and not any(p.startswith("/explore.json?") for p in paths)
    assert len(paths) == len(set(paths))


def test_drawings_are_those_a_page_offers_as_a_network_view_with_its_parameters():
    page = ('<a href="/explore?query=crm-supply-by-country&amp;country=KZ">view as a network</a> '
            '<a href="/explorer">no</a> <a href="/queries/x?country=KZ">a page</a>')
    assert drawings_linked(page) == ["/explore.json?query=crm-supply-by-country&country=KZ"]
    assert drawings_linked("<p>a table only, no network view</p>") == []


def test_health_says_warming_then_ready_and_the_first_visit_is_a_cache_hit(store_path, settings):
    app = create_app(store_path, settings, Limits(workers=1, timeout_s=30))
    host = "127.0.0.1:8000"
    release = threading.Event()

    async def scenario():
        inbox: asyncio.Queue = asyncio.Queue()
        await inbox.put({"type": "lifespan.startup"})
        started = asyncio.Event()

        async def send(message):
            if message["type"] == "lifespan.startup.complete":
                started.set()

        lifespan = asyncio.create_task(app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, inbox.get, send))
        await started.wait()
        assert app.state.warming.state == "off"  # create_app(warm_explorer=False): nothing asked for
        warming = asyncio.create_task(warm_up(app, app.state.warming, host, [("a slow step", release.wait)],
                                              paths=["/queries", "/queries/eu-crm-supply-from-central-asia"]))
        await asyncio.sleep(0.2)
        status, _, body = await ask(app, "/health", host)
        during = __import__("json").loads(body)
        release.set()
        await warming
        status_after, _, body_after = await ask(app, "/health", host)
        after = __import__("json").loads(body_after)
        first_visit = await ask(app, "/queries/eu-crm-supply-from-central-asia", host)
        other_host = await ask(app, "/queries/eu-crm-supply-from-central-asia", "localhost:8000")
        browser_fetch = await ask(app, "/explore.json?query=eu-crm-supply-from-central-asia", host,
                                  {"accept": "application/json", "accept-encoding": "gzip, deflate, br, zstd"})
        await inbox.put({"type": "lifespan.shutdown"})
        await lifespan
        return status, during, status_after, after, first_visit, other_host, browser_fetch

    status, during, status_after, after, first_visit, other_host, browser_fetch = asyncio.run(scenario())
    assert status == 200 and during["ready"] is False
    assert during["warming"]["state"] == "warming" and during["warming"]["step"] == "a slow step"
    assert status_after == 200 and after["ready"] is True
    assert after["warming"]["state"] == "ready" and after["warming"]["answers_kept"] == 3 and after["warming"]["failed"] == []
    assert first_visit[0] == 200 and first_visit[1]["x-crmgraph-cache"] == "hit"
    assert other_host[1]["x-crmgraph-cache"] == "miss"  # the cache keys answers by Host: warmed for the address served
    # the page's network view was drawn ahead, and a browser's fetch of it (its own spelling of gzip) finds it
    assert browser_fetch[0] == 200 and browser_fetch[1]["x-crmgraph-cache"] == "hit"
    assert browser_fetch[1]["content-encoding"] == "gzip"


def test_the_warm_up_counts_as_one_client_of_the_fair_queue():
    from crmgraph.web.clients import client_of

    assert client_of({"client": (WARM_UP_CLIENT, 0), "headers": []}) == WARM_UP_CLIENT


@pytest.mark.parametrize("failing", ["/queries/no-such-query"])
def test_an_answer_that_fails_is_reported_and_does_not_stop_the_others(store_path, settings, failing):
    app = create_app(store_path, settings, Limits(workers=1, timeout_s=30))
    readies = []
    app.state.warming.on_ready = readies.append

    async def scenario():
        inbox: asyncio.Queue = asyncio.Queue()
        await inbox.put({"type": "lifespan.startup"})
        started = asyncio.Event()

        async def send(message):
            if message["type"] == "lifespan.startup.complete":
                started.set()

        lifespan = asyncio.create_task(app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, inbox.get, send))
        await started.wait()
        await warm_up(app, app.state.warming, "127.0.0.1:8000", [], paths=[failing, "/queries"])
        await inbox.put({"type": "lifespan.shutdown"})
        await lifespan

    asyncio.run(scenario())
    assert readies and readies[0]["state"] == "ready" and readies[0]["answers_kept"] == 1
    assert readies[0]["failed"] == [f"{failing} (404)"]
