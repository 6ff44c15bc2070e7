"""Finding entities by what people type (query/lookup.py): parameter resolution and search."""
from __future__ import annotations

import pytest

from crmgraph.errors import QueryError
from crmgraph.namespaces import ID
from crmgraph.query.lookup import EntityIndex, normalise


@pytest.fixture(scope="module")
def index(store):
    return EntityIndex.load(store)


def test_normalise_drops_accents_case_and_punctuation():
    assert normalise("Türkiye") == "turkiye"
    assert normalise("  Rare-Earth_elements ") == "rare earth elements"
    assert normalise("KZ") == normalise("kz") == "kz"


@pytest.mark.parametrize("kind, value, slug", [
    ("country", "Kazakhstan", "country/KZ"), ("country", "kz", "country/KZ"), ("country", "KZ", "country/KZ"),
    ("country", "KAZ", "country/KZ"), ("country", "country:KZ", "country/KZ"), ("country", "turkiye", "country/TR"),
    ("material", "Antimony", "material/antimony"), ("material", "rare earths", "material/rare-earth-elements"),
    ("material", "rare-earths", "material/rare-earth-elements"), ("material", "REE", "material/rare-earth-elements"),
    ("list", "2011", "list/eu-crm-2011"), ("list", "2023", "list/eu-crm-2023"), ("list", "eu-crm-2020", "list/eu-crm-2020"),
    ("source", "S22a", "source/S22a"), ("source", "s22a", "source/S22a"),
    (None, "country:TJ", "country/TJ"), (None, "Tajikistan", "country/TJ"),
])
def test_labels_codes_aliases_and_case_resolve_to_the_entity(index, kind, value, slug):
    assert index.resolve(value, kind).iri == ID + slug


@pytest.mark.parametrize("kind, value, closest", [
    ("country", "Kazakstan", "Kazakhstan (country:KZ)"),
    ("material", "antimny", "antimony (mat:antimony)"),
    ("country", "XX", None),
    ("country", "antimony", None),          # a material is not a country
    ("list", "1999", None),
])
def test_an_unknown_value_is_an_error_with_the_closest_matches(index, kind, value, closest):
    with pytest.raises(QueryError) as exc:
        index.resolve(value, kind)
    assert repr(value) in exc.value.message and kind in exc.value.message
    if closest:
        assert exc.value.hint.startswith("closest: " + closest)


def test_an_iri_that_exists_without_a_label_resolves(index, store):
    figure = next(iter(store.query("SELECT ?f WHERE { ?f a crm:Figure } LIMIT 1")))["f"].value
    assert index.resolve(figure).iri == figure
    with pytest.raises(QueryError):
        index.resolve(ID + "figure/no-such-figure")


@pytest.mark.parametrize("text, first", [
    ("turkiye", "country/TR"), ("TÜRKIYE", "country/TR"), ("rare earths", "material/rare-earth-elements"),
    ("kazakhstan", "country/KZ"), ("kz", "country/KZ"), ("antimony", "material/antimony"), ("lith", "material/lithium"),
    ("S22a", "source/S22a"),
])
def test_search_ranks_the_entity_named_first(index, text, first):
    results = index.search(text)
    assert results and results[0].entity.iri == ID + first, [m.entity.iri for m in results[:3]]


def test_search_finds_by_every_word_and_hides_plumbing(index):
    hits = [m.entity for m in index.search("rare earth", limit=50)]
    assert {ID + "material/heavy-rare-earth-elements", ID + "material/light-rare-earth-elements"} <= {e.iri for e in hits}
    assert not any(e.kind in ("assertion", "entry", "figure", "claim") for e in hits)
    assert index.search("") == [] and index.search("   ") == []
    assert index.search("qqqzzzxx") == []
