"""The command line, as a user runs it: a real store on disk, real files, real output."""
from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from crmgraph.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def built_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "store"
    result = runner.invoke(app, ["build", "--store", str(path)])
    assert result.exit_code == 0, result.output
    assert "asserted" in result.output and "inferred" in result.output
    return path


def test_query_writes_csv_and_sparql_json(built_store, tmp_path):
    rq = tmp_path / "q.rq"
    rq.write_text("SELECT ?c ?code WHERE { ?c crm:iso3166Alpha2 ?code ; crm:memberOf region:central-asia } ORDER BY ?code")
    result = runner.invoke(app, ["query", str(rq), "--store", str(built_store), "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["c", "code"]
    assert [r[1] for r in rows[1:]] == ["KG", "KZ", "TJ", "TM", "UZ"]
    result = runner.invoke(app, ["query", str(rq), "--store", str(built_store), "--format", "json"])
    data = json.loads(result.stdout)
    assert data["head"]["vars"] == ["c", "code"]
    assert data["results"]["bindings"][1]["c"] == {"type": "uri", "value": "https://w3id.org/crmgraph/id/country/KZ"}


def test_a_query_syntax_error_names_the_users_line(built_store, tmp_path):
    rq = tmp_path / "bad.rq"
    rq.write_text("SELECT ?x WHERE {\n  ?x a crm:Country \n  FILTER( \n}")
    result = runner.invoke(app, ["query", str(rq), "--store", str(built_store)])
    assert result.exit_code == 1
    assert "SPARQL syntax error" in result.stderr and "line 4" in result.stderr


def test_a_missing_store_says_how_to_make_one(tmp_path, monkeypatch):
    rq = tmp_path / "q.rq"
    rq.write_text("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    result = runner.invoke(app, ["query", str(rq), "--store", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert "no store" in result.stderr and "crmgraph build" in result.stderr


def test_stats_counts_graphs_classes_and_sources(built_store):
    result = runner.invoke(app, ["stats", "--store", str(built_store)])
    assert result.exit_code == 0, result.output
    for heading in ("Triples per graph", "Statements by status", "Instances per class", "Facts per source"):
        assert heading in result.stdout
    assert "seed-000" in result.stdout and "Figure" in result.stdout


def test_conflicts_lists_differing_claims_with_their_sources(built_store):
    result = runner.invoke(app, ["conflicts", "--store", str(built_store), "--format", "json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert any(c["kind"] == "figures" for c in found)
    copper = [c for c in found if c["kind"] == "official-list" and c["about"]["subject"].endswith("/material/copper")]
    assert copper, "seed 000's denial that copper is critical must be reported against Annex II"
    sources = {ref["source"] for side in copper[0]["sides"] for ref in side["references"]}
    assert "seed-000" in sources and "S1b" in sources


@pytest.mark.parametrize("fmt, first", [("text", "1. ["), ("csv", "id,kind,title"), ("md", "# Disagreements"), ("json", "[")])
def test_conflicts_writes_each_format(built_store, fmt, first):
    result = runner.invoke(app, ["conflicts", "--store", str(built_store), "--format", fmt])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(first)


def test_conflicts_refuses_an_unknown_format_before_reading_the_store(tmp_path):
    result = runner.invoke(app, ["conflicts", "--store", str(tmp_path / "none"), "--format", "xml"])
    assert result.exit_code == 2
    assert "unknown format 'xml'" in result.output and "text, json, csv, md" in result.output


def test_validate_reports_a_valid_knowledge_base():
    result = runner.invoke(app, ["validate", "--no-reason"])
    assert result.exit_code == 0, result.output
    assert "valid" in result.stdout


def test_validate_refuses_an_unknown_shacl_engine():
    result = runner.invoke(app, ["validate", "--no-reason", "--engine", "jena"])
    assert result.exit_code == 2 and "oxigraph, pyshacl" in result.output


def test_version_option_and_command_print_the_version():
    from crmgraph import __version__

    for args in (["--version"], ["version"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0 and __version__ in result.stdout


@pytest.mark.parametrize("args", [["queries", "--format", "csv"], ["conflicts", "--format", "xml"],
                                  ["query", "crm-list-entries", "--format", "yaml"]])
def test_an_unknown_format_is_an_error_naming_the_choices(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "unknown format" in result.stderr and "choose one of" in result.stderr


def test_queries_lists_full_names_in_a_narrow_terminal_and_as_json():
    from crmgraph.query.named import load_named_queries
    from crmgraph.settings import Settings

    names = set(load_named_queries(Settings.discover().queries_dir))
    result = runner.invoke(app, ["queries"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    for name in names:  # never cut to "crm-countries-wi…": the name is what one types
        assert name in result.stdout, name
    data = json.loads(runner.invoke(app, ["queries", "--format", "json"]).stdout)
    assert {q["name"] for q in data["queries"]} == names
    assert all(q["theme"] and q["summary"] for q in data["queries"])


def test_to_dataframe_without_pandas_names_the_notebook_extra(monkeypatch):
    import sys

    from crmgraph.errors import MissingExtra
    from crmgraph.query.results import Table

    monkeypatch.setitem(sys.modules, "pandas", None)  # as if pandas were not installed
    with pytest.raises(MissingExtra) as caught:
        Table(["a"], [[None]]).to_dataframe()
    assert isinstance(caught.value, ImportError)
    assert "pandas" in caught.value.message and "crmgraph[notebook]" in caught.value.hint


def test_validate_shows_its_steps_as_it_goes(monkeypatch):
    """Progress: each step of the checks is reported to the status line as it starts (on stderr)."""
    from crmgraph import cli

    steps = []

    class Status:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def update(self, text):
            steps.append(text)

    monkeypatch.setattr(cli.err, "status", lambda *a, **k: Status())
    result = runner.invoke(app, ["validate", "--no-reason"])
    assert result.exit_code == 0, result.output
    # the statement layer comes right after parsing: HermiT, which reads it, then runs beside the checks
    assert [s.split()[0] for s in steps[:4]] == ["parsing", "compiling", "checking", "validating"]


def test_query_parameters_are_resolved_or_refused_before_running(built_store):
    bad = runner.invoke(app, ["query", "crm-supply-by-country", "--param", "country=Kazakstan", "--store", str(built_store)])
    assert bad.exit_code == 1
    assert "no country called 'Kazakstan'" in bad.output and "Kazakhstan (country:KZ)" in bad.output
    by_code = runner.invoke(app, ["query", "crm-supply-by-country", "-p", "country=KZ", "--store", str(built_store), "-f", "csv"])
    by_label = runner.invoke(app, ["query", "crm-supply-by-country", "-p", "country=kazakhstan", "--store", str(built_store), "-f", "csv"])
    assert by_code.exit_code == by_label.exit_code == 0 and by_code.output == by_label.output


def test_query_table_shows_labels_and_citations_one_row_per_finding(built_store):
    result = runner.invoke(app, ["query", "crm-supply-by-country", "--store", str(built_store)], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "Kazakhstan" in result.output and "country:KZ" not in result.output
    assert "USGS Mineral Commodity Summaries 2025" in result.output and "not given" not in result.output
    assert "rows" in result.output
