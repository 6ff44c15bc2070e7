"""Named queries: typed objects loaded from `queries/*.rq`, bound to parameters safely.

A named query is a SPARQL file whose leading comment block is its documentation:

    # title: Who could replace China for antimony?
    # theme: Supply and alternatives
    # summary: Which other countries produce a material, for a reader who wants one line
    # description: Which other countries produce the material, and how much? … (the question it answers,
    #   in a researcher's words; continuation lines are indented)
    # how: Figures of crm:quantityKind qk:mine-production … (how it finds the answer, in the graph's
    #   terms: shown beside its SPARQL)
    # param: material material = antimony — the material (slug, prefixed name or IRI)
    # param: year year = 2024 — the reference year
    # example: crmgraph query supply-alternatives --param material=tungsten
    SELECT … WHERE { … ?material … }

Loading (`parse_named_query`), binding (`bind`) and running (`run_named`) are separate steps.
Parameters are turned into RDF terms by pyoxigraph and joined to the query as a `VALUES` block at
the start of its WHERE clause, never pasted into the query text as strings: a value cannot change
the query's structure, so injection is impossible.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ..errors import QueryError
from ..namespaces import ID, PREFIXES, XSD

if TYPE_CHECKING:
    from .lookup import EntityIndex

#: Parameter types: plain RDF types, and entity kinds that accept a bare slug.
ENTITY_KINDS = {
    "material": ID + "material/", "country": ID + "country/", "instrument": ID + "instrument/",
    "source": ID + "source/", "list": ID + "list/", "org": ID + "org/", "region": ID + "region/",
    "quantity": ID + "quantity/", "site": ID + "site/",
}
LITERAL_TYPES = {"string": XSD + "string", "integer": XSD + "integer", "decimal": XSD + "decimal",
                 "year": XSD + "gYear", "date": XSD + "date", "boolean": XSD + "boolean"}
TYPES = ("iri", *ENTITY_KINDS, *LITERAL_TYPES)

_PARAM_RE = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s+(?P<type>\w+)(?:\s*=\s*(?P<default>\S+))?\s*(?:[—-]+\s*(?P<doc>.*))?$")


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: str | None = None
    description: str = ""

    def to_term(self, raw: str, index: "EntityIndex | None" = None) -> ox.NamedNode | ox.Literal:
        """Turn a user's value into an RDF term of this parameter's type, or raise QueryError.

        With an `index` of the store's entities, an entity parameter is resolved and checked: a label,
        an alias, an ISO code or a slug in any case (`Kazakhstan`, `kz`, `rare earths`, `2011` for a
        list) becomes the entity's IRI, and a value that names nothing is an error with the closest
        matches — never a query that quietly answers nothing."""
        value = raw.strip()
        if index is not None and self.type not in LITERAL_TYPES:
            kind = self.type if self.type in ENTITY_KINDS else None
            try:
                return ox.NamedNode(index.resolve(value, kind).iri)
            except QueryError as exc:
                raise QueryError(f"parameter {self.name} ({self.type}): {value!r} is not valid: {exc.message}",
                                 hint=exc.hint) from exc
        try:
            if self.type in LITERAL_TYPES:
                if self.type == "integer" and not re.fullmatch(r"[+-]?\d+", value):
                    raise ValueError("expected a whole number")
                if self.type == "decimal" and not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", value):
                    raise ValueError("expected a number")
                if self.type == "year" and not re.fullmatch(r"-?\d{4}", value):
                    raise ValueError("expected a year such as 2024")
                if self.type == "date" and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                    raise ValueError("expected a date such as 2024-05-23")
                if self.type == "boolean" and value not in ("true", "false"):
                    raise ValueError("expected true or false")
                return ox.Literal(value, datatype=ox.NamedNode(LITERAL_TYPES[self.type]))
            return ox.NamedNode(self._expand(value))
        except (ValueError, SyntaxError) as exc:
            raise QueryError(f"parameter {self.name} ({self.type}): {value!r} is not valid: {exc}",
                             hint=self.description or f"give a {self.type}") from exc

    def _expand(self, value: str) -> str:
        if re.match(r"^[a-z][a-z0-9+.-]*://", value):
            return value
        prefix, sep, local = value.partition(":")
        if sep and prefix in PREFIXES:
            return PREFIXES[prefix] + local
        if self.type in ENTITY_KINDS and re.fullmatch(r"[A-Za-z0-9][\w.-]*", value):
            return ENTITY_KINDS[self.type] + value
        raise ValueError("expected an IRI, a prefixed name such as mat:antimony"
                         + (f", or a slug such as {self._example_slug()}" if self.type in ENTITY_KINDS else ""))

    def _example_slug(self) -> str:
        return {"country": "KZ", "material": "antimony"}.get(self.type, "…")


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    sparql: str
    parameters: tuple[Parameter, ...] = field(default_factory=tuple)
    example: str = ""
    path: Path | None = None
    #: The theme `/queries` groups it under (one of THEMES; "Other" when the header has none).
    theme: str = "Other"
    #: One plain-language sentence for lists (`/queries`); the description, if the header has none.
    summary: str = ""
    #: How the query finds its answer, in the graph's own terms (classes, properties, graphs) — for readers of
    #: its SPARQL; the description says, in a researcher's words, which question it answers.
    how: str = ""

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.parameters) or "none"
        raise QueryError(f"query {self.name!r} has no parameter {name!r} (its parameters: {known})")


def parse_named_query(path: Path, require_header: bool = True) -> NamedQuery:
    """Read a `.rq` file and its header. Raises QueryError naming the file and line.

    A plain SPARQL file (no header) is accepted with `require_header=False`: the CLI runs any file."""
    text = path.read_text(encoding="utf-8")
    fields: dict[str, list[str]] = {}
    params: list[Parameter] = []
    current: str | None = None
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        body = line[1:].rstrip()
        m = re.match(r"^\s?(\w+):\s*(.*)$", body)
        if m and m.group(1) in ("title", "theme", "summary", "description", "how", "param", "parameters", "example"):
            key, value = m.group(1), m.group(2).strip()
            current = key
            if key == "param":
                pm = _PARAM_RE.match(value)
                if not pm or pm.group("type") not in TYPES:
                    raise QueryError(f"{path.name}:{lineno}: cannot read parameter {value!r}",
                                     hint=f"write `# param: NAME TYPE [= DEFAULT] — description`, TYPE one of {', '.join(TYPES)}")
                params.append(Parameter(pm.group("name"), pm.group("type"), pm.group("default"), (pm.group("doc") or "").strip()))
            elif key != "parameters":
                fields.setdefault(key, []).append(value)
        elif current in ("title", "summary", "description", "how", "example") and body.strip():
            fields[current].append(body.strip())
    if "title" not in fields and not require_header:
        fields["title"] = [path.stem]
    if "title" not in fields:
        raise QueryError(f"{path.name}: the header has no `# title:` line", hint="start the file with # title:, # description:, # param: lines")
    query = NamedQuery(name=path.stem, title=" ".join(fields["title"]), description=" ".join(fields.get("description", [])),
                       sparql=text, parameters=tuple(params), example=" ".join(fields.get("example", [])), path=path,
                       theme=" ".join(fields.get("theme", [])) or "Other",
                       summary=" ".join(fields.get("summary", [])) or " ".join(fields.get("description", [])),
                       how=" ".join(fields.get("how", [])))
    if query.theme not in THEMES:
        raise QueryError(f"{path.name}: unknown theme {query.theme!r}", hint=f"use one of: {', '.join(THEMES)}")
    for p in params:
        if not re.search(r"[?$]" + re.escape(p.name) + r"\b", _strip_comments(text)):
            raise QueryError(f"{path.name}: parameter {p.name!r} is declared but the query never uses ?{p.name}")
        if p.default is not None:
            p.to_term(p.default)  # a bad default is an error at load time, not at run time
    return query


#: The themes of the named queries, in the order `/queries` shows them (a header's `# theme:` line).
THEMES = ("Sourcing from Central Asia", "Supply and dependency", "EU lists of critical raw materials",
          "Agreements and partnerships", "Sites, projects and companies", "Figures", "Sources and verification",
          "Other")


def query_json(q: NamedQuery) -> dict:
    """A named query as JSON (`/queries.json`, `crmgraph queries --format json`)."""
    return {"name": q.name, "title": q.title, "theme": q.theme, "summary": q.summary, "description": q.description,
            "how": q.how, "path": f"/queries/{q.name}",
            "parameters": [{"name": p.name, "type": p.type, "default": p.default, "description": p.description}
                           for p in q.parameters]}


def load_named_queries(folder: Path) -> dict[str, NamedQuery]:
    """All named queries of a folder, by name (the file's stem)."""
    return {q.name: q for q in (parse_named_query(p) for p in sorted(folder.glob("*.rq")))}


def find_named_query(queries: dict[str, NamedQuery], name: str) -> NamedQuery:
    if name in queries:
        return queries[name]
    close = difflib.get_close_matches(name, list(queries), n=3, cutoff=0.5)
    raise QueryError(f"no named query {name!r}",
                     hint=(f"did you mean {', '.join(close)}? " if close else "") + "`crmgraph queries` lists them all")


def _strip_comments(text: str) -> str:
    """Remove SPARQL comments (a # outside IRIs and strings) so keywords are found only in code."""
    out = []
    for line in text.splitlines():
        in_iri = in_str = False
        quote = ""
        cut = len(line)
        for i, ch in enumerate(line):
            if in_str:
                if ch == quote and line[i - 1] != "\\":
                    in_str = False
            elif in_iri:
                if ch == ">":
                    in_iri = False
            elif ch in "\"'":
                in_str, quote = True, ch
            elif ch == "<" and re.match(r"<[^\s<>\"{}|^`\\]*>", line[i:]):
                in_iri = True
            elif ch == "#":
                cut = i
                break
        out.append(line[:cut])
    return "\n".join(out)


def bind(query: NamedQuery, values: dict[str, str],
         index: "EntityIndex | None" = None) -> tuple[str, dict[str, ox.NamedNode | ox.Literal]]:
    """The query text with a VALUES block for its parameters, and the terms bound.

    Every declared parameter gets its given value or its default; a parameter without either is an
    error, as is a value for an undeclared parameter. With an `index` (`lookup.EntityIndex` of the
    store), entity values are resolved and checked before anything runs (see `Parameter.to_term`).
    """
    for name in values:
        query.parameter(name)
    terms: dict[str, ox.NamedNode | ox.Literal] = {}
    for p in query.parameters:
        raw = values.get(p.name, p.default)
        if raw is None:
            raise QueryError(f"query {query.name!r} needs the parameter {p.name!r} ({p.type})",
                             hint=f"pass --param {p.name}=…" + (f" ({p.description})" if p.description else ""))
        terms[p.name] = p.to_term(raw, index)
    return inject_values(query.sparql, terms, query.name), terms


def inject_values(sparql: str, terms: dict[str, ox.NamedNode | ox.Literal], name: str = "query") -> str:
    """Join RDF terms to a query as a VALUES block at the start of its first WHERE clause.

    The terms are serialised by pyoxigraph (N-Triples syntax, escaped), so a value can only ever be
    a single RDF term: it cannot close a string, an IRI or a group.
    """
    if not terms:
        return sparql
    code = _strip_comments(sparql)
    m = re.search(r"\bWHERE\s*\{", code, flags=re.IGNORECASE)
    if not m:
        raise QueryError(f"{name}: a query with parameters needs a WHERE clause")
    names = list(terms)
    for n in names:
        if not re.fullmatch(r"[A-Za-z_]\w*", n):
            raise QueryError(f"{n!r} is not a SPARQL variable name")
    block = f"\n  VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(str(terms[n]) for n in names)}) }}\n"
    return code[: m.end()] + block + code[m.end():]


def run_named(store, query: NamedQuery, values: dict[str, str] | None = None, index: "EntityIndex | None" = None):
    """Bind and run a named query on any store; returns a Table, triples or a boolean. Entity values
    are resolved against the store's entities (`index`, loaded from the store if not given)."""
    from .lookup import EntityIndex
    from .results import to_result

    if index is None and any(p.type not in LITERAL_TYPES for p in query.parameters):
        index = EntityIndex.load(store)
    sparql, _ = bind(query, values or {}, index)
    return to_result(store.query(sparql))


def catalogue_markdown(queries: dict[str, NamedQuery]) -> str:
    """docs/queries.md: the named queries with their descriptions, parameters and examples."""
    lines = ["# Named queries", "",
             "Generated from the headers of `queries/*.rq` by `crmgraph queries --format md`; a test keeps it current.", ""]
    for q in queries.values():
        lines += [f"## `{q.name}` — {q.title}", "", q.description, ""] + ([f"How it works: {q.how}", ""] if q.how else [])
        if q.parameters:
            lines += ["| parameter | type | default | meaning |", "|---|---|---|---|"]
            lines += [f"| `{p.name}` | {p.type} | {p.default or '(required)'} | {p.description} |" for p in q.parameters]
            lines.append("")
        if q.example:
            lines += [f"Example: `{q.example}`", ""]
    return "\n".join(lines)
