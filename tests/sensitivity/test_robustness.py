"""Robustness of a decision over the uncertain world: how often the choice is the best, and the input that flips it."""

from __future__ import annotations

import pytest

from simcore import load_scenario
from simcore.sensitivity import decision_robustness

from .common import scenario_file

BODY = """
[[variants]]
name = "uncertain stock"
[[variants.policies]]
kind = "safety_stock"
select = { ids = ["C"] }
extra_cover = 4

[[variants]]
name = "sure stock"
[[variants.policies]]
kind = "stabilize_chain_master"
select = { ids = ["C"] }
extra_cover = 4
set_rationing = false

[[uncertain]]
name = "stock days"
field = "safety_stock.extra_cover"
value = { dist = "uniform", low = 0, high = 8 }
"""


def test_the_input_that_decides_flips_the_choice(tmp_path):
    """The uncertain stock beats the sure one exactly when its days exceed 4: it is the best in about half the
    replications, and its days are the input that flips the choice (much higher where it wins)."""
    scenario = load_scenario(scenario_file(tmp_path, BODY, duration='{ dist = "uniform", low = 12, high = 30 }'))
    r = decision_robustness(scenario, 200, chosen="uncertain stock", progress=False, workers=1)
    assert r["chosen"] == "uncertain stock" and r["replications"] == 200
    assert 0.35 < r["p_best"] < 0.65
    assert r["p_best"] <= r["p_within"]
    top = r["flips"][0]
    assert top["input"] == "stock days" and top["standardized_gap"] > 1.2
    assert top["mean_when_best"] > 4 > top["mean_otherwise"]
    assert r["p_best_by_candidate"]["sure stock"] == pytest.approx(1 - r["p_best"], abs=0.02)


def test_the_optimizers_choice_over_the_uncertain_world(tmp_path):
    from simcore.portfolios import optimize

    body = """
[optimize]
budget = 1e9
defaults = false
replications = 40

[[optimize.candidates]]
name = "stock at C"
[[optimize.candidates.policies]]
kind = "safety_stock"
select = { ids = ["C"] }
extra_cover = 4

[[uncertain]]
name = "stock days"
field = "safety_stock.extra_cover"
value = { dist = "uniform", low = 0, high = 8 }
"""
    result = optimize(load_scenario(scenario_file(tmp_path, body, duration='{ dist = "uniform", low = 12, high = 30 }')), progress=False)
    r = result.summary()["robustness"]
    assert r["chosen"] == "stock at C" and r["candidates"] == ["stock at C", "nothing"]
    assert r["p_best"] == 1.0  # more stock never loses more; with 0 days it ties with nothing
