"""The analytic case (issue 16): on the serial chain the loss is (D - c) / T for an outage of D > c days, so with D
and c independent the first-order Sobol indices are Var(D) / (Var(D) + Var(c)) and Var(c) / (Var(D) + Var(c)) and
the total indices equal them; an input that does not enter the loss gets indices indistinguishable from 0.

D and c are discrete uniforms on whole days (empirical distributions with equal weights): the engine runs on whole
ticks, so only then is the loss exactly linear in both."""

from __future__ import annotations

import numpy as np
import pytest

from simcore.sensitivity import sensitivity

from .common import HORIZON, scenario_file

D_DAYS = np.arange(10, 31)  # outage days
C_DAYS = np.arange(0, 9)  # cover days, always < D


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    body = f"""
[[uncertain]]
field = "cover"
select = {{ ids = ["C"] }}
value = {{ dist = "empirical", values = {list(map(int, C_DAYS))} }}

[[uncertain]]
name = "cover of S (no inputs)"
field = "cover"
select = {{ ids = ["S"] }}
value = {{ dist = "uniform", low = 0, high = 10 }}
"""
    path = scenario_file(tmp_path_factory.mktemp("sobol"), body, duration=f'{{ dist = "empirical", values = {list(map(int, D_DAYS))} }}')
    return sensitivity(path, samples=512, workers=1, progress=False)


def test_each_row_is_the_worked_example(result):
    names = [e.name for e in result.inputs.entries]
    c, d = result.values[:, names.index("cover[C]")], result.values[:, names.index("shocks[0].duration")]
    np.testing.assert_allclose(result.loss[:, 0, 0], (d - c) / HORIZON, atol=1e-12)


def test_first_order_and_total_indices_match_the_variances(result):
    vd, vc = D_DAYS.var(), C_DAYS.var()
    t = result.ranking().set_index("input")
    for name, expected in (("shocks[0].duration", vd / (vd + vc)), ("cover[C]", vc / (vd + vc))):
        row = t.loc[name]
        assert abs(row.S1 - expected) <= row.S1_conf, (name, row.S1, row.S1_conf, expected)
        assert abs(row.ST - expected) <= row.ST_conf, (name, row.ST, row.ST_conf, expected)
    assert list(t.index[:2]) == ["shocks[0].duration", "cover[C]"]


def test_an_input_outside_the_loss_gets_zero(result):
    row = result.ranking().set_index("input").loc["cover of S (no inputs)"]
    assert abs(row.S1) <= row.S1_conf + 1e-12 and abs(row.ST) <= row.ST_conf + 1e-12
    assert row.swing == 0


def test_tornado_moves_by_the_quantiles(result):
    t = result.tornado.set_index("input")
    row = t.loc["cover[C]"]
    assert row.at_low - row.at_high == pytest.approx((row.high_value - row.low_value) / HORIZON)


def test_morris_ranks_the_same_way(tmp_path):
    body = """
[[uncertain]]
field = "cover"
select = { ids = ["C"] }
value = { dist = "uniform", low = 0, high = 4 }

[[uncertain]]
name = "dummy"
field = "cover"
select = { ids = ["S"] }
value = { dist = "uniform", low = 0, high = 10 }
"""
    r = sensitivity(scenario_file(tmp_path, body, duration='{ dist = "uniform", low = 10, high = 30 }'), method="morris", samples=10, workers=1, progress=False)
    t = r.ranking()
    assert list(t.input) == ["shocks[0].duration", "cover[C]", "dummy"]
    assert t.mu_star.iloc[-1] == 0
