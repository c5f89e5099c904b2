"""Rationing that cannot deadlock (docs/model.md, Rationing; Recovery): after every shock has ended, chains come
back to 99% of baseline within a bounded time, on random maps and on the two-firm cycle that used to stay down."""

from __future__ import annotations

from pathlib import Path

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from naive import build_model, chain_maps, compile_rows
from simcore.chainmap.baseline import min_tau
from simcore.core.primitives import DAMAGE, DEMAND, EXPONENTIAL, LINEAR, STEP
from simcore.engines.numba import run_numba
from simcore.engines.reference import run_reference
from naive import assert_same_numbers

SHOCK_WINDOW = 60  # every shock starts and ends (at full intensity) in these days
RECOVERY_BOUND = 365  # days after the window by which every chain must be back
DEADLOCK_FREE = [("mixed", {}), ("priority", {"final_demand_priority": 9})]  # final demand after every firm's order


def master_tiers(draw, run):
    """Tiers as `stabilize_chain_master` sets them (docs/policies.md): a few final-demand firms are the masters,
    the links into them (and, with `extend_to_tiers = 1`, into their suppliers) in tier 0, every other link in
    tier 1, final demand in tier 1."""
    finals = np.flatnonzero(run.final_demand > 0).tolist()
    masters = np.array(sorted(draw(st.sets(st.sampled_from(finals), min_size=1, max_size=3))))
    supported = masters
    if draw(st.booleans()):  # extend_to_tiers = 1
        supported = np.union1d(masters, run.link_supplier[np.isin(run.link_customer, masters)])
    return dataclasses.replace(run, link_tier=np.where(np.isin(run.link_customer, supported), 0, 1), final_tier=1)


def ending_shocks(draw, cmap):
    """Damage and demand shocks inside the window, profiles that have run out (or nearly: half-lives <= 8) by its end."""
    rows = []
    for k in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from([DAMAGE, DAMAGE, DEMAND]))
        target = draw(st.integers(0, len(cmap.firms) - 1))
        value = draw(st.floats(0.3, 1.0)) if kind == DAMAGE else draw(st.floats(0.2, 2.0))
        profile = draw(st.sampled_from([STEP, LINEAR, EXPONENTIAL]))
        param = 0.0 if profile == STEP else draw(st.floats(1.0, 8.0))
        start = draw(st.floats(0.0, 20.0))
        rows.append((kind, target, value, start, draw(st.floats(1.0, 30.0)), profile, param, k))
    return rows


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_random_maps_recover_after_their_shocks(data):
    """Maps with cover >= 1 day and headroom > 0 everywhere, under the default rule (`mixed`) and under `priority` with
    final demand after every firm's orders: the map's own random per-link tiers, or the tiers
    `stabilize_chain_master` sets."""
    cmap = data.draw(chain_maps(cover=st.floats(1.0, 8.0), headroom=st.floats(0.05, 0.5)))
    rows = ending_shocks(data.draw, cmap)
    rule = data.draw(st.sampled_from(["mixed", "priority", "priority for masters"]))
    tau = data.draw(st.floats(max(min_tau(cmap.loop_gain), 2.0), 10.0))
    run = compile_rows(cmap, rows, SHOCK_WINDOW + RECOVERY_BOUND, rationing=rule.split()[0], tau=tau)
    if rule == "priority":  # final demand in a tier at or after every firm's order
        run = dataclasses.replace(run, final_tier=data.draw(st.integers(int(run.link_tier.max(initial=0)), 9)))
    if rule == "priority for masters":
        run = master_tiers(data.draw, run)
    tr = run_numba(run)
    chains = run.chain_baseline > 0  # a named chain may have no final-demand firm
    ratio = tr.chain_output[:, chains] / run.chain_baseline[chains]
    assert np.all(ratio[-30:] >= 0.99), (rule, ratio[-30:].min(axis=0))


def cycle(cover: float = 2.0):
    """A uses 0.2 b, B uses 0.5 a; final demand 10 of A and 5 of B; no headroom beyond 10%."""
    return build_model(
        [
            {"id": "a", "category": "basic_material", "recipe": {"b": 0.2}},
            {"id": "b", "category": "basic_process", "recipe": {"a": 0.5}},
        ],
        [{"id": "A", "product": "a", "region": "r", "cover": cover}, {"id": "B", "product": "b", "region": "r", "cover": cover}],
        [{"supplier": "A", "customer": "B"}, {"supplier": "B", "customer": "A"}],
        [{"firm": "A", "units": 10.0}, {"firm": "B", "units": 5.0}],
    )


@pytest.mark.parametrize("rule, extra", [*DEADLOCK_FREE, ("priority", {})])
def test_the_two_firm_cycle_recovers_from_a_20_day_outage(rule, extra):
    """The case that never recovered when orders were capped at capacity: A stops for 20 days; both firms are back
    at 99% of baseline soon after, and for good."""
    cmap = cycle()
    run = compile_rows(cmap, [(DAMAGE, 0, 1.0, 10, 20, STEP, 0.0, 0)], 120, rationing=rule, **extra)
    tr = run_reference(run)
    assert_same_numbers(run, tr, run_numba(run))
    back = np.all(tr.firm_output >= 0.99 * cmap.outputs, axis=1)
    first_back = 30 + int(np.argmax(back[30:]))
    assert back[first_back:].all() and first_back <= 30 + 30


def test_proportional_rationing_can_deadlock_a_cycle():
    """The counter-example of docs/model.md (Rationing). A stops for 20 days. Restarted, it ships B only B's share of
    its output against A's whole final backlog; B, short of a, ships A too little b, and the loop winds down to
    nothing for good. Mixed rationing, which serves orders for intermediate goods first, brings both back."""
    cmap = cycle(cover=2.0)
    shock = [(DAMAGE, 0, 1.0, 10, 20, STEP, 0.0, 0)]
    tr = run_numba(compile_rows(cmap, shock, 400, rationing="proportional"))
    assert tr.firm_output[-50:].max() < 1e-6 * cmap.outputs.min()
    mixed = run_numba(compile_rows(cmap, shock, 400, rationing="mixed"))
    assert np.all(mixed.firm_output[-50:] >= 0.99 * cmap.outputs)


def test_final_demand_ahead_of_firms_orders_holds_the_cycle_down():
    """The counter-example for `priority` with final demand in a tier ahead of firms' orders (docs/model.md,
    Rationing): no cover, A stops for 20 days. Each firm serves the intermediate part of the other's order (B's 36%,
    A's 28%), then its own final backlog (tier 0), and the other's part for final goods last, so each firm gets
    only what the other's intermediate sales need: the loop settles at 34% and 43% of baseline for good (it went to
    0 when a tier's orders were one group). `stabilize_chain_master` is refused in this configuration."""
    cmap = cycle(cover=0.0)
    run = compile_rows(cmap, [(DAMAGE, 0, 1.0, 10, 20, STEP, 0.0, 0)], 400, rationing="priority", final_demand_priority=0)
    tr = run_reference(run)
    assert_same_numbers(run, tr, run_numba(run))
    ratio = tr.firm_output[-300:] / cmap.outputs
    np.testing.assert_allclose(ratio.min(axis=0), ratio.max(axis=0), rtol=1e-9)
    assert np.all(ratio[-1] < [0.35, 0.44]) and np.all(ratio[-1] > [0.33, 0.42])


@pytest.mark.parametrize("rule, extra", [*DEADLOCK_FREE, ("priority", {})])
def test_a_dense_loop_recovers_from_a_partial_outage(rule, extra):
    """A map hypothesis drew (19 firms, every product in several loops, cover 1 day, headroom 5%): f0_0 loses 30% of
    its capacity for 30 days. Its output p0 goes to the loop's makers (f5_0, f6_0, ...) and to makers of final goods
    only (f5_2, f5_3). When firms' orders were one group, the final-goods makers took their baseline share of every
    scarce input and the loop contracted to zero output by day 80 under every rule. Orders for intermediate goods
    served first (docs/model.md, Rationing) keep the loop at 92.6% during the outage and bring it back for good."""
    from simcore.chainmap import load_model

    cmap = load_model(Path(__file__).parents[1] / "data" / "dense_loop.toml")
    run = compile_rows(cmap, [(DAMAGE, 0, 0.3, 0.0, 29.52, STEP, 0.0, 0)], 220, rationing=rule, tau=2.0, **extra)
    tr = run_reference(run)
    assert_same_numbers(run, tr, run_numba(run))
    ratio = tr.chain_output[:, 0] / run.chain_baseline[0]
    assert ratio[5:29].min() > 0.92
    assert np.all(ratio[-150:] >= 0.99), ratio[[20, 40, 80, 219]]


def test_proportional_rationing_contracts_the_dense_loop():
    """The counter-example for `proportional` (docs/model.md, Rationing): one group for every order and final
    demand, so the final-goods makers keep their share of p0 and the loop winds down to nothing."""
    from simcore.chainmap import load_model

    cmap = load_model(Path(__file__).parents[1] / "data" / "dense_loop.toml")
    run = compile_rows(cmap, [(DAMAGE, 0, 0.3, 0.0, 29.52, STEP, 0.0, 0)], 220, rationing="proportional", tau=2.0)
    ratio = run_numba(run).chain_output[:, 0] / run.chain_baseline[0]
    assert ratio[-30:].max() < 1e-3


@pytest.mark.parametrize("final_priority", [0, 1, 9])
def test_priority_with_the_maps_own_tiers_recovers_a_loop_that_cycled(final_priority):
    """A map hypothesis drew (per-link tiers 0 and 1), f0_0 at 30% for two days. When a tier's orders were one
    group, tier-0 orders of makers of final goods came before the tier-1 orders that feed the loop, and the chain
    swung between about 30% and 101% of baseline every 150 days, for good. With every tier's orders for
    intermediate goods served before any order for final goods (docs/model.md, Rationing) it is back within days."""
    from simcore.chainmap import load_model

    cmap = load_model(Path(__file__).parents[1] / "data" / "priority_loop.toml")
    shock = [(DAMAGE, 0, 0.7001680838980997, 0.0, 2.0, STEP, 0.0, 0)]
    run = compile_rows(cmap, shock, 425, rationing="priority", final_demand_priority=final_priority, tau=2.0)
    tr = run_reference(run)
    assert_same_numbers(run, tr, run_numba(run))
    assert np.all(tr.chain_output[20:, 0] / run.chain_baseline[0] >= 0.99)
