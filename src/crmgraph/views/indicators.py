"""What the explorer can colour nodes by: the supply-risk indicators of issue 10, per material and country.

The numbers are those `crmgraph build` writes into `graph:analytics` and the `/risk` pages show: the
analysis layer's indicators (`analysis.indicators`) over one snapshot of the store
(`analysis.supplydata.load`). Each indicator applies to one kind of node (materials or countries) and
gives a value only where the data has one: a material with no production series has no HHI, a
country in no series has no world share. The explorer shows such nodes as "no data" (grey), never as 0;
nodes of the other kind are faded, because the indicator does not apply to them.

`node_indicators(store)` → every `Indicator`, each with its values by entity IRI and a short detail per
value (which series, stage or year it rests on), for the explorer's legend and tooltips. An indicator
with no value at all (a store built without the outside datasets, as the tests' store is) is still
listed, with `unavailable` saying which dataset it needs and the command that imports it: the "colour
by" menu shows it disabled with that reason, instead of colouring every node grey without a word.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Indicator:
    key: str
    label: str             # what the legend says
    applies: str           # "material" or "country"
    unit: str              # "", "%", "HHI 0–10,000"
    about: str             # one sentence: what it is and where it comes from
    needs: tuple[str, ...] = ()                               # keys of DATASETS_NEEDED it is computed from
    values: dict[str, float] = field(default_factory=dict)    # entity IRI → value
    details: dict[str, str] = field(default_factory=dict)     # entity IRI → what the value rests on

    @property
    def unavailable(self) -> str | None:
        """Why the indicator has no value at all (which dataset it needs, how to import it); None if it has values."""
        if self.values:
            return None
        names = " or ".join(DATASETS_NEEDED[k][0] for k in self.needs)
        commands = "; ".join(DATASETS_NEEDED[k][1] for k in self.needs)
        return (f"needs the {names} dataset, and this store was built without it: run `crmgraph build` "
                f"(which imports the datasets of data/), or {commands}")

    def as_json(self, index: dict[str, int]) -> dict:
        """For the explorer's data: values by node index (only nodes the data has), and why there are none."""
        return {"key": self.key, "label": self.label, "applies": self.applies, "unit": self.unit, "about": self.about,
                "values": {str(index[i]): round(v, 4) for i, v in self.values.items() if i in index},
                "details": {str(index[i]): d for i, d in self.details.items() if i in index},
                **({"unavailable": self.unavailable, "needs": [DATASETS_NEEDED[k][0] for k in self.needs]}
                   if self.unavailable else {})}


#: The outside datasets the indicators are computed from: key → (name, the command that imports it).
DATASETS_NEEDED = {
    "usgs": ("USGS MCS 2025 world production", "`crmgraph import usgs-mcs data/usgs-mcs2025-world/MCS2025_World_Data.csv`"),
    "ec": ("EC CRM study 2023", "`crmgraph import eu-crm-study data/eu-crm-2023`"),
}


def _definitions() -> list[Indicator]:
    return [
        Indicator("hhi-world", "Concentration of world production (HHI)", "material", "HHI 0–10,000",
                  "Herfindahl–Hirschman index of world production by country (USGS MCS 2025), main series: "
                  "extraction first, the one with most producers.", ("usgs",)),
        Indicator("supply-risk", "Supply risk (SR, EC 2023)", "material", "",
                  "The EU's supply-risk score of the material (EC CRM study 2023; threshold 1.0).", ("ec",)),
        Indicator("economic-importance", "Economic importance (EI, EC 2023)", "material", "",
                  "The EU's economic-importance score of the material (EC CRM study 2023; threshold 2.8).", ("ec",)),
        Indicator("central-asian-share", "Central Asia's share of world production", "material", "%",
                  "The five Central Asian states' share of world production, main series (USGS MCS 2025).", ("usgs",)),
        Indicator("hhi-eu-sourcing", "Concentration of EU sourcing (HHI)", "material", "HHI 0–10,000",
                  "HHI of the EU's sourcing by country, the most concentrated stage (EC CRM study 2023).", ("ec",)),
        Indicator("top-world-share", "Largest share of world production", "country", "%",
                  "The country's largest share of world production of any material (USGS MCS 2025).", ("usgs",)),
        Indicator("centrality", "Centrality in the supply network", "country", "",
                  "Degree centrality of the country in the supply network (producing country → material → EU).", ("usgs", "ec")),
    ]


def node_indicators(store) -> list[Indicator]:
    """Every indicator, with the values of the materials and countries the imported datasets cover (none,
    and a reason, without them)."""
    from ..analysis import indicators as ind
    from ..analysis.supplydata import load

    data = load(store)
    out = {i.key: i for i in _definitions()}
    for m in ind.all_material_indicators(data):
        main = m.main_series()
        if main is not None and main.hhi is not None:
            out["hhi-world"].values[m.material] = main.hhi
            out["hhi-world"].details[m.material] = f"{main.series} ({main.year or 'year missing'})"
        if main is not None and main.central_asian_share is not None:
            out["central-asian-share"].values[m.material] = main.central_asian_share
            out["central-asian-share"].details[m.material] = f"{main.series} ({main.year or 'year missing'})"
        for key, value in (("supply-risk", m.sr), ("economic-importance", m.ei)):
            if value is not None:
                out[key].values[m.material] = value
                out[key].details[m.material] = f"{m.sr_ei_year} assessment" if m.sr_ei_year else ""
        eu = [(e.hhi, e) for e in m.eu_sourcing if e.hhi is not None]
        if eu:
            hhi, most = max(eu, key=lambda pair: pair[0])
            out["hhi-eu-sourcing"].values[m.material] = hhi
            out["hhi-eu-sourcing"].details[m.material] = f"{most.stage}"
    for c in ind.all_country_indicators(data):
        shares = [(x.share, x) for x in c.materials if x.share is not None]
        if shares:
            share, top = max(shares, key=lambda pair: pair[0])
            out["top-world-share"].values[c.country] = share
            out["top-world-share"].details[c.country] = f"{top.label}: {top.series} ({top.year})"
        if shares or c.eu_sourcing:
            out["centrality"].values[c.country] = c.degree_centrality
    return list(out.values())
