"""Costs of a variant's policies, from what each changed in the compiled arrays, over the scenario horizon."""

from __future__ import annotations

import pytest

from naive import GOOD, PART, build_scenario
from simcore.costs import policy_costs, variant_cost

from . import test_dual_sourcing, test_stabilize

SERIAL = {
    "products": [PART, GOOD],
    "firms": [{"id": "S", "product": "part", "region": "r"}, {"id": "C", "product": "good", "region": "r", "cover": 2.0}],
    "links": [{"supplier": "S", "customer": "C"}],
    "demand": [{"firm": "C", "units": 10.0}],
    "defaults": {"headroom": 0.1},
}


def test_holding_and_capacity_costs(tmp_path):
    body = """
[[variants]]
name = "as-is"

[[variants]]
name = "stock and capacity"
[[variants.policies]]
kind = "safety_stock"
select = { ids = ["C"] }
extra_cover = 3
holding_cost = 0.5
[[variants.policies]]
kind = "spare_capacity"
select = {}
headroom = 0.6
capacity_cost = 2

[[variants]]
name = "leaner"
[[variants.policies]]
kind = "safety_stock"
select = { ids = ["C"] }
cover = 1
holding_cost = 0.5
"""
    sc = build_scenario(tmp_path, SERIAL, body, 30)
    assert variant_cost(sc, "as-is") == {"holding_cost": 0, "capacity_cost": 0, "qualification_cost": 0, "priority_premium": 0, "total": 0}
    cost = variant_cost(sc, "stock and capacity")
    assert cost["holding_cost"] == pytest.approx(0.5 * (3 * 10) * 30)  # 30 more units held, every day
    assert cost["capacity_cost"] == pytest.approx(2 * (0.5 * 10 + 0.5 * 10) * 30)  # headroom 0.1 -> 0.6 at S and C
    assert cost["total"] == pytest.approx(450 + 600)
    rows = policy_costs(sc, "stock and capacity")
    assert [(r["kind"], r["total"]) for r in rows] == [("safety_stock", pytest.approx(450)), ("spare_capacity", pytest.approx(600))]
    assert rows[0]["added_inventory"] == pytest.approx(30) and rows[1]["added_capacity"] == pytest.approx(10)
    assert variant_cost(sc, "leaner")["holding_cost"] == pytest.approx(-0.5 * 10 * 30)  # a lower cover saves


def test_qualification_cost_and_the_capacity_moved_by_dual_sourcing(tmp_path):
    """One link added; S1 (headroom 0) makes 3 less, S2 (headroom 0.5) 3 more: capacity +1.5 a day net."""
    body = test_dual_sourcing.VARIANTS.replace('products = ["part"]', 'products = ["part"]\nqualification_cost = 1000\ncapacity_cost = 1')
    sc = build_scenario(tmp_path, test_dual_sourcing.MAP, body, 30)
    cost = variant_cost(sc, "dual")
    assert cost["qualification_cost"] == 1000
    assert cost["capacity_cost"] == pytest.approx(1.5 * 30)
    assert cost["holding_cost"] == 0 and cost["priority_premium"] == 0


def test_priority_premium_counts_only_under_priority_rationing(tmp_path):
    rates = 'kind = "stabilize_chain_master"\npriority_premium = 0.1\nextra_cover = 1\nholding_cost = 0.01'
    body = test_stabilize.FAN_OUT_BODY.replace('kind = "stabilize_chain_master"', rates)
    sc = build_scenario(tmp_path, test_stabilize.FAN_OUT, body, 20)
    cost = variant_cost(sc, "stabilize")
    assert cost["priority_premium"] == pytest.approx(0.1 * 10 * 20)  # S -> C1 carries 10 a day at tier 0
    assert cost["holding_cost"] == pytest.approx(0.01 * 10 * 20)
    assert variant_cost(sc, "tiers only")["priority_premium"] == 0  # proportional rationing: tiers do nothing
