"""The graph as a network (what the explorer and `crmgraph viz` draw): nodes, edges, facts with their
sources, views of query answers, layout, and the self-contained file."""
from __future__ import annotations

import json
import re

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from crmgraph.errors import CrmgraphError, QueryError
from crmgraph.views.explorer import render_page, write_file
from crmgraph.views.layout import force_layout
from crmgraph.namespaces import CRM, ID
from crmgraph.views.wire import unpack
from crmgraph.views.network import explorer_data, load_network, view_from_answer, whole_view
from crmgraph.query.results import Table

KZ, UZ = ID + "country/KZ", ID + "country/UZ"
LITHIUM, LIST_2023 = ID + "material/lithium", ID + "list/eu-crm-2023"


@pytest.fixture(scope="module")
def net(store):
    return load_network(store)


def edges_between(net, a, b):
    return [e for e in net.edges if {e.source, e.target} == {a, b}]


def test_entities_are_nodes_styled_by_class_and_statements_sources_and_vocabulary_are_not(net):
    assert net.nodes[KZ].style == "central-asia" and net.nodes[KZ].label == "Kazakhstan"
    assert net.nodes[LITHIUM].style == "crm"
    assert net.nodes[LIST_2023].style == "list"
    kinds = {iri.removeprefix(ID).split("/")[0] for iri in net.nodes}
    assert not kinds & {"assertion", "figure", "claim", "entry", "source", "unit", "quantity", "scope"}
    assert {"country", "material", "instrument", "org", "site", "list"} <= kinds


def test_a_fact_keeps_its_sources_locators_and_status_and_inferred_facts_are_marked(net):
    kz = net.nodes[KZ]
    parties = [f for f in kz.facts if f["pi"] == CRM + "partyTo"]
    assert parties and all(f["refs"] and not f["inferred"] for f in parties)
    assert {f["status"] for f in parties} <= {"Verified", "SecondHand", "Derived"}  # facts are the truthy layer
    # unverified relations (seed 000's challenges) are not facts but statements, with their sources
    assert not [f for f in kz.facts if f["pi"] == CRM + "facesChallenge"]
    challenges = [st for st in kz.statements if "faces challenge" in st["text"]]
    seed_000 = next(i for i, s in enumerate(net.sources) if s["key"] == "seed-000")
    assert challenges and any(r[0] == seed_000 and "Kazakhstan" in (r[1] or "") for st in challenges for r in st["refs"])
    assert {st["status"] for st in challenges} == {"Unverified"}
    assert (CRM + "CRMProducingCountry", True) in kz.types      # filled by the reasoner
    assert (CRM + "Country", False) in kz.types                 # asserted


def test_figures_and_list_entries_appear_in_the_panel_of_what_they_are_about(net):
    lithium = net.nodes[LITHIUM]
    entries = [s for s in lithium.statements if s["kind"] == "entry"]
    assert any("EU critical raw materials list 2023" in s["text"] or "2023" in s["text"] for s in entries)
    assert all(s["refs"] for s in entries)
    figures = [s for s in net.nodes[KZ].statements if s["kind"] == "figure"]
    assert figures and all(re.search(r"\d", s["text"]) for s in figures)


def test_edges_list_entries_figures_and_claims_and_draw_each_inverse_pair_once(net):
    assert any(e.kind == "entry" and e.source == LIST_2023 and e.target == LITHIUM for e in net.edges)
    assert any(e.kind == "figure" for e in net.edges)
    assert any(e.kind == "denial" for e in net.edges), "seed 000 denies copper is strategic: drawn as a denial"
    drawn = {(e.source, e.predicate, e.target) for e in net.edges if e.predicate}
    for s, p, o in drawn:
        for q in (CRM + "partyTo", CRM + "hasParty"):
            if p in (CRM + "partyTo", CRM + "hasParty") and q != p:
                assert (o, q, s) not in drawn, f"{s} {p} {o} is drawn in both directions"


def test_whole_view_caps_the_nodes_on_screen_and_says_so(net):
    assert whole_view(net).note is None and len(whole_view(net).nodes) == len(net.nodes)
    small = whole_view(net, max_nodes=20)
    assert len(small.nodes) == 20 and "20 best-connected" in small.note
    degree = net.degree()
    assert min(degree[i] for i in small.nodes) >= max(degree.get(i, 0) for i in net.nodes if i not in small.nodes)


def test_a_select_with_two_iri_columns_becomes_edges(net):
    table = Table(["country", "material", "n"], [[ox.NamedNode(UZ), ox.NamedNode(LITHIUM), ox.Literal("1")]])
    view = view_from_answer(net, table, "t")
    assert set(view.nodes) == {UZ, LITHIUM}


def test_a_construct_becomes_edges_and_unknown_iris_become_plain_nodes(net):
    other = "https://example.org/x"
    triples = [ox.Triple(ox.NamedNode(KZ), ox.NamedNode(CRM + "produces"), ox.NamedNode(other))]
    view = view_from_answer(net, triples, "t")
    assert view.nodes == [KZ, other] and view.extra_nodes[other].style == "other"
    assert [e.target for e in view.extra_edges] == [other]
    assert other not in net.nodes, "a view never changes the shared network"


@pytest.mark.parametrize("answer, message", [
    (True, "yes/no"),
    (Table(["country", "label"], [[ox.NamedNode(KZ), ox.Literal("Kazakhstan")]]), "1 column(s) of IRIs"),
])
def test_answers_that_are_not_networks_are_refused_with_a_hint(net, answer, message):
    with pytest.raises(QueryError, match=re.escape(message)) as caught:
        view_from_answer(net, answer, "t")
    assert "CONSTRUCT" in caught.value.hint


def test_every_node_on_screen_has_a_position_and_the_data_is_json(net):
    data = explorer_data(net, whole_view(net))
    json.dumps(data)
    on_screen = set(data["view"])
    assert all(("x" in n) == (n["id"] in on_screen) for n in data["nodes"])
    assert {s["key"] for s in data["styles"]} >= {"central-asia", "crm", "instrument"}
    assert all(0 <= e["from"] < len(data["nodes"]) and 0 <= e["to"] < len(data["nodes"]) for e in data["edges"])


def test_layout_is_deterministic_and_spreads_nodes():
    edges = [(i, (i * 7 + 1) % 300) for i in range(300)]
    first, second = force_layout(300, edges), force_layout(300, edges)
    assert first == second
    assert len(set(first)) == 300
    assert force_layout(0, []) == [] and force_layout(1, []) == [(0.0, 0.0)]


def test_a_label_cannot_close_the_data_script(net):
    data = explorer_data(net, whole_view(net, max_nodes=5))
    data["nodes"][0]["label"] = "</script><script>alert(1)</script>"
    page = render_page(data, inline=True)
    block = re.search(r'id="crmgraph-data">(.*?)</script>', page, flags=re.S).group(1)
    assert unpack(json.loads(block))["nodes"][0]["label"] == "</script><script>alert(1)</script>", \
        "the data block ends where it should, and the label survives as text"
    assert "alert(1)</script>" not in page


def test_the_self_contained_file_loads_nothing_from_outside(store, tmp_path):
    out = tmp_path / "kg.html"
    data = write_file(store, out)
    page = out.read_text(encoding="utf-8")
    assert len(data["view"]) == len(data["nodes"])
    assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)="(?!data:)', page), "every asset is inline"
    assert "vis-network" in page and 'id="crmgraph-data"' in page
    assert list(tmp_path.iterdir()) == [out], "no temporary file is left behind"


def test_viz_refuses_a_missing_folder_and_writes_nothing(store, tmp_path):
    with pytest.raises(CrmgraphError, match="does not exist"):
        write_file(store, tmp_path / "missing" / "kg.html")


def test_crmgraph_viz_draws_a_named_query(store_path, tmp_path):
    from crmgraph.cli import app

    out = tmp_path / "supply.html"
    result = CliRunner().invoke(app, ["viz", "--query", "eu-crm-supply-from-central-asia", "-o", str(out),
                                      "--store", str(store_path)])
    assert result.exit_code == 0, result.output
    data = unpack(json.loads(re.search(r'id="crmgraph-data">(.*?)</script>', out.read_text(encoding="utf-8")).group(1)))
    labels = {data["nodes"][i]["label"] for i in data["view"]}
    assert "Kazakhstan" in labels and len(data["view"]) < len(data["nodes"])


def test_an_inferred_super_property_of_an_asserted_fact_is_not_repeated(net):
    kz = net.nodes[KZ]
    wikidata = [f for f in kz.facts if f["o"].get("iri") == "http://www.wikidata.org/entity/Q232"]
    assert [(f["pi"], f["inferred"]) for f in wikidata] == [(CRM + "wikidata", False)]


def test_the_data_says_when_and_with_what_the_graph_was_built(net):
    data = explorer_data(net, whole_view(net, max_nodes=5))
    assert data["built"]["builtWith"].startswith("crmgraph ") and re.match(r"\d{4}-\d\d-\d\dT", data["built"]["modified"])
