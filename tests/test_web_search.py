"""Search (web/search.py) and parameters that cannot mislead, over HTTP."""
from __future__ import annotations

import re

import httpx
import pytest

from crmgraph.web import create_app
from crmgraph.web.html import SEARCH_BOX
from crmgraph.web.sandbox import Limits

from .test_web_sparql import serving


@pytest.fixture(scope="module")
def client(store_path, settings):
    app = create_app(store_path, settings, Limits(timeout_s=5.0, max_rows=1000, workers=1))
    with serving(app) as url, httpx.Client(base_url=url.removesuffix("/sparql"), timeout=30) as c:
        yield c


@pytest.mark.parametrize("q, first", [("turkiye", "/id/country/TR"), ("rare earths", "/id/material/rare-earth-elements"),
                                      ("KZ", "/id/country/KZ"), ("Kazakh", "/id/country/KZ")])
def test_suggestions_are_json_best_first(client, q, first):
    r = client.get("/search.json", params={"q": q})
    assert r.status_code == 200
    results = r.json()["results"]
    assert 0 < len(results) <= 10 and results[0]["path"] == first
    assert {"iri", "label", "kind", "path"} <= set(results[0])


def test_search_page_lists_matches_linked_to_their_pages(client):
    page = client.get("/search", params={"q": "rare earths"}).text
    assert 'href="/id/material/rare-earth-elements"' in page and 'href="/id/material/heavy-rare-earth-elements"' in page
    assert "match" in page
    empty = client.get("/search", params={"q": "zzqqxx"}).text
    assert "Nothing in the graph is called" in empty
    assert "&lt;b&gt;" in client.get("/search", params={"q": "<b>x"}).text


def test_every_page_has_the_search_box(client):
    for path in ("/queries", "/queries/crm-supply-by-country", "/id/country/KZ", "/search"):
        assert SEARCH_BOX in client.get(path).text, path
    script = client.get("/assets/portal/search.js")
    assert script.status_code == 200 and "textContent" in script.text and "innerHTML" not in script.text
    assert client.get("/assets/portal/other.js").status_code == 404


@pytest.mark.parametrize("params", [{"country": "XX"}, {"country": "Kazakstan"}, {"country": "antimony"}])
def test_unknown_parameter_values_are_refused_with_the_closest_matches(client, params):
    for suffix in ("", ".json", ".csv"):
        r = client.get("/queries/crm-supply-by-country" + suffix, params=params)
        assert r.status_code == 400, (suffix, r.text)
    body = client.get("/queries/crm-supply-by-country.json", params=params).json()
    assert "is not valid" in body["message"] and "no country called" in body["message"]
    if params["country"] == "Kazakstan":
        assert "Kazakhstan (country:KZ)" in body["hint"]


@pytest.mark.parametrize("value", ["Kazakhstan", "kz", "KZ", "country:KZ"])
def test_labels_codes_and_case_give_the_same_answer(client, value):
    reference = client.get("/queries/crm-supply-by-country.csv", params={"country": "KZ"}).text
    assert client.get("/queries/crm-supply-by-country.csv", params={"country": value}).text == reference
    assert reference.count("\n") > 10


def test_a_year_means_that_edition_of_the_list(client):
    by_year = client.get("/queries/crm-list-changes.csv", params={"from": "2011", "to": "2014"}).text
    by_slug = client.get("/queries/crm-list-changes.csv", params={"from": "eu-crm-2011", "to": "eu-crm-2014"}).text
    assert by_year == by_slug
    assert len(re.findall(r"^added,", by_year, flags=re.M)) < 20  # not "everything was added"


def test_csv_download_carries_readable_citations(client):
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(client.get("/queries/crm-supply-by-country.csv", params={"country": "KZ"}).text)))
    assert rows and list(rows[0])[-1] == "citation" or "citation" in rows[0]
    antimony = next(r for r in rows if r["crmLabel"] == "antimony")
    assert "USGS Mineral Commodity Summaries 2025 — Antimony chapter" in antimony["citation"]
    assert all(r["citation"] and "not given" not in r["citation"] for r in rows)
