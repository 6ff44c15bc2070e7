"""The portal's disagreement page `/conflicts` and its JSON twin (web/conflicts.py), on a real uvicorn
server on 127.0.0.1: the page shows every disagreement of the library's report with its sides, source
titles (linked to the sources' pages, which answer) and locators; `?kind=` filters both; an unknown
kind is a 400 that says which kinds exist; the navigation bar links the page."""
from __future__ import annotations

import html
import re

import httpx
import pytest

from crmgraph.analysis.conflicts import KINDS, find_disagreements
from crmgraph.web import create_app
from crmgraph.web.sandbox import Limits

from .test_web_sparql import serving


@pytest.fixture(scope="module")
def client(store_path, settings):
    with serving(create_app(store_path, settings, Limits(timeout_s=10.0, max_rows=10_000, workers=1))) as url, \
            httpx.Client(base_url=url.removesuffix("/sparql"), timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def page(client) -> str:
    r = client.get("/conflicts")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    return r.text


def test_the_page_shows_every_disagreement_of_the_report(page, store):
    found = find_disagreements(store)
    ids = re.findall(r'<section class="dis" id="([^"]+)"', page)
    assert ids == [d.id for d in found]
    for d in found:
        assert html.escape(d.title, quote=True) in page
        for s in d.sides:
            assert html.escape(s.says, quote=True) in page


def test_sides_show_source_titles_linked_to_their_pages_and_locators(page, client):
    kz = page[page.index("Kazakhstan — EU CRMs produced"):]
    kz = kz[:kz.index("</section>")]
    assert "Kazakhstan ¶1" in kz                      # seed 000's locator
    links = set(re.findall(r'<a href="(/id/source/[^"]+)"[^>]*>([^<]+)</a>', kz))
    assert links and all(title != path.rsplit("/", 1)[-1] for path, title in links), "a source is shown by its citation"
    for path, _ in sorted(links)[:3]:
        assert client.get(path).status_code == 200, path


def test_no_side_names_a_source_by_its_bare_key_or_says_not_given(page, store):
    text = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)))
    keys = {r.source for d in find_disagreements(store) for s in d.sides for r in s.references}
    words = set(re.findall(r"[\w-]+", text))
    assert keys and not keys & words, sorted(keys & words)[:10]
    assert "not given" not in text


def test_statuses_are_marked_once_with_the_portal_legend(page):
    """One definition of the status marks (web/html.py): the sides' badges use it, and the legend is on the page."""
    assert page.count('<p class="legend">') == 1
    assert re.search(r'<div class="side side-verified">.*?<span class="st st-verified"', page, flags=re.S)
    assert '<div class="side st-' not in page          # the side's border no longer reuses the badge classes


def test_the_json_twin_has_the_same_entries_and_counts(client, page):
    data = client.get("/conflicts.json").json()
    assert [d["id"] for d in data["disagreements"]] == re.findall(r'<section class="dis" id="([^"]+)"', page)
    assert sum(data["counts"].values()) == len(data["disagreements"])
    side = data["disagreements"][0]["sides"][0]
    assert {"says", "period", "claimant", "status", "references"} <= set(side)


def test_kind_keeps_one_kind_in_both_twins(client):
    data = client.get("/conflicts.json", params={"kind": "list-edition"}).json()
    assert data["disagreements"] and {d["kind"] for d in data["disagreements"]} == {"list-edition"}
    r = client.get("/conflicts", params={"kind": "list-edition"})
    kinds = set(re.findall(r'<section class="dis" id="[^"]+" data-kind="([^"]+)"', r.text))
    assert kinds == {"list-edition"}


def test_an_unknown_kind_is_refused_with_the_kinds_that_exist(client):
    r = client.get("/conflicts.json", params={"kind": "nonsense"}, headers={"Accept": "application/json"})
    assert r.status_code == 400
    assert "unknown kind 'nonsense'" in r.json()["message"] and all(k in r.json()["hint"] for k in KINDS)
    page = client.get("/conflicts", params={"kind": "nonsense"})
    assert page.status_code == 400 and "figures" in page.text


def test_the_navigation_bar_links_the_page(client):
    assert '<a href="/conflicts">' in client.get("/").text
