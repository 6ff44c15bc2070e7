"""What a query from a stranger may do, decided from a real parse (not a hand tokenizer).

    check_read_only(sparql)     raises QueryRefused for SERVICE (federation) and QueryError for a query
                                the checking parser cannot read; returns quietly otherwise
    update_refusal(sparql)      the QueryRefused to raise when a text the engine would not run as a query
                                is in fact a SPARQL Update (INSERT, DELETE, LOAD, CLEAR …), else None

Why it is built this way. The only part of a SPARQL *query* that makes Oxigraph open a network
connection is `SERVICE` (pyoxigraph 0.5 ships its HTTP client and has no option to switch federation
off, nor any API that exposes its parser or algebra). Updates — LOAD among them — cannot run at all:
`Store.query` parses with the query grammar and rejects every update form as a syntax error.

1. A keyword is made of the characters of the text: Oxigraph, like SPARQL 1.2 and Turtle, expands
   `\\uXXXX` escapes only inside strings and IRIs (checked: `\\u0053ERVICE` is a syntax error to it)
   and matches keywords ASCII case-insensitively. So a text with no `service` in it, in any ASCII
   case, cannot hold a SERVICE clause in Oxigraph's reading: it is accepted without parsing. This
   is a sound over-approximation, not a tokenizer, and it spares almost every query the slow parse.
2. Any other text is parsed with rdflib's SPARQL 1.1 grammar (the real, complete grammar of the
   standard) and refused if the parse tree holds a `ServiceGraphPattern` — so `SERVICE ?x`,
   `SERVICE SILENT`, prefixed names, comments and any spacing are found by the grammar itself, and
   the word in a string, an IRI, a comment, a variable or a prefixed name does not count.
3. Before parsing, the text is brought to Oxigraph's reading where rdflib's differs. rdflib expands
   `\\u` escapes over the whole text first (as SPARQL 1.1 wrote), which lets `"\\u0022"` close a
   string early for it but not for the engine — the hole of issue 8. So `parse_string` is called
   without that step, and each escape (one preceded by an even number of backslashes) becomes five
   plain name characters: escapes only occur inside strings and IRIs of a query the engine runs,
   where letters change no token boundary. A lone carriage return ends a comment for Oxigraph but
   not for rdflib's `#…` rule, so it becomes a line feed (whitespace to both; forbidden to both in
   short strings and IRIs; allowed in long strings). After these two steps every token boundary is
   the engine's, so a SERVICE the engine would call is a SERVICE in rdflib's tree — or the text does
   not parse and is refused.
4. A text rdflib cannot parse is refused (400) with its message — never run. SPARQL 1.2 syntax that
   Oxigraph accepts but rdflib does not (triple terms, VERSION) is refused only when the text also
   contains the letters `service`.

The check runs inside the query worker (sandbox._answer), so the parse counts against the query's
time limit and a pathological text cannot hold up the server; and the worker has no network at all
(web/offline.py), so even a future mismatch cannot reach another server.
"""
from __future__ import annotations

import re

from ..errors import QueryError, QueryRefused

#: The SERVICE keyword as Oxigraph matches it (ASCII, any case).
_SERVICE_LETTERS = re.compile(r"[Ss][Ee][Rr][Vv][Ii][Cc][Ee]")
#: A codepoint escape that is one (not an escaped backslash followed by 'u').
_CODEPOINT = re.compile(r"(?<!\\)((?:\\\\)*)\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})")

SERVICE_HINT = "run the part for the other server there, and join the answers yourself"
UPDATE_HINT = ("only SELECT, ASK, CONSTRUCT and DESCRIBE queries can be run here; "
               "change the data in graph/ and run `crmgraph build`")


def mentions_service(sparql: str) -> bool:
    """Whether the letters of the SERVICE keyword occur anywhere in the text (any ASCII case)."""
    return _SERVICE_LETTERS.search(sparql) is not None


def engine_reading(sparql: str) -> str:
    """The text with the engine's token boundaries and none of rdflib's pre-parse rewriting to fear:
    codepoint escapes become plain name characters, lone carriage returns line feeds (see the module doc)."""
    text = _CODEPOINT.sub(lambda m: m.group(1) + "_" + m.group(2), sparql)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_tree(sparql: str):
    """rdflib's parse tree of the query (its grammar, without its whole-text escape expansion)."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import Query

    try:
        return Query.parse_string(engine_reading(sparql), parse_all=True)
    except ParseBaseException as exc:
        raise QueryError(f"the query cannot be parsed: {exc}",
                         hint="every query that mentions SERVICE is checked with the SPARQL 1.1 grammar before it "
                              "runs; codepoint escapes (\\u…) belong in strings and IRIs only; SPARQL 1.2 syntax "
                              "(triple terms, VERSION) is not accepted in such a query") from None
    except RecursionError:
        raise QueryError("the query is nested too deeply to be checked",
                         hint="flatten the nested groups or expressions") from None


def names_in(tree) -> set[str]:
    """Every grammar rule name (rdflib CompValue.name) in a parse tree."""
    found: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        name = getattr(node, "name", None)
        if isinstance(name, str):
            found.add(name)
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)) or hasattr(node, "as_list"):
            stack.extend(node)
    return found


def check_read_only(sparql: str) -> None:
    """Raise QueryRefused if the engine would call another server (SERVICE), QueryError if the text
    mentions SERVICE and cannot be parsed; return quietly if the query may run."""
    if not mentions_service(sparql):
        return
    try:
        tree = parse_tree(sparql)
    except QueryError:
        refusal = update_refusal(sparql)   # an update that mentions SERVICE: say it is refused as an update
        if refusal is not None:
            raise refusal from None
        raise
    if "ServiceGraphPattern" in names_in(tree):
        raise QueryRefused("SERVICE (federated query) is not accepted: this endpoint does not call other servers",
                           hint=SERVICE_HINT)


def update_refusal(sparql: str) -> QueryRefused | None:
    """For a text the engine would not run as a query: a clear refusal if it is a SPARQL Update."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import UpdateUnit

    try:
        update = UpdateUnit.parse_string(engine_reading(sparql), parse_all=True)
    except (ParseBaseException, RecursionError):
        return None
    operations = sorted(n for n in names_in(update) if n in _UPDATE_OPERATIONS)
    what = ", ".join(_UPDATE_OPERATIONS[n] for n in operations) or "an update"
    return QueryRefused(f"SPARQL Update ({what}) is not accepted: this endpoint is read-only", hint=UPDATE_HINT)


_UPDATE_OPERATIONS = {
    "Load": "LOAD", "Clear": "CLEAR", "Drop": "DROP", "Create": "CREATE", "Add": "ADD", "Move": "MOVE",
    "Copy": "COPY", "InsertData": "INSERT DATA", "DeleteData": "DELETE DATA", "DeleteWhere": "DELETE WHERE",
    "Modify": "INSERT/DELETE … WHERE",
}


_FROM_LETTERS = re.compile(r"[Ff][Rr][Oo][Mm]")


def names_a_dataset(sparql: str) -> bool:
    """Whether the query has a FROM or FROM NAMED clause (then its own dataset holds, not the union
    of all graphs). A text without the letters `from` has none (the fast path for almost every query);
    any other is parsed with rdflib's grammar; one it cannot parse (SPARQL 1.2 syntax) counts as
    having none, as before FROM was honoured."""
    if _FROM_LETTERS.search(sparql) is None:
        return False
    try:
        return "DatasetClause" in names_in(parse_tree(sparql))
    except QueryError:
        return False
