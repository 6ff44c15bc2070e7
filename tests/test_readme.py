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
    assert {"S22a", "seed-000"} <= set(df["source"])
    assert 17000 in set(df["value"]) and 26 in set(df["value"])
