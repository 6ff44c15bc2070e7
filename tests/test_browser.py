"""The SPARQL editor `/editor` in a real browser: Debian's Chromium (installed by
scripts/install-test-system-deps) driven by Playwright through `executable_path` — no browser is
ever downloaded. Every request the page makes goes through `page.route`, and one to any host other
than 127.0.0.1 fails the test. Also: the YASGUI static route serves only its allow-listed files."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from crmgraph.sandbox import Limits
from crmgraph.web import create_app
from crmgraph.web.editor import YASGUI_BUILD

from .test_web_sparql import serving

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
LIMITS = Limits(timeout_s=10.0, max_rows=1000, workers=1)
QUERY = "SELECT ?c WHERE { ?c crm:memberOf region:central-asia }"


@pytest.fixture(scope="module")
def base_url(store_path, settings):
    if not settings.web_assets_dir.joinpath(*YASGUI_BUILD, "yasgui.min.js").is_file():
        pytest.fail("YASGUI is not installed: run `make install` (npm ci --prefix web-assets)")
    with serving(create_app(store_path, settings, LIMITS)) as url:
        yield url.removesuffix("/sparql")


def test_assets_are_served_and_nothing_else(base_url):
    with httpx.Client(base_url=base_url, timeout=30) as http:
        js = http.get("/assets/yasgui/yasgui.min.js")
        assert js.status_code == 200 and "javascript" in js.headers["content-type"] and "Yasgui" in js.text
        css = http.get("/assets/yasgui/yasgui.min.css")
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
        for attempt in ("/assets/yasgui/../package.json", "/assets/yasgui/..%2Fpackage.json",
                        "/assets/yasgui/..%2F..%2F..%2F..%2F..%2Fpyproject.toml", "/assets/yasgui/%2e%2e/package.json",
                        "/assets/yasgui/yasgui.esm.js", "/assets/yasgui/ts", "/assets/yasgui/..",
                        "/assets/yasgui/%2Fetc%2Fpasswd"):
            r = http.get(attempt)
            assert r.status_code == 404, attempt
            assert '"name"' not in r.text and "root:" not in r.text and "[project]" not in r.text


def test_editor_page_loads_only_local_assets(base_url):
    page = httpx.get(base_url + "/editor", timeout=30).text
    assert '<script src="/assets/yasgui/yasgui.min.js"></script>' in page
    assert "cdn" not in page.lower() and "//unpkg" not in page and "//dbpedia" not in page
    assert '"prefixCcApi": null' in page and '"autocompleters": ["prefixes", "variables"]' in page
    assert 'data-name="central-asian-countries"' in page or 'class="named-query"' in page


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("no /usr/bin/chromium: run scripts/install-test-system-deps as root (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, base_url):
    """A page whose every request is checked: anything not for 127.0.0.1 is aborted and recorded."""
    outside: list[str] = []
    errors: list[str] = []
    context = browser.new_context()
    page = context.new_page()

    def check(route):
        url = route.request.url
        if urlsplit(url).hostname != "127.0.0.1" and not url.startswith(("data:", "blob:")):
            outside.append(url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", check)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(30_000)
    yield page
    context.close()
    assert not outside, f"requests left 127.0.0.1: {outside}"
    assert not errors, f"errors in the page: {errors}"


def _result_rows(page) -> list[str]:
    page.wait_for_selector(".yasr table.dataTable tbody tr td", timeout=30_000)
    return page.locator(".yasr table.dataTable tbody tr").all_inner_texts()


def test_editor_runs_a_typed_query(page, base_url):
    page.goto(base_url + "/editor")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.evaluate("query => window.yasgui.getTab().getYasqe().setValue(query)", QUERY)
    page.locator(".yasqe_queryButton").click()
    rows = _result_rows(page)
    assert len(rows) == 5, rows
    assert any("country/KZ" in row or "country:KZ" in row for row in rows), rows


def test_editor_runs_a_named_query_from_the_menu(page, base_url):
    page.goto(base_url + "/editor")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.locator('#named-queries button[data-name="crm-list-entries"]').click()
    rows = _result_rows(page)
    text = page.evaluate("() => window.yasgui.getTab().getYasqe().getValue()")
    assert "crm:ListEntry" in text and "VALUES" in text and "eu-crm-2023" in text  # the default, bound
    assert len(rows) >= 10 and any("eu-crm-2023" in row for row in rows), rows
