"""Is a 2,000-node view of the explorer usable within 3 s? One command, medians, and a baseline
measured in the same run.

    .venv/bin/python benchmarks/explorer.py                      # 2,000 entities, 5 runs, baseline 2 runs
    .venv/bin/python benchmarks/explorer.py --nodes 500 --repeat 3 --out /tmp/explorer-500.html

1. A synthetic graph of the curated graph's shape (benchmarks/generate.py makes only countries,
   materials and figures): countries, materials, companies operating sites that lie in countries and
   produce materials, instruments with countries as parties, organisations, people; every entity typed
   with the classes the explorer styles (network.STYLES) and labelled with skos:prefLabel@en; direct
   triples reified as crm:Assertion with a source and a locator (as the build writes annotations);
   crm:Figure statements about what countries produce; some types in the inferred graph. Written as
   N-Triples into a temporary Oxigraph store (graphs asserted and inferred, which load_network reads).
2. Server side, timed separately (median of --repeat runs): `load_network`, the layout (`force_layout`,
   inside `explorer_data`), the rest of `explorer_data`, and `render_page(inline=True)`.
3. In Chromium (/usr/bin/chromium through Playwright; the page is the self-contained file, opened
   from file:// --repeat times): time until usable = `window.crmgraphExplorer.readyMs` (navigation
   start → first draw, every node at its final place); a real mouse click on a node → its side panel
   in the DOM and laid out; typing a search → the results listed and laid out.
4. Baseline: the same nodes and edges (same shapes, colours, labels) drawn as pyvis draws a network —
   pyvis's default options (vis-network physics on, stabilisation of 1,000 iterations, dynamic smooth
   edges) and no positions — timed to vis-network's first frame and to its `stabilized` event (physics
   settled: before that, nodes still move under the pointer), capped at --baseline-cap seconds.

Every browser figure is measured in the page (performance.now(), whose origin is the navigation start).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from crmgraph import network as network_module  # noqa: E402
from crmgraph.views.explorer import asset_path, render_page  # noqa: E402
from crmgraph.namespaces import (CRM, DCTERMS, GRAPH_ASSERTED, GRAPH_INFERRED, ID, PROV, RDF,  # noqa: E402
                                 RDFS, SKOS, XSD)
from crmgraph.views.network import explorer_data, load_network, whole_view  # noqa: E402
from crmgraph.store.embedded import OxigraphStore  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1400, "height": 900}
SEARCH = "lithium"
ELEMENTS = ["lithium", "cobalt", "nickel", "copper", "tungsten", "antimony", "gallium", "germanium", "graphite",
            "manganese", "vanadium", "uranium", "gold", "silver", "zinc", "lead", "tin", "titanium", "bismuth",
            "fluorspar", "baryte", "boron", "beryllium", "niobium", "tantalum", "chromium", "molybdenum",
            "phosphate", "potash", "magnesium", "aluminium", "bauxite", "scandium", "yttrium", "cerium",
            "neodymium", "lanthanum", "hafnium", "strontium", "helium", "silicon", "iron", "platinum", "palladium"]
PROPERTY_LABELS = {"locatedIn": "located in", "produces": "produces", "operates": "operates",
                   "headquarteredIn": "headquartered in", "hasParty": "has party", "memberOf": "member of",
                   "hasReserves": "has reserves of"}
STATUSES = ["Verified", "SecondHand", "Unverified"]


# -- 1. the synthetic graph ------------------------------------------------------------------------

def synthetic_graph(n: int, asserted, inferred, seed: int = 11) -> dict[str, int]:
    """Write N-Triples of about `n` entities to the files `asserted` and `inferred`; counts by kind."""
    rng = random.Random(seed)
    kinds = {"country": max(8, n * 8 // 100), "material": max(8, n * 12 // 100), "company": max(4, n * 18 // 100),
             "instrument": max(2, n * 8 // 100), "organisation": max(2, n * 6 // 100), "person": max(2, n * 6 // 100)}
    kinds["site"] = max(4, n - sum(kinds.values()))
    iris = {k: [f"{ID}{k}/syn{i:04d}" for i in range(c)] for k, c in kinds.items()}
    sources = [f"{ID}source/syn-{i:03d}" for i in range(max(10, n // 25))]
    counter = 0

    def t(out, s: str, p: str, o: str) -> None:
        out.write(f"<{s}> <{p}> {o} .\n")

    def lit(text: str, lang: str | None = "en", datatype: str | None = None) -> str:
        text = text.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{text}"@{lang}' if lang else (f'"{text}"^^<{XSD}{datatype}>' if datatype else f'"{text}"')

    def typed(iri: str, label: str, *classes: str, inferred_classes: tuple[str, ...] = ()) -> None:
        for c in classes:
            t(asserted, iri, RDF + "type", f"<{CRM}{c}>")
        for c in inferred_classes:
            t(inferred, iri, RDF + "type", f"<{CRM}{c}>")
        t(asserted, iri, SKOS + "prefLabel", lit(label))

    def reference(node: str) -> None:
        nonlocal counter
        counter += 1
        ref = f"_:r{counter}"
        asserted.write(f"<{node}> <{PROV}wasDerivedFrom> {ref} .\n")
        asserted.write(f"{ref} <{RDF}type> <{CRM}Reference> .\n")
        asserted.write(f"{ref} <{CRM}source> <{rng.choice(sources)}> .\n")
        asserted.write(f"{ref} <{CRM}locator> {lit(f'p. {rng.randint(1, 300)}, ¶{rng.randint(1, 9)}', None)} .\n")

    def fact(s: str, p: str, o: str) -> None:
        """A direct triple and its reified assertion with status and reference (as the build writes)."""
        nonlocal counter
        t(asserted, s, CRM + p, f"<{o}>")
        counter += 1
        a = f"{ID}assertion/syn{counter}"
        t(asserted, a, RDF + "type", f"<{CRM}Assertion>")
        t(asserted, a, RDF + "subject", f"<{s}>")
        t(asserted, a, RDF + "predicate", f"<{CRM}{p}>")
        t(asserted, a, RDF + "object", f"<{o}>")
        t(asserted, a, CRM + "status", f"<{CRM}{rng.choice(STATUSES)}>")
        reference(a)

    def skewed(items: list[str]) -> str:
        """Some entities are hubs (as Kazakhstan or lithium are): a Zipf-like choice."""
        return items[min(len(items) - 1, int(rng.paretovariate(1.2)) - 1)] if rng.random() < 0.5 else rng.choice(items)

    for p, label in PROPERTY_LABELS.items():
        t(asserted, CRM + p, RDFS + "label", lit(label))
    for i, s in enumerate(sources):
        t(asserted, s, RDF + "type", f"<{CRM}SourceDocument>")
        t(asserted, s, CRM + "sourceKey", lit(f"syn-{i:03d}", None))
        t(asserted, s, DCTERMS + "title", lit(f"Synthetic source {i}", None))
    for i, c in enumerate(iris["country"]):
        extra = ("CentralAsianCountry",) if i < 5 else ("EUMemberState",) if i < 32 else ()
        typed(c, f"country C{i:03d}", "Country", inferred_classes=extra)
    for i, m in enumerate(iris["material"]):
        typed(m, f"{ELEMENTS[i % len(ELEMENTS)]} {i // len(ELEMENTS) + 1}", "Material",
              inferred_classes=("CriticalRawMaterial",) if i % 4 == 0 else ())
    for i, x in enumerate(iris["company"]):
        typed(x, f"company {i:04d}", "Company", inferred_classes=("Organisation",))
        fact(x, "headquarteredIn", skewed(iris["country"]))
    for i, x in enumerate(iris["organisation"]):
        typed(x, f"organisation {i:03d}", "Organisation")
        fact(x, "headquarteredIn", skewed(iris["country"]))
    for i, x in enumerate(iris["person"]):
        typed(x, f"person {i:03d}", "Person")
        fact(x, "memberOf", rng.choice(iris["organisation"] + iris["company"]))
    for i, x in enumerate(iris["instrument"]):
        typed(x, f"agreement {i:03d}", "Instrument")
        for c in rng.sample(iris["country"], rng.randint(2, 3)):
            fact(x, "hasParty", c)
    produced: set[tuple[str, str]] = set()
    for i, x in enumerate(iris["site"]):
        material = skewed(iris["material"])
        country = skewed(iris["country"])
        name = ELEMENTS[iris["material"].index(material) % len(ELEMENTS)]
        typed(x, f"{name} mine {i:04d}", "Site")
        fact(x, "locatedIn", country)
        fact(x, "produces", material)
        fact(rng.choice(iris["company"]), "operates", x)
        produced.add((country, material))
    # figures: what a country produces, by year, on whose word (crm:Figure statements)
    for country, material in sorted(produced):
        fact(country, "produces", material)
        for year in rng.sample(range(2015, 2025), rng.randint(1, 3)):
            counter += 1
            f = f"{ID}figure/syn{counter}"
            t(asserted, f, RDF + "type", f"<{CRM}Figure>")
            t(asserted, f, CRM + "subject", f"<{country}>")
            t(asserted, f, CRM + "material", f"<{material}>")
            t(asserted, f, CRM + "quantityKind", f"<{ID}quantity/mine-production>")
            t(asserted, f, CRM + "value", lit(str(round(rng.lognormvariate(7, 2), 1)), None, "decimal"))
            t(asserted, f, CRM + "unit", f"<{ID}unit/tonne>")
            t(asserted, f, CRM + "refYear", lit(str(year), None, "gYear"))
            t(asserted, f, CRM + "status", f"<{CRM}{rng.choice(STATUSES)}>")
            reference(f)
    return {k: len(v) for k, v in iris.items()}


# -- 2. server side --------------------------------------------------------------------------------

@contextmanager
def timing_layout(samples: list[float]):
    """Time network.force_layout (called inside explorer_data) separately."""
    original = network_module.force_layout

    def timed(*args, **kwargs):
        t = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            samples.append(time.perf_counter() - t)

    network_module.force_layout = timed
    try:
        yield
    finally:
        network_module.force_layout = original


def server_side(store, nodes: int, repeat: int) -> tuple[dict, str, dict[str, list[float]]]:
    times: dict[str, list[float]] = {"load_network": [], "layout": [], "explorer_data without layout": [],
                                     "render_page": []}
    data = page = None
    for _ in range(repeat):
        t = time.perf_counter()
        net = load_network(store)
        times["load_network"].append(time.perf_counter() - t)
        layout: list[float] = []
        with timing_layout(layout):
            t = time.perf_counter()
            data = explorer_data(net, whole_view(net, nodes), local_links=False)
            total = time.perf_counter() - t
        times["layout"].append(sum(layout))
        times["explorer_data without layout"].append(total - sum(layout))
        t = time.perf_counter()
        page = render_page(data, inline=True)
        times["render_page"].append(time.perf_counter() - t)
    return data, page, times


# -- 3. the explorer in Chromium -------------------------------------------------------------------

MEASURE_CLICK = """id => new Promise(resolve => {
    const net = window.crmgraphExplorer.network, canvas = document.querySelector('#network canvas');
    net.moveTo({position: net.getPosition(id), scale: 1.2, animation: false});
    net.redraw();
    const panel = document.getElementById('panel');
    window.__bench = {};
    canvas.addEventListener('pointerup', ev => { window.__bench.up = performance.now(); }, {capture: true, once: true});
    const obs = new MutationObserver(() => {
        if (!panel.hidden && panel.querySelector('h2')) {
            obs.disconnect();
            panel.getBoundingClientRect();          // laid out
            window.__bench.panel = performance.now();
            window.__bench.label = panel.querySelector('h2').textContent;
        }
    });
    obs.observe(panel, {childList: true, attributes: true});
    const p = net.canvasToDOM(net.getPosition(id));
    requestAnimationFrame(() => resolve(p));
})"""

MEASURE_SEARCH = """() => {
    const search = document.getElementById('search'), results = document.getElementById('search-results');
    window.__search = {};
    search.addEventListener('input', () => { window.__search.input = performance.now(); }, {capture: true, once: true});
    const obs = new MutationObserver(() => {
        if (results.querySelector('button')) {
            obs.disconnect();
            results.getBoundingClientRect();
            window.__search.listed = performance.now();
            window.__search.count = results.querySelectorAll('button').length;
        }
    });
    obs.observe(results, {childList: true});
}"""


REDRAW = """() => { const net = window.crmgraphExplorer.network, times = [];
    net.fit({animation: false});
    for (let i = 0; i < 10; i++) { const t = performance.now(); net.redraw(); times.push(performance.now() - t); }
    times.sort((a, b) => a - b);
    return times[5]; }"""


def explorer_runs(browser, url: str, repeat: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"ready": [], "draw": [], "redraw": [], "click": [], "search": []}
    for _ in range(repeat):
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        errors = refuse_outside(page, url)
        page.goto(url)
        page.wait_for_function("document.body.dataset.ready === 'true'", timeout=120_000)
        x = page.evaluate("() => ({ready: window.crmgraphExplorer.readyMs, draw: window.crmgraphExplorer.drawMs,"
                          " shown: window.crmgraphExplorer.visibleNodeIds().length})")
        out["ready"].append(x["ready"] / 1000)
        out["draw"].append(x["draw"] / 1000)
        if x["shown"] != len(page.evaluate("() => window.crmgraphExplorer.data.view")):
            errors.append(f"only {x['shown']} nodes on screen")
        out["redraw"].append(page.evaluate(REDRAW) / 1000)   # one frame of the whole view (pan, zoom, hover)
        # a click on the best-connected node on screen
        node = page.evaluate("""() => { const e = window.crmgraphExplorer, deg = {};
            for (const x of e.data.edges) { deg[x.from] = (deg[x.from] || 0) + 1; deg[x.to] = (deg[x.to] || 0) + 1; }
            return e.data.view.reduce((a, b) => (deg[b] || 0) > (deg[a] || 0) ? b : a); }""")
        dom = page.evaluate(MEASURE_CLICK, node)
        box = page.locator("#network canvas").bounding_box()
        page.mouse.click(box["x"] + dom["x"], box["y"] + dom["y"])
        page.wait_for_function("() => window.__bench.panel !== undefined", timeout=30_000)
        b = page.evaluate("() => window.__bench")
        label = page.evaluate("id => window.crmgraphExplorer.data.nodes[id].label", node)
        assert b["label"] == label, (b, label)
        out["click"].append((b["panel"] - b["up"]) / 1000)
        # a search
        page.evaluate(MEASURE_SEARCH)
        page.locator("#search").fill(SEARCH)
        page.wait_for_function("() => window.__search.listed !== undefined", timeout=30_000)
        s = page.evaluate("() => window.__search")
        assert s["count"] > 0
        out["search"].append((s["listed"] - s["input"]) / 1000)
        context.close()
        if errors:
            raise SystemExit(f"the explorer page went wrong: {errors}")
    return out


def refuse_outside(page, url: str) -> list[str]:
    """Nothing but the file itself may be requested (the file is self-contained); the list of
    problems (requests refused, JavaScript errors) the page runs into."""
    problems: list[str] = []

    def check(route):
        if route.request.url == url:
            route.continue_()
        else:
            problems.append(f"requested {route.request.url}")
            route.abort()

    page.route("**/*", check)
    page.on("pageerror", lambda exc: problems.append(f"error: {exc}"))
    return problems


# -- 4. the baseline: pyvis's way ------------------------------------------------------------------

def pyvis_options() -> dict:
    """pyvis's default options for a network (physics on, stabilisation of 1,000 iterations)."""
    from pyvis.network import Network

    return json.loads(Network().options.to_json())


def baseline_page(data: dict, options: dict) -> str:
    styles = {s["key"]: s for s in data["styles"]}
    view = set(data["view"])
    nodes = [{"id": n["id"], "label": n["label"], "shape": styles[n["style"]]["shape"],
              "color": styles[n["style"]]["color"], "title": n["label"]}
             for n in data["nodes"] if n["id"] in view]
    edges = [{"from": e["from"], "to": e["to"], "title": e["label"], "arrows": "to"}
             for e in data["edges"] if e["from"] in view and e["to"] in view]
    vis = asset_path("vis-network.min.js").read_text(encoding="utf-8").replace("</script", "<\\/script")
    payload = json.dumps({"nodes": nodes, "edges": edges, "options": options}).replace("<", "\\u003c")
    return f"""<!doctype html><html><head><meta charset="utf-8"><style>html,body{{height:100%;margin:0}}
#network{{width:100%;height:100%}}</style></head><body><div id="network"></div>
<script>{vis}</script>
<script>
const d = {payload};
window.bench = {{}};
const network = new vis.Network(document.getElementById("network"),
    {{nodes: new vis.DataSet(d.nodes), edges: new vis.DataSet(d.edges)}}, d.options);
network.once("afterDrawing", () => {{ window.bench.firstFrame = performance.now(); }});
network.once("stabilizationIterationsDone", () => {{ window.bench.iterationsDone = performance.now(); }});
network.once("stabilized", p => {{ window.bench.stabilized = performance.now(); window.bench.iterations = p.iterations; }});
</script></body></html>"""


def baseline_runs(browser, url: str, repeat: int, cap: float) -> dict[str, list[float | None]]:
    out: dict[str, list[float | None]] = {"firstFrame": [], "stabilized": []}
    for _ in range(repeat):
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        problems = refuse_outside(page, url)
        page.goto(url, wait_until="commit")
        try:
            page.wait_for_function("() => window.bench && window.bench.stabilized !== undefined",
                                   timeout=cap * 1000, polling=250)
        except Exception:  # noqa: BLE001 — playwright's TimeoutError: not settled within the cap
            pass
        b = page.evaluate("() => window.bench || {}")
        for key in out:
            value = b.get(key)
            out[key].append(value / 1000 if value is not None and value / 1000 <= cap else None)
        context.close()
        if problems:
            raise SystemExit(f"the baseline page went wrong: {problems}")
    return out


# -- the report ------------------------------------------------------------------------------------

def median(samples: list[float | None]) -> float | None:
    """The median; a run that did not finish (None) counts as longer than any that did, and when the
    median falls on such a run it is unknown (None: above the cap)."""
    if not samples:
        return None
    m = statistics.median(float("inf") if s is None else s for s in samples)
    return None if m == float("inf") else m


def fmt(seconds: float | None, cap: float | None = None) -> str:
    if seconds is None:
        return f"> {cap:.0f} s" if cap else "—"
    if seconds < 0.01:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def ratio(ours: float | None, base: float | None, cap: float) -> str:
    if ours is None:
        return "—"
    if base is None:
        return f"> {cap / ours:.0f}×"
    return f"{base / ours:.1f}×"


def chromium_version() -> str:
    try:
        return subprocess.run([str(CHROMIUM), "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except OSError:
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=2000, help="entities in the synthetic graph (all on screen)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of the server side and of the explorer page")
    parser.add_argument("--baseline-repeat", type=int, default=2, help="runs of the baseline (0: skip it)")
    parser.add_argument("--baseline-cap", type=float, default=60.0, help="seconds a baseline run may take to settle")
    parser.add_argument("--out", type=Path, help="where to write the explorer's HTML file (default: a temporary folder)")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    if not CHROMIUM.exists():
        raise SystemExit("no /usr/bin/chromium: run scripts/install-test-system-deps as root (apt-get install chromium)")

    with tempfile.TemporaryDirectory(prefix="crmgraph-bench-explorer-") as tmp:
        tmp = Path(tmp)
        t = time.perf_counter()
        with open(tmp / "asserted.nt", "w", encoding="utf-8") as a, open(tmp / "inferred.nt", "w", encoding="utf-8") as i:
            kinds = synthetic_graph(args.nodes, a, i, args.seed)
        store = OxigraphStore(tmp / "store")
        store.load_file(tmp / "asserted.nt", GRAPH_ASSERTED)
        store.load_file(tmp / "inferred.nt", GRAPH_INFERRED)
        triples = store.count()
        generated = time.perf_counter() - t

        data, page, server = server_side(store, args.nodes, args.repeat)
        store.close()
        out = args.out or tmp / "explorer.html"
        out.write_text(page, encoding="utf-8")
        base_file = tmp / "baseline.html"
        base_file.write_text(baseline_page(data, pyvis_options()), encoding="utf-8")
        view_edges = sum(1 for e in data["edges"] if e["from"] in set(data["view"]) and e["to"] in set(data["view"]))

        print(f"# crmgraph explorer benchmark — {time.strftime('%Y-%m-%d %H:%M')} — {os.cpu_count()} cores, "
              f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {platform.python_implementation()} "
              f"{platform.python_version()}, {chromium_version()} (headless, software rendering)")
        print(f"synthetic graph: {sum(kinds.values()):,} entities ({', '.join(f'{v} {k}' for k, v in kinds.items())}), "
              f"{triples:,} triples, generated and loaded in {generated:.1f} s")
        print(f"view: {len(data['view']):,} nodes and {view_edges:,} edges on screen; HTML file "
              f"{out if args.out else '(temporary)'} of {out.stat().st_size / 1e6:.1f} MB")

        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
            try:
                ours = explorer_runs(browser, out.resolve().as_uri(), args.repeat)
                base = (baseline_runs(browser, base_file.resolve().as_uri(), args.baseline_repeat, args.baseline_cap)
                        if args.baseline_repeat else {"firstFrame": [], "stabilized": []})
            finally:
                browser.close()

    cap = args.baseline_cap
    rows = [
        ("server: load_network", median(server["load_network"]), None),
        ("server: layout (force_layout)", median(server["layout"]), None),
        ("server: explorer_data without layout", median(server["explorer_data without layout"]), None),
        ("server: render_page (inline)", median(server["render_page"]), None),
        ("browser: first frame (navigation → first draw)", median(ours["ready"]), "firstFrame"),
        ("browser: usable (every node at its final place)", median(ours["ready"]), "stabilized"),
        ("browser: explorer script start → first draw", median(ours["draw"]), None),
        ("browser: one frame of the whole view (pan, zoom)", median(ours["redraw"]), None),
        ("browser: click on a node → side panel", median(ours["click"]), None),
        (f"browser: search “{SEARCH}” → results listed", median(ours["search"]), None),
    ]
    print(f"\nmedians of {args.repeat} runs (server and explorer) and {args.baseline_repeat} runs (baseline: pyvis's "
          f"options, physics on, no positions; capped at {cap:.0f} s)\n")
    print("| metric | crmgraph explorer | baseline (pyvis-style physics) | baseline / explorer |")
    print("|---|---:|---:|---:|")
    for name, value, key in rows:
        if key is None:
            print(f"| {name} | {fmt(value)} | — | — |")
        elif not base[key]:
            print(f"| {name} | {fmt(value)} | not run | — |")
        else:
            b = median(base[key])
            print(f"| {name} | {fmt(value)} | {fmt(b, cap)} | {ratio(value, b, cap)} |")
    print("\nruns (s): explorer usable " + ", ".join(f"{x:.2f}" for x in ours["ready"])
          + "; click " + ", ".join(f"{x * 1000:.0f} ms" for x in ours["click"])
          + "; baseline settled " + ", ".join(fmt(x, cap) for x in base["stabilized"])
          + "; baseline first frame " + ", ".join(fmt(x, cap) for x in base["firstFrame"]))
    target = median(ours["ready"])
    print(f"\ntarget “a 2,000-node view usable within 3 s”: {fmt(target)} at {args.nodes:,} nodes — "
          f"{'met' if target is not None and target <= 3 else 'NOT met'}")


if __name__ == "__main__":
    main()
