"""A synthetic crmgraph of realistic shape, for benchmarks: countries × materials × years of
production, reserve and trade figures, each a crm:Figure statement with a source and a locator,
exactly as the curated graph writes them (so the named queries and the analytic queries apply).

    python benchmarks/generate.py --triples 1000000 -o /tmp/synthetic-1e6.nt

Deterministic (seeded), streamed to N-Triples, about 16 triples per figure.
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

CRM = "https://w3id.org/crmgraph/ontology#"
ID = "https://w3id.org/crmgraph/id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PROV = "http://www.w3.org/ns/prov#wasDerivedFrom"
SKOS_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
XSD = "http://www.w3.org/2001/XMLSchema#"
QUANTITIES = [("mine-production", "tonne", "world"), ("reserves", "tonne", "world"),
              ("share-of-eu-imports", "percent", "eu-imports"), ("trade-value", "usd-million", "eu-imports")]
STATUSES = ["Verified", "SecondHand", "Unverified"]
TRIPLES_PER_FIGURE = 16


def iri(x: str) -> str:
    return f"<{x}>"


def lit(value: str, datatype: str | None = None, lang: str | None = None) -> str:
    value = value.replace("\\", "\\\\").replace('"', '\\"')
    if lang:
        return f'"{value}"@{lang}'
    return f'"{value}"^^<{XSD}{datatype}>' if datatype else f'"{value}"'


def generate(triples: int, out, seed: int = 42) -> int:
    """Write about `triples` triples; return how many were written."""
    rng = random.Random(seed)
    figures = max(1, triples // TRIPLES_PER_FIGURE)
    # Grow the grid with the size, as a real graph would: more countries, materials and years.
    n_countries = min(250, max(20, int(figures ** 0.34)))
    n_materials = min(400, max(30, int(figures ** 0.3)))
    n_sources = max(50, figures // 200)
    written = 0

    def emit(s: str, p: str, o: str) -> None:
        nonlocal written
        out.write(f"{s} {p} {o} .\n")
        written += 1

    countries = [f"{ID}country/C{i:03d}" for i in range(n_countries)]
    materials = [f"{ID}material/m{i:03d}" for i in range(n_materials)]
    for c in countries:
        emit(iri(c), iri(RDF_TYPE), iri(CRM + "Country"))
        emit(iri(c), iri(SKOS_LABEL), lit(c.rsplit("/", 1)[-1], lang="en"))
    for m in materials:
        emit(iri(m), iri(RDF_TYPE), iri(CRM + "Material"))
        emit(iri(m), iri(SKOS_LABEL), lit(m.rsplit("/", 1)[-1], lang="en"))
    for i in range(n_sources):
        s = f"{ID}source/syn{i}"
        emit(iri(s), iri(RDF_TYPE), iri(CRM + "SourceDocument"))
        emit(iri(s), iri(CRM + "sourceKey"), lit(f"syn{i}"))
    for n in range(figures):
        f = f"{ID}figure/syn{n}"
        qk, unit, scope = QUANTITIES[n % len(QUANTITIES)]
        year = 2000 + (n // len(QUANTITIES)) % 25
        value = round(rng.lognormvariate(7, 2), 2) if unit != "percent" else round(rng.uniform(0, 100), 1)
        emit(iri(f), iri(RDF_TYPE), iri(CRM + "Figure"))
        emit(iri(f), iri(CRM + "subject"), iri(rng.choice(countries)))
        emit(iri(f), iri(CRM + "material"), iri(rng.choice(materials)))
        emit(iri(f), iri(CRM + "quantityKind"), iri(f"{ID}quantity/{qk}"))
        emit(iri(f), iri(CRM + "value"), lit(str(value), "decimal"))
        emit(iri(f), iri(CRM + "unit"), iri(f"{ID}unit/{unit}"))
        emit(iri(f), iri(CRM + "refYear"), lit(str(year), "gYear"))
        emit(iri(f), iri(CRM + "scope"), iri(f"{ID}scope/{scope}"))
        emit(iri(f), iri(CRM + "claimant"), iri(f"{ID}source/syn{n % n_sources}"))
        emit(iri(f), iri(CRM + "status"), iri(CRM + rng.choice(STATUSES)))
        ref = f"_:r{n}"
        emit(iri(f), iri(PROV), ref)
        emit(ref, iri(RDF_TYPE), iri(CRM + "Reference"))
        emit(ref, iri(CRM + "source"), iri(f"{ID}source/syn{n % n_sources}"))
        emit(ref, iri(CRM + "locator"), lit(f"table {n % 40}, row {n % 997}"))
        emit(iri(f), iri(CRM + "assertedIn"), lit("synthetic"))
        emit(iri(f), iri("http://www.w3.org/2000/01/rdf-schema#comment"), lit(f"synthetic figure {n}", lang="en"))
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=float, default=1e6, help="approximate number of triples (e.g. 1e5, 1e6, 1e7)")
    parser.add_argument("-o", "--output", type=Path, help="N-Triples file to write (default: stdout)")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    if args.output:
        with args.output.open("w", encoding="utf-8", buffering=1 << 20) as out:
            n = generate(int(args.triples), out, args.seed)
        print(f"wrote {n} triples to {args.output}", file=sys.stderr)
    else:
        generate(int(args.triples), sys.stdout, args.seed)


if __name__ == "__main__":
    main()
