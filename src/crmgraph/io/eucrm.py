"""Importer of the EC 2023 CRM study tables (`data/eu-crm-2023/`, a CC BY transcription).

- `dimension_CRMsOverTime.csv`: supply risk (SR) and economic importance (EI) per material and
  assessment year → two figures (subject and material: the material; scope: EU criticality
  assessment). "-" (not assessed that year) gives no figure.
- `fact_EUSupplyShares&t.csv`: the EU's sourcing share per material, stage (E/P) and country →
  a `share-of-eu-supply` figure and a `trade-variable` (t) figure.
- `fact_GlobalSupplyShares&t.csv`: the global supply share → `share-of-global-supply` and t.

The two share tables are cp1252 (Türkiye is byte 0xFC); the study states no data year per row, so the
shares say so (`crm:yearNotStated`); "<0.1%" becomes 0.1 with `crm:LessThan`. Figures are
`crm:SecondHand`: they come from a third party's transcription of the report, not the report itself.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import DatasetError, Problem
from ..namespaces import ID
from .datasets import EU_CRM_2023, verify
from .names import EU_MATERIALS, EU_NOT_IN_GRAPH, EU_STAGES, clean, match_country, material_iri
from .records import FileReport, GraphWriter, ImportReport, Unmapped

SRI_FILE = "dimension_CRMsOverTime.csv"
EU_FILE = "fact_EUSupplyShares&t.csv"
GLOBAL_FILE = "fact_GlobalSupplyShares&t.csv"
_SHARE = re.compile(r"^(?P<op><)?\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<pct>%)?$")


def _read(folder: Path, name: str, encoding: str, columns: tuple[str, ...]) -> tuple[str, csv.DictReader]:
    path = folder / name
    text = path.read_bytes().decode(encoding)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if tuple(reader.fieldnames or ()) != columns:
        raise DatasetError([Problem(f"unexpected columns {reader.fieldnames}", file=str(path), line=1,
                                    hint=f"the importer reads the columns {', '.join(columns)}")])
    return f"data/{EU_CRM_2023.folder}/{name}", reader


def parse_share(cell: str) -> tuple[float, str | None, bool] | None:
    """'63%' → (63, None, True); '<0.1%' → (0.1, 'LessThan', True); '6' → (6, None, False)."""
    m = _SHARE.match(clean(cell))
    if not m:
        return None
    return float(m.group("num")), ("LessThan" if m.group("op") else None), bool(m.group("pct"))


def _material_rows(folder: Path, name: str, encoding: str, columns: tuple[str, ...], digests: dict[str, str],
                   report: ImportReport) -> Iterator[tuple[FileReport, int, dict[str, str], str]]:
    """(file report, line, row, material slug) for each row of one of the study's files whose material the
    graph has; the file's report joins `report` and counts every row (the others as unmapped, by `_material`)."""
    file, reader = _read(folder, name, encoding, columns)
    fr = FileReport(file, digests[name])
    report.files.append(fr)
    for row in reader:
        fr.rows += 1
        slug = _material(fr, reader.line_num, row["Material"])
        if slug is not None:
            yield fr, reader.line_num, row, slug


def _material(fr: FileReport, line: int, raw: str) -> str | None:
    name = clean(raw)
    slug = EU_MATERIALS.get(name)
    if slug is None:
        reason = ("no material of the graph (io/names.py EU_NOT_IN_GRAPH)" if name in EU_NOT_IN_GRAPH
                  else "material name not in io/names.py EU_MATERIALS")
        fr.unmapped.append(Unmapped(fr.file, line, name, reason))
    return slug


def import_eu_crm(folder: Path, known_countries: set[str] | frozenset[str] = frozenset()) -> tuple[list, ImportReport]:
    """Read the three tables in `folder` (checksums first); return (triples, report)."""
    digests = verify(EU_CRM_2023, folder)
    writer = GraphWriter(EU_CRM_2023, digests, claimant=ID + "org/european-commission", status="SecondHand")
    report = ImportReport(EU_CRM_2023)
    described: set[str] = set(known_countries)

    for fr, line, row, slug in _material_rows(folder, SRI_FILE, "utf-8", ("Material", "Year", "SR", "EI"), digests, report):
        file = fr.file
        fr.mapped += 1
        year = clean(row["Year"])
        for column, qk in (("SR", "supply-risk"), ("EI", "economic-importance")):
            cell = clean(row[column])
            try:
                value = float(cell)
            except ValueError:
                fr.empty_cells += 1  # "-": not assessed in that year
                continue
            writer.figure(f"{EU_CRM_2023.key}-sri-l{line}-{column.lower()}", value=value, unit="score",
                          subject=material_iri(slug), material=material_iri(slug), qk=qk, year=year,
                          scope="eu-criticality-assessment",
                          locator=f"{file} line {line}; Material={clean(row['Material'])!r}; Year={year}; column {column}"
                                  " (report Annex 4)",
                          stage=None, series=None, names=(clean(row["Material"]),),
                          comment=f"{clean(row['Material'])}: {column} = {cell} in the {year} EU criticality assessment.")
            fr.figures += 1

    for name, qk, scope, label in ((EU_FILE, "share-of-eu-supply", "eu-supply", "EU sourcing"),
                                   (GLOBAL_FILE, "share-of-global-supply", "world", "global supply")):
        tag = "eu" if name == EU_FILE else "global"
        for fr, line, row, slug in _material_rows(folder, name, "cp1252", ("Material", "Stage", "Country", "Share", "t"), digests, report):
            file = fr.file
            country = match_country(row["Country"])
            if country.iri is None or country.kind != "country":
                fr.unmapped.append(Unmapped(fr.file, line, clean(row["Country"]), country.reason or "not one country"))
                continue
            stage = EU_STAGES.get(clean(row["Stage"]))
            if stage is None:
                fr.unmapped.append(Unmapped(fr.file, line, f"Stage {row['Stage']!r}", "stage is neither E nor P"))
                continue
            fr.mapped += 1
            if country.iri not in described:
                writer.country(country.iri, country.code, clean(row["Country"]))
                described.add(country.iri)
            where = (f"{file} line {line}; Material={clean(row['Material'])!r}; Stage={clean(row['Stage'])}; "
                     f"Country={clean(row['Country'])!r}")
            common: dict[str, Any] = dict(subject=country.iri, material=material_iri(slug), year=None, stage=stage,
                          series=f"EC CRM 2023 {label}, {stage}", names=(clean(row["Material"]), clean(row["Country"])))
            share = parse_share(row["Share"])
            if share is None:
                fr.empty_cells += 1
            else:
                value, op, pct = share
                writer.figure(f"{EU_CRM_2023.key}-{tag}-l{line}-share", value=value, unit="percent",
                              qualifiers=(op,) if op else (), qk=qk, scope=scope,
                              locator=f"{where}; column Share (report Appendix 7)"
                                      + ("" if pct else "; the cell has no % sign, read as a percentage"),
                              comment=f"{clean(row['Country'])}: {clean(row['Share'])} of {label} of "
                                      f"{clean(row['Material'])} ({stage}), EC CRM study 2023.", **common)
                fr.figures += 1
            try:
                t = float(clean(row["t"]))
            except ValueError:
                fr.empty_cells += 1
                continue
            writer.figure(f"{EU_CRM_2023.key}-{tag}-l{line}-t", value=t, unit="score", qk="trade-variable",
                          scope=scope, locator=f"{where}; column t (report Appendix 7)",
                          comment=f"{clean(row['Country'])}: trade-related variable t = {t} for {label} of "
                                  f"{clean(row['Material'])} ({stage}), EC CRM study 2023.", **common)
            fr.figures += 1
    return writer.triples, report
