"""The chart pages (web/charts.py) on a real server: each page carries its data as a table twin and as
JSON, and they agree; bad choices are a 400 that names the good ones; a query's answer with a column of
countries goes on the map; the asset route serves its allow-list and nothing else."""
from __future__ import annotations

import html
import re

import httpx
import pytest

from crmgraph.web import create_app
from crmgraph.web.sandbox import Limits

from .test_web_sparql import serving

LIMITS = Limits(timeout_s=10.0, max_rows=1000, workers=1)


@pytest.fixture(scope="module")
def client(store_path, settings):
    with serving(create_app(store_path, settings, LIMITS)) as url, \
            httpx.Client(base_url=url.removesuffix("/sparql"), timeout=60) as c:
        yield c


def _rows(page: str, table_id: str) -> list[str]:
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', page, flags=re.S).group(1)
    return re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S)[1:]


def test_timeline_page_has_its_steps_in_the_table_and_the_json(client):
    page = client.get("/views/timeline")
    assert page.status_code == 200
    data = client.get("/views/timeline.json").json()["items"]
    rows = _rows(page.text, "timeline-table")
    assert len(rows) == len(data) > 20
    first = data[0]
    assert html.escape(first["label"]) in rows[0] and first["date"] in rows[0]
    for row, item in zip(rows, data):  # every step names its sources, linked to their pages
        assert all(f'href="/id/source/{r["source"].rsplit("/", 1)[-1]}"' in row for r in item["references"])
    assert '<script src="/assets/views/vis-timeline-graph2d.min.js"' in page.text
    assert 'id="timeline-data"' in page.text


def test_shares_page_lists_every_bar_in_its_table(client):
    data = client.get("/views/shares.json", params={"quantity": "share-of-eu-imports"}).json()
    page = client.get("/views/shares", params={"quantity": "share-of-eu-imports"}).text
    assert len(_rows(page, "shares-table")) == sum(len(g["bars"]) for g in data["groups"]) > 3
    assert page.count('class="bar combined"') == sum(len(b["subjects"]) > 1 for g in data["groups"] for b in g["bars"]) >= 1
    assert 'selected>share of EU imports</option>' in page


@pytest.mark.parametrize("path", ["/views/shares?quantity=gossip", "/views/map?measure=gossip",
                                  "/views/map?measure=world-share&material=unobtainium"])
def test_a_bad_choice_is_a_400_naming_the_good_ones(client, path):
    r = client.get(path)
    assert r.status_code == 400
    r = client.get(path.replace("?", ".json?"))
    assert r.status_code == 400 and r.json()["hint"]


def test_map_page_colours_countries_and_lists_the_central_asian_states(client):
    data = client.get("/views/map.json").json()
    kz = next(c for c in data["countries"] if c["code"] == "398")
    assert kz["label"] == "Kazakhstan" and kz["value"] >= 5 and kz["centralAsian"]
    page = client.get("/views/map").text
    block = re.search(r'<div class="ca" id="central-asia">(.*?)</div>\n<h2', page, flags=re.S).group(1)
    for name in ("Kazakhstan", "Uzbekistan", "Tajikistan", "Kyrgyzstan", "Turkmenistan"):
        assert f">{name}</a>" in block
    assert 'href="/id/site/' in block
    assert '<tr data-code="398">' in page
    status = client.get("/views/map", params={"measure": "instrument-status"}).text
    assert re.search(r'<tr data-code="398"><td><a href="/id/country/KZ">Kazakhstan</a></td><td>398</td><td>in force</td>', status)


def test_a_query_answer_with_countries_goes_on_the_map(client):
    sparql = "SELECT ?c (COUNT(?i) AS ?n) WHERE { ?c a crm:CentralAsianCountry ; crm:partyTo ?i } GROUP BY ?c"
    data = client.get("/views/map.json", params={"sparql": sparql}).json()
    assert {c["code"] for c in data["countries"]} == {"398", "417", "762", "795", "860"}
    assert data["title"].startswith("n ")
    assert client.get("/views/map", params={"sparql": sparql}).status_code == 200
    none = client.get("/views/map.json", params={"sparql": "SELECT ?x WHERE { VALUES ?x { 1 } }"})
    assert none.status_code == 400 and "no column of countries" in none.json()["message"]
    assert client.get("/views/map", params={"sparql": "DELETE WHERE { ?s ?p ?o }"}).status_code == 403


@pytest.mark.parametrize("name,media", [("vis-timeline-graph2d.min.js", "text/javascript"),
                                        ("vis-timeline-graph2d.min.css", "text/css"),
                                        ("topojson-client.min.js", "text/javascript"),
                                        ("countries-110m.json", "application/json"),
                                        ("timeline.js", "text/javascript"), ("map.js", "text/javascript")])
def test_view_assets_are_served(client, name, media):
    r = client.get(f"/assets/views/{name}")
    assert r.status_code == 200 and r.headers["content-type"].startswith(media) and len(r.content) > 500


@pytest.mark.parametrize("name", ["package.json", "..%2Fpackage.json", "countries-50m.json", "charts.py"])
def test_nothing_else_is_served_from_the_view_assets(client, name):
    assert client.get(f"/assets/views/{name}").status_code == 404


def test_world_atlas_is_the_pinned_natural_earth_topojson(client, settings):
    import json

    lock = json.loads((settings.web_assets_dir / "package-lock.json").read_text(encoding="utf-8"))
    pinned = lock["packages"]["node_modules/world-atlas"]
    assert pinned["version"] == "2.0.2"
    assert pinned["integrity"] == ("sha512-IXfV0qwlKXpckz1FhwXVwKRjiIhOnWttOskm5CtxMsjgE/MXAYRHWJqgXOpM8IkcPBoXnyTU5lFHcYa5"
                                   "ChG0LQ==")
    world = client.get("/assets/views/countries-110m.json").json()
    ids = {g.get("id") for g in world["objects"]["countries"]["geometries"]}
    assert {"398", "860", "762", "417", "795"} <= ids  # the five Central Asian states, by ISO 3166-1 numeric


def test_a_dataset_row_locator_reads_as_file_line_and_report_part_with_the_whole_as_a_tooltip():
    from crmgraph.web.html import locator_html

    row = ("data/eu-crm-2023/fact_EUSupplyShares&t.csv line 642; Material='Rhenium'; Stage=P; Country='Poland'; "
           "column Share (report Appendix 7)")
    shown = locator_html(row)
    assert ">fact_EUSupplyShares&amp;t.csv, line 642 (report Appendix 7)</span>" in shown
    assert 'title="data/eu-crm-2023/fact_EUSupplyShares&amp;t.csv line 642;' in shown
    usgs = "data/usgs-mcs2025-world/MCS2025_World_Data.csv line 51; COMMODITY='Antimony'; column PROD_2023"
    assert ">MCS2025_World_Data.csv, line 51, column PROD_2023<" in locator_html(usgs)
    assert locator_html("Annex II, point (j) <b>") == "Annex II, point (j) &lt;b&gt;"
