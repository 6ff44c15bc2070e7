"""Every error renders the same way at each boundary: `render_for_cli` for the shell,
`render_for_http` (status + JSON body) for the web layer."""
from __future__ import annotations

import pytest

from crmgraph.errors import (AnswerTooLarge, CrmgraphError, MemoryLimitExceeded, CurationError, NotAcceptable, Problem, ProtocolError, QueryError,
                             QueryRefused, QueryTimeout, ResultTooLarge, ServerBusy, StoreError, render_for_cli,
                             render_for_http)


def test_cli_rendering_shows_the_message_and_the_hint():
    assert render_for_cli(StoreError("no store at x", hint="run `crmgraph build`")) == "error: no store at x\n  hint: run `crmgraph build`"


@pytest.mark.parametrize("error, status, kind", [
    (QueryRefused("no updates"), 403, "refused"),
    (QueryError("syntax"), 400, "query-error"),
    (NotAcceptable("no format"), 406, "not-acceptable"),
    (ServerBusy("busy"), 503, "busy"),
    (StoreError("no store"), 500, "store-error"),
    (ProtocolError("too big", status=413), 413, "bad-request"),
    (ProtocolError("bad"), 400, "bad-request"),
    (CurationError([Problem("bad", file="graph/x.ttl", line=3)]), 500, "error"),
    (CrmgraphError("oops"), 500, "error"),
])
def test_http_rendering_maps_each_error_to_a_status_and_kind(error, status, kind):
    assert render_for_http(error) == (status, {"error": kind, "status": status, "message": error.message, "hint": error.hint})


def test_http_rendering_gives_the_limit_that_stopped_a_query():
    assert render_for_http(QueryTimeout("stopped after 10 s", hint="simplify it", limit=10.0)) == (
        503, {"error": "timeout", "status": 503, "message": "stopped after 10 s", "hint": "simplify it", "limit": 10.0})
    assert render_for_http(ResultTooLarge("over 5 rows", limit=5)) == (
        422, {"error": "too-many-rows", "status": 422, "message": "over 5 rows", "hint": "", "limit": 5})
    assert render_for_http(AnswerTooLarge("over 50 MB", limit=50)) == (
        413, {"error": "answer-too-large", "status": 413, "message": "over 50 MB", "hint": "", "limit": 50})
    assert render_for_http(MemoryLimitExceeded("needed over 1024 MB", limit=1024)) == (
        503, {"error": "out-of-memory", "status": 503, "message": "needed over 1024 MB", "hint": "", "limit": 1024})
