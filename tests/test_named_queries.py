"""Named queries: their headers load, parameters are bound as RDF terms (never pasted into the
text), errors are clear — and every named query answers what the curated data says."""
from __future__ import annotations

from pathlib import Path

import pytest

from crmgraph.errors import QueryError
from crmgraph.query.named import bind, find_named_query, load_named_queries, parse_named_query, run_named

ROOT = Path(__file__).resolve().parents[1]
QUERIES = load_named_queries(ROOT / "queries")

try:
    from .named_query_expectations import EXPECTATIONS
except ImportError:  # written alongside the queries
    EXPECTATIONS = {}


def test_every_named_query_has_a_title_and_description():
    assert QUERIES
    for q in QUERIES.values():
        assert q.title and q.description, q.name


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_named_query_runs_and_meets_its_expectations(store, name):
    query = QUERIES[name]
    result = run_named(store, query)
    assert result is not None
    if EXPECTATIONS:
        assert name in EXPECTATIONS, f"named query {name} has no expectation in tests/named_query_expectations.py"
    for params, what, check in EXPECTATIONS.get(name, []):
        records = run_named(store, query, params).records()
        assert check(records), f"{name} {params}: {what}"


#: Queries about sources: a row is a source, or a reference of a statement (its `source` column is the finding).
_REFERENCE_QUERIES = {"figure-sources", "facts-by-source", "source-fact-counts"}
#: Not yet one row per finding: Virtuoso 7.2 answers the grouped form of this query with rows of other
#: materials (test_remote), so it keeps its DISTINCT rows per reference until that is worked around.
_PER_REFERENCE_FOR_NOW = {"material-supply-alternatives"}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_named_query_answers_one_row_per_finding(store, name):
    """No duplicate rows, and no row per reference: a finding's sources come aggregated in one cell
    (`sources`, GROUP_CONCAT of crm:citation), never as `source`/`locator` columns that repeat it."""
    records = run_named(store, QUERIES[name]).records()
    rows = [tuple(sorted((k, str(v)) for k, v in r.items())) for r in records]
    assert len(set(rows)) == len(rows), f"{name}: {len(rows) - len(set(rows))} duplicate rows"
    if name not in _REFERENCE_QUERIES | _PER_REFERENCE_FOR_NOW and records:
        assert not {"source", "locator"} & set(records[0]), f"{name}: one row per reference (use ?sources)"
        findings = [tuple(sorted((k, str(v)) for k, v in r.items() if "source" not in k.lower())) for r in records]
        assert len(set(findings)) == len(findings), f"{name}: a finding is repeated once per source"


def _query(tmp_path, text: str):
    path = tmp_path / "q.rq"
    path.write_text(text, encoding="utf-8")
    return parse_named_query(path)


PARAM_QUERY = """# title: Labels of a material
# description: The English label of a material.
# param: material material = antimony — the material
SELECT ?label WHERE { ?material skos:prefLabel ?label FILTER(LANG(?label) = "en") }
"""


def test_a_parameter_accepts_a_slug_a_prefixed_name_or_an_iri(store, tmp_path):
    q = _query(tmp_path, PARAM_QUERY)
    for value in ("tungsten", "mat:tungsten", "https://w3id.org/crmgraph/id/material/tungsten"):
        assert run_named(store, q, {"material": value}).column("label") == ["tungsten"]
    assert run_named(store, q).column("label") == ["antimony"]  # the default


def test_a_value_cannot_inject_sparql(store, tmp_path):
    q = _query(tmp_path, PARAM_QUERY)
    with pytest.raises(QueryError):
        run_named(store, q, {"material": 'antimony> } ?s ?p ?o . { <x'})
    text = PARAM_QUERY.replace("material material", "name string").replace("?material skos:prefLabel ?label", "?m skos:prefLabel ?name . BIND(?name AS ?label)")
    q2 = _query(tmp_path, text)
    sparql, terms = bind(q2, {"name": '" } ?s ?p ?o { "'})
    assert run_named(store, q2, {"name": '" } ?s ?p ?o { "'}).rows == []  # a string stays a string


def test_unknown_and_ill_typed_parameters_are_refused_with_a_hint(tmp_path):
    q = _query(tmp_path, PARAM_QUERY.replace("material material = antimony", "material material"))
    with pytest.raises(QueryError, match="needs the parameter 'material'"):
        bind(q, {})
    with pytest.raises(QueryError, match="no parameter 'colour'"):
        bind(q, {"material": "antimony", "colour": "red"})
    year = _query(tmp_path, PARAM_QUERY.replace("material material = antimony", "year year = 2024").replace("?material", "?m . BIND(?year AS ?y)"))
    with pytest.raises(QueryError, match="expected a year"):
        bind(year, {"year": "last year"})


def test_an_unknown_named_query_suggests_the_closest_names():
    some = next(iter(QUERIES))
    with pytest.raises(QueryError) as info:
        find_named_query(QUERIES, some[:-1] + "x")
    assert some in info.value.hint
