"""The portal's front door `/`: what the graph is, what is in it (counts), and where to go from here.

The counts are three small aggregate queries on the app's read-only store (`app.state.entity_store`,
the one the entity pages use), run once per server (that store handle cannot change while it serves):

- entities by class: subjects under `id:` with an asserted `crm:` class, per class (an entity may
  have several classes); statements, sources and vocabulary terms (`network.NOT_NODES`) are left out;
- statements by verification status: assertions, figures, claims and list entries (asserted graph);
- sources: every `crm:SourceDocument`, with the number of statements citing it (the ten most cited
  are listed, all of them on the `source-fact-counts` named query's page).

Every label and title goes through `web.html.escape`; links to IRIs of ours go to their local pages.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ..namespaces import CRM, ID, NAMED_GRAPHS
from ..views.network import NOT_NODES
from ..query.results import to_table
from .downloads import schema_org_script
from .html import document, escape, local_path

#: The statement kinds counted by status, in the order of the table's columns.
STATEMENT_KINDS = {CRM + "Assertion": "assertions", CRM + "Figure": "figures", CRM + "Claim": "claims",
                   CRM + "ListEntry": "list entries"}
#: Example entity pages linked from the home page (shown only if the store holds them).
EXAMPLES = (("country/KZ", "Kazakhstan"), ("material/antimony", "antimony"), ("list/crma-strategic-2024",
            "the CRMA strategic list"), ("union/EU", "the European Union"), ("source/seed-000", "a source document"))
#: How many of the most cited sources the page lists.
TOP_SOURCES = 10

CLASSES = f"""
SELECT ?class (SAMPLE(?l) AS ?label) (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  GRAPH graph:asserted {{ ?s a ?class }}
  FILTER(STRSTARTS(STR(?s), STR(id:)) && STRSTARTS(STR(?class), STR(crm:)))
  FILTER(?class NOT IN ({", ".join(f"<{c}>" for c in sorted(NOT_NODES))}))
  OPTIONAL {{ ?class rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), "en")) }}
}} GROUP BY ?class ORDER BY DESC(?n) ?class"""

ENTITIES = f"""
SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  GRAPH graph:asserted {{ ?s a ?class }}
  FILTER(STRSTARTS(STR(?s), STR(id:)) && STRSTARTS(STR(?class), STR(crm:)))
  FILTER(?class NOT IN ({", ".join(f"<{c}>" for c in sorted(NOT_NODES))}))
}}"""

STATUS = f"""
SELECT ?kind ?status (SAMPLE(?l) AS ?label) (COUNT(DISTINCT ?st) AS ?n) WHERE {{
  GRAPH graph:asserted {{ ?st a ?kind ; crm:status ?status }}
  VALUES ?kind {{ {" ".join(f"<{k}>" for k in STATEMENT_KINDS)} }}
  OPTIONAL {{ ?status skos:prefLabel ?l FILTER(LANGMATCHES(LANG(?l), "en")) }}
}} GROUP BY ?kind ?status"""

SOURCES = """
SELECT ?src (SAMPLE(?k) AS ?key) (SAMPLE(?t) AS ?title) (COUNT(DISTINCT ?st) AS ?n) WHERE {
  ?src a crm:SourceDocument .
  OPTIONAL { ?src crm:sourceKey ?k }
  OPTIONAL { ?src dcterms:title ?t }
  OPTIONAL { ?st prov:wasDerivedFrom/crm:source ?src }
} GROUP BY ?src ORDER BY DESC(?n) ?key"""


@dataclass
class Counts:
    """What the home page counts."""

    triples: int
    entities: int
    classes: list[tuple[str, str, int]]                 # (class IRI, label, entities)
    statuses: dict[str, dict[str, int]] = field(default_factory=dict)   # status IRI → kind IRI → statements
    status_labels: dict[str, str] = field(default_factory=dict)
    sources: list[tuple[str, str, str, int]] = field(default_factory=list)  # (IRI, key, title, statements)


def _rows(store, sparql: str) -> list[list]:
    return [[None if t is None else t.value for t in row] for row in to_table(store.query(sparql)).rows]


def count(store) -> Counts:
    """The home page's counts, from a store."""
    classes = [(c, label or c.removeprefix(CRM), int(n)) for c, label, n in _rows(store, CLASSES)]
    counts = Counts(triples=sum(store.count(g) for g in NAMED_GRAPHS), entities=int(_rows(store, ENTITIES)[0][0]),
                    classes=classes)
    for kind, status, label, n in _rows(store, STATUS):
        counts.statuses.setdefault(status, {})[kind] = int(n)
        counts.status_labels[status] = label or status.rsplit("#", 1)[-1]
    counts.sources = [(iri, key or "", title or "", int(n)) for iri, key, title, n in _rows(store, SOURCES)]
    return counts


def _exists(store, iri: str) -> bool:
    return bool(store.query(f"ASK {{ <{iri}> ?p ?o }}"))


def _link(iri: str, text: str) -> str:
    path = local_path(iri)
    return f'<a href="{escape(path)}">{escape(text)}</a>' if path else escape(text)


#: The portal's sections: (path, name, one line).
SECTIONS = (
    ("/views/timeline", "Timeline", "the EU's instruments with Central Asia, step by step, each with its sources"),
    ("/views/map", "Map", "countries coloured by the critical raw materials they offer, their agreements with the EU "
     "or their world share of a material; the Central Asian states and their sites"),
    ("/views/shares", "Shares", "who supplies what: ranked bars of shares of EU supply, EU imports and world production"),
    ("/explore", "Graph explorer", "the graph as an interactive network: filter by country, material and source; "
     "click an entity for its facts and their sources"),
    ("/editor", "SPARQL editor", "write and run any read-only query, with completion; results as a table, "
     "downloadable, or drawn as a network"),
    ("/queries", "Named queries", "ready-made questions with parameters, each a shareable page with CSV and "
     "JSON downloads"),
    ("/conflicts", "Disagreements", "where the sources disagree: both sides side by side, each with its period, "
     "who says it, its status and where it is written"),
    ("/ontology", "Ontology", "the classes and properties of the vocabulary (crm:), each with an anchor"),
    ("/downloads", "Downloads", "the whole graph as files (N-Quads, TriG, Turtle, RDF/XML, JSON-LD, CSV) with "
     "version, licence, checksums and how to cite it; the Graph Store Protocol at /store"),
    ("/sparql", "SPARQL endpoint", "the SPARQL 1.1 Protocol endpoint for any client (read-only, time limit, "
     "row cap); without a query, its service description"),
)

#: Downloads the portal serves: (path, one line).
DOWNLOADS = (
    ("/ontology.ttl", "the ontology as Turtle (also .nt, .jsonld)"),
    ("/queries.json", "the named queries and their parameters, as JSON"),
    ("/explore.json", "the explorer's data: entities with their facts and sources, links, classes"),
)


#: The flagship questions, each a card on the home page that opens its answer: (question, what the
#: answer shows, link). A link is a named query's page with its parameters, or one of the views.
QUESTIONS = (
    ("Which critical raw materials can the EU source from Kazakhstan — and on whose word?",
     "the materials of the 2023 list that Kazakhstan, its companies or its sites produce, hold or process — each with its source",
     "/queries/crm-supply-by-country?country=KZ"),
    ("What do the five Central Asian states produce or hold that the EU lists as critical?",
     "material by material, for Kazakhstan, Uzbekistan, Tajikistan, Kyrgyzstan and Turkmenistan",
     "/queries/eu-crm-supply-from-central-asia"),
    ("When did the EU sign what with Central Asia?",
     "every dated step of the EU's agreements and strategies with the region, on a timeline",
     "/views/timeline"),
    ("Where does one supplier dominate EU supply — and who in Central Asia could step in?",
     "materials with a single country at 50 % or more of EU supply, and the Central Asian producers",
     "/queries/eu-dominant-suppliers"),
    ("Who could replace China for antimony?",
     "today's suppliers of antimony beside the Central Asian states that produce or hold it",
     "/queries/material-supply-alternatives?material=antimony"),
    ("Where do the sources disagree?",
     "figures about the same thing and year with different values, each with its source",
     "/queries/conflicting-figures"),
)

#: The home page's own style (cards and the search box), added to the shared frame's.
STYLE = """<style>.lead{font-size:110%;max-width:52em}.home-search{margin:1em 0 1.5em}
.home-search input[type=search]{font-size:110%;padding:.35em .5em;width:28em;max-width:70%}
.home-search button{font-size:110%;padding:.3em .9em}
.questions{display:grid;grid-template-columns:repeat(auto-fill,minmax(20em,1fr));gap:1em;margin:1em 0 2em;padding:0;list-style:none}
.questions li{border:1px solid #d6dbe3;border-radius:6px;padding:.8em 1em;background:#fafbfd}
.questions a.q{font-weight:600;font-size:105%;text-decoration:none;color:#1a4d8f}.questions a.q:hover{text-decoration:underline}
.questions .what{display:block;color:#555;font-size:90%;margin-top:.3em}
.counts-line{color:#444}details.more>summary{cursor:pointer;font-weight:600;margin:1.2em 0 .4em}</style>"""


def render(counts: Counts, examples: list[tuple[str, str]]) -> str:
    """The home page's body: what the graph is (two sentences), a search box, the flagship questions as
    cards that open their answers, the views and sections, then the counts (the class table folded)."""
    statements = sum(sum(k.values()) for k in counts.statuses.values())
    out = [
        "<h1>crmgraph</h1>",
        '<p class="lead">A knowledge graph of the <strong>EU\'s critical raw materials</strong> and its partnerships '
        "with <strong>Central Asia</strong> (Kazakhstan, Uzbekistan, Tajikistan, Kyrgyzstan, Turkmenistan) and the "
        "other powers in play (China, Russia, Türkiye): the EU's lists, its agreements with each state, companies, "
        "deposits, projects and figures. Every fact says who claimed it, where (document and locator), for which "
        "year and how far it is verified; when sources disagree, both claims stay side by side.</p>",
        '<form class="home-search" method="get" action="/search" role="search">'
        '<input type="search" name="q" placeholder="A country, material, agreement, company or source…" '
        'aria-label="Search the graph" autocomplete="off" data-suggest="/search.json"> '
        '<button type="submit">Search</button></form>',
        '<h2>Questions it answers</h2><ul class="questions" id="questions">',
    ]
    out += [f'<li><a class="q" href="{escape(link)}">{escape(question)}</a><span class="what">{escape(what)}</span></li>'
            for question, what, link in QUESTIONS]
    out.append('</ul><p>More: <a href="/queries">all ready-made questions</a>, by theme.</p>')
    out.append('<h2>Look at it</h2><ul class="sections">')
    out += [f'<li><a href="{escape(path)}">{escape(name)}</a> — {escape(line)}</li>' for path, name, line in SECTIONS]
    out.append("</ul>")
    if examples:
        out.append("<p>Factsheets: " + " · ".join(
            f'<a href="{escape("/id/" + slug)}">{escape(text)}</a>' for slug, text in examples) + "</p>")
    out.append('<p class="status">Downloads: ' + " · ".join(f'<a href="{escape(path)}">{escape(path)}</a> ({escape(line)})'
                                                           for path, line in DOWNLOADS) + "</p>")

    out.append(f'<h2>What is in it</h2><p class="counts-line">{_n(counts.entities, "entity", "entities")}, '
               f'{_n(statements, "statement")} from {_n(len(counts.sources), "source")}, in '
               f'{_n(counts.triples, "triple")} (ontology, curated facts, what the reasoner infers, build record).</p>')
    kinds = list(STATEMENT_KINDS)
    out.append('<h3>Statements by verification status</h3><table id="statuses"><tr><th>status</th>'
               + "".join(f"<th>{_link(k, label)}</th>" for k, label in STATEMENT_KINDS.items()) + "<th>total</th></tr>")
    order = sorted(counts.statuses, key=lambda s: -sum(counts.statuses[s].values()))
    for status in order:
        by_kind = counts.statuses[status]
        name = _link(status, counts.status_labels[status])
        more = "/queries/statements-by-status?" + urlencode({"status": local_name(status)})
        out.append(f'<tr data-status="{escape(status)}"><td>{name} <a class="status" href="{escape(more)}">list</a></td>'
                   + "".join(f"<td>{by_kind.get(k, 0):,}</td>" for k in kinds)
                   + f"<td>{sum(by_kind.values()):,}</td></tr>")
    out.append("<tr><th>total</th>" + "".join(
        f"<th>{sum(s.get(k, 0) for s in counts.statuses.values()):,}</th>" for k in kinds)
        + f"<th>{statements:,}</th></tr></table>")

    out.append(f'<h3>Sources</h3><p>{_n(len(counts.sources), "source document")}; the {min(TOP_SOURCES, len(counts.sources))} '
               'most cited (all of them: <a href="/queries/source-fact-counts">how many statements each source '
               'supports</a>):</p><table id="sources"><tr><th>source</th><th>key</th><th>statements</th></tr>')
    out += [f'<tr><td>{_link(iri, title or key or iri)}</td><td><code>{escape(key)}</code></td><td>{n:,}</td></tr>'
            for iri, key, title, n in counts.sources[:TOP_SOURCES]]
    out.append("</table>")

    out.append(f'<details class="more"><summary>Entities by class ({len(counts.classes)} classes)</summary>'
               '<p class="status">As curated (asserted classes); an entity may have several classes. The ontology '
               'defines more (e.g. Central Asian country) that the reasoner infers.</p>'
               '<table id="classes"><tr><th>class</th><th>entities</th></tr>')
    out += [f'<tr data-class="{escape(c)}"><td>{_link(c, label)}</td><td>{n:,}</td></tr>' for c, label, n in counts.classes]
    out.append("</table></details>")
    return "\n".join(out)


def _n(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def local_name(iri: str) -> str:
    """`crm:Term` for a term of the ontology (a named query's parameter value), else the IRI."""
    return "crm:" + iri.removeprefix(CRM) if iri.startswith(CRM) else iri


async def home(request: Request) -> Response:
    """`/`: the portal's front door."""
    store = request.app.state.entity_store

    def build() -> str:
        # counted once per server: the app's store is opened read-only for the server's lifetime
        cached = getattr(request.app.state, "home_counts", None)
        if cached is None:
            cached = request.app.state.home_counts = (
                count(store), [(slug, text) for slug, text in EXAMPLES if _exists(store, ID + slug)])
        return render(*cached)

    body = await run_in_threadpool(build)
    head = await run_in_threadpool(schema_org_script, request)
    return HTMLResponse(document("Home", body, head=STYLE + head))
