"""The conflict report: claims about the same thing whose values differ, each with its source.

Three kinds of conflict, all found by SPARQL over the store so that the same logic serves the CLI,
the Python API and (later) the web portal:

* figures — same subject, material, quantity kind, scope and year/period, different values;
* denials — a claim with `crm:polarity false` about a triple that the graph asserts;
* literal claims — claims on the same subject and property with different values (e.g. dates).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..query.results import to_result

FIGURE_CONFLICTS = """
SELECT ?subject ?material ?qk ?scope ?period ?figure ?value ?upper ?unit ?claimant ?status ?source ?locator WHERE {
  {
    SELECT ?subject ?material ?qk ?scope ?period WHERE {
      ?f a crm:Figure ; crm:subject ?subject ; crm:quantityKind ?qk ; crm:scope ?scope ; crm:value ?v ; crm:unit ?u .
      OPTIONAL { ?f crm:material ?m0 }
      OPTIONAL { ?f crm:refYear ?y0 } OPTIONAL { ?f crm:periodStart ?ps0 } OPTIONAL { ?f crm:periodEnd ?pe0 }
      BIND(COALESCE(?m0, crm:none) AS ?material)
      BIND(COALESCE(STR(?y0), CONCAT(COALESCE(STR(?ps0), ""), "/", COALESCE(STR(?pe0), ""))) AS ?period)
      OPTIONAL { ?f crm:upperValue ?uv0 }
      BIND(CONCAT(STR(?v), "-", COALESCE(STR(?uv0), ""), " ", STR(?u)) AS ?valueKey)
    } GROUP BY ?subject ?material ?qk ?scope ?period HAVING (COUNT(DISTINCT ?valueKey) > 1)
  }
  ?figure a crm:Figure ; crm:subject ?subject ; crm:quantityKind ?qk ; crm:scope ?scope ; crm:value ?value ; crm:unit ?unit ;
          crm:claimant ?claimant ; crm:status ?status .
  OPTIONAL { ?figure crm:material ?m1 } OPTIONAL { ?figure crm:upperValue ?upper }
  FILTER(COALESCE(?m1, crm:none) = ?material)
  OPTIONAL { ?figure crm:refYear ?y1 } OPTIONAL { ?figure crm:periodStart ?ps1 } OPTIONAL { ?figure crm:periodEnd ?pe1 }
  FILTER(COALESCE(STR(?y1), CONCAT(COALESCE(STR(?ps1), ""), "/", COALESCE(STR(?pe1), ""))) = ?period)
  ?figure prov:wasDerivedFrom ?ref . ?ref crm:source ?src ; crm:locator ?locator .
  OPTIONAL { ?src crm:sourceKey ?key }
  BIND(COALESCE(?key, STR(?src)) AS ?source)
}
ORDER BY ?subject ?material ?qk ?scope ?period ?value
"""

DENIALS = """
SELECT ?claim ?subject ?property ?object ?claimant ?status ?source ?locator ?assertedStatus ?assertedSource ?assertedLocator WHERE {
  ?claim a crm:Claim ; crm:polarity false ; crm:subject ?subject ; crm:property ?property ; crm:object ?object ;
         crm:claimant ?claimant ; crm:status ?status ; prov:wasDerivedFrom ?ref .
  ?ref crm:source ?src ; crm:locator ?locator . OPTIONAL { ?src crm:sourceKey ?k } BIND(COALESCE(?k, STR(?src)) AS ?source)
  GRAPH graph:asserted { ?subject ?property ?object }
  ?a a crm:Assertion ; rdf:subject ?subject ; rdf:predicate ?property ; rdf:object ?object ; crm:status ?assertedStatus ;
     prov:wasDerivedFrom ?aref . ?aref crm:source ?asrc ; crm:locator ?assertedLocator .
  OPTIONAL { ?asrc crm:sourceKey ?ak } BIND(COALESCE(?ak, STR(?asrc)) AS ?assertedSource)
}
ORDER BY ?subject ?claim ?assertedSource
"""

LITERAL_CLAIMS = """
SELECT ?subject ?property ?claim ?value ?claimant ?status ?source ?locator WHERE {
  {
    SELECT ?subject ?property WHERE {
      ?c a crm:Claim ; crm:subject ?subject ; crm:property ?property ; crm:value ?v .
      FILTER NOT EXISTS { ?c crm:polarity false }
      FILTER(!isLiteral(?v) || (LANG(?v) = ""))
    } GROUP BY ?subject ?property HAVING (COUNT(DISTINCT STR(?v)) > 1)
  }
  ?claim a crm:Claim ; crm:subject ?subject ; crm:property ?property ; crm:value ?value ; crm:claimant ?claimant ; crm:status ?status .
  FILTER(LANG(?value) = "")
  ?claim prov:wasDerivedFrom ?ref . ?ref crm:source ?src ; crm:locator ?locator .
  OPTIONAL { ?src crm:sourceKey ?k } BIND(COALESCE(?k, STR(?src)) AS ?source)
}
ORDER BY ?subject ?property ?value
"""


@dataclass
class ConflictClaim:
    statement: str
    value: object
    unit: str | None
    claimant: str
    status: str
    references: list[tuple[str, str]] = field(default_factory=list)  # (source key, locator)


@dataclass
class Conflict:
    kind: str  # "figure", "denial" or "literal"
    about: dict[str, object]  # the shared key: subject, material, quantity kind, scope, period …
    claims: list[ConflictClaim]


def _group(rows: list[dict], key_cols: list[str], stmt_col: str, value_col: str, unit_col: str | None) -> list[Conflict]:
    groups: dict[tuple, dict[str, ConflictClaim]] = {}
    abouts: dict[tuple, dict] = {}
    for r in rows:
        key = tuple(r[c] for c in key_cols)
        abouts.setdefault(key, {c: r[c] for c in key_cols})
        claims = groups.setdefault(key, {})
        st = r[stmt_col]
        if st not in claims:
            value = r[value_col] if r.get("upper") is None else f"{r[value_col]}–{r['upper']}"
            claims[st] = ConflictClaim(st, value, r.get(unit_col) if unit_col else None, r["claimant"], r["status"])
        ref = (r["source"], r["locator"])
        if ref not in claims[st].references:
            claims[st].references.append(ref)
    return [Conflict("", abouts[k], list(v.values())) for k, v in groups.items()]


def find_conflicts(store) -> list[Conflict]:
    """Every conflict in the store, figures first."""
    def records(q):
        return to_result(store.query(q)).records()

    out = []
    for c in _group(records(FIGURE_CONFLICTS), ["subject", "material", "qk", "scope", "period"], "figure", "value", "unit"):
        c.kind = "figure"
        out.append(c)
    for r in records(DENIALS):
        about = {"subject": r["subject"], "property": r["property"], "object": r["object"]}
        denial = ConflictClaim(r["claim"], False, None, r["claimant"], r["status"], [(r["source"], r["locator"])])
        asserted = ConflictClaim("(asserted in the graph)", True, None, "", r["assertedStatus"],
                                 [(r["assertedSource"], r["assertedLocator"])])
        existing = next((c for c in out if c.kind == "denial" and c.about == about), None)
        if existing is None:
            out.append(Conflict("denial", about, [denial, asserted]))
        else:
            for claim in (denial, asserted):
                match = next((x for x in existing.claims if x.statement == claim.statement and x.status == claim.status), None)
                if match is None:
                    existing.claims.append(claim)
                elif claim.references[0] not in match.references:
                    match.references.append(claim.references[0])
    for c in _group(records(LITERAL_CLAIMS), ["subject", "property"], "claim", "value", None):
        c.kind = "literal"
        out.append(c)
    return out


#: The columns of `conflicts_csv`: the conflict's number and kind, what it is about, then the claim.
CSV_COLUMNS = ["conflict", "kind", "about", "statement", "value", "unit", "claimant", "status", "sources"]


def conflicts_csv(conflicts: list[Conflict]) -> str:
    """The conflicts as CSV, one row per claim (the rows of one conflict share its number and `about`,
    written as `key=value; …`); `sources` is `KEY (locator); …` in the order the claim cites them."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for i, c in enumerate(conflicts, 1):
        about = "; ".join(f"{k}={v}" for k, v in c.about.items() if v not in (None, ""))
        for x in c.claims:
            writer.writerow([i, c.kind, about, x.statement, x.value, x.unit or "", x.claimant, x.status,
                             "; ".join(f"{key} ({loc})" for key, loc in x.references)])
    return buf.getvalue()


__all__ = ["CSV_COLUMNS", "Conflict", "ConflictClaim", "conflicts_csv", "find_conflicts"]
