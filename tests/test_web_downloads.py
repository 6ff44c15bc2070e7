"""The downloads page, its files, /.well-known/void, the footer of every page and the schema.org Dataset in
the home page's head (web/downloads.py, web.app.Footer), on a real server over a release written by
`export_release` from the served store."""
from __future__ import annotations

import hashlib
import json
import os
import re

import httpx
import pyoxigraph as ox
import pytest

from crmgraph.io.describe import dataset_version
from crmgraph.io.export import export_release
from crmgraph.store.embedded import OxigraphStore
from crmgraph.web import create_app
from crmgraph.web.sandbox import Limits

from .test_web_sparql import serving


@pytest.fixture(scope="module")
def release(store_path, settings, tmp_path_factory):
    folder = tmp_path_factory.mktemp("downloads") / "release"
    s = OxigraphStore(store_path, read_only=True)
    try:
        export_release(s, folder, dataset_version(settings.changes_file))
    finally:
        s.close()
    return folder


@pytest.fixture(scope="module")
def client(store_path, settings, release):
    old = os.environ.get("CRMGRAPH_RELEASE")
    os.environ["CRMGRAPH_RELEASE"] = str(release)
    try:
        with serving(create_app(store_path, settings, Limits(timeout_s=5.0, max_rows=1000, workers=1))) as url:
            with httpx.Client(base_url=url.removesuffix("/sparql"), timeout=60) as c:
                yield c
    finally:
        if old is None:
            os.environ.pop("CRMGRAPH_RELEASE", None)
        else:
            os.environ["CRMGRAPH_RELEASE"] = old


def test_the_page_lists_every_file_with_size_count_and_checksum(client, release):
    page = client.get("/downloads").text
    data = client.get("/downloads.json").json()
    assert data["release"]["current"] is True
    names = {f["file"] for f in data["release"]["files"]}
    assert names == {p.name for p in release.iterdir()} - {"SHA256SUMS"}
    nq = next(f for f in data["release"]["files"] if f["file"] == "crmgraph.nq")
    assert nq["format"] == "N-Quads" and nq["triples"] > 30000 and nq["size"] == (release / "crmgraph.nq").stat().st_size
    assert nq["sha256"] in page and 'href="/downloads/crmgraph.nq"' in page
    assert "CC BY 4.0" in page and "sha256sum -c SHA256SUMS" in page
    assert "@misc{crmgraph_" in page and "CITATION.cff" in page


def test_a_file_downloads_with_its_checksum(client, release):
    r = client.get("/downloads/crmgraph.nq")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/n-quads")
    sums = dict(line.split("  ")[::-1] for line in (release / "SHA256SUMS").read_text().splitlines())
    assert hashlib.sha256(r.content).hexdigest() == sums["crmgraph.nq"]
    assert client.get("/downloads/SHA256SUMS").status_code == 200


@pytest.mark.parametrize("path", ["/downloads/nothing.nq", "/downloads/..%2F..%2Fpyproject.toml", "/downloads/.%2E"])
def test_only_the_release_files_are_served(client, path):
    assert client.get(path).status_code == 404


def test_well_known_void_describes_the_dataset(client):
    r = client.get("/.well-known/void")
    assert r.headers["content-type"].startswith("text/turtle")
    triples = list(ox.parse(r.content, format=ox.RdfFormat.TURTLE))
    types = {t.object.value for t in triples if t.subject.value.endswith("/dataset/crmgraph") and t.predicate.value.endswith("#type")}
    assert {"http://www.w3.org/ns/dcat#Dataset", "http://rdfs.org/ns/void#Dataset"} <= types
    assert any(t.predicate.value == "http://spdx.org/rdf/terms#checksumValue" for t in triples)  # the release's files
    r = client.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert json.loads(r.content)["@graph"]


@pytest.mark.parametrize("path", ["/", "/ontology", "/downloads", "/queries", "/id/country/KZ", "/editor", "/explore"])
def test_every_page_has_the_footer(client, settings, path):
    page = client.get(path, headers={"Accept": "text/html"}).text
    footer = re.search(r'<footer class="site">(.*?)</footer>\s*</body>', page, re.S)
    assert footer, path
    version = dataset_version(settings.changes_file).number
    assert "CC BY 4.0" in footer.group(1) and "MIT" in footer.group(1) and f"dataset version {version}" in footer.group(1)
    assert re.search(r"built \d{4}-\d\d-\d\d", footer.group(1))


def test_the_home_page_head_carries_a_schema_org_dataset(client):
    page = client.get("/").text
    head = page.split("</head>", 1)[0]
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', head, re.S)
    data = json.loads(block.group(1))
    assert data["@type"] == "Dataset" and data["license"].startswith("https://creativecommons.org/licenses/by/4.0")
    assert any(d["contentUrl"].endswith("/downloads/crmgraph.nq") for d in data["distribution"])
