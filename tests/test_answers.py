"""Answer-first tables (query/answers.py and the CLI's results.to_rich): one row per finding, labels, citations."""
from __future__ import annotations

import io

import pyoxigraph as ox
import pytest
from rich.console import Console

from crmgraph.query.answers import heading, shape
from crmgraph.query.results import Table, to_rich

ID = "https://w3id.org/crmgraph/id/"


def _lit(v, dt=None):
    return ox.Literal(v, datatype=ox.NamedNode(dt)) if dt else ox.Literal(v)


def _table():
    kz, sb = ox.NamedNode(ID + "country/KZ"), ox.NamedNode(ID + "material/antimony")
    rows = [
        [kz, ox.Literal("Kazakhstan", language="en"), sb, _lit("antimony"), _lit("second-hand"), _lit("S22a"), _lit("Antimony chapter")],
        [kz, ox.Literal("Kazakhstan", language="en"), sb, _lit("antimony"), _lit("second-hand"), _lit("S35b"), _lit("not given")],
        [kz, ox.Literal("Kazakhstan", language="en"), sb, _lit("antimony"), _lit("verified"), _lit("S1a"), _lit("Annex II")],
    ]
    return Table(["country", "countryLabel", "material", "materialLabel", "status", "source", "locator"], rows)


def test_rows_that_differ_only_in_sources_become_one_finding():
    answer = shape(_table())
    assert [c.name for c in answer.columns] == ["country", "material", "status", "sources"]
    assert len(answer.rows) == 2 and answer.source_rows == 3 and answer.merged
    first = answer.rows[0]
    assert (first[0].text, first[0].iri) == ("Kazakhstan", ID + "country/KZ")  # the label, the IRI kept for the link
    assert [r.source for r in first[3].refs] == ["S22a", "S35b"]
    assert answer.rows[1][2].text == "verified"  # a different status is a different finding


def test_numbers_are_marked_and_language_tags_dropped():
    t = Table(["value", "label"], [[_lit("12.5", "http://www.w3.org/2001/XMLSchema#decimal"), ox.Literal("x", language="en")]])
    row = shape(t).rows[0]
    assert row[0].numeric and row[0].text == "12.5" and row[1].text == "x"


def _render(table, width):
    console = Console(file=io.StringIO(), width=width, color_system=None)
    console.print(to_rich(table, width=width))
    return console.file.getvalue()


def test_cli_table_fits_a_wide_terminal_as_a_table_and_a_narrow_one_as_records():
    wide = _render(_table(), 160)
    assert "Kazakhstan" in wide and "┃ Country" in wide and "…" not in wide
    assert "◐ second-hand" in wide and "S22a, Antimony chapter; S35b" in wide.replace("\n", " ") or "S22a" in wide
    assert max(len(line) for line in wide.splitlines()) <= 160
    narrow = _render(_table(), 30)
    assert "1/2" in narrow and "2/2" in narrow and "Country  Kazakhstan" in narrow
    assert max(len(line) for line in narrow.splitlines()) <= 30
    assert "not given" not in wide + narrow


def test_a_figure_reads_as_one_phrase_and_label_columns_name_their_thing():
    dec = "http://www.w3.org/2001/XMLSchema#decimal"
    t = Table(["qualifier", "value", "upperValue", "outOf", "unitLabel", "scopeLabel"],
              [[_lit("at least"), _lit("15", dec), _lit("18", dec), _lit("34", dec), _lit("t"), _lit("EU CRM list 2023")],
               [None, _lit("19", dec), None, None, _lit("count"), None]])
    answer = shape(t)
    assert [c.name for c in answer.columns] == ["value", "scope"]
    assert [c.title for c in answer.columns] == ["Value", "Scope"]
    assert [r[0].text for r in answer.rows] == ["at least 15–18 of 34 t", "19"]


@pytest.mark.parametrize("name, words", [
    ("crm", "Critical raw material"), ("crmLabel", "Critical raw material"), ("countryLabel", "Country"),
    ("firstDate", "First date"), ("claimant1", "Claimed by (1)"), ("hhi", "HHI"), ("scope_label", "Scope"),
    ("otherEUInstruments", "Other EU instruments"), ("unverifiedOrSecondHand", "Unverified or second-hand"),
])
def test_column_headings_are_words_not_variable_names(name, words):
    assert heading(name) == words


def test_every_named_query_heads_its_columns_with_words(settings):
    """No heading a reader sees is a variable name: each starts with a capital and has no camelCase."""
    import re

    from crmgraph.query.named import load_named_queries

    for q in load_named_queries(settings.queries_dir).values():
        head = re.search(r"SELECT(.*?)WHERE", q.sparql, flags=re.S | re.I)
        names = re.findall(r"\?(\w+)\)?(?=\s|$)", head.group(1)) if head else []
        for name in names:
            h = heading(name)
            assert h[:1].isupper() and not re.search(r"[a-z][A-Z]", h), (q.name, name, h)
