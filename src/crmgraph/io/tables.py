"""CSV tables of the release, for spreadsheet users: figures, instruments, list entries, sources.

Each table is one fixed SELECT whose rows may repeat an entity (one row per party, date, source …);
`table()` folds them into one row per entity (the first column), each other column's distinct values
sorted and joined with " | ". Folding in Python, not with GROUP_CONCAT, keeps the order of the values
independent of the store's (and of blank-node labels), so two exports of the same input are the same
bytes. Every row carries its sources (key — title, locator) and verification status: a figure without
them would be a figure without provenance.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

#: The separator between several values in one cell.
JOIN = " | "

_SOURCE = """OPTIONAL { ?x prov:wasDerivedFrom ?ref . ?ref crm:source ?src .
      OPTIONAL { ?src crm:sourceKey ?skey } OPTIONAL { ?src dcterms:title ?stitle }
      OPTIONAL { ?ref crm:locator ?loc }
      BIND(CONCAT(COALESCE(?skey, STRAFTER(STR(?src), "/source/")), " — ", COALESCE(STR(?stitle), ""),
                  IF(BOUND(?loc) && ?loc != "not given", CONCAT(" (", STR(?loc), ")"), "")) AS ?sources) }"""


def _label(var: str, of: str) -> str:
    """An OPTIONAL English label ?var of ?of (skos:prefLabel, else rdfs:label)."""
    return (f'OPTIONAL {{ {of} skos:prefLabel|rdfs:label ?{var} FILTER(LANG(?{var}) = "en" || LANG(?{var}) = "") }}')


@dataclass(frozen=True)
class Table:
    """One CSV file: its name, what it holds (for the downloads page and the dataset description) and its query."""

    file: str
    title: str
    columns: tuple[str, ...]
    sparql: str


TABLES: tuple[Table, ...] = (
    Table("figures.csv", "Figures: value, unit, year or period, scope, quantity kind, claimant, status and sources",
          ("figure", "subject", "subjectLabel", "quantityKind", "qualifier", "value", "upperValue", "outOf", "unit",
           "refYear", "periodStart", "periodEnd", "scope", "claimant", "status", "sources"),
          f"""SELECT ?figure ?subject ?subjectLabel ?quantityKind ?qualifier ?value ?upperValue ?outOf ?unit
                     ?refYear ?periodStart ?periodEnd ?scope ?claimant ?status ?sources WHERE {{
  GRAPH graph:asserted {{ ?x a crm:Figure }} BIND(?x AS ?figure)
  OPTIONAL {{ ?x crm:subject ?subject {_label("subjectLabel", "?subject")} }}
  OPTIONAL {{ ?x crm:quantityKind ?qk {_label("quantityKind", "?qk")} }}
  OPTIONAL {{ ?x crm:valueQualifier ?q {_label("qualifier", "?q")} }}
  OPTIONAL {{ ?x crm:value ?value }} OPTIONAL {{ ?x crm:upperValue ?upperValue }} OPTIONAL {{ ?x crm:outOf ?outOf }}
  OPTIONAL {{ ?x crm:unit ?u {_label("unit", "?u")} }}
  OPTIONAL {{ ?x crm:refYear ?refYear }} OPTIONAL {{ ?x crm:periodStart ?periodStart }} OPTIONAL {{ ?x crm:periodEnd ?periodEnd }}
  OPTIONAL {{ ?x crm:scope ?sc {_label("scope", "?sc")} }}
  OPTIONAL {{ ?x crm:claimant ?c {_label("claimant", "?c")} }}
  OPTIONAL {{ ?x crm:status ?st {_label("status", "?st")} }}
  {_SOURCE} }}"""),
    Table("instruments.csv", "Instruments: type, parties, status and dated steps, with sources of the instrument's facts",
          ("instrument", "label", "type", "parties", "status", "proposedOn", "mandateOn", "negotiationsOpenedOn",
           "initialledOn", "signedOn", "inForceFrom", "adoptedOn", "endorsedOn", "publishedOn", "announcedOn",
           "launchedOn", "startDate", "endDate", "sources"),
          f"""SELECT ?instrument ?label ?type ?parties ?status ?proposedOn ?mandateOn ?negotiationsOpenedOn ?initialledOn
                     ?signedOn ?inForceFrom ?adoptedOn ?endorsedOn ?publishedOn ?announcedOn ?launchedOn ?startDate ?endDate ?sources WHERE {{
  GRAPH graph:asserted {{ ?instrument a ?t }} GRAPH graph:ontology {{ ?t rdfs:subClassOf* crm:Instrument }}
  FILTER(?t != crm:BilateralInstrument)
  {_label("label", "?instrument")} {_label("type", "?t")}
  OPTIONAL {{ ?p crm:partyTo ?instrument {_label("parties", "?p")} }}
  OPTIONAL {{ ?instrument crm:instrumentStatus ?is {_label("status", "?is")} }}
  OPTIONAL {{ ?instrument crm:proposedOn ?proposedOn }} OPTIONAL {{ ?instrument crm:mandateOn ?mandateOn }}
  OPTIONAL {{ ?instrument crm:negotiationsOpenedOn ?negotiationsOpenedOn }} OPTIONAL {{ ?instrument crm:initialledOn ?initialledOn }}
  OPTIONAL {{ ?instrument crm:signedOn ?signedOn }} OPTIONAL {{ ?instrument crm:inForceFrom ?inForceFrom }}
  OPTIONAL {{ ?instrument crm:adoptedOn ?adoptedOn }} OPTIONAL {{ ?instrument crm:endorsedOn ?endorsedOn }}
  OPTIONAL {{ ?instrument crm:publishedOn ?publishedOn }} OPTIONAL {{ ?instrument crm:announcedOn ?announcedOn }}
  OPTIONAL {{ ?instrument crm:launchedOn ?launchedOn }} OPTIONAL {{ ?instrument crm:startDate ?startDate }}
  OPTIONAL {{ ?instrument crm:endDate ?endDate }}
  OPTIONAL {{ ?x a crm:Assertion ; rdf:subject ?instrument .
             ?x prov:wasDerivedFrom ?ref . ?ref crm:source ?src .
             OPTIONAL {{ ?src crm:sourceKey ?skey }} OPTIONAL {{ ?src dcterms:title ?stitle }}
             BIND(CONCAT(COALESCE(?skey, STRAFTER(STR(?src), "/source/")), " — ", COALESCE(STR(?stitle), "")) AS ?sources) }} }}"""),
    Table("list-entries.csv", "EU raw materials list entries by edition: position, annex point, official name, material, category, status, sources",
          ("entry", "list", "listLabel", "editionYear", "position", "annexPoint", "officialName", "material",
           "materialLabel", "category", "grade", "status", "sources"),
          f"""SELECT ?entry ?list ?listLabel ?editionYear ?position ?annexPoint ?officialName ?material ?materialLabel
                     ?category ?grade ?status ?sources WHERE {{
  GRAPH graph:asserted {{ ?x a crm:ListEntry }} BIND(?x AS ?entry)
  OPTIONAL {{ ?x crm:inList ?list {_label("listLabel", "?list")} OPTIONAL {{ ?list crm:editionYear ?editionYear }} }}
  OPTIONAL {{ ?x crm:position ?position }} OPTIONAL {{ ?x crm:annexPoint ?annexPoint }}
  OPTIONAL {{ ?x crm:officialName ?officialName }}
  OPTIONAL {{ ?x crm:material ?material {_label("materialLabel", "?material")} }}
  OPTIONAL {{ ?x crm:category ?cat {_label("category", "?cat")} }}
  OPTIONAL {{ ?x crm:grade ?g {_label("grade", "?g")} }}
  OPTIONAL {{ ?x crm:status ?st {_label("status", "?st")} }}
  {_SOURCE} }}"""),
    Table("sources.csv", "Source documents: key, title, publisher, date, URL, kind",
          ("source", "key", "title", "publisher", "date", "url", "kind"),
          f"""SELECT ?source ?key ?title ?publisher ?date ?url ?kind WHERE {{
  GRAPH graph:asserted {{ ?source a crm:SourceDocument }}
  OPTIONAL {{ ?source crm:sourceKey ?key }} OPTIONAL {{ ?source dcterms:title ?title }}
  OPTIONAL {{ ?source dcterms:publisher ?publisher }}
  OPTIONAL {{ ?source dcterms:issued ?issued }} OPTIONAL {{ ?source dcterms:date ?dated }} BIND(COALESCE(?issued, ?dated) AS ?date)
  OPTIONAL {{ ?source schema:url ?url }}
  OPTIONAL {{ ?source crm:sourceKind ?k {_label("kind", "?k")} }} }}"""),
)


def _text(term) -> str:
    return "" if term is None else term.value


def rows(store, spec: Table) -> list[list[str]]:
    """The table's rows: one per entity (first column), several values of a column joined, rows sorted by
    the list's edition and position for list entries, else by the entity's IRI."""
    answer = store.query(spec.sparql)
    names = [v.value for v in answer.variables]
    if tuple(names) != spec.columns:  # a guard on the definitions above
        raise ValueError(f"{spec.file}: the query's columns {names} differ from the declared {spec.columns}")
    grouped: dict[str, list[set[str]]] = {}
    for solution in answer:
        values = [_text(solution[n]) for n in names]
        cells = grouped.setdefault(values[0], [set() for _ in names])
        for cell, value in zip(cells, values):
            if value:
                cell.add(value)
    out = [[JOIN.join(sorted(cell)) for cell in cells] for cells in grouped.values()]
    if spec.file == "list-entries.csv":
        def order(row: list[str]):
            position = row[4].split(JOIN)[0]
            return (row[1], int(position) if position.isdigit() else 10**6, row[6], row[0])
        return sorted(out, key=order)
    return sorted(out)


def to_csv(spec: Table, table_rows: list[list[str]]) -> bytes:
    """The rows as CSV (RFC 4180: comma, double quotes, CRLF), UTF-8, a header of the column names."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(spec.columns)
    writer.writerows(table_rows)
    return buffer.getvalue().encode("utf-8")
