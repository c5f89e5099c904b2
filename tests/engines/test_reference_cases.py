"""Hand-computable cases for the reference engine (docs/model.md, Worked example: a serial chain, and friends)."""

import numpy as np
import pytest

from naive import GOOD, PART, build_model, compile_rows
from simcore.engines.reference import run_reference
from simcore.metrics import fill_rate, series_metrics
from simcore.core.primitives import CLOSE, DAMAGE, DEMAND, LEAD


def serial(cover: float, lead: float = 1.0, headroom: float = 0.0):
    return build_model(
        [PART, GOOD],
        [{"id": "S", "product": "part", "region": "r"}, {"id": "C", "product": "good", "region": "r", "cover": cover}],
        [{"supplier": "S", "customer": "C", "lead_time": lead}],
        [{"firm": "C", "units": 10.0}],
        defaults={"headroom": headroom},
    )


def simulate(cmap, rows, horizon, **params):
    run = compile_rows(cmap, rows, horizon, **params)
    return run, run_reference(run)


@pytest.mark.parametrize("cover,duration", [(0, 2), (3, 6), (5, 9), (2, 20)])
def test_serial_worked_example(cover, duration):
    """S stops at t0 for D > c days: C produces through t0 + c, nothing until S's first shipment after recovery."""
    t0, horizon = 5, 40
    run, tr = simulate(serial(cover), [(DAMAGE, 0, 1.0, t0, duration, 0, 0.0, 0)], horizon)
    c_out = tr.firm_output[:, 1]
    expected = np.full(horizon, 10.0)
    expected[t0 + cover + 1 : t0 + duration + 1] = 0.0
    np.testing.assert_allclose(c_out, expected, atol=1e-9)
    m = series_metrics(tr.chain_output[:, 0], 10.0, t0)
    assert m["tts"] == cover + 1  # cover plus the one day in transit
    assert m["depth"] == 0.0
    assert m["ttr"] == duration + 1  # S's first shipment after recovery arrives a day later
    assert m["loss"] == pytest.approx((duration - cover) / horizon, abs=1e-12)
    # headroom 0: the backlog can never be worked off, so exactly the lost days are missing
    assert fill_rate(tr.chain_final_delivered[:, 0], tr.chain_final_demand[:, 0]) == pytest.approx(1 - (duration - cover) / horizon, abs=1e-9)


def test_fractional_lead_time_counts_whole_ticks():
    """Lead time 1.5 means a shipment of tick t is usable from tick t + 2: C survives one day longer than with 1."""
    _, tr = simulate(serial(2, lead=1.5), [(DAMAGE, 0, 1.0, 5, 10, 0, 0.0, 0)], 30)
    assert series_metrics(tr.chain_output[:, 0], 10.0, 5)["tts"] == 2 + 2


def test_zero_lead_time_is_never_used_in_the_same_tick():
    _, tr = simulate(serial(0, lead=0.0), [(DAMAGE, 0, 1.0, 5, 3, 0, 0.0, 0)], 20)
    assert tr.firm_output[5, 1] == pytest.approx(10.0)  # yesterday's shipment
    assert tr.firm_output[6, 1] == 0.0


def test_headroom_works_off_the_backlog():
    """With spare capacity the chain catches up after recovery: fill rate ends above the no-headroom case."""
    _, tight = simulate(serial(0, headroom=0.0), [(DAMAGE, 0, 1.0, 5, 5, 0, 0.0, 0)], 60)
    _, loose = simulate(serial(0, headroom=0.5), [(DAMAGE, 0, 1.0, 5, 5, 0, 0.0, 0)], 60)
    fr = [fill_rate(t.chain_final_delivered[:, 0], t.chain_final_demand[:, 0]) for t in (tight, loose)]
    assert fr[1] > fr[0]
    assert loose.chain_output[:, 0].max() > 10.0  # catch-up above baseline


def test_linear_recovery_profile():
    """Damage 1 for 4 ticks, then linear over 4 days: capacity 25%, 50%, 75%, 100% of baseline (headroom 0)."""
    _, tr = simulate(serial(0), [(DAMAGE, 0, 1.0, 2, 4, 1, 4.0, 0)], 12)
    np.testing.assert_allclose(tr.firm_output[:, 0][2:8], [0, 0, 0, 0, 2.5, 5.0], atol=1e-12)


def test_exponential_recovery_profile():
    _, tr = simulate(serial(0), [(DAMAGE, 0, 0.8, 0, 2, 2, 1.0, 0)], 6)
    np.testing.assert_allclose(tr.firm_output[:4, 0], [2.0, 2.0, 10 * (1 - 0.4), 10 * (1 - 0.2)], atol=1e-12)


def fan_out(tier_c1: int = 1):
    """One supplier S, two final customers C1 and C2 without cover."""
    return build_model(
        [PART, GOOD],
        [
            {"id": "S", "product": "part", "region": "r"},
            {"id": "C1", "product": "good", "region": "r", "cover": 0.0, "priority": tier_c1},
            {"id": "C2", "product": "good", "region": "r", "cover": 0.0},
        ],
        [{"supplier": "S", "customer": "C1"}, {"supplier": "S", "customer": "C2"}],
        [{"firm": "C1", "units": 10.0}, {"firm": "C2", "units": 10.0}],
        defaults={"headroom": 0.0},
    )


def test_proportional_rationing_shares_the_shortfall():
    _, tr = simulate(fan_out(), [(DAMAGE, 0, 0.5, 3, 10, 0, 0.0, 0)], 20)
    np.testing.assert_allclose(tr.firm_output[4:14, 1:], 5.0, atol=1e-9)


def test_priority_rationing_serves_tier_zero_first():
    """C1 in tier 0 gets its full order; C2 shares what is left (nothing)."""
    _, tr = simulate(fan_out(tier_c1=0), [(DAMAGE, 0, 0.5, 3, 10, 0, 0.0, 0)], 20, rationing="priority")
    np.testing.assert_allclose(tr.firm_output[4:14, 1], 10.0, atol=1e-9)
    np.testing.assert_allclose(tr.firm_output[4:14, 2], 0.0, atol=1e-9)


def diamond(headroom_s2: float):
    """Two suppliers of one part, half each, to one customer without cover."""
    return build_model(
        [PART, GOOD],
        [
            {"id": "S1", "product": "part", "region": "r"},
            {"id": "S2", "product": "part", "region": "r", "headroom": headroom_s2},
            {"id": "C", "product": "good", "region": "r", "cover": 0.0},
        ],
        [{"supplier": "S1", "customer": "C", "share": 0.5}, {"supplier": "S2", "customer": "C", "share": 0.5}],
        [{"firm": "C", "units": 10.0}],
        defaults={"headroom": 0.0},
    )


def test_diamond_without_adaptive_sourcing_keeps_half():
    _, tr = simulate(diamond(0.0), [(DAMAGE, 0, 1.0, 3, 30, 0, 0.0, 0)], 40)
    np.testing.assert_allclose(tr.firm_output[4:34, 2], 5.0, atol=1e-9)


def test_diamond_adaptive_sourcing_shifts_to_the_working_supplier():
    _, fixed = simulate(diamond(1.5), [(DAMAGE, 0, 1.0, 3, 60, 0, 0.0, 0)], 70)
    _, adaptive = simulate(diamond(1.5), [(DAMAGE, 0, 1.0, 3, 60, 0, 0.0, 0)], 70, adaptive_sourcing=True)
    # shares settle at 0.95 / 0.05 (share_recovery 0.1 pulls the dead supplier back to 0.1 x its baseline half);
    # C orders its capacity, 10, plus its gap g / tau; S2 ships 0.95 of it: g = 10 - 0.95 (10 + g / 6)
    gap = 0.5 / (1.0 + 0.95 / 6.0)
    np.testing.assert_allclose(adaptive.firm_output[45:63, 2], 10.0 - gap, rtol=1e-9)
    assert fixed.firm_output[4:63, 2].max() < 0.99 * 10.0  # a supplier with a fixed half share cannot carry it


def test_closed_link_starves_its_customer_and_lead_factor_delays():
    cmap = serial(1)
    _, closed = simulate(cmap, [(CLOSE, 0, 1.0, 5, 4, 0, 0.0, 0)], 20)
    assert series_metrics(closed.chain_output[:, 0], 10.0, 5)["tts"] == 2
    _, slow = simulate(cmap, [(LEAD, 0, 3.0, 5, 4, 0, 0.0, 0)], 20)
    assert slow.firm_output[:, 1].min() < 10.0  # shipments of ticks 5..8 take 3 days


def test_demand_shock_scales_final_demand():
    _, tr = simulate(serial(3), [(DEMAND, 1, 0.5, 2, 3, 0, 0.0, 0)], 10)
    np.testing.assert_allclose(tr.chain_final_demand[:, 0], [10, 10, 5, 5, 5, 10, 10, 10, 10, 10])
    np.testing.assert_allclose(tr.firm_output[2:5, 1], 5.0)


def cycle():
    """A uses 0.2 B, B uses 0.5 A; final demand 10 of A and 5 of B."""
    return build_model(
        [
            {"id": "a", "category": "basic_material", "recipe": {"b": 0.2}},
            {"id": "b", "category": "basic_process", "recipe": {"a": 0.5}},
        ],
        [{"id": "A", "product": "a", "region": "r", "cover": 2.0}, {"id": "B", "product": "b", "region": "r", "cover": 4.0}],
        [{"supplier": "A", "customer": "B"}, {"supplier": "B", "customer": "A"}],
        [{"firm": "A", "units": 10.0}, {"firm": "B", "units": 5.0}],
    )


def test_cycle_baseline_and_propagation():
    cmap = cycle()
    np.testing.assert_allclose(cmap.outputs, [12.5 / 0.9, 5 + 0.2 * 12.5 / 0.9], rtol=1e-14)
    _, tr = simulate(cmap, [(DAMAGE, 0, 1.0, 10, 20, 0, 0.0, 0)], 60)
    b = tr.firm_output[:, 1]
    # A, stopped, orders less of B (its stock of b is not used), so B's output dips at once ...
    assert series_metrics(b, cmap.outputs[1], 10)["tts"] == 1
    # ... and B's 4 days of A's product, used at most at the baseline rate, run out no earlier than tick 15
    zero = np.flatnonzero(b == 0.0)
    assert len(zero) and zero[0] >= 10 + 4 + 1
    # both recover after the outage
    assert np.all(tr.firm_output[-1] >= 0.99 * cmap.outputs)
