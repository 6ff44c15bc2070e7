"""Docs that cannot rot: every CLI command is in the README, and CI runs the README's test command."""
from __future__ import annotations

import re
from pathlib import Path

import typer.main

from crmgraph.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_cli_command_is_documented_in_the_readme():
    commands = typer.main.get_command(app).commands
    assert {"build", "validate", "query", "stats", "conflicts"} <= set(commands)
    for name in commands:
        assert f"`crmgraph {name}" in README, f"`crmgraph {name}` is not documented in README.md"


def test_the_readme_gives_exactly_the_two_setup_commands_and_ci_runs_the_test_one():
    blocks = re.findall(r"^    (make \w+)$", README, flags=re.MULTILINE)
    assert blocks[:2] == ["make run", "make test"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, flags=re.MULTILINE)


def test_the_main_command_installs_builds_exports_and_serves_the_portal():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^run: (.*)\n((?:\t.*\n)+)", makefile, flags=re.MULTILINE)
    assert recipe and "install" in recipe.group(1).split()
    steps = [line.strip() for line in recipe.group(2).splitlines()]
    assert [s.split()[1] for s in steps] == ["build", "export", "serve"], steps


def test_the_sample_query_of_the_main_command_exists():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for rq in re.findall(r"(queries/[\w.-]+\.rq)", makefile):
        assert (ROOT / rq).is_file()


def test_architecture_names_every_module():
    architecture = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    for module in (ROOT / "src" / "crmgraph").glob("*.py"):
        if module.name not in ("__init__.py", "settings.py", "namespaces.py"):
            assert module.name in architecture, f"{module.name} is not described in ARCHITECTURE.md"
    for module in (ROOT / "src" / "crmgraph" / "web").glob("*.py"):
        if module.name != "__init__.py":
            assert f"web/{module.name}" in architecture, f"web/{module.name} is not described in ARCHITECTURE.md"


def test_every_web_route_is_documented_in_the_readme():
    from crmgraph.web import ROUTES

    for route in ROUTES:
        assert f"| `{route.path}` |" in README, f"route {route.path} is not in README.md's table of routes"


def test_the_named_query_catalogue_is_current():
    from crmgraph.query.named import catalogue_markdown, load_named_queries

    expected = catalogue_markdown(load_named_queries(ROOT / "queries"))
    assert (ROOT / "docs" / "queries.md").read_text(encoding="utf-8") == expected, \
        "docs/queries.md is stale: run `crmgraph queries --format md > docs/queries.md`"
