"""Is a full curated build ≤ 5 s? `crmgraph build` timed in five situations against the pyshacl baseline, in one run.

    .venv/bin/python benchmarks/build.py                  # builds: 5 configurations, 3 runs each
    .venv/bin/python benchmarks/build.py --repeat 1       # one run each (a quick look)
    .venv/bin/python benchmarks/build.py --shacl          # also the SHACL engines alone on our shapes and data

Every build but the baseline is the real command, `crmgraph build --store … --allow-shrink`, in a child
process with `$CRMGRAPH_CACHE` pointing at a cache folder prepared for the situation: the wall time is the
whole command as a user waits for it (Python's start-up, imports, the JVM when HermiT runs, the version
switch), and the per-step figures are parsed from its timing line. The baseline has the choices of the
build before issue 13 (pyshacl, no caches, the JVM's default compilers), run as `build()` in a child. The
configurations are alternated run by run, so that the machine's load falls on all of them alike:

| configuration | the cache folder (`var/cache`) holds | as when |
|---|---|---|
| baseline | nothing (and pyshacl, both JIT compilers) | the choices of the build before issue 13 |
| cold | nothing: HermiT runs and both datasets are imported | a fresh clone, or `--no-cache` |
| graph changed | the imported graphs, not HermiT's answer | an entity's type or link, or the ontology, changed; `data/` did not |
| data changed | HermiT's answer, not the imported graphs | a file of `data/`, an importer or a name table changed |
| warm | both | figures, labels, sources changed (HermiT reads none of them), or nothing |

Each configuration builds into a store folder of its own, run after run (a previous version exists, as
for a user, and the build removes the one before it). Printed: the median wall time of the child and of
each step (the build's own timing line; HermiT's step overlaps check and SHACL, so the steps add up to
more than the whole), the median CPU seconds of the child and everything it started (Java included: a
figure a loaded machine disturbs less than the wall clock), and each configuration's ratio to the
baseline. `--shacl` adds the engines alone on the same parsed data: pyshacl, ours, and pyrudof if it is
installed (it is not a dependency: `pip install pyrudof` to include it), with how many findings each reports.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONFIGS = ("baseline", "cold", "graph changed", "data changed", "warm")
CLI = Path(sys.executable).with_name("crmgraph")


def child(spec: dict) -> None:
    """The baseline build in this process; print its report's timings as JSON."""
    from crmgraph.knowledge import build as b
    from crmgraph.knowledge import reasoning

    reasoning.JVM_OPTIONS = ""  # the JVM's own default: both compilers
    real = b.compile_graph

    def compile_graph(*args, **kwargs):
        return real(*args, **{**kwargs, "shacl_engine": "pyshacl"})
    b.compile_graph = compile_graph
    report = b.build(store_path=Path(spec["store"]), cache=False, allow_shrink=True)
    print(json.dumps({"timings": report.timings, "triples": report.triples}))


_STEP = re.compile(r"([a-z][a-z ,()]*?) (\d+\.\d+)")


def timing_line(output: str) -> dict[str, float]:
    """The steps of `crmgraph build`'s timing line: "built …: … in 3.10 s (parse 0.25, …, store 1.21)"."""
    line = next(line for line in output.splitlines() if line.startswith("built"))
    inner = line[line.index(" s (") + 4:].rstrip().removesuffix(")")
    return {name.strip(): float(value) for name, value in _STEP.findall(inner)}


def run_child(config: str, store: Path, cache: Path) -> tuple[float, float, dict]:
    """(wall s, CPU s of the child and all it started, the build's own timings)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    env = {**os.environ, "CRMGRAPH_CACHE": str(cache), "COLUMNS": "1000"}
    t0 = time.perf_counter()
    if config == "baseline":
        out = subprocess.run([sys.executable, __file__, "--child", json.dumps({"store": str(store)})], check=True,
                             capture_output=True, text=True, env=env)
    else:
        out = subprocess.run([str(CLI), "build", "--store", str(store), "--allow-shrink"], check=True,
                             capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if config == "baseline":
        timings = json.loads(out.stdout.strip().splitlines()[-1])["timings"]
    else:
        timings = timing_line(out.stdout)
    return wall, cpu, timings


def _cache_for(config: str, primed: Path, to: Path) -> Path:
    """A cache folder for `config`, from the primed one (hard links: nothing in it is written in place)."""
    if config == "warm":
        return primed
    shutil.rmtree(to, ignore_errors=True)
    to.mkdir(parents=True)
    keep = {"cold": (), "baseline": (), "graph changed": ("import",), "data changed": ("hermit-",)}[config]
    for entry in primed.iterdir():
        if entry.name.startswith(keep) and keep:
            if entry.is_dir():
                shutil.copytree(entry, to / entry.name, copy_function=os.link)
            else:
                os.link(entry, to / entry.name)
    return to


def builds(repeat: int) -> None:
    runs: dict[str, list] = {name: [] for name in CONFIGS}
    with tempfile.TemporaryDirectory(prefix="crmgraph-bench-", dir=os.environ.get("CRMGRAPH_BENCH_TMP")) as tmp:
        primed = Path(tmp) / "primed-cache"
        run_child("warm", Path(tmp) / "prime" / "store", primed)  # fills the cache (not timed)
        for i in range(repeat):
            for name in CONFIGS:
                cache = _cache_for(name, primed, Path(tmp) / f"cache-{name.replace(' ', '-')}")
                store = Path(tmp) / name.replace(" ", "-") / "store"
                wall, cpu, timings = run_child(name, store, cache)
                runs[name].append((wall, cpu, timings))
                print(f"  run {i + 1}/{repeat} {name:14} {wall:6.2f} s wall, {cpu:6.2f} s CPU", flush=True)
    steps: list[str] = []
    for name in CONFIGS:
        for _w, _c, timings in runs[name]:
            steps += [s for s in timings if s not in steps]
    med = {name: (statistics.median(w for w, _c, _t in r), statistics.median(c for _w, c, _t in r)) for name, r in runs.items()}
    base_wall, base_cpu = med["baseline"]
    print(f"\nfull build with data/ imported, median of {repeat} runs; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores at the end")
    header = f"{'configuration':14} {'wall s':>7} {'× base':>7} {'CPU s':>7} {'× base':>7} {'≤ 5 s':>6}  " + " ".join(f"{s[:12]:>12}" for s in steps)
    print(header)
    print("-" * len(header))
    for name, r in runs.items():
        wall, cpu = med[name]
        cells = []
        for s in steps:
            values = [t[s] for _w, _c, t in r if s in t]
            cells.append(f"{statistics.median(values):12.2f}" if values else f"{'—':>12}")
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
