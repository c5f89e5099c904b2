"""The Numba engine reproduces the SimPy reference: every array of Trajectories, to 1e-9.

Hand-made maps (serial, diamond, cycle) with every shock kind and recovery
profile, fractional lead times, both rationing rules and adaptive sourcing;
then a hypothesis property over random maps and shock sets; then the kernels
run as plain Python (NUMBA_DISABLE_JIT=1) so their logic is checked without
the compiler in between.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import strategies as st

from naive import RATIONING_RULES, EXPONENTIAL, GOOD, LINEAR, PART, STEP, assert_same_numbers, build_model, compile_rows, write_model
from simcore.chainmap import load_model
from simcore.generate import generate_map, write_map
from simcore.compile import compile_model
from simcore.engines.numba import run_numba
from simcore.engines.reference import run_reference
from simcore.core.primitives import CLOSE, DAMAGE, DEMAND, LEAD, ShockTable


def assert_engines_agree(run, firm_trajectories: bool = True) -> None:
    assert_same_numbers(run, run_reference(run, firm_trajectories), run_numba(run, firm_trajectories))


# --- hand-made maps ------------------------------------------------------------------
def serial(lead: float = 1.0, cover: float = 3.0, headroom: float = 0.0):
    """S -> C, one part per good, 10 goods a day."""
    return build_model(
        [PART, GOOD],
        [{"id": "S", "product": "part", "region": "north"}, {"id": "C", "product": "good", "region": "south", "cover": cover}],
        [{"supplier": "S", "customer": "C", "lead_time": lead}],
        [{"firm": "C", "units": 10.0}],
        defaults={"headroom": headroom},
    )


def diamond(lead1: float = 1.0, lead2: float = 2.5, share1: float = 0.6):
    """Two suppliers of one part (different headroom and lead times) to two customers of different tiers."""
    return build_model(
        [PART, GOOD],
        [
            {"id": "S1", "product": "part", "region": "r1", "headroom": 0.1},
            {"id": "S2", "product": "part", "region": "r2", "headroom": 0.8},
            {"id": "C1", "product": "good", "region": "r1", "cover": 2.0, "priority": 0},
            {"id": "C2", "product": "good", "region": "r2", "cover": 1.0},
        ],
        [
            {"supplier": "S1", "customer": "C1", "share": share1, "lead_time": lead1},
            {"supplier": "S2", "customer": "C1", "share": 1 - share1, "lead_time": lead2},
            {"supplier": "S1", "customer": "C2", "share": 0.5, "lead_time": lead2},
            {"supplier": "S2", "customer": "C2", "share": 0.5, "lead_time": lead1},
        ],
        [{"firm": "C1", "units": 10.0}, {"firm": "C2", "units": 6.0}, {"firm": "S2", "units": 1.5}],
        defaults={"headroom": 0.2},
    )


def cycle(lead: float = 1.0):
    """A uses B, B uses A (small coefficients), and a final assembler F uses both."""
    return build_model(
        [
            {"id": "a", "category": "basic_material", "recipe": {"b": 0.2}},
            {"id": "b", "category": "basic_process", "recipe": {"a": 0.3}},
            {"id": "f", "category": "final_product", "recipe": {"a": 1.0, "b": 0.5}, "chains": ["ev"]},
        ],
        [
            {"id": "A", "product": "a", "region": "r", "cover": 2.0},
            {"id": "B", "product": "b", "region": "r", "cover": 4.0, "cover_by_input": {"a": 1.5}},
            {"id": "F", "product": "f", "region": "r", "cover": 0.5},
        ],
        [
            {"supplier": "A", "customer": "B", "lead_time": lead},
            {"supplier": "B", "customer": "A", "lead_time": 0.5},
            {"supplier": "A", "customer": "F", "lead_time": 2.5},
            {"supplier": "B", "customer": "F", "lead_time": 0.0, "priority": 0},
        ],
        [{"firm": "A", "units": 10.0}, {"firm": "B", "units": 5.0}, {"firm": "F", "units": 8.0}],
    )


MAPS = {"serial": serial, "diamond": diamond, "cycle": cycle}

# (kind, target, value, start, duration, profile, param): targets are firm 0 or map link 0, which every map has
SHOCKS = {
    "none": [],
    "damage-step": [(DAMAGE, 0, 1.0, 5, 6, STEP, 0.0)],
    "damage-linear": [(DAMAGE, 0, 0.8, 3, 4, LINEAR, 5.0)],
    "damage-exponential": [(DAMAGE, 0, 0.6, 2.5, 3, EXPONENTIAL, 2.0)],
    "damage-overlapping": [(DAMAGE, 0, 0.5, 2, 10, STEP, 0.0), (DAMAGE, 0, 0.9, 4, 3, LINEAR, 3.0), (DAMAGE, 1, 0.7, 4, 2.5, STEP, 0.0)],
    "demand-up": [(DEMAND, 1, 1.8, 3, 5, LINEAR, 4.0)],
    "demand-down": [(DEMAND, 1, 0.3, 3, 5, STEP, 0.0), (DEMAND, 1, 1.5, 4, 8, EXPONENTIAL, 1.5)],
    "close": [(CLOSE, 0, 1.0, 4, 6, STEP, 0.0)],
    "close-linear": [(CLOSE, 0, 1.0, 4, 2, LINEAR, 3.0)],
    "lead-step": [(LEAD, 0, 4.0, 3, 5, STEP, 0.0)],
    "lead-linear": [(LEAD, 0, 6.0, 2, 3, LINEAR, 6.0), (LEAD, 0, 1.5, 4, 10, EXPONENTIAL, 3.0)],
    "everything": [
        (DAMAGE, 0, 1.0, 3, 4, LINEAR, 3.0),
        (CLOSE, 0, 1.0, 6, 3, STEP, 0.0),
        (LEAD, 0, 3.0, 1.5, 6, STEP, 0.0),
        (DEMAND, 1, 2.0, 8, 4, EXPONENTIAL, 2.0),
    ],
}


def rows(shocks):
    return [(*s, k) for k, s in enumerate(shocks)]


@pytest.mark.parametrize("shocks", SHOCKS, ids=str)
@pytest.mark.parametrize("name", MAPS, ids=str)
def test_hand_made_maps(name, shocks):
    cmap = MAPS[name]()
    for params in (
        {},
        {"rationing": "priority"},
        {"adaptive_sourcing": True, "share_recovery": 0.05},
        {"rationing": "priority", "adaptive_sourcing": True, "final_demand_priority": 0},
    ):
        assert_engines_agree(compile_rows(cmap, rows(SHOCKS[shocks]), 30, **params))


@pytest.mark.parametrize("lead", [0.0, 0.5, 1.0, 2.5, 2.9999999999999996, 3.0000000000000004])
def test_fractional_lead_times(lead):
    for cmap in (serial(lead), diamond(lead1=lead), diamond(lead2=lead), cycle(lead)):
        assert_engines_agree(compile_rows(cmap, rows(SHOCKS["everything"]), 30))
        assert_engines_agree(compile_rows(cmap, rows(SHOCKS["lead-step"]), 30, rationing="priority", adaptive_sourcing=True))


def test_baseline_is_held_exactly():
    """No shocks: the Numba engine, like the reference, stays exactly at baseline."""
    cmap = diamond()
    run = compile_rows(cmap, [], 25)
    tr = run_numba(run)
    np.testing.assert_array_equal(tr.firm_output, np.broadcast_to(run.base_output, tr.firm_output.shape))
    assert_engines_agree(run)


def test_without_firm_trajectories():
    run = compile_rows(cycle(), rows(SHOCKS["everything"]), 20)
    assert_engines_agree(run, firm_trajectories=False)
    assert run_numba(run, False).firm_output is None


def test_colliding_shipments():
    """A lead time that falls fast (8 days x 6, recovering linearly over 4 days) makes several shipments
    of one link arrive in the same tick, from several suppliers of the same input."""
    cmap = diamond(lead1=8.0, lead2=0.5)
    run = compile_rows(
        cmap,
        rows([(LEAD, 0, 6.0, 2, 12, LINEAR, 4.0), (LEAD, 3, 7.0, 2, 3, LINEAR, 2.0), (DAMAGE, 1, 0.5, 20, 30, STEP, 0.0)]),
        60,
        adaptive_sourcing=True,
    )
    assert_engines_agree(run)


def test_rounding_can_put_two_shipments_in_one_tick():
    """Lead 3 + 1 ulp: the shipment of tick 0 is used in tick 4 (ceil(3.0000000000000004)), and so is the one of
    tick 1 (1 + 3.0000000000000004 rounds to 4.0)."""
    assert_engines_agree(compile_rows(serial(3.0000000000000004), rows(SHOCKS["damage-step"]), 20))


def test_unsorted_shock_table_fires_in_start_order():
    """Rows handed over out of start order are applied in the order their onsets fire (start, then row)."""
    cmap = cycle()
    table = ShockTable.from_rows(rows(SHOCKS["everything"]))
    shuffled = ShockTable(
        *(a[::-1].copy() for a in (table.kind, table.target, table.value, table.start, table.duration, table.profile, table.param, table.source))
    )
    assert_engines_agree(compile_model(cmap, cmap.parameters, 30, shuffled))


# --- random maps -----------------------------------------------------------------------
@st.composite
def parameters(draw):
    return {
        "rationing": draw(st.sampled_from(RATIONING_RULES)),
        "adaptive_sourcing": draw(st.booleans()),
        "tau": draw(st.floats(1.0, 10.0)),
        "backlog_days": draw(st.floats(1.0, 60.0)),
        "share_recovery": draw(st.floats(0.0, 1.0)),
        "final_demand_priority": draw(st.integers(0, 9)),
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_200_firm_maps(seed, tmp_path):
    """Larger maps than hypothesis draws: 200 synthetic firms with cycles, random shocks of every kind."""
    cmap = load_model(write_map(generate_map(200, tiers=4, seed=seed), tmp_path / "syn.toml", "syn", "test"))
    rng = np.random.default_rng(seed)
    table = []
    for k, kind in enumerate([DAMAGE, DAMAGE, DAMAGE, DEMAND, CLOSE, CLOSE, LEAD, LEAD]):
        target = int(rng.integers(len(cmap.firms) if kind in (DAMAGE, DEMAND) else len(cmap.links)))
        value = {DAMAGE: rng.uniform(0.3, 1.0), DEMAND: rng.uniform(0.2, 2.0), CLOSE: 1.0, LEAD: rng.uniform(1.5, 4.0)}[kind]
        profile = int(rng.integers(3))
        table.append((kind, target, value, float(rng.uniform(0, 20)), float(rng.uniform(3, 30)), profile, 0.0 if profile == STEP else float(rng.uniform(1, 10)), k))
    for params in ({}, {"rationing": "priority", "adaptive_sourcing": True}):
        assert_engines_agree(compile_rows(cmap, table, 60, **params))


# --- the kernels as plain Python -------------------------------------------------------
NO_JIT_SCRIPT = textwrap.dedent(
    """
    import sys
    import numpy as np
    import numba
    from simcore.chainmap import load_model
    from simcore.chainmap.schema import Parameters
    from simcore.compile import compile_model
    from simcore.engines.numba import kernels, run_numba
    from simcore.engines.numba.engine import run_numba_batch
    from simcore.engines.reference import run_reference
    from simcore.core.primitives import ShockTable
    sys.path.insert(0, sys.argv[2])
    from naive import assert_same_numbers

    from simcore.engines.numba import lanes
    assert numba.config.DISABLE_JIT and not hasattr(kernels.simulate, "py_func") and not hasattr(lanes.simulate_group, "py_func"), "the JIT is on"
    cmap = load_model(sys.argv[1])
    rows = [(0, 0, 1.0, 3, 4, 1, 3.0, 0), (2, 0, 1.0, 6, 3, 0, 0.0, 1), (3, 3, 3.0, 1.5, 6, 0, 0.0, 2), (1, 2, 2.0, 8, 4, 2, 2.0, 3)]
    for params in ({}, {"rationing": "priority", "adaptive_sourcing": True}):
        run = compile_model(cmap, Parameters(**{**cmap.parameters.model_dump(), **params}), 25, ShockTable.from_rows(rows))
        assert_same_numbers(run, run_reference(run), run_numba(run))
        base = compile_model(cmap, Parameters(**{**cmap.parameters.model_dump(), **params}), 25, ShockTable.empty())
        tables = [ShockTable.from_rows(rows[:k]) for k in range(len(rows) + 1)]
        batch = run_numba_batch(base, tables)  # the lanes kernel
        for k, table in enumerate(tables):
            assert np.array_equal(batch.chain_output[k], run_numba(base.with_shocks(table)).chain_output)
    print("ok")
    """
)


def test_kernels_as_python(tmp_path):
    """The same kernels with NUMBA_DISABLE_JIT=1 (set before numba is imported, hence a subprocess)."""
    path = write_model(
        tmp_path,
        [PART, GOOD],
        [
            {"id": "S1", "product": "part", "region": "r1"},
            {"id": "S2", "product": "part", "region": "r2", "headroom": 0.8},
            {"id": "C1", "product": "good", "region": "r1", "cover": 2.0, "priority": 0},
            {"id": "C2", "product": "good", "region": "r2", "cover": 1.0},
        ],
        [
            {"supplier": "S1", "customer": "C1", "share": 0.6, "lead_time": 1.0},
            {"supplier": "S2", "customer": "C1", "share": 0.4, "lead_time": 2.5},
            {"supplier": "S1", "customer": "C2", "share": 0.5, "lead_time": 0.0},
            {"supplier": "S2", "customer": "C2", "share": 0.5, "lead_time": 0.5},
        ],
        [{"firm": "C1", "units": 10.0}, {"firm": "C2", "units": 6.0}],
    )
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    done = subprocess.run([sys.executable, "-c", NO_JIT_SCRIPT, str(path), str(Path(__file__).parents[1])], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("ok")
