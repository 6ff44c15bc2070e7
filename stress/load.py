"""Drive `wrk` over a list of URL paths (round robin) and read its figures back as a dict.

wrk is the load generator: written in C, one event loop per thread, keep-alive connections, so the
client is not what limits the figures (`ceiling()` measures it against a server that answers from a
socket buffer with no work). Each of its connections sends the next path of the list when the previous
answer arrived (a closed loop: with N connections, N requests are in flight). A Lua script
(`MIX_LUA`) walks the list, may add a counter to each path (`unique`: every request a new URL, so no
cache can answer it), and prints one JSON line at the end: requests, seconds, latency percentiles
(wrk's own histogram, µs), errors (connect, read, write, timeout, and answers with a status ≥ 400).
"""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Figures", "MIX_LUA", "ceiling", "run", "wrk_binary"]

MIX_LUA = r"""
local paths, n, unique, accept = {}, 0, false, nil
function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  unique = args[2] == "unique"
  accept = args[3]
  n = tonumber(args[4] or "0") or 0   -- each thread starts elsewhere in the list
end
function request()
  n = n + 1
  local path = paths[(n % #paths) + 1]
  if unique then
    path = path .. (string.find(path, "?", 1, true) and "%20%23" or "?n=") .. n .. "t" .. tostring(wrk.thread):gsub("%W", "")
  end
  local headers = {}
  if accept and #accept > 0 then headers["Accept"] = accept end
  return wrk.format("GET", path, headers)
end
local bad = 0
function response(status, headers, body)
  if status >= 400 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "timeout": %d, "status": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end
"""


@dataclass(frozen=True)
class Figures:
    """One run's figures. `errors` counts every failed request (connection, timeout, status ≥ 400)."""

    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    connections: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_binary() -> str | None:
    return shutil.which("wrk")


def run(base_url: str, paths: list[str], *, connections: int, seconds: float, threads: int = 1,
        unique: bool = False, accept: str = "", timeout_s: float = 30.0) -> Figures:
    """One wrk run over `paths` (round robin) against `base_url` (http://127.0.0.1:PORT)."""
    binary = wrk_binary()
    if binary is None:
        raise RuntimeError("wrk is not installed: apt-get install wrk (scripts/install-test-system-deps does it as root)")
    if not base_url.startswith(("http://127.0.0.1", "http://localhost", "http://[::1]")):
        raise ValueError(f"load tests only go to this machine (127.0.0.1), not {base_url}")
    threads = max(1, min(threads, connections))
    with tempfile.TemporaryDirectory() as tmp:
        lua, listing = Path(tmp) / "mix.lua", Path(tmp) / "paths.txt"
        lua.write_text(MIX_LUA)
        listing.write_text("\n".join(paths) + "\n")
        command = [binary, "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s", "--timeout", f"{timeout_s:g}s",
                   "-s", str(lua), base_url, "--", str(listing), "unique" if unique else "", accept]
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + timeout_s + 30)
    line = next((x for x in reversed(done.stdout.splitlines()) if x.startswith("{")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    raw = json.loads(line)
    errors = raw["connect"] + raw["read"] + raw["write"] + raw["timeout"] + raw["status"]
    return Figures(raw["requests"], raw["duration_us"] / 1e6, raw["p50_us"] / 1000, raw["p95_us"] / 1000,
                   raw["p99_us"] / 1000, raw["max_us"] / 1000, errors, connections)


def ceiling(seconds: float = 3.0, connections: int = 8) -> Figures:
    """wrk against a server that does no work (a thread per connection answering a fixed 200 from a
    buffer): the most this client can measure on this machine, to show it is not the bottleneck."""
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(256)
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn:
            buffer = b""
            while not stop.is_set():
                try:
                    data = conn.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                buffer += data
                count = buffer.count(b"\r\n\r\n")
                if count:
                    buffer = buffer[buffer.rfind(b"\r\n\r\n") + 4:]
                    conn.sendall(answer * count)

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        return run(f"http://127.0.0.1:{listener.getsockname()[1]}", ["/"], connections=connections, seconds=seconds)
    finally:
        stop.set()
        acceptor.join(2)
        listener.close()
