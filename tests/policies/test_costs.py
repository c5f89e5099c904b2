"""Costs of a variant's policies in money (docs/policies.md, Costs): from what each changed in the compiled arrays,
the map's prices and the `[costs]` rates, over the scenario horizon; attributed to chains so they add up."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from naive import build_scenario, model_toml
from simcore import load_scenario, run
from simcore.costs import chain_costs, format_money, format_ratio, policy_costs, variant_cost
from simcore.compile import compile_variant

from . import test_dual_sourcing, test_stabilize

PART = {"id": "part", "category": "basic_component", "price": 2.0}
GOOD = {"id": "good", "category": "final_product", "recipe": {"part": 1.0}, "price": 10.0}
MONEY = '\n[costs]\ncurrency = "CNY"\nunit = 1000\n'  # prices in thousand CNY
DAYS = 73  # a fifth of a year: yearly rates x 0.2
SERIAL = {
    "products": [PART, GOOD],
    "firms": [{"id": "S", "product": "part", "region": "r"}, {"id": "C", "product": "good", "region": "r", "cover": 2.0}],
    "links": [{"supplier": "S", "customer": "C"}],
    "demand": [{"firm": "C", "units": 10.0}],
    "defaults": {"headroom": 0.1},
}
STOCK_AND_CAPACITY = """
[[variants]]
name = "as-is"

[[variants]]
name = "stock and capacity"
[[variants.policies]]
kind = "safety_stock"
select = { ids = ["C"] }
extra_cover = 3
[[variants.policies]]
kind = "spare_capacity"
select = {}
headroom = 0.6

[[variants]]
name = "leaner"
[[variants.policies]]
kind = "safety_stock"
select = { ids = ["C"] }
cover = 1
holding_rate = 0.5
"""


def priced(model: dict) -> dict:
    """`model` with part at 2 and good at 10 thousand CNY a unit."""
    return {**model, "products": [PART, GOOD]}


def test_holding_and_capacity_in_money(tmp_path):
    """C holds 30 more parts (60,000 CNY) at 25% a year for a fifth of a year; S and C get 5 units a day more
    capacity, whose yearly output (5 x 2,000 + 5 x 10,000 CNY a day, 365 days) costs 5% a year."""
    sc = build_scenario(tmp_path, SERIAL, STOCK_AND_CAPACITY + MONEY, DAYS)
    assert variant_cost(sc, "as-is") == {"holding": 0, "capacity": 0, "qualification": 0, "priority": 0, "recovery": 0, "total": 0}
    cost = variant_cost(sc, "stock and capacity")
    assert cost["holding"] == pytest.approx(30 * 2000 * 0.25 * 0.2)  # 3,000 CNY
    assert cost["capacity"] == pytest.approx(0.05 * 0.2 * 365 * (5 * 2000 + 5 * 10000))  # 219,000 CNY
    rows = policy_costs(sc, "stock and capacity")
    assert [(r["kind"], r["total"]) for r in rows] == [("safety_stock", pytest.approx(3000)), ("spare_capacity", pytest.approx(219000))]
    assert rows[0]["added_inventory"] == pytest.approx(30) and rows[1]["added_capacity"] == pytest.approx(10)
    # a lower cover saves, at the policy's own rate: 10 parts less at 50% a year
    assert variant_cost(sc, "leaner")["holding"] == pytest.approx(-10 * 2000 * 0.5 * 0.2)


def test_the_scenario_rates_and_the_policy_rates(tmp_path):
    """`[costs]` rates replace the defaults; a policy's own rate replaces the scenario's."""
    body = STOCK_AND_CAPACITY + MONEY + "holding_rate = 0.1\ncapacity_rate = 0.2\n"
    sc = build_scenario(tmp_path, SERIAL, body, DAYS)
    cost = variant_cost(sc, "stock and capacity")
    assert cost["holding"] == pytest.approx(30 * 2000 * 0.1 * 0.2)
    assert cost["capacity"] == pytest.approx(0.2 * 0.2 * 365 * 60000)
    assert variant_cost(sc, "leaner")["holding"] == pytest.approx(-10 * 2000 * 0.5 * 0.2)


def test_qualification_and_the_capacity_moved_by_dual_sourcing(tmp_path):
    """One link added, carrying 30% of C's 10 parts a day: qualified for 5 days of that flow's value by default.
    S1 (headroom 0) makes 3 less, S2 (headroom 0.5) 3 more: capacity +1.5 parts a day net."""
    sc = build_scenario(tmp_path, priced(test_dual_sourcing.MAP), test_dual_sourcing.VARIANTS + MONEY, DAYS)
    cost = variant_cost(sc, "dual")
    assert cost["qualification"] == pytest.approx(5 * 0.3 * 10 * 2000)  # 30,000 CNY
    assert cost["capacity"] == pytest.approx(0.05 * DAYS * 1.5 * 2000)
    assert cost["holding"] == 0 and cost["priority"] == 0 and cost["recovery"] == 0
    body = test_dual_sourcing.VARIANTS.replace('products = ["part"]', 'products = ["part"]\nqualification = 1e6', 1)
    sc = build_scenario(tmp_path, priced(test_dual_sourcing.MAP), body + MONEY, DAYS)
    assert variant_cost(sc, "dual")["qualification"] == 1e6  # money per new supplier link


def test_priority_premium_counts_only_under_priority_rationing(tmp_path):
    """S -> C1 carries 10 parts (20,000 CNY) a day at a raised priority: 2% of that over 20 days."""
    sc = build_scenario(tmp_path, priced(test_stabilize.FAN_OUT), test_stabilize.FAN_OUT_BODY + MONEY, 20)
    assert variant_cost(sc, "stabilize")["priority"] == pytest.approx(0.02 * 20000 * 20)
    assert variant_cost(sc, "tiers only")["priority"] == 0  # mixed rationing: tiers do nothing


RESTART = """
[[shocks]]
kind = "firm_outage"
select = { ids = ["C1"] }
start = 3
duration = 5
recovery = RECOVERY

[[variants]]
name = "as-is"

[[variants]]
name = "faster"
[[variants.policies]]
kind = "stabilize_chain_master"
set_rationing = false
recovery_speed = SPEED
"""


@pytest.mark.parametrize(
    ("recovery", "speed", "saved"),
    [
        ('{ profile = "linear", days = 10 }', 2, 5.0),  # 10 days of restart become 5
        ('{ profile = "exponential", half_life = 3 }', 3, 2 * math.log2(100)),  # to 1% of the damage: 6.64 half-lives
        ('{ profile = "step" }', 2, 0.0),  # a step ends at once: nothing to speed up
    ],
)
def test_recovery_speed_costs_per_day_of_restart_saved(tmp_path, recovery, speed, saved):
    """By default a tenth of a day of C1's output value (10 goods at 10,000 CNY) per day saved."""
    body = RESTART.replace("RECOVERY", recovery).replace("SPEED", str(speed)) + MONEY
    sc = build_scenario(tmp_path, priced(test_stabilize.FAN_OUT), body, 40)
    (row,) = policy_costs(sc, "faster")
    assert row["restart_days_saved"] == pytest.approx(saved)
    assert row["recovery"] == pytest.approx(0.1 * 100000 * saved)
    sc = build_scenario(tmp_path, priced(test_stabilize.FAN_OUT), body + "recovery_cost = 2000\n", 40)
    assert variant_cost(sc, "faster")["recovery"] == pytest.approx(2000 * saved)


RANDOM_RESTART = """
[[shocks]]
kind = "random_outage"
select = { ids = ["C1"] }
rate = 0.01
start = 10
duration = 4
recovery = { profile = "linear", days = 6 }

[[shocks]]
kind = "random_outage"
per = "region"
select = { ids = ["C1", "C2"] }
rate = 0.02
duration = 4
recovery = { profile = "linear", days = 6 }
"""


def test_recovery_speed_costs_the_expected_restarts_of_random_outages(tmp_path):
    """C1 fails at 0.01 a day over days 10-40 (0.3 events) and, with C2 (one region), at 0.02 a day over 40 days
    (0.8 events): 1.1 expected restarts of 6 days, each 3 days shorter at twice the speed: 3.3 days saved, priced
    at a tenth of a day of C1's output value (10 goods at 10,000 CNY)."""
    body = RESTART.split("[[variants]]", 1)[1].replace("SPEED", "2")
    sc = build_scenario(tmp_path, priced(test_stabilize.FAN_OUT), RANDOM_RESTART + "[[variants]]" + body + MONEY, 40)
    (row,) = policy_costs(sc, "faster")
    assert row["restart_days_saved"] == pytest.approx((0.01 * 30 + 0.02 * 40) * 3)
    assert row["recovery"] == pytest.approx(0.1 * 100000 * 3.3)


def two_chain_scenario(tmp_path: Path, body: str):
    """FAN_OUT with C1 in chain "a" and C2 in chain "b": S serves both, half each."""
    firms = [dict(f) for f in test_stabilize.FAN_OUT["firms"]]
    firms[1]["chains"], firms[2]["chains"] = ["a"], ["b"]
    text = model_toml([PART, GOOD], firms, test_stabilize.FAN_OUT["links"], test_stabilize.FAN_OUT["demand"], defaults={"headroom": 0.0})
    (tmp_path / "model.toml").write_text(text.replace('name = "test map"', 'name = "test map"\nchains = ["a", "b"]', 1))
    head = f'[scenario]\nname = "chains"\nmodel = "model.toml"\nhorizon = {DAYS}\n'
    (tmp_path / "scenario.toml").write_text(head + body + MONEY)
    return load_scenario(tmp_path / "scenario.toml")


CHAIN_BODY = """
[[variants]]
name = "as-is"

[[variants]]
name = "support"
[[variants.policies]]
kind = "safety_stock"
select = { ids = ["C1"] }
extra_cover = 2
[[variants.policies]]
kind = "spare_capacity"
select = { ids = ["S"] }
headroom = 0.5
"""


def test_costs_are_attributed_to_chains_by_value_share_and_add_up(tmp_path):
    """C1's stock serves chain a alone; S's capacity serves a and b half each (10 of its 20 parts a day each)."""
    sc = two_chain_scenario(tmp_path, CHAIN_BODY)
    stock = 20 * 2000 * 0.25 * 0.2
    capacity = 0.05 * DAYS * 10 * 2000
    by_chain = chain_costs(sc, compile_variant(sc, "support"))
    assert by_chain["total"] == pytest.approx(stock + capacity)
    assert by_chain["a"] == pytest.approx(stock + capacity / 2)
    assert by_chain["b"] == pytest.approx(capacity / 2)
    assert by_chain["unattributed"] == pytest.approx(0, abs=1e-9)
    table = run(sc).comparison()
    support = table[table.variant == "support"].set_index("chain")
    assert support.cost["a"] + support.cost["b"] == pytest.approx(support.cost["total"])


def test_value_saved_is_the_loss_avoided_in_money(tmp_path):
    """The value saved is the loss reduction times the baseline chain output value over the horizon, and the
    benefit-cost ratio their quotient: checked against the loss, the prices and the horizon by hand."""
    body = "\n[[shocks]]\nkind = \"firm_outage\"\nselect = { ids = [\"S\"] }\nstart = 3\nduration = 6\n" + CHAIN_BODY
    sc = two_chain_scenario(tmp_path, body)
    table = run(sc).comparison().set_index(["variant", "chain"])
    for chain, base in (("total", 20 * 10 * 1000), ("a", 10 * 10 * 1000), ("b", 10 * 10 * 1000)):  # goods a day x 10,000 CNY
        row = table.loc[("support", chain)]
        reduction = table.loc[("as-is", chain), "loss"] - row.loss
        assert row.value_saved == pytest.approx(reduction * base * DAYS)
        assert row.benefit_cost == pytest.approx(row.value_saved / row.cost)
    assert table.loc[("support", "a"), "value_saved"] > 0
    assert np.isnan(table.loc[("as-is", "total"), "benefit_cost"])  # no cost, no ratio


def test_money_reads_as_a_planner_writes_it():
    assert format_money(1.21e9, "CNY") == "1.21 bn CNY"
    assert format_money(62.6e6, "CNY") == "62.6 M CNY"
    assert format_money(-350e3, "CNY") == "-350 k CNY"
    assert format_money(12.5, "CNY") == "12.5 CNY"
    assert format_ratio(19.33) == "19.3x" and format_ratio(float("nan")) == "-" and format_ratio(40300.0) == "40,300x"


def test_firm_overrides_cost_as_levers_do(tmp_path):
    """A variant that raises C's cover from 2 to 5 days by a `[[variants.firms]]` override holds 30 parts more:
    costed at the scenario's rate as a row of its own, before the policies."""
    body = '\n[[variants]]\nname = "as-is"\n\n[[variants]]\nname = "cover"\n[[variants.firms]]\nselect = { ids = ["C"] }\ncover = 5\n'
    sc = build_scenario(tmp_path, SERIAL, body + MONEY, DAYS)
    (row,) = policy_costs(sc, "cover")
    assert row["kind"] == "firm overrides" and row["added_inventory"] == pytest.approx(30)
    assert row["holding"] == pytest.approx(30 * 2000 * 0.25 * 0.2) and row["total"] == row["holding"]
    assert variant_cost(sc, "as-is")["total"] == 0
