"""Imported graphs re-used between builds when nothing they depend on changed.

Why: the two datasets of `data/` are ≈160k of a build's ≈210k quads, and `data/` and the importers
rarely change while `graph/` changes at every edit. Re-importing them (≈0.8 s) and writing them into a
new RocksDB store (≈2 s of a build's ≈3 s store step) at every build is most of a build's time.

An import depends on exactly four things, and its cache key is a hash of all of them:

- every byte of the dataset's folder under `data/` (the files the importer reads, its README, …);
- the importer's code: the source of `io/importing.py` and of every crmgraph module it imports,
  followed through the package (`code_closure`), so a change to a name table or to the statement
  shape (`knowledge/statements.py`) misses;
- the curated countries it is given (`known_countries`: a country the curated graph does not describe
  gets a minimal description in the import graph);
- the versions of pyoxigraph and of crmgraph.

Kept in the cache folder (`Settings.cache_dir`, `var/cache`):

    import-<key>.nq, import-<key>.report     one dataset's graph as N-Quads and its import report
    imports-<key>/                           an Oxigraph store holding every imported graph (key: the
                                             datasets' keys), the start of every new store version

A new store version starts as a RocksDB checkpoint of `imports-<key>/` (hard links to its immutable
table files: milliseconds), and only the curated graphs are written into it. A miss imports as before
and writes the entries; an entry that cannot be read is a miss; every entry is written beside its
final name and renamed into place, so a reader sees it whole or not at all. The newest entries
of each kind stay (`KEEP`, `KEEP_STORES`). On a miss, the store of the imported graphs is written in a
thread while the build goes on (`ImportedGraphs.write_base`), and the graphs are loaded into memory for
the indicators in another (`preload`): both are Oxigraph's Rust code, which runs without the GIL.
"""
from __future__ import annotations

import ast
import hashlib
import os
import pickle
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .. import __version__
from ..settings import Settings
from .datasets import DATASETS, Dataset
from .records import ImportReport

#: entries of each kind kept in the cache folder (the newest): two generations of both datasets' graphs
#: (≈35 MB of N-Quads each) and two stores of them (≈24 MB each, hard-linked by the store versions too)
KEEP = 4
KEEP_STORES = 2
_PACKAGE = Path(__file__).resolve().parents[1]  # src/crmgraph


def code_closure(start: Path, package: Path = _PACKAGE) -> list[Path]:
    """`start` and every module of `package` it imports, directly or not (lazy imports in functions too),
    sorted: the code an importer runs, found by reading the `import` statements of each file. Packages'
    `__init__.py` files are left out: they only re-export (`crmgraph/__init__.py` would pull in everything)."""
    seen: set[Path] = set()
    todo = [start.resolve()]
    while todo:
        path = todo.pop()
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        here = path.parent
        for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
            names: list[tuple[Path, list[str]]] = []
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here
                    for _ in range(node.level - 1):
                        base = base.parent
                elif (node.module or "").split(".")[0] == package.name:
                    base, node.module = package, ".".join((node.module or "").split(".")[1:]) or None
                else:
                    continue
                parts = (node.module or "").split(".") if node.module else []
                names.append((base.joinpath(*parts), [a.name for a in node.names]))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    parts = alias.name.split(".")
                    if parts[0] == package.name:
                        names.append((package.joinpath(*parts[1:]), []))
            for target, members in names:
                candidates = [target.with_suffix(".py")] + [target / f"{m}.py" for m in members]
                todo += [c.resolve() for c in candidates if c.is_file()]
    return sorted(seen)


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def _folder_bytes(folder: Path) -> list[bytes]:
    """Every file under `folder` (name and bytes), in a stable order."""
    out = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        out += [str(path.relative_to(folder)).encode(), path.read_bytes()]
    return out


def _code_digest() -> str:
    closure = code_closure(Path(__file__).with_name("importing.py"))
    return _digest(Path(__file__).read_bytes(), *(p.read_bytes() for p in closure))  # this module writes the entries


def dataset_key(dataset: Dataset, folder: Path, known_countries: set[str], code: str | None = None) -> str:
    """The hash of everything the import of `dataset` from `folder` depends on (see the module docstring)."""
    return _digest((code or _code_digest()).encode(), ox.__version__.encode(),
                   __version__.encode(), dataset.key.encode(), "\n".join(sorted(known_countries)).encode(),
                   *_folder_bytes(folder))


@dataclass
class ImportedGraphs:
    """The imported graphs of a build: where they are as a store, as N-Quads, and their import reports."""

    datasets: list[Dataset]
    reports: list[ImportReport]
    nquads: bytes  # every imported graph as N-Quads (what the indicators read, in memory)
    base: Path  # an Oxigraph store holding exactly these graphs: a new store version starts as its checkpoint
    reused: list[str] = field(default_factory=list)  # graph IRIs taken from the cache
    imported: list[str] = field(default_factory=list)  # graph IRIs imported by this build
    countries: frozenset[str] = frozenset()  # the curated countries the importers were given
    _loading: threading.Thread | None = field(default=None, repr=False)
    _memory: list = field(default_factory=list, repr=False)
    _base_writer: threading.Thread | None = field(default=None, repr=False)
    _base_error: list = field(default_factory=list, repr=False)

    @property
    def graphs(self) -> list[str]:
        return [d.graph for d in self.datasets]

    def preload(self) -> None:
        """Start loading the imported graphs into an in-memory store in a thread (Oxigraph parses without
        the GIL), for `memory`: the build's indicators read them there, and the build does its other
        steps meanwhile."""
        if self._loading is None and not self._memory:
            self._loading = threading.Thread(target=lambda: self._memory.append(self._load()), name="preload",
                                             daemon=True)
            self._loading.start()

    def _load(self) -> ox.Store:
        store = ox.Store()
        store.bulk_load(self.nquads, format=ox.RdfFormat.N_QUADS)
        return store

    def write_base(self) -> None:
        """Start writing the store of the imported graphs (`base`) in a thread (Oxigraph loads without the
        GIL): the build needs it only when it creates the new store version (`ready_base`)."""
        def write() -> None:
            try:
                _write_base(self.base, self.nquads)
            except BaseException as exc:  # handed to the thread that waits for it
                self._base_error.append(exc)
        self._base_writer = threading.Thread(target=write, name="import-store", daemon=True)
        self._base_writer.start()

    def ready_base(self) -> Path:
        """`base`, once it is complete (waits for `write_base`; raises what writing it raised)."""
        if self._base_writer is not None:
            self._base_writer.join()
            self._base_writer = None
        if self._base_error:
            raise self._base_error[0]
        return self.base

    def memory(self) -> ox.Store:
        """An in-memory store holding the imported graphs, the caller's to fill further: the preloaded one
        (waited for) the first time, a new one after that."""
        if self._loading is not None:
            self._loading.join()
            self._loading = None
        return self._memory.pop() if self._memory else self._load()


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _read_entry(cache_dir: Path, key: str) -> tuple[bytes, ImportReport] | None:
    nq, rep = cache_dir / f"import-{key}.nq", cache_dir / f"import-{key}.report"
    try:
        report = pickle.loads(rep.read_bytes())
        data = nq.read_bytes()
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None  # missing or unreadable: a miss
    return (data, report) if isinstance(report, ImportReport) else None


def _prune(cache_dir: Path, pattern: str, keep: int = KEEP) -> None:
    entries = sorted(cache_dir.glob(pattern), key=lambda p: p.stat().st_mtime)
    for old in entries[:-keep]:
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)


def _touch(path: Path) -> None:
    try:
        os.utime(path)  # used now: the newest entries are the ones kept
    except OSError:
        pass


def import_graphs(settings: Settings, known_countries: set[str], cache_dir: Path,
                  only_cached: bool = False) -> ImportedGraphs | None:
    """The datasets of `data/` imported, each re-used from `cache_dir` when its key is unchanged; None
    when there is no dataset folder (as `import_all`: no data/, no imports). With `only_cached`, None
    also when any dataset would have to be imported (a look that costs no import).

    Raises what the importers raise (a DatasetError naming the file) on a miss with bad data; nothing is
    cached then."""
    from .importing import run_import

    cache_dir.mkdir(parents=True, exist_ok=True)
    code = _code_digest()
    datasets, reports, chunks, keys, reused, imported = [], [], [], [], [], []
    for kind, dataset in DATASETS.items():
        folder = settings.data_dir / dataset.folder
        if not folder.is_dir():
            continue  # as import_all: no data/, no imports
        key = dataset_key(dataset, folder, known_countries, code)
        entry = _read_entry(cache_dir, key)
        if entry is not None:
            data, report = entry
            reused.append(dataset.graph)
            for suffix in (".nq", ".report"):
                _touch(cache_dir / f"import-{key}{suffix}")
        elif only_cached:
            return None
        else:
            dataset, triples, report = run_import(kind, folder, known_countries)
            graph = ox.NamedNode(dataset.graph)
            data = ox.serialize((ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples),
                                format=ox.RdfFormat.N_QUADS)
            try:
                _write_atomically(cache_dir / f"import-{key}.nq", data)
                _write_atomically(cache_dir / f"import-{key}.report", pickle.dumps(report))
            except OSError:
                pass  # a cache that cannot be written only costs time
            imported.append(dataset.graph)
        datasets.append(dataset)
        reports.append(report)
        chunks.append(data)
        keys.append(key)
    if not datasets:
        return None
    base = cache_dir / f"imports-{_digest(*(k.encode() for k in keys))}"
    graphs = ImportedGraphs(datasets, reports, b"".join(chunks), base, reused, imported, frozenset(known_countries))
    if not (base / "COMPLETE").is_file():
        if only_cached:
            return None
        graphs.write_base()
    else:
        _touch(base)
    _prune(cache_dir, "import-*.nq")
    _prune(cache_dir, "import-*.report")
    _prune(cache_dir, "imports-*", KEEP_STORES)
    _prune_stale(cache_dir)
    return graphs


def _prune_stale(cache_dir: Path, age_s: float = 3600.0) -> None:
    """Half-written entries (`.…tmp`) of builds that ended midway, once they are an hour old (a build
    writing one now is younger)."""
    now = time.time()
    for tmp in cache_dir.glob(".import*.tmp"):
        try:
            if now - tmp.stat().st_mtime > age_s:
                shutil.rmtree(tmp, ignore_errors=True) if tmp.is_dir() else tmp.unlink(missing_ok=True)
        except OSError:
            pass


def _write_base(base: Path, nquads: bytes) -> None:
    """An Oxigraph store holding `nquads`, at `base`: written beside it, then renamed into place."""
    tmp = base.with_name(f".{base.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    store = ox.Store(str(tmp))
    try:
        store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
        store.flush()
    finally:
        del store
    (tmp / "COMPLETE").write_text("every imported graph is in this store\n")
    shutil.rmtree(base, ignore_errors=True)  # an incomplete one left by a crash
    try:
        os.rename(tmp, base)
    except OSError:  # another build put it there first: same key, same graphs
        shutil.rmtree(tmp, ignore_errors=True)


def start_version(base: Path, version: Path) -> None:
    """Create the store version folder `version` as a checkpoint of the import store `base` (hard links to
    its table files where the file system allows, copies elsewhere)."""
    store = ox.Store.read_only(str(base))
    try:
        store.backup(str(version))
    finally:
        del store
