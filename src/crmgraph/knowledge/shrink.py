"""The shrink guard: a build may not silently drop a large share of the previous store's facts.

Why: an emptied `figures.ttl` (a bad merge, an editor crash, a script that truncated it) is valid
Turtle, passes every check and SHACL, and would replace the store with one missing hundreds of sourced
figures (issue 13). So right after parsing, the curated triples of the new build, per file, are compared
with those the previous store was built from (its build graph records each file's count). The build
stops, saying how many triples would be lost, from which files, and how to go on if that is intended
(`crmgraph build --allow-shrink`), when

- the total falls by more than `SHRINK_LIMIT` (20 %): ordinary curation (a file split or merged,
  duplicates removed) changes it by a few per cent; or
- one file of at least `FILE_MIN` (100) triples loses more than half of them (`FILE_LIMIT`) and they do
  not reappear in other files (the total falls by at least half that loss): an emptied or truncated
  file. This is the rule that catches an emptied figures.ttl, which is only 13 % of the curated
  triples; moving a file's content into another file does not trip it.

A store built before the per-file counts existed is compared by its asserted graph (total only), after
compiling. A missing or unreadable previous store is no reason to refuse: there is nothing to lose.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..errors import ShrinkRefused
from ..namespaces import DCTERMS, GRAPH_ASSERTED, GRAPH_BUILD, VOID

SHRINK_LIMIT = 0.20
FILE_LIMIT = 0.50
FILE_MIN = 100


@dataclass
class Counts:
    """What a store was built from: curated triples per file (empty for an older store) and its asserted graph."""

    per_file: dict[str, int] = field(default_factory=dict)
    asserted: int = 0


def previous_counts(target: Path) -> Counts | None:
    """The counts of the store at `target`, or None if there is none (or it cannot be read)."""
    if not (Path(target) / "CURRENT").exists():
        return None
    try:
        store = ox.Store.read_only(str(target))
    except OSError:
        return None
    try:
        per_file = {row["name"].value: int(row["n"].value) for row in store.query(
            f"SELECT ?name ?n WHERE {{ GRAPH <{GRAPH_BUILD}> {{ ?ds <{DCTERMS}source> ?f . "
            f"?f <{DCTERMS}identifier> ?name ; <{VOID}triples> ?n }} }}")}
        asserted = next(iter(store.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH_ASSERTED}> {{ ?s ?p ?o }} }}")))["n"]
        return Counts(per_file, int(asserted.value))
    finally:
        del store


def check_shrink(before: dict[str, int], after: dict[str, int], store: Path, what: str = "curated triples") -> None:
    """Raise ShrinkRefused if `after` lost too much of `before` (the two rules of the module docstring)."""
    total_before, total_after = sum(before.values()), sum(after.values())
    lost = total_before - total_after
    if total_before == 0 or lost <= 0:
        return
    drops = sorted(((before[name] - after.get(name, 0), name) for name in before if after.get(name, 0) < before[name]),
                   reverse=True)
    emptied = [name for drop, name in drops
               if before[name] >= FILE_MIN and drop > FILE_LIMIT * before[name] and lost >= drop / 2]
    if lost <= SHRINK_LIMIT * total_before and not emptied:
        return
    where = ", ".join(f"{name} {before[name]:,} → {after.get(name, 0):,}" + ("" if name in after else " (gone)")
                      for _, name in drops[:5])
    why = (f"more than the {SHRINK_LIMIT:.0%} a build may drop unasked" if lost > SHRINK_LIMIT * total_before else
           f"{', '.join(emptied)} lost more than {FILE_LIMIT:.0%} of {'its' if len(emptied) == 1 else 'their'} triples")
    raise ShrinkRefused(
        f"this build would drop {lost:,} of the {total_before:,} {what} of the previous store at {store} "
        f"({lost / total_before:.1%}): {why}: {where}",
        hint="if a file was emptied or removed by mistake, restore it (git diff graph/); if the loss is intended, "
             "run `crmgraph build --allow-shrink`")
