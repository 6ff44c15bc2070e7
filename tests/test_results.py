"""results.py is the one owner of which media types name each format: the content negotiation of the
SPARQL endpoint (web/sparql.py) and of the entity pages (web/entities.py) is derived from it."""
from __future__ import annotations

import pytest

from crmgraph.query.results import GENERIC_MEDIA_TYPES, GRAPH_FORMATS, MEDIA_TYPES, SOLUTION_FORMATS, media_type
from crmgraph.web import entities, sparql


def test_every_format_has_media_types_and_graphs_are_served_as_pyoxigraph_writes_them():
    assert set(MEDIA_TYPES) == set(SOLUTION_FORMATS) | set(GRAPH_FORMATS)
    for fmt, rdf_format in GRAPH_FORMATS.items():
        assert media_type(fmt) == rdf_format.media_type


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "jsonld"])
def test_endpoint_and_entity_pages_negotiate_rdf_by_the_media_types_of_results(fmt):
    assert sparql._GRAPH_MEDIA[fmt] == MEDIA_TYPES[fmt]
    assert entities._MEDIA[fmt] == tuple(t for t in MEDIA_TYPES[fmt] if t not in GENERIC_MEDIA_TYPES)
    assert entities._MEDIA[fmt][0] == sparql._GRAPH_MEDIA[fmt][0] == media_type(fmt)


def test_generic_text_plain_is_n_triples_at_the_endpoint_only():
    ranges = sparql.parse_accept("text/plain")
    assert sparql.choose(sparql._GRAPH_MEDIA, ranges) == "ntriples"
    assert sparql.choose(entities._MEDIA, ranges) is None
