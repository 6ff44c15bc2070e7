"""Importer of the USGS Mineral Commodity Summaries 2025 world table (`MCS2025_World_Data.csv`).

Each row is one commodity series × country. It becomes up to five figures — production 2023 and
2024 (estimated), capacity 2023 and 2024 (estimated), reserves 2024 — in the row's own unit, each
citing the dataset with the row as locator (file, line, commodity, country, column). USGS marks
withheld values by an empty cell and "W for 23-24" in PROD_NOTES: those become `crm:WithheldFigure`s,
never zeros. Reserves such as ">2000000" or ">17,000,000" become a value with `crm:MoreThan`;
"NA", "Large", "Small", "XX" are not numbers and give no figure (counted as empty).
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from ..namespaces import ID
from .datasets import USGS_MCS2025, verify
from .names import USGS_LEFT_OUT, USGS_ROW_SERIES, USGS_SERIES, USGS_UNITS, CountryMatch, clean, match_country, material_iri
from .records import FileReport, GraphWriter, ImportReport, Unmapped

FILE = "MCS2025_World_Data.csv"
COLUMNS = ("SOURCE", "COMMODITY", "COUNTRY", "TYPE", "UNIT_MEAS", "PROD_2023", "PROD_EST_ 2024", "PROD_NOTES",
           "CAP_2023", "CAP_EST_ 2024", "CAP_NOTES", "RESERVES_2024", "RESERVE_NOTES")

#: column → (quantity kind, year, estimated?)
VALUE_COLUMNS = {
    "PROD_2023": ("production", "2023", False),
    "PROD_EST_ 2024": ("production", "2024", True),
    "CAP_2023": ("production-capacity", "2023", False),
    "CAP_EST_ 2024": ("production-capacity", "2024", True),
    "RESERVES_2024": ("reserves", "2024", False),
}
_NUMBER = re.compile(r"^(?P<op>[<>])?\s*(?P<num>\d[\d,]*(?:\.\d+)?)$")


def parse_value(cell: str) -> tuple[float, str | None] | None:
    """'1,500' → (1500, None); '>2000000' → (2000000, 'MoreThan'); '', 'NA', 'Large' → None."""
    m = _NUMBER.match(clean(cell))
    if not m:
        return None
    op = {">": "MoreThan", "<": "LessThan"}.get(m.group("op") or "")
    return float(m.group("num").replace(",", "")), op


def _slug(column: str) -> str:
    return column.lower().replace("_est_ ", "-").replace("_", "-")


def import_usgs(folder: Path, known_countries: set[str] | frozenset[str] = frozenset()) -> tuple[list, ImportReport]:
    """Read the USGS world table in `folder`; return (triples, report). The file's sha256 is checked
    first. `known_countries` are country IRIs the curated graph describes; any other mapped country
    gets a minimal description (type, the source's name as label, its ISO code)."""
    digests = verify(USGS_MCS2025, folder)
    writer = GraphWriter(USGS_MCS2025, digests, claimant=ID + "org/usgs", status="Verified")
    report = ImportReport(USGS_MCS2025)
    fr = FileReport(f"data/{USGS_MCS2025.folder}/{FILE}", digests[FILE])
    report.files.append(fr)
    text = (folder / FILE).read_bytes().decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        from ..errors import DatasetError, Problem
        raise DatasetError([Problem(f"unexpected columns {reader.fieldnames}", file=fr.file, line=1,
                                    hint=f"the importer reads the MCS 2025 layout: {', '.join(COLUMNS)}")])
    described: set[str] = set(known_countries)
    for row in reader:
        line = reader.line_num
        fr.rows += 1
        commodity, kind = clean(row["COMMODITY"]), clean(row["TYPE"])
        series = USGS_ROW_SERIES.get((commodity, clean(row["COUNTRY"]))) or USGS_SERIES.get((commodity, kind))
        country: CountryMatch = match_country(row["COUNTRY"])
        unit = USGS_UNITS.get(clean(row["UNIT_MEAS"]))
        if series is None:
            reason = (USGS_LEFT_OUT.get(f"{commodity}/{kind}") or USGS_LEFT_OUT.get(commodity)
                      or "commodity/series not in io/names.py USGS_SERIES (no material of the graph)")
            fr.unmapped.append(Unmapped(fr.file, line, f"{commodity} / {kind}", reason))
            continue
        if country.iri is None:
            fr.unmapped.append(Unmapped(fr.file, line, clean(row["COUNTRY"]), country.reason))
            continue
        if unit is None:
            reason = ("the row states no unit (UNIT_MEAS is empty): its values are not read with an assumed one"
                      if not clean(row["UNIT_MEAS"]) else "unit not in io/names.py USGS_UNITS")
            fr.unmapped.append(Unmapped(fr.file, line, f"unit {row['UNIT_MEAS']!r}", reason))
            continue
        fr.mapped += 1
        if country.kind == "country" and country.iri not in described:
            writer.country(country.iri, country.code, clean(row["COUNTRY"]).split(" (")[0])
            described.add(country.iri)
        notes = clean(row["PROD_NOTES"])
        withheld = notes.startswith("W for")
        for column, (qk, year, estimated) in VALUE_COLUMNS.items():
            locator = (f"data/{USGS_MCS2025.folder}/{FILE} line {line}; COMMODITY={commodity!r}; "
                       f"COUNTRY={clean(row['COUNTRY'])!r}; TYPE={kind!r}; column {column}")
            note = clean(row["RESERVE_NOTES"] if qk == "reserves" else row["CAP_NOTES"] if qk != "production" else notes)
            qualifiers: list[str] = []
            if estimated or (qk == "production" and year == "2023" and "estimated 2023" in notes.lower()):
                qualifiers.append("Estimated")
            common = dict(subject=country.iri, material=material_iri(series.material), qk=qk, year=year,
                          scope="world", locator=locator + (f"; note: {note}" if note else ""),
                          stage=series.stage if qk != "reserves" else None, series=series.name,
                          names=(commodity, clean(row["COUNTRY"])))
            parsed = parse_value(row[column])
            local = f"{USGS_MCS2025.key}-l{line}-{_slug(column)}"
            if parsed is None:
                if withheld and qk == "production":
                    writer.withheld(local, unit=unit[0], comment=f"USGS withholds {commodity} {qk} of "
                                    f"{clean(row['COUNTRY'])} for {year} ({notes}).", **common)
                    fr.withheld += 1
                else:
                    fr.empty_cells += 1
                continue
            value, op = parsed
            if op:
                qualifiers.append(op)
            writer.figure(local, value=value, unit=unit[0], qualifiers=tuple(qualifiers),
                          comment=f"{clean(row['COUNTRY'])}: {commodity} {kind}, {column} = {clean(row[column])} "
                                  f"{clean(row['UNIT_MEAS'])} (USGS MCS 2025).", **common)
            fr.figures += 1
    return writer.triples, report
