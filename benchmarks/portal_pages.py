"""Are the portal's pages ≤ 300 ms of server time, and search suggestions ≤ 50 ms, on the curated graph?

    .venv/bin/python benchmarks/portal_pages.py            # the built store var/store, 7 runs each

Times the server-side work of each page in-process (what `Server-Timing: total` reports, without
HTTP), after the server's warm-up (`entities.warm`, timed apart): entity factsheets (Kazakhstan, Tajikistan,
antimony and China — prepared by the warm-up —, rare earth elements — not prepared (not on the 2023 list):
its first visit runs its named queries) the first time and again (the page's data is kept per server), a source
page, a named-query page's table (query + shaping + citations), and search suggestions. Baseline, in
the same run: the entity page without its factsheet (`entities.entity_page` + render), i.e. the page
before issue 11. Prints medians in ms.
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from types import SimpleNamespace

from crmgraph.query.answers import shape
from crmgraph.query.named import load_named_queries, run_named
from crmgraph.settings import Settings
from crmgraph.store.embedded import OxigraphStore
from crmgraph.web import entities, search
from crmgraph.web.html import answer_html

ID = "https://w3id.org/crmgraph/id/"


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    settings = Settings.discover()
    store = OxigraphStore(args.store or settings.default_store, read_only=True)
    state = SimpleNamespace(entity_store=store, settings=settings)
    # what `crmgraph serve` does once, in a background thread, before the first visitor: the registers,
    # the conflict report, the analytics snapshot, and the factsheets of the Central Asian states, the 2023
    # CRMs and the countries (entities.WARM_PAGES); a page outside that list pays its named queries on its first visit
    started = time.perf_counter()
    entities.warm(state)
    warm_up = (time.perf_counter() - started) * 1000
    prepared = len(state.factsheets)
    rows = []
    for slug in ("country/KZ", "country/TJ", "material/antimony", "material/rare-earth-elements", "country/CN"):
        iri = ID + slug

        def page(iri=iri, slug=slug):
            return entities.render_page(entities._full_page(state, iri), "/id/" + slug)

        started = time.perf_counter()
        page()
        cold = (time.perf_counter() - started) * 1000
        warm = median_ms(page, args.repeat)
        base = median_ms(lambda iri=iri: entities.render_page(entities.entity_page(store, iri), "/x"), args.repeat)
        rows.append((f"/id/{slug}", cold, warm, base))
    source = median_ms(lambda: entities.render_page(entities._full_page(state, ID + "source/S22a"), "/x"), args.repeat)
    queries = load_named_queries(settings.queries_dir)
    idx, cites = search.index(state), search.citations(state)
    table = median_ms(lambda: answer_html(shape(run_named(store, queries["crm-supply-by-country"], {"country": "KZ"}, idx)), cites),
                      args.repeat)
    suggest = max(median_ms(lambda q=q: idx.search(q, limit=10), args.repeat * 3)
                  for q in ("k", "kaz", "turkiye", "rare earths", "lith", "usgs"))
    print(f"server start: warm-up {warm_up / 1000:.1f} s in the background ({prepared} factsheets prepared)")
    print(f"{'page':40} {'first':>9} {'again':>9} {'before (no factsheet)':>22}")
    for name, cold, warm, base in rows:
        print(f"{name:40} {cold:8.1f}  {warm:8.1f}  {base:21.1f}")
    print(f"{'/id/source/S22a':40} {'':9} {source:8.1f}")
    print(f"{'/queries/crm-supply-by-country table':40} {'':9} {table:8.1f}")
    print(f"{'search suggestions (slowest query)':40} {'':9} {suggest:8.2f}")
    store.close()


if __name__ == "__main__":
    main()
