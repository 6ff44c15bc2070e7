"""Vega-Lite specifications of the supply-risk charts, as plain data (the portal embeds them with
vega-embed; a notebook can hand them to altair or vl-convert). Every chart has a table twin on its
page, so nothing is only in the picture.

- `supplier_bars`: ranked bars of supplier shares (world production of one series, or EU sourcing),
  Central Asian producers highlighted.
- `sr_ei_scatter`: the EU's own criticality picture — supply risk against economic importance of
  every assessed material, with the threshold lines (SR = 1.0, EI = 2.8).
"""
from __future__ import annotations

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"


#: What the bars' colours say, in words (a legend of "true"/"false" tells a reader nothing).
CENTRAL_ASIAN, OTHER = "Central Asian producer", "Other"
CRITICAL, NOT_CRITICAL = "Passes both thresholds (critical)", "Below a threshold"


def _words(rows: list[dict], flag: str, yes: str, no: str, field: str) -> list[dict]:
    """The rows with `field` = `yes` or `no` in place of the boolean `flag`."""
    return [{**{k: v for k, v in r.items() if k != flag}, field: yes if r.get(flag) else no} for r in rows]


def supplier_bars(title: str, rows: list[dict], value_title: str = "share of world production (%)") -> dict:
    """`rows`: {"supplier", "share", "central_asian": bool}; bars sorted by share, largest on top,
    coloured "Central Asian producer" / "Other". When every bar is of one group (a country's own
    materials, the Central Asian producers alone) the colour says nothing, so there is no legend."""
    values = _words(rows, "central_asian", CENTRAL_ASIAN, OTHER, "group")
    groups = {r["group"] for r in values}
    return {
        "$schema": SCHEMA, "title": title, "width": 480, "height": {"step": 18},
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {"field": "supplier", "type": "nominal", "sort": "-x", "title": None},
            "x": {"field": "share", "type": "quantitative", "title": value_title},
            "color": {"field": "group", "type": "nominal", "title": None,
                      "scale": {"domain": [CENTRAL_ASIAN, OTHER], "range": ["#1f9e89", "#8da0cb"]},
                      **({} if len(groups) > 1 else {"legend": None})},
            "tooltip": [{"field": "supplier", "type": "nominal", "title": "supplier"},
                        {"field": "share", "type": "quantitative", "title": value_title, "format": ",.1f"},
                        {"field": "group", "type": "nominal", "title": "group"}],
        },
    }


def sr_ei_scatter(rows: list[dict], sr_threshold: float, ei_threshold: float, year: str) -> dict:
    """`rows`: {"material", "sr", "ei", "critical": bool}; threshold lines as rules; the colours say in
    words whether a material passes both thresholds."""
    rows = _words(rows, "critical", CRITICAL, NOT_CRITICAL, "assessment")
    points = {
        "data": {"values": rows},
        "mark": {"type": "point", "filled": True, "size": 70, "tooltip": True},
        "encoding": {
            "x": {"field": "ei", "type": "quantitative", "title": "economic importance (EI)"},
            "y": {"field": "sr", "type": "quantitative", "title": "supply risk (SR)"},
            "color": {"field": "assessment", "type": "nominal", "title": None,
                      "scale": {"domain": [CRITICAL, NOT_CRITICAL], "range": ["#d95f02", "#7570b3"]}},
        },
    }
    labels = {"data": {"values": rows}, "mark": {"type": "text", "dx": 6, "align": "left", "fontSize": 9},
              "encoding": {"x": {"field": "ei", "type": "quantitative"}, "y": {"field": "sr", "type": "quantitative"},
                           "text": {"field": "material"}}}
    sr_rule = {"data": {"values": [{"sr": sr_threshold}]}, "mark": {"type": "rule", "strokeDash": [6, 4], "color": "#b00"},
               "encoding": {"y": {"field": "sr", "type": "quantitative"}}}
    ei_rule = {"data": {"values": [{"ei": ei_threshold}]}, "mark": {"type": "rule", "strokeDash": [6, 4], "color": "#b00"},
               "encoding": {"x": {"field": "ei", "type": "quantitative"}}}
    return {"$schema": SCHEMA, "title": f"EU criticality {year}: supply risk against economic importance "
                                        f"(dashed: SR = {sr_threshold}, EI = {ei_threshold})",
            "width": 640, "height": 420, "layer": [points, labels, sr_rule, ei_rule]}
