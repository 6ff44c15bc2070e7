"""Serving speed under load, side by side in one run (issue 13 §2): `crmgraph serve` against `oxigraph serve`
on the same store and the same SPARQL mixes, then the portal mix at 50 clients.

    .venv/bin/python benchmarks/serving.py                       # 3 runs of 10 s per figure (about 6 minutes)
    .venv/bin/python benchmarks/serving.py --seconds 5 --runs 1 --skip-portal-uncached

Load comes from wrk (C; `apt-get install wrk`), keep-alive, a closed loop of N connections, on 127.0.0.1
only (stress/load.py); its ceiling on this machine is printed first. All of wrk's connections come from one
address, which the fair queue (issue 13 §1) would hold to `workers − 1` queries at once as one client; the
crmgraph servers run with `--per-client` = `--workers`, so the load counts as the many clients it stands for. Every figure is the median of `--runs`
runs; the servers' runs are interleaved (oxigraph, crmgraph uncached, crmgraph cached …) so a change in the
machine's load hits all of them alike. The figures:

- SPARQL mixes (`--connections`, 8 by default): `light` (an entity's triples, an ASK, a count: the HTTP path
  dominates) and `named` (every named query of queries/ with its defaults: the engine dominates), each against
  oxigraph serve; crmgraph uncached (`--cache-mb 0`), cached and warm (every query asked before: the ratio is
  for repeated queries), and cached but every request new (a counter in a comment: all misses, what the cache
  costs when it cannot help); and cached with `--processes 2` (two HTTP processes: one event loop uses one core).
- Portal mix (`--portal-clients`, 50): entity pages and factsheets, named-query pages, search suggestions, the
  explorer's data, /sparql — on a fresh server (the first run starts with an empty cache), then uncached.
  Each portal server is measured once /health says `ready` (its warm-up at start-up done; the wait is printed).
  Throughput, p50/p95/p99, errors, and the server's resident memory (all its processes) at start, peak, end.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stress import load, mixes  # noqa: E402
from stress.servers import crmgraph_serve, oxigraph_serve  # noqa: E402


def median_figures(runs: list[load.Figures]) -> dict:
    return {"rps": statistics.median(r.rps for r in runs), "p50": statistics.median(r.p50_ms for r in runs),
            "p95": statistics.median(r.p95_ms for r in runs), "p99": statistics.median(r.p99_ms for r in runs),
            "errors": sum(r.errors for r in runs), "requests": sum(r.requests for r in runs),
            "each_rps": [round(r.rps, 1) for r in runs], "each_p99": [round(r.p99_ms, 1) for r in runs]}


def row(name: str, f: dict, base: float | None) -> str:
    ratio = f"{f['rps'] / base:.2f}" if base else "—"
    return (f"| {name} | {f['rps']:.1f} | {ratio} | {f['p50']:.1f} | {f['p95']:.1f} | {f['p99']:.1f} | {f['errors']} "
            f"| {', '.join(map(str, f['each_rps']))} |")


HEADER = ("| server | req/s (median) | / oxigraph | p50 ms | p95 ms | p99 ms | errors | req/s of each run |\n"
          "|---|---:|---:|---:|---:|---:|---:|---|")


def sparql_mixes(store: Path, settings, args) -> None:
    for mix in args.mixes.split(","):
        skipped: list[str] = []
        if mix == "light":
            paths_of = lambda ep: mixes.sparql_light(store, ep)  # noqa: E731
        else:
            def paths_of(ep, skipped=skipped):
                paths, skipped[:] = mixes.sparql_named(settings, ep)
                return paths
        # no warm-up for the SPARQL mixes: they ask /sparql only, which it does not prepare, and four servers
        # warming up the portal at once would load the machine the measurement runs on
        options = dict(workers=args.workers, extra=("--per-client", str(args.workers), "--no-warm"))
        with oxigraph_serve(store) as ox, crmgraph_serve(store, cache_mb=0, **options) as bare, \
                crmgraph_serve(store, **options) as cached, crmgraph_serve(store, processes=2, **options) as two:
            ox_paths, cg_paths = paths_of(ox.sparql_path), paths_of("/sparql")
            common = dict(connections=args.connections, seconds=args.seconds, accept=mixes.ACCEPT_JSON, threads=1)
            for server, paths in ((ox, ox_paths), (bare, cg_paths), (cached, cg_paths), (two, cg_paths)):  # warm-up
                load.run(server.base_url, paths, connections=2, seconds=max(2.0, args.seconds / 2), accept=mixes.ACCEPT_JSON)
            rss_before = cached.rss_mb()
            plan = [("oxigraph serve", ox, ox_paths, False), ("crmgraph serve, no cache", bare, cg_paths, False),
                    ("crmgraph serve, cache (repeated queries)", cached, cg_paths, False),
                    ("crmgraph serve --processes 2, cache (repeated queries)", two, cg_paths, False),
                    ("crmgraph serve, cache (every query new: all misses)", cached, cg_paths, True)]
            runs: dict[str, list[load.Figures]] = {name: [] for name, *_ in plan}
            for _ in range(args.runs):
                for name, server, paths, unique in plan:
                    runs[name].append(load.run(server.base_url, paths, unique=unique, **common))
            rss_after = cached.rss_mb()
        figures = {name: median_figures(r) for name, r in runs.items()}
        base = figures["oxigraph serve"]["rps"]
        print(f"\n## SPARQL mix `{mix}`: {len(cg_paths)} queries, {args.connections} connections, "
              f"{args.runs} × {args.seconds:g} s, load {os.getloadavg()[0]:.1f}"
              + (f"; left out (GET URL over oxigraph's 8 KB): {', '.join(skipped)}" if skipped else "") + "\n")
        print(HEADER)
        for name, f in figures.items():
            print(row(name, f, base))
        print(f"\ncrmgraph (cached) resident memory, all processes: {rss_before:.0f} MB before the runs, {rss_after:.0f} MB after")


def portal_mix(store: Path, settings, args) -> None:
    paths = mixes.portal(store, settings)
    configs = [("crmgraph serve (cache, fresh: run 1 starts empty)", 64.0, 1),
               ("crmgraph serve --processes 2 (cache, fresh)", 64.0, 2)]
    if not args.skip_portal_uncached:
        configs.append(("crmgraph serve, no cache", 0.0, 1))
    print(f"\n## Portal mix: {len(paths)} URLs (entity pages, factsheets, named-query pages, search, explorer data, "
          f"/sparql), {args.portal_clients} clients, {args.runs} × {args.seconds:g} s\n")
    print("Each server is fresh, and measured once /health says `ready` (its start-up warm-up done; the wait is "
          "printed): run 1 is its first crowd.\n")
    print("| server | run | req/s | p50 ms | p95 ms | p99 ms | errors | RSS MB start → peak → end |\n"
          "|---|---|---:|---:|---:|---:|---:|---|")
    for name, cache_mb, processes in configs:
        with crmgraph_serve(store, cache_mb=cache_mb, workers=args.workers, processes=processes,
                            extra=("--per-client", str(args.workers))) as server:
            start = server.rss_mb()
            print(f"| {name} | ready after {server.ready_after_s:.0f} s (warm-up) | | | | | | {start:.0f} |", flush=True)
            for i in range(args.runs):
                with PeakRss(server) as peak:
                    f = load.run(server.base_url, paths, connections=args.portal_clients, seconds=args.seconds, threads=2)
                cache = httpx.get(server.base_url + "/health", timeout=30).json().get("cache") or {}
                print(f"| {name} | {i + 1} | {f.rps:.1f} | {f.p50_ms:.1f} | {f.p95_ms:.1f} | {f.p99_ms:.1f} | {f.errors} "
                      f"| {start:.0f} → {peak.mb:.0f} → {server.rss_mb():.0f} (cache {cache.get('bytes', 0) / 2**20:.0f} MB) |",
                      flush=True)
            bad = load.check(server.base_url, sorted(set(paths)))  # after the runs, so run 1 starts cold
            if bad:
                print(f"| {name} | URLs not answered 200 when asked alone: {bad} |")


class PeakRss:
    """The highest resident memory of a server (all its processes: stress.servers.rss_mb) while the block
    runs, sampled every 0.25 s in a thread."""

    def __init__(self, server) -> None:
        self.server, self.mb = server, server.rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.25):
            self.mb = max(self.mb, self.server.rss_mb())

    def __enter__(self) -> "PeakRss":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.mb = max(self.mb, self.server.rss_mb())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, default=ROOT / "var" / "store")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--portal-clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2, help="crmgraph serve --workers")
    parser.add_argument("--mixes", default="light,named")
    parser.add_argument("--skip-sparql", action="store_true")
    parser.add_argument("--skip-portal", action="store_true")
    parser.add_argument("--skip-portal-uncached", action="store_true")
    args = parser.parse_args()
    if not args.store.exists():
        parser.error(f"no store at {args.store}: build one first (`crmgraph build`), or name one with --store")
    from crmgraph.settings import Settings

    settings = Settings.discover()
    print(f"# serving benchmark — {time.strftime('%Y-%m-%d %H:%M')} — {os.cpu_count()} cores, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}; store {args.store}")
    ceiling = load.ceiling(3.0, args.connections)
    print(f"client ceiling: wrk against a do-nothing Python server on 127.0.0.1: {ceiling.rps:,.0f} req/s "
          f"(a lower bound: that server, not wrk, is the limit)")
    if not args.skip_sparql:
        sparql_mixes(args.store, settings, args)
    if not args.skip_portal:
        portal_mix(args.store, settings, args)
    print(f"\nload average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
