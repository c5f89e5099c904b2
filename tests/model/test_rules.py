"""Hand-computable cases of the model's rules (docs/model.md: Orders, Rationing, Necessity of inputs), each run by
both engines, which must agree."""

from __future__ import annotations

import numpy as np
import pytest

from naive import GOOD, PART, RATIONING_RULES, build_model, compile_rows
from simcore.core.primitives import DAMAGE
from simcore.engines.numba import run_numba
from simcore.engines.reference import _ReferenceSimulation, run_reference
from naive import assert_same_numbers

PACK = {"id": "pack", "category": "basic_material"}


def run_both(cmap, rows, horizon, **params):
    run = compile_rows(cmap, rows, horizon, **params)
    ref = run_reference(run)
    assert_same_numbers(run, ref, run_numba(run))
    return run, ref


class StockRecorder(_ReferenceSimulation):
    """The reference engine, keeping every slot's stock at the end of each tick."""

    def __init__(self, run, firm_trajectories=True):
        super().__init__(run, firm_trajectories)
        self.stocks = []

    def _record(self, t, output, final_new, final_delivered):
        self.stocks.append(self.inventory.copy())
        super()._record(t, output, final_new, final_delivered)


def two_input_firm(necessity: dict | None = None, cover: float = 5.0, lead: float = 1.0):
    """C makes 10 goods a day from 1 part (from SA) and 1 pack (from SB) each, `cover` days of both."""
    good = {"id": "good", "category": "final_product", "recipe": {"part": 1.0, "pack": 1.0}}
    if necessity:
        good["necessity"] = necessity
    return build_model(
        [PART, PACK, good],
        [
            {"id": "SA", "product": "part", "region": "r"},
            {"id": "SB", "product": "pack", "region": "r"},
            {"id": "C", "product": "good", "region": "r", "cover": cover},
        ],
        [{"supplier": "SA", "customer": "C", "lead_time": lead}, {"supplier": "SB", "customer": "C", "lead_time": lead}],
        [{"firm": "C", "units": 10.0}],
        defaults={"headroom": 0.2},
    )


@pytest.mark.parametrize("rule", RATIONING_RULES)
def test_a_blocked_firm_holds_at_most_its_target_plus_one_day_of_its_other_input(rule):
    """SB stops for 40 days: C runs out of packs after its cover and stops. It expects to make nothing (its packs on
    hand and in transit allow nothing), so it orders parts only to keep its target: it never holds more than 5
    days of parts plus the day in transit. The old rule ordered against the growing backlog and piled parts up."""
    cmap = two_input_firm()
    run = compile_rows(cmap, [(DAMAGE, 1, 1.0, 5, 40, 0, 0.0, 0)], 80, rationing=rule)
    sim = StockRecorder(run)
    tr = sim.run()
    assert_same_numbers(run, tr, run_numba(run))
    parts = np.array(sim.stocks)[:, 0]  # C's slots: part, pack
    target, one_day = 50.0, 10.0
    assert tr.firm_output[12:45, 2].max() == 0.0  # blocked
    assert parts.max() <= target + one_day + 1e-9
    # and it restarts: back at baseline after SB is
    assert np.all(tr.firm_output[-10:, 2] >= 0.99 * 10.0)


def test_a_noncritical_input_short_leaves_output_untouched():
    """Packs are noncritical: SB stops for good, C's packs run out and C makes its 10 a day all the same."""
    cmap = two_input_firm({"pack": "noncritical"}, cover=2.0)
    _, tr = run_both(cmap, [(DAMAGE, 1, 1.0, 5, 60, 0, 0.0, 0)], 40)
    np.testing.assert_allclose(tr.firm_output[:, 2], 10.0, rtol=1e-12)
    assert tr.firm_output[10:, 1].max() == 0.0


def test_an_important_input_short_halves_the_shortfall():
    """Packs are important: with no packs at all C makes (0 + 10) / 2 = 5 a day (half-way from what its packs
    allow to its baseline, Pichler et al. 2022); with 4.8 packs a day it makes (4.8 + 10) / 2 = 7.4."""
    cmap = two_input_firm({"pack": "important"}, cover=0.0)
    _, tr = run_both(cmap, [(DAMAGE, 1, 1.0, 5, 20, 0, 0.0, 0)], 40)
    np.testing.assert_allclose(tr.firm_output[:6, 2], 10.0, rtol=1e-12)
    np.testing.assert_allclose(tr.firm_output[6:26, 2], 5.0, rtol=1e-12)
    _, tr = run_both(cmap, [(DAMAGE, 1, 0.6, 5, 20, 0, 0.0, 0)], 40)
    assert tr.firm_output[7:25, 1].max() == pytest.approx(4.8)  # SB's capacity: 12 x (1 - 0.6)
    np.testing.assert_allclose(tr.firm_output[8:25, 2], (4.8 + 10.0) / 2, rtol=1e-9)


def fan_out(final_units: float = 10.0):
    """S (capacity 18 after a 40% cut of 30) serves C (orders 8 a day, via its recipe) and its own final demand 10."""
    return build_model(
        [PART, GOOD],
        [{"id": "S", "product": "part", "region": "r"}, {"id": "C", "product": "good", "region": "r", "cover": 10.0}],
        [{"supplier": "S", "customer": "C"}],
        [{"firm": "C", "units": 8.0}, {"firm": "S", "units": final_units}],
        defaults={"headroom": 0.0},
    )


def intermediate_and_final_customers():
    """S (20 a day, headroom 0) serves M (8; M sells all to D), R (6; R sells only to final demand), H (4; half to
    D, half to final demand) and its own final demand 2. No stock anywhere: a delivery is the next day's output."""
    item = lambda name, recipe=None: {"id": name, "category": "subassembly", **({"recipe": recipe} if recipe else {})}
    return build_model(
        [item("part"), item("m", {"part": 1.0}), item("r", {"part": 1.0}), item("h", {"part": 1.0}), item("d", {"m": 2.0, "h": 0.5})],
        [{"id": firm, "product": product, "region": "x"} for firm, product in zip("SMRHD", ("part", "m", "r", "h", "d"))],
        [{"supplier": "S", "customer": c} for c in ("M", "R", "H")] + [{"supplier": "M", "customer": "D"}, {"supplier": "H", "customer": "D"}],
        [{"firm": "D", "units": 4.0}, {"firm": "R", "units": 6.0}, {"firm": "H", "units": 2.0}, {"firm": "S", "units": 2.0}],
        defaults={"headroom": 0.0, "cover": 0.0},
    )


@pytest.mark.parametrize("rule", ["mixed", "priority"])
def test_mixed_rationing_serves_intermediate_goods_first(rule):
    """docs/model.md, Rationing (example with both parts): S loses 40% for a day, 12 to share. Intermediate parts
    (M's 8, half of H's 4) want 10 and get it; final-goods parts (R's 6, H's other 2) want 8 and get 2, a quarter;
    final demand gets nothing. M gets 8, R 1.5, H 2 + 0.5 = 2.5, and each makes that the next day."""
    cmap = intermediate_and_final_customers()
    np.testing.assert_allclose(cmap.outputs, [20.0, 8.0, 6.0, 4.0, 4.0])
    run, tr = run_both(cmap, [(DAMAGE, 0, 0.4, 3, 1, 0, 0.0, 0)], 6, rationing=rule)
    np.testing.assert_allclose(run.link_final_goods[run.link_supplier == 0], [0.0, 1.0, 0.5])
    assert tr.firm_output[3, 0] == pytest.approx(12.0)
    assert tr.firm_final_delivered[3, 0] == 0.0
    np.testing.assert_allclose(tr.firm_output[4, 1:4], [8.0, 1.5, 2.5], rtol=1e-12)


@pytest.mark.parametrize(
    "rule, final_priority, to_c, to_final",
    [
        ("proportional", 1, 8 * 10.8 / 18, 10 * 10.8 / 18),  # everyone gets 10.8 / 18 = 60%
        ("mixed", 1, 8.0, 2.8),  # firms' orders first, final demand the rest
        ("priority", 1, 8.0, 2.8),  # one tier: inside it, firms' orders before final demand
        ("priority", 0, 0.8, 10.0),  # final demand in tier 0, ahead of C's tier 1
    ],
)
def test_rationing_splits_a_short_output_exactly(rule, final_priority, to_c, to_final):
    """S's baseline output is 18 (8 for C, 10 final); it loses 40%: 10.8 to share on the first day of the cut."""
    cmap = fan_out()
    _, tr = run_both(cmap, [(DAMAGE, 0, 0.4, 3, 1, 0, 0.0, 0)], 6, rationing=rule, final_demand_priority=final_priority)
    assert tr.firm_output[3, 0] == pytest.approx(10.8)
    assert tr.firm_final_delivered[3, 0] == pytest.approx(to_final, rel=1e-12)
    assert tr.totals[3, 2] == pytest.approx(to_c, rel=1e-12)  # shipped: S's only customer link
