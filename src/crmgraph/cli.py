"""The `crmgraph` command: a thin shell over the library.

Each command parses its options, calls one library function and prints the result with rich.
Library errors are turned into a message and exit code 1 in one place (`_run`).
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from . import __version__
from .errors import CrmgraphError, render_for_cli
from .namespaces import compact
from .settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="crmgraph — a sourced knowledge graph of the EU's critical raw materials and Central Asia.")
out = Console()
err = Console(stderr=True)

StoreOption = typer.Option(None, "--store", help="Store folder (default: var/store in the project, or $CRMGRAPH_STORE).")


def _run(fn):
    try:
        return fn()
    except CrmgraphError as exc:
        sys.stderr.write(render_for_cli(exc) + "\n")
        raise typer.Exit(1)


def _store_path(store: Optional[Path]) -> Path:
    return store if store is not None else Settings.discover().default_store


def _open(store: Optional[Path]):
    from .store import OxigraphStore

    return OxigraphStore(_store_path(store), read_only=True)


@app.command()
def build(store: Optional[Path] = StoreOption,
          no_reason: bool = typer.Option(False, "--no-reason", help="Skip OWL reasoning (faster; no inferred graph).")) -> None:
    """Build the store from ontology/ and graph/: parse, check, validate (SHACL), reason (HermiT), load."""
    from .build import build as run_build

    report = _run(lambda: run_build(store_path=store, reason=not no_reason))
    t = report.triples
    out.print(f"[green]built[/] {report.store}: {t['asserted']} asserted, {t['inferred']} inferred, "
              f"{t['ontology']} ontology, {t['shapes']} shape triples from {len(report.files)} files "
              f"in {report.seconds:.2f} s ({', '.join(f'{k} {v:.2f}' for k, v in report.timings.items())})")
    if report.warnings:
        out.print(f"[yellow]{len(report.warnings)} SHACL warnings[/] (run `crmgraph validate` to list them)")


@app.command()
def validate(reason: bool = typer.Option(True, help="Also run the OWL consistency check.")) -> None:
    """Check graph/ without writing a store: parse, curation rules, SHACL and (by default) reasoning."""
    from .build import compile_graph

    compiled = _run(lambda: compile_graph(Settings.discover(), reason=reason))
    for w in compiled.warnings:
        out.print(f"[yellow]warning[/] {w}", highlight=False)
    out.print(f"[green]valid[/]: {len(compiled.asserted)} asserted triples in {len(compiled.files)} files"
              + (f", consistent, {len(compiled.inferred)} inferred" if reason else "")
              + f"; {len(compiled.warnings)} warnings")


@app.command()
def query(query_file: Path = typer.Argument(..., help="A .rq file with a SPARQL query."),
          store: Optional[Path] = StoreOption,
          format: str = typer.Option("table", "--format", "-f", help="table, csv, tsv, json or md"),
          output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout.")) -> None:
    """Run a SPARQL query against the store (prefixes crm:, id:, mat:, country: … are predeclared)."""
    from .errors import QueryError
    from .results import FORMATS, Table, serialise, to_result, to_rich

    if format not in FORMATS:
        err.print(f"error: unknown format {format!r}; choose one of {', '.join(FORMATS)}")
        raise typer.Exit(2)
    if not query_file.is_file():
        err.print(f"error: no such query file: {query_file}")
        raise typer.Exit(2)

    def go():
        s = _open(store)
        try:
            return to_result(s.query(query_file.read_text(encoding="utf-8")))
        finally:
            s.close()

    result = _run(go)
    if isinstance(result, bool):
        text = "true\n" if result else "false\n"
    elif isinstance(result, list):
        import pyoxigraph as ox

        text = ox.serialize(result, format=ox.RdfFormat.TURTLE).decode()
    elif format == "table" and output is None:
        out.print(to_rich(result))
        out.print(f"{len(result)} rows")
        return
    else:
        text = serialise(result, "md" if format == "table" else format)
    if output:
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {output}")
    else:
        sys.stdout.write(text)


@app.command()
def stats(store: Optional[Path] = StoreOption) -> None:
    """Triples per graph, instances per class, statements per status and facts per source."""
    from rich.table import Table as RichTable

    from .stats import compute_stats

    def go():
        s = _open(store)
        try:
            return compute_stats(s)
        finally:
            s.close()

    st = _run(go)
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


@app.command()
def conflicts(store: Optional[Path] = StoreOption,
              format: str = typer.Option("text", "--format", "-f", help="text or json")) -> None:
    """Claims about the same subject, quantity, scope and period whose values differ, with their sources."""
    import json

    from .conflicts import find_conflicts

    def go():
        s = _open(store)
        try:
            return find_conflicts(s)
        finally:
            s.close()

    found = _run(go)
    if format == "json":
        sys.stdout.write(json.dumps([{"kind": c.kind, "about": c.about, "claims": [vars(x) for x in c.claims]}
                                     for c in found], ensure_ascii=False, indent=1) + "\n")
        return
    for i, c in enumerate(found, 1):
        about = ", ".join(f"{k}={compact(v) if isinstance(v, str) and v.startswith('http') else v}" for k, v in c.about.items()
                          if v not in (None, "https://w3id.org/crmgraph/ontology#none", ""))
        out.print(f"[bold]{i}. {c.kind}[/] {about}", highlight=False)
        for x in c.claims:
            refs = "; ".join(f"{k} ({loc})" for k, loc in x.references)
            unit = f" {compact(x.unit)}" if x.unit else ""
            who = f" — {compact(x.claimant)}" if x.claimant else ""
            out.print(f"    {x.value}{unit}{who} [{compact(x.status)}] {refs}", highlight=False, markup=False)
    out.print(f"{len(found)} conflicts")


@app.command()
def version() -> None:
    """Print the crmgraph version."""
    out.print(__version__)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
