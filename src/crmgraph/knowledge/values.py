"""Checks on the values the curated files state: literal forms, plausible ranges, shares that add up.

Each catches a mistake that parses, passes SHACL's datatype checks and silently corrupts every answer
built on it (issue 13: "11/2011" as a gYear, a percentage of 250, negative production, the year 3024,
shares of one material summing to 218.8 %). The bounds, and why they are what they are:

- **Typed literals** must be in their datatype's lexical space (`lexical.py`): ill-typed literals have no
  value in SPARQL, so a figure would vanish from sums and year filters.
- **Percentages** (`crm:unit unit:percent`) lie in 0–100; **every figure's value** is ≥ 0 — counts,
  production, reserves, money, shares. Exempt: the quantity kinds that measure a *change*
  (`SIGNED_KINDS`: growth rates, temperature rise), which may be negative, and growth rates may pass 100 %.
  A range's upper end is not below its lower end; "19 of 34" has value ≤ `crm:outOf`; ranks and list
  positions start at 1.
- **Years** lie in 1900–2100 (`YEAR_MIN`, `YEAR_MAX`): the sources describe the 20th and 21st centuries
  (the earliest year in graph/ is 1941, the latest a 2060 carbon-neutrality target), so 1024 or 3024 is a
  typo. Dates of things that have *happened* — a publication, a signature, an adoption, a founding
  (`PAST_DATE_PROPERTIES`) — may not lie after the build's year + 1 (+1: a document can carry next year's
  date when it appears in December).
- **Shares** of one whole — same quantity kind (`SHARE_KINDS`), material, year or period, scope, stage
  and claimant, different subjects — may not sum past 100 % by more than rounding explains: each figure
  written with d decimals may be off by half a unit in its last place (0.5 for "17", 0.05 for "46.3"),
  and the tolerance is the sum of those, at least `SHARE_TOLERANCE_PP` (0.5 pp). Only the least each
  figure can mean is summed ("up to 30 %" and "less than 5 %" count 0; "more than 20 %" counts 20), and
  figures whose source gives no year are not grouped (they may be different years). This is an error, not
  a warning: a sum no rounding explains means at least one figure is wrong (a typo, a wrong scope or base,
  the same country twice), and every indicator built on them (HHI, scenarios) would be wrong with it;
  218.8 % is refused, 100.4 % from rounded figures is not.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from .curated import RDF_OBJECT, RDF_TYPE, CuratedFile
from .lexical import problem as lexical_problem
from .lexical import suggestion
from ..errors import Problem
from ..namespaces import CRM, DCTERMS, ID, XSD, compact

QK = ID + "quantity/"
UNIT_PERCENT = ID + "unit/percent"

YEAR_MIN, YEAR_MAX = 1900, 2100
SHARE_TOLERANCE_PP = Decimal("0.5")
#: Quantity kinds that measure a change: negative values (and growth above 100 %) are meaningful.
SIGNED_KINDS = {QK + k for k in ("growth-rate", "temperature-rise")}
#: Quantity kinds whose figures, for different subjects, are parts of one whole.
SHARE_KINDS = {QK + k for k in ("share-of-world-production", "share-of-world-reserves", "share-of-world-resources",
                                "share-of-eu-imports", "share-of-eu-supply", "share-of-eu-consumption",
                                "share-of-market", "market-share", "trade-share", "investment-share")}
#: Dates of events that have happened when a source reports them.
PAST_DATE_PROPERTIES = {CRM + p for p in (
    "signedOn", "initialledOn", "adoptedOn", "endorsedOn", "announcedOn", "publishedOn", "proposedOn",
    "mandateOn", "negotiationsOpenedOn", "founded", "asOf", "editionYear", "strategicProjectSince")} | {DCTERMS + "issued"}
_DATE_TYPES = {XSD + t for t in ("gYear", "gYearMonth", "date", "dateTime", "dateTimeStamp")}
_LOWER_BOUND_ZERO = {CRM + q for q in ("UpTo", "LessThan")}  # the figure says at most this much
_ASSERTED_IN = CRM + "assertedIn"


def _name(node) -> str:
    return compact(node.value) if isinstance(node, ox.NamedNode) else str(node)


def _entity(node) -> str | None:
    """The entity a problem is about; None for a blank node (a reference, a role): the line says where."""
    return compact(node.value) if isinstance(node, ox.NamedNode) else None


def _literals(files: list[CuratedFile]):
    """(file, triple) for every literal a curator wrote (not the copies made for annotations)."""
    for f in files:
        for t in f.triples:
            if isinstance(t.object, ox.Literal) and t.predicate != RDF_OBJECT and t.predicate.value != _ASSERTED_IN:
                yield f, t


def check_literal_forms(files: list[CuratedFile]) -> list[Problem]:
    """Every typed literal must be a valid value of its datatype; reported at its own line."""
    problems = []
    for f, t in _literals(files):
        lit = t.object
        wrong = lexical_problem(lit.value, lit.datatype.value)
        if wrong:
            problems.append(Problem(
                f"{_name(t.predicate)} \"{lit.value}\"^^{compact(lit.datatype.value)}: {wrong}",
                file=f.name, line=f.line_of_term(lit, t.subject), entity=_entity(t.subject),
                hint=suggestion(lit.value, lit.datatype.value)))
    return problems


def _year(lit: ox.Literal) -> int | None:
    m = re.match(r"-?\d{4,}", lit.value)
    return int(m.group()) if m else None


def check_years(files: list[CuratedFile], build_year: int | None = None) -> list[Problem]:
    """Years within the sources' plausible range; past events not in the future."""
    latest_past = (build_year or dt.date.today().year) + 1
    problems = []
    for f, t in _literals(files):
        lit = t.object
        if lit.datatype.value not in _DATE_TYPES or lexical_problem(lit.value, lit.datatype.value):
            continue
        year = _year(lit)
        past = t.predicate.value in PAST_DATE_PROPERTIES
        top = latest_past if past else YEAR_MAX
        if year is None or YEAR_MIN <= year <= top:
            continue
        why = (f"a {_name(t.predicate)} date records something that has happened, so it cannot lie after {top}"
               if past and year > top and year <= YEAR_MAX else
               f"the sources cover {YEAR_MIN}–{YEAR_MAX} (the earliest year in graph/ is 1941, the latest a 2060 target)")
        problems.append(Problem(
            f"{_name(t.predicate)} \"{lit.value}\": the year {year} is outside {YEAR_MIN}–{top}: {why}",
            file=f.name, line=f.line_of_term(lit, t.subject), entity=_entity(t.subject),
            hint="check the year against the source (a typo such as 3024 for 2024?)"))
    return problems


def check_values(files: list[CuratedFile]) -> list[Problem]:
    """Every value guard of this module over the data files."""
    figures = _figures(files)
    return check_years(files) + check_ranges(files, figures) + check_share_sums(files, figures)


def _figures(files: list[CuratedFile]) -> dict:
    """figure node → {predicate IRI: [(object, file)]}, across all files."""
    figures = {t.subject for f in files for t in f.triples if t.predicate == RDF_TYPE and t.object.value == CRM + "Figure"}
    props: dict = {node: defaultdict(list) for node in figures}
    for f in files:
        for t in f.triples:
            if t.subject in props:
                props[t.subject][t.predicate.value].append((t.object, f))
    return props


def _number(term) -> Decimal | None:
    if not isinstance(term, ox.Literal):
        return None
    try:
        return Decimal(term.value)
    except (InvalidOperation, ValueError):
        return None


def _one(props, name):
    values = props.get(CRM + name) or []
    return values[0] if values else (None, None)


def _val(props, name) -> str | None:
    term = _one(props, name)[0]
    return term.value if term is not None else None


def check_ranges(files: list[CuratedFile], figures: dict | None = None) -> list[Problem]:
    """Percentages in 0–100, non-negative values, ordered ranges, value ≤ outOf, ranks from 1.
    (`figures`: `_figures(files)` if the caller already has it.)"""
    problems = []

    def refuse(f, node, term, message, hint):
        problems.append(Problem(message, file=f.name, line=f.line_of_term(term, node), entity=_entity(node), hint=hint))

    for node, props in (figures if figures is not None else _figures(files)).items():
        kind = getattr(_one(props, "quantityKind")[0], "value", None)
        unit = getattr(_one(props, "unit")[0], "value", None)
        signed = kind in SIGNED_KINDS
        for prop in ("value", "upperValue"):
            for term, f in props.get(CRM + prop, []):
                n = _number(term)
                if n is None:
                    continue
                if unit == UNIT_PERCENT and not signed and not 0 <= n <= 100:
                    refuse(f, node, term, f"crm:{prop} {term.value} % is not a percentage between 0 and 100",
                           "a share is 0–100 (write 17 for 17 %); a growth rate is qk:growth-rate; a ratio above 100 % "
                           "is not unit:percent")
                elif n < 0 and not signed:
                    refuse(f, node, term, f"crm:{prop} {term.value} is negative, but a {compact(kind) if kind else 'figure'} cannot be",
                           "production, reserves, counts, money and shares are ≥ 0; a fall is a figure of qk:growth-rate")
        value, f = _one(props, "value")
        upper, fu = _one(props, "upperValue")
        n_value, n_upper = _number(value), _number(upper)
        if n_value is not None and n_upper is not None and n_upper < n_value:
            refuse(fu, node, upper, f"the range's upper end crm:upperValue {upper.value} is below its lower end crm:value {value.value}",
                   "crm:value is the lower end of a range, crm:upperValue the upper end")
        out_of, fo = _one(props, "outOf")
        n_out_of = _number(out_of)
        if n_value is not None and n_out_of is not None and (n_out_of < 1 or n_value > n_out_of):
            refuse(fo, node, out_of, f"crm:value {value.value} out of crm:outOf {out_of.value} is more than the whole",
                   '"19 of 34" is crm:value 19 ; crm:outOf 34')
    for f in files:
        for t in f.triples:
            if t.predicate.value in (CRM + "rank", CRM + "position") and (n := _number(t.object)) is not None and n < 1:
                refuse(f, t.subject, t.object, f"{_name(t.predicate)} {t.object.value}: ranks and positions start at 1",
                       "the first is 1, as the source counts")
    return problems


def _half_unit(lexical: str) -> Decimal:
    """Half a unit in the last written digit: what rounding can hide in a figure written this way."""
    decimals = len(lexical.split(".")[1]) if "." in lexical else 0
    return Decimal(5) / (Decimal(10) ** (decimals + 1))


def check_share_sums(files: list[CuratedFile], figures: dict | None = None) -> list[Problem]:
    """Shares of one whole (same kind, material, year, scope, stage, claimant) may not sum past 100 %."""
    groups: dict[tuple, dict] = defaultdict(dict)  # key → subject → (least value, lexical, node, file)
    for node, props in (figures if figures is not None else _figures(files)).items():
        kind = getattr(_one(props, "quantityKind")[0], "value", None)
        if kind not in SHARE_KINDS or getattr(_one(props, "unit")[0], "value", None) != UNIT_PERCENT:
            continue
        when = tuple(_val(props, p) for p in ("refYear", "periodStart", "periodEnd"))
        if when == (None, None, None):
            continue  # no year stated: the figures may be about different years
        value, f = _one(props, "value")
        n = _number(value)
        if n is None:
            continue
        qualifiers = {getattr(q, "value", None) for q, _ in props.get(CRM + "valueQualifier", [])}
        least = Decimal(0) if qualifiers & _LOWER_BOUND_ZERO else n
        key = (kind,) + tuple(_val(props, p) for p in ("material", "scope", "stage", "claimant")) + when
        subject = _val(props, "subject")
        previous = groups[key].get(subject)
        if previous is None or least < previous[0]:  # the same subject twice: count the lesser once
            groups[key][subject] = (least, value.value, node, f)
    problems = []
    for key, members in groups.items():
        if len(members) < 2:
            continue
        total = sum(m[0] for m in members.values())
        tolerance = max(SHARE_TOLERANCE_PP, sum((_half_unit(m[1]) for m in members.values()), Decimal(0)))
        if total <= 100 + tolerance:
            continue
        parts = sorted(members.values(), key=lambda m: -m[0])
        listed = ", ".join(f"{_name(m[2])} {m[1]} %" for m in parts)
        kind, material, scope, stage, claimant = key[:5]
        year = "–".join(v for v in key[5:] if v is not None)
        first = parts[0]
        problems.append(Problem(
            f"shares of {compact(kind)} for {compact(material) if material else 'no material'}, {year}, "
            f"{compact(scope) if scope else 'no scope'}{', stage ' + stage if stage else ''}, claimed by "
            f"{compact(claimant) if claimant else '?'} sum to {total:f} %, more than 100 % (+{tolerance.normalize():f} pp "
            f"for rounding): {listed}",
            file=first[3].name, line=first[3].line_of(first[2].value), entity=_entity(first[2]),
            hint="check each figure against the source: a typo, a wrong scope, year or claimant, or one country counted twice"))
    return problems
