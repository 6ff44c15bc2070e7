"""`crmgraph export`: the release folder — the whole dataset as files a researcher can download and cite.

    crmgraph.nq, crmgraph.trig         every named graph (ontology, shapes, asserted, inferred, build, …)
    asserted.{ttl,nt,rdf,jsonld}       the curated graph (annotations already turned into assertion nodes)
    truthy.{ttl,nt,rdf,jsonld}         the truthy layer, when the store has one (`EXPORTED_GRAPHS`)
    ontology.{ttl,rdf}                 the ontology alone
    context.jsonld                     the JSON-LD @context the .jsonld files use (published on its own)
    figures.csv, instruments.csv, list-entries.csv, sources.csv   tables for spreadsheets (io/tables.py)
    void.ttl                           the dataset's description: DCAT-AP 3 + VoID (io/describe.py)
    README.txt                         version, licence, how to cite, the files
    SHA256SUMS                         `sha256sum -c SHA256SUMS` checks every other file

Every RDF file is plain RDF 1.1 (no RDF 1.2 annotation syntax: the build has already turned `{| … |}`
into `crm:Assertion` nodes), so rapper, rdflib, Jena or any triple store reads it.

Same input, same bytes: blank nodes get canonical labels and quads a stable order (io/canonical.py),
CSV rows are folded and sorted in Python, and the only date written is the build's own (from the
store's build graph) — so two exports of one store are byte-identical, and two builds of the same
`graph/` differ only where the build time is written.

The folder is written beside the target (`DIR.partial-…`) and renamed into place only when complete;
an export that fails leaves the previous release untouched.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..errors import StoreError
from ..namespaces import GRAPH, GRAPH_ASSERTED, GRAPH_ONTOLOGY
from . import tables
from .canonical import canonical_quads, context, jsonld, serialize_quads, serialize_triples
from .describe import (DATA_LICENCE, CODE_LICENCE, DOWNLOADS, TITLE, Distribution, Version, build_time, describe)

#: Graphs exported on their own in every RDF format, by file stem. The truthy layer (direct triples of
#: accepted facts) is one more entry; a graph the store does not hold is skipped.
EXPORTED_GRAPHS: dict[str, str] = {"asserted": GRAPH_ASSERTED, "truthy": GRAPH + "truthy"}
#: Formats of the per-graph files: suffix → (pyoxigraph format or "jsonld", media type).
GRAPH_FORMATS = {"ttl": (ox.RdfFormat.TURTLE, "text/turtle"), "nt": (ox.RdfFormat.N_TRIPLES, "application/n-triples"),
                 "rdf": (ox.RdfFormat.RDF_XML, "application/rdf+xml"), "jsonld": ("jsonld", "application/ld+json")}
#: Formats of the ontology alone.
ONTOLOGY_FORMATS = ("ttl", "rdf")
#: Formats of the whole dataset.
DATASET_FORMATS = {"nq": (ox.RdfFormat.N_QUADS, "application/n-quads"), "trig": (ox.RdfFormat.TRIG, "application/trig")}
CHECKSUMS = "SHA256SUMS"
DESCRIPTION = "void.ttl"
README = "README.txt"
CONTEXT = "context.jsonld"
#: Human names of the formats, for the README and the downloads page.
FORMAT_NAMES = {"nq": "N-Quads", "trig": "TriG", "ttl": "Turtle", "nt": "N-Triples", "rdf": "RDF/XML",
                "jsonld": "JSON-LD", "csv": "CSV", "txt": "text"}


@dataclass
class Release:
    """What an export wrote: its folder, version, build time and files (the description's distributions)."""

    folder: Path
    version: Version
    built: str | None
    files: list[Distribution] = field(default_factory=list)

    def file(self, name: str) -> Distribution:
        return next(f for f in self.files if f.file == name)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _Writer:
    """Writes files into the partial folder and remembers each one as a Distribution."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.files = folder, list[Distribution]()

    def write(self, name: str, data: bytes, title: str, media_type: str, *, triples: int | None = None,
              rows: int | None = None, rdf: bool = True) -> None:
        (self.folder / name).write_bytes(data)
        self.files.append(Distribution(name, title, media_type, len(data), _sha256(data), triples, rows, rdf))


def export_release(store, target: Path, version: Version) -> Release:
    """Write the release folder for `store` at `target` (replacing a previous one only when complete)."""
    if store.count() == 0:
        raise StoreError("the store is empty", hint="run `crmgraph build` first")
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=target.name + ".partial-", dir=target.parent))
    try:
        release = _write(store, partial, version)
        old = None
        if target.exists():
            old = target.with_name(target.name + ".old-" + partial.name.rsplit("-", 1)[-1])
            target.rename(old)
        partial.rename(target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    release.folder = target
    return release


def _write(store, folder: Path, version: Version) -> Release:
    quads = canonical_quads(store.raw.quads_for_pattern(None, None, None, None))
    out = _Writer(folder)
    for suffix, (fmt, media) in DATASET_FORMATS.items():
        out.write(f"crmgraph.{suffix}", serialize_quads(quads, fmt),
                  f"The whole dataset, every named graph ({FORMAT_NAMES[suffix]})", media, triples=len(quads))
    by_graph: dict[str, list[ox.Triple]] = {}
    for q in quads:
        by_graph.setdefault(q.graph_name.value, []).append(q.triple)
    for stem, graph in EXPORTED_GRAPHS.items():
        triples = by_graph.get(graph)
        if not triples:
            continue
        for suffix, (fmt, media) in GRAPH_FORMATS.items():
            data = jsonld(triples) if fmt == "jsonld" else serialize_triples(triples, fmt)
            out.write(f"{stem}.{suffix}", data, f"The {stem} graph <{graph}> ({FORMAT_NAMES[suffix]})", media,
                      triples=len(triples))
    ontology = by_graph.get(GRAPH_ONTOLOGY, [])
    for suffix in ONTOLOGY_FORMATS:
        fmt, media = GRAPH_FORMATS[suffix]
        out.write(f"ontology.{suffix}", serialize_triples(ontology, fmt),
                  f"The ontology alone ({FORMAT_NAMES[suffix]})", media, triples=len(ontology))
    out.write(CONTEXT, (json.dumps(context(), indent=1, sort_keys=True) + "\n").encode("utf-8"),
              "The JSON-LD @context of the .jsonld files", "application/ld+json", rdf=False)
    for spec in tables.TABLES:
        rows = tables.rows(store, spec)
        out.write(spec.file, tables.to_csv(spec, rows), spec.title, "text/csv", rows=len(rows), rdf=False)
    built = build_time(store)
    release = Release(folder, version, built, list(out.files))
    description = canonical_quads(ox.Quad(t.subject, t.predicate, t.object) for t in describe(store, version, out.files))
    triples = [q.triple for q in description]
    out.write(DESCRIPTION, serialize_triples(triples, ox.RdfFormat.TURTLE),
              "The dataset's description (DCAT-AP 3 and VoID)", "text/turtle", triples=len(triples), rdf=False)
    out.write(README, readme(release).encode("utf-8"), "What the release holds, its licence and how to cite it",
              "text/plain", rdf=False)
    release.files = list(out.files)
    sums = "".join(f"{f.sha256}  {f.file}\n" for f in sorted(release.files, key=lambda f: f.file))
    (folder / CHECKSUMS).write_text(sums, encoding="utf-8")
    return release


def citation(version: Version, built: str | None = None) -> dict[str, str]:
    """How to cite the dataset: plain text and BibTeX (CITATION.cff in the repository says the same)."""
    year = version.date[:4]
    text = (f"crmgraph developers ({year}). {TITLE} (version {version.number}) [Data set]. "
            f"https://w3id.org/crmgraph/. Licence: CC BY 4.0.")
    bibtex = (f"@misc{{crmgraph_{version.number.replace('.', '_')},\n"
              f"  author = {{{{crmgraph developers}}}},\n"
              f"  title = {{{{{TITLE}}}}},\n"
              f"  year = {{{year}}},\n"
              f"  version = {{{version.number}}},\n"
              f"  howpublished = {{\\url{{https://w3id.org/crmgraph/}}}},\n"
              f"  note = {{Data set, licence CC BY 4.0}}\n}}\n")
    return {"text": text, "bibtex": bibtex}


def readme(release: Release) -> str:
    """README.txt: version, build, licence, how to cite, and every file with its size and count."""
    cite = citation(release.version)
    lines = [TITLE, "=" * len(TITLE), "",
             f"Version {release.version.number} ({release.version.date}); built {release.built or 'at an unknown time'}.",
             "", f"Licence: the data is under CC BY 4.0 ({DATA_LICENCE}); the code that builds it is under MIT ({CODE_LICENCE}).",
             "Every fact carries its source and locator: keep them when you reuse it.", "",
             "How to cite:", "  " + cite["text"], "", cite["bibtex"],
             "Files (check them with `sha256sum -c SHA256SUMS`):", ""]
    for f in release.files:
        count = f"{f.triples} quads" if f.file.endswith(".nq") or f.file.endswith(".trig") else \
            f"{f.triples} triples" if f.triples is not None else f"{f.rows} rows" if f.rows is not None else ""
        lines.append(f"  {f.file:<20} {f.size:>10} bytes  {count:<15} {f.title}")
    lines += [f"  {DESCRIPTION:<20} the dataset's description (DCAT-AP 3 and VoID): the files above with their checksums",
              f"  {CHECKSUMS:<20} the SHA-256 of every file"]
    lines += ["", "All RDF files are plain RDF 1.1. The files under graph/ in the repository use RDF 1.2",
              "annotation syntax ({| … |}); these files hold the same facts with each annotation as a crm:Assertion node.",
              f"The files are also at {DOWNLOADS}<file>; the SPARQL endpoint is https://w3id.org/crmgraph/sparql.", ""]
    return "\n".join(lines)


def read_checksums(folder: Path) -> dict[str, str]:
    """SHA256SUMS of a release folder as {file: sha256}; {} if there is none."""
    path = Path(folder) / CHECKSUMS
    if not path.exists():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        if name:
            out[name] = digest
    return out



def file_order(name: str) -> tuple[int, str]:
    """The order files are listed in: the whole dataset, each graph, the ontology, tables, the rest."""
    stem, _, suffix = name.partition(".")
    ranks = {"crmgraph": 0, **{s: 1 + i for i, s in enumerate(EXPORTED_GRAPHS)}, "ontology": 10}
    rank = ranks.get(stem, 20 if suffix == "csv" else 30)
    order = list(DATASET_FORMATS) + list(GRAPH_FORMATS)
    return (rank, f"{order.index(suffix):02d}" if suffix in order else name)


def load_release(folder: Path) -> Release | None:
    """A release folder read back (for the downloads page): its version, build time and files from its
    description (void.ttl), sizes from the disk, checksums from SHA256SUMS; None if there is none."""
    folder = Path(folder)
    sums = read_checksums(folder)
    if not sums or not (folder / DESCRIPTION).exists():
        return None
    from ..namespaces import CRM, DCTERMS, VOID
    from .describe import DATASET, DCAT, IANA

    graph = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in
                       ox.parse(path=str(folder / DESCRIPTION), format=ox.RdfFormat.TURTLE))

    def one(subject: str, predicate: str) -> str | None:
        for q in graph.quads_for_subject(ox.NamedNode(subject)):
            if q.predicate.value == predicate:
                return q.object.value
        return None

    number = one(DATASET, DCAT + "version") or "?"
    issued = one(DATASET, DCTERMS + "issued") or "?"
    release = Release(folder, Version(number, issued), one(DATASET, DCTERMS + "modified"))
    described = {one(d.object.value, DCTERMS + "title"): d.object.value
                 for d in graph.quads_for_subject(ox.NamedNode(DATASET)) if d.predicate.value == DCAT + "distribution"}
    titles = {DESCRIPTION: "The dataset's description (DCAT-AP 3 and VoID)",
              README: "What the release holds, its licence and how to cite it"}
    media = {DESCRIPTION: "text/turtle", README: "text/plain"}
    for name in sorted(sums, key=file_order):
        path = folder / name
        if not path.is_file():
            continue
        node = described.get(name)
        triples = one(node, VOID + "triples") if node else None
        rows = one(node, CRM + "rows") if node else None
        release.files.append(Distribution(
            name, (one(node, DCTERMS + "description") if node else None) or titles.get(name, name),
            (one(node, DCAT + "mediaType") or "").removeprefix(IANA) if node else media.get(name, "application/octet-stream"),
            path.stat().st_size, sums[name], int(triples) if triples else None, int(rows) if rows else None,
            bool(node and name.rsplit(".", 1)[-1] in ("nq", "trig", "ttl", "nt", "rdf", "jsonld") and name != CONTEXT)))
    return release
