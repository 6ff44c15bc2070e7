"""Issue 13 §1 in figures: what bounds a request, measured, not timed in a test.

    .venv/bin/python benchmarks/bounds.py                      # both parts, on var/store
    .venv/bin/python benchmarks/bounds.py --skip-memory --clients 8 --seconds 15
    .venv/bin/python benchmarks/bounds.py --base http://127.0.0.1:8000 --skip-memory   # a server already running

1. Memory: the issue's ORDER BY over a cross product in a QueryPool worker, without a memory limit and with
   one (`--max-memory-mb`): peak RSS of the worker (VmHWM, sampled every 20 ms), how long until it stopped,
   and the answer (out-of-memory, or the time limit).
   Then the issue's single 168 MB string: refused at the byte cap (50 MB), and with a cap above it (what
   went through before).
2. Load: `--clients` clients, each from its own loopback address (127.0.0.2 …), send the heavy query of
   tests/test_web_sparql.py again and again for `--seconds`, while one visitor (127.0.0.1) fetches an entity
   page, /health and /search.json in turn, each with a new query string (so the answer cache does not answer
   for the page): the visitor's latencies (median, p95, max), and every heavy
   answer's status and time (the slowest shows whether waiting counted against the limit).

Without --base, a `crmgraph serve` of this checkout is started on a free port with --timeout-s and --workers
(and stopped at the end). To measure an older version, serve it yourself (its code on PYTHONPATH) and pass --base.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
CROSS_PRODUCT = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . FILTER(?c = ?f) }"
PAGES = ("/id/country/KZ", "/health", "/search.json?q=kz")


def _hwm_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def memory(store: Path, limit_mb: int, timeout_s: float) -> dict:
    """The cross-product query in a one-worker pool with this memory limit (0: none)."""
    from crmgraph.errors import CrmgraphError
    from crmgraph.web.sandbox import Limits, QueryPool

    with QueryPool(store, Limits(timeout_s=timeout_s, workers=1, max_memory_mb=limit_mb)) as pool:
        worker = next(iter(pool._workers))
        peak, done = [0.0], threading.Event()

        def sample():
            while not done.is_set():
                hwm = _hwm_mb(worker.process.pid)
                if hwm:
                    peak[0] = max(peak[0], hwm)
                time.sleep(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.monotonic()
        try:
            pool.run(CROSS_PRODUCT)
            outcome = "answered"
        except CrmgraphError as exc:
            outcome = f"{type(exc).__name__}: {exc.message}"
        elapsed = time.monotonic() - started
        done.set()
        sampler.join()
    return {"limit_mb": limit_mb or None, "peak_rss_mb": round(peak[0]), "seconds": round(elapsed, 2), "outcome": outcome}


def huge_string(store: Path, answer_mb: float) -> dict:
    """The issue's single 168 MB string (16 · 8⁷ · 5 characters, built by CONCAT) in a one-worker pool."""
    from crmgraph.errors import CrmgraphError
    from crmgraph.web.sandbox import Limits, QueryPool

    binds, previous = [], "?v0"
    for i in range(1, 8):
        binds.append(f"BIND(CONCAT({', '.join([previous] * 8)}) AS ?v{i})")
        previous = f"?v{i}"
    binds.append(f"BIND(CONCAT({', '.join([previous] * 5)}) AS ?big)")
    query = f'SELECT ?big WHERE {{ BIND("0123456789abcdef" AS ?v0) {" ".join(binds)} }}'
    with QueryPool(store, Limits(timeout_s=30, workers=1, max_answer_mb=answer_mb)) as pool:
        worker = next(iter(pool._workers))
        started = time.monotonic()
        try:
            answer = pool.run(query)
            outcome = f"answered: {len(answer.body) / 1e6:.0f} MB"
        except CrmgraphError as exc:
            outcome = f"{type(exc).__name__}: {exc.message}"
        elapsed = time.monotonic() - started
        peak = _hwm_mb(worker.process.pid)
    return {"cap_mb": answer_mb, "seconds": round(elapsed, 2), "peak_rss_mb": peak and round(peak), "outcome": outcome}


def serve(store: Path, timeout_s: float, workers: int) -> tuple[subprocess.Popen, str]:
    command = [str(Path(sys.executable).with_name("crmgraph")), "serve", "--store", str(store), "--port", "0",
               "--timeout-s", str(timeout_s), "--workers", str(workers)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline()
    if " at " not in line:
        process.terminate()
        raise SystemExit(f"the server did not start: {line!r}")
    base = line.split(" at ")[1].strip().rstrip("/")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/health", timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    return process, base


def load(base: str, clients: int, seconds: float) -> dict:
    stop = time.monotonic() + seconds
    heavy: list[tuple[int, str, float]] = []
    visits: dict[str, list[float]] = {p: [] for p in PAGES}
    failures: list[str] = []

    def heavy_client(address: str) -> None:
        with httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=120) as c:
            while time.monotonic() < stop:
                started = time.monotonic()
                try:
                    # a distinct text per request: the answer cache would fold identical ones into one
                    r = c.get(base + "/sparql", params={"query": f"{HEAVY} # {address} {started}"},
                              headers={"Accept": "application/json"})
                    kind = r.json().get("error", "ok") if r.status_code != 200 else "ok"
                    heavy.append((r.status_code, kind, time.monotonic() - started))
                    if r.status_code == 503 and r.headers.get("retry-after"):
                        time.sleep(min(float(r.headers["retry-after"]), max(0.0, stop - time.monotonic())))
                except httpx.HTTPError as exc:
                    heavy.append((0, type(exc).__name__, time.monotonic() - started))

    with httpx.Client(timeout=120) as visitor:  # a server that has been up a while: its pages computed once
        deadline = time.monotonic() + 120
        while visitor.get(base + "/health").json().get("status") != "ok" and time.monotonic() < deadline:
            time.sleep(0.5)
        for page in PAGES:
            visitor.get(base + page)
    threads = [threading.Thread(target=heavy_client, args=(f"127.0.0.{i + 2}",)) for i in range(clients)]
    for t in threads:
        t.start()
    time.sleep(1.0)  # let the heavy clients fill the workers and the queue
    with httpx.Client(timeout=120) as visitor:
        n = 0
        while time.monotonic() < stop:
            n += 1
            for page in PAGES:
                # a new query string each time: the page is computed, not served from the answer cache
                url = base + page + ("&" if "?" in page else "?") + f"visit={n}"
                started = time.monotonic()
                try:
                    r = visitor.get(url)
                    if r.status_code != 200:
                        failures.append(f"{page}: HTTP {r.status_code}")
                except httpx.HTTPError as exc:
                    failures.append(f"{page}: {type(exc).__name__}")
                visits[page].append(time.monotonic() - started)
            time.sleep(0.1)
    for t in threads:
        t.join()
    return {"heavy": heavy, "visits": visits, "failures": failures}


def _q(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=ROOT / "var" / "store")
    parser.add_argument("--base", help="a server already running (e.g. http://127.0.0.1:8000)")
    parser.add_argument("--timeout-s", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--memory-limits", default="0,1024", help="comma-separated MB (0: no limit)")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-load", action="store_true")
    args = parser.parse_args()

    print(f"# crmgraph bounds, {time.strftime('%Y-%m-%d %H:%M:%S')}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    if not args.skip_memory:
        print("\n## memory: ORDER BY over a cross product, one worker, time limit", args.timeout_s, "s")
        print("| memory limit | peak RSS of the worker | stopped after | answer |\n|---|---|---|---|")
        for mb in (int(x) for x in args.memory_limits.split(",")):
            r = memory(args.store, mb, args.timeout_s)
            print(f"| {r['limit_mb'] or 'none'} MB | {r['peak_rss_mb']:,} MB | {r['seconds']} s | {r['outcome'][:110]} |")
    if not args.skip_memory:
        print("\n## bytes: one 168 MB string (CONCAT), one worker")
        print("| byte cap | stopped after | peak RSS of the worker | answer |\n|---|---|---|---|")
        for mb in (50.0, 500.0):
            r = huge_string(args.store, mb)
            print(f"| {mb:g} MB | {r['seconds']} s | {r['peak_rss_mb']} MB | {r['outcome'][:110]} |")
    if not args.skip_load:
        process = None
        base = args.base
        if base is None:
            process, base = serve(args.store, args.timeout_s, args.workers)
        try:
            r = load(base.rstrip("/"), args.clients, args.seconds)
        finally:
            if process:
                process.terminate()
                process.wait(30)
        print(f"\n## load: {args.clients} clients sending heavy queries for {args.seconds:g} s against {base}")
        print("| page (visitor from 127.0.0.1) | requests | median | p95 | max |\n|---|---|---|---|---|")
        for page, times in r["visits"].items():
            if times:
                print(f"| {page} | {len(times)} | {statistics.median(times) * 1000:.0f} ms | {_q(times, 0.95) * 1000:.0f} ms | "
                      f"{max(times) * 1000:.0f} ms |")
        print(f"visitor errors: {len(r['failures'])} {r['failures'][:5]}")
        kinds: dict[str, list[float]] = {}
        for status, kind, elapsed in r["heavy"]:
            kinds.setdefault(f"{status} {kind}", []).append(elapsed)
        print("| heavy answers | count | median | max |\n|---|---|---|---|")
        for kind, times in sorted(kinds.items()):
            print(f"| {kind} | {len(times)} | {statistics.median(times):.2f} s | {max(times):.2f} s |")


if __name__ == "__main__":
    main()
