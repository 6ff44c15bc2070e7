"""The graph as networkx networks, for indicators (centrality) and for notebook users.

- `supply`: producing country → material (world share, year, series, source on the edge; from the
  production series) and material → the EU (SR, EI, critical in 2023), plus country → material edges
  of the EU's sourcing shares (`eu_share`, stage, source) — a directed graph.
- `instruments`: the EU ↔ each country, one edge per pair with the instruments and their status.
- `ownership`: company → owner / parent (`crm:ownedBy`, `crm:subsidiaryOf`), with the statements' sources.
"""
from __future__ import annotations

import networkx as nx

from .supplydata import EU, SupplyData, _rows

KINDS = ("supply", "instruments", "ownership")


def supply_network(data: SupplyData) -> nx.DiGraph:
    from .indicators import series_indicators

    g = nx.DiGraph()
    g.add_node(EU, label=data.label(EU) or "European Union", kind="union")
    for key in sorted(data.series):
        si = series_indicators(data, key)
        material = key[0]
        g.add_node(material, label=data.label(material), kind="material",
                   critical_2023=material in data.critical_2023)
        for s in si.suppliers:
            g.add_node(s.country, label=s.label, kind="country", central_asian=s.central_asian)
            edge = g.get_edge_data(s.country, material) or {"series": []}
            edge["series"].append({"series": key[2], "stage": key[1], "share": s.share, "value": s.value,
                                   "unit": si.unit, "year": s.year, "figure": s.figure, "source": s.source})
            edge["world_share"] = max([x["share"] or 0 for x in edge["series"]])
            g.add_edge(s.country, material, **edge)
    for (material, stage), shares in data.eu_shares.items():
        g.add_node(material, label=data.label(material), kind="material", critical_2023=material in data.critical_2023)
        for sh in shares:
            g.add_node(sh.subject, label=data.label(sh.subject), kind="country", central_asian=sh.subject in data.central_asian)
            edge = g.get_edge_data(sh.subject, material) or {"series": []}
            edge.setdefault("eu_share", {})[stage] = {"share": sh.value, "figure": sh.figure, "source": sh.source}
            g.add_edge(sh.subject, material, **edge)
    for material in [n for n, a in g.nodes(data=True) if a.get("kind") == "material"]:
        scores = data.scores.get(material, {})
        sr = {y: v[0] for y, v in scores.get("SR", {}).items()}
        ei = {y: v[0] for y, v in scores.get("EI", {}).items()}
        g.add_edge(material, EU, sr=sr, ei=ei, critical_2023=material in data.critical_2023)
    return g


def instruments_network(data: SupplyData) -> nx.Graph:
    g = nx.Graph()
    g.add_node(EU, label=data.label(EU) or "European Union", kind="union")
    for country, insts in data.instruments.items():
        g.add_node(country, label=data.label(country), kind="country", central_asian=country in data.central_asian)
        g.add_edge(EU, country, instruments=[{"instrument": i.iri, "label": i.label, "status": i.status_label}
                                             for i in insts])
    return g


_OWNERSHIP = """
SELECT ?a ?al ?p ?b ?bl ?source WHERE {
  VALUES ?p { crm:ownedBy crm:subsidiaryOf }
  ?a ?p ?b .
  OPTIONAL { ?s a crm:Assertion ; rdf:subject ?a ; rdf:predicate ?p ; rdf:object ?b ;
                prov:wasDerivedFrom/crm:source/crm:sourceKey ?source }
  OPTIONAL { ?a skos:prefLabel ?al . FILTER(LANG(?al) = "en") }
  OPTIONAL { ?b skos:prefLabel ?bl . FILTER(LANG(?bl) = "en") }
}"""


def ownership_network(store) -> nx.DiGraph:
    g = nx.DiGraph()
    for r in _rows(store, _OWNERSHIP):
        g.add_node(r["a"], label=r.get("al") or r["a"])
        g.add_node(r["b"], label=r.get("bl") or r["b"])
        edge = g.get_edge_data(r["a"], r["b"]) or {"relation": r["p"].rsplit("#", 1)[-1], "sources": []}
        if r.get("source") and r["source"] not in edge["sources"]:
            edge["sources"].append(r["source"])
        g.add_edge(r["a"], r["b"], **edge)
    return g


def to_networkx(store, kind: str = "supply", data: SupplyData | None = None):
    """The network of one kind (`supply`, `instruments`, `ownership`) from a store."""
    from ..errors import QueryError
    from .supplydata import load

    if kind not in KINDS:
        raise QueryError(f"unknown network kind {kind!r}", hint=f"use one of: {', '.join(KINDS)}")
    if kind == "ownership":
        return ownership_network(store)
    data = data or load(store)
    return supply_network(data) if kind == "supply" else instruments_network(data)


def supply_centrality(data: SupplyData) -> dict[str, dict[str, float]]:
    """Per country: degree centrality and betweenness in the country–material supply network
    (undirected, world-share edges only: who is connected to many materials, and who bridges them)."""
    g = supply_network(data)
    u = nx.Graph()
    u.add_nodes_from(n for n, a in g.nodes(data=True) if a.get("kind") in ("country", "material"))
    u.add_edges_from((a, b) for a, b, e in g.edges(data=True) if e.get("series"))
    degree = nx.degree_centrality(u) if len(u) > 1 else {}
    between = nx.betweenness_centrality(u) if len(u) > 2 else {}
    return {n: {"degree": degree.get(n, 0.0), "betweenness": between.get(n, 0.0)}
            for n, a in g.nodes(data=True) if a.get("kind") == "country"}
