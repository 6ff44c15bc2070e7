"""What the explorer colours nodes by (views/indicators.py), on the hand-computed supply fixture of
tests/data/supply-fixture.ttl: the values are the analysis layer's (the same numbers /risk shows and the
build writes into graph:analytics), each indicator applies to one kind of node, and a node without data
has no value (shown as "no data"), never 0."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from crmgraph.namespaces import ID
from crmgraph.store.embedded import OxigraphStore
from crmgraph.views.indicators import node_indicators

FIXTURE = Path(__file__).parent / "data" / "supply-fixture.ttl"
ANTIMONY, CN, TJ, RU = ID + "material/antimony", ID + "country/CN", ID + "country/TJ", ID + "country/RU"


@pytest.fixture(scope="module")
def indicators(tmp_path_factory):
    store = OxigraphStore(tmp_path_factory.mktemp("indicators") / "store")
    store.replace_graph("https://example.org/fixture",
                        [q.triple for q in ox.parse(path=str(FIXTURE), format=ox.RdfFormat.TURTLE)])
    try:
        yield {i.key: i for i in node_indicators(store)}
    finally:
        store.close()


def test_material_indicators_are_the_hand_computed_values(indicators):
    # world 100 t: CN 60, TJ 20, TR 10, KZ 5 (2023) → HHI 3600 + 400 + 100 + 25; Central Asia 20 + 5
    assert indicators["hhi-world"].values[ANTIMONY] == pytest.approx(4125)
    assert indicators["central-asian-share"].values[ANTIMONY] == pytest.approx(25)
    assert indicators["hhi-world"].details[ANTIMONY].startswith("mine")
    assert {i.applies for k, i in indicators.items() if k in ("hhi-world", "central-asian-share")} == {"material"}


def test_country_indicators_leave_a_withheld_value_missing_not_zero(indicators):
    top = indicators["top-world-share"]
    assert top.applies == "country"
    assert top.values[CN] == pytest.approx(60) and top.values[TJ] == pytest.approx(20)
    assert "antimony" in top.details[CN]
    assert RU not in top.values            # Russia's production is withheld: no share, so no value


def test_an_indicator_with_values_has_no_reason_to_be_unavailable(indicators):
    assert all(i.values and i.unavailable is None for i in indicators.values())
    assert "unavailable" not in indicators["hhi-world"].as_json({})


def test_every_indicator_is_listed_even_on_a_store_without_the_datasets(tmp_path):
    store = OxigraphStore(tmp_path / "store")
    try:
        found = node_indicators(store)
    finally:
        store.close()
    assert len(found) == 7 and all(not i.values for i in found)
    for i in found:
        assert "needs the" in i.unavailable and "run `crmgraph build`" in i.unavailable and "crmgraph import" in i.unavailable
        assert i.as_json({})["unavailable"] == i.unavailable
    assert "EC CRM study 2023" in next(i for i in found if i.key == "supply-risk").unavailable
    assert "USGS MCS 2025" in next(i for i in found if i.key == "hhi-world").unavailable


def test_values_are_sent_by_node_index_only_for_nodes_the_explorer_has(indicators):
    data = indicators["hhi-world"].as_json({ANTIMONY: 7})
    assert data["values"] == {"7": pytest.approx(4125)} and data["applies"] == "material" and data["label"]
    assert indicators["top-world-share"].as_json({ANTIMONY: 7})["values"] == {}
