"""The explorer's data as sent (views/wire.py): packed, each statement, reference and repeated string once,
and read back by `unpack` as `network.explorer_data` made it (positions to whole pixels, indicator values to
4 significant digits) — the browser's unpack (static/explorer.js) is checked against the same data in
test_browser_explorer.py."""
from __future__ import annotations

import copy
import json

import pytest

from crmgraph.namespaces import ID
from crmgraph.views.network import explorer_data, load_network, whole_view
from crmgraph.views.wire import SCHEMA, pack, unpack


@pytest.fixture(scope="module")
def data(store):
    return explorer_data(load_network(store), whole_view(load_network(store)))


def rounded(data: dict) -> dict:
    out = copy.deepcopy(data)
    for n in out["nodes"]:
        if "x" in n:
            n["x"], n["y"] = round(n["x"]), round(n["y"])
    for i in out["indicators"]:
        i["values"] = {k: float(f"{v:.4g}") for k, v in i["values"].items()}
    return out


def test_unpack_gives_back_what_explorer_data_made(data):
    packed = json.loads(json.dumps(pack(data)))   # as it travels
    assert packed["schema"] == SCHEMA
    assert unpack(packed) == rounded(data)


def test_a_query_view_and_the_files_links_survive_too(store):
    net = load_network(store)
    for local in (True, False):
        made = explorer_data(net, whole_view(net, max_nodes=20), local_links=local)
        assert unpack(json.loads(json.dumps(pack(made)))) == rounded(made)


def test_each_statement_and_reference_is_sent_once(data):
    packed = pack(data)
    iris = [row[0] for row in packed["statements"]]
    assert len(iris) == len(set(iris))
    shared = {st["iri"] for n in data["nodes"] for st in n["statements"]}
    assert len(packed["statements"]) >= len(shared)
    assert len(packed["refs"]) == len({tuple(r) for r in packed["refs"]})
    assert len(packed["strings"]) == len(set(packed["strings"]))


def test_the_packed_data_is_a_fraction_of_the_readable_one(data):
    readable = len(json.dumps(data, ensure_ascii=False).encode())
    packed = len(json.dumps(pack(data), ensure_ascii=False, separators=(",", ":")).encode())
    assert packed < readable / 2, (packed, readable)


def test_positions_are_whole_pixels_and_iris_under_id_are_short(data):
    packed = pack(data)
    kz = next(row for row in packed["nodes"] if row[0] == "country/KZ")
    assert isinstance(kz[3], int) and isinstance(kz[4], int) and kz[5] == 1   # 1: its page /id/country/KZ
    assert packed["base"] == ID


def test_unpack_refuses_what_is_not_packed_explorer_data(data):
    with pytest.raises(ValueError, match="schema"):
        unpack(data)
