"""The `crmgraph` command: a thin shell over the library.

Each command parses its options, calls one library function and prints the result with rich.
Library errors are turned into a message and exit code 1 in one place (`_run`).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from . import __version__
from .errors import CrmgraphError, render_for_cli
from .settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="crmgraph — a sourced knowledge graph of the EU's critical raw materials and Central Asia.")
out = Console()
err = Console(stderr=True)

StoreOption = typer.Option(None, "--store", help="Store folder (default: var/store in the project, or $CRMGRAPH_STORE).")
EndpointOption = typer.Option(None, "--endpoint", envvar="CRMGRAPH_ENDPOINT",
                              help="A SPARQL 1.1 server's query URL instead of the embedded store (Oxigraph …/query, Virtuoso …/sparql).")
UserOption = typer.Option(None, "--user", help="User for the endpoint (or $CRMGRAPH_ENDPOINT_USER).")
PasswordOption = typer.Option(None, "--password", help="Password for the endpoint (or $CRMGRAPH_ENDPOINT_PASSWORD); never logged.")
EndpointTimeoutOption = typer.Option(30.0, "--timeout-s", min=0.001, envvar="CRMGRAPH_ENDPOINT_TIMEOUT",
                                     help="With --endpoint: longest one request to the server may take, all of it (connect, send, "
                                          "the whole answer), however slowly the server sends.")


def _check_format(format: str, choices: tuple[str, ...]) -> None:
    """Refuse a --format the command does not write (exit 2), rather than fall back to another silently."""
    if format not in choices:
        err.print(f"error: unknown format {format!r}; choose one of {', '.join(choices)}", highlight=False)
        raise typer.Exit(2)


def _version(value: bool) -> None:
    if value:
        out.print(f"crmgraph {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """crmgraph — a sourced knowledge graph of the EU's critical raw materials and Central Asia."""


def _run(fn):
    try:
        return fn()
    except CrmgraphError as exc:
        sys.stderr.write(render_for_cli(exc) + "\n")
        raise typer.Exit(1) from None


def _store_path(store: Optional[Path]) -> Path:
    return store if store is not None else Settings.discover().default_store


def _with_store(fn, store: Optional[Path], endpoint: Optional[str] = None, user: Optional[str] = None,
                password: Optional[str] = None, timeout_s: float = 30.0):
    """Open the store (embedded or remote), call `fn(store)`, always close it; errors rendered by _run."""
    def go():
        s = _open(store, endpoint, user, password, timeout_s)
        try:
            return fn(s)
        finally:
            s.close()
    return _run(go)


def _open(store: Optional[Path], endpoint: Optional[str] = None, user: Optional[str] = None, password: Optional[str] = None,
          timeout_s: float = 30.0):
    if endpoint:
        from .store.remote import RemoteStore

        return RemoteStore(endpoint, user=user, password=password, timeout=timeout_s)
    from .store.embedded import OxigraphStore

    return OxigraphStore(_store_path(store), read_only=True)


@app.command()
def build(store: Optional[Path] = StoreOption, endpoint: Optional[str] = EndpointOption,
          user: Optional[str] = UserOption, password: Optional[str] = PasswordOption,
          timeout_s: float = typer.Option(300.0, "--timeout-s", min=0.001, envvar="CRMGRAPH_ENDPOINT_TIMEOUT",
                                         help="With --endpoint: longest the load of one graph may take, all of it."),
          no_reason: bool = typer.Option(False, "--no-reason", help="Skip OWL reasoning (faster; no inferred graph)."),
          allow_shrink: bool = typer.Option(False, "--allow-shrink",
                                            help="Build even if more than 20 % of the previous store's curated triples would be lost."),
          wait: bool = typer.Option(False, "--wait", help="If another build holds the store folder's lock, wait for it instead of failing."),
          no_cache: bool = typer.Option(False, "--no-cache",
                                        help="Run HermiT and the imports of data/ even if var/cache holds their answers "
                                             "for the same input.")) -> None:
    """Build the store from ontology/ and graph/: parse, check, validate (SHACL), reason (HermiT), load.

    The new store is written beside the old one and switched in atomically; a build that would drop more
    than 20 % of the previous store's curated triples stops unless --allow-shrink; a second build of the
    same folder fails at once naming the first one's pid (or, with --wait, waits for it).
    With --endpoint, the graphs are loaded into a SPARQL server through the Graph Store Protocol."""
    from .knowledge.build import build as run_build
    from .knowledge.build import build_remote

    with err.status("building") as status:
        def progress(step: str) -> None:
            status.update(step + " …")

        if endpoint:
            report = _run(lambda: build_remote(_open(None, endpoint, user, password, timeout_s), reason=not no_reason, progress=progress))
        else:
            report = _run(lambda: run_build(store_path=store, reason=not no_reason, progress=progress,
                                            allow_shrink=allow_shrink, wait=wait, cache=not no_cache))
    t = report.triples
    out.print(f"[green]built[/] {report.store or endpoint}: {t['asserted']} asserted, {t['statements']} statement-layer, "
              f"{t['truthy']} truthy, {t['inferred']} inferred, "
              f"{t['ontology']} ontology, {t['shapes']} shape triples from {len(report.files)} files "
              f"in {report.seconds:.2f} s ({', '.join(f'{k} {v:.2f}' for k, v in report.timings.items())})")
    if report.warnings:
        out.print(f"[yellow]{len(report.warnings)} SHACL warnings[/] (run `crmgraph validate` to list them)")
    for imp in report.imports:
        again = " (re-used: its data/ folder, importer code and curated countries are unchanged)" \
            if imp.dataset.graph in report.reused else ""
        out.print(f"imported {imp.dataset.key}{again}: {imp.rows} rows read, {imp.mapped} mapped, {len(imp.unmapped)} unmapped, "
                  f"{imp.figures} figures, {imp.withheld} withheld (`crmgraph import` lists the unmapped rows)")


def _print_import_report(report, show_rows: bool) -> None:
    from rich.table import Table as RichTable

    t = RichTable(title=f"import of {report.dataset.key} ({report.dataset.title})")
    for col in ("file", "sha256", "rows read", "mapped", "unmapped", "figures", "withheld", "empty cells"):
        t.add_column(col, overflow="fold")
    for f in report.files:
        t.add_row(f.file, f.sha256[:16] + "…", str(f.rows), str(f.mapped), str(len(f.unmapped)), str(f.figures),
                  str(f.withheld), str(f.empty_cells))
    out.print(t)
    u = RichTable(title="unmapped rows (not imported), by name")
    for col in ("name", "rows", "why"):
        u.add_column(col, overflow="fold")
    for name, (n, reason) in sorted(report.unmapped_by_name().items()):
        u.add_row(name, str(n), reason)
    out.print(u)
    if show_rows:
        for x in report.unmapped:
            out.print(f"{x.file}:{x.line}: {x.name} — {x.reason}", highlight=False)


@app.command("import")
def import_(kind: str = typer.Argument(..., help="usgs-mcs (the MCS 2025 world CSV) or eu-crm-study (the folder of the EC 2023 study tables)."),
            path: Path = typer.Argument(..., help="The dataset's folder or file, e.g. data/usgs-mcs2025-world/MCS2025_World_Data.csv."),
            store: Optional[Path] = StoreOption,
            rows: bool = typer.Option(False, "--rows", help="Also list every unmapped row with its file and line.")) -> None:
    """Import an outside dataset into the store's own named graph for it (graph:import/KEY), replacing
    an earlier import; recompute the indicators (graph:analytics); print the import report (rows read,
    mapped, unmapped with the reason)."""
    from .io.importing import import_into_store
    from .store.embedded import OxigraphStore

    def go():
        s = OxigraphStore(_store_path(store))
        try:
            from .query.results import to_table

            known = set(to_table(s.query("SELECT ?c WHERE { GRAPH graph:asserted { ?c a crm:Country } }")).column("c"))
            report = import_into_store(s, kind, path, known)
            # the indicators of graph:analytics were computed from the data just replaced: recompute them
            from .analysis.results import write_indicators
            from .analysis.supplydata import load

            write_indicators(s, load(s))
            return report
        finally:
            s.close()
    _print_import_report(_run(go), rows)
    out.print("graph:analytics recomputed from the imported data (`crmgraph indicators …`)", highlight=False)


def _add_risk_commands() -> None:
    from .clirisk import indicators_app, scenario_app

    app.add_typer(indicators_app, name="indicators")
    app.add_typer(scenario_app, name="scenario")


_add_risk_commands()


@app.command()
def validate(reason: bool = typer.Option(True, help="Also run the OWL consistency check."),
             engine: str = typer.Option("oxigraph", "--engine",
                                        help="SHACL engine: oxigraph (ours, fast) or pyshacl (the reference; same findings, slower).")) -> None:
    """Check graph/ without writing a store: parse, curation rules, SHACL and (by default) reasoning."""
    from .knowledge.build import compile_graph
    from .knowledge.validation import ENGINES

    if engine not in ENGINES:
        err.print(f"error: --engine is one of {', '.join(ENGINES)}, not {engine!r}")
        raise typer.Exit(2)
    with err.status("validating") as status:
        compiled = _run(lambda: compile_graph(Settings.discover(), reason=reason, shacl_engine=engine,
                                              progress=lambda step: status.update(step + " …")))
    for w in compiled.warnings:
        out.print(f"[yellow]warning[/] {w}", highlight=False)
    out.print(f"[green]valid[/]: {len(compiled.asserted)} asserted triples in {len(compiled.files)} files"
              + (f", consistent, {len(compiled.inferred)} inferred" if reason else "")
              + f"; {len(compiled.warnings)} warnings")


def _parse_params(params: list[str]) -> dict[str, str]:
    values = {}
    for item in params:
        name, sep, value = item.partition("=")
        if not sep or not name:
            err.print(f"error: --param takes NAME=VALUE, got {item!r}")
            raise typer.Exit(2)
        values[name.strip()] = value
    return values


@app.command()
def query(query: str = typer.Argument(..., help="A named query of queries/ (see `crmgraph queries`) or a path to a .rq file."),
          param: list[str] = typer.Option([], "--param", "-p", help="NAME=VALUE for a named query's parameter (repeatable)."),
          store: Optional[Path] = StoreOption, endpoint: Optional[str] = EndpointOption,
          user: Optional[str] = UserOption, password: Optional[str] = PasswordOption, timeout_s: float = EndpointTimeoutOption,
          format: str = typer.Option("table", "--format", "-f", help="table, csv, tsv, json or md"),
          output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout.")) -> None:
    """Run a named query or a SPARQL file against the store (prefixes crm:, id:, mat:, country: … are predeclared)."""
    from .query.named import find_named_query, load_named_queries, parse_named_query, run_named
    from .query.results import FORMATS, serialise, to_rich

    _check_format(format, FORMATS)
    values = _parse_params(param)

    def find():
        path = Path(query)
        if query.endswith(".rq") or path.is_file():
            if not path.is_file():
                from .errors import QueryError
                raise QueryError(f"no such query file: {query}")
            return parse_named_query(path, require_header=False)
        return find_named_query(load_named_queries(Settings.discover().queries_dir), query)

    named = _run(find)

    def run(s):
        answer = run_named(s, named, values)
        cites = None
        if format == "table" and output is None and hasattr(answer, "columns") and ({"source", "sources"} & set(answer.columns)):
            from .query.citations import Citations

            cites = Citations.load(s)
        return answer, cites

    result, cites = _with_store(run, store, endpoint, user, password, timeout_s)
    if isinstance(result, bool):
        text = "true\n" if result else "false\n"
    elif isinstance(result, list):
        import pyoxigraph as ox

        text = ox.serialize(result, format=ox.RdfFormat.TURTLE).decode()
    elif format == "table" and output is None:
        from .query.answers import shape

        out.print(to_rich(result, width=out.width, citations=cites))
        shaped = shape(result)
        out.print(f"{len(shaped.rows)} rows" + (f" ({len(result)} before merging rows that differ only in their sources)"
                                                 if shaped.merged else ""))
        return
    else:
        text = serialise(result, "md" if format == "table" else format)
    if output:
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {output}")
    else:
        sys.stdout.write(text)


QUERIES_FORMATS = ("table", "md", "json")


@app.command()
def queries(format: str = typer.Option("table", "--format", "-f", help="table, md (the Markdown catalogue) or json")) -> None:
    """List the named queries of queries/ with their parameters (names in full: they are what you type)."""
    import json

    from rich.table import Table as RichTable

    from .query.named import catalogue_markdown, load_named_queries, query_json

    _check_format(format, QUERIES_FORMATS)
    found = _run(lambda: load_named_queries(Settings.discover().queries_dir))
    if format == "md":
        sys.stdout.write(catalogue_markdown(found))
        return
    if format == "json":
        sys.stdout.write(json.dumps({"queries": [query_json(q) for q in found.values()]}, ensure_ascii=False, indent=1) + "\n")
        return
    t = RichTable("name", "title", "parameters", title=f"{len(found)} named queries")
    t.columns[0].no_wrap = True  # a name is typed as a whole: never cut or wrapped
    t.columns[0].min_width = max(len(n) for n in found) if found else None
    for q in found.values():
        t.add_row(q.name, q.title, ", ".join(f"{p.name}: {p.type}" + (f" = {p.default}" if p.default else "") for p in q.parameters))
    out.print(t)


@app.command()
def stats(store: Optional[Path] = StoreOption, endpoint: Optional[str] = EndpointOption,
          user: Optional[str] = UserOption, password: Optional[str] = PasswordOption,
          timeout_s: float = EndpointTimeoutOption) -> None:
    """Triples per graph, instances per class, statements per status, facts per source, entities without
    identifiers and the share of references with a real locator."""
    from rich.table import Table as RichTable

    from .analysis.stats import compute_stats

    st = _with_store(compute_stats, store, endpoint, user, password, timeout_s)
    t = RichTable("graph", "triples", title="Triples per graph")
    for g, n in st.triples_per_graph.items():
        t.add_row(g, str(n))
    t.add_row("[bold]total[/]", f"[bold]{st.total_triples}[/]")
    out.print(t)
    t = RichTable("kind", *sorted({s for d in st.statements_by_status.values() for s in d}), title="Statements by status")
    cols = t.columns[1:]
    for kind, d in sorted(st.statements_by_status.items()):
        t.add_row(kind, *[str(d.get(c.header, 0)) for c in cols])
    out.print(t)
    t = RichTable("class", "instances", title="Instances per class (asserted)")
    for c, n in st.instances_per_class.items():
        t.add_row(c, str(n))
    out.print(t)
    t = RichTable("source", "statements citing it", "title", title="Facts per source")
    for key, title, n in st.facts_per_source:
        t.add_row(key, str(n), title[:80])
    out.print(t)
    from .namespaces import compact as _compact

    t = RichTable("class", "entity", "label", "lacks", title=f"Entities without identifiers ({len(st.missing_identifiers)})")
    for cls, iri, label, needs in st.missing_identifiers:
        t.add_row(cls, _compact(iri), label, ", ".join(needs))
    out.print(t)
    total = sum(st.locators.values())
    out.print(f"References with a real locator: {total - st.locators.get('not given', 0)} of {total} "
              f"({st.locator_share:.1%}; a place in the source {st.locators.get('place', 0)}, "
              f"whole short document {st.locators.get('whole document', 0)}, not given {st.locators.get('not given', 0)})",
              highlight=False)


@app.command()
def conflicts(store: Optional[Path] = StoreOption, endpoint: Optional[str] = EndpointOption,
              user: Optional[str] = UserOption, password: Optional[str] = PasswordOption, timeout_s: float = EndpointTimeoutOption,
              format: str = typer.Option("text", "--format", "-f", help="text, json, csv or md"),
              output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout.")) -> None:
    """Every disagreement between sources (figures, list editions, official lists, dates, contradicted claims), both sides with their sources."""
    from .analysis.conflict_report import FORMATS, render
    from .analysis.conflicts import find_disagreements

    if format not in FORMATS:
        err.print(f"error: unknown format {format!r}; choose one of {', '.join(FORMATS)}")
        raise typer.Exit(2)
    found = _with_store(find_disagreements, store, endpoint, user, password, timeout_s)
    text = render(found, format)
    if output is not None:
        output.write_text(text, encoding="utf-8")
        err.print(f"{len(found)} disagreements written to {output}")
    else:
        sys.stdout.write(text)


@app.command()
def serve(host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (127.0.0.1: this machine only)."),
          port: int = typer.Option(8000, "--port", min=0, max=65535, help="Port to listen on (0: any free port)."),
          store: Optional[Path] = StoreOption,
          timeout_s: float = typer.Option(10.0, "--timeout-s", min=0.001, help="Stop a query after this many seconds."),
          max_rows: int = typer.Option(10_000, "--max-rows", min=1, help="Refuse answers with more rows (or triples) than this."),
          workers: int = typer.Option(2, "--workers", min=1, max=64, help="Queries run at once (one process each)."),
          max_nodes: int = typer.Option(2000, "--max-nodes", min=1, help="Refuse to draw a query's answer with more nodes than this (/explore)."),
          max_memory_mb: int = typer.Option(1024, "--max-memory-mb", min=0,
                                            help="Memory a query worker may use (MB; at least 256, 0: no limit); "
                                                 "a query needing more is stopped (503) and its worker replaced."),
          max_answer_mb: float = typer.Option(50.0, "--max-answer-mb", min=0.001,
                                              help="Refuse answers larger than this (MB, counted as they are written; 413)."),
          per_client: int = typer.Option(0, "--per-client", min=0, help="Queries one client may run at once (0: workers - 1, at least 1)."),
          queue: int = typer.Option(16, "--queue", min=0, help="Queries that may wait for a worker; beyond, 503 with Retry-After."),
          trust_forwarded: bool = typer.Option(False, "--trust-x-forwarded-for",
                                               help="Behind a reverse proxy: tell clients apart by the proxy's last X-Forwarded-For entry, "
                                                    "not the peer address."),
          cache_mb: float = typer.Option(64.0, "--cache-mb", min=0, help="Keep answers up to this many MB in all to serve them again (0: off)."),
          warm: bool = typer.Option(True, "--warm/--no-warm",
                                    help="Prepare the explorer, the factsheets and the portal's expensive answers in the "
                                         "background at start-up; /health says `ready` once done, and so does the console."),
          processes: int = typer.Option(1, "--processes", min=1, max=16,
                                        help="HTTP processes (each uses one core; "
                                             "the query workers and the cache are shared out among them).")) -> None:
    """Serve the portal over HTTP and print its URL: the graph explorer (/explore), the SPARQL editor (/editor),
    named queries (/queries), entity pages (/id/…), and the SPARQL 1.1 endpoint (/sparql: read-only, bounded).

    Every query is bounded: --timeout-s from its arrival (waiting for a worker included), --max-memory-mb per
    worker, --max-rows and --max-answer-mb per answer; a fair queue lets no client hold every worker
    (--per-client) and refuses at once when --queue requests already wait. Pages never wait behind queries."""
    from .web.sandbox import Limits
    from .web import bind, create_app, make_server
    from .web.html import SECTIONS

    def make():
        try:
            limits = Limits(timeout_s, max_rows, workers, max_nodes, max_memory_mb, max_answer_mb, per_client, queue)
        except ValueError as exc:
            err.print(f"error: {exc}", highlight=False)
            raise typer.Exit(2) from None
        return create_app(_store_path(store), Settings.discover(), limits, warm_explorer=warm, trust_forwarded=trust_forwarded,
                          cache_bytes=int(cache_mb * 2**20))

    web_app = _run(make)
    try:
        sock = bind(host, port)
    except OSError as exc:
        err.print(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}\n  hint: pass another --port (or --port 0 for any free one)")
        raise typer.Exit(1) from None
    bound_host, bound_port = sock.getsockname()[:2]
    url = f"http://{f'[{bound_host}]' if ':' in bound_host else bound_host}:{bound_port}"
    out.print(f"crmgraph: portal at {url}/", highlight=False, soft_wrap=True)
    for path, what in SECTIONS[1:]:  # the portal's sections, after its home page
        out.print(f"  {what:<16} {url}{path}", highlight=False, soft_wrap=True)
    limits = web_app.state.limits
    out.print(f"  store {web_app.state.store_path}; queries stopped after {timeout_s:g} s (queue included) or "
              f"{max_memory_mb or 'unlimited'} MB, answers capped at {max_rows:,} rows and {max_answer_mb:g} MB, "
              f"{workers} at once ({limits.client_cap} per client, {queue} waiting)"
              + (f", {processes} HTTP processes" if processes > 1 else "") + "; Ctrl-C to stop", highlight=False, soft_wrap=True)
    if bound_host not in ("127.0.0.1", "::1"):
        out.print(f"  [yellow]listening on {bound_host}: other machines can reach it[/]", highlight=False, soft_wrap=True)
    web_app.state.warm_host = url.removeprefix("http://")
    started = time.monotonic()

    def ready(summary: dict) -> None:
        failed = f"; not kept: {', '.join(summary['failed'])}" if summary["failed"] else ""
        out.print(f"crmgraph: ready — {summary['answers_kept']} answers prepared in {time.monotonic() - started:.1f} s "
                  f"(explorer, factsheets, the portal's pages){failed}", highlight=False, soft_wrap=True)

    web_app.state.warming.on_ready = ready
    if processes > 1:
        from .web.app import serve_processes

        serve_processes(sock, web_app.state.store_path, web_app.state.limits, processes, int(cache_mb * 2**20),
                        warm_explorer=warm, trust_forwarded=trust_forwarded, warm_host=web_app.state.warm_host)
        return
    make_server(web_app).run(sockets=[sock])


@app.command()
def viz(output: Path = typer.Option(..., "--output", "-o", help="The HTML file to write."),
        query: Optional[str] = typer.Option(None, "--query", "-q", help="Draw this named query's answer (a CONSTRUCT, or a SELECT with "
                                                                        "two IRI columns) instead of the whole graph."),
        param: list[str] = typer.Option([], "--param", "-p", help="NAME=VALUE for the query's parameter (repeatable)."),
        max_nodes: int = typer.Option(2000, "--max-nodes", min=1,
                                      help="Most entities on screen at first (best connected first; the rest stay searchable)."),
        store: Optional[Path] = StoreOption, endpoint: Optional[str] = EndpointOption,
        user: Optional[str] = UserOption, password: Optional[str] = PasswordOption,
          timeout_s: float = EndpointTimeoutOption) -> None:
    """Write the graph explorer as one self-contained HTML file: the network, legend, filters, search and each
    node's facts with their sources — opens from disk with no server and no internet."""
    from .views.explorer import write_file
    from .query.named import find_named_query, load_named_queries

    values = _parse_params(param)
    named = _run(lambda: find_named_query(load_named_queries(Settings.discover().queries_dir), query)) if query else None
    data = _with_store(lambda s: write_file(s, output, named, values, max_nodes), store, endpoint, user, password, timeout_s)
    size = output.stat().st_size
    err.print(f"wrote {output}: {len(data['view']):,} of {len(data['nodes']):,} entities on screen, "
              f"{len(data['edges']):,} links, {size / 1e6:.1f} MB", highlight=False, soft_wrap=True)


@app.command()
def export(output: Optional[Path] = typer.Option(None, "--output", "-o",
                                                 help="The release folder to write (default: var/release, or $CRMGRAPH_RELEASE)."),
           store: Optional[Path] = StoreOption) -> None:
    """Write the release folder: N-Quads and TriG of every named graph; Turtle, N-Triples, RDF/XML and JSON-LD of the
    asserted (and truthy) graph; the ontology; CSV tables; the DCAT-AP + VoID description; SHA256SUMS.
    Same store, same bytes; written beside the target and moved into place only when complete."""
    from .io.describe import dataset_version
    from .io.export import CHECKSUMS, export_release

    settings = Settings.discover()
    target = output if output is not None else settings.release_dir
    version_ = _run(lambda: dataset_version(settings.changes_file))
    release = _with_store(lambda s: export_release(s, target, version_), store)
    err.print(f"wrote {release.folder} (dataset version {release.version.number}, built {release.built}):",
              highlight=False, soft_wrap=True)
    for f in release.files:
        count = f"{f.triples:,} {'quads' if f.file.endswith(('.nq', '.trig')) else 'triples'}" if f.triples is not None \
            else f"{f.rows:,} rows" if f.rows is not None else ""
        out.print(f"  {f.file:<18} {f.size:>12,} B  {count:<16} sha256 {f.sha256[:16]}…", highlight=False, soft_wrap=True)
    out.print(f"  {CHECKSUMS:<18} check with: (cd {release.folder} && sha256sum -c {CHECKSUMS})", highlight=False, soft_wrap=True)


@app.command()
def diff(old: Path = typer.Argument(..., help="The older release folder, store folder, or .nq/.trig file."),
         new: Path = typer.Argument(..., help="The newer one."),
         format: str = typer.Option("text", "--format", "-f", help="text or json")) -> None:
    """What changed between two releases or stores: statements added, removed and changed (with their sources),
    and plain triples added or removed — the asserted graph, by statement."""
    import json

    from .io.diff import diff as run_diff, to_text

    if format not in ("text", "json"):
        err.print(f"error: unknown format {format!r}\n  hint: --format text or --format json")
        raise typer.Exit(1)
    result = _run(lambda: run_diff(old, new))
    if format == "json":
        sys.stdout.write(json.dumps(result.as_json(), ensure_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write(to_text(result))


@app.command()
def version() -> None:
    """Print the crmgraph version."""
    out.print(__version__)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
