"""The Vega-Lite specifications of views/charts.py: what their legends, axes and tooltips say to a reader."""
from __future__ import annotations

import json

from crmgraph.views.charts import CENTRAL_ASIAN, CRITICAL, NOT_CRITICAL, OTHER, sr_ei_scatter, supplier_bars

ROWS = [{"supplier": "China", "share": 60.0, "central_asian": False},
        {"supplier": "Tajikistan", "share": 17.04, "central_asian": True}]


def test_supplier_bars_say_central_asian_producer_or_other_never_true_or_false():
    spec = supplier_bars("antimony: share of world production", ROWS)
    assert [r["group"] for r in spec["data"]["values"]] == [OTHER, CENTRAL_ASIAN]
    assert CENTRAL_ASIAN == "Central Asian producer" and OTHER == "Other"
    colour = spec["encoding"]["color"]
    assert colour["field"] == "group" and colour["scale"]["domain"] == [CENTRAL_ASIAN, OTHER]
    assert "legend" not in colour, "two groups: the legend is shown"
    assert "central_asian" not in json.dumps(spec)
    assert not any(isinstance(v, bool) for row in spec["data"]["values"] for v in row.values())


def test_supplier_bars_of_one_group_have_no_legend():
    spec = supplier_bars("Kazakhstan: share of world production",
                         [{"supplier": "titanium", "share": 3.0, "central_asian": True}])
    assert spec["encoding"]["color"]["legend"] is None


def test_supplier_bars_name_their_axis_and_tooltip_fields_in_words():
    spec = supplier_bars("t", ROWS, "share of EU sourcing (%)")
    assert spec["encoding"]["x"]["title"] == "share of EU sourcing (%)"
    assert [t["title"] for t in spec["encoding"]["tooltip"]] == ["supplier", "share of EU sourcing (%)", "group"]


def test_the_criticality_scatter_says_in_words_which_materials_pass_both_thresholds():
    spec = sr_ei_scatter([{"material": "antimony", "sr": 1.8, "ei": 5.4, "critical": True},
                          {"material": "x", "sr": 0.5, "ei": 2.0, "critical": False}], 1.0, 2.8, "2023")
    points = spec["layer"][0]
    assert [r["assessment"] for r in points["data"]["values"]] == [CRITICAL, NOT_CRITICAL]
    assert points["encoding"]["color"]["scale"]["domain"] == [CRITICAL, NOT_CRITICAL]
    assert points["encoding"]["x"]["title"] == "economic importance (EI)"
    assert points["encoding"]["y"]["title"] == "supply risk (SR)"
