"""Are all supply-risk indicators (every material and country) and one scenario each ≤ 1 s on the
embedded store? Medians of --repeat runs, with a baseline measured in the same run.

    .venv/bin/python benchmarks/analytics.py                    # var/store (built with data/), 7 runs
    .venv/bin/python benchmarks/analytics.py --store /tmp/s --repeat 3

Timed separately: reading the snapshot (`supplydata.load`, eight whole-graph queries), all material
indicators + all country indicators (incl. the supply network's centrality), writing them as RDF
triples, one scenario (`restrict --country CN --material antimony`) as the CLI runs it (reading only
antimony's data from the store), from a full fresh snapshot, and from a cached snapshot. Baseline: one named query of the curated graph
(`material-supply-alternatives`), the cost of an ordinary question today.
"""
from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from pathlib import Path

from crmgraph.analysis import indicators, results, scenarios, supplydata
from crmgraph.query.named import find_named_query, load_named_queries, run_named
from crmgraph.settings import Settings
from crmgraph.store.embedded import OxigraphStore


def median(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, default=None)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    settings = Settings.discover()
    store = OxigraphStore(args.store or settings.default_store, read_only=True)
    data = supplydata.load(store)
    queries = load_named_queries(settings.queries_dir)
    rows = {
        "load snapshot (8 queries)": lambda: supplydata.load(store),
        "all material + country indicators": lambda: (lambda d: (indicators.all_material_indicators(d),
                                                                 indicators.all_country_indicators(d)))(
            dataclasses.replace(data, computed={})),  # nothing remembered from the previous run
        "indicators as RDF triples": lambda: results.indicator_triples(dataclasses.replace(data, computed={})),
        "scenario restrict CN × antimony (from the store, as the CLI)": lambda: scenarios.restrict_in_store(store, ["CN"], ["antimony"]),
        "scenario restrict CN × antimony (full fresh snapshot)": lambda: scenarios.restrict(supplydata.load(store), ["CN"], ["antimony"]),
        "scenario restrict CN × antimony (cached snapshot)": lambda: scenarios.restrict(data, ["CN"], ["antimony"]),
        "all indicators from the store (load + compute)": lambda: (lambda d: (indicators.all_material_indicators(d),
                                                                              indicators.all_country_indicators(d)))(supplydata.load(store)),
    }
    base = median(lambda: run_named(store, find_named_query(queries, "material-supply-alternatives")), args.repeat)
    print(f"{len(data.series)} production series, {len(indicators.all_material_indicators(data))} materials, "
          f"{len(indicators.all_country_indicators(data))} countries; median of {args.repeat} runs")
    print(f"{'step':52} {'median s':>9} {'× baseline':>11} {'≤ 1 s':>6}")
    print(f"{'baseline: named query material-supply-alternatives':52} {base:9.3f} {1.0:11.1f}")
    for name, fn in rows.items():
        m = median(fn, args.repeat)
        print(f"{name:52} {m:9.3f} {m / base:11.1f} {'yes' if m <= 1 else 'NO':>6}")
    store.close()


if __name__ == "__main__":
    main()
