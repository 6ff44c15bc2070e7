"""HTML helpers shared by the portal's pages: escaping, the inline style sheet, links to IRIs.

Every string that reaches a page goes through `escape` (html.escape, quotes included); links to
outside the portal are only ever plain `<a href>` to http(s) IRIs, and pages load nothing from outside
(inline CSS, no fonts, no images; the only scripts are the editor's, from the server's `/assets/yasgui/`).
"""
from __future__ import annotations

import base64
import hashlib
import html
import re

from ..namespaces import local_path  # noqa: F401 - re-exported: the pages import it from here

CSS = """body{font:15px/1.45 system-ui,sans-serif;max-width:70em;margin:1.5em auto;padding:0 1em;color:#222}
h1{margin-bottom:.1em}.iri{color:#555;font-family:monospace;word-break:break-all}
table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}th,td{border-bottom:1px solid #ddd;padding:.3em .5em;
text-align:left;vertical-align:top}th{background:#f4f4f4}.inferred{color:#7a4b00;background:#fff4dc;padding:0 .3em;
border-radius:3px;font-size:85%}.src{font-size:90%}.status{font-size:85%;color:#555}nav a{margin-right:1em}
code{font-size:90%}pre{background:#f6f6f6;padding:.6em;overflow-x:auto;font-size:85%}
.error{background:#fde8e8;border-left:4px solid #b00;padding:.5em 1em}form label{display:block;margin:.4em 0}
form input[type=text]{min-width:20em}
.st{white-space:nowrap;font-size:85%;padding:0 .35em;border-radius:3px}.st-verified{background:#e3f4e1;color:#1d5e1a}
.st-second-hand{background:#e6eefb;color:#234c8c}.st-unverified{background:#fff3cd;color:#7a5600}
.st-contradicted{background:#fde2e1;color:#8f1d17}.st-derived{background:#efe8f7;color:#53307f}
.legend{font-size:85%;color:#444}.legend .st{margin-right:.2em}.cite a.ext{text-decoration:none;margin-left:.15em}
table.answer{table-layout:auto}table.answer td{overflow-wrap:break-word;max-width:28em}.constant{margin:.3em 0}table.answer th.sources{min-width:12em}
.table-fit{max-width:100%;overflow-x:auto;margin:.5em 0 1.5em}.table-fit>table{margin:0}
table.answer th{overflow-wrap:normal;hyphens:auto}table.answer td.num{white-space:normal}
table.answer td.sources{overflow-wrap:anywhere}table.answer th,table.answer td{padding:.3em .35em}
details.more>summary{cursor:pointer;color:#0645ad;margin:-1em 0 1em}.num{text-align:right;white-space:nowrap}
.search{display:inline-block;position:relative;margin-left:.5em}.search input{min-width:16em;padding:.15em .3em}
.suggest{position:absolute;z-index:10;left:0;right:0;background:#fff;border:1px solid #bbb;list-style:none;margin:0;
padding:0;max-height:22em;overflow-y:auto}.suggest li a{display:block;padding:.25em .5em;margin:0;color:#222;text-decoration:none}
.suggest li a:hover,.suggest li a.active{background:#e8f0fe}.kind{font-size:80%;color:#666;margin-left:.4em}
details.raw>summary{cursor:pointer;font-weight:600;margin:1em 0 .5em}.cards{display:flex;flex-wrap:wrap;gap:1em}
.card{border:1px solid #ddd;border-radius:4px;padding:.5em 1em;min-width:12em}.card .big{font-size:150%;font-weight:600}
.timeline{list-style:none;padding-left:0;border-left:3px solid #3b6fb6;margin-left:.5em}
.timeline li{margin:.3em 0 .6em;padding-left:.8em}.timeline .date{font-weight:600;margin-right:.5em}
footer.site{margin:2.5em 0 1em;padding-top:.6em;border-top:1px solid #ddd;color:#555;font-size:85%}"""

#: The portal's sections: (path, name), in the order of the navigation bar (also printed by `crmgraph serve`).
SECTIONS = (("/", "home"), ("/explore", "explorer"), ("/editor", "SPARQL editor"), ("/queries", "named queries"),
            ("/ontology", "ontology"), ("/downloads", "downloads"), ("/sparql", "SPARQL endpoint"), ("/risk", "supply risk"),
            ("/conflicts", "disagreements"))
#: The search box of every page: a plain GET form to /search (works without scripts); /assets/portal/search.js
#: adds suggestions as you type from /search.json.
SEARCH_BOX = ('<form class="search" method="get" action="/search" role="search">'
              '<input type="search" name="q" placeholder="Search: country, material, source…" aria-label="Search the graph" '
              'autocomplete="off" data-suggest="/search.json"> <button type="submit">Search</button></form>')
#: The script that adds suggestions to SEARCH_BOX (served from the allow-listed /assets/portal/).
SEARCH_SCRIPT = '<script src="/assets/portal/search.js" defer></script>'
#: The navigation bar of every page, with the search box.
NAV = ("<nav>" + "".join(f'<a href="{path}">{name}</a>' for path, name in SECTIONS) + SEARCH_BOX + "</nav>"
       + SEARCH_SCRIPT)


def escape(text: object) -> str:
    """Escaped for HTML text and attribute values."""
    return html.escape(str(text), quote=True)


def breakable(text: object) -> str:
    """Escaped text that may wrap after a slash ("bauxite/alumina/aluminium"): a table cell of such a
    label is otherwise as wide as the whole label. For element text only, never for attributes."""
    return re.sub(r"(?<=\w)/(?=\w)", "/<wbr>", escape(text))


#: Verification statuses as words with a mark (IRI local name → (class, mark, word, what it means)).
STATUSES = {
    "Verified": ("verified", "✔", "verified", "seen in a source: an official text or a reputable report of it"),
    "SecondHand": ("second-hand", "◐", "second-hand", "seen only as a quotation in a compilation; re-check the primary"),
    "Unverified": ("unverified", "?", "unverified", "not confirmed in any source seen"),
    "Contradicted": ("contradicted", "✖", "contradicted", "contradicted by an official source; kept as its source's claim"),
    "Derived": ("derived", "∴", "derived", "derived by comparing verified facts (e.g. two list editions)"),
}


def status_html(status: str | None) -> str:
    """A status (IRI, `crm:Verified`, or its label) as a word with a mark; "" for none."""
    if not status:
        return ""
    name = status.rsplit("#", 1)[-1].rsplit(":", 1)[-1]
    for key, (cls, mark, word, meaning) in STATUSES.items():
        if name in (key, word) or name.lower() == key.lower():
            return f'<span class="st st-{cls}" title="{escape(meaning)}">{mark} {word}</span>'
    return f'<span class="st">{escape(name)}</span>'


def status_legend() -> str:
    """What the status marks mean, once per page."""
    return ('<p class="legend">Status: ' + " · ".join(
        f'<span class="st st-{cls}">{mark} {word}</span> {escape(meaning)}'
        for cls, mark, word, meaning in STATUSES.values()) + "</p>")


_ROW = re.compile(r"data/\S*?([^/\s]+\.csv) line (\d+);(.*)$", re.S)


def locator_html(locator: str) -> str:
    """A locator as a reader wants it. An imported dataset's row locator ("data/…/fact_EUSupplyShares&t.csv
    line 642; Material='Rhenium'; Stage=P; …; column Share (report Appendix 7)") is shown as its file, line
    and column or report part — "fact_EUSupplyShares&t.csv, line 642 (report Appendix 7)" — with the whole
    locator as a tooltip; any other locator as it is."""
    m = _ROW.match(locator)
    if m is None:
        return escape(locator)
    file, line, rest = m.groups()
    report = re.search(r"\(report ([^)]+)\)", rest)
    column = re.search(r"column (\w+)", rest)
    short = f"{file}, line {line}" + (f" (report {report.group(1)})" if report else f", column {column.group(1)}" if column else "")
    return f'<span class="loc" title="{escape(locator)}">{escape(short)}</span>'


def cite(citations, refs) -> str:
    """A finding's references as readable citations: "Short citation, locator; …", each source linked to
    its portal page (its full title as a tooltip, with the compilation it was cited in), with a ↗ link to
    the source itself where its URL or DOI is known. `citations` is a query.citations.Citations."""
    parts = []
    for src, key, locators, ref in citations.grouped(refs):
        if src is None:
            parts.append(escape(", ".join([key, *locators])))
            continue
        tip = src.title or src.key
        if ref.cited_in:
            via = citations.get(ref.cited_in)
            tip += f" — as cited in {via.short if via else ref.cited_in}"
            if ref.cited_in_locator:
                tip += f", {ref.cited_in_locator}"
        text = f'<a href="{escape(src.path)}" title="{escape(tip)}">{escape(src.short)}</a>'
        if src.link:
            text += f'<a class="ext" href="{escape(src.link)}" rel="external" title="the source itself">↗</a>'
        parts.append(text + "".join(f", {locator_html(loc)}" for loc in locators))
    return '<span class="cite">' + "; ".join(parts) + "</span>" if parts else ""


def answer_html(answer, citations=None, hide: frozenset[str] = frozenset(), css: str = "answer",
                columns_hidden: frozenset[str] = frozenset(), first: int | None = None) -> str:
    """A shaped answer (query.answers.Answer) as a table: labels linked to their pages, statuses as
    words with marks, a finding's sources as citations (with `citations`), numbers aligned. Columns
    whose every cell is one of the `hide` IRIs (the page's own entity) are left out, and so are
    columns with no value in any row, and those named in `columns_hidden`. With `first`, the rows after
    the first ones are in a collapsed block ("N more rows")."""
    keep = [i for i, col in enumerate(answer.columns)
            if col.name not in columns_hidden and any((row[i].text or row[i].refs) for row in answer.rows)
            and not (answer.rows and all(row[i].iri in hide for row in answer.rows))]
    constant = [i for i in keep if len(answer.rows) > 1 and answer.columns[i].kind == "value"
                and answer.rows[0][i].text and all(row[i].key() == answer.rows[0][i].key() for row in answer.rows)]
    out_constant = []
    if constant and len(constant) < len(keep):  # the same in every row: said once, above the table
        parts = []
        for i in constant:
            cell = answer.rows[0][i]
            target = href(cell.iri) if cell.iri else None
            value = (f'<a href="{escape(target)}" title="{escape(cell.iri)}">{escape(cell.text)}</a>' if target
                     else escape(cell.text))
            parts.append(f"{escape(answer.columns[i].title)}: <strong>{value}</strong>")
        out_constant.append('<p class="constant">In every row — ' + "; ".join(parts) + "</p>")
        keep = [i for i in keep if i not in constant]
    # each table in a box as wide as the text column: a table too wide for it (many columns, a narrow window)
    # scrolls inside the box, never the page
    head = f'<div class="table-fit"><table class="{escape(css)}"><tr>' + "".join(
        f'<th{" class=sources" if answer.columns[i].kind == "sources" else ""}>{escape(answer.columns[i].title)}</th>'
        for i in keep) + "</tr>"
    out = out_constant + [head]
    for n, row in enumerate(answer.rows):
        if first is not None and n == first:
            out.append(f'</table></div><details class="more"><summary>{len(answer.rows) - first} more rows</summary>{head}')
        cells = []
        for i in keep:
            col, cell = answer.columns[i], row[i]
            if col.kind == "sources":
                text = (cite(citations, cell.refs) if citations is not None
                        else escape("; ".join(r.source for r in cell.refs)))
                cells.append(f'<td class="sources">{text}</td>')
            elif col.kind == "status":
                cells.append(f"<td>{status_html(cell.iri or cell.text)}</td>")
            elif cell.iri:
                target = href(cell.iri)
                src = citations.by_iri.get(cell.iri) if citations is not None else None
                text = breakable(src.short if src is not None else cell.text)  # a source (e.g. a claimant) as cited
                cells.append(f'<td><a href="{escape(target)}" title="{escape(cell.iri)}">{text}</a></td>' if target
                             else f'<td><span title="{escape(cell.iri)}">{text}</span></td>')
            elif citations is not None and col.name == "comment":
                cells.append(f"<td>{cite_keys(cell.text, citations)}</td>")
            elif citations is not None and (named := named_source(cell.text, citations)) is not None:
                cells.append(f'<td><a href="{escape(named.path)}" title="{escape(named.title)}">{escape(named.short)}</a></td>')
            else:
                # a short number stays on one line ("19 of 34"); a long one ("approximately 66.7 percent") may wrap
                number = escape(cell.text).replace(" ", "&nbsp;") if len(cell.text) <= 12 else escape(cell.text)
                cells.append(f'<td class="num">{number}</td>' if cell.numeric else f"<td>{breakable(cell.text)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table></div>" + ("</details>" if first is not None and len(answer.rows) > first else ""))
    return "\n".join(out)


def named_source(text: str, citations):
    """The source a cell names as "source KEY" (the named queries' label for a claimant that is itself a
    source), or None: such a cell is shown as the source's short citation, never as a bare key."""
    if not text.startswith("source ") or " " in text[7:]:
        return None
    return citations.get(text[7:])


_KEY = re.compile(r"(?<![\w/.#-])(S\d{1,3}[a-z]?|seed-\d{3})(?![\w/-])")


def cite_keys(text: str, citations) -> str:
    """Free text (a curator's note) as HTML with every source key it mentions ("… Nov 2023 (S25a)") shown as
    that source's short citation, linked to its page; other text escaped."""
    out, last = [], 0
    for m in _KEY.finditer(text):
        src = citations.get(m.group(1))
        if src is None:
            continue
        out.append(escape(text[last:m.start()]))
        out.append(f'<a href="{escape(src.path)}" title="{escape(src.title)}">{escape(src.short)}</a>')
        last = m.end()
    out.append(escape(text[last:]))
    return "".join(out)


def href(iri: str) -> str | None:
    """Where a link to an IRI goes: its local page, or the IRI itself if it is http(s); else nowhere."""
    path = local_path(iri)
    if path is not None:
        return path
    return iri if iri.startswith(("http://", "https://")) else None


def document(title: str, body: str, head: str = "") -> str:
    """A whole page: escaped title, inline CSS, the navigation bar, then `body` (already HTML).
    The empty `data:` icon keeps browsers from asking for /favicon.ico (a 404 in the console)."""
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} · crmgraph</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">'
            f"<style>{CSS}</style>{head}</head>"
            f"<body>\n{NAV}\n{body}\n</body></html>")


#: The portal's Content-Security-Policy: scripts, styles, images, connections and frames only from this
#: server (inline styles allowed: vis-network and YASGUI set them; `data:` images: the empty icon and
#: canvases). Every response gets it (web.app.SecurityHeaders); a page with inline scripts lists their
#: hashes instead of allowing inline scripts at large (`content_security_policy`).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'; "
       "object-src 'none'")


def content_security_policy(*inline_scripts: str) -> str:
    """CSP that also allows exactly these inline scripts (by their SHA-256), e.g. a page's own setup code."""
    hashes = " ".join("'sha256-" + base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode() + "'"
                      for code in inline_scripts)
    return CSP.replace("script-src 'self'", f"script-src 'self' {hashes}".rstrip())


def footer(version: str, built: str | None) -> str:
    """Every page's footer: the licences, the dataset's version and the store's build date (web.app.Footer
    puts it before </body> of every HTML answer). Its links stay in the portal: the licences' own pages are
    linked from /downloads."""
    return ('<footer class="site">Data: <a href="/downloads#licence">CC BY 4.0</a>'
            ' · code: <a href="/downloads#licence">MIT</a>'
            f" · dataset version {escape(version)} · built {escape((built or 'unknown')[:10])}"
            ' · <a href="/downloads">downloads</a> · <a href="/downloads#cite">how to cite</a></footer>')
