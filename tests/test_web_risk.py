"""The supply-risk pages (web/risk.py) on a real server over the hand-computed fixture of
tests/data/supply-fixture.ttl: the numbers on the pages are the library's, each page has its JSON
twin, each chart its table twin; bad input is a clear 400/404; the Vega assets are an allow-list;
and in Chromium the charts are drawn under the portal's CSP with no request leaving the server."""
from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from crmgraph.analysis.indicators import material_indicators
from crmgraph.analysis.supplydata import load
from crmgraph.namespaces import ID
from crmgraph.store.embedded import OxigraphStore
from crmgraph.web import create_app
from crmgraph.web.risk import INTERPRETER_IMPORT, INTERPRETER_SHIM
from crmgraph.web.sandbox import Limits

from .chromium import launch_chromium
from .test_web_sparql import serving

FIXTURE = Path(__file__).parent / "data" / "supply-fixture.ttl"


@pytest.fixture(scope="module")
def fixture_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("risk") / "store"
    store = OxigraphStore(path)
    store.replace_graph("https://example.org/fixture", [q.triple for q in ox.parse(path=str(FIXTURE), format=ox.RdfFormat.TURTLE)])
    store.close()
    return path


@pytest.fixture(scope="module")
def base(fixture_path, settings):
    with serving(create_app(fixture_path, settings, Limits(workers=1))) as url:
        yield url.removesuffix("/sparql")


@pytest.fixture(scope="module")
def client(base):
    with httpx.Client(base_url=base, timeout=60) as c:
        yield c


def test_overview_has_the_scatter_and_its_table_twin(client):
    r = client.get("/risk")
    assert r.status_code == 200
    spec = json.loads(re.search(r'<script type="application/json" id="sr-ei">(.*?)</script>', r.text).group(1))
    assert [p["sr"] for p in spec["layer"][0]["data"]["values"]] == [1.8]
    assert {layer["data"]["values"][0].get("sr", layer["data"]["values"][0].get("ei")) for layer in spec["layer"][2:]} == {1.0, 2.8}
    assert '<a href="/risk/material/antimony">antimony</a></td><td>1.8</td><td>2.5</td>' in r.text
    data = client.get("/risk.json").json()
    assert data["concentration"][0]["hhi"] == pytest.approx(4125) and data["thresholds"] == {"sr": 1.0, "ei": 2.8}


def test_material_page_and_its_json_twin(client, fixture_path):
    r = client.get("/risk/material/antimony")
    assert r.status_code == 200 and "HHI 4,125" in r.text and "60.0 %" in r.text and "TJ PCA (in force)" in r.text
    assert 'data-spec="series-0"' in r.text and 'data-spec="eu-0"' in r.text
    twin = client.get("/risk/material/antimony.json").json()
    store = OxigraphStore(fixture_path, read_only=True)
    expected = json.loads(json.dumps(__import__("dataclasses").asdict(material_indicators(load(store), ID + "material/antimony"))))
    store.close()
    assert twin == expected
    assert client.get("/risk/material/antimonium").status_code == 404


def test_country_page(client):
    r = client.get("/risk/country/TJ")
    assert r.status_code == 200 and "TJ PCA" in r.text and "20.0 %" in r.text
    assert client.get("/risk/country/TJ.json").json()["materials"][0]["share"] == pytest.approx(20)


def test_scenario_page_answers_with_its_evidence(client):
    r = client.get("/risk/scenario", params={"country": "CN", "material": "antimony"})
    assert r.status_code == 200
    assert "World production lost: <b>60 t = 60.0 %</b>" in r.text and "extraction: 30.0 %" in r.text
    assert "41.7 %" in r.text  # (20 + 5) / 60 of the gap
    assert 'href="/id/source/test"' in r.text and "/id/figure/tj" in r.text  # on whose data: the source (cited) and the figure
    j = client.get("/risk/scenario.json", params={"country": "CN", "material": "antimony"}).json()
    assert j["outcomes"][0]["lost_share"] == pytest.approx(60)
    bad = client.get("/risk/scenario", params={"country": "XX", "material": "antimony"})
    assert bad.status_code == 400 and "unknown country" in bad.text
    assert client.get("/risk/scenario.json", params={"country": "XX"}).status_code == 400


def test_the_agreement_and_project_scenarios_from_the_form(client):
    """The issue's other two kinds, by hand on the fixture: KZ's EPCA enters into force → the share of world
    antimony under in-force EU instruments goes from 20 % (TJ) to 25 %; the KZ test mine adds 15 t → KZ
    20 of 115 t = 17.4 %, Central Asia 40 of 115 = 34.8 %."""
    overview = client.get("/risk").text
    assert 'name="kind" value="agreement"' in overview and 'name="kind" value="project"' in overview
    r = client.get("/risk/scenario", params={"kind": "agreement", "instrument": "kz-epca"})
    assert r.status_code == 200 and "What if KZ EPCA enters into force?" in r.text
    assert "<td>20.0 %</td><td>25.0 %</td>" in r.text and 'href="/id/source/test"' in r.text
    j = client.get("/risk/scenario.json", params={"kind": "agreement", "instrument": "kz-epca"}).json()
    assert j["outcomes"][0]["share_after"] == pytest.approx(25)
    r = client.get("/risk/scenario", params={"kind": "project", "site": "test-mine", "tonnes": "15"})
    assert r.status_code == 200 and "<td>17.4 %</td>" in r.text and "<td>34.8 %</td>" in r.text
    assert "Kazakhstan&#x27;s share of world production" in r.text or "Kazakhstan's share of world production" in r.text
    bad = client.get("/risk/scenario", params={"kind": "project", "site": "test-mine", "tonnes": "lots"})
    assert bad.status_code == 400 and "is not a number" in bad.text
    bad = client.get("/risk/scenario.json", params={"kind": "agreement", "instrument": "kz-epc"})
    assert bad.status_code == 400 and "kz-epca" in bad.json()["hint"]
    assert client.get("/risk/scenario", params={"kind": "embargo"}).status_code == 400


def test_a_material_factsheet_embeds_its_indicators_and_a_supplier_chart_with_its_table_twin(client):
    """/id/material/antimony on the fixture: HHI 4,125, China largest (60 %), Central Asia 25 %, the Central
    Asian producers with the EU's instruments and their status, the ranked shares as a chart and a table,
    links to the /risk page and the scenario form."""
    r = client.get("/id/material/antimony")
    assert r.status_code == 200
    page = r.text
    risk = page[page.index('<h2 id="risk">'):]
    assert "4,125" in risk and "China</a> (60.0 %)" in risk and "<td>25.0 %</td>" in risk
    ca = risk[risk.index("<h3>Central Asian producers</h3>"):risk.index("<h3>Who produces it")]
    assert "Tajikistan" in ca and "TJ PCA</a> (in force)" in ca
    assert "Kazakhstan" in ca and "KZ EPCA</a> (signed, not yet in force)" in ca
    spec = json.loads(re.search(r'<script type="application/json" id="factsheet-suppliers">(.*?)</script>', page).group(1))
    bars = spec["data"]["values"]
    assert [b["supplier"] for b in bars] == ["China", "Tajikistan", "Türkiye", "Kazakhstan"]
    assert [b["share"] for b in bars] == [60, 20, 10, 5]
    for b in bars:   # the table twin has every bar
        assert re.search(rf'>{b["supplier"]}</a></td><td>{b["share"]:.1f} %</td>', risk), b
    assert 'href="/risk/material/antimony"' in risk and 'action="/risk/scenario"' in risk
    assert '<script src="/assets/vega/vega-lite.min.js"></script>' in page    # the chart's scripts, served here


def test_a_country_factsheet_embeds_the_materials_it_produces_and_its_centrality(client):
    r = client.get("/id/country/TJ")
    assert r.status_code == 200
    risk = r.text[r.text.index('<h2 id="risk">'):]
    assert "Centrality in the supply network" in risk and 'href="/risk/country/TJ"' in risk
    spec = json.loads(re.search(r'<script type="application/json" id="factsheet-materials">(.*?)</script>', r.text).group(1))
    assert spec["data"]["values"] == [{"supplier": "antimony (extraction)", "share": 20.0, "group": "Central Asian producer"}]
    assert spec["encoding"]["color"]["legend"] is None   # one group: a legend would say nothing
    assert re.search(r">antimony</a></td><td>extraction</td><td>mine</td><td>20.0 %</td><td>2</td>", risk)


def test_the_factsheet_charts_are_drawn_in_chromium(base):
    errors = []
    with launch_chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
        for path in ("/id/material/antimony", "/id/country/TJ"):
            page.goto(base + path)
            page.wait_for_selector("div.chart[data-drawn=true]", timeout=30_000)
            assert page.locator("#risk").is_visible() and page.locator("div.chart svg").count() == 1
    assert errors == []


def test_vega_assets_are_an_allow_list(client):
    js = client.get("/assets/vega/vega-interpreter.js")
    assert js.status_code == 200 and INTERPRETER_SHIM in js.text and INTERPRETER_IMPORT not in js.text
    assert client.get("/assets/vega/vega-embed.min.js").status_code == 200
    assert client.get("/assets/vega/risk.js").status_code == 200
    assert client.get("/assets/vega/package.json").status_code == 404


def test_charts_are_drawn_in_chromium_under_the_csp(base):
    outside, errors = [], []
    with launch_chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.route("**/*", lambda route: (outside.append(route.request.url), route.abort())
                   if not route.request.url.startswith(base) else route.continue_())
        for path, charts in (("/risk", 1), ("/risk/material/antimony", 2), ("/risk/scenario?country=CN&material=antimony", 1)):
            page.goto(base + path)
            page.wait_for_selector(f"div.chart[data-drawn=true] >> nth={charts - 1}", timeout=30_000)
            assert page.locator("div.chart svg").count() >= charts
    assert outside == [] and errors == []
