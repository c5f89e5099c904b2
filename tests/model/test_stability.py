"""A stable steady state for every valid map (docs/model.md, A stable steady state): unshocked, every map the
loader accepts stays at baseline to 1e-9 for ten years, cyclic maps without cover included, under every rationing
rule; hypothesis draws the maps with random examples in CI too."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from naive import RATIONING_RULES, build_model, chain_maps
from simcore.chainmap.schema import Parameters
from simcore.compile import compile_model
from simcore.core.primitives import ShockTable
from simcore.engines.numba import run_numba
from simcore.engines.reference import run_reference
from simcore.engines.trajectories import T

TEN_YEARS = 3650


def assert_at_baseline(cmap, run, tr) -> None:
    np.testing.assert_allclose(tr.firm_output, np.broadcast_to(cmap.outputs, tr.firm_output.shape), rtol=1e-9)
    np.testing.assert_allclose(tr.chain_output, np.broadcast_to(run.chain_baseline, tr.chain_output.shape), rtol=1e-9)
    scale = cmap.outputs.sum()
    np.testing.assert_allclose(tr.totals[:, T["inventory"]], tr.start_inventory, rtol=1e-9, atol=1e-9 * scale)
    np.testing.assert_allclose(tr.totals[:, T["in_transit"]], tr.start_in_transit, rtol=1e-9, atol=1e-9 * scale)
    assert np.all(tr.totals[:, T["lost_sales"]] <= 1e-9 * tr.totals[:, T["final_demand"]])


@st.composite
def parameters(draw) -> Parameters:
    return Parameters(
        rationing=draw(st.sampled_from(RATIONING_RULES)),
        adaptive_sourcing=draw(st.booleans()),
        tau=draw(st.one_of(st.sampled_from([1.0, 2.0, 6.0]), st.floats(0.5, 12.0))),
        final_demand_priority=draw(st.integers(0, 9)),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cmap=chain_maps(), params=parameters())
def test_every_map_stays_at_baseline_for_ten_years(cmap, params):
    run = compile_model(cmap, params, TEN_YEARS, ShockTable.from_rows([]))
    assert_at_baseline(cmap, run, run_numba(run, firm_trajectories=True))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cmap=chain_maps(max_firms=12), params=parameters())
def test_the_reference_stays_at_baseline_too(cmap, params):
    run = compile_model(cmap, params, 120, ShockTable.from_rows([]))
    assert_at_baseline(cmap, run, run_reference(run))


def uncovered_cycle() -> object:
    """Four products, each using 0.25-0.3 of two others, no cover anywhere: the map on which rounding used to grow
    about twofold a tick (docs/model.md, A stable steady state)."""
    products = [
        {"id": f"p{k}", "category": "basic_material", "recipe": {f"p{(k + 1) % 4}": 0.3, f"p{(k + 2) % 4}": 0.25}} for k in range(4)
    ]
    firms = [{"id": f"f{k}", "product": f"p{k}", "region": "r"} for k in range(4)]
    links = [{"supplier": f"f{q}", "customer": f"f{k}"} for k in range(4) for q in ((k + 1) % 4, (k + 2) % 4)]
    demand = [{"firm": f"f{k}", "units": 10.0 + 3.7 * k} for k in range(4)]
    return build_model(products, firms, links, demand, defaults={"cover": 0.0, "headroom": 0.0})


def test_the_uncovered_cycle_stays_at_baseline_under_every_rule():
    cmap = uncovered_cycle()
    for rule in RATIONING_RULES:
        for tau in (1.0, 6.0):
            run = compile_model(cmap, Parameters(rationing=rule, tau=tau), TEN_YEARS, ShockTable.from_rows([]))
            assert_at_baseline(cmap, run, run_numba(run))
