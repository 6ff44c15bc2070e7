"""OWL reasoning with owlready2 + HermiT, and materialisation of what it entails.

HermiT checks consistency and classifies individuals into the defined classes (e.g.
crm:CRMProducingCountry). owlready2 reports only the most specific new types, and leaves out
entailments it handles natively (inverse properties), so `materialise` completes the picture
for querying: types up the class hierarchy, inverse, sub- and transitive properties, and the
two-step property chains declared in the ontology. Everything new goes to the inferred graph;
nothing asserted is repeated there.

Only the entity layer goes to HermiT: types and object-property links between entities.
Statement nodes, references and literals carry no OWL semantics we rely on, use datatypes HermiT
does not support (xsd:date, xsd:gYear) and would only slow it down.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import threading
import time
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

from .curated import RDF_TYPE
from ..errors import InconsistencyError, Problem
from ..namespaces import CRM, ID, OWL, RDF, RDFS, compact

SUBCLASS = RDFS + "subClassOf"
SUBPROPERTY = RDFS + "subPropertyOf"
_EXCLUDED_CLASSES = {CRM + c for c in ("Figure", "Claim", "Assertion", "ListEntry", "Reference", "Statement")}
_EXCLUDED_PREDICATES = {CRM + p for p in ("property", "subject", "object", "claimant", "status", "source", "citedIn")} | {
    RDF + "subject", RDF + "predicate", RDF + "object", "http://www.w3.org/ns/prov#wasDerivedFrom"}


def _entity_layer(ontology: list[ox.Triple], data: list[ox.Triple]) -> list[ox.Triple]:
    object_props = {t.subject.value for t in ontology
                    if t.predicate == RDF_TYPE and t.object.value in (OWL + "ObjectProperty",)
                    and isinstance(t.subject, ox.NamedNode)}
    statement_nodes = {t.subject for t in data if t.predicate == RDF_TYPE and t.object.value in _EXCLUDED_CLASSES}
    out = []
    for t in data:
        if t.subject in statement_nodes or not isinstance(t.subject, ox.NamedNode):
            continue
        p = t.predicate.value
        if p == RDF_TYPE.value and isinstance(t.object, ox.NamedNode):
            out.append(t)
        elif p in object_props and p not in _EXCLUDED_PREDICATES and isinstance(t.object, ox.NamedNode):
            out.append(t)
    return out


#: cached HermiT answers kept in the cache folder (the newest; older ones are removed)
CACHE_KEEP = 8


def hermit_input(ontology: list[ox.Triple], data: list[ox.Triple]) -> bytes:
    """Exactly what HermiT reads — the ontology and the entity layer of `data` — as canonical N-Triples.

    The ontology's blank nodes (restrictions, lists) get new random labels at every parse: RDFC-1.0
    relabels them from the graph's shape alone, so the same input always gives the same bytes."""
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in ontology + _entity_layer(ontology, data))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    nt = ox.serialize((q.triple for q in dataset), format=ox.RdfFormat.N_TRIPLES)
    return b"\n".join(sorted(set(nt.splitlines()))) + b"\n"


def _cache_key(hermit_in: bytes) -> str:
    """What HermiT reads, plus what turns its answer into triples: owlready2's version and this module."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        owlready = version("owlready2")  # not `import owlready2`: a cache hit needs neither it nor Java
    except PackageNotFoundError:
        owlready = ""
    h = hashlib.sha256()
    for part in (owlready.encode(), Path(__file__).read_bytes(), hermit_in):
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def run_hermit_cached(ontology: list[ox.Triple], data: list[ox.Triple], cache_dir: Path | None) -> tuple[list[ox.Triple], bool]:
    """`run_hermit`, re-using its answer for the very same input: returns (triples, whether it was cached).

    HermiT (Java) is most of a build's time and its answer depends only on what it reads, so the answer is
    kept in `cache_dir` under a hash of that input (and of owlready2's version and this module's code): any
    change to the ontology, an entity's type or an entity-to-entity link misses and runs HermiT again. An
    inconsistency is never cached. Without `cache_dir`, HermiT always runs."""
    return BackgroundHermit(ontology, data, cache_dir, background=False).result()


def _cache_path(ontology: list[ox.Triple], data: list[ox.Triple], cache_dir: Path) -> Path:
    return cache_dir / f"hermit-{_cache_key(hermit_input(ontology, data))}.nt"


def _read_cached(path: Path) -> list[ox.Triple] | None:
    if path.is_file():
        try:
            return [q.triple for q in ox.parse(path.read_bytes(), format=ox.RdfFormat.N_TRIPLES)]
        except (OSError, SyntaxError):
            pass  # an unreadable entry is a miss: reason again and overwrite it
    return None


def _write_cached(path: Path, triples: list[ox.Triple]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + f".{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
        os.replace(tmp, path)  # a reader sees the whole answer or none
        for old in sorted(path.parent.glob("hermit-*.nt"), key=lambda p: p.stat().st_mtime)[:-CACHE_KEEP]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a cache that cannot be written only costs time


class BackgroundHermit:
    """HermiT started now and joined later (`result`), so that a build does its other steps meanwhile.

    Why: a cold reasoning run is ≈3 CPU seconds of Java in a process of its own (owlready2's Python side
    is ≈0.15 s), while the build's checks, SHACL, the import and the store need only what was parsed. In a
    thread, waiting on the JVM releases the GIL, so on two cores the two run side by side. A cached answer
    (`run_hermit_cached`) is read at once, without a thread. An error of HermiT (an inconsistency) is
    raised by `result`; a build that fails earlier simply never asks for it (the thread is a daemon and
    its JVM ends on its own)."""

    def __init__(self, ontology: list[ox.Triple], data: list[ox.Triple], cache_dir: Path | None,
                 background: bool = True) -> None:
        self.started = time.perf_counter()
        self.finished: float | None = None
        self._path = _cache_path(ontology, data, cache_dir) if cache_dir is not None else None
        self._answer = _read_cached(self._path) if self._path is not None else None
        self.cached = self._answer is not None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if self.cached:
            self.finished = time.perf_counter()
        elif background:
            self._thread = threading.Thread(target=self._run, args=(ontology, data), name="hermit", daemon=True)
            self._thread.start()
        else:
            self._run(ontology, data)

    def _run(self, ontology: list[ox.Triple], data: list[ox.Triple]) -> None:
        try:
            self._answer = run_hermit(ontology, data)
            if self._path is not None:
                _write_cached(self._path, self._answer)
        except BaseException as exc:  # handed to the thread that asks for the result
            self._error = exc
        finally:
            self.finished = time.perf_counter()

    def result(self) -> tuple[list[ox.Triple], bool]:
        """(HermiT's triples, whether they came from the cache); waits for HermiT if it is still running."""
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error
        if self._answer is None:
            raise RuntimeError("HermiT gave no answer")  # not reached: _run sets an answer or an error
        return self._answer, self.cached


#: HermiT runs for a few seconds, too short for the JVM's optimising compiler to pay off: the quick one
#: alone (C1) halved the CPU time of a run here (7.4 → 3.5 s; wall 23 → 8 s on the loaded 2-core machine)
#: with the same answer (benchmarks/build.py). owlready2 builds the java command itself, so the option
#: goes through JAVA_TOOL_OPTIONS (the "Picked up …" line the JVM prints does not match owlready2's parser).
JVM_OPTIONS = "-XX:TieredStopAtLevel=1"


@contextlib.contextmanager
def _java_options(options: str):
    before = os.environ.get("JAVA_TOOL_OPTIONS")
    os.environ["JAVA_TOOL_OPTIONS"] = f"{before} {options}" if before else options
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("JAVA_TOOL_OPTIONS", None)
        else:
            os.environ["JAVA_TOOL_OPTIONS"] = before


def run_hermit(ontology: list[ox.Triple], data: list[ox.Triple]) -> list[ox.Triple]:
    """Classify with HermiT; return the triples it adds. Raises InconsistencyError."""
    import owlready2
    from owlready2 import OwlReadyInconsistentOntologyError, World, sync_reasoner_hermit

    if not shutil.which(owlready2.JAVA_EXE) and not os.path.exists(owlready2.JAVA_EXE):
        java = shutil.which("java")
        if java:
            owlready2.JAVA_EXE = java
    triples = ontology + _entity_layer(ontology, data)
    nt = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    world = World()
    onto = world.get_ontology("https://w3id.org/crmgraph/ontology").load(fileobj=io.BytesIO(nt), format="ntriples")
    del onto  # loaded into `world`; HermiT reasons over the whole world
    try:
        with _java_options(JVM_OPTIONS):
            sync_reasoner_hermit(world, infer_property_values=True, debug=0)
    except OwlReadyInconsistentOntologyError as exc:
        world.close()
        raise InconsistencyError(explain_inconsistency(ontology, data) or [Problem(
            "HermiT reports the ontology and data inconsistent (no simple disjointness clash found)",
            hint="look for an entity typed with two disjoint classes or a property used outside its domain/range")]) from exc
    inferences = world.get_ontology("http://inferrences/")
    out = []
    for s, p, o in inferences.get_triples():
        s_iri, p_iri = world._unabbreviate(s), world._unabbreviate(p)
        if not isinstance(o, int) or o < 0 or s < 0:
            continue  # literals and anonymous class expressions
        o_iri = world._unabbreviate(o)
        if p_iri == RDF_TYPE.value and o_iri == OWL + "Ontology":
            continue
        if p_iri == RDF_TYPE.value and o_iri == OWL + "NamedIndividual":
            continue
        out.append(ox.Triple(ox.NamedNode(s_iri), ox.NamedNode(p_iri), ox.NamedNode(o_iri)))
    world.close()
    return out


def _closure(edges: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _schema(ontology: list[ox.Triple], extra: list[ox.Triple]):
    superclasses: dict[str, set[str]] = defaultdict(set)
    superprops: dict[str, set[str]] = defaultdict(set)
    inverse: dict[str, set[str]] = defaultdict(set)
    transitive: set[str] = set()
    chains: list[tuple[str, str, str]] = []
    lists: dict = {}
    for t in ontology:
        if t.predicate.value == RDF + "first":
            lists.setdefault(t.subject, [None, None])[0] = t.object
        elif t.predicate.value == RDF + "rest":
            lists.setdefault(t.subject, [None, None])[1] = t.object
    for t in ontology + extra:
        s, p, o = t.subject, t.predicate.value, t.object
        if not isinstance(s, ox.NamedNode):
            continue
        if p == SUBCLASS and isinstance(o, ox.NamedNode):
            superclasses[s.value].add(o.value)
        elif p == SUBPROPERTY and isinstance(o, ox.NamedNode):
            superprops[s.value].add(o.value)
        elif p == OWL + "inverseOf" and isinstance(o, ox.NamedNode):
            inverse[s.value].add(o.value)
            inverse[o.value].add(s.value)
        elif p == RDF_TYPE.value and o.value == OWL + "TransitiveProperty":
            transitive.add(s.value)
        elif p == OWL + "propertyChainAxiom":
            items, node = [], o
            while node in lists:
                items.append(lists[node][0].value)
                node = lists[node][1]
            if len(items) == 2:
                chains.append((items[0], items[1], s.value))
    return superclasses, superprops, inverse, transitive, chains


def materialise(ontology: list[ox.Triple], asserted: list[ox.Triple], hermit: list[ox.Triple]) -> list[ox.Triple]:
    """Complete HermiT's answer with the entailments a query writer expects to find as triples."""
    superclasses, superprops, inverse, transitive, chains = _schema(ontology, hermit)
    facts: set[tuple[str, str, str]] = set()
    for t in _entity_layer(ontology, asserted) + [t for t in hermit if t.predicate == RDF_TYPE]:
        facts.add((t.subject.value, t.predicate.value, t.object.value))
    for t in hermit:
        if t.subject.value.startswith(ID):
            facts.add((t.subject.value, t.predicate.value, t.object.value))

    changed = True
    while changed:
        before = len(facts)
        by_pred: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for s, p, o in facts:
            by_pred[p].add((s, o))
        new: set[tuple[str, str, str]] = set()
        for p, pairs in by_pred.items():
            if p == RDF_TYPE.value:
                for s, o in pairs:
                    new |= {(s, p, c) for c in _closure(superclasses, o)}
                continue
            for q in _closure(superprops, p):
                new |= {(s, q, o) for s, o in pairs}
            for inv in inverse.get(p, ()):
                new |= {(o, inv, s) for s, o in pairs}
            if p in transitive:
                succ: dict[str, set[str]] = defaultdict(set)
                for s, o in pairs:
                    succ[s].add(o)
                for s in list(succ):
                    new |= {(s, p, o) for o in _closure(succ, s)}
        for first, second, result in chains:
            succ2: dict[str, set[str]] = defaultdict(set)
            for s, o in by_pred.get(second, ()):
                succ2[s].add(o)
            for s, mid in by_pred.get(first, ()):
                new |= {(s, result, o) for o in succ2.get(mid, ())}
        facts |= new
        changed = len(facts) != before

    asserted_set = {(t.subject.value, t.predicate.value, t.object.value)
                    for t in asserted if isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.NamedNode)}
    out = [t for t in hermit if not t.subject.value.startswith(ID)]  # class-hierarchy inferences
    for s, p, o in sorted(facts - asserted_set):
        if p == RDF_TYPE.value and not o.startswith(CRM):
            continue  # keep the inferred graph about our own classes
        out.append(ox.Triple(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o)))
    return list(dict.fromkeys(out))


def explain_inconsistency(ontology: list[ox.Triple], data: list[ox.Triple]) -> list[Problem]:
    """Find the usual cause of an inconsistency: an entity whose types fall in disjoint classes."""
    superclasses, *_ = _schema(ontology, [])
    lists: dict = {}
    for t in ontology:
        if t.predicate.value in (RDF + "first", RDF + "rest"):
            lists.setdefault(t.subject, {})[t.predicate.value] = t.object
    groups: list[list[str]] = []
    for t in ontology:
        if t.predicate.value == OWL + "members":
            items, node = [], t.object
            while node in lists:
                items.append(lists[node][RDF + "first"].value)
                node = lists[node][RDF + "rest"]
            groups.append(items)
        elif t.predicate.value == OWL + "disjointWith":
            groups.append([t.subject.value, t.object.value])
    types: dict[str, set[str]] = defaultdict(set)
    for t in data:
        if t.predicate == RDF_TYPE and isinstance(t.subject, ox.NamedNode):
            types[t.subject.value] |= {t.object.value} | _closure(superclasses, t.object.value)
    problems = []
    for entity, ts in types.items():
        for group in groups:
            clash = [c for c in group if c in ts]
            if len(clash) > 1:
                problems.append(Problem(
                    f"is typed as {' and '.join(compact(c) for c in clash)}, which the ontology declares disjoint",
                    entity=compact(entity), hint="a thing cannot be both; fix its rdf:type or the IRI it was confused with"))
                break
    return problems
