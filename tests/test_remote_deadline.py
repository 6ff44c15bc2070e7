"""A SPARQL server that misbehaves cannot hang crmgraph (crmgraph.store.remote): one deadline covers the
whole exchange, however slowly the server trickles its answer, and an answer of the wrong type (an HTML
page for a CONSTRUCT) is a clear error naming the endpoint and the type — over real sockets on 127.0.0.1."""
from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager

import pytest
from typer.testing import CliRunner

from crmgraph.cli import app
from crmgraph.errors import QueryError, StoreError
from crmgraph.store.remote import RemoteStore

ANSWER = b'{"head": {"vars": ["x"]}, "results": {"bindings": []}}'


def _read_request(conn: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return
        body += chunk


@contextmanager
def fake_server(answer):
    """A one-purpose HTTP server on 127.0.0.1: `answer(conn, stop)` writes each response."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    stop = threading.Event()

    def handle(conn):
        with conn:
            try:
                _read_request(conn)
                answer(conn, stop)
            except OSError:
                pass

    def accept():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except (socket.timeout, OSError):
                continue
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/query"
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def trickle(payload: bytes, every: float):
    """Send `payload` one byte at a time, `every` seconds apart: each read is quick, the whole never ends."""
    def answer(conn, stop):
        for byte in payload:
            if stop.wait(every):
                return
            conn.sendall(bytes([byte]))
    return answer


def complete(content_type: str, body: bytes):
    def answer(conn, stop):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: " + content_type.encode() + b"\r\nContent-Length: "
                     + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
    return answer


SLOW_HEADERS = b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nContent-Length: 56\r\n\r\n" + ANSWER
SLOW_BODY = b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nContent-Length: 56\r\n\r\n"


@pytest.mark.parametrize("part", ["status line and headers", "body"])
def test_a_trickling_server_is_cut_off_at_the_deadline_of_the_whole_exchange(part):
    # a byte every 0.2 s keeps any per-read timeout happy; the answer would take minutes
    if part == "body":
        def answer(conn, stop):
            conn.sendall(SLOW_BODY)
            trickle(ANSWER, 0.2)(conn, stop)
    else:
        answer = trickle(SLOW_HEADERS * 10, 0.2)
    with fake_server(answer) as url:
        store = RemoteStore(url, timeout=1.0)
        started = time.monotonic()
        with pytest.raises(StoreError) as caught:
            store.query("SELECT ?x WHERE { ?x ?p ?o }")
        elapsed = time.monotonic() - started
        store.close()
    assert 1.0 <= elapsed < 1.8, elapsed
    assert url in caught.value.message and "within 1 s" in caught.value.message and "whole exchange" in caught.value.message
    assert "--timeout-s" in caught.value.hint


def test_a_quick_server_is_answered_as_usual_and_the_deadline_is_per_request():
    with fake_server(complete("application/sparql-results+json", ANSWER)) as url:
        store = RemoteStore(url, timeout=0.5)
        for _ in range(3):
            assert list(store.query("SELECT ?x WHERE { ?x ?p ?o }")) == []
            time.sleep(0.3)  # 3 requests take longer than one deadline together: each has its own
        store.close()


HTML = b"<!doctype html><html><head><title>Sign in</title></head><body>Please sign in</body></html>"


def test_a_construct_answered_with_html_is_an_error_naming_the_endpoint_and_the_type():
    with fake_server(complete("text/html; charset=utf-8", HTML)) as url:
        store = RemoteStore(url)
        with pytest.raises(QueryError) as caught:
            store.query("CONSTRUCT WHERE { ?s ?p ?o }")
        store.close()
    message = caught.value.message
    assert url in message and "CONSTRUCT" in message and "text/html" in message and "not RDF" in message
    assert "query URL" in caught.value.hint


def test_a_select_answered_with_html_is_an_error_naming_the_endpoint_and_the_type():
    with fake_server(complete("text/html", HTML)) as url:
        store = RemoteStore(url)
        with pytest.raises(QueryError, match="text/html, not SPARQL JSON results") as caught:
            store.query("SELECT * WHERE { ?s ?p ?o }")
        store.close()
    assert url in caught.value.message


def test_rdf_that_does_not_parse_is_an_error_not_a_traceback():
    with fake_server(complete("application/n-triples", b"<a> <b> this is not N-Triples\n")) as url:
        store = RemoteStore(url)
        with pytest.raises(QueryError, match="does not parse"):
            store.query("CONSTRUCT WHERE { ?s ?p ?o }")
        store.close()


def test_the_timeout_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        RemoteStore("http://127.0.0.1:9/query", timeout=0)


@pytest.mark.parametrize("command", [["stats"], ["query", "crm-list-entries", "-f", "csv"]])
def test_the_cli_gives_up_at_timeout_s_with_a_clear_message(command):
    with fake_server(trickle(SLOW_HEADERS * 10, 0.2)) as url:
        started = time.monotonic()
        result = CliRunner().invoke(app, [*command, "--endpoint", url, "--timeout-s", "1"])
        elapsed = time.monotonic() - started
    assert result.exit_code == 1, result.output
    assert "did not complete its answer within 1 s" in result.stderr and "Traceback" not in result.output + result.stderr
    assert elapsed < 4, elapsed


def test_the_cli_reports_an_html_answer_without_a_traceback():
    with fake_server(complete("text/html", HTML)) as url:
        result = CliRunner().invoke(app, ["query", "crm-list-entries", "-f", "csv", "--endpoint", url])
    assert result.exit_code == 1
    assert "text/html" in result.stderr and url in result.stderr and "Traceback" not in result.stderr
