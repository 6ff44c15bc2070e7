"""Real SPARQL servers started on 127.0.0.1 in a folder of ours and stopped after: for the tests
of the remote backend and for the benchmarks (never for production use).

The Oxigraph server comes from PyPI (`oxigraph`, a test dependency); Virtuoso from Debian
(`virtuoso-opensource`, installed by scripts/install-test-system-deps). Each runs with a config
of our own: loopback ports, a throw-away database.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"server at {url} did not come up within {seconds} s: {log.read_text(errors='replace')[-2000:]}")


def stop_server(proc: subprocess.Popen, timeout: float = 20) -> None:
    """Ask a server process to stop (SIGTERM), and kill it if it has not within `timeout` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def oxigraph_binary() -> str | None:
    local = Path(sys.executable).with_name("oxigraph")
    return str(local) if local.exists() else shutil.which("oxigraph")


@contextmanager
def oxigraph_server(workdir: Path):
    binary = oxigraph_binary()
    if binary is None:
        raise RuntimeError("the Oxigraph server is not installed: pip install oxigraph (a test dependency)")
    port = free_port()
    log = workdir / "oxigraph.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([binary, "serve", "--location", str(workdir / "db"), "--bind", f"127.0.0.1:{port}",
                                 "--union-default-graph", "--timeout-s", "60"], stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", proc, log)
        yield f"http://127.0.0.1:{port}/query"
    finally:
        stop_server(proc)


VIRTUOSO_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
DirsAllowed = ., {d}
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {d}
MaxClientConnections = 8
ServerThreads = 8

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 60
"""


@contextmanager
def virtuoso_server(workdir: Path, max_rows: int = 10000):
    binary = shutil.which("virtuoso-t")
    if binary is None:
        raise RuntimeError("Virtuoso is not installed: run scripts/install-test-system-deps as root")
    http_port, sql_port = free_port(), free_port()
    (workdir / "virtuoso.ini").write_text(VIRTUOSO_INI.format(d=workdir, sql_port=sql_port, http_port=http_port, max_rows=max_rows))
    log = workdir / "virtuoso.out"
    with log.open("wb") as out:
        proc = subprocess.Popen([binary, "+foreground", "+configfile", str(workdir / "virtuoso.ini")],
                                stdout=out, stderr=subprocess.STDOUT, cwd=workdir, env={**os.environ})
    try:
        _wait(f"http://127.0.0.1:{http_port}/sparql?query=ASK%7B%7D", proc, log, seconds=120)
        yield f"http://127.0.0.1:{http_port}/sparql"
    finally:
        stop_server(proc)
