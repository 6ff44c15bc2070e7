"""Is the disagreement report fast enough to run on every visit (< 1 s)?

    .venv/bin/python benchmarks/conflicts.py                  # the store of `crmgraph build` (var/store), 7 runs
    .venv/bin/python benchmarks/conflicts.py --store PATH --repeat 15

Times `analysis.conflicts.find_disagreements` on a read-only store on disk (as the portal opens it):
its nine whole-graph SELECTs and two for the imported dataset rows about what curated figures are about (`load`)
and the rules in Python, separately; and, as the baseline measured in the same run, the one SPARQL query the
report used before issue 9 (figures with the same subject, material, quantity kind, scope and period; 14 of the
conflicts then, none of the other kinds). Medians.
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from crmgraph.analysis import conflicts
from crmgraph.query.results import to_result
from crmgraph.store.embedded import OxigraphStore

OLD_FIGURE_CONFLICTS = """
SELECT ?subject ?material ?qk ?scope ?period ?figure ?value ?upper ?unit ?claimant ?status ?source ?locator WHERE {
  {
    SELECT ?subject ?material ?qk ?scope ?period WHERE {
      ?f a crm:Figure ; crm:subject ?subject ; crm:quantityKind ?qk ; crm:scope ?scope ; crm:value ?v ; crm:unit ?u .
      OPTIONAL { ?f crm:material ?m0 }
      OPTIONAL { ?f crm:refYear ?y0 } OPTIONAL { ?f crm:periodStart ?ps0 } OPTIONAL { ?f crm:periodEnd ?pe0 }
      BIND(COALESCE(?m0, crm:none) AS ?material)
      BIND(COALESCE(STR(?y0), CONCAT(COALESCE(STR(?ps0), ""), "/", COALESCE(STR(?pe0), ""))) AS ?period)
      OPTIONAL { ?f crm:upperValue ?uv0 }
      BIND(CONCAT(STR(?v), "-", COALESCE(STR(?uv0), ""), " ", STR(?u)) AS ?valueKey)
    } GROUP BY ?subject ?material ?qk ?scope ?period HAVING (COUNT(DISTINCT ?valueKey) > 1)
  }
  ?figure a crm:Figure ; crm:subject ?subject ; crm:quantityKind ?qk ; crm:scope ?scope ; crm:value ?value ; crm:unit ?unit ;
          crm:claimant ?claimant ; crm:status ?status .
  OPTIONAL { ?figure crm:material ?m1 } OPTIONAL { ?figure crm:upperValue ?upper }
  FILTER(COALESCE(?m1, crm:none) = ?material)
  OPTIONAL { ?figure crm:refYear ?y1 } OPTIONAL { ?figure crm:periodStart ?ps1 } OPTIONAL { ?figure crm:periodEnd ?pe1 }
  FILTER(COALESCE(STR(?y1), CONCAT(COALESCE(STR(?ps1), ""), "/", COALESCE(STR(?pe1), ""))) = ?period)
  ?figure prov:wasDerivedFrom ?ref . ?ref crm:source ?src ; crm:locator ?locator .
  OPTIONAL { ?src crm:sourceKey ?key }
  BIND(COALESCE(?key, STR(?src)) AS ?source)
}
ORDER BY ?subject ?material ?qk ?scope ?period ?value
"""


def _median(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", type=Path, default=Path("var/store"))
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    store = OxigraphStore(args.store, read_only=True)
    t_base, rows = _median(lambda: to_result(store.query(OLD_FIGURE_CONFLICTS)).rows, args.repeat)
    t_load, graph = _median(lambda: conflicts.load(store), args.repeat)
    t_rules, _ = _median(lambda: conflicts.detect(graph), args.repeat)
    t_all, found = _median(lambda: conflicts.find_disagreements(store), args.repeat)
    print(f"baseline (old figure query): {t_base * 1000:7.1f} ms  ({len(rows)} rows)")
    print(f"load (11 SELECTs):            {t_load * 1000:7.1f} ms  ({len(graph.figures)} figures, "
          f"{len(graph.claims)} claims, {len(graph.assertions)} assertions)")
    print(f"rules (Python):              {t_rules * 1000:7.1f} ms")
    print(f"whole report:                {t_all * 1000:7.1f} ms  ({len(found)} disagreements; "
          f"{t_all / t_base:.1f}x the baseline; target < 1000 ms: {'met' if t_all < 1 else 'NOT met'})")


if __name__ == "__main__":
    main()
