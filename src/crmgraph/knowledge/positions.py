"""Where a term is written in a Turtle file: the line of each IRI and literal, and the subject it describes.

Oxigraph parses the curated files (complete, fast, strict) but gives no position for a triple, and a
curator needs the line. This module reads the same text a second time, only to find where terms are
written: it skips comments, reads strings whole (so a name inside a comment or a quote never counts, and
`crm:Country` is never found inside `crm:CountryGroup`), follows the `@prefix` declarations in order, and
remembers for each term the subject of the statement it sits in (the first term after a `.` at the top
level), so that "the value 250 of fig:x" is found on fig:x's lines, not on the first `250` of the file.

It does not validate anything: Oxigraph has already accepted the file. It runs only when a problem needs a
line (`CuratedFile.positions` is computed on first use), so clean builds never pay for it.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from ..namespaces import RDF, XSD

RDF_LANGSTRING = RDF + "langString"

_NAME = r"[\w\-\u00B7-\uFFFF]"
_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
  | (?P<lstring>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*''')
  | (?P<string>"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<dt>\^\^)
  | (?P<number>[+-]?(?:\d+\.\d*[eE][+-]?\d+|\.\d+[eE][+-]?\d+|\d+[eE][+-]?\d+|\d*\.\d+|\d+))
  | (?P<bnode>_:""" + _NAME + r"""+(?:\.""" + _NAME + r"""+)*)
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF]""" + _NAME + r"""*(?:\.""" + _NAME + r"""+)*)?
               :(?:[\w:%\-\u00B7-\uFFFF]|\\[^\s]|\.(?=[\w:%\-\u00B7-\uFFFF\\]))*)
  | (?P<word>[A-Za-z]+)
  | (?P<punct>\{\||\|\}|<<\(|\)>>|<<|>>|[\[\](){}.,;|~])
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)

_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.DOTALL)


def _unescape(body: str) -> str:
    def one(m: re.Match) -> str:
        e = m.group(1)
        if e[0] in "uU" and len(e) > 1:
            return chr(int(e[1:], 16))
        return _ECHAR.get(e, e)
    return _ESCAPE.sub(one, body)


def _unescape_local(local: str) -> str:
    return re.sub(r"\\(.)", r"\1", local)


@dataclass
class Occurrence:
    line: int
    subject: str | None  # the IRI of the top-level subject of the statement the term is written in
    after: str | None = None  # the IRI written just before the term (its predicate, when it is an object)


@dataclass
class Positions:
    """Every IRI and literal of one file, with the lines where it is written."""

    iris: dict[str, list[Occurrence]] = field(default_factory=lambda: defaultdict(list))
    #: (lexical form, datatype IRI) → occurrences; a language-tagged string has rdf:langString
    literals: dict[tuple[str, str], list[Occurrence]] = field(default_factory=lambda: defaultdict(list))

    def line_of_iri(self, iri: str, subject: str | None = None, after: str | None = None) -> int | None:
        return _pick(self.iris.get(iri, ()), subject, after)

    def line_of_literal(self, value: str, datatype: str, subject: str | None = None, after: str | None = None) -> int | None:
        return _pick(self.literals.get((value, datatype), ()), subject, after)


def _pick(occurrences, subject: str | None, after: str | None = None) -> int | None:
    """The first occurrence written in `subject`'s statements (right after the IRI `after`, if one is
    written so: an object after its predicate), else the first anywhere."""
    if not occurrences:
        return None
    if subject is not None and after is not None:
        for occ in occurrences:
            if occ.subject == subject and occ.after == after:
                return occ.line
    if subject is not None:
        for occ in occurrences:
            if occ.subject == subject:
                return occ.line
    return occurrences[0].line


def scan(text: str) -> Positions:
    """Tokenize `text` (Turtle, as Oxigraph accepted it) and index where each term is written."""
    out = Positions()
    prefixes: dict[str, str] = {}
    line = 1
    depth = 0            # nesting of [ ], ( ), {| |}, << >>
    subject: str | None = None
    at_statement_start = True
    directive: list[str] | None = None  # collecting the tokens of a @prefix / PREFIX declaration
    pending_literal: tuple[str, int, str | None, str | None] | None = None  # (value, line, subject, after) waiting for ^^ or @lang
    previous: str | None = None  # the IRI of the token just before, if that token was an IRI
    expect_datatype = False

    def flush_literal(datatype: str) -> None:
        nonlocal pending_literal
        if pending_literal is not None:
            value, lit_line, lit_subject, lit_after = pending_literal
            out.literals[(value, datatype)].append(Occurrence(lit_line, lit_subject, lit_after))
            pending_literal = None

    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"  # every alternative of _TOKEN is a named group
        tok = m.group()
        tok_line = line
        line += tok.count("\n")
        if kind in ("ws", "comment"):
            continue
        if directive is not None:  # inside @prefix p: <iri> . / PREFIX p: <iri> / @base <iri> .
            if kind == "iri":
                if directive and directive[-1].endswith(":"):
                    prefixes[directive[-1][:-1]] = tok[1:-1]
                directive = ["<done>"] if directive[0].startswith("@") else None
                at_statement_start = directive is None
            elif directive[-1] == "<done>" and tok == ".":
                directive, at_statement_start = None, True
            else:
                directive.append(tok)
            continue
        if kind == "lang" and tok.lower() in ("@prefix", "@base") or kind == "word" and tok.upper() in ("PREFIX", "BASE"):
            flush_literal(XSD + "string")
            directive = [tok]
            continue
        if expect_datatype:
            expect_datatype = False
            iri = _resolve(kind, tok, prefixes)
            if iri is not None:
                flush_literal(iri)
                continue
        if kind == "dt" and pending_literal is not None:
            expect_datatype = True
            continue
        if kind == "lang" and pending_literal is not None:
            flush_literal(RDF_LANGSTRING)
            continue
        flush_literal(XSD + "string")

        term: str | None = None
        before, previous = previous, None
        if kind in ("iri", "pname"):
            term = _resolve(kind, tok, prefixes)
            if term is not None:
                if at_statement_start and depth == 0:
                    subject, at_statement_start = term, False
                out.iris[term].append(Occurrence(tok_line, subject, before))
                previous = term
            continue
        if kind in ("string", "lstring"):
            quote = 3 if kind == "lstring" else 1
            pending_literal = (_unescape(tok[quote:-quote]), tok_line, subject, before)
        elif kind == "number":
            datatype = "double" if "e" in tok.lower() else "decimal" if "." in tok else "integer"
            out.literals[(tok, XSD + datatype)].append(Occurrence(tok_line, subject, before))
        elif kind == "word" and tok in ("true", "false"):
            out.literals[(tok, XSD + "boolean")].append(Occurrence(tok_line, subject, before))
        elif kind == "punct":
            if tok in ("[", "(", "{|", "<<", "<<("):
                if at_statement_start and depth == 0:
                    subject, at_statement_start = None, False
                depth += 1
            elif tok in ("]", ")", "|}", ">>", ")>>"):
                depth = max(0, depth - 1)
            elif tok == "." and depth == 0:
                at_statement_start = True
        elif kind == "bnode" and at_statement_start and depth == 0:
            subject, at_statement_start = None, False
    flush_literal(XSD + "string")
    return out


def _resolve(kind: str, tok: str, prefixes: dict[str, str]) -> str | None:
    if kind == "iri":
        return _unescape(tok[1:-1])
    if kind == "pname":
        prefix, _, local = tok.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + _unescape_local(local)
    return None
