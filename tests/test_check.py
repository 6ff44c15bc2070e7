"""`make check` runs with the tests, so a finding fails CI with the tool's own report.

ruff reads its rules from pyproject.toml ([tool.ruff]) and takes well under a second on the tree; mypy
([tool.mypy], on src/crmgraph) takes about 11 s without its cache (.mypy_cache) and about 1 s with it.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing_in_the_tree():
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "No module named ruff" not in done.stderr, "ruff is missing: pip install -e '.[test]'"
    assert done.returncode == 0, f"ruff check found problems (fix them, or justify an ignore in pyproject.toml):\n{done.stdout}{done.stderr}"
    assert "All checks passed" in done.stdout


def test_mypy_finds_nothing_in_the_library():
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert "No module named mypy" not in done.stderr, "mypy is missing: pip install -e '.[test]'"
    assert done.returncode == 0, f"mypy found problems (fix them; pyproject.toml [tool.mypy] says what is checked):\n{done.stdout}{done.stderr}"
    assert "Success: no issues found" in done.stdout


def test_ruff_checks_every_folder_make_check_names():
    """The lint covers the library, the tests, the benchmarks, the stress scripts and scripts/screenshots
    (a Python script without the .py suffix, named in extend-include)."""
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--show-files"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    files = {Path(line.strip()).relative_to(ROOT).as_posix() for line in done.stdout.splitlines() if line.strip().startswith("/")}
    for expected in ("src/crmgraph/cli.py", "tests/test_check.py", "benchmarks/run.py", "stress/load.py", "scripts/screenshots"):
        assert expected in files, f"ruff does not check {expected}"


def test_make_check_runs_ruff_and_mypy_and_installs_them_first():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^check: (.*)\n((?:\t.*\n)+)", makefile, flags=re.MULTILINE)
    assert recipe, "Makefile has no check target"
    steps = [line.strip() for line in recipe.group(2).splitlines()]
    assert any(".[dev]" in s for s in steps), steps            # installs ruff and mypy like `make test` installs pytest
    assert "$(BIN)/ruff check" in steps and "$(BIN)/mypy" in steps, steps
