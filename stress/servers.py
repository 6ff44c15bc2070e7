"""The servers under load, each a process of its own on a free port of 127.0.0.1, stopped on exit.

    crmgraph_serve(store, **options)   `crmgraph serve` (as a user runs it: warm-up on, workers, cache), used once
                                       /health says `ready` (its warm-up done)
    oxigraph_serve(store)              `oxigraph serve` (the `oxigraph` PyPI CLI, the engine crmgraph embeds)
                                       on a copy of the same store folder, union default graph, read-only use
    rss_mb(pid)                        resident memory of a process and all its descendants (query workers)
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

from crmgraph.store.localservers import free_port, oxigraph_binary, stop_server

__all__ = ["Server", "crmgraph_serve", "oxigraph_serve", "rss_mb"]


class Server:
    """A started server: its base URL, its SPARQL path and its process."""

    def __init__(self, base_url: str, sparql_path: str, process: subprocess.Popen) -> None:
        self.base_url, self.sparql_path, self.process = base_url, sparql_path, process
        self.ready_after_s: float | None = None  # how long after /health answered it said `ready` (crmgraph serve)

    def rss_mb(self) -> float:
        return rss_mb(self.process.pid)


def rss_mb(pid: int) -> float:
    """Resident set size (MB) of `pid` and every process below it, from /proc (Linux)."""
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/status") as fh:
                total += next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total / 1024


def _wait(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server at {url} did not answer within {seconds:g} s")


def _wait_ready(url: str, process: subprocess.Popen, seconds: float) -> float:
    """Wait until /health says `ready` (the server's warm-up is done: web/warming.py); the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=10).json().get("ready"):
                return time.monotonic() - started
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the server at {url} was not ready (warmed up) within {seconds:g} s")


@contextmanager
def crmgraph_serve(store: Path, *, workers: int = 2, cache_mb: float = 64, timeout_s: float = 10,
                   max_rows: int = 10_000, processes: int = 1, extra: tuple[str, ...] = (), ready_s: float = 600):
    """`crmgraph serve` on a free port, once /health answers and then says `ready` (its warm-up done, so it
    does not run inside the first measurement; `Server.ready_after_s` says how long that took)."""
    port = free_port()
    binary = Path(sys.executable).with_name("crmgraph")
    command = [str(binary), "serve", "--store", str(store), "--port", str(port), "--workers", str(workers),
               "--cache-mb", f"{cache_mb:g}", "--timeout-s", f"{timeout_s:g}", "--max-rows", str(max_rows), "--processes", str(processes), *extra]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(processes):  # each HTTP process answers /health once it has started
            _wait(base + "/health", process)
        waited = max(_wait_ready(base + "/health", process, ready_s) for _ in range(processes))
        server = Server(base, "/sparql", process)
        server.ready_after_s = waited
        yield server
    finally:
        stop_server(process, timeout=30)


@contextmanager
def oxigraph_serve(store: Path):
    """`oxigraph serve` on a copy of `store` (it opens its folder read-write), with the union of the named
    graphs as its default graph, as crmgraph's endpoint has."""
    binary = oxigraph_binary()
    if binary is None:
        raise RuntimeError("the Oxigraph server is not installed: pip install oxigraph (a test dependency)")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "db"
        shutil.copytree(store, copy, ignore=shutil.ignore_patterns("LOCK"))
        port = free_port()
        process = subprocess.Popen([binary, "serve", "--location", str(copy), "--bind", f"127.0.0.1:{port}",
                                    "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait(base + "/query?query=ASK%7B%7D", process)
            yield Server(base, "/query", process)
        finally:
            stop_server(process, timeout=30)
