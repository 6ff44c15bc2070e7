"""One command that measures crmgraph against its floor and its baselines, side by side in one run.

    python benchmarks/run.py                       # curated graph + synthetic 1e5 and 1e6
    python benchmarks/run.py --sizes 1e5,1e6,1e7 --rdflib-max 1e6

Part 1 — named queries on the curated graph: median latency per query on crmgraph's embedded store
(the library's query path: prefixes, VALUES binding, result conversion), raw pyoxigraph on the same
data (the floor), rdflib's in-memory engine (the baseline a Python user would pick), and the remote
servers where installed (Oxigraph server, Virtuoso).
Part 2 — synthetic graphs (benchmarks/generate.py): load rate, peak RSS and median latency of four
analytic queries, each backend in its own process so that peak memory is its own.
Every figure is a median of repeated runs; ratios are against numbers measured in the same run.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import pyoxigraph as ox  # noqa: E402

from crmgraph.namespaces import GRAPH_ASSERTED, sparql_prologue  # noqa: E402

PROLOGUE = sparql_prologue()

ANALYTIC = {
    "point lookup": """SELECT ?f ?value ?source ?locator WHERE {
        ?f crm:subject <https://w3id.org/crmgraph/id/country/C007> ; crm:material <https://w3id.org/crmgraph/id/material/m003> ;
           crm:value ?value ; prov:wasDerivedFrom ?r . ?r crm:source ?source ; crm:locator ?locator }""",
    "figures per country": """SELECT ?c (COUNT(?f) AS ?n) WHERE { ?f a crm:Figure ; crm:subject ?c } GROUP BY ?c""",
    "avg production by material, year": """SELECT ?m ?y (AVG(?v) AS ?avg) WHERE {
        ?f crm:quantityKind <https://w3id.org/crmgraph/id/quantity/mine-production> ; crm:material ?m ; crm:refYear ?y ; crm:value ?v }
        GROUP BY ?m ?y""",
    "top suppliers of a material": """SELECT ?c (SUM(?v) AS ?total) WHERE {
        ?f crm:quantityKind <https://w3id.org/crmgraph/id/quantity/mine-production> ; crm:material <https://w3id.org/crmgraph/id/material/m003> ;
           crm:subject ?c ; crm:value ?v } GROUP BY ?c ORDER BY DESC(?total) LIMIT 5""",
}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn, repeat: int) -> float:
    """Median seconds of `repeat` runs (after one warm-up)."""
    fn()
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


# ------------------------------------------------------------------ backends (run inside a child)
def child(backend: str, data: str, repeat: int, queries: dict[str, str]) -> dict:
    """Load `data` into `backend`, run each query `repeat` times; report seconds, rates, RSS."""
    result: dict = {"backend": backend}
    t0 = time.perf_counter()
    if backend in ("crmgraph", "pyoxigraph"):
        folder = tempfile.mkdtemp(prefix=f"bench-{backend}-")
        if backend == "crmgraph":
            from crmgraph.query.results import to_result
            from crmgraph.store.embedded import OxigraphStore

            store = OxigraphStore(Path(folder) / "store")
            store.load_file(Path(data), GRAPH_ASSERTED)
            run = lambda q: to_result(store.query(q))  # noqa: E731
        else:
            raw = ox.Store(folder)
            raw.bulk_load(path=data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(GRAPH_ASSERTED))
            run = lambda q: list(raw.query(PROLOGUE + q, use_default_graph_as_union=True))  # noqa: E731
        triples = len(store.raw) if backend == "crmgraph" else len(raw)
    elif backend == "rdflib":
        import rdflib

        graph = rdflib.Graph()
        graph.parse(data, format="nt")
        triples = len(graph)
        run = lambda q: list(graph.query(PROLOGUE + q))  # noqa: E731
    else:
        raise SystemExit(f"unknown backend {backend}")
    result["load_s"] = time.perf_counter() - t0
    result["triples"] = triples
    result["load_rate"] = triples / result["load_s"]
    result["query_s"] = {name: timed(lambda q=q: run(q), repeat) for name, q in queries.items()}
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def run_child(backend: str, data: Path, repeat: int, queries: dict[str, str], timeout: float) -> dict:
    spec = json.dumps({"backend": backend, "data": str(data), "repeat": repeat, "queries": queries})
    try:
        out = subprocess.run([sys.executable, __file__, "--child", spec], capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return {"backend": backend, "error": f"timed out after {timeout:.0f} s"}
    except subprocess.CalledProcessError as exc:
        return {"backend": backend, "error": exc.stderr.strip().splitlines()[-1] if exc.stderr else "failed"}
    return json.loads(out.stdout)


def remote_run(kind: str, data: Path, repeat: int, queries: dict[str, str]) -> dict:
    """Load a server over the Graph Store Protocol and time the same queries over HTTP."""
    from crmgraph.store.localservers import oxigraph_server, virtuoso_server
    from crmgraph.store.remote import RemoteStore
    from crmgraph.query.results import to_result

    start = oxigraph_server if kind == "oxigraph-server" else virtuoso_server
    auth = {} if kind == "oxigraph-server" else {"user": "dba", "password": "dba"}
    with tempfile.TemporaryDirectory() as tmp, start(Path(tmp), **({} if kind == "oxigraph-server" else {"max_rows": 10_000_000})) as url:
        store = RemoteStore(url, timeout=600, **auth)
        t0 = time.perf_counter()
        with open(data, "rb") as fh:
            chunk: list[bytes] = []
            first = True
            for line in fh:
                chunk.append(line)
                if len(chunk) >= 200_000:
                    _post(store, b"".join(chunk), replace=first)
                    first, chunk = False, []
            if chunk:
                _post(store, b"".join(chunk), replace=first)
        load_s = time.perf_counter() - t0
        triples = store.count(GRAPH_ASSERTED)
        result = {"backend": kind, "load_s": load_s, "triples": triples, "load_rate": triples / load_s,
                  "query_s": {name: timed(lambda q=q: to_result(store.query(q)), repeat) for name, q in queries.items()},
                  "peak_rss_mb": None}
        store.close()
    return result


def _post(store, body: bytes, replace: bool) -> None:
    ep = store.endpoint
    method = "PUT" if replace else "POST"
    ctype = "text/turtle" if ep.kind == "virtuoso" else "application/n-triples"
    response = store._send(method, ep.store_url, params={ep.graph_param: GRAPH_ASSERTED}, content=body, headers={"Content-Type": ctype})
    store._check(response, "bulk load")


# ------------------------------------------------------------------ part 1: the curated graph
def rdflib_child(nquads: str, queries: dict[str, str], repeat: int) -> None:
    """In a child process: load the dump into rdflib, then print one JSON line per query as it ends
    (the parent stops the child when its time budget is spent: rdflib can take minutes per query)."""
    import rdflib

    ds = rdflib.Dataset(default_union=True)
    ds.parse(nquads, format="nquads")
    print(json.dumps({"loaded": len(ds)}), flush=True)
    for name, text in queries.items():
        samples = []
        for _ in range(repeat):
            t = time.perf_counter()
            list(ds.query(PROLOGUE + text))
            samples.append(time.perf_counter() - t)
        print(json.dumps({"query": name, "s": statistics.median(samples)}), flush=True)


def rdflib_curated(nquads: str, texts: dict[str, str], repeat: int, budget: float) -> dict[str, float | None]:
    import select

    spec = json.dumps({"nquads": nquads, "queries": texts, "repeat": repeat})
    proc = subprocess.Popen([sys.executable, __file__, "--rdflib-child", spec], stdout=subprocess.PIPE, text=True)
    found: dict[str, float | None] = {name: None for name in texts}
    deadline = time.monotonic() + budget
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            line = proc.stdout.readline()
            if not line:
                break
            msg = json.loads(line)
            if "query" in msg:
                found[msg["query"]] = msg["s"]
    finally:
        proc.kill()
        proc.wait()
    return found


def curated(repeat: int, with_servers: list[str], rdflib_budget: float) -> list[dict]:
    from crmgraph.knowledge.build import compile_graph, fill_store
    from crmgraph.query.named import bind, load_named_queries, run_named
    from crmgraph.settings import Settings
    from crmgraph.store.embedded import OxigraphStore

    settings = Settings.discover()
    compiled = compile_graph(settings)
    queries = load_named_queries(settings.queries_dir)
    texts = {name: bind(q, {})[0] for name, q in sorted(queries.items())}
    with tempfile.TemporaryDirectory() as tmp:
        writer = OxigraphStore(Path(tmp) / "store")
        fill_store(writer, compiled, settings)
        writer.close()
        store = OxigraphStore(Path(tmp) / "store", read_only=True)  # as crmgraph.open() does
        raw = ox.Store.read_only(str(Path(tmp) / "store"))        # the floor: pyoxigraph on the same folder
        nq = tmp + "/all.nq"
        raw.dump(nq, format=ox.RdfFormat.N_QUADS)
        rows = []
        for name, q in sorted(queries.items()):
            rows.append({"query": name,
                         "crmgraph": timed(lambda q=q: run_named(store, q), repeat),
                         "pyoxigraph": timed(lambda name=name: list(raw.query(PROLOGUE + texts[name], use_default_graph_as_union=True)),
                                             repeat)})
        rdflib_times = rdflib_curated(nq, texts, max(1, repeat // 10), rdflib_budget)
        for row in rows:
            row["rdflib"] = rdflib_times[row["query"]]
        for kind in with_servers:
            from crmgraph.store.localservers import oxigraph_server, virtuoso_server
            from crmgraph.store.remote import RemoteStore

            start = oxigraph_server if kind == "oxigraph-server" else virtuoso_server
            auth = {} if kind == "oxigraph-server" else {"user": "dba", "password": "dba"}
            with tempfile.TemporaryDirectory() as stmp, start(Path(stmp)) as url:
                remote = RemoteStore(url, **auth)
                fill_store(remote, compiled, settings)
                for row in rows:
                    row[kind] = timed(lambda remote=remote, row=row: run_named(remote, queries[row["query"]]), repeat)
                remote.close()
    return rows


def fmt_ms(s: float | None) -> str:
    return "—" if s is None else f"{s * 1000:.2f}"


def print_curated(rows: list[dict]) -> None:
    backends = [k for k in rows[0] if k != "query"]
    print(f"\n## Named queries on the curated graph — median ms per query ({len(rows)} queries)\n")
    print("| query | " + " | ".join(backends) + " | crmgraph / pyoxigraph | rdflib / crmgraph |")
    print("|---|" + "---:|" * (len(backends) + 2))
    for r in rows:
        rd = "not finished in budget" if r["rdflib"] is None else f"{r['rdflib'] / r['crmgraph']:.1f}"
        print(f"| {r['query']} | " + " | ".join(fmt_ms(r.get(b)) for b in backends)
              + f" | {r['crmgraph'] / r['pyoxigraph']:.2f} | {rd} |")
    med = {b: statistics.median(r[b] for r in rows if r[b] is not None) for b in backends if any(r[b] is not None for r in rows)}
    finished = [r for r in rows if r["rdflib"] is not None]
    print("| **median** | " + " | ".join(f"**{fmt_ms(med.get(b))}**" for b in backends)
          + f" | **{statistics.median(r['crmgraph'] / r['pyoxigraph'] for r in rows):.2f}**"
          + (f" | **{statistics.median(r['rdflib'] / r['crmgraph'] for r in finished):.1f}** ({len(finished)} of {len(rows)} finished) |"
             if finished else " | — |"))
    print("\n(rdflib: queries not finished within the time budget count as missing in its median, so its ratio is a lower bound)")


def print_synthetic(size: str, results: list[dict]) -> None:
    print(f"\n## Synthetic graph ~{size} triples\n")
    names = list(ANALYTIC)
    print("| backend | triples | load s | load triples/s | peak RSS MB | " + " | ".join(f"{n} ms" for n in names) + " |")
    print("|---|---:|---:|---:|---:|" + "---:|" * len(names))
    base = next((r for r in results if r["backend"] == "crmgraph" and "error" not in r), None)
    for r in results:
        if "error" in r:
            print(f"| {r['backend']} | {r['error']} |")
            continue
        rss = "—" if r["peak_rss_mb"] is None else f"{r['peak_rss_mb']:.0f}"
        cells = []
        for n in names:
            cell = fmt_ms(r["query_s"][n])
            if base is not None and r is not base:
                cell += f" ({r['query_s'][n] / base['query_s'][n]:.2f}×)"
            cells.append(cell)
        print(f"| {r['backend']} | {r['triples']} | {r['load_s']:.1f} | {r['load_rate']:,.0f} | {rss} | " + " | ".join(cells) + " |")
    print("\n(× = time relative to crmgraph's embedded store in this run; > 1 means slower than crmgraph)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--rdflib-child", help=argparse.SUPPRESS)
    parser.add_argument("--rdflib-budget", type=float, default=300, help="seconds rdflib may spend on the curated named queries")
    parser.add_argument("--sizes", default="1e5,1e6", help="synthetic sizes in triples, comma-separated (e.g. 1e5,1e6,1e7)")
    parser.add_argument("--repeat", type=int, default=20, help="runs per query (median reported)")
    parser.add_argument("--rdflib-max", type=float, default=1e6, help="largest size to try rdflib at")
    parser.add_argument("--servers", default="auto", help="oxigraph-server,virtuoso | none | auto (those installed)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed per backend and size")
    parser.add_argument("--skip-curated", action="store_true")
    args = parser.parse_args()
    if args.rdflib_child:
        spec = json.loads(args.rdflib_child)
        rdflib_child(spec["nquads"], spec["queries"], spec["repeat"])
        return
    if args.child:
        spec = json.loads(args.child)
        print(json.dumps(child(spec["backend"], spec["data"], spec["repeat"], spec["queries"])))
        return

    import shutil

    from crmgraph.store.localservers import oxigraph_binary

    if args.servers == "auto":
        servers = (["oxigraph-server"] if oxigraph_binary() else []) + (["virtuoso"] if shutil.which("virtuoso-t") else [])
    else:
        servers = [] if args.servers == "none" else args.servers.split(",")
    print(f"# crmgraph benchmarks — {time.strftime('%Y-%m-%d %H:%M')} — {os.cpu_count()} cores; servers: {', '.join(servers) or 'none'}")
    if not args.skip_curated:
        print_curated(curated(args.repeat, servers, args.rdflib_budget))
    for size in filter(None, args.sizes.split(",")):
        n = int(float(size))
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "synthetic.nt"
            subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--triples", str(n), "-o", str(data)], check=True,
                           stderr=subprocess.DEVNULL)
            repeat = max(3, args.repeat // (1 if n <= 1e5 else 4 if n <= 1e6 else 10))
            results = [run_child(b, data, repeat, ANALYTIC, args.timeout) for b in ("crmgraph", "pyoxigraph")]
            if n <= args.rdflib_max:
                results.append(run_child("rdflib", data, max(3, repeat // 5), ANALYTIC, args.timeout))
            for kind in servers:
                try:
                    results.append(remote_run(kind, data, repeat, ANALYTIC))
                except Exception as exc:  # report and go on: one broken server must not hide the rest
                    results.append({"backend": kind, "error": f"{exc.__class__.__name__}: {str(exc)[:120]}"})
            print_synthetic(size, results)


if __name__ == "__main__":
    main()
