"""HTML helpers shared by the portal's pages: escaping, the inline style sheet, links to IRIs.

Every string that reaches a page goes through `escape` (html.escape, quotes included); links to
outside the portal are only ever plain `<a href>` to http(s) IRIs, and pages load nothing from outside
(inline CSS, no fonts, no images; the only scripts are the editor's, from the server's `/assets/yasgui/`).
"""
from __future__ import annotations

import base64
import hashlib
import html

from ..namespaces import local_path  # noqa: F401 - re-exported: the pages import it from here

CSS = """body{font:15px/1.45 system-ui,sans-serif;max-width:70em;margin:1.5em auto;padding:0 1em;color:#222}
h1{margin-bottom:.1em}.iri{color:#555;font-family:monospace;word-break:break-all}
table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}th,td{border-bottom:1px solid #ddd;padding:.3em .5em;
text-align:left;vertical-align:top}th{background:#f4f4f4}.inferred{color:#7a4b00;background:#fff4dc;padding:0 .3em;
border-radius:3px;font-size:85%}.src{font-size:90%}.status{font-size:85%;color:#555}nav a{margin-right:1em}
code{font-size:90%}pre{background:#f6f6f6;padding:.6em;overflow-x:auto;font-size:85%}
.error{background:#fde8e8;border-left:4px solid #b00;padding:.5em 1em}form label{display:block;margin:.4em 0}
form input[type=text]{min-width:20em}
footer.site{margin:2.5em 0 1em;padding-top:.6em;border-top:1px solid #ddd;color:#555;font-size:85%}"""

#: The portal's sections: (path, name), in the order of the navigation bar (also printed by `crmgraph serve`).
SECTIONS = (("/", "home"), ("/explore", "explorer"), ("/editor", "SPARQL editor"), ("/queries", "named queries"),
            ("/ontology", "ontology"), ("/downloads", "downloads"), ("/sparql", "SPARQL endpoint"), ("/risk", "supply risk"),
            ("/conflicts", "disagreements"))
#: The navigation bar of every page.
NAV = "<nav>" + "".join(f'<a href="{path}">{name}</a>' for path, name in SECTIONS) + "</nav>"


def escape(text: object) -> str:
    """Escaped for HTML text and attribute values."""
    return html.escape(str(text), quote=True)


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
