"""A stable steady state for every valid map (docs/model.md, A stable steady state): unshocked, every map the
loader accepts stays at baseline to 1e-9 for ten years, cyclic maps without cover included, under every rationing
rule; hypothesis draws the maps with random examples in CI too."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pytest

from naive import RATIONING_RULES, build_model, chain_maps
from simcore.chainmap.baseline import min_tau
from simcore.chainmap.schema import Parameters
from simcore.errors import InputError
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
def parameters(draw, cmap) -> Parameters:
    """Any parameters the loader accepts on `cmap`: tau at or above its stability limit (often right at it)."""
    limit = min_tau(cmap.loop_gain)
    return Parameters(
        rationing=draw(st.sampled_from(RATIONING_RULES)),
        adaptive_sourcing=draw(st.booleans()),
        tau=draw(st.one_of(st.just(limit), st.floats(limit, limit + 8.0))),
        final_demand_priority=draw(st.integers(0, 9)),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_every_map_stays_at_baseline_for_ten_years(data):
    cmap = data.draw(chain_maps())
    run = compile_model(cmap, data.draw(parameters(cmap)), TEN_YEARS, ShockTable.from_rows([]))
    assert_at_baseline(cmap, run, run_numba(run, firm_trajectories=True))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_the_reference_stays_at_baseline_too(data):
    cmap = data.draw(chain_maps(max_firms=12))
    run = compile_model(cmap, data.draw(parameters(cmap)), 120, ShockTable.from_rows([]))
    assert_at_baseline(cmap, run, run_reference(run))


def two_firm_loop(a: float, tau: float | None = None):
    """f0 uses a of f1's product and f1 a of f0's, no cover, lead time 0 (one tick): the loop's gain is a."""
    products = [{"id": "p0", "category": "basic_material", "recipe": {"p1": a}}, {"id": "p1", "category": "basic_material", "recipe": {"p0": a}}]
    firms = [{"id": "f0", "product": "p0", "region": "r"}, {"id": "f1", "product": "p1", "region": "r"}]
    links = [{"supplier": "f1", "customer": "f0", "lead_time": 0.0}, {"supplier": "f0", "customer": "f1", "lead_time": 0.0}]
    extra = {"parameters": {"tau": tau}} if tau is not None else {}
    return build_model(products, firms, links, [{"firm": "f0", "units": 1.0}], defaults={"cover": 0.0}, **extra)


def test_below_the_limit_the_steady_state_oscillates_and_the_loader_refuses_it(tmp_path):
    """The counter-example of docs/model.md (A stable steady state): gain 0.8125, limit 1 / (1 - 0.8125) = 5.33 days.
    At tau = 3 rounding grows into an oscillation that stops the loop; at the limit it stays at baseline."""
    cmap = two_firm_loop(0.8125)
    assert cmap.loop_gain == pytest.approx(0.8125) and min_tau(cmap.loop_gain) == pytest.approx(16 / 3)
    fast = compile_model(cmap, Parameters(tau=3.0, rationing="proportional"), 2000, ShockTable.from_rows([]))
    assert np.abs(run_numba(fast).firm_output / cmap.outputs - 1.0).max() > 0.1
    for rule in RATIONING_RULES:
        at_limit = compile_model(cmap, Parameters(tau=16 / 3, rationing=rule), TEN_YEARS, ShockTable.from_rows([]))
        assert_at_baseline(cmap, at_limit, run_numba(at_limit))
    with pytest.raises(InputError) as refused:
        two_firm_loop(0.8125, tau=3.0)
    (problem,) = refused.value.problems
    assert problem.field == "parameters.tau" and problem.value == 3.0
    assert "at least 5.334 days on this map" in problem.expected and "gain 0.8125" in problem.expected


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
        for tau in (min_tau(cmap.loop_gain), 6.0):
            run = compile_model(cmap, Parameters(rationing=rule, tau=tau), TEN_YEARS, ShockTable.from_rows([]))
            assert_at_baseline(cmap, run, run_numba(run))
