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
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import build_model, write_model
from simcore.chainmap.schema import Parameters
from simcore.compile import compile_model
from simcore.engines import recovery
from simcore.engines.numba import kernels, run_numba
from simcore.engines.reference import run_reference
from simcore.scenario.shocks import CLOSE, DAMAGE, DEMAND, LEAD, ShockTable

RTOL, ATOL = 1e-9, 1e-12
STEP, LINEAR, EXPONENTIAL = 0, 1, 2


def compiled(cmap, rows, horizon, **params):
    return compile_model(cmap, Parameters(**{**cmap.parameters.model_dump(), **params}), horizon, ShockTable.from_rows(rows))


def assert_engines_agree(run, firm_trajectories: bool = True) -> None:
    ref = run_reference(run, firm_trajectories).arrays()
    fast = run_numba(run, firm_trajectories).arrays()
    assert ref.keys() == fast.keys()
    for name in ref:
        assert fast[name].shape == ref[name].shape, name
        np.testing.assert_allclose(fast[name], ref[name], rtol=RTOL, atol=ATOL, err_msg=name)


# --- hand-made maps ------------------------------------------------------------------
PART = {"id": "part", "category": "basic_component"}
GOOD = {"id": "good", "category": "final_product", "recipe": {"part": 1.0}}


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
        assert_engines_agree(compiled(cmap, rows(SHOCKS[shocks]), 30, **params))


@pytest.mark.parametrize("lead", [0.0, 0.5, 1.0, 2.5, 2.9999999999999996, 3.0000000000000004])
def test_fractional_lead_times(lead):
    for cmap in (serial(lead), diamond(lead1=lead), diamond(lead2=lead), cycle(lead)):
        assert_engines_agree(compiled(cmap, rows(SHOCKS["everything"]), 30))
        assert_engines_agree(compiled(cmap, rows(SHOCKS["lead-step"]), 30, rationing="priority", adaptive_sourcing=True))


def test_baseline_is_held_exactly():
    """No shocks: the Numba engine, like the reference, stays exactly at baseline."""
    cmap = diamond()
    run = compiled(cmap, [], 25)
    tr = run_numba(run)
    np.testing.assert_array_equal(tr.firm_output, np.broadcast_to(run.base_output, tr.firm_output.shape))
    assert_engines_agree(run)


def test_without_firm_trajectories():
    run = compiled(cycle(), rows(SHOCKS["everything"]), 20)
    assert_engines_agree(run, firm_trajectories=False)
    assert run_numba(run, False).firm_output is None


def ring_depth(run) -> int:
    """Most shipments of one link used in one tick, as the Numba engine sizes its ring."""
    shocks = (run.shock_kind, run.shock_target, run.shock_value, run.shock_start, run.shock_duration, run.shock_profile, run.shock_param)
    return kernels.ring_shape(run.horizon, run.n_firms, run.link_lead, *shocks)[1]


def test_colliding_shipments_keep_calendar_order():
    """A lead time that falls fast (8 days x 6, recovering linearly over 4 days) makes up to three shipments
    of one link arrive in the same tick, from several suppliers of the same input."""
    cmap = diamond(lead1=8.0, lead2=0.5)
    run = compiled(
        cmap,
        rows([(LEAD, 0, 6.0, 2, 12, LINEAR, 4.0), (LEAD, 3, 7.0, 2, 3, LINEAR, 2.0), (DAMAGE, 1, 0.5, 20, 30, STEP, 0.0)]),
        60,
        adaptive_sourcing=True,
    )
    assert ring_depth(run) >= 3
    assert_engines_agree(run)


def test_rounding_can_put_two_shipments_in_one_tick():
    """Lead 3 + 1 ulp: the shipment of tick 0 is used in tick 4 (ceil(3.0000000000000004)), and so is the one of
    tick 1 (1 + 3.0000000000000004 rounds to 4.0)."""
    run = compiled(serial(3.0000000000000004), rows(SHOCKS["damage-step"]), 20)
    assert ring_depth(run) == 2
    assert_engines_agree(run)


def test_unsorted_shock_table_fires_in_start_order():
    """Rows handed over out of start order are applied in the order their onsets fire (start, then row)."""
    cmap = cycle()
    table = ShockTable.from_rows(rows(SHOCKS["everything"]))
    shuffled = ShockTable(
        *(a[::-1].copy() for a in (table.kind, table.target, table.value, table.start, table.duration, table.profile, table.param, table.source))
    )
    assert_engines_agree(compile_model(cmap, cmap.parameters, 30, shuffled))


def test_intensity_is_bitwise_the_reference_function():
    """The compiled intensity calls libm `pow` like Python does (an optimised build uses `exp2`, 1 ulp off at times)."""
    rng = np.random.default_rng(0)
    for _ in range(20000):
        t, start, duration, param = int(rng.integers(0, 80)), rng.uniform(0, 40), rng.uniform(0.1, 40), rng.uniform(0.5, 12)
        for profile in (STEP, LINEAR, EXPONENTIAL):
            assert kernels.intensity(t, start, duration, profile, param) == recovery.intensity(t, start, duration, profile, param)


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 15, 16, 17, 127, 128, 129, 255, 256, 1000, 4097, 100003])
def test_np_sum_is_numpy_sum(n):
    rng = np.random.default_rng(n)
    a = rng.standard_normal(n + 5) * 10.0 ** rng.integers(-6, 6, n + 5)
    assert kernels.np_sum(a, 2, n) == a[2 : n + 2].sum()


# --- random maps -----------------------------------------------------------------------
CATEGORIES = ["raw_material", "basic_material", "basic_component", "subassembly", "final_product", "service"]
LEADS = st.one_of(st.sampled_from([0.0, 0.5, 1.0, 2.5, 3.0]), st.floats(0.0, 4.0))


@st.composite
def random_maps(draw, max_firms: int = 30):
    """Productive maps: any product may use any other (cycles allowed) with coefficients summing to < 0.9,
    several suppliers per input with random shares, fractional lead times, random covers and headroom."""
    n_products = draw(st.integers(1, 7))
    n_makers = [draw(st.integers(1, 5)) for _ in range(n_products)]
    while sum(n_makers) > max_firms:
        n_makers[n_makers.index(max(n_makers))] -= 1
    products = []
    for p in range(n_products):
        others = [q for q in range(n_products) if q != p]
        inputs = draw(st.lists(st.sampled_from(others), max_size=min(3, len(others)), unique=True)) if others else []
        coefs = [draw(st.floats(0.01, 0.85 / len(inputs))) for _ in inputs]
        product = {"id": f"p{p}", "category": draw(st.sampled_from(CATEGORIES)), "recipe": {f"p{q}": a for q, a in zip(inputs, coefs)}}
        if draw(st.booleans()):
            product["chains"] = draw(st.lists(st.sampled_from(["c1", "c2"]), min_size=1, unique=True))
        products.append(product)
    makers = {p: [f"f{p}_{k}" for k in range(n_makers[p])] for p in range(n_products)}
    firms = []
    for p, ids in makers.items():
        for fid in ids:
            firm = {"id": fid, "product": f"p{p}", "region": draw(st.sampled_from(["east", "west"]))}
            if draw(st.booleans()):
                firm["cover"] = draw(st.one_of(st.sampled_from([0.0, 1.0, 2.5]), st.floats(0.0, 8.0)))
            if draw(st.booleans()):
                firm["headroom"] = draw(st.floats(0.0, 0.5))
            if draw(st.booleans()):
                firm["priority"] = draw(st.integers(0, 9))
            recipe = products[p]["recipe"]
            if recipe and draw(st.booleans()):
                firm["cover_by_input"] = {draw(st.sampled_from(sorted(recipe))): draw(st.floats(0.0, 6.0))}
            firms.append(firm)
    links = []
    for p in range(n_products):
        for customer in makers[p]:
            for q in products[p]["recipe"]:
                qi = int(q[1:])
                chosen = draw(st.lists(st.sampled_from(makers[qi]), min_size=1, max_size=min(3, len(makers[qi])), unique=True))
                weights = [draw(st.floats(0.05, 1.0)) for _ in chosen]
                for s, w in zip(chosen, weights):
                    link = {"supplier": s, "customer": customer, "share": w / sum(weights), "lead_time": draw(LEADS)}
                    if draw(st.integers(0, 3)) == 0:
                        link["priority"] = draw(st.integers(0, 9))
                    links.append(link)
    # final demand: at random, then to every firm without a supply path to final demand
    demand = {f["id"]: draw(st.floats(1.0, 50.0)) for f in firms if draw(st.booleans())}
    customers = {f["id"]: [] for f in firms}
    for link in links:
        customers[link["supplier"]].append(link["customer"])
    for f in firms:
        reached, frontier = set(), [f["id"]]
        while frontier:
            k = frontier.pop()
            if k not in reached:
                reached.add(k)
                frontier += customers[k]
        if not reached & demand.keys():
            demand[f["id"]] = draw(st.floats(1.0, 50.0))
    cmap = build_model(products, firms, links, [{"firm": k, "units": u} for k, u in demand.items()], defaults={"cover": draw(st.floats(0.0, 6.0))})
    return cmap


@st.composite
def random_shocks(draw, cmap, horizon: int, max_rows: int = 8):
    table = []
    for k in range(draw(st.integers(0, max_rows))):
        kind = draw(st.sampled_from([DAMAGE, DEMAND, CLOSE, LEAD] if len(cmap.links) else [DAMAGE, DEMAND]))
        target = draw(st.integers(0, len(cmap.firms) - 1)) if kind in (DAMAGE, DEMAND) else draw(st.integers(0, len(cmap.links) - 1))
        value = {
            DAMAGE: draw(st.floats(0.05, 1.0)),
            DEMAND: draw(st.floats(0.0, 3.0)),
            CLOSE: 1.0,
            LEAD: draw(st.floats(1.01, 5.0)),
        }[kind]
        profile = draw(st.sampled_from([STEP, LINEAR, EXPONENTIAL]))
        param = 0.0 if profile == STEP else draw(st.floats(0.5, 12.0))
        start = draw(st.one_of(st.integers(0, horizon).map(float), st.floats(0.0, float(horizon))))
        duration = draw(st.one_of(st.integers(1, horizon).map(float), st.floats(0.1, float(horizon))))
        table.append((kind, target, value, start, duration, profile, param, k))
    return table


@st.composite
def parameters(draw):
    return {
        "rationing": draw(st.sampled_from(["proportional", "priority"])),
        "adaptive_sourcing": draw(st.booleans()),
        "tau": draw(st.floats(1.0, 10.0)),
        "backlog_days": draw(st.floats(1.0, 60.0)),
        "share_recovery": draw(st.floats(0.0, 1.0)),
        "final_demand_priority": draw(st.integers(0, 9)),
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_random_maps_and_shocks(data):
    horizon = 40
    cmap = data.draw(random_maps())
    table = data.draw(random_shocks(cmap, horizon))
    assert_engines_agree(compiled(cmap, table, horizon, **data.draw(parameters())))


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
    from simcore.engines.reference import run_reference
    from simcore.scenario.shocks import ShockTable

    assert numba.config.DISABLE_JIT and not hasattr(kernels.simulate, "py_func"), "the JIT is on"
    cmap = load_model(sys.argv[1])
    rows = [(0, 0, 1.0, 3, 4, 1, 3.0, 0), (2, 0, 1.0, 6, 3, 0, 0.0, 1), (3, 3, 3.0, 1.5, 6, 0, 0.0, 2), (1, 2, 2.0, 8, 4, 2, 2.0, 3)]
    for params in ({}, {"rationing": "priority", "adaptive_sourcing": True}):
        run = compile_model(cmap, Parameters(**{**cmap.parameters.model_dump(), **params}), 25, ShockTable.from_rows(rows))
        ref, fast = run_reference(run).arrays(), run_numba(run).arrays()
        assert ref.keys() == fast.keys()
        for name in ref:
            np.testing.assert_allclose(fast[name], ref[name], rtol=1e-9, atol=1e-12, err_msg=name)
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
    done = subprocess.run([sys.executable, "-c", NO_JIT_SCRIPT, str(path)], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("ok")


# --- speed (opt-in) --------------------------------------------------------------------
@pytest.mark.slow
def test_speed_on_a_200_firm_map():
    """Reference vs Numba on a random ~200-firm map over 365 days, after warm-up (SIMCORE_SLOW=1)."""
    rng = np.random.default_rng(7)
    n_products, per_product = 20, 10
    products = []
    for p in range(n_products):
        inputs = rng.choice([q for q in range(n_products) if q != p], size=3, replace=False) if p else []
        products.append({"id": f"p{p}", "category": "subassembly", "recipe": {f"p{q}": float(rng.uniform(0.05, 0.25)) for q in inputs}})
    firms = [
        {"id": f"f{p}_{k}", "product": f"p{p}", "region": f"r{k % 3}", "cover": float(rng.uniform(1, 8))}
        for p in range(n_products)
        for k in range(per_product)
    ]
    links = []
    for f in firms:
        for q in products[int(f["product"][1:])]["recipe"]:
            sup = rng.choice(per_product, size=2, replace=False)
            w = rng.uniform(0.2, 1.0, size=2)
            links += [
                {
                    "supplier": f"{q.replace('p', 'f')}_{s}",
                    "customer": f["id"],
                    "share": float(x / w.sum()),
                    "lead_time": float(rng.choice([0.5, 1, 2, 3.5])),
                }
                for s, x in zip(sup, w)
            ]
    cmap = build_model(products, firms, links, [{"firm": f["id"], "units": 10.0} for f in firms])
    table = [(DAMAGE, int(k), 0.8, 20.0, 30.0, LINEAR, 20.0, j) for j, k in enumerate(rng.choice(len(firms), 10, replace=False))]
    table += [(LEAD, int(k), 3.0, 50.0, 20.0, STEP, 0.0, 10 + j) for j, k in enumerate(rng.choice(len(links), 20, replace=False))]
    run = compiled(cmap, table, 365, adaptive_sourcing=True)
    run_numba(run)  # warm-up
    t0 = time.perf_counter()
    ref = run_reference(run)
    t1 = time.perf_counter()
    reps = 20
    for _ in range(reps):
        fast = run_numba(run)
    t2 = time.perf_counter()
    np.testing.assert_allclose(fast.firm_output, ref.firm_output, rtol=RTOL, atol=ATOL)
    fast_s = (t2 - t1) / reps
    print(f"\n{len(firms)} firms, {len(links)} links, 365 days: reference {t1 - t0:.3f} s, numba {fast_s * 1e3:.2f} ms ({(t1 - t0) / fast_s:.0f}x)")
