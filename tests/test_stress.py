"""The load generator of stress/ (wrk driven over a list of paths): tiny runs (1 connection, 1 s) against
an in-process server with the answer cache in front of a counting app — no store, no workers."""
from __future__ import annotations

import threading
import time
import uuid

import pytest

from crmgraph.web import bind, make_server
from crmgraph.web.cache import AnswerCache, CachedAnswers, StoreVersion
from stress import load

from .test_web_cache import Counting

pytestmark = pytest.mark.skipif(load.wrk_binary() is None, reason="wrk is not installed (scripts/install-test-system-deps)")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("store")
    (folder / "IDENTITY").write_text(str(uuid.uuid4()))
    inner = Counting()
    app = CachedAnswers(inner, AnswerCache(10_000_000), StoreVersion(folder))
    sock = bind("127.0.0.1", 0)
    uvicorn_server = make_server(app)
    thread = threading.Thread(target=uvicorn_server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uvicorn_server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}", inner, app
    uvicorn_server.should_exit = True
    thread.join(10)
    sock.close()


def test_a_run_counts_requests_and_latencies_and_walks_the_whole_list(server):
    url, inner, app = server
    paths = [f"/sparql?query=q{i}" for i in range(5)]
    before = inner.calls
    figures = load.run(url, paths, connections=1, seconds=1)
    assert figures.requests > len(paths) and figures.errors == 0 and figures.rps > 0
    assert 0 < figures.p50_ms <= figures.p95_ms <= figures.p99_ms <= figures.max_ms
    assert inner.calls - before == len(paths)  # each path computed once, then answered from the cache


def test_unique_mode_makes_every_request_new_and_errors_are_counted(server):
    url, inner, app = server
    before = inner.calls
    figures = load.run(url, ["/sparql?query=new"], connections=1, seconds=1, unique=True)
    assert inner.calls - before >= figures.requests - 1  # (the last answer may be cut by the end of the run)
    failing = load.run(url, ["/sparql?status=503"], connections=1, seconds=1)
    assert failing.errors == failing.requests > 0


def test_load_only_goes_to_this_machine():
    with pytest.raises(ValueError, match="127.0.0.1"):
        load.run("http://192.0.2.1:80", ["/"], connections=1, seconds=1)
