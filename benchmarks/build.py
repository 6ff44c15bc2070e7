"""Is a full curated build ≤ 5 s? `crmgraph build` timed cold and warm against the pyshacl baseline, in one run.

    .venv/bin/python benchmarks/build.py                  # builds: baseline, cold, warm — 3 runs each
    .venv/bin/python benchmarks/build.py --repeat 1       # one run each (a quick look)
    .venv/bin/python benchmarks/build.py --shacl          # also the SHACL engines alone on our shapes and data

Every build runs in a child process (`build()` as `crmgraph build` calls it, with `data/` imported, into a
throw-away store), so each pays Python's start-up, its imports and a new JVM, as a user's build does. Three
configurations, alternated run by run so that the machine's load falls on all of them alike:

| configuration | SHACL | HermiT |
|---|---|---|
| baseline | pyshacl (what every build ran before) | no cache, the JVM's default compilers |
| cold | ours on Oxigraph (`knowledge/shacl.py`) | an empty cache: HermiT runs (quick compiler only) |
| warm | ours on Oxigraph | its answer for the same input is in the cache |

Printed: the median wall time of the whole child and of each step (the build's own timing line), the
median CPU seconds of the child and everything it started (Java included: a figure a loaded machine
disturbs less than the wall clock), and each configuration's ratio to the baseline. `--shacl` adds the
engines alone on the same parsed data: pyshacl, ours, and pyrudof if it is installed (it is not a
dependency: `pip install pyrudof` to include it), with how many findings each reports.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONFIGS = {"baseline": {"engine": "pyshacl", "cache": False, "jit": "default"},
           "cold": {"engine": "oxigraph", "cache": True, "jit": "quick"},
           "warm": {"engine": "oxigraph", "cache": True, "jit": "quick"}}


def child(spec: dict) -> None:
    """One build in this process; print its report's timings as JSON."""
    from crmgraph.knowledge import build as b
    from crmgraph.knowledge import reasoning

    if spec["jit"] == "default":
        reasoning.JVM_OPTIONS = ""  # the JVM's own default: both compilers
    os.environ["CRMGRAPH_CACHE"] = spec["cache_dir"]
    real = b.compile_graph

    def compile_graph(*args, **kwargs):
        return real(*args, **{**kwargs, "shacl_engine": spec["engine"]})
    b.compile_graph = compile_graph
    report = b.build(store_path=Path(spec["store"]), cache=spec["cache"], allow_shrink=True)
    print(json.dumps({"timings": report.timings, "triples": report.triples}))


def run_child(spec: dict) -> tuple[float, float, dict]:
    """(wall s, CPU s of the child and all it started, the build's own timings)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, __file__, "--child", json.dumps(spec)], check=True,
                         capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, json.loads(out.stdout.strip().splitlines()[-1])


def builds(repeat: int) -> None:
    runs: dict[str, list] = {name: [] for name in CONFIGS}
    with tempfile.TemporaryDirectory(prefix="crmgraph-bench-") as tmp:
        warm_cache = Path(tmp) / "warm-cache"
        # prime the warm cache (not timed)
        run_child({**CONFIGS["warm"], "cache_dir": str(warm_cache), "store": str(Path(tmp) / "prime" / "store")})
        for i in range(repeat):
            for name, config in CONFIGS.items():
                cache = warm_cache if name == "warm" else Path(tmp) / f"cache-{name}-{i}"  # cold: empty every run
                spec = {**config, "cache_dir": str(cache), "store": str(Path(tmp) / f"{name}-{i}" / "store")}
                wall, cpu, report = run_child(spec)
                runs[name].append((wall, cpu, report["timings"]))
                print(f"  run {i + 1}/{repeat} {name:8} {wall:6.2f} s wall, {cpu:6.2f} s CPU", flush=True)
    steps: list[str] = []
    for name in CONFIGS:
        for _w, _c, timings in runs[name]:
            steps += [s for s in timings if s not in steps]
    med = {name: (statistics.median(w for w, _c, _t in r), statistics.median(c for _w, c, _t in r)) for name, r in runs.items()}
    base_wall, base_cpu = med["baseline"]
    print(f"\nfull build with data/ imported, median of {repeat} runs; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores at the end")
    header = f"{'configuration':14} {'wall s':>7} {'× base':>7} {'CPU s':>7} {'× base':>7} {'≤ 5 s':>6}  " + " ".join(f"{s[:10]:>10}" for s in steps)
    print(header)
    print("-" * len(header))
    for name, r in runs.items():
        wall, cpu = med[name]
        cells = []
        for s in steps:
            values = [t[s] for _w, _c, t in r if s in t]
            cells.append(f"{statistics.median(values):10.2f}" if values else f"{'—':>10}")
        print(f"{name:14} {wall:7.2f} {wall / base_wall:7.2f} {cpu:7.2f} {cpu / base_cpu:7.2f} {'yes' if wall <= 5 else 'no':>6}  "
              + " ".join(cells))


def shacl_engines(repeat: int) -> None:
    """The SHACL engines alone, on the same parsed data and shapes (the build's SHACL step)."""
    from crmgraph.knowledge.build import _is_shapes
    from crmgraph.knowledge.curated import read_curated
    from crmgraph.knowledge.validation import findings
    from crmgraph.settings import Settings

    root = Settings.discover().root
    onto = read_curated(root, ("ontology",))
    files = read_curated(root, ("graph",))
    data = list(dict.fromkeys(t for f in files for t in f.triples))
    ontology = [t for f in onto if not _is_shapes(f) for t in f.triples]
    shapes = [t for f in onto if _is_shapes(f) for t in f.triples]
    engines = {"pyshacl": lambda: len(findings(data, ontology, shapes, "pyshacl")[0]),
               "oxigraph (ours)": lambda: len(findings(data, ontology, shapes, "oxigraph")[0])}
    try:
        import pyrudof  # noqa: F401

        engines["pyrudof"] = lambda: _pyrudof(data + ontology, shapes)
    except ImportError:
        print("(pyrudof is not installed: `pip install pyrudof` to compare it too)")
    times: dict[str, list[float]] = {name: [] for name in engines}
    counts: dict[str, int] = {}
    for _ in range(repeat):
        for name, fn in engines.items():
            t0 = time.perf_counter()
            counts[name] = fn()
            times[name].append(time.perf_counter() - t0)
    base = statistics.median(times["pyshacl"])
    print(f"\nSHACL alone: {len(data)} data + {len(ontology)} ontology triples, {len(shapes)} shape triples; "
          f"median of {repeat} runs")
    print(f"{'engine':18} {'median s':>9} {'× pyshacl':>10} {'findings':>9}")
    for name in engines:
        m = statistics.median(times[name])
        print(f"{name:18} {m:9.2f} {m / base:10.3f} {counts[name]:9d}")


def _pyrudof(data, shapes) -> int:
    import pyoxigraph as ox
    import pyrudof

    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(ox.serialize(data, format=ox.RdfFormat.N_TRIPLES).decode(), format=pyrudof.RDFFormat.NTriples)
    rudof.read_shacl(ox.serialize(shapes, format=ox.RdfFormat.N_TRIPLES).decode(), format=pyrudof.ShaclFormat.NTriples)
    return len(rudof.validate_shacl())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--shacl", action="store_true", help="also time the SHACL engines alone")
    ap.add_argument("--no-builds", action="store_true", help="skip the full builds (with --shacl)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(json.loads(args.child))
        return
    if not args.no_builds:
        builds(args.repeat)
    if args.shacl:
        shacl_engines(args.repeat)


if __name__ == "__main__":
    main()
