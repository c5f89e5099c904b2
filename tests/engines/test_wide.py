"""One big run on all threads (`kernels.simulate_wide`): bit for bit `kernels.simulate`, however the firms are
split into ranges. Random maps, parameters, shocks of every kind and timed policies with hypothesis, random cut
points (empty ranges and one firm per range included); every shipped scenario; and when the split is used."""

from __future__ import annotations

import threading
from pathlib import Path

import numba
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from naive import chain_maps, shock_rows

import simcore
from simcore.compile import compile_model
from simcore.core.primitives import ShockTable
from simcore.engines.numba import engine, run_numba
from test_lanes import HORIZON, run_parameters, set_rows

ROOT = Path(__file__).resolve().parents[2]
wide_chunks = engine.wide_chunks  # run_split patches the engine's


def run_split(run, chunk_ptr, monkeypatch):
    """`run_numba(run)` with its firms split at `chunk_ptr` (None: the serial kernel)."""
    monkeypatch.setattr(engine, "wide_chunks", lambda r: None if chunk_ptr is None else np.asarray(chunk_ptr, dtype=np.int64))
    return run_numba(run, firm_trajectories=True)


def assert_bitwise_equal(a, b) -> None:
    assert (a.start_inventory, a.start_in_transit) == (b.start_inventory, b.start_in_transit)
    for name, x in a.arrays().items():
        assert np.array_equal(x, getattr(b, name)), name


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(cmap=chain_maps(), data=st.data())
def test_split_runs_are_the_serial_run(cmap, data, monkeypatch):
    params = data.draw(run_parameters())
    base = compile_model(cmap, params, HORIZON, ShockTable.empty())
    run = base.with_shocks(ShockTable.from_rows(data.draw(shock_rows(cmap, HORIZON)) + data.draw(set_rows(cmap, base.n_slots))))
    n = run.n_firms
    cuts = sorted(data.draw(st.lists(st.integers(0, n), min_size=1, max_size=5)))
    assert_bitwise_equal(run_split(run, None, monkeypatch), run_split(run, [0, *cuts, n], monkeypatch))


SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))


@pytest.mark.parametrize("scenario", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_scenarios_split_are_serial(scenario, monkeypatch):
    """Each variant's run, split over two and three ranges of about equal work, as the engine splits them."""
    from simcore.montecarlo.batch import prepare

    for p in prepare(simcore.load_scenario(scenario)):
        serial = run_split(p.run, None, monkeypatch)
        for threads in (2, 3):
            assert_bitwise_equal(serial, run_split(p.run, wide_chunks(p.run, threads=threads, at_least=0), monkeypatch))


def test_when_a_run_is_split():
    """Only a big map, on more than one thread, called from the main thread; ranges of about equal work."""
    from simcore.montecarlo.batch import prepare

    run = prepare(simcore.load_scenario(ROOT / "scenarios" / "ev_chip_embargo.toml"))[0].run
    assert run.n_firms < engine.WIDE_FIRMS and engine.wide_chunks(run, threads=2) is None
    assert engine.wide_chunks(run, threads=1, at_least=0) is None
    chunks = engine.wide_chunks(run, threads=2, at_least=0)
    assert chunks[0] == 0 and chunks[-1] == run.n_firms and len(chunks) == 3
    work = 1 + np.diff(run.slot_ptr) + np.diff(run.slot_link_ptr[run.slot_ptr])
    halves = [work[a:b].sum() for a, b in zip(chunks[:-1], chunks[1:])]
    assert abs(halves[0] - halves[1]) <= work.max()
    seen = []
    worker = threading.Thread(target=lambda: seen.append(engine.wide_chunks(run, threads=2, at_least=0)))
    worker.start()
    worker.join()
    assert seen == [None]


def test_a_big_map_runs_split(monkeypatch):
    """`run_numba` takes the split kernel for a map at or above `WIDE_FIRMS` when Numba has threads."""
    from simcore.engines.numba import kernels
    from simcore.montecarlo.batch import prepare

    run = prepare(simcore.load_scenario(ROOT / "scenarios" / "ev_chip_embargo.toml"))[0].run
    called = []
    wide = kernels.simulate_wide
    monkeypatch.setattr(kernels, "simulate_wide", lambda *args: called.append(args[-1]) or wide(*args))
    monkeypatch.setattr(engine, "WIDE_FIRMS", run.n_firms)
    previous = numba.get_num_threads()
    numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
    try:
        run_numba(run)
    finally:
        numba.set_num_threads(previous)
    assert len(called) == (1 if numba.config.NUMBA_NUM_THREADS > 1 else 0)
