"""Invariants of the reference engine over random chain maps and random shocks (hypothesis)."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from naive import RATIONING_RULES, chain_maps, shock_rows
from simcore.chainmap.baseline import min_tau
from simcore.chainmap.schema import Parameters
from simcore.compile import compile_model
from simcore.core.timing import intensity
from simcore.engines.reference import _ReferenceSimulation, run_reference
from simcore.engines.trajectories import T
from simcore.core.primitives import DAMAGE, ShockTable

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
HORIZON = 30


def parameters(data, cmap) -> Parameters:
    """Parameters the loader accepts on `cmap`: tau at its stability limit or 6 days, whichever is more."""
    return Parameters(
        rationing=data.draw(st.sampled_from(RATIONING_RULES)),
        adaptive_sourcing=data.draw(st.booleans()),
        tau=max(min_tau(cmap.loop_gain), data.draw(st.sampled_from([1.0, 6.0]))),
    )


@SETTINGS
@given(cmap=chain_maps(), data=st.data())
def test_unshocked_system_stays_at_baseline(cmap, data):
    run = compile_model(cmap, parameters(data, cmap), HORIZON, ShockTable.from_rows([]))  # zero cover included
    tr = run_reference(run)
    np.testing.assert_allclose(tr.firm_output, np.broadcast_to(cmap.outputs, tr.firm_output.shape), rtol=1e-9)
    np.testing.assert_allclose(tr.chain_output, np.broadcast_to(run.chain_baseline, tr.chain_output.shape), rtol=1e-9)
    scale = cmap.outputs.sum()
    np.testing.assert_allclose(tr.totals[:, T["inventory"]], tr.start_inventory, rtol=1e-9, atol=1e-9 * scale)
    np.testing.assert_allclose(tr.totals[:, T["in_transit"]], tr.start_in_transit, rtol=1e-9, atol=1e-9 * scale)
    assert np.all(tr.totals[:, T["lost_sales"]] < 1e-9 * tr.totals[:, T["final_demand"]])


class CheckedSimulation(_ReferenceSimulation):
    """The reference engine, asserting after every tick: no negative stock, output within available capacity."""

    def _record(self, t, output, final_new, final_delivered):
        r = self.run_
        assert np.all(self.inventory >= 0.0)
        assert np.all(self.backlog >= 0.0)
        damage = np.zeros(r.n_firms)
        for s in np.flatnonzero(r.shock_kind == DAMAGE):
            level = intensity(t, r.shock_start[s], r.shock_duration[s], r.shock_profile[s], r.shock_param[s])
            damage[r.shock_target[s]] = max(damage[r.shock_target[s]], r.shock_value[s] * level)
        assert np.all(output <= r.capacity * (1.0 - damage) * (1 + 1e-12))
        assert np.all(output >= 0.0)
        super()._record(t, output, final_new, final_delivered)


@SETTINGS
@given(data=st.data())
def test_goods_are_conserved_and_stock_never_negative(data):
    cmap = data.draw(chain_maps())
    shocks = ShockTable.from_rows(data.draw(shock_rows(cmap, HORIZON)))
    run = compile_model(cmap, parameters(data, cmap), HORIZON, shocks)
    tr = CheckedSimulation(run, firm_trajectories=True).run()
    tot = tr.totals
    scale = max(1.0, tot[:, T["produced"]].max())
    # what is produced is shipped or delivered to final demand
    np.testing.assert_allclose(tot[:, T["produced"]], tot[:, T["shipped"]] + tot[:, T["final_delivered"]], atol=1e-9 * scale)
    # stocks change by arrivals less use; transit by shipments less arrivals
    inventory = np.concatenate([[tr.start_inventory], tot[:, T["inventory"]]])
    transit = np.concatenate([[tr.start_in_transit], tot[:, T["in_transit"]]])
    np.testing.assert_allclose(np.diff(inventory), tot[:, T["arrived"]] - tot[:, T["consumed"]], atol=1e-9 * scale)
    np.testing.assert_allclose(np.diff(transit), tot[:, T["shipped"]] - tot[:, T["arrived"]], atol=1e-9 * scale)
    # over the horizon: produced = delivered + consumed + change in stock + change in transit
    np.testing.assert_allclose(
        tot[:, T["produced"]].sum(),
        tot[:, T["final_delivered"]].sum() + tot[:, T["consumed"]].sum() + (inventory[-1] - inventory[0]) + (transit[-1] - transit[0]),
        rtol=1e-9,
    )
    # final demand is met, backlogged or lost: nothing else
    backlog = np.concatenate([[0.0], tot[:, T["backlog"]]])
    np.testing.assert_allclose(
        tot[:, T["final_demand"]] + backlog[:-1], tot[:, T["final_delivered"]] + tot[:, T["lost_sales"]] + backlog[1:], atol=1e-9 * scale
    )
