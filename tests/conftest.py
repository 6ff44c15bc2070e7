"""Shared fixtures: the real knowledge base built once per session, and throw-away project copies
for tests that feed the build bad data."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from crmgraph.knowledge.build import compile_graph, fill_store
from crmgraph.query.results import to_result
from crmgraph.settings import Settings
from crmgraph.store.embedded import OxigraphStore

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(root=ROOT)


@pytest.fixture(scope="session")
def compiled(settings):
    """The real ontology + graph/, parsed, checked, validated and reasoned (once)."""
    return compile_graph(settings)


@pytest.fixture(scope="session")
def store(compiled, settings):
    """An in-memory store holding the real knowledge base."""
    s = OxigraphStore(None)
    fill_store(s, compiled, settings)
    return s


@pytest.fixture(scope="session")
def store_path(compiled, settings, tmp_path_factory) -> Path:
    """The real knowledge base in a store on disk, for servers and read-only handles (built once)."""
    path = tmp_path_factory.mktemp("store") / "store"
    writer = OxigraphStore(path)
    fill_store(writer, compiled, settings)
    writer.close()
    return path


@pytest.fixture
def select(store):
    """Run a SELECT and return its rows as dicts of Python values.

    Bindings are substituted by Oxigraph as RDF terms; it requires each bound variable to be
    projected, so tests that bind use `SELECT *`."""
    def run(sparql: str, **bindings):
        return to_result(store.query(sparql, bindings)).records()
    return run


@pytest.fixture
def project(tmp_path) -> Settings:
    """A copy of the project's ontology/ and graph/ that a test may break."""
    for folder in ("ontology", "graph"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return Settings(root=tmp_path)


def write_graph_file(settings: Settings, name: str, body: str) -> Path:
    """Add a Turtle file to a test project's graph/, with the standard prefixes."""
    prefixes = (ROOT / "tests" / "data" / "prefixes.ttl").read_text(encoding="utf-8")
    path = settings.graph_dir / name
    path.write_text(prefixes + body, encoding="utf-8")
    return path
