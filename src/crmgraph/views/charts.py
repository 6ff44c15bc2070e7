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


def supplier_bars(title: str, rows: list[dict], value_title: str = "share of world production (%)") -> dict:
    """`rows`: {"supplier", "share", "central_asian": bool}; bars sorted by share, largest on top."""
    return {
        "$schema": SCHEMA, "title": title, "width": 480, "height": {"step": 18},
        "data": {"values": rows},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {"field": "supplier", "type": "nominal", "sort": "-x", "title": None},
            "x": {"field": "share", "type": "quantitative", "title": value_title},
            "color": {"field": "central_asian", "type": "nominal", "title": "Central Asian",
                      "scale": {"domain": [True, False], "range": ["#1f9e89", "#8da0cb"]}},
        },
    }


def sr_ei_scatter(rows: list[dict], sr_threshold: float, ei_threshold: float, year: str) -> dict:
    """`rows`: {"material", "sr", "ei", "critical": bool}; threshold lines as rules."""
    points = {
        "data": {"values": rows},
        "mark": {"type": "point", "filled": True, "size": 70, "tooltip": True},
        "encoding": {
            "x": {"field": "ei", "type": "quantitative", "title": "economic importance (EI)"},
            "y": {"field": "sr", "type": "quantitative", "title": "supply risk (SR)"},
            "color": {"field": "critical", "type": "nominal", "title": "passes both thresholds",
                      "scale": {"domain": [True, False], "range": ["#d95f02", "#7570b3"]}},
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
