"""The downloads page `/downloads`, the release's files `/downloads/<file>`, and `/.well-known/void`.

The files are those `crmgraph export` wrote into the release folder (`Settings.release_dir`, default
`var/release`): the page lists each with its format, size, triple (or row) count, SHA-256 and what it
holds, read back from the folder's description and SHA256SUMS (`io.export.load_release`); only files
named in SHA256SUMS (and SHA256SUMS itself) are served, so no path reaches anything else. The page says
when the release was built from another build of the store than the one the portal serves, and points
to the Graph Store routes (`/store`), which always stream the current store.

`/.well-known/void` (RFC 5785 + VoID §7) is the dataset's description: the release's `void.ttl` when it
matches the store, else the same description made from the store without the files. Turtle, N-Triples,
RDF/XML or JSON-LD by Accept.

"How to cite" gives the plain text and BibTeX of `io.export.citation`; `CITATION.cff` in the repository
says the same for GitHub and reference managers.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response

from ..io.canonical import jsonld, serialize_triples
from ..io.describe import DATA_LICENCE, CODE_LICENCE, Version, build_time, dataset_version, describe, schema_org
from ..io.export import CHECKSUMS, DESCRIPTION, FORMAT_NAMES, Release, citation, load_release, read_checksums
from ..query.results import GRAPH_FORMATS, MEDIA_TYPES, negotiation_table
from ..views.explorer import script_json
from .html import document, escape as _e
from .sparql import choose, parse_accept

#: Media type of each file, by suffix (what the browser is told when it downloads it).
MEDIA_BY_SUFFIX = {"nq": "application/n-quads", "trig": "application/trig", "ttl": "text/turtle; charset=utf-8",
                   "nt": "application/n-triples", "rdf": "application/rdf+xml", "jsonld": "application/ld+json",
                   "csv": "text/csv; charset=utf-8", "txt": "text/plain; charset=utf-8"}
#: Formats of /.well-known/void, in the server's order (Turtle for */*).
VOID_FORMATS = ("turtle", "ntriples", "rdfxml", "jsonld")


def _release(request: Request) -> Release | None:
    return load_release(request.app.state.settings.release_dir)


def _version(request: Request) -> Version:
    return dataset_version(request.app.state.settings.changes_file)


def _size(n: int) -> str:
    for unit, scale in (("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} B"


def page_data(request: Request) -> dict:
    """What the page shows (also its JSON twin)."""
    release = _release(request)
    built = build_time(request.app.state.entity_store)
    version = release.version if release else _version(request)
    data: dict[str, Any] = {"version": version.number, "issued": version.date, "storeBuilt": built,
            "licence": {"data": DATA_LICENCE, "code": CODE_LICENCE}, "citation": citation(version),
            "release": None}
    if release is not None:
        data["release"] = {"built": release.built, "current": release.built == built, "files": [
            {"file": f.file, "url": "/downloads/" + f.file, "format": FORMAT_NAMES.get(f.file.rsplit(".", 1)[-1], ""),
             "mediaType": f.media_type, "size": f.size, "sha256": f.sha256, "triples": f.triples, "rows": f.rows,
             "description": f.title} for f in release.files]}
    return data


def render(data: dict) -> str:
    out = ["<h1>Downloads</h1>",
           f"<p id=\"licence\">The crmgraph dataset, version <strong>{_e(data['version'])}</strong> ({_e(data['issued'])}). "
           f'The data is under <a href="{_e(DATA_LICENCE)}" rel="license">CC BY 4.0</a> (cite it, keep the sources '
           f'and locators of the facts you reuse); the code that builds it is under <a href="{_e(CODE_LICENCE)}">MIT</a>.</p>']
    release = data["release"]
    if release is None:
        out.append('<p class="error">No release has been written yet: run <code>crmgraph export</code> '
                   "(<code>make run</code> does). Meanwhile the Graph Store routes below stream the whole store.</p>")
    else:
        if not release["current"]:
            out.append(f'<p class="error">These files come from the build of {_e(release["built"])}; the portal serves '
                       f'the build of {_e(data["storeBuilt"])}. Run <code>crmgraph export</code> to bring them up to date '
                       "(the Graph Store routes below are always current).</p>")
        out.append(f'<p>Built {_e(release["built"])}. Check the files with '
                   f'<a href="/downloads/{CHECKSUMS}"><code>{CHECKSUMS}</code></a>: '
                   f"<code>sha256sum -c {CHECKSUMS}</code>. Every RDF file is plain RDF 1.1; the "
                   f'<a href="/downloads/{DESCRIPTION}">description</a> (DCAT-AP 3 and VoID) lists them too.</p>')
        out.append('<table id="files"><tr><th>file</th><th>format</th><th>size</th><th>triples / rows</th>'
                   "<th>what it holds</th><th>SHA-256</th></tr>")
        for f in release["files"]:
            count = (f"{f['triples']:,} {'quads' if f['file'].endswith(('.nq', '.trig')) else 'triples'}"
                     if f["triples"] is not None else f"{f['rows']:,} rows" if f["rows"] is not None else "")
            out.append(f'<tr><td><a href="{_e(f["url"])}" download>{_e(f["file"])}</a></td><td>{_e(f["format"])}</td>'
                       f'<td title="{f["size"]:,} bytes">{_size(f["size"])}</td><td>{count}</td>'
                       f'<td>{_e(f["description"])}</td><td><code class="sha">{_e(f["sha256"])}</code></td></tr>')
        out.append("</table>")
    out.append("<h2>Always current: the Graph Store</h2><p>Streamed from the store the portal serves, any RDF format by "
               "<code>Accept</code> (SPARQL 1.1 Graph Store Protocol, read-only):</p><ul>"
               '<li><a href="/store">/store</a> — the whole dataset, every named graph (N-Quads; TriG by Accept)</li>'
               '<li><a href="/store?graph=https%3A%2F%2Fw3id.org%2Fcrmgraph%2Fgraph%2Fasserted">/store?graph=…/graph/asserted</a>'
               " — the curated graph (Turtle; N-Triples, RDF/XML, JSON-LD by Accept)</li>"
               '<li><a href="/store?default">/store?default</a> — the default graph (the union of the named graphs)</li>'
               '<li><a href="/.well-known/void">/.well-known/void</a> — the dataset\'s description (DCAT-AP 3 and VoID)</li>'
               "</ul>")
    cite = data["citation"]
    out.append('<h2 id="cite">How to cite</h2>'
               f'<p>{_e(cite["text"])}</p><pre id="bibtex">{_e(cite["bibtex"])}</pre>'
               "<p>The repository's <code>CITATION.cff</code> says the same for reference managers.</p>")
    return "\n".join(out)


async def downloads(request: Request) -> Response:
    """`/downloads` (HTML) and `/downloads.json`: every file of the release, and how to cite it."""
    data = await run_in_threadpool(page_data, request)
    if request.url.path.endswith(".json"):
        return JSONResponse(data)
    head = ('<link rel="alternate" type="application/json" href="/downloads.json"><style>.sha{font-size:75%;word-break:break-all}'
            '#files td:nth-child(3),#files td:nth-child(4){white-space:nowrap}</style>')
    return HTMLResponse(document("Downloads", render(data), head=head))


async def download_file(request: Request) -> Response:
    """`/downloads/<file>`: a file of the release — only the ones SHA256SUMS names (and SHA256SUMS)."""
    name = request.path_params["file"]
    folder: Path = request.app.state.settings.release_dir
    allowed = set(read_checksums(folder)) | {CHECKSUMS}
    if name not in allowed or not (folder / name).is_file():
        return PlainTextResponse(f"no file {name!r} in the release; the files are listed at /downloads\n", status_code=404)
    media = MEDIA_BY_SUFFIX.get(name.rsplit(".", 1)[-1], "text/plain; charset=utf-8")
    return FileResponse(folder / name, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def void_triples(request: Request) -> list[ox.Triple]:
    """The description: the release's void.ttl when it describes the store's build, else made from the store."""
    store = request.app.state.entity_store
    release = _release(request)
    if release is not None and release.built == build_time(store):
        return [q for q in ox.parse(path=str(release.folder / DESCRIPTION), format=ox.RdfFormat.TURTLE)]
    return describe(store, _version(request))


async def well_known_void(request: Request) -> Response:
    """`/.well-known/void`: the dataset's DCAT-AP + VoID description, by content negotiation."""
    fmt = choose(negotiation_table(VOID_FORMATS, generic=False), parse_accept(request.headers.get("accept")))
    if fmt is None:
        return PlainTextResponse("not acceptable: Turtle, N-Triples, RDF/XML or JSON-LD\n", status_code=406)
    triples = await run_in_threadpool(void_triples, request)
    body = jsonld(triples) if fmt == "jsonld" else serialize_triples(triples, GRAPH_FORMATS[fmt])
    return Response(body, media_type=MEDIA_TYPES[fmt][0], headers={"Vary": "Accept"})


def schema_org_script(request: Request) -> str:
    """`<script type="application/ld+json">` with the dataset as a schema.org `Dataset`, for the home page's
    <head> (dataset search engines read it; browsers do not run it, so the CSP is not involved). Made once
    per server and store build."""
    state = request.app.state
    built = build_time(state.entity_store)
    cached = getattr(state, "schema_org", None)
    if cached is None or cached[0] != built:
        data = schema_org(void_triples(request))
        cached = (built, f'<script type="application/ld+json">{script_json(data)}</script>')
        state.schema_org = cached
    return cached[1]
