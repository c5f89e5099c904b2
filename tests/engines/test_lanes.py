"""Batches run in lanes (simcore/engines/numba/lanes.py): each replication bit for bit a single run of
`kernels.simulate` on its own shock rows, whatever the group it ran in and its neighbours' shocks.

Random maps, parameters and shock tables of every kind (timed-policy rows
included) with hypothesis; group widths from 1 to wider than the batch, so
full and partial groups both occur.
"""

from __future__ import annotations

import numba
import numpy as np
import pytest
from naive import RATIONING_RULES, chain_maps, shock_rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simcore.chainmap.schema import Parameters
from simcore.compile import compile_model
from simcore.core.primitives import CAPACITY, DAMAGE, SOURCE, TARGET, ShockTable
from simcore.engines.numba import engine, lanes, run_numba

HORIZON = 40
BATCH_SERIES = ("chain_output", "chain_final_demand", "chain_final_delivered", "firm_min_ratio")


def run_parameters():
    """The parameters a kernel reads: rationing rule, adaptive sourcing, `tau`, share recovery."""
    return st.builds(
        Parameters,
        rationing=st.sampled_from(RATIONING_RULES),
        adaptive_sourcing=st.booleans(),
        tau=st.sampled_from([1.0, 4.5]),
        share_recovery=st.floats(0.0, 1.0),
    )


@st.composite
def set_rows(draw, cmap, n_slots: int, max_rows: int = 3):
    """Timed-policy rows: a link's new share, added target stock on a slot, added capacity on a firm (which
    then loses half its capacity for a while, so that the added capacity binds)."""
    rows = []
    for k in range(draw(st.integers(0, max_rows))):
        kind = draw(st.sampled_from([SOURCE, TARGET, CAPACITY] if cmap.links else [CAPACITY]))
        target = {SOURCE: lambda: draw(st.integers(0, len(cmap.links) - 1)), TARGET: lambda: draw(st.integers(0, n_slots - 1)), CAPACITY: lambda: draw(st.integers(0, len(cmap.firms) - 1))}[kind]()
        value = draw(st.floats(0.05, 1.0)) if kind == SOURCE else draw(st.floats(0.0, 30.0))
        start = float(draw(st.integers(0, HORIZON)))
        rows.append((kind, target, value, start, 0.0, 0, 0.0, 100 + k))
        if kind == CAPACITY:
            rows.append((DAMAGE, target, 0.5, start, 10.0, 0, 0.0, 200 + k))
    return rows


def assert_batch_is_single_runs(run, tables) -> None:
    batch = engine.run_numba_batch(run, tables)
    for k, table in enumerate(tables):
        single = run_numba(run.with_shocks(table), firm_trajectories=False)
        for name in BATCH_SERIES:
            assert np.array_equal(getattr(batch, name)[k], getattr(single, name)), (k, name)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(cmap=chain_maps(), data=st.data())
def test_each_lane_is_a_single_run(cmap, data, monkeypatch):
    params = data.draw(run_parameters())
    run = compile_model(cmap, params, HORIZON, ShockTable.empty())
    tables = [ShockTable.from_rows(data.draw(shock_rows(cmap, HORIZON)) + data.draw(set_rows(cmap, run.n_slots))) for _ in range(data.draw(st.integers(1, 7)))]
    monkeypatch.setattr(lanes, "LANES", data.draw(st.sampled_from([1, 2, 3, 8])))
    assert_batch_is_single_runs(run, tables)


@pytest.mark.parametrize("threads", [1, 2])
def test_flagship_replications_in_lanes_equal_single_runs(threads, monkeypatch):
    """A real scenario's drawn replications, 11 in groups of 4 (4 + 4 + 3), serial and in parallel."""
    from pathlib import Path

    from simcore import load_scenario
    from simcore.montecarlo.batch import prepare

    scenario = load_scenario(Path(__file__).parents[2] / "scenarios" / "ev_chip_embargo.toml")
    monkeypatch.setattr(lanes, "LANES", 4)
    previous = numba.get_num_threads()
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    try:
        for p in prepare(scenario)[::2]:  # as-is; priority + adaptive sourcing
            assert_batch_is_single_runs(p.run, [scenario.sampler.draw(scenario.seed, k).apply(p.shocks) for k in range(11)])
    finally:
        numba.set_num_threads(previous)


def test_group_width_is_bounded_by_memory():
    """The flagship gets the widest groups; a map whose lane state is larger gets narrower ones, down to one lane."""
    from dataclasses import replace
    from pathlib import Path

    from simcore import load_scenario
    from simcore.montecarlo.batch import prepare

    run = prepare(load_scenario(Path(__file__).parents[2] / "scenarios" / "ev_chip_embargo.toml"))[0].run
    assert engine.lanes_for(run) == lanes.LANES
    huge = replace(run, link_lead=run.link_lead * 2**14)  # a ring of 2**20 ticks: 4 GB a lane
    assert engine.lanes_for(huge) == 1
