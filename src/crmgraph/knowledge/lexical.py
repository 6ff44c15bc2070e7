"""Is a typed literal's text a value of its datatype? The XSD lexical spaces the curated files use.

Oxigraph keeps an ill-typed literal such as `"11/2011"^^xsd:gYear` as it is written (RDF allows it), so
the build must check it: otherwise it reaches the store, where SPARQL treats it as having no value (a
figure silently drops out of sums and year filters), and rdflib (SHACL, HermiT) logs a traceback for it.
`problem(lexical, datatype)` returns None for a valid form and otherwise what was expected, in words a
curator can act on. The grammars are those of XML Schema 1.1 Part 2 (§3.3), with one curation rule on
top: an `xsd:anyURI` must be absolute (a source's URL or an ELI), since a relative one resolves to nothing.
"""
from __future__ import annotations

import calendar
import re

from ..namespaces import RDF, XSD

_TZ = r"(?:Z|[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00))?"
_YEAR = r"-?(?:[1-9]\d{3,}|0\d{3})"
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_DOUBLE = re.compile(r"[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|INF)|NaN")
_BOOLEAN = re.compile(r"true|false|1|0")
_GYEAR = re.compile(_YEAR + _TZ)
_GYEARMONTH = re.compile(_YEAR + r"-(?:0[1-9]|1[0-2])" + _TZ)
_DATE = re.compile(r"(" + _YEAR + r")-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])" + _TZ)
_TIME = r"(?:(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?|24:00:00(?:\.0+)?)"
_DATETIME = re.compile(r"(" + _YEAR + r")-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T" + _TIME + _TZ)
_TIME_ONLY = re.compile(_TIME + _TZ)
_GMONTHDAY = re.compile(r"--(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])" + _TZ)
_DURATION = re.compile(r"-?P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?")
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*")

#: Integer types with their bounds (inclusive; None = unbounded).
_INTEGER_BOUNDS = {
    "integer": (None, None), "nonNegativeInteger": (0, None), "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0), "negativeInteger": (None, -1),
    "long": (-2**63, 2**63 - 1), "int": (-2**31, 2**31 - 1), "short": (-2**15, 2**15 - 1), "byte": (-128, 127),
    "unsignedLong": (0, 2**64 - 1), "unsignedInt": (0, 2**32 - 1), "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 255),
}

#: datatype local name → how a valid value is written (shown to the curator).
EXPECTED = {
    "integer": 'a whole number of digits, optionally signed: 12, -3 (no letters, spaces, commas or decimal point)',
    "decimal": 'a number with an optional decimal point: 12.5, -0.3, 17 (a point, not a comma; no exponent, no thousands separator)',
    "double": 'a number, optionally with an exponent: 1.5, 1.5e3, INF, NaN',
    "float": 'a number, optionally with an exponent: 1.5, 1.5e3, INF, NaN',
    "boolean": 'true or false (or 1 / 0)',
    "gYear": 'a year of (at least) four digits: "2011"',
    "gYearMonth": 'a year and a month: "2011-11"',
    "date": 'a calendar date year-month-day: "2011-11-30"',
    "dateTime": 'a date and time: "2011-11-30T12:00:00Z"',
    "dateTimeStamp": 'a date and time with a time zone: "2011-11-30T12:00:00Z"',
    "time": 'a time: "12:00:00"',
    "gMonthDay": 'a month and day: "--11-30"',
    "duration": 'an ISO 8601 duration: "P2Y6M", "PT36H"',
    "anyURI": 'an absolute IRI: "https://example.org/page" (a scheme, no spaces)',
    "string": "any text",
}
EXPECTED.update({name: f"a whole number between {lo if lo is not None else '-∞'} and {hi if hi is not None else '∞'}"
                 for name, (lo, hi) in _INTEGER_BOUNDS.items() if name != "integer"})

#: The integer types' local names (xsd:integer and its restrictions).
INTEGER_TYPES = frozenset(_INTEGER_BOUNDS)
#: Every XSD datatype a literal can have (XML Schema 1.1 Part 2 §3, the primitive and ordinary built-in
#: ones); `problem` checks the lexical form of those the curated files use, the others are named here so
#: that a shape's `sh:datatype` can be told from a misspelt one (xsd:Integer, xsd:year).
XSD_DATATYPES = INTEGER_TYPES | {
    "string", "normalizedString", "token", "language", "Name", "NCName", "NMTOKEN", "boolean", "decimal", "float",
    "double", "duration", "dayTimeDuration", "yearMonthDuration", "dateTime", "dateTimeStamp", "time", "date",
    "gYearMonth", "gYear", "gMonthDay", "gDay", "gMonth", "hexBinary", "base64Binary", "anyURI", "QName", "NOTATION"}

_STRINGS = {XSD + n for n in ("string", "normalizedString", "token", "language", "Name", "NCName", "NMTOKEN")}
_STRINGS |= {RDF + "langString", RDF + "dirLangString", RDF + "HTML", RDF + "XMLLiteral", RDF + "JSON"}


def _valid_day(year: str, month: str, day: str) -> bool:
    y = int(year)
    leap = calendar.isleap(y if y > 0 else 2000 + (y % 400))  # proleptic: leap-year rule holds for any year
    return int(day) <= (29 if month == "02" and leap else calendar.monthrange(2001, int(month))[1])


def problem(lexical: str, datatype: str) -> str | None:
    """None if `lexical` is a valid form of `datatype`, else what is wrong (the expected form)."""
    if datatype in _STRINGS:
        return None
    if not datatype.startswith(XSD):
        return f"unknown datatype <{datatype}>"
    name = datatype[len(XSD):]
    if name in _INTEGER_BOUNDS:
        if not _INTEGER.fullmatch(lexical):
            return f"not a whole number; expected {EXPECTED['integer']}"
        lo, hi = _INTEGER_BOUNDS[name]
        value = int(lexical)
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            return f"out of range for xsd:{name}; expected {EXPECTED[name]}"
        return None
    checks = {
        "decimal": _DECIMAL, "double": _DOUBLE, "float": _DOUBLE, "boolean": _BOOLEAN, "gYear": _GYEAR,
        "gYearMonth": _GYEARMONTH, "time": _TIME_ONLY, "duration": _DURATION, "anyURI": _ABSOLUTE_IRI,
    }
    if name in checks:
        return None if checks[name].fullmatch(lexical) else f"expected {EXPECTED[name]}"
    if name in ("date", "dateTime", "dateTimeStamp"):
        m = (_DATE if name == "date" else _DATETIME).fullmatch(lexical)
        if not m or (name == "dateTimeStamp" and not re.search(r"(Z|[+-]\d\d:\d\d)$", lexical)):
            return f"expected {EXPECTED[name]}"
        if not _valid_day(*m.groups()[:3]):
            return f"no such day (month {m.group(2)} of {m.group(1)} has no day {m.group(3)}); expected {EXPECTED[name]}"
        return None
    if name == "gMonthDay":
        m = _GMONTHDAY.fullmatch(lexical)
        return None if m and int(m.group(2)) <= calendar.monthrange(2000, int(m.group(1)))[1] else f"expected {EXPECTED[name]}"
    return f"unknown datatype xsd:{name}"


def suggestion(lexical: str, datatype: str) -> str:
    """A concrete rewrite when the text looks like a common slip (a month/year date, a comma decimal …)."""
    name = datatype[len(XSD):] if datatype.startswith(XSD) else datatype
    text = lexical.strip()
    if m := re.fullmatch(r"(\d{1,2})[/.](\d{4})", text):
        return f'write "{m.group(2)}-{int(m.group(1)):02d}"^^xsd:gYearMonth (month and year), or "{m.group(2)}"^^xsd:gYear'
    if m := re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", text):
        return f'write the date year-month-day, e.g. "{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"^^xsd:date (check which is the day)'
    if name in ("integer", "decimal", "double", "float") and re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+", text):
        return f"drop the thousands separators: {text.replace(',', '')}"
    if name in ("decimal", "double", "float") and re.fullmatch(r"[+-]?\d+,\d+", text):
        return f"use a decimal point: {text.replace(',', '.')}"
    if name == "integer" and _DECIMAL.fullmatch(text):
        return f"an integer has no decimal point: write {text} without the ^^xsd:integer (a decimal) or round it"
    if name in ("integer", "decimal") and re.search(r"\d", text):
        return "write the number alone (units go in crm:unit, qualifiers like 'about' in crm:valueQualifier)"
    if name == "gYear" and (m := re.search(r"\b(\d{4})\b", text)):
        return f'write the year alone: "{m.group(1)}"^^xsd:gYear'
    return f"write {EXPECTED.get(name, 'a valid value of the datatype')}, or change the datatype"
