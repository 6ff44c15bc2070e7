"""Citations people can read (query/citations.py): short citations from graph/sources.ttl, grouped per finding."""
from __future__ import annotations

import pytest

from crmgraph.query.citations import Citations, Reference, short_title


@pytest.fixture(scope="module")
def citations(store):
    return Citations.load(store)


def test_every_source_has_a_short_citation_that_is_not_its_key(citations):
    assert len(citations.by_key) > 100
    for src in citations.by_key.values():
        assert src.short and src.short != src.key, src.key
        assert src.path == "/id/source/" + src.key


def test_short_citation_names_who_what_and_when(citations):
    assert citations.get("S22a").short == "USGS Mineral Commodity Summaries 2025 — Antimony chapter"
    assert citations.get("seed-002").short == "Michael Rossi, Analysis of the first EU–Central Asia Summit (2025)"
    assert citations.get("src:S1b").short == "Minespider glossary"
    assert citations.get("S1b").link == "https://minespider.com/glossary/terms/critical-raw-material"


def test_references_of_a_finding_are_grouped_per_source_without_not_given(citations):
    refs = [Reference("S22a", "Antimony chapter"), Reference("S22a", "Table 2"), Reference("S22a", "Table 2"),
            Reference("https://w3id.org/crmgraph/id/source/S1b", "not given"), Reference("S99zz", "p. 3")]
    text = citations.text(refs)
    assert text == ("USGS Mineral Commodity Summaries 2025 — Antimony chapter, Table 2; Minespider glossary; "
                    "S99zz, p. 3")
    assert "not given" not in text


def test_short_title_cuts_at_a_clause_or_a_word():
    assert short_title("Minespider glossary: \"critical raw material\" (quotes Art. 4)") == "Minespider glossary"
    long = "A very long title " + "word " * 30
    assert len(short_title(long)) <= 61 and short_title(long).endswith("…")
