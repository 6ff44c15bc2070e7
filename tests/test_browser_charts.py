"""The home page's questions, the chart pages and the editor's map in Debian's Chromium (the checked
`page` of test_browser.py: nothing may leave 127.0.0.1, no error in any page or console).

- From the home page, "which CRMs can the EU source from Kazakhstan, and on whose word?" is answered
  by one click on its card, every row naming its source.
- The timeline draws one item per step of its table; a click on an item marks the step's row.
- The map draws Natural Earth's countries and colours those with a value as the table says.
- In the SPARQL editor, an answer with a column of countries can be shown on the map.
"""
from __future__ import annotations

import json

import pytest

from .test_browser import _run, base_url, browser, page  # noqa: F401 - the checked browser fixtures

COUNTRY_COUNTS = "SELECT ?c (COUNT(?i) AS ?n) WHERE { ?c a crm:CentralAsianCountry ; crm:partyTo ?i } GROUP BY ?c"


def test_the_flagship_question_is_answered_from_home_in_one_click_each_row_with_its_source(page, base_url):
    page.goto(base_url + "/")
    page.locator("ul.questions a.q").first.click()  # the question's card
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/queries/crm-supply-by-country?country=KZ")
    table = page.locator("table.answer")
    rows = table.locator("tr").all_inner_texts()[1:]
    assert len(rows) > 5 and any("antimony" in r for r in rows) and any("tungsten" in r for r in rows)
    # each row says on whose word: a readable citation linked to the source's page
    for row in table.locator("tr").all()[1:]:
        assert row.locator("a[href^='/id/source/']").count() >= 1, row.inner_text()


def test_the_timeline_draws_every_step_and_a_click_marks_its_row(page, base_url):
    page.goto(base_url + "/views/timeline")
    page.wait_for_selector(".vis-item.vis-box")
    data = json.loads(page.locator("#timeline-data").text_content())
    assert page.locator(".vis-item.vis-box").count() == len(data["items"]) == page.locator("#timeline-table tr").count() - 1
    assert page.locator(".vis-item.vis-box.claim").count() == sum(i["kind"] == "claim" for i in data["items"]) >= 1
    first = page.locator(".vis-item.vis-box").first
    first.click()
    page.wait_for_selector("#timeline-table tr.selected")
    assert page.locator("#timeline-table tr.selected").count() == 1


@pytest.mark.parametrize("query", ["", "?measure=instrument-status", "?measure=world-share&material=antimony"])
def test_the_map_colours_the_countries_its_table_lists(page, base_url, query):
    page.goto(base_url + "/views/map" + query)
    page.wait_for_selector("#map[data-ready]")
    assert int(page.locator("#map").get_attribute("data-ready")) > 150  # Natural Earth's countries
    data = json.loads(page.locator("#map-data").text_content())
    coloured = page.evaluate("() => Object.fromEntries([...document.querySelectorAll('#map path.data')]"
                             ".map(p => [p.dataset.code.padStart(3, '0'), p.getAttribute('fill')]))")
    expected = {c["code"]: c["colour"] for c in data["countries"] if c["code"]}
    assert coloured == {code: colour for code, colour in expected.items() if code in coloured}
    assert len(coloured) >= len(expected) - 1  # Luxembourg-sized states may be missing at 1:110m
    table_codes = set(page.locator("#map-table tr[data-code]").evaluate_all("rows => rows.map(r => r.dataset.code)"))
    assert set(expected) == table_codes
    page.locator('.map-tools button[data-view="world"]').click()
    assert page.locator("#map svg").get_attribute("viewBox").startswith("0 ")


def test_a_click_on_a_coloured_country_opens_its_page(page, base_url):
    page.goto(base_url + "/views/map")
    page.wait_for_selector("#map[data-ready]")
    page.locator('#map path[data-code="398"]').dispatch_event("click")
    page.wait_for_url("**/id/country/KZ")


def test_the_editor_puts_an_answer_with_countries_on_the_map(page, base_url):
    page.goto(base_url + "/editor")
    _run(page, "SELECT ?c WHERE { ?c crm:memberOf region:central-asia } ORDER BY ?c")
    page.wait_for_function("() => !document.querySelector('.yasr .select_map').classList.contains('disabled')")
    _run(page, COUNTRY_COUNTS)
    page.locator(".yasr .select_map").click()
    frame = page.wait_for_selector(".crmgraph-map iframe").content_frame()
    frame.wait_for_selector("#map[data-ready]")
    codes = frame.evaluate("() => [...document.querySelectorAll('#map path.data')].map(p => p.dataset.code).sort()")
    assert codes == ["398", "417", "762", "795", "860"]
    _run(page, "SELECT ?x WHERE { VALUES ?x { 1 2 } }")  # no country column: no map
    page.wait_for_function("() => document.querySelector('.yasr .select_map').classList.contains('disabled')")
