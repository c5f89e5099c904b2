"""spare_capacity: headroom lets a stopped firm work its backlog off, at exactly its capacity."""

from __future__ import annotations

import numpy as np
import pytest

from naive import GOOD, PART, build_scenario, output_of, simulate
from simcore.engines.trajectories import TOTALS


SERIAL = {
    "products": [PART, GOOD],
    "firms": [{"id": "S", "product": "part", "region": "r", "headroom": 0.5}, {"id": "C", "product": "good", "region": "r", "cover": 1.0}],
    "links": [{"supplier": "S", "customer": "C"}],
    "demand": [{"firm": "C", "units": 10.0}],
    "defaults": {"headroom": 0.0},
}

BODY = """
[[shocks]]
kind = "firm_outage"
select = { ids = ["C"] }
start = 5
duration = 6

[[variants]]
name = "as-is"

[[variants]]
name = "extra"
[[variants.policies]]
kind = "spare_capacity"
select = { ids = ["C"] }
extra_headroom = 0.5

[[variants]]
name = "absolute"
[[variants.policies]]
kind = "spare_capacity"
select = { products = ["good"] }
headroom = 0.5
"""


def catch_up(horizon: int, t0: int, duration: int, capacity: float, demand: float = 10.0, backlog_days: float = 30.0) -> np.ndarray:
    """Output of a final firm that is never short of inputs: 0 during the outage, then min(capacity, demand + backlog),
    where each day 1/backlog_days of the unmet final demand is lost."""
    out, backlog = np.zeros(horizon), 0.0
    for t in range(horizon):
        due = demand + backlog
        out[t] = 0.0 if t0 <= t < t0 + duration else min(capacity, due)
        unfilled = due - out[t]
        backlog = unfilled - unfilled / backlog_days
    return out


def test_headroom_works_the_backlog_off_exactly(tmp_path):
    """C stops for 6 days, holding its one day of cover (a stopped firm orders only its stock back, docs/model.md,
    Orders); on its last stopped day it orders for what it can make tomorrow, and S (50% headroom) ships it, so
    afterwards C is limited by capacity alone: with 50% headroom it makes 15 a day until the backlog (less the
    lost sales) is gone; without, the backlog only decays through lost sales."""
    t0, duration, horizon = 5, 6, 40
    sc = build_scenario(tmp_path, SERIAL, BODY, horizon)
    _, base = simulate(sc, "as-is")
    np.testing.assert_allclose(output_of(sc, base, "C"), catch_up(horizon, t0, duration, 10.0), rtol=1e-12, atol=1e-12)
    expected = catch_up(horizon, t0, duration, 15.0)
    assert expected[t0 + duration : t0 + duration + 9].tolist() == [15.0] * 9 and 10.0 < expected[t0 + duration + 9] < 15.0
    for variant in ("extra", "absolute"):
        run, tr = simulate(sc, variant)
        np.testing.assert_allclose(run.capacity, [15.0, 15.0], rtol=1e-15)
        np.testing.assert_allclose(output_of(sc, tr, "C"), expected, rtol=1e-12, atol=1e-12)
        delivered, arisen = tr.chain_final_delivered[:, 0].sum(), tr.chain_final_demand[:, 0].sum()
        assert delivered > base.chain_final_delivered[:, 0].sum()
        # the backlog is worked off, so what was not delivered is exactly what was lost
        lost = tr.totals[:, TOTALS.index("lost_sales")].sum()
        assert tr.totals[-1, TOTALS.index("backlog")] == 0.0
        assert arisen - delivered == pytest.approx(lost, rel=1e-12)
