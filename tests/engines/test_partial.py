"""Partial simulation (simcore/engines/numba/partial.py): a replication that simulates only the firms its shocks
reach gives bit for bit the whole-map numbers, on random maps and shocks of every kind, under every rationing rule,
with and without adaptive sourcing and timed policies, and on every shipped model and scenario.

`engine.PARTIAL_LIMIT` above 1 keeps every replication partial to its end (none gives up), so the comparison is
with the partial kernel itself, not with the lanes kernel it falls back to.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numba
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from naive import chain_maps, shock_rows
from test_lanes import BATCH_SERIES, HORIZON, run_parameters, set_rows

from simcore.compile import compile_model
from simcore.core.primitives import DAMAGE, SOURCE, STEP, ShockTable
from simcore.engines.numba import engine, run_numba
from simcore.engines.numba.engine import _batch_calendar, _lane_record, _run_partial
from simcore.engines.trajectories import BatchTrajectories
from simcore.scenario.policies import _schedule

ROOT = Path(__file__).parents[2]


def partial_batch(run, tables) -> tuple[BatchTrajectories, np.ndarray]:
    """Every table as a partial simulation to its end: the batch and each replication's share of the work."""
    rows = [run.shock_columns(table) for table in tables]
    calendar, row_ptr = _batch_calendar(run, rows)
    out = BatchTrajectories.allocate(len(rows), run.horizon, len(run.chain_names), run.n_firms)
    touch = np.concatenate([run.own_rows(table) for table in tables])
    done = _run_partial(run, engine.record_baseline(run), calendar, touch, row_ptr, _lane_record(out, 0, len(rows)))
    return out, done


def assert_partial_is_whole(run, tables) -> np.ndarray:
    """Each partial replication's series equal the whole-map single run's; returns the shares of work done."""
    out, done = partial_batch(run, tables)
    assert (done >= 0).all() and (done <= 1.0 + 1e-12).all()
    for k, table in enumerate(tables):
        single = run_numba(run.with_shocks(table), firm_trajectories=False)
        for name in BATCH_SERIES:
            assert np.array_equal(getattr(out, name)[k], getattr(single, name)), (k, name)
    return done


@pytest.fixture
def no_giving_up(monkeypatch):
    monkeypatch.setattr(engine, "PARTIAL_LIMIT", 2.0)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(cmap=chain_maps(), data=st.data())
def test_partial_replications_equal_whole_map_runs(cmap, data, no_giving_up):
    """Random maps, parameters, shock rows of every kind and profile, and the replications' own timed-policy rows."""
    params = data.draw(run_parameters())
    run = compile_model(cmap, params, HORIZON, ShockTable.empty())
    tables = [ShockTable.from_rows(data.draw(shock_rows(cmap, HORIZON, max_rows=4)) + data.draw(set_rows(cmap, run.n_slots))) for _ in range(data.draw(st.integers(1, 4)))]
    assert_partial_is_whole(run, tables)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(cmap=chain_maps(), data=st.data())
def test_partial_replications_replay_the_runs_timed_policies(cmap, data, no_giving_up):
    """Timed policies of the compiled run (a variant's: in its baseline record too) under the replications' shocks."""
    params = data.draw(run_parameters())
    run = compile_model(cmap, params, HORIZON, ShockTable.empty())
    rows = [row[:-1] for row in data.draw(set_rows(cmap, run.n_slots))]  # map-level targets: a SOURCE row's is a map link
    run = _schedule(run, [(kind, int(run.link_position[target]) if kind == SOURCE else target, *rest) for kind, target, *rest in rows])
    tables = [ShockTable.from_rows(data.draw(shock_rows(cmap, HORIZON, max_rows=3))) for _ in range(3)]
    assert_partial_is_whole(run, tables)


def test_an_unreached_part_of_the_map_is_not_simulated(no_giving_up):
    """Two copies of a chain side by side, one knocked out: the other copy is never simulated (its work is not
    counted), and no shock at all simulates nothing."""
    from naive import build_model

    products = [{"id": "ore", "category": "basic_material"}, {"id": "part", "category": "basic_process", "recipe": {"ore": 1.0}},
                {"id": "car", "category": "basic_process", "recipe": {"part": 2.0}}]  # fmt: skip
    firms, links, demand = [], [], []
    for side in "ab":
        firms += [{"id": f"{side}-{p['id']}", "product": p["id"], "region": "r"} for p in products]
        links += [{"supplier": f"{side}-ore", "customer": f"{side}-part", "lead_time": 2.0}, {"supplier": f"{side}-part", "customer": f"{side}-car", "lead_time": 3.0}]
        demand += [{"firm": f"{side}-car", "units": 10.0}]
    cmap = build_model(products, firms, links, demand)
    run = compile_model(cmap, cmap.parameters, 30, ShockTable.empty())
    knock = ShockTable.from_rows([(DAMAGE, 1, 1.0, 5.0, 10.0, STEP, 0.0, 0)]) # a's mill, days 5-15
    done = assert_partial_is_whole(run, [knock, ShockTable.empty()])
    work = engine.record_baseline(run).work
    side_a = work[:3].sum() / work.sum()
    assert done[1] == 0.0
    assert 0.0 < done[0] <= side_a * 25 / 30  # side a from day 5 at the latest, side b never


SHIPPED_MODELS = sorted((ROOT / "models").glob("*.toml"))


@pytest.mark.parametrize("path", SHIPPED_MODELS, ids=lambda p: p.stem)
def test_knock_outs_of_every_shipped_model(path, no_giving_up):
    """Each shipped model under its own parameters: 30-day knock-outs of up to 12 firms spread over the map."""
    from simcore.chainmap.load import load_model

    cmap = load_model(path)
    run = compile_model(cmap, cmap.parameters, 90, ShockTable.empty())
    firms = np.unique(np.linspace(0, run.n_firms - 1, min(12, run.n_firms)).astype(int))
    tables = [ShockTable.from_rows([(DAMAGE, int(k), 1.0, 0.0, 30.0, STEP, 0.0, 0)]) for k in firms]
    done = assert_partial_is_whole(run, tables)
    assert done.min() < 1.0  # some knock-out leaves part of the map alone


SHIPPED_SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))


@pytest.mark.parametrize("path", SHIPPED_SCENARIOS, ids=lambda p: p.stem)
def test_replications_of_every_shipped_scenario(path, no_giving_up):
    """Each shipped scenario's variants (their timed policies) and three of its drawn replications."""
    from simcore import load_scenario
    from simcore.montecarlo.batch import prepare

    scenario = load_scenario(path)
    for p in prepare(scenario):
        assert_partial_is_whole(p.run, [scenario.sampler.draw(scenario.seed, k).apply(p.shocks) for k in range(3)])


def test_batches_give_up_and_fall_back_to_the_whole_map(monkeypatch):
    """A limit no replication stays under: every one gives up, runs again in lanes, and the batch is still the
    single runs'; after the probe the run's batches skip partial simulation."""
    from simcore.chainmap.load import load_model

    cmap = load_model(ROOT / "models" / "ev_chain.toml")
    run = compile_model(cmap, cmap.parameters, 60, ShockTable.empty())
    tables = [ShockTable.from_rows([(DAMAGE, k, 1.0, 0.0, 20.0, STEP, 0.0, 0)]) for k in range(0, run.n_firms, 15)]
    monkeypatch.setattr(engine, "PARTIAL_LIMIT", 1e-9)
    batch = engine.run_numba_batch(run, tables, partial=True)
    plan = engine._plans[run]
    assert plan.tried == engine.PARTIAL_PROBE and plan.gave_up == engine.PARTIAL_PROBE and not plan.usable
    assert engine.partial_for(run) is None
    for k, table in enumerate(tables):
        single = run_numba(run.with_shocks(table), firm_trajectories=False)
        for name in BATCH_SERIES:
            assert np.array_equal(getattr(batch, name)[k], getattr(single, name)), (k, name)


@pytest.mark.parametrize("threads", [1, 2])
def test_batches_mix_partial_and_whole_replications(threads, monkeypatch):
    """The default limit on Willems chain 38's firm knock-outs: most replications stay partial, the widest give
    up and run in lanes; every one equals its single run, serial and in parallel."""
    from simcore.chainmap.load import load_model

    cmap = load_model(ROOT / "models" / "willems_38.toml")
    run = compile_model(cmap, cmap.parameters, 60, ShockTable.empty())
    tables = [ShockTable.from_rows([(DAMAGE, k, 1.0, 0.0, 30.0, STEP, 0.0, 0)]) for k in range(0, run.n_firms, 101)]
    previous = numba.get_num_threads()
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    try:
        batch = engine.run_numba_batch(run, tables, partial=True)
    finally:
        numba.set_num_threads(previous)
    plan = engine._plans[run]
    assert plan.tried == len(tables) and plan.usable
    for k, table in enumerate(tables):
        single = run_numba(run.with_shocks(table), firm_trajectories=False)
        for name in BATCH_SERIES:
            assert np.array_equal(getattr(batch, name)[k], getattr(single, name)), (k, name)


def test_only_callers_that_ask_get_partial_simulation():
    """Monte Carlo batches (no `partial`) run in lanes and record no baseline; a stress test's knock-outs ask
    when its setup says so."""
    from simcore.chainmap.load import load_model
    from simcore.knockouts import stress_chunk
    from simcore.stress import setup_stress

    cmap = load_model(ROOT / "models" / "ev_chain.toml")
    run = compile_model(cmap, cmap.parameters, 30, ShockTable.empty())
    engine.run_numba_batch(run, [ShockTable.from_rows([(DAMAGE, 0, 1.0, 0.0, 5.0, STEP, 0.0, 0)])])
    assert run not in engine._plans
    small, _ = setup_stress(ROOT / "models" / "ev_chain.toml", by="firm", horizon=30, sample=4, seed=1)
    assert not small.partial
    stress_chunk(small, 0, 4)
    assert small.run not in engine._plans
    asking = dataclasses.replace(small, partial=True)
    stress_chunk(asking, 0, 4)
    assert engine._plans[asking.run].tried == 4


def test_stress_tests_ask_for_partial_simulation_from_their_size(monkeypatch):
    """`knockouts.PARTIAL_FIRM_DAYS`: units x firms x days at least this asks (below, the partial kernels' compile
    would cost more than they save); the threshold itself is large (Willems 38 by firm over 365 days asks, over
    30 days it does not)."""
    from simcore import knockouts
    from simcore.stress import setup_stress

    path = ROOT / "models" / "ev_chain.toml"
    setup, cmap = setup_stress(path, by="firm", horizon=40, sample=10, seed=1)
    size = 10 * len(cmap.firms) * 40
    monkeypatch.setattr(knockouts, "PARTIAL_FIRM_DAYS", size)
    assert setup_stress(path, by="firm", horizon=40, sample=10, seed=1)[0].partial
    assert not setup_stress(path, by="firm", horizon=39, sample=10, seed=1)[0].partial
    assert not setup_stress(path, by="firm", horizon=40, sample=9, seed=1)[0].partial
    monkeypatch.undo()
    from simcore.chainmap.load import load_model

    willems = load_model(ROOT / "models" / "willems_38.toml")
    year, month = (compile_model(willems, willems.parameters, days, ShockTable.empty()) for days in (365, 30))
    assert knockouts.asks_partial(year, len(willems.firms)) and not knockouts.asks_partial(month, len(willems.firms))
