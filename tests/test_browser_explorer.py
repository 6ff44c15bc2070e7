"""The graph explorer (`/explore`, and the file of `crmgraph viz`) in a real browser: Debian's Chromium
driven by Playwright through `executable_path`, as in test_browser.py. What a researcher does with it —
filter by class, country or source, search, click a node for its facts and sources, expand a
neighbourhood — checked against the data the page carries (`window.crmgraphExplorer.data`).

Every request goes through `page.route`: one for any host but 127.0.0.1 (or, for a file opened from
disk, for anything but the file itself) is aborted and fails the test; so do a JavaScript error, an
error on the console and a dialog. One browser and one server for the module."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crmgraph.views.explorer import render_page, write_file
from crmgraph.views.network import explorer_data, load_network, whole_view
from crmgraph.web.sandbox import Limits
from crmgraph.web import create_app

from .chromium import launch_chromium
from .test_web_sparql import serving

LIMITS = Limits(timeout_s=20.0, max_rows=5000, workers=1)
READY = "body[data-ready='true']"   # a selector: waiting on it needs no eval, which the portal's CSP forbids
XSS = "<img src=x onerror=alert(1)>"
EXPAND_CAP = 50


@pytest.fixture(scope="module")
def base_url(store_path, settings):
    with serving(create_app(store_path, settings, LIMITS)) as url:
        yield url.removesuffix("/sparql")


@pytest.fixture(scope="module")
def net(store):
    return load_network(store)


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as browser:
        yield browser


class Watched:
    """A page and what it did: requests refused, JavaScript errors, console errors, dialogs."""

    def __init__(self, page):
        self.page = page
        self.allowed_files: set[str] = set()
        self.outside: list[str] = []
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []

    def allow_file(self, path: Path) -> str:
        url = path.resolve().as_uri()
        self.allowed_files.add(url)
        return url


@pytest.fixture
def watched(browser):
    """A fresh page whose every request is checked: only 127.0.0.1 (and files allowed one by one) pass;
    anything else is aborted and recorded, and fails the test at the end, as do errors and dialogs."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    w = Watched(page)

    def check(route):
        url = route.request.url
        parts = urlsplit(url)
        if url in w.allowed_files or (parts.scheme == "http" and parts.hostname == "127.0.0.1"):
            route.continue_()
        else:
            w.outside.append(url)
            route.abort()

    page.route("**/*", check)
    page.on("request", lambda request: w.requests.append(request.url))
    page.on("pageerror", lambda exc: w.errors.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: w.errors.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)

    def on_dialog(dialog):
        w.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.set_default_timeout(20_000)
    yield w
    context.close()
    assert not w.outside, f"requests were refused: {w.outside}"
    assert not w.errors, f"errors in the page: {w.errors}"
    assert not w.dialogs, f"dialogs opened: {w.dialogs}"


def open_explorer(page, url: str) -> dict:
    """Go to the explorer and wait for its first draw; its data (as JSON text: Playwright's own
    serialisation of a large object takes a second)."""
    page.goto(url)
    page.wait_for_selector(READY, state="attached", timeout=30_000)
    return json.loads(page.evaluate("() => JSON.stringify(window.crmgraphExplorer.data)"))


def visible_nodes(page) -> set[int]:
    return set(page.evaluate("() => window.crmgraphExplorer.visibleNodeIds()"))


def visible_edges(page) -> set[int]:
    return set(page.evaluate("() => window.crmgraphExplorer.visibleEdgeIds()"))


def overlapping_labels(page) -> list:
    """Pairs of names drawn on screen whose boxes overlap, measured in the page: each named node's label
    box from its position on screen, the width of its text in the label font, and the label's side."""
    return page.evaluate("""() => {
        const x = window.crmgraphExplorer, n = x.network, ctx = document.createElement('canvas').getContext('2d');
        const boxes = x.visibleNodeIds().map(id => n.body.nodes[id]).filter(v => v.options.label).map(v => {
            const scale = n.getScale(), f = v.options.font, size = f.size * scale;
            ctx.font = `${size}px arial`;
            const w = ctx.measureText(v.options.label).width, p = n.canvasToDOM({x: v.x, y: v.y});
            const inside = ['box', 'ellipse', 'circle', 'database', 'text'].includes(v.options.shape);
            const top = inside ? p.y - size / 2 : p.y + (v.options.size + 2) * scale + (f.vadjust || 0) * scale;
            return {id: v.id, x0: p.x - w / 2, x1: p.x + w / 2, y0: top, y1: top + size}; });
        const out = [];
        for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i], b = boxes[j];
            if (a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1) out.push([a, b]);
        }
        return out; }""")


def test_a_hovered_node_is_named_even_where_its_name_does_not_fit(watched, base_url):
    page = watched.page
    data = open_explorer(page, base_url + "/explore")
    unnamed = next(i for i in page.evaluate("() => window.crmgraphExplorer.visibleNodeIds()")
                   if not page.evaluate("id => window.crmgraphExplorer.network.body.nodes[id].options.label", i))
    page.evaluate("id => { window.crmgraphExplorer.network.emit('hoverNode', {node: id}); }", unnamed)
    label = page.evaluate("id => window.crmgraphExplorer.network.body.data.nodes.get(id).label", unnamed)
    assert label and data["nodes"][unnamed]["label"].startswith(label.rstrip("\u2026"))


def node_id(data: dict, label: str) -> int:
    (found,) = [n["id"] for n in data["nodes"] if n["label"] == label]
    return found


def neighbours(data: dict, node: int) -> set[int]:
    return ({e["to"] for e in data["edges"] if e["from"] == node}
            | {e["from"] for e in data["edges"] if e["to"] == node}) - {node}


def node_position(page, node: int) -> tuple[float, float]:
    """Where a node is drawn, in page coordinates (zoomed in on it first, so no neighbour overlaps it)."""
    dom = page.evaluate("""id => { const net = window.crmgraphExplorer.network;
        net.moveTo({position: net.getPosition(id), scale: 1.2, animation: false}); net.redraw();
        return net.canvasToDOM(net.getPosition(id)); }""", node)
    box = page.locator("#network canvas").bounding_box()
    return box["x"] + dom["x"], box["y"] + dom["y"]


def click_node(page, node: int) -> None:
    """A real mouse click on a node; waits for its side panel."""
    page.mouse.click(*node_position(page, node))
    page.wait_for_function("""id => { const h = document.querySelector('#panel:not([hidden]) h2');
        return h !== null && h.textContent === window.crmgraphExplorer.data.nodes[id].label; }""", arg=node)


def panel_source_keys(page) -> set[str]:
    """The keys of the sources the panel cites (each citation link names its source by index)."""
    data_sources = page.evaluate("() => window.crmgraphExplorer.data.sources.map(s => s.key)")
    return {data_sources[int(i)] for i in page.locator("#panel .ref a[data-source]").evaluate_all(
        "links => links.map(a => a.dataset.source)")}


def panel_citations(page) -> list[str]:
    return page.locator("#panel .ref a[data-source]").all_inner_texts()


def cited_keys(data: dict, node: dict) -> set[str]:
    """The keys of the sources of a node's stated facts and its statements (a compilation they were
    cited in is named in the citation's tooltip, not as a citation of its own)."""
    refs = [r for f in node["facts"] if not f["inferred"] for r in f["refs"]]
    refs += [r for s in node["statements"] for r in s["refs"]]
    return {data["sources"][r[0]]["key"] for r in refs if r[0] is not None}


# -- the page ------------------------------------------------------------------------------------

def test_the_explorer_draws_every_entity_with_a_legend_of_classes(watched, base_url, net):
    page = watched.page
    data = open_explorer(page, base_url + "/explore")
    assert page.locator("#network canvas").count() == 1
    entities = len(net.nodes)
    assert len(data["nodes"]) == entities and len(data["view"]) == entities
    page.locator("#show-isolated").check()  # the unlinked entities too (hidden at first: see below)
    assert visible_nodes(page) == set(data["view"])
    assert page.evaluate("() => window.crmgraphExplorer.readyMs") > 0
    # every node on screen is placed where the server put it, scaled by one factor to the screen:
    # nothing waits for physics
    positions = page.evaluate("() => window.crmgraphExplorer.network.getPositions()")
    assert len(positions) == entities
    far = max(data["nodes"], key=lambda n: abs(n["x"]))
    factor = positions[str(far["id"])]["x"] / far["x"]
    assert factor > 0
    assert all(abs(positions[str(n["id"])]["x"] - n["x"] * factor) < 1.5 and
               abs(positions[str(n["id"])]["y"] - n["y"] * factor) < 1.5 for n in data["nodes"])
    legend = page.locator("#legend .legend-item").all_inner_texts()
    assert [item.strip() for item in legend] == [f"{s['label']} ({s['count']})" for s in data["styles"]]
    assert "Central Asian country (5)" in [item.strip() for item in legend]
    assert sum(s["count"] for s in data["styles"]) == entities
    links = len(visible_edges(page))
    assert links > entities
    assert page.locator("#counts").inner_text() == f"{entities} of {entities} entities, {links} links on screen"


def _unlinked(data: dict) -> set[int]:
    """Entities of the view with no link to another entity of the view."""
    view = set(data["view"])
    linked = {end for e in data["edges"] if e["from"] != e["to"] and e["from"] in view and e["to"] in view
              for end in (e["from"], e["to"])}
    return view - linked


def test_the_explorer_opens_on_the_connected_graph_fitted_with_the_unlinked_hidden(watched, base_url):
    """Issue 11.6: no ring of unlinked entities around a small hairball: they are hidden, counted, and
    one tick shows them; the largest linked group fills the screen; only the best-linked are named."""
    page = watched.page
    data = open_explorer(page, base_url + "/explore")
    unlinked = _unlinked(data)
    assert len(unlinked) > 10
    assert visible_nodes(page) == set(data["view"]) - unlinked
    toggle = page.locator("#isolated-toggle")
    assert toggle.inner_text().strip() == f"show {len(unlinked)} unlinked entities (hidden)"
    assert "/explore" in page.url and "isolated=" not in page.url
    # fitted: the largest linked group spans most of the canvas, at about the opening zoom of 1
    box = page.evaluate("""() => { const x = window.crmgraphExplorer, n = x.network;
        const pos = n.getPositions(x.mainComponent), ids = Object.keys(pos);
        const dom = ids.map(id => n.canvasToDOM(pos[id]));
        const c = document.getElementById('network');
        return {w: Math.max(...dom.map(p => p.x)) - Math.min(...dom.map(p => p.x)),
                h: Math.max(...dom.map(p => p.y)) - Math.min(...dom.map(p => p.y)),
                cw: c.clientWidth, ch: c.clientHeight, scale: n.getScale()}; }""")
    assert box["w"] > 0.6 * box["cw"] or box["h"] > 0.6 * box["ch"], box
    assert 0.5 < box["scale"] < 2, box
    # labels decluttered by zoom: names where they fit, the best-linked first; more as one zooms in
    named = page.evaluate("() => window.crmgraphExplorer.labelled()")
    assert 20 <= named < len(data["view"]) - len(unlinked)
    assert not overlapping_labels(page), "no two names are drawn over each other"
    page.evaluate("() => { const n = window.crmgraphExplorer.network; n.moveTo({scale: n.getScale() * 2}); "
                  "n.emit('zoom', {scale: n.getScale()}); }")
    page.wait_for_timeout(300)   # (the names are chosen again on the next frame)
    assert page.evaluate("() => window.crmgraphExplorer.labelled()") > 1.5 * named
    assert not overlapping_labels(page)
    # the toggle shows them, and the URL keeps it
    page.locator("#show-isolated").check()
    assert visible_nodes(page) == set(data["view"])
    assert "isolated=show" in page.url


def test_unticking_a_class_in_the_legend_hides_its_nodes(watched, base_url):
    page = watched.page
    data = open_explorer(page, base_url + "/explore")
    central_asia = {n["id"] for n in data["nodes"] if n["style"] == "central-asia"}
    assert {data["nodes"][i]["label"] for i in central_asia} == {
        "Kazakhstan", "Kyrgyzstan", "Tajikistan", "Turkmenistan", "Uzbekistan"}
    before, edges_before = visible_nodes(page), visible_edges(page)
    box = page.locator("#legend input[data-style=central-asia]")
    box.uncheck()
    assert visible_nodes(page) == before - central_asia
    assert all(data["edges"][i]["from"] not in central_asia and data["edges"][i]["to"] not in central_asia
               for i in visible_edges(page))
    assert "Central Asian country (0)" in page.locator("#legend").inner_text()
    box.check()
    assert visible_nodes(page) == before and visible_edges(page) == edges_before
    assert "Central Asian country (5)" in page.locator("#legend").inner_text()


def test_a_country_filter_keeps_the_country_and_its_neighbours(watched, base_url):
    page = watched.page
    data = open_explorer(page, base_url + "/explore")
    everything = visible_nodes(page)
    kz = node_id(data, "Kazakhstan")
    page.locator("#filter-country").select_option(label="Kazakhstan")
    expected = {kz} | neighbours(data, kz)
    assert len(expected) > 20
    assert visible_nodes(page) == expected
    assert all({data["edges"][i]["from"], data["edges"][i]["to"]} <= expected for i in visible_edges(page))
    page.locator("#filter-country").select_option(value="")
    assert visible_nodes(page) == everything


def test_a_source_filter_keeps_only_what_cites_the_source(watched, base_url):
    page = watched.page
    data = open_explorer(page, base_url + "/explore")
    (seed_002,) = [i for i, s in enumerate(data["sources"]) if s["key"] == "seed-002"]
    page.locator("#filter-source").select_option(value=str(seed_002))
    citing_edges = {i for i, e in enumerate(data["edges"]) if seed_002 in e["sources"]}
    ends = {data["edges"][i][end] for i in citing_edges for end in ("from", "to")}
    citing_nodes = {n["id"] for n in data["nodes"] if seed_002 in n["sources"]}
    assert citing_edges and citing_nodes
    assert visible_edges(page) == citing_edges
    assert visible_nodes(page) == citing_nodes | ends
    assert len(visible_nodes(page)) < len(data["nodes"])
    page.locator("#reset").click()  # back to the opening view: the unlinked entities hidden again
    assert visible_nodes(page) == set(data["view"]) - _unlinked(data)


def test_search_finds_an_entity_and_opens_its_panel_with_sources(watched, base_url):
    page = watched.page
    data = open_explorer(page, base_url + "/explore")
    page.locator("#search").press_sequentially("lithium")
    results = page.locator("#search-results button")
    results.first.wait_for()
    found = [data["nodes"][int(i)]["label"] for i in results.evaluate_all("bs => bs.map(b => b.dataset.node)")]
    assert set(found) >= {n["label"] for n in data["nodes"] if n["label"].lower().startswith("lithium")}
    assert found[0] == "lithium"
    lithium = data["nodes"][int(results.first.get_attribute("data-node"))]
    assert lithium["label"] == "lithium" and lithium["style"] == "crm"
    results.first.click()
    panel = page.locator("#panel")
    panel.locator("h2").wait_for()
    assert panel.is_visible() and panel.locator("h2").inner_text() == "lithium"
    assert page.evaluate("() => window.crmgraphExplorer.network.getSelectedNodes()") == [lithium["id"]]
    assert panel.locator("table.facts tr").count() == len(lithium["facts"]) > 0
    assert panel.locator("ul.statements li").count() == len(lithium["statements"]) > 0
    keys = cited_keys(data, lithium)
    assert keys and panel_source_keys(page) == keys
    assert "EU critical raw materials list 2023" in panel.inner_text()
    assert page.locator("#search-results button").count() == 0   # the list closes after a choice


def test_clicking_a_node_shows_its_facts_with_sources_locators_and_inferred_types(watched, base_url):
    page = watched.page
    data = open_explorer(page, base_url + "/explore")
    kz = node_id(data, "Kazakhstan")
    click_node(page, kz)
    panel = page.locator("#panel")
    assert panel.locator("h2").inner_text() == "Kazakhstan"
    assert panel.locator(".iri").inner_text() == "https://w3id.org/crmgraph/id/country/KZ"
    # facts with their sources and locators
    refs = panel.locator("table.facts .ref")
    (seed_000,) = [s for s in data["sources"] if s["key"] == "seed-000"]
    cited = [t for t in refs.all_inner_texts() if t.startswith(seed_000["short"])]
    assert cited and any("Kazakhstan ¶" in t for t in cited), cited
    assert panel_source_keys(page) == cited_keys(data, data["nodes"][kz])
    assert not any(t in {s["key"] for s in data["sources"]} for t in panel_citations(page))  # never a bare key
    assert "not given" not in panel.inner_text()
    # what the reasoner added is marked
    types = panel.locator(".types").inner_text()
    assert "country producing a critical raw material inferred" in types
    assert "Central Asian country inferred" in types
    assert types.strip().startswith("country,")   # asserted, not marked
    inferred_facts = [f for f in data["nodes"][kz]["facts"] if f["inferred"]]
    assert panel.locator("table.facts .inferred").count() == len(inferred_facts)
    # the neighbourhood is counted
    assert f"{len(neighbours(data, kz))} linked entities" in panel.locator("#neighbourhood").inner_text()


def test_expanding_a_neighbourhood_is_counted_first_and_capped(watched, base_url):
    page = watched.page
    data = open_explorer(page, base_url + "/explore?query=eu-crm-supply-from-central-asia")
    shown = set(data["view"])
    assert visible_nodes(page) == shown and len(shown) < len(data["nodes"])
    node = max(shown, key=lambda n: len(neighbours(data, n) - shown))
    linked = neighbours(data, node)
    hidden = linked - shown
    assert len(hidden) > EXPAND_CAP   # Kazakhstan: most of its links are outside the answer
    click_node(page, node)
    text = page.locator("#neighbourhood").inner_text()
    assert f"{len(linked)} linked entities: {len(linked) - len(hidden)} on screen, {len(hidden)} not shown." in text
    assert page.locator("#expand").inner_text() == f"Show {EXPAND_CAP} of the {len(hidden)} (most linked first)"
    page.locator("#expand").click()
    after = visible_nodes(page)
    added = after - shown
    assert len(added) == EXPAND_CAP and added <= hidden
    degree = {n: sum(n in (e["from"], e["to"]) for e in data["edges"]) for n in hidden}   # most links first
    assert min(degree[n] for n in added) >= max(degree[n] for n in hidden - added)
    positions = page.evaluate("ids => window.crmgraphExplorer.network.getPositions(ids)", sorted(added))
    assert len(positions) == EXPAND_CAP and all(abs(p["x"]) < 1e6 and abs(p["y"]) < 1e6 for p in positions.values())
    rest = len(hidden) - EXPAND_CAP
    assert (f"{len(linked)} linked entities: {len(linked) - rest} on screen, {rest} not shown."
            in page.locator("#neighbourhood").inner_text())
    assert page.locator("#expand").inner_text() == f"Show {rest}"


def test_expanding_under_a_filter_adds_only_what_the_filter_shows(watched, base_url):
    page = watched.page
    data = open_explorer(page, base_url + "/explore?query=eu-crm-supply-from-central-asia")
    shown = set(data["view"])
    kz = node_id(data, "Kazakhstan")
    linked = neighbours(data, kz)
    filtered = {n for n in linked if data["nodes"][n]["style"] == "material"}
    addable = linked - shown - filtered
    assert filtered and 0 < len(addable) <= EXPAND_CAP
    page.locator("#legend input[data-style=material]").uncheck()
    click_node(page, kz)
    on_screen = len(linked & shown)
    assert (f"{len(linked)} linked entities: {on_screen} on screen, {len(addable)} not shown, "
            f"{len(filtered)} hidden by the filters." in page.locator("#neighbourhood").inner_text())
    page.locator("#expand", has_text=f"Show {len(addable)}").click()
    assert visible_nodes(page) == shown | addable   # every node the click added is on screen
    assert (f"{len(linked)} linked entities: {on_screen + len(addable)} on screen, 0 not shown, "
            f"{len(filtered)} hidden by the filters." in page.locator("#neighbourhood").inner_text())
    assert page.locator("#expand").count() == 0


# -- safety and the self-contained file ------------------------------------------------------------

def test_markup_in_the_data_is_shown_as_text(watched, net, tmp_path):
    page = watched.page
    data = copy.deepcopy(explorer_data(net, whole_view(net), local_links=False))
    kz = node_id(data, "Kazakhstan")
    node = data["nodes"][kz]
    label = "Kazakhstan " + XSS
    node["label"] = label
    node["href"] = "javascript:alert(2)"
    node["facts"][0]["o"] = "fact " + XSS
    node["statements"][0]["text"] = "statement " + XSS
    source = next(r[0] for f in node["facts"] for r in f["refs"] if r[0] is not None)
    data["sources"][source]["key"] = data["sources"][source]["short"] = "source " + XSS
    data["sources"][source]["href"] = data["sources"][source]["link"] = "javascript:alert(3)"
    data["title"] = "title " + XSS
    data["note"] = "note " + XSS
    path = tmp_path / "xss.html"
    path.write_text(render_page(data, inline=True), encoding="utf-8")
    url = watched.allow_file(path)

    open_explorer(page, url)
    assert page.locator("h1").inner_text() == "title " + XSS
    assert page.locator("#note").inner_text() == "note " + XSS
    page.evaluate("id => window.crmgraphExplorer.select(id)", kz)
    panel = page.locator("#panel")
    assert panel.locator("h2").inner_text() == label
    assert "fact " + XSS in panel.inner_text() and "statement " + XSS in panel.inner_text()
    assert panel.locator(".ref a", has_text="source " + XSS).count() > 0
    assert page.locator("img").count() == 0
    assert page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))"
                         ".filter(h => h.toLowerCase().startsWith('javascript'))") == []
    assert page.locator("#filter-country option", has_text=label).count() == 1
    page.locator("#search").press_sequentially("onerror")
    assert page.locator("#search-results button").evaluate_all("bs => bs.map(b => +b.dataset.node)") == [kz]
    assert label in page.locator("#search-results button").inner_text()
    # the tooltip vis-network shows on hover is text too
    x, y = node_position(page, kz)
    page.mouse.move(x - 3, y - 3)
    page.mouse.move(x, y)
    tooltip = page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible")
    assert tooltip.inner_text().startswith(label)
    page.wait_for_timeout(200)
    assert watched.requests == [url]


def test_a_panel_cut_short_says_how_many_statements_there_are(watched, net, tmp_path):
    page = watched.page
    data = copy.deepcopy(explorer_data(net, whole_view(net), local_links=False))
    kz = node_id(data, "Kazakhstan")
    listed = len(data["nodes"][kz]["statements"])
    data["nodes"][kz]["statementCount"] = 1234   # as network.py writes it for a node with more than it carries
    path = tmp_path / "cut.html"
    path.write_text(render_page(data, inline=True), encoding="utf-8")
    open_explorer(page, watched.allow_file(path))
    page.evaluate("id => window.crmgraphExplorer.select(id)", kz)
    panel = page.locator("#panel")
    assert panel.locator("h3", has_text="Figures, claims and list entries").inner_text().endswith("(1,234)")
    assert panel.locator("ul.statements li").count() == listed
    assert panel.locator("#statements-cut").inner_text() == f"The first {listed} are listed here; all of them are on its page"
    assert panel.locator("#statements-cut a").get_attribute("href") == data["nodes"][kz]["iri"]


def test_the_file_of_crmgraph_viz_works_offline(watched, store, tmp_path):
    page = watched.page
    path = tmp_path / "graph.html"
    written = write_file(store, path)
    url = watched.allow_file(path)
    data = open_explorer(page, url)
    assert len(data["nodes"]) == len(written["nodes"])
    assert visible_nodes(page) == set(written["view"]) - _unlinked(written)
    page.locator("#search").press_sequentially("kazakh")
    page.locator("#search-results button", has_text="Kazakhstan").first.click()
    assert page.locator("#panel h2").inner_text() == "Kazakhstan"
    assert "seed-000" in panel_source_keys(page)
    page.locator("#filter-country").select_option(label="Kazakhstan")
    assert visible_nodes(page) == {node_id(data, "Kazakhstan")} | neighbours(data, node_id(data, "Kazakhstan"))
    page.wait_for_timeout(200)
    assert watched.requests == [url]   # nothing but the file itself: no script, style, font or image fetched


def test_a_filtered_view_is_in_its_url_and_opens_the_same_elsewhere(watched, browser, base_url):
    page = watched.page
    data = open_explorer(page, base_url + "/explore")
    page.select_option("#filter-country", label="Kazakhstan")
    page.uncheck("input[data-style=person]")
    page.select_option("#filter-source", value=str([s["key"] for s in data["sources"]].index("seed-000")))
    page.fill("#search", "lithium")
    page.locator("#search-results button").first.click()
    shared = page.url
    assert "country=https%3A%2F%2Fw3id.org%2Fcrmgraph%2Fid%2Fcountry%2FKZ" in shared
    assert "hide=person" in shared and "source=seed-000" in shared and "focus=" in shared
    on_screen = visible_nodes(page)

    other = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    try:
        other.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).hostname == "127.0.0.1"
                    else route.abort())
        open_explorer(other, shared)
        assert visible_nodes(other) == on_screen
        assert other.locator("#panel h2").inner_text() == "lithium"
        assert other.input_value("#filter-country") == str(node_id(data, "Kazakhstan"))
        assert not other.is_checked("input[data-style=person]")
        other.click("#reset")
        assert "country=" not in other.url and "hide=" not in other.url and "source=" not in other.url
    finally:
        other.context.close()


def test_clicking_a_link_shows_what_it_says_and_on_whose_word(watched, base_url):
    page = watched.page
    data = open_explorer(page, base_url + "/explore?query=eu-crm-supply-from-central-asia")
    kz, lithium = node_id(data, "Kazakhstan"), node_id(data, "lithium")
    (edge,) = [i for i, e in enumerate(data["edges"])
               if (e["from"], e["to"]) == (kz, lithium) and e["kind"] == "fact" and e["label"] == "has reserves of"]
    point = page.evaluate("""([a, b]) => { const net = window.crmgraphExplorer.network;
        const pa = net.getPosition(a), pb = net.getPosition(b);
        const mid = {x: (pa.x + pb.x) / 2, y: (pa.y + pb.y) / 2};
        net.moveTo({position: mid, scale: 2, animation: false}); net.redraw();
        return net.canvasToDOM(mid); }""", [kz, lithium])
    box = page.locator("#network canvas").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    title = page.locator("#edge-title")
    title.wait_for()
    assert title.inner_text() == "Kazakhstan — has reserves of → lithium"
    keys = {data["sources"][r[0]]["key"] for r in data["edges"][edge]["refs"] if r[0] is not None}
    assert keys and panel_source_keys(page) == keys
    shown = page.locator("#panel .refs").inner_text()
    assert all(r[1] in shown for r in data["edges"][edge]["refs"] if r[1]), shown
    # a link that stands for figures lists them, each with its sources
    (figures,) = [i for i, e in enumerate(data["edges"]) if e["kind"] == "figure"][:1]
    page.evaluate("i => window.crmgraphExplorer.selectEdge(i)", figures)
    items = page.locator("#panel ul.statements li")
    assert items.count() == len(data["edges"][figures]["statements"]) > 0
    assert page.locator("#panel ul.statements .ref a").count() > 0
    # and its ends lead to their panels
    page.locator("#edge-title a").first.click()
    assert page.locator("#panel h2").inner_text() == data["nodes"][data["edges"][figures]["from"]]["label"]


def test_the_search_box_finds_by_alias_and_code_and_selects_the_node(watched, base_url):
    """Served, the explorer's search asks the portal's /search.json (aliases, ISO codes, accents);
    choosing a hit (keyboard or mouse) focuses and selects its node and opens its panel."""
    page = watched.page
    data = open_explorer(page, base_url + "/explore")
    search = page.locator("#search")
    search.press_sequentially("turkiye")
    results = page.locator("#search-results button")
    results.first.wait_for()
    tr = node_id(data, "Türkiye")
    assert int(results.first.get_attribute("data-node")) == tr
    search.fill("")
    search.press_sequentially("kz")
    page.wait_for_function("""id => { const b = document.querySelector('#search-results button');
        return b !== null && +b.dataset.node === id; }""", arg=node_id(data, "Kazakhstan"))
    assert any("/search.json?q=kz" in u for u in watched.requests)
    search.press("ArrowDown")
    search.press("Enter")
    assert page.locator("#panel h2").inner_text() == "Kazakhstan"
    assert page.evaluate("() => window.crmgraphExplorer.network.getSelectedNodes()") == [node_id(data, "Kazakhstan")]


def test_nodes_are_coloured_by_an_indicator_with_a_legend_and_no_data_is_grey(watched, net, tmp_path):
    """The "colour by" menu lists the indicators the data carries; a material with a value takes the colour
    of its step, a material without one is grey ("no data", counted in the legend), a country is faded."""
    page = watched.page
    data = copy.deepcopy(explorer_data(net, whole_view(net), local_links=False))
    lithium, antimony, tungsten = (node_id(data, x) for x in ("lithium", "antimony", "tungsten"))
    kz = node_id(data, "Kazakhstan")
    data["indicators"] = [{"key": "hhi-world", "label": "Concentration of world production (HHI)", "applies": "material",
                           "unit": "HHI 0–10,000", "about": "test values",
                           "values": {str(lithium): 1000, str(antimony): 4100, str(tungsten): 6000},
                           "details": {str(antimony): "mine production (2024)"}}]
    path = tmp_path / "colour.html"
    path.write_text(render_page(data, inline=True), encoding="utf-8")
    open_explorer(page, watched.allow_file(path))
    options = page.locator("#colour-by option").all_inner_texts()
    assert "Concentration of world production (HHI)" in options
    page.select_option("#colour-by", value="hhi-world")

    def colour(i):
        return page.evaluate("id => window.crmgraphExplorer.nodeColour(id)", i)

    assert colour(lithium) == "#ffffb2" and colour(tungsten) == "#bd0026"   # lowest and highest step
    assert colour(antimony) not in ("#b0b0b0", "#f1f1f1")
    (cobalt,) = [n["id"] for n in data["nodes"] if n["label"] == "cobalt"]
    assert colour(cobalt) == "#b0b0b0"                                     # a material with no value: no data
    assert colour(kz) == "#f1f1f1"                                         # not a material: faded
    legend = page.locator("#indicator-legend")
    assert legend.is_visible()
    materials = [n for n in data["nodes"] if n["style"] in ("crm", "material", "grade")]
    assert f"no data ({len(materials) - 3})" in legend.inner_text()
    assert "1,000 – " in legend.inner_text() and " – 6,000" in legend.inner_text()
    assert "mine production (2024)" in page.evaluate("id => window.crmgraphExplorer.network.body.data.nodes.get(id).title", antimony)
    page.select_option("#colour-by", value="")                             # back to the classes
    assert not legend.is_visible()
    assert colour(cobalt) == next(s["color"] for s in data["styles"] if s["key"] == data["nodes"][cobalt]["style"])


def test_without_the_datasets_the_colour_menu_says_why_each_indicator_is_unavailable(watched, base_url):
    """The tests' store is built without the outside datasets: every indicator is listed, disabled, and a
    note says which dataset it needs and the command that imports it — not a silently grey graph."""
    page = watched.page
    data = open_explorer(page, base_url + "/explore?colour=hhi-world")
    assert data["indicators"] and all(i.get("unavailable") for i in data["indicators"])
    options = page.locator("#colour-by option")
    texts = options.all_inner_texts()
    assert "Concentration of world production (HHI) (unavailable: no data in this store)" in texts
    assert all(options.nth(k).is_disabled() for k in range(1, options.count()))
    note = page.locator("#colour-note").inner_text()
    assert note.startswith("No indicators available: they need the ")
    assert "USGS MCS 2025" in note and "EC CRM study 2023" in note and "Run `crmgraph build`" in note
    assert "crmgraph import" in options.nth(1).get_attribute("title")
    assert page.locator("#colour-by").input_value() == ""          # ?colour= of an unavailable one: classes
    assert not page.locator("#indicator-legend").is_visible()


def test_the_page_unpacks_the_servers_data_as_python_does(watched, base_url):
    """The browser's unpack (explorer.js) and views.wire.unpack read the packed data alike (positions
    aside: the page scales them to the screen)."""
    import httpx

    from crmgraph.views.wire import unpack

    in_page = open_explorer(watched.page, base_url + "/explore")
    expected = unpack(httpx.get(base_url + "/explore.json", timeout=60).json())
    for data in (in_page, expected):
        for n in data["nodes"]:
            n.pop("x", None), n.pop("y", None)
    assert in_page == expected


def test_the_whole_graph_page_is_drawn_before_its_data_and_says_when_the_data_fails(watched, base_url):
    page = watched.page
    page.route("**/explore.json", lambda route: route.fulfill(
        status=503, content_type="application/json", body='{"error": "busy", "message": "the server is busy"}'))
    page.goto(base_url + "/explore")
    page.wait_for_selector("body[data-ready='error']", state="attached", timeout=30_000)
    assert page.locator("header h1").inner_text() == "The knowledge graph"
    assert page.locator("#search").is_visible() and page.locator("#controls").is_visible()
    assert "The graph could not be loaded: the server is busy" in page.locator("#loading").inner_text()
    watched.errors.clear()   # the failed fetch's console message is the point of this test
