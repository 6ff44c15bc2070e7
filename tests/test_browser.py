"""The portal in a real browser: Debian's Chromium (installed by scripts/install-test-system-deps)
driven by Playwright through `executable_path` — no browser is ever downloaded. Every request of the
browser context (the page, its frames, the tabs it opens) goes through `context.route`, and one to any
host other than 127.0.0.1 fails the test; so does an error in a page or in its console (a resource
that fails to load, a Content-Security-Policy violation). Chromium does not ask for /favicon.ico while
requests are routed; that pages name an (empty) icon is checked in test_web_home.py.

The SPARQL editor `/editor`: typed and named queries run; IRIs of ours in the results link to the
local pages (never to w3id.org); the "Network" view of an answer frames the explorer for the same
query, which renders. Named-query pages link their answer's network; the home page loads clean.
Also: the YASGUI static route serves only its allow-listed files."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from crmgraph.web.sandbox import Limits
from crmgraph.web import create_app
from crmgraph.web.editor import YASGUI_BUILD

from .chromium import launch_chromium
from .test_web_sparql import serving

LIMITS = Limits(timeout_s=10.0, max_rows=1000, workers=1)
QUERY = "SELECT ?c WHERE { ?c crm:memberOf region:central-asia }"
#: Two IRI columns (countries, instruments): an answer the explorer can draw.
PAIRS = ("SELECT ?country ?instrument ?class WHERE {\n  ?country crm:memberOf region:central-asia ; a ?class ; "
         "crm:partyTo ?instrument .\n  FILTER(?class = crm:CentralAsianCountry)\n} ORDER BY ?country ?instrument")


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


def test_each_named_query_reaches_the_editor_as_a_complete_query_that_declares_its_prefixes(settings, store):
    """YASQE flags an undeclared prefix as an error, so the editor's text must parse on its own,
    without the prefixes the server predeclares — and still give the same answer."""
    import pyoxigraph as ox

    from crmgraph.query.named import bind, load_named_queries
    from crmgraph.web.editor import editor_text

    for query in load_named_queries(settings.queries_dir).values():
        text = editor_text(query)
        ox.Store().query(text)  # raises SyntaxError on an undeclared prefix
        assert text.splitlines()[0] == query.sparql.splitlines()[0], "the header stays on top"
        assert rows(store.query(text)) == rows(store.query(bind(query, {})[0])), query.name


def rows(answer) -> list[tuple[str, ...]]:
    """An answer's rows, in a canonical order (blank nodes all alike: their names are arbitrary)."""
    import pyoxigraph as ox

    from crmgraph.query.results import to_result

    table = to_result(answer)
    return sorted(tuple("_" if isinstance(t, ox.BlankNode) else str(t) for t in row) for row in table.rows)


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as browser:
        yield browser


@pytest.fixture
def page(browser, base_url):
    """A page whose every request (its frames' and its popups' too) is checked: anything not for
    127.0.0.1 is aborted and recorded; errors in the page or its console fail the test."""
    outside: list[str] = []
    errors: list[str] = []
    context = browser.new_context()

    def console(p, message):
        if message.type == "error":
            errors.append(f"console: {message.text} ({message.location.get('url', '')} on {p.url})")

    context.on("page", lambda p: p.on("console", lambda m: console(p, m)))

    def check(route):
        url = route.request.url
        if urlsplit(url).hostname != "127.0.0.1" and not url.startswith(("data:", "blob:")):
            outside.append(url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", check)
    page = context.new_page()
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


def _run(page, query: str) -> list[str]:
    page.wait_for_selector(".yasqe .CodeMirror")
    page.evaluate("query => window.yasgui.getTab().getYasqe().setValue(query)", query)
    page.locator(".yasqe_queryButton").click()
    return _result_rows(page)


def test_result_iris_of_ours_link_to_local_pages(page, base_url):
    page.goto(base_url + "/editor")
    rows = _run(page, PAIRS)
    assert len(rows) >= 5, rows
    links = page.eval_on_selector_all(".yasr table.dataTable a.iri", "els => els.map(a => [a.getAttribute('href'), a.dataset.iri])")
    assert links
    for href, iri in links:
        assert not href.startswith("https://w3id.org/"), href  # never a link to w3id.org
        if iri.startswith("https://w3id.org/crmgraph/id/"):
            assert href == "/id/" + iri.removeprefix("https://w3id.org/crmgraph/id/"), (href, iri)
        else:
            assert iri.startswith("https://w3id.org/crmgraph/ontology#") and href == "/ontology#" + iri.split("#")[1]
    hrefs = {href for href, _ in links}
    assert "/id/country/KZ" in hrefs and "/ontology#CentralAsianCountry" in hrefs
    # a click (YASR opens IRIs in a new tab) goes to the local page, which loads
    with page.context.expect_page() as opened:
        page.locator('.yasr table.dataTable a.iri[href="/id/country/KZ"]').first.click()
    entity = opened.value
    entity.wait_for_load_state()
    assert entity.url == base_url + "/id/country/KZ"
    assert "Kazakhstan" in entity.title()
    entity.close()


def test_network_view_is_offered_only_for_drawable_answers(page, base_url):
    page.goto(base_url + "/editor")
    _run(page, QUERY)  # one column of IRIs
    assert "disabled" in page.locator(".yasr .select_network").get_attribute("class")
    _run(page, PAIRS)
    button = page.locator(".yasr .select_network")
    page.wait_for_function("() => !document.querySelector('.yasr .select_network').classList.contains('disabled')")
    assert button.inner_text().strip() == "Network"


def _explorer_in_frame(page):
    """The explorer framed in the editor's network view, once it has drawn (or failed)."""
    frame_element = page.wait_for_selector(".crmgraph-network iframe")
    frame = frame_element.content_frame()
    frame.wait_for_function("() => document.body && document.body.dataset.ready === 'true'", timeout=60_000)
    return frame


def test_editor_draws_the_answer_as_a_network(page, base_url):
    page.goto(base_url + "/editor")
    _run(page, PAIRS)
    page.locator(".yasr .select_network").click()
    frame = _explorer_in_frame(page)
    sent = parse_qs(urlsplit(frame.url).query)
    assert urlsplit(frame.url).path == "/explore" and sent == {"sparql": [PAIRS]}
    shown = frame.evaluate("() => { const d = window.crmgraphExplorer.data; return d.view.map(i => d.nodes[i].iri); }")
    assert "https://w3id.org/crmgraph/id/country/KZ" in shown and len(shown) >= 6
    assert frame.locator("#network canvas").count() >= 1
    # the link beside the frame opens the same view in a page of its own
    link = page.locator(".crmgraph-network a")
    assert link.get_attribute("href") == urlsplit(frame.url).path + "?" + urlsplit(frame.url).query
    # a new query redraws the view with that query
    construct = "CONSTRUCT { ?c crm:memberOf region:central-asia } WHERE { ?c crm:memberOf region:central-asia }"
    page.evaluate("query => window.yasgui.getTab().getYasqe().setValue(query)", construct)
    page.locator(".yasqe_queryButton").click()
    page.wait_for_function("q => { const f = document.querySelector('.crmgraph-network iframe');"
                           " return f && new URL(f.src).searchParams.get('sparql') === q; }", arg=construct)
    frame = _explorer_in_frame(page)
    shown = frame.evaluate("() => { const d = window.crmgraphExplorer.data; return d.view.map(i => d.nodes[i].iri); }")
    assert "https://w3id.org/crmgraph/id/region/central-asia" in shown and len(shown) == 6


def test_named_query_page_opens_its_network(page, base_url):
    page.goto(base_url + "/queries/crm-list-entries?list=crma-strategic-2024")
    page.locator("a.network-link").click()
    page.wait_for_function("() => document.body && document.body.dataset.ready === 'true'", timeout=60_000)
    assert urlsplit(page.url).path == "/explore"
    assert parse_qs(urlsplit(page.url).query) == {"query": ["crm-list-entries"], "list": ["crma-strategic-2024"]}


def test_home_page_loads_clean(page, base_url):
    page.goto(base_url + "/")
    page.wait_for_load_state("networkidle")
    assert page.title() == "Home · crmgraph"
    page.locator('nav a[href="/explore"]').click()
    page.wait_for_function("() => document.body && document.body.dataset.ready === 'true'", timeout=60_000)
