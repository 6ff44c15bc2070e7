"""The README's Python example runs as written (against a store built from the real data)."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_readme_python_example_runs(compiled, settings, tmp_path, monkeypatch):
    from crmgraph.knowledge.build import fill_store
    from crmgraph.store.embedded import OxigraphStore

    store = OxigraphStore(tmp_path / "store")
    fill_store(store, compiled, settings)
    store.close()
    monkeypatch.setenv("CRMGRAPH_STORE", str(tmp_path / "store"))
    monkeypatch.chdir(ROOT)
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.DOTALL)
    assert blocks
    namespace: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)  # noqa: S102 - our own documentation
    df = namespace["df"]
    # both sides of the Tajik antimony discrepancy are there, each with its own source
    cited = " ".join(df["sources"])
    assert "S22a: " in cited and "seed-000: " in cited
    assert 17000 in set(df["value"]) and 26 in set(df["value"])


def _sparql_blocks() -> list[str]:
    return re.findall(r"```sparql\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.DOTALL)


def test_every_readme_sparql_example_answers_one_row_per_finding(select):
    blocks = _sparql_blocks()
    assert len(blocks) >= 3
    for block in blocks:
        rows = select(block)
        assert rows, block
        assert len({tuple(sorted(r.items())) for r in rows}) == len(rows), block  # no duplicate rows


def test_the_readme_two_levels_answer_the_erma_question(select):
    truthy, statements, antimony = _sparql_blocks()[:3]
    confirmed = {r["member"].rsplit("/", 1)[-1] for r in select(truthy)}
    claimed = {r["company"].rsplit("/", 1)[-1]: r for r in select(statements)}
    assert {"tau-ken-samruk", "phoenix-mining"} <= claimed.keys()
    assert claimed["tau-ken-samruk"]["status"] == "unverified" and "seed-000" in claimed["tau-ken-samruk"]["sources"]
    assert not confirmed & {"tau-ken-samruk", "phoenix-mining"}  # the truthy layer holds only accepted members
    values = {(r["quantity"].rsplit("/", 1)[-1], r["value"]) for r in select(antimony)}
    assert {("mine-production", 17000), ("share-of-world-production", 26)} <= values  # both sides of a disagreement
