"""`crmgraph indicators …` and `crmgraph scenario …` as a researcher runs them, on the small supply fixture
(tests/data/supply-fixture.ttl, values computed by hand in tests/test_analysis_indicators.py): the answers,
the tables fitted to an 80- and a 200-column terminal, and sources named as readers know them."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from crmgraph.cli import app
from crmgraph.store.embedded import OxigraphStore

FIXTURE = Path(__file__).parent / "data" / "supply-fixture.ttl"
EXTRA = """
@prefix crm: <https://w3id.org/crmgraph/ontology#> . @prefix dcterms: <http://purl.org/dc/terms/> .
<https://w3id.org/crmgraph/id/source/test> dcterms:title "Test Mineral Summaries"@en ; dcterms:publisher "Test Survey" ;
    dcterms:issued "2025" .
"""
runner = CliRunner()


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("risk-store")
    store = OxigraphStore(path)
    store.replace_graph("https://example.org/fixture", [q.triple for q in ox.parse(path=str(FIXTURE), format=ox.RdfFormat.TURTLE)])
    store.replace_graph("https://example.org/extra", [q.triple for q in ox.parse(EXTRA, format=ox.RdfFormat.TURTLE)])
    store.close()
    return path


def run(store_dir: Path, columns: int, *args: str) -> str:
    result = runner.invoke(app, [*args, "--store", str(store_dir)], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    return result.output


def test_restrict_answers_with_hand_computed_values_and_readable_sources(store_dir):
    text = run(store_dir, 200, "scenario", "restrict", "--country", "CN", "--material", "antimony")
    assert "world production lost: 60 t = 60.0 % of world (China)" in text
    assert "EU sourcing exposed (extraction): 30.0 %" in text
    assert "together 41.7 % of the gap" in text  # (20 + 5) / 60
    assert "Test Survey, Test Mineral Summaries (2025), row" in text  # not the bare key "test"
    assert "sources: study; Test Survey, Test Mineral Summaries (2025)" in text


def test_restrict_fits_the_terminal_a_table_when_wide_one_block_per_producer_when_narrow(store_dir):
    wide = run(store_dir, 200, "scenario", "restrict", "-c", "CN", "-m", "antimony")
    header = next(line for line in wide.splitlines() if "covers gap" in line)
    assert all(h in header for h in ("country", "production (t)", "share of world", "EU instruments (status)", "data"))
    assert max(len(line) for line in wide.splitlines()) <= 200
    narrow = run(store_dir, 80, "scenario", "restrict", "-c", "CN", "-m", "antimony")
    assert max(len(line) for line in narrow.splitlines()) <= 80
    assert "1/2 " in narrow and "2/2 " in narrow  # Tajikistan, Kazakhstan: one block each
    block = narrow[narrow.index("1/2 "):narrow.index("2/2 ")]
    assert "Tajikistan" in block and "33.3 %" in block and "TJ PCA (in force)" in block


def test_several_countries_and_materials_at_once(store_dir):
    text = run(store_dir, 120, "scenario", "restrict", "-c", "CN", "-c", "TJ", "-m", "antimony")
    assert "world production lost: 80 t = 80.0 % of world (China, Tajikistan)" in text
    assert "together 6.2 % of the gap" in text  # KZ 5 of 80


def test_agreement_and_project_scenarios_in_80_columns(store_dir):
    text = run(store_dir, 80, "scenario", "agreement", "kz-epca")
    assert "if KZ EPCA enters into force" in text and "20.0 %" in text and "25.0 %" in text
    assert "partners: Kazakhstan; sources: Test Survey, Test Mineral Summaries (2025)" in text
    text = run(store_dir, 80, "scenario", "project", "test-mine", "--tonnes", "15")
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "Kazakhstan's share of world production" in text and "17.4 %" in text  # 20 of 115
    assert "Central Asia's share" in text and "34.8 %" in text  # 40 of 115


def test_indicators_material_table_at_both_widths(store_dir):
    for columns in (80, 200):
        text = run(store_dir, columns, "indicators", "material", "antimony")
        assert max(len(line) for line in text.splitlines()) <= columns
        words = " ".join(text.split())
        assert "SR 1.8, EI 2.5 (2023 assessment); passes SR ≥ 1.0 and EI ≥ 2.8: no" in words
        assert "HHI 4,125" in words and "value (kt)" in words


def test_an_unknown_instrument_suggests_the_closest(store_dir):
    result = runner.invoke(app, ["scenario", "agreement", "kz-epc", "--store", str(store_dir)])
    assert result.exit_code == 1 and "did you mean kz-epca" in result.output


def test_a_reimport_recomputes_the_indicators(tmp_path):
    """`crmgraph import` replaces a dataset's graph; the indicators computed from it (graph:analytics) must
    not stay those of the data it replaced."""
    from crmgraph.analysis.results import GRAPH_ANALYTICS

    OxigraphStore(tmp_path / "store").close()
    data = Path(__file__).resolve().parents[1] / "data" / "usgs-mcs2025-world"
    result = runner.invoke(app, ["import", "usgs-mcs", str(data), "--store", str(tmp_path / "store")])
    assert result.exit_code == 0, result.output
    assert "graph:analytics recomputed" in result.output
    store = OxigraphStore(tmp_path / "store", read_only=True)
    rows = list(store.query(f"""SELECT ?v WHERE {{ GRAPH <{GRAPH_ANALYTICS}> {{ ?r crm:indicator "hhi-world" ;
        crm:material <https://w3id.org/crmgraph/id/material/antimony> ; crm:computedValue ?v }} }}"""))
    assert [round(float(r["v"].value)) for r in rows] == [4100]  # USGS 2024: China 60 % … (the closing note's figure)
