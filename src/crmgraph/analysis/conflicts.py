"""Every disagreement in the graph, found by rules rather than by a list of known cases.

The graph keeps both sides of every dispute (two figure nodes, a claim and the triple it denies …);
this module finds where they meet, so a reader sees the disagreement instead of one side of it.
Six rules, each generic over the whole graph:

* ``figures`` — figures about the same subject, material, quantity kind and scope whose values
  differ and whose periods overlap, or where at least one period is unknown (``crm:yearNotStated``,
  or a year that is only the publication year of every source cited — issue 9 found such years
  copied into figures): two figures for different, known years are a time series, not a dispute.
  Scopes that name an edition of the EU CRM list are one family, so "19 of 34" and "15 of 32" meet;
  measured bounds in one direction ("more than 450", "more than 500") do not disagree;
* ``metrics`` — one question answered with different quantity kinds (``COMPARABLE_QUANTITIES``:
  a share of EU imports beside a share of EU supply), whatever the periods;
* ``list-edition`` — counts "N of M" whose denominator M is not the size of the list edition they
  name, or of any edition at all ("of 32", when the lists had 14/20/27/30/34 items);
* ``official-list`` — claims about a material's place on an official list that the list's own
  entries contradict (a denial of an entry, or an entry the list does not have; a graded entry such
  as "nickel — battery grade" counts for its base material);
* ``values`` — differing literal values (dates above all: "June 2022" vs "2022") for the same
  attribute of the same thing, from direct triples and claims alike;
* ``contradicted`` — a statement its curators marked ``crm:Contradicted`` (a differing attribution:
  an agreement that does not exist, the wrong kind of instrument, "invested" for a pledge), set
  beside what the graph states about the same thing instead.

Everything is read with eight whole-graph SELECTs and joined in Python (benchmarks/conflicts.py);
the same function serves the CLI, the Python API and the portal's page. Each disagreement carries
human labels, its sides with their values, periods, claimants, statuses and references (source
titles and locators), and a stable id.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from ..namespaces import CRM, GRAPH_ASSERTED, GRAPH_IMPORT_PREFIX, ID, RDF, compact
from ..query.results import to_table

RDF_TYPE = RDF + "type"
CONTRADICTED = CRM + "Contradicted"
ACCEPTED = {CRM + "Verified", CRM + "SecondHand", CRM + "Derived"}
LIST_SCOPE_PREFIX = ID + "scope/eu-crm-list-"
LIST_PREFIX = ID + "list/eu-crm-"

KINDS = {
    "figures": "figures that differ for the same thing and an overlapping or unknown period",
    "metrics": "one question answered with different metrics (e.g. share of EU imports vs of EU supply)",
    "list-edition": "a count against a list edition of another size",
    "official-list": "a claim the official list contradicts",
    "values": "differing values (dates) for the same attribute",
    "contradicted": "a statement the sources contradict, beside what they say instead",
}

# The references of every curated figure, claim and assertion, in one query (joined in Python: the same
# join inside each statement query took three times as long).
REFERENCES = """
SELECT ?st ?src ?locator ?citedInLocator WHERE { GRAPH graph:asserted {
  VALUES ?t { crm:Figure crm:Claim crm:Assertion }
  ?st a ?t ; prov:wasDerivedFrom ?ref . ?ref crm:source ?src .
  OPTIONAL { ?ref crm:locator ?locator } OPTIONAL { ?ref crm:citedInLocator ?citedInLocator } } }
"""

_FIGURE_FIELDS = """
  ?st crm:subject ?subject ; crm:quantityKind ?qk ; crm:value ?value ; crm:status ?status .
  OPTIONAL { ?st crm:material ?material } OPTIONAL { ?st crm:scope ?scope } OPTIONAL { ?st crm:unit ?unit }
  OPTIONAL { ?st crm:upperValue ?upper } OPTIONAL { ?st crm:outOf ?outOf } OPTIONAL { ?st crm:valueQualifier ?qualifier }
  OPTIONAL { ?st crm:refYear ?year } OPTIONAL { ?st crm:periodStart ?start } OPTIONAL { ?st crm:periodEnd ?end }
  OPTIONAL { ?st crm:yearNotStated ?noYear } OPTIONAL { ?st crm:claimant ?claimant }
  OPTIONAL { ?st crm:stage ?stage } OPTIONAL { ?st crm:series ?series }
"""
_FIGURE_VARS = ("?st ?subject ?material ?qk ?scope ?value ?upper ?unit ?outOf ?qualifier ?year ?start ?end ?noYear "
                "?claimant ?status ?stage ?series")

FIGURES = f"""SELECT {_FIGURE_VARS} WHERE {{ GRAPH graph:asserted {{ ?st a crm:Figure }} {_FIGURE_FIELDS} }}"""

# Imported dataset rows (graph:import/KEY: every figure that is not curated) about the subjects and
# materials curated figures are about — the only rows a rule can set beside another statement, since the
# rows of one dataset never disagree with each other. (`GRAPH ?g` over every graph was 4× slower than
# OPTIONAL + !BOUND, and reading all ~6,900 rows doubled the report's time.)
IMPORTED_FIGURES = """SELECT {vars} WHERE {{ VALUES (?subject ?material) {{ {pairs} }}
  ?st a crm:Figure ; crm:subject ?subject ; crm:material ?material .
  OPTIONAL {{ GRAPH graph:asserted {{ ?st a ?curatedType }} }} FILTER(!BOUND(?curatedType)) {fields} }}"""

IMPORTED_REFERENCES = """SELECT ?st ?src ?locator ?citedInLocator WHERE {{ VALUES ?st {{ {figures} }}
  ?st prov:wasDerivedFrom ?ref . ?ref crm:source ?src . OPTIONAL {{ ?ref crm:locator ?locator }}
  OPTIONAL {{ ?ref crm:citedInLocator ?citedInLocator }} }}"""

CLAIMS = """
SELECT ?st ?subject ?property ?object ?value ?literal ?polarity ?claimant ?status WHERE {
  ?st a crm:Claim ; crm:subject ?subject ; crm:property ?property ; crm:status ?status .
  OPTIONAL { ?st crm:object ?object } OPTIONAL { ?st crm:value ?value } OPTIONAL { ?st crm:polarity ?polarity }
  BIND(isLiteral(?value) && LANG(?value) = "" AS ?literal)
  OPTIONAL { ?st crm:claimant ?claimant }
}"""

ASSERTIONS = """
SELECT ?st ?subject ?property ?object ?literal ?status WHERE { GRAPH graph:asserted {
  ?st a crm:Assertion ; rdf:subject ?subject ; rdf:predicate ?property ; rdf:object ?object ; crm:status ?status .
  BIND(isLiteral(?object) AS ?literal) } }
"""

ENTRIES = """
SELECT ?list ?entry ?material ?base ?point WHERE {
  ?entry crm:inList ?list ; crm:material ?material .
  OPTIONAL { ?material crm:baseMaterial ?base } OPTIONAL { ?entry crm:annexPoint ?point }
}
"""

LABELS = """
SELECT ?x ?label WHERE { { ?x skos:prefLabel ?label } UNION { ?x rdfs:label ?label } FILTER(LANG(?label) = "en" || LANG(?label) = "") }
"""

TYPES = """
SELECT DISTINCT ?x ?t WHERE { ?c a crm:Claim ; crm:property rdf:type ; crm:subject ?x . GRAPH graph:asserted { ?x a ?t } }
"""

# Units and their factor to a base unit (graph/vocabularies.ttl): a curated "1.7 Mt" and an imported
# "1,700 thousand metric tons" are the same figure.
UNITS = """
SELECT ?unit ?base ?factor WHERE { ?unit a crm:Unit ; crm:baseUnit ?base ; crm:multiplier ?factor }
"""

SOURCES = """
SELECT ?src ?key ?title ?date ?publisher WHERE { ?src a crm:SourceDocument . OPTIONAL { ?src crm:sourceKey ?key }
  OPTIONAL { ?src dcterms:publisher ?publisher }
  OPTIONAL { ?src dcterms:title ?title } OPTIONAL { ?src dcterms:issued ?date } }
"""


@dataclass(frozen=True)
class Reference:
    """Where a side is stated: the source (key and title) and the place in it."""
    source: str          # the source's key ("S25a", "seed-000")
    title: str           # its title, for readers
    locator: str         # the place in the source ("Kazakhstan ¶1", "Annex II, Section 1, point (j)", "not given")
    cited_in: str = ""   # where the fact sheet cites it ("§4 Kazakhstan"), when it does


@dataclass
class Side:
    """One side of a disagreement: one statement, as a reader needs it."""
    statement: str                  # IRI of the figure / claim / assertion (or of the list, for an official list)
    says: str                       # the value in words: "19 of 34", "not on EU CRM list 2023", "2022-06"
    period: str                     # "2023", "2023–2024", "from 2025", "year not stated", "" (not a figure)
    claimant: str                   # label of who says it ("" when the statement names nobody)
    status: str                     # "verified", "second-hand", "unverified", "derived", "contradicted"
    references: list[Reference] = field(default_factory=list)
    value: object = None            # the raw value (number, date string, IRI or boolean) for machines


@dataclass
class Disagreement:
    """Two or more statements that cannot all be taken at face value."""
    id: str                         # stable: a hash of the kind and the statements involved
    kind: str                       # a key of KINDS
    title: str                      # "Kazakhstan — EU CRMs produced" (labels, never IRIs)
    why: str                        # what makes it a disagreement, in one sentence
    about: dict[str, str]           # the shared key as IRIs: subject, material, quantity, property …
    sides: list[Side]

    def statements(self) -> set[str]:
        return {s.statement for s in self.sides}

    def sources(self) -> set[str]:
        return {r.source for s in self.sides for r in s.references}


# ------------------------------------------------------------------------------------------------
# Reading the graph
# ------------------------------------------------------------------------------------------------

@dataclass
class _Statement:
    iri: str
    fields: dict[str, Any]
    multi: dict[str, set] = field(default_factory=dict)
    references: list[Reference] = field(default_factory=list)


@dataclass
class _Graph:
    figures: dict[str, _Statement]
    claims: dict[str, _Statement]
    assertions: dict[str, _Statement]
    entries: dict[str, dict[str, tuple[str, str | None]]]   # list → material → (entry, annex point)
    bases: dict[str, str]                                   # graded material → base material
    labels: dict[str, str]
    sources: dict[str, tuple[str, str]]                     # source IRI → (key, title)
    types: dict[str, list[str]]                             # asserted classes of things whose type is claimed
    published: dict[str, str]                               # source key → year of publication, when known
    units: dict[str, tuple[str, float]] = field(default_factory=dict)  # unit → (base unit, factor)

    def label(self, iri: object) -> str:
        if iri is None:
            return ""
        s = str(iri)
        if s in self.labels:
            return self.labels[s]
        if s in self.sources:
            return self.sources[s][1]
        if s == RDF_TYPE:
            return "type"
        return compact(s) if s.startswith("http") else s


def _collect(rows: list[dict], multi: tuple[str, ...] = ()) -> dict[str, _Statement]:
    out: dict[str, _Statement] = {}
    for r in rows:
        st = out.get(r["st"])
        if st is None:
            st = out[r["st"]] = _Statement(r["st"], r)
        for m in multi:
            if r.get(m) is not None:
                st.multi.setdefault(m, set()).add(r[m])
    return out


def _attach_references(rows: list[dict], sources: dict[str, tuple[str, str]], *kinds: dict[str, _Statement]) -> None:
    seen: dict[str, set[tuple[str, str]]] = {}
    for r in rows:
        st = next((k[r["st"]] for k in kinds if r["st"] in k), None)
        if st is None:
            continue
        key, title = sources[r["src"]] if r["src"] in sources else (compact(r["src"]), "")
        ref = Reference(key, title, r["locator"] or "not given", r["citedInLocator"] or "")
        done = seen.setdefault(st.iri, set())
        if (ref.source, ref.locator) not in done:       # one line per place, whoever cites it
            done.add((ref.source, ref.locator))
            st.references.append(ref)


def load(store) -> _Graph:
    """The statements, list entries, labels, sources and units the rules need (nine queries), then the
    imported dataset rows about what curated figures are about, with their references (two more)."""
    def records(q: str) -> list[dict]:
        return to_table(store.query(q)).records()

    source_rows = records(SOURCES)
    sources = {r["src"]: (r["key"] or compact(r["src"]), r["title"] or r["key"] or compact(r["src"])) for r in source_rows}
    published = {r["key"] or compact(r["src"]): str(r["date"])[:4] for r in source_rows if r["date"]}
    labels: dict[str, str] = {}
    for r in records(LABELS):
        labels.setdefault(r["x"], r["label"])
    for r in source_rows:     # a source as claimant is named by its publisher ("Interfax"), else its title
        labels.setdefault(r["src"], r["publisher"] or r["title"] or r["key"] or compact(r["src"]))
    entries: dict[str, dict[str, tuple[str, str | None]]] = {}
    bases: dict[str, str] = {}
    for r in records(ENTRIES):
        entries.setdefault(r["list"], {})[r["material"]] = (r["entry"], r["point"])
        if r["base"]:
            bases[r["material"]] = r["base"]
    types: dict[str, list[str]] = {}
    for r in records(TYPES):
        types.setdefault(r["x"], []).append(r["t"])
    figures = _collect(records(FIGURES), multi=("subject", "claimant"))
    for f in figures.values():
        f.fields["graph"] = GRAPH_ASSERTED
    claims = _collect(records(CLAIMS), multi=("claimant",))
    assertions = _collect(records(ASSERTIONS))
    _attach_references(records(REFERENCES), sources, figures, claims, assertions)
    pairs = sorted({(subj, f.fields["material"]) for f in figures.values() if f.fields.get("material")
                    for subj in f.multi.get("subject", {f.fields["subject"]})})
    if pairs:
        rows = records(IMPORTED_FIGURES.format(vars=_FIGURE_VARS, fields=_FIGURE_FIELDS,
                                               pairs=" ".join(f"(<{a}> <{b}>)" for a, b in pairs)))
        found = {k: v for k, v in _collect(rows, multi=("subject", "claimant")).items() if k not in figures}
        if found:
            _attach_references(records(IMPORTED_REFERENCES.format(figures=" ".join(f"<{k}>" for k in sorted(found)))),
                               sources, found)
        for f in found.values():    # which dataset: its graph is graph:import/<the source key it cites>
            f.fields["graph"] = GRAPH_IMPORT_PREFIX + (f.references[0].source if f.references else "?")
        figures.update(found)
    units = {r["unit"]: (r["base"], float(r["factor"])) for r in records(UNITS)}
    return _Graph(
        figures=figures, claims=claims, assertions=assertions,
        entries=entries, bases=bases, labels=labels, sources=sources, types=types, published=published,
        units=units,
    )


# ------------------------------------------------------------------------------------------------
# Periods and values of figures
# ------------------------------------------------------------------------------------------------

def _bound(value: object, end: bool) -> float | None:
    """A year, year-month or date as a fractional year (start or end of it)."""
    if value is None:
        return None
    s = str(value)
    try:
        year = int(s[:4])
    except ValueError:
        return None
    if len(s) >= 7 and s[4] == "-":
        month = int(s[5:7])
        return year + (month if end else month - 1) / 12
    return year + (1 if end else 0)


def _publication_year_only(g: "_Graph", f: _Statement) -> bool:
    """True when a figure's only year is the year its sources were published.

    Curators have copied publication years into figures (issue 9): such a year may be when the
    source wrote, not what the data refers to, so it is compared like an unknown period."""
    year = f.fields.get("year")
    if year is None:
        return False
    years = {g.published.get(r.source) for r in f.references}
    return years == {str(year)[:4]}


def _interval(f: _Statement, g: "_Graph | None" = None) -> tuple[float, float] | None:
    """The figure's period as [start, end) in years; None when the source gives no period."""
    d = f.fields
    if d.get("noYear") is True or (g is not None and _publication_year_only(g, f)):
        return None
    if d.get("year") is not None:  # a year the parser cannot read gives no period (was (None, None))
        start, end = _bound(d["year"], False), _bound(d["year"], True)
    else:
        start, end = _bound(d.get("start"), False), _bound(d.get("end"), True)
    if start is None and end is None:
        return None
    return (start if start is not None else -math.inf, end if end is not None else math.inf)


def _period_text(f: _Statement, g: "_Graph | None" = None) -> str:
    d = f.fields
    if d.get("noYear") is True:
        return "year not stated"
    if d.get("year") is not None:
        if g is not None and _publication_year_only(g, f):
            return f"{d['year']} (the year of publication)"
        return str(d["year"])
    start, end = d.get("start"), d.get("end")
    if start and end:
        return f"{start}–{end}"
    if start:
        return f"from {start}"
    if end:
        return f"until {end}"
    return "year not stated"


def _overlap(a: tuple[float, float] | None, b: tuple[float, float] | None) -> bool:
    if a is None or b is None:
        return True     # an unknown period may be any period
    return a[0] < b[1] and b[0] < a[1]


def _number(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, int) and abs(v) >= 10_000:
        return f"{v:,}"
    return str(v)


_QUALIFIER_WORDS = {"AtLeast": "at least", "MoreThan": "more than", "LessThan": "less than", "UpTo": "up to",
                    "Approximately": "about", "Estimated": "estimated", "Forecast": "forecast"}


def _says_figure(f: _Statement, g: _Graph) -> str:
    d = f.fields
    text = _number(d["value"])
    if d.get("upper") is not None:
        text += f"–{_number(d['upper'])}"
    if d.get("outOf") is not None:
        text += f" of {_number(d['outOf'])}"
    unit = g.label(d.get("unit"))
    if unit and unit not in ("count",):
        text += "%" if unit in ("percent", "per cent") else f" {unit}"
    q = d.get("qualifier")
    if q:
        word = _QUALIFIER_WORDS.get(str(q).rsplit("#", 1)[-1], g.label(q))
        text = f"{word} {text}"
    return text


def _value_key(f: _Statement) -> tuple:
    d = f.fields
    return (float(d["value"]), None if d.get("upper") is None else float(d["upper"]),
            d.get("unit"), None if d.get("outOf") is None else float(d["outOf"]))


_LOWER = {"AtLeast", "MoreThan"}
_TARGETS = {ID + "quantity/policy-target", ID + "quantity/policy-benchmark"}
_UPPER = {"UpTo", "LessThan"}


def _differ(a: _Statement, b: _Statement) -> bool:
    """Two figures disagree unless they give the same value, or are measured bounds in the same
    direction ("more than 450" and "more than 500" can both be true; targets are never bounds). Facts.md counts "about two-thirds" vs
    "more than 40 %" as a discrepancy, so a bound and a value always differ."""
    if _value_key(a) == _value_key(b):
        return False
    qa = str(a.fields.get("qualifier") or "").rsplit("#", 1)[-1]
    qb = str(b.fields.get("qualifier") or "").rsplit("#", 1)[-1]
    same_unit = a.fields.get("unit") == b.fields.get("unit") and a.fields.get("outOf") == b.fields.get("outOf")
    if a.fields["qk"] in _TARGETS:
        return True     # "at least 15 %" and "at least 25 %" as targets are two different targets
    return not (same_unit and ((qa in _LOWER and qb in _LOWER) or (qa in _UPPER and qb in _UPPER)))


def _status(g: _Graph, iri: object) -> str:
    words = {"Verified": "verified", "SecondHand": "second-hand", "Unverified": "unverified",
             "Derived": "derived", "Contradicted": "contradicted"}
    return words.get(str(iri).rsplit("#", 1)[-1], g.label(iri))


def _claimants(g: _Graph, st: _Statement) -> str:
    names = sorted(g.label(c) for c in st.multi.get("claimant", set()) or ({st.fields.get("claimant")} - {None}))
    return ", ".join(names)


def _figure_side(g: _Graph, f: _Statement) -> Side:
    says = _says_figure(f, g)
    if f.fields.get("stage"):      # an imported row measures one stage (EC shares: extraction or processing)
        says += f" ({f.fields['stage']})"
    return Side(f.iri, says, _period_text(f, g), _claimants(g, f), _status(g, f.fields["status"]),
                list(f.references), f.fields["value"])


def _subjects(f: _Statement) -> tuple[str, ...]:
    return tuple(sorted(f.multi.get("subject", {f.fields["subject"]})))


def _scope_family(scope: object) -> str:
    """Scopes naming an EU CRM list edition are compared with each other: that is the dispute."""
    s = str(scope or "")
    return "eu-crm-list" if s.startswith(LIST_SCOPE_PREFIX) else s


def _make_id(kind: str, statements: set[str]) -> str:
    digest = hashlib.sha1("\n".join([kind, *sorted(statements)]).encode()).hexdigest()[:10]
    return f"{kind}-{digest}"


# ------------------------------------------------------------------------------------------------
# The rules
# ------------------------------------------------------------------------------------------------

def _components(figs: list[_Statement], linked_pair) -> list[list[_Statement]]:
    """Groups of figures joined by disagreeing pairs (union-find)."""
    parent = {f.iri: f.iri for f in figs}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    linked: set[str] = set()
    for a, b in combinations(figs, 2):
        if linked_pair(a, b):
            parent[find(a.iri)] = find(b.iri)
            linked |= {a.iri, b.iri}
    components: dict[str, list[_Statement]] = {}
    for f in figs:
        if f.iri in linked:
            components.setdefault(find(f.iri), []).append(f)
    return list(components.values())


def _figure_title(g: _Graph, subjects: tuple[str, ...], material: object, quantity: str) -> str:
    title = " + ".join(g.label(s) for s in subjects)
    if material:
        title += f" — {g.label(material)}"
    return f"{title} — {quantity}"


def _sorted_figures(g: _Graph, members: list[_Statement]) -> list[_Statement]:
    return sorted(members, key=lambda f: ((_interval(f, g) or (-math.inf,))[0], _value_key(f)[0], f.iri))


_PRODUCTION = ID + "quantity/production"
_MINE_PRODUCTION = ID + "quantity/mine-production"


def imported(f: _Statement) -> bool:
    """A figure of an imported dataset (graph:import/KEY), not one a curator wrote."""
    return str(f.fields.get("graph") or "").startswith(GRAPH_IMPORT_PREFIX)


def _family(f: _Statement) -> str:
    """The quantity a figure is grouped by: curators write "mine production" where a dataset row says
    "production" at the extraction stage, so both are "production" here (`_comparable` decides which
    pairs really measure the same thing)."""
    qk = str(f.fields["qk"])
    return _PRODUCTION if qk == _MINE_PRODUCTION else qk


def _comparable(a: _Statement, b: _Statement) -> bool:
    """Do two figures of one group measure the same thing?

    Two curated figures: the same quantity kind. Two imported rows: never from one dataset (a table's
    rows are parts or series — US helium from natural gas and from Cliffside Field — not rival claims),
    else the same quantity kind, stage and series (ilmenite is never compared with rutile, nor mine with
    refinery output). A curated figure and
    an imported row: the same quantity kind, except that a curated "mine production" is the imported
    "production" at the extraction stage; a curated "production" names no stage, so it meets every
    production series of the material."""
    ia, ib = imported(a), imported(b)
    qa, qb = str(a.fields["qk"]), str(b.fields["qk"])
    if ia and ib and a.fields.get("graph") == b.fields.get("graph"):
        return False
    if ia == ib:
        return qa == qb and (not ia or (a.fields.get("stage"), a.fields.get("series")) ==
                             (b.fields.get("stage"), b.fields.get("series")))
    cur, imp = (b, a) if ia else (a, b)
    if str(cur.fields["qk"]) == _MINE_PRODUCTION:
        return str(imp.fields["qk"]) == _PRODUCTION and imp.fields.get("stage") == "extraction"
    return qa == qb


def _in_base_unit(g: _Graph, f: _Statement) -> _Statement:
    """The figure with its values in its unit's base unit (1.7 Mt → 1,700,000 t), for comparing a curated
    figure with an imported row written in another multiple of the same unit."""
    base, factor = g.units.get(str(f.fields.get("unit")), (f.fields.get("unit"), 1.0))
    fields = dict(f.fields, unit=base, value=float(f.fields["value"]) * factor)
    if fields.get("upper") is not None:
        fields["upper"] = float(fields["upper"]) * factor
    return _Statement(f.iri, fields, f.multi, f.references)


def _differ_across(g: _Graph, a: _Statement, b: _Statement) -> bool:
    """`_differ` for a curated figure and an imported row: values compared in the base unit, and equal
    when they agree to 1 part in 10^9 (a product of decimal factors is not exact)."""
    na, nb = _in_base_unit(g, a), _in_base_unit(g, b)
    if na.fields["unit"] == nb.fields["unit"] and math.isclose(na.fields["value"], nb.fields["value"], rel_tol=1e-9) \
            and (na.fields.get("upper") is None) == (nb.fields.get("upper") is None) \
            and (na.fields.get("upper") is None or math.isclose(na.fields["upper"], nb.fields["upper"], rel_tol=1e-9)) \
            and na.fields.get("outOf") == nb.fields.get("outOf"):
        return False
    return _differ(na, nb)


def figure_disagreements(g: _Graph) -> list[Disagreement]:
    """Same subject, material, quantity (`_comparable`) and scope family; values differ; periods overlap
    or unknown. A curated figure and an imported dataset row meet here too (a curated USGS figure
    against the USGS table itself): the disagreement says which side is the imported row."""
    groups: dict[tuple, list[_Statement]] = {}
    for f in g.figures.values():
        if not isinstance(f.fields.get("value"), (int, float)):
            continue
        key = (_subjects(f), f.fields.get("material"), _family(f), _scope_family(f.fields.get("scope")))
        groups.setdefault(key, []).append(f)
    out = []

    def pairs(a: _Statement, b: _Statement) -> bool:
        if not _comparable(a, b) or not _overlap(_interval(a, g), _interval(b, g)):
            return False
        return _differ_across(g, a, b) if imported(a) != imported(b) else _differ(a, b)

    for (subjects, material, qk, _), figs in groups.items():
        if len(figs) < 2:
            continue
        for members in _components(figs, pairs):
            members = _sorted_figures(g, members)
            unknown = [f for f in members if _interval(f, g) is None]
            scopes = {f.fields.get("scope") for f in members}
            if not unknown:
                why = "Values differ for overlapping periods"
            elif all(f.fields.get("noYear") is True for f in unknown):
                why = "Values differ, and a source leaves the period unstated (it may be any of the others)"
            else:
                why = ("Values differ, and a figure's year is only the year its source was published "
                       "(the data year is not stated, so it may be any of the others)")
            if len(scopes) > 1:
                why += "; the sources count against different list editions (" + \
                       ", ".join(sorted(g.label(s) for s in scopes)) + ")"
            rows = [f for f in members if imported(f)]
            if rows and len(rows) < len(members):
                why += ("; curated figures meet imported dataset rows (" +
                        ", ".join(sorted({r.source for f in rows for r in f.references})) +
                        "), compared in the same base unit")
            kinds = {f.fields["qk"] for f in members}
            qk = next(iter(kinds)) if len(kinds) == 1 else qk
            about = {"subject": " ".join(subjects), "quantity": qk}
            if material:
                about["material"] = material
            if len(scopes) == 1 and next(iter(scopes)):
                about["scope"] = next(iter(scopes))
            out.append(Disagreement(_make_id("figures", {f.iri for f in members}), "figures",
                                    _figure_title(g, subjects, material, g.label(qk)), why + ".",
                                    about, [_figure_side(g, f) for f in members]))
    return out


# Quantity kinds that answer the same question in different ways: a reader comparing them is
# comparing two metrics (facts.md: "98 % … commonly a supply-chain figure vs 46.3 % of import
# weight — different metrics"). Keys are quantity-kind slugs of graph/vocabularies.ttl.
COMPARABLE_QUANTITIES = {
    "share-of-eu-imports": "dependency of the EU on a supplier",
    "share-of-eu-supply": "dependency of the EU on a supplier",
    "share-of-eu-consumption": "dependency of the EU on a supplier",
}


def metric_disagreements(g: _Graph) -> list[Disagreement]:
    """Same subject and material, the same question measured by different quantity kinds, values differ.

    Periods are not required to overlap: the point is that the two metrics are quoted for the same
    dependency, often years apart, and must not be read as one series."""
    families = {ID + "quantity/" + q: fam for q, fam in COMPARABLE_QUANTITIES.items()}
    groups: dict[tuple, list[_Statement]] = {}
    for f in g.figures.values():
        fam = families.get(f.fields["qk"])
        if fam and isinstance(f.fields.get("value"), (int, float)):
            groups.setdefault((_subjects(f), f.fields.get("material"), fam, f.fields.get("stage")), []).append(f)
    out = []
    for (subjects, material, fam, _), figs in groups.items():
        if len({f.fields["qk"] for f in figs}) < 2:
            continue
        pairs = lambda a, b: a.fields["qk"] != b.fields["qk"] and _differ(a, b)  # noqa: E731
        for members in _components(figs, pairs):
            members = _sorted_figures(g, members)
            kinds = sorted({g.label(f.fields["qk"]) for f in members})
            why = (f"The {fam} is given as {' and as '.join(kinds)}: different metrics, "
                   "not one series — compare like with like.")
            out.append(Disagreement(_make_id("metrics", {f.iri for f in members}), "metrics",
                                    _figure_title(g, subjects, material, fam), why,
                                    {"subject": " ".join(subjects), **({"material": material} if material else {})},
                                    [_figure_side(g, f) for f in members]))
    return out


def _list_sizes(g: _Graph) -> dict[str, int]:
    return {lst: len(materials) for lst, materials in g.entries.items()}


def _list_side(g: _Graph, lst: str, size: int) -> Side:
    """The official list as a side: its size, on the word of the sources that give it."""
    refs: list[Reference] = []
    for f in g.figures.values():
        if f.fields["subject"] == lst and str(f.fields["qk"]).endswith("/list-size") and f.fields["value"] == size:
            refs += [r for r in f.references if (r.source, r.locator) not in {(x.source, x.locator) for x in refs}]
    if not refs:
        for a in g.assertions.values():
            if a.fields["object"] == lst and str(a.fields["property"]).endswith("#establishes"):
                refs += [r for r in a.references if (r.source, r.locator) not in {(x.source, x.locator) for x in refs}]
    return Side(lst, f"{size} materials on {g.label(lst)}", "", "", "verified", refs, size)


def list_edition_counts(g: _Graph) -> list[Disagreement]:
    """Counts "N of M" whose M is not the size of the edition they name, or of any edition."""
    sizes = _list_sizes(g)
    crm_lists = {lst: n for lst, n in sizes.items() if lst.startswith(LIST_PREFIX)}
    groups: dict[tuple, list[_Statement]] = {}
    for f in g.figures.values():
        d = f.fields
        scope = str(d.get("scope") or "")
        if d.get("outOf") is None or not scope.startswith(LIST_SCOPE_PREFIX):
            continue
        out_of = int(d["outOf"])
        named = LIST_PREFIX + scope[len(LIST_SCOPE_PREFIX):]
        if named in crm_lists:
            if crm_lists[named] != out_of:
                groups.setdefault((out_of, named), []).append(f)
        elif out_of not in crm_lists.values():
            groups.setdefault((out_of, None), []).append(f)
    out = []
    for (out_of, named), figs in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        figs.sort(key=lambda f: (str(f.fields["subject"]), f.iri))
        if named:
            why = (f"Counted 'of {out_of}' against {g.label(named)}, which has {crm_lists[named]} materials.")
            lists = [named]
        else:
            editions = ", ".join(str(n) for _, n in sorted(crm_lists.items()))
            why = f"Counted 'of {out_of}', but no edition of the EU CRM list has {out_of} items (editions: {editions})."
            lists = sorted(crm_lists)
        sides = [_figure_side(g, f) for f in figs] + [_list_side(g, lst, crm_lists[lst]) for lst in lists]
        title = f"Counts of EU critical raw materials 'of {out_of}'"
        out.append(Disagreement(_make_id("list-edition", {f.iri for f in figs}), "list-edition", title, why,
                                {"outOf": str(out_of), **({"list": named} if named else {})}, sides))
    return out


def _claim_side(g: _Graph, c: _Statement) -> Side:
    d = c.fields
    target = d.get("object") if d.get("object") is not None else d.get("value")
    says = g.label(target)
    if d.get("polarity") is False:
        says = f"not {says}"
    return Side(c.iri, f"{g.label(d['property'])}: {says}", "", _claimants(g, c), _status(g, d["status"]),
                list(c.references), target)


def _assertion_side(g: _Graph, a: _Statement) -> Side:
    d = a.fields
    return Side(a.iri, f"{g.label(d['property'])}: {g.label(d['object'])}", "", "", _status(g, d["status"]),
                list(a.references), d["object"])


def official_list_contradictions(g: _Graph) -> list[Disagreement]:
    """Claims on a material's place on a list (crm:criticalIn / crm:strategicIn) against the list's entries."""
    out = []
    by_triple: dict[tuple, list[_Statement]] = {}
    for a in g.assertions.values():
        by_triple.setdefault((a.fields["subject"], a.fields["property"], a.fields["object"]), []).append(a)
    for c in g.claims.values():
        d = c.fields
        lst, material = d.get("object"), d["subject"]
        if lst not in g.entries:
            continue
        listed = g.entries[lst]
        graded = [m for m, base in g.bases.items() if base == material and m in listed]
        denied = d.get("polarity") is False
        if denied and (material in listed or graded):
            on_list = [material] if material in listed else graded
            why = (f"{g.label(lst)} lists {', '.join(g.label(m) for m in on_list)}"
                   + (f" (point {listed[on_list[0]][1]})" if listed[on_list[0]][1] else "")
                   + f"; the claim denies that {g.label(material)} is on it.")
        elif not denied and material not in listed and not graded:
            on_list = []
            why = f"{g.label(lst)} has no entry for {g.label(material)}, yet the claim puts it there."
        else:
            continue
        sides = [_claim_side(g, c)]
        for m in on_list:
            for a in by_triple.get((m, d["property"], lst), []):
                sides.append(_assertion_side(g, a))
            if not any(s.statement in {x.iri for x in by_triple.get((m, d["property"], lst), [])} for s in sides):
                entry, point = listed[m]
                sides.append(Side(entry, f"{g.label(m)} on {g.label(lst)}" + (f", point ({point})" if point else ""),
                                  "", "", "verified", [], m))
        if not on_list:
            sides.append(_list_side(g, lst, len(listed)))
        title = f"{g.label(material)} — {g.label(d['property'])} {g.label(lst)}"
        out.append(Disagreement(_make_id("official-list", {c.iri}), "official-list", title, why,
                                {"subject": material, "property": d["property"], "object": lst}, sides))
    # several claims about one material and list are one disagreement
    merged: dict[tuple, Disagreement] = {}
    for dis in out:
        key = (dis.about["subject"], dis.about["property"], dis.about["object"], dis.why)
        if key in merged:
            seen = merged[key].statements()
            merged[key].sides[:0] = [s for s in dis.sides if s.statement not in seen and s.statement in g.claims]
            merged[key].id = _make_id("official-list", {s.statement for s in merged[key].sides if s.statement in g.claims})
        else:
            merged[key] = dis
    return list(merged.values())


def value_disagreements(g: _Graph) -> list[Disagreement]:
    """One attribute of one thing (a date above all) with differing literal values, triples and claims alike."""
    sides: dict[tuple, list[tuple[str, Side]]] = {}
    for a in g.assertions.values():
        d = a.fields
        if d.get("literal") is True and not isinstance(d["object"], bool):
            sides.setdefault((d["subject"], d["property"]), []).append((str(d["object"]), _assertion_side(g, a)))
    for c in g.claims.values():
        d = c.fields
        v = d.get("value")
        if d.get("polarity") is False or d.get("literal") is not True or d["status"] == CONTRADICTED:
            continue
        if isinstance(v, str) and not _looks_like_date_or_number(v):
            continue     # prose ("a national investment framework …") is not a value to compare
        sides.setdefault((d["subject"], d["property"]), []).append((str(v), _claim_side(g, c)))
    out = []
    for (subject, prop), found in sides.items():
        values = {v for v, _ in found}
        if len(values) < 2:
            continue
        found.sort(key=lambda vs: (vs[0], vs[1].statement))
        title = f"{g.label(subject)} — {g.label(prop)}"
        ordered = sorted(values)
        longest = max(ordered, key=len)
        nested = all(longest.startswith(v) for v in ordered)     # "2022" and "2022-06"
        if nested:
            why = (f"The sources give the value to different precision ({', '.join(ordered)}): "
                   "one is not confirmed by the other.")
        else:
            why = f"The sources give {len(values)} different values: " + ", ".join(ordered) + "."
        out.append(Disagreement(_make_id("values", {s.statement for _, s in found}), "values", title, why,
                                {"subject": subject, "property": prop}, [s for _, s in found]))
    return out


def _looks_like_date_or_number(s: str) -> bool:
    head = s[:4]
    return head.isdigit() or s.replace(".", "", 1).isdigit()


def contradicted_statements(g: _Graph, covered: set[str]) -> list[Disagreement]:
    """Statements marked crm:Contradicted that no other rule reported, beside what the graph says instead."""
    out = []
    asserted_by_sp: dict[tuple, list[_Statement]] = {}
    for a in g.assertions.values():
        asserted_by_sp.setdefault((a.fields["subject"], a.fields["property"]), []).append(a)
    claims_by_sp: dict[tuple, list[_Statement]] = {}
    for c in g.claims.values():
        claims_by_sp.setdefault((c.fields["subject"], c.fields["property"]), []).append(c)
    for c in g.claims.values():
        d = c.fields
        if d["status"] != CONTRADICTED or c.iri in covered:
            continue
        key = (d["subject"], d["property"])
        others = [_assertion_side(g, a) for a in asserted_by_sp.get(key, []) if a.fields["status"] in ACCEPTED]
        if not others:
            others = [_claim_side(g, x) for x in claims_by_sp.get(key, [])
                      if x.iri != c.iri and x.fields["status"] in ACCEPTED and x.fields.get("polarity") is not False]
        if d["property"] == RDF_TYPE:
            others += [Side(t, f"{g.label(RDF_TYPE)}: {g.label(t)}", "", "", "verified", [], t)
                       for t in sorted(g.types.get(d["subject"], []))]
        title = f"{g.label(d['subject'])} — {g.label(d['property'])}"
        why = "The curators mark this claim contradicted by the sources" + \
              ("; the graph states instead:" if others else " (its comment says by which).")
        out.append(Disagreement(_make_id("contradicted", {c.iri}), "contradicted", title, why,
                                {"subject": d["subject"], "property": d["property"]}, [_claim_side(g, c), *others]))
    for f in g.figures.values():
        d = f.fields
        if d["status"] != CONTRADICTED or f.iri in covered:
            continue
        same = [x for x in g.figures.values() if x.iri != f.iri and x.fields["status"] in ACCEPTED
                and _subjects(x) == _subjects(f) and x.fields.get("material") == d.get("material")
                and x.fields.get("scope") == d.get("scope") and x.fields.get("unit") == d.get("unit")]
        title = f"{' + '.join(g.label(s) for s in _subjects(f))} — {g.label(d['qk'])}"
        why = "The curators mark this figure contradicted by the sources" + \
              ("; the graph's other figures on the same thing:" if same else ".")
        out.append(Disagreement(_make_id("contradicted", {f.iri}), "contradicted", title, why,
                                {"subject": " ".join(_subjects(f)), "quantity": d["qk"]},
                                [_figure_side(g, f), *(_figure_side(g, x) for x in same)]))
    return out


def find_disagreements(store) -> list[Disagreement]:
    """Every disagreement in the store, by kind (see KINDS), each with both sides and their sources."""
    return detect(load(store))


def detect(g: _Graph) -> list[Disagreement]:
    """The rules over a loaded graph, in the order of KINDS."""
    found = figure_disagreements(g)
    found += metric_disagreements(g)
    found += list_edition_counts(g)
    found += official_list_contradictions(g)
    found += value_disagreements(g)
    covered = {s for dis in found for s in dis.statements()}
    found += contradicted_statements(g, covered)
    order = list(KINDS)
    found.sort(key=lambda d: (order.index(d.kind), d.title.casefold(), d.id))
    return found


# The name the CLI and older callers use.
find_conflicts = find_disagreements

__all__ = ["KINDS", "Disagreement", "Reference", "Side", "detect", "find_conflicts", "find_disagreements", "load"]
