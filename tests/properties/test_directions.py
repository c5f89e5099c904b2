"""Direction properties of the policies over random maps (hypothesis), and the counter-examples that bound them.

Issue 4 asks for two directions: more inventory cover never lowers the time to
survive (TTS), and a second supplier never raises the loss of the firm it
serves when adaptive sourcing is on. Neither holds of the model in that broad
form. Hypothesis finds counter-examples for both; each was traced to a
mechanism, documented in docs/policy_tradeoffs.md ("Where a direction does not
hold") and pinned below by a small hand-built map on which it is exactly
visible. Each property test asserts the broad direction restricted to the
cases where none of those mechanisms can act:

- more cover never lowers the chain's TTS after a single disruption (one
  damaged firm or one closed link); with two disruptions the catch-up of one
  firm can mask another's dip (`test_two_disruptions_more_cover_can_lower_tts`);
- a second supplier never raises the loss of its customer in an acyclic map
  when only the incumbent fails, the second supplier has room and stock, the
  customer's other inputs are secured and it sells only to final demand; each
  of these conditions removes one mechanism, pinned by its own test below.

Runs use the Numba engine (equal to the reference engine, tests/engines).
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from naive import RATIONING_RULES, GOOD, PART, build_model, chain_maps, shock_rows
from simcore.chainmap.inspect import firm_graph
from simcore.chainmap.schema import Parameters
from simcore.compile import compile_model
from simcore.engines.numba import run_numba
from simcore.metrics import loss, time_to_survive
from simcore.scenario.policies import DualSourcing, FillShortBoard, SafetyStock, SpareCapacity, dual_sourcing_plan
from simcore.scenario.schema import Selector, Variant
from simcore.core.primitives import CLOSE, DAMAGE, ShockTable

HORIZON = 40
SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
AMPLE_HEADROOM = 1e4  # times baseline output: more than any order book can reach in HORIZON days
AMPLE_COVER = 1e5  # days of baseline use: more than any production can use up in HORIZON days


# --- helpers ----------------------------------------------------------------------
def chain_tts(run, trajectories) -> float:
    """TTS of the total chain output; never dropping counts as +inf."""
    start = float(run.shock_start.min()) if len(run.shock_start) else None
    t = time_to_survive(trajectories.chain_output[:, 0], float(run.chain_baseline[0]), start)
    return math.inf if math.isnan(t) else t


def firm_loss(run, firm: int) -> float:
    return loss(run_numba(run, True).firm_output[:, firm], float(run.base_output[firm]))


def more_cover(days: float) -> Variant:
    return Variant(name="more cover", policies=[SafetyStock(select=Selector(), extra_cover=days)])


def tts_pair(cmap, params, rows, extra_cover, horizon=HORIZON) -> tuple[float, float]:
    shocks = ShockTable.from_rows(rows)
    base = compile_model(cmap, params, horizon, shocks)
    more = compile_model(cmap, params, horizon, shocks, more_cover(extra_cover))
    return chain_tts(base, run_numba(base, False)), chain_tts(more, run_numba(more, False))


def dual_pair(cmap, params, rows, customer: str, product: str, share: float, both=(), horizon=HORIZON) -> tuple[float, float]:
    """The customer's loss without and with a second supplier of `product`; `both` are policies applied in both runs."""
    shocks = ShockTable.from_rows(rows)
    second = DualSourcing(select=Selector(ids=[customer]), products=[product], share=share)
    without = compile_model(cmap, params, horizon, shocks, Variant(name="as-is", policies=list(both)))
    with_ = compile_model(cmap, params, horizon, shocks, Variant(name="second supplier", policies=[second, *both]))
    k = cmap.firm_index[customer]
    return firm_loss(without, k), firm_loss(with_, k)


# --- more cover never lowers TTS ---------------------------------------------------------
@SETTINGS
@given(cmap=chain_maps(), data=st.data())
def test_more_cover_never_lowers_tts_after_one_disruption(cmap, data):
    """One damaged firm or one closed link (any magnitude, profile, timing): raising every firm's cover of
    every input by the same number of days never makes the chain drop below 99% sooner."""
    rows = [r for r in data.draw(shock_rows(cmap, HORIZON)) if r[0] in (DAMAGE, CLOSE)]
    assume(rows)
    row = data.draw(st.sampled_from(rows))
    params = Parameters(rationing=data.draw(st.sampled_from(RATIONING_RULES)), adaptive_sourcing=data.draw(st.booleans()))
    extra = data.draw(st.floats(0.5, 10.0))
    base, more = tts_pair(cmap, params, [row], extra)
    assert more >= base


METAL = {"id": "metal", "category": "basic_material"}


def test_two_disruptions_more_cover_can_lower_tts():
    """Masking by catch-up: A (4% of chain value) loses 45% of its parts for two days, stays above the 99% line
    and then works its backlog off above baseline; B (96%) loses 1.5% of its capacity from day 9. As-is, A's
    catch-up on days 9-10 keeps the chain at 99.2% and 99.06%, so the chain drops on day 11 (TTS 6). With two
    more days of cover A rides the parts outage out on stock, has no backlog to catch up, and the chain drops
    on day 9 (TTS 4)."""
    cmap = build_model(
        [PART, GOOD],
        [
            {"id": "SA", "product": "part", "region": "a", "headroom": 0.5},
            {"id": "SB", "product": "part", "region": "b"},
            {"id": "A", "product": "good", "region": "a", "headroom": 0.5},
            {"id": "B", "product": "good", "region": "b"},
        ],
        [{"supplier": "SA", "customer": "A", "lead_time": 1.0}, {"supplier": "SB", "customer": "B", "lead_time": 1.0}],
        [{"firm": "A", "units": 40.0}, {"firm": "B", "units": 960.0}],
        defaults={"cover": 0.0, "headroom": 0.0},
    )
    rows = [(DAMAGE, cmap.firm_index["SA"], 0.45, 5.0, 2.0, 0, 0.0, 0), (DAMAGE, cmap.firm_index["B"], 0.015, 9.0, 10.0, 0, 0.0, 1)]
    assert tts_pair(cmap, Parameters(), rows, extra_cover=2.0) == (6.0, 4.0)
    # each disruption alone: more cover does not lower TTS
    for row in rows:
        base, more = tts_pair(cmap, Parameters(), [row], extra_cover=2.0)
        assert more >= base


# --- a second supplier never raises its customer's loss ------------------------------------
def _serves_final_demand_only(cmap, firm: int) -> bool:
    return not np.any(cmap.link_supplier == firm)


@SETTINGS
@given(cmap=chain_maps(), data=st.data())
def test_second_supplier_never_raises_the_customers_loss_when_only_the_incumbent_fails(cmap, data):
    """Acyclic map; a customer that sells only to final demand buys an input from a single supplier (the
    incumbent); only the incumbent fails (its capacity, or its link to the customer: any magnitude, profile,
    timing); the second supplier (the largest other maker) has room and stock for any order, and so has the
    customer of its other inputs, in both runs. Then moving any share of the input to the second supplier never
    raises the customer's loss, under either rationing rule, with adaptive sourcing on."""
    assume(nx.is_directed_acyclic_graph(firm_graph(cmap)))
    plan = dual_sourcing_plan(cmap, range(len(cmap.firms)), [], None)
    plan = [(l, b) for l, b in plan if _serves_final_demand_only(cmap, int(cmap.link_customer[l]))]
    assume(plan)
    link, second = data.draw(st.sampled_from(plan))
    customer, incumbent = int(cmap.link_customer[link]), int(cmap.link_supplier[link])
    product = cmap.firms[incumbent].product
    rows = [
        (kind, incumbent if kind == DAMAGE else link, *rest)
        for kind, _, *rest in data.draw(shock_rows(cmap, HORIZON))
        if kind in (DAMAGE, CLOSE)
    ]
    assume(rows)
    both = [SpareCapacity(select=Selector(ids=[cmap.firms[second].id]), extra_headroom=AMPLE_HEADROOM)]
    if cmap.products[cmap.firm_product[second]].recipe:
        both.append(SafetyStock(select=Selector(ids=[cmap.firms[second].id]), extra_cover=AMPLE_COVER))
    others = [q for q in cmap.products[cmap.firm_product[customer]].recipe if q != product]
    if others:
        both.append(SafetyStock(select=Selector(ids=[cmap.firms[customer].id]), inputs=others, extra_cover=AMPLE_COVER))
    params = Parameters(rationing=data.draw(st.sampled_from(RATIONING_RULES)), adaptive_sourcing=True)
    share = data.draw(st.floats(0.05, 0.95))
    without, with_ = dual_pair(cmap, params, rows, cmap.firms[customer].id, product, share, both)
    assert with_ <= without + 1e-9


@SETTINGS
@given(cmap=chain_maps(), data=st.data())
def test_an_alternative_supplier_never_raises_the_customers_loss_when_only_the_incumbent_fails(cmap, data):
    """The same conditions for a new standby firm (`fill_short_board`, mode `alternative_supplier`) with ample
    capacity, the incumbent's lead time, any share and any qualification day: it takes orders from every customer
    of the product, and never raises the loss of a single-sourced customer whose incumbent alone fails.
    (A longer lead time than the incumbent's would: the share moved at qualification arrives later, a dip the
    customer's cover must bridge.)"""
    assume(nx.is_directed_acyclic_graph(firm_graph(cmap)))
    needs = {}
    for l, (j, i) in enumerate(zip(cmap.link_supplier.tolist(), cmap.link_customer.tolist())):
        needs.setdefault((i, cmap.firms[j].product), []).append(l)
    single = [links[0] for (i, _), links in needs.items() if len(links) == 1 and _serves_final_demand_only(cmap, i)]
    assume(single)
    link = data.draw(st.sampled_from(single))
    customer, incumbent = int(cmap.link_customer[link]), int(cmap.link_supplier[link])
    product = cmap.firms[incumbent].product
    rows = [(kind, incumbent if kind == DAMAGE else link, *rest) for kind, _, *rest in data.draw(shock_rows(cmap, HORIZON)) if kind in (DAMAGE, CLOSE)]
    assume(rows)
    others = [q for q in cmap.products[cmap.firm_product[customer]].recipe if q != product]
    both = [SafetyStock(select=Selector(ids=[cmap.firms[customer].id]), inputs=others, extra_cover=AMPLE_COVER)] if others else []
    alternative = FillShortBoard(
        products=[product],
        mode="alternative_supplier",
        capacity=AMPLE_HEADROOM,
        share=data.draw(st.floats(0.05, 0.95)),
        qualification_days=data.draw(st.sampled_from([0.0, 3.0, 10.5, 25.0])),
        ramp_up_days=data.draw(st.sampled_from([0.0, 4.0])),
    )
    params = Parameters(rationing=data.draw(st.sampled_from(RATIONING_RULES)), adaptive_sourcing=True)
    shocks = ShockTable.from_rows(rows)
    without = compile_model(cmap, params, HORIZON, shocks, Variant(name="as-is", policies=both))
    with_ = compile_model(cmap, params, HORIZON, shocks, Variant(name="alternative", policies=[alternative, *both]))
    assert firm_loss(with_, customer) <= firm_loss(without, customer) + 1e-9


# Each counter-example below breaks one condition of the property above and shows its mechanism.
def _two_suppliers(headroom_s1: float, headroom_s2: float):
    """S1 is C's only part supplier; S2 makes parts for C2. Every stock is zero, lead times one day."""
    return build_model(
        [PART, GOOD],
        [
            {"id": "S1", "product": "part", "region": "a", "headroom": headroom_s1},
            {"id": "S2", "product": "part", "region": "b", "headroom": headroom_s2},
            {"id": "C", "product": "good", "region": "a", "headroom": 0.5},
            {"id": "C2", "product": "good", "region": "b", "headroom": 0.5},
        ],
        [{"supplier": "S1", "customer": "C", "lead_time": 1.0}, {"supplier": "S2", "customer": "C2", "lead_time": 1.0}],
        [{"firm": "C", "units": 10.0}, {"firm": "C2", "units": 20.0}],
        defaults={"cover": 0.0},
    )


def test_orders_chase_a_second_supplier_without_room():
    """S2 has no spare capacity. S1 stops for one day; C, with 10% of its parts from S2, makes 1 instead of 0
    that day, but adaptive sourcing then moves its orders to S2, the supplier that filled them: S2 can only
    share its 21 parts a day between C and C2, while the recovered S1 idles (its plant, 10.8 a day, also
    shrank with the share it lost). C stays short for days and its loss rises from 3.33% to 5.76%. With fixed
    shares, or with room at S2, the same second supplier lowers C's loss to 3.00%."""
    params = Parameters(adaptive_sourcing=True, backlog_days=1.0)
    rows = [(DAMAGE, 0, 1.0, 5.0, 1.0, 0, 0.0, 0)]  # S1 out on day 5
    without, with_ = dual_pair(_two_suppliers(0.2, 0.0), params, rows, "C", "part", share=0.1, horizon=30)
    assert math.isclose(without, 1 / 30) and with_ > 0.057
    fixed = dual_pair(_two_suppliers(0.2, 0.0), params.model_copy(update={"adaptive_sourcing": False}), rows, "C", "part", 0.1, horizon=30)
    roomy = dual_pair(_two_suppliers(0.2, 1.0), params, rows, "C", "part", 0.1, horizon=30)
    for without_, with__ in (fixed, roomy):
        assert math.isclose(without_, 1 / 30) and math.isclose(with__, 0.03)


def test_a_second_supplier_is_a_second_exposure():
    """S2 (C's new second supplier, 30% of its parts) stops for ten days. Without it C is untouched. With it,
    C loses S2's 3 parts on the first day; adaptive sourcing moves the orders back to S1, but S1's plant was
    re-sized to its new baseline (7 a day, 20% headroom: 8.4), so C makes 8.4 a day until S2 is back."""
    cmap = _two_suppliers(0.2, 0.2)
    params = Parameters(adaptive_sourcing=True, backlog_days=1.0)
    rows = [(DAMAGE, cmap.firm_index["S2"], 1.0, 5.0, 10.0, 0, 0.0, 0)]  # S2 out on days 5-14
    without, with_ = dual_pair(cmap, params, rows, "C", "part", share=0.3, horizon=30)
    assert without == 0.0 and with_ > 0.06
    dual = Variant(name="dual", policies=[DualSourcing(select=Selector(ids=["C"]), share=0.3)])
    run = compile_model(cmap, params, 30, ShockTable.from_rows(rows), dual)
    np.testing.assert_allclose(run.capacity[cmap.firm_index["S1"]], 8.4)
    c = run_numba(run, True).firm_output[:, cmap.firm_index["C"]]
    np.testing.assert_allclose(c[6], 7.0)
    np.testing.assert_allclose(c[7:16], 8.4)


def test_in_a_cycle_the_customer_loses_its_incumbents_orders():
    """C makes `a` from `b`; the incumbent S1 makes `b` from `a` and buys it from C (a cycle). Moving 30% of C's
    `b` to S2 (with room and stock to spare) moves S1's purchases of `a` away from C too: after a one-day
    closure of S1 -> C, C is short of orders rather than of inputs, and its loss rises."""
    cmap = build_model(
        [
            {"id": "a", "category": "basic_component", "recipe": {"b": 0.5}},
            {"id": "b", "category": "basic_component", "recipe": {"a": 0.5}},
            {"id": "c", "category": "final_product", "recipe": {"a": 0.5}},
        ],
        [
            {"id": "C", "product": "a", "region": "x"},
            {"id": "A2", "product": "a", "region": "x"},
            {"id": "S1", "product": "b", "region": "x"},
            {"id": "S2", "product": "b", "region": "y"},
            {"id": "D", "product": "c", "region": "x"},
        ],
        [
            {"supplier": "S1", "customer": "C", "lead_time": 0.0},
            {"supplier": "S1", "customer": "A2", "lead_time": 0.0},
            {"supplier": "C", "customer": "S1", "lead_time": 0.0},
            {"supplier": "C", "customer": "S2", "share": 0.5, "lead_time": 0.0},
            {"supplier": "A2", "customer": "S2", "share": 0.5, "lead_time": 0.0},
            {"supplier": "C", "customer": "D", "lead_time": 0.0},
        ],
        [{"firm": k, "units": 1.0} for k in ("C", "A2", "S2", "D")],
        defaults={"cover": 1.0, "headroom": 0.1},
    )
    both = [
        SpareCapacity(select=Selector(ids=["S2"]), extra_headroom=AMPLE_HEADROOM),
        SafetyStock(select=Selector(ids=["S2"]), extra_cover=AMPLE_COVER),
    ]
    rows = [(CLOSE, 0, 1.0, 0.0, 0.5, 0, 0.0, 0)]  # S1 -> C closed on day 0
    without, with_ = dual_pair(cmap, Parameters(adaptive_sourcing=True), rows, "C", "b", share=0.3, both=both)
    assert with_ > without + 0.004


def test_a_faster_recovery_no_longer_loses_the_race_for_a_scarce_other_input():
    """C and C2 both buy parts from S1 and metal from R, which has no spare capacity. S1 stops for a day. Under the
    old order rule (expected use = the whole order book) a second part supplier made C lose more: C recovered
    sooner, so its backlog, and with it its metal orders, were smaller than C2's, and R, rationing by order size,
    gave C2 more than its baseline share. Orders now plan on what a firm can make (capacity and inputs,
    docs/model.md, Orders), so a backlog no longer bids for R's metal beyond what C2 can use, and the second
    supplier lowers C's loss."""
    cmap = build_model(
        [PART, METAL, {"id": "good", "category": "final_product", "recipe": {"part": 1.0, "metal": 1.0}}],
        [
            {"id": "S1", "product": "part", "region": "a", "headroom": 0.2},
            {"id": "S2", "product": "part", "region": "b", "headroom": 10.0},
            {"id": "R", "product": "metal", "region": "a", "headroom": 0.0},
            {"id": "C", "product": "good", "region": "a"},
            {"id": "C2", "product": "good", "region": "a"},
        ],
        [
            {"supplier": "S1", "customer": "C", "lead_time": 1.0},
            {"supplier": "S1", "customer": "C2", "lead_time": 1.0},
            {"supplier": "R", "customer": "C", "lead_time": 1.0},
            {"supplier": "R", "customer": "C2", "lead_time": 1.0},
        ],
        [{"firm": "C", "units": 10.0}, {"firm": "C2", "units": 30.0}, {"firm": "S2", "units": 10.0}],
        defaults={"cover": 0.0, "headroom": 0.5},
    )
    rows = [(DAMAGE, 0, 1.0, 5.0, 1.0, 0, 0.0, 0)]  # S1 out on day 5
    without, with_ = dual_pair(cmap, Parameters(adaptive_sourcing=True), rows, "C", "part", share=0.3)
    assert with_ < without - 0.002


def test_a_faster_recovery_echoes_as_a_shortfall_of_orders():
    """C makes `mid` from parts and sells it to D (lead time 3 days), which sells to final demand; S1, C's only
    part supplier, has no spare capacity and stops for a day. As-is C cannot catch up: it loses that day and
    D loses one day of sales. With 30% of its parts from S2 (room to spare) C catches up above baseline and
    refills D's pipeline; D's stock then overshoots, its orders fall below baseline and C runs below baseline
    for weeks. C makes more in total (399.1 against 390) and D delivers more, but the loss, which counts only
    shortfalls, rises for C from 2.5% to 4.6%."""
    cmap = build_model(
        [
            PART,
            {"id": "mid", "category": "subassembly", "recipe": {"part": 1.0}},
            {"id": "good", "category": "final_product", "recipe": {"mid": 1.0}},
        ],
        [
            {"id": "S1", "product": "part", "region": "a", "headroom": 0.0},
            {"id": "S2", "product": "part", "region": "b"},
            {"id": "C", "product": "mid", "region": "a", "headroom": 0.5},
            {"id": "D", "product": "good", "region": "a", "headroom": 0.5},
        ],
        [{"supplier": "S1", "customer": "C", "lead_time": 1.0}, {"supplier": "C", "customer": "D", "lead_time": 3.0}],
        [{"firm": "D", "units": 10.0}, {"firm": "S2", "units": 10.0}],
        defaults={"cover": 0.0},
    )
    both = [SpareCapacity(select=Selector(ids=["S2"]), extra_headroom=AMPLE_HEADROOM)]
    params = Parameters(adaptive_sourcing=True)
    rows = [(DAMAGE, cmap.firm_index["S1"], 1.0, 5.0, 1.0, 0, 0.0, 0)]
    without, with_ = dual_pair(cmap, params, rows, "C", "part", share=0.3, both=both)
    assert math.isclose(without, 0.025) and with_ > 0.045
    shocks = ShockTable.from_rows(rows)
    runs = [
        compile_model(cmap, params, HORIZON, shocks, Variant(name=name, policies=policies))
        for name, policies in (("as-is", both), ("second supplier", [DualSourcing(select=Selector(ids=["C"]), share=0.3), *both]))
    ]
    c, d = cmap.firm_index["C"], cmap.firm_index["D"]
    (made_without, sold_without), (made_with, sold_with) = [
        (tr.firm_output[:, c].sum(), tr.firm_final_delivered[:, d].sum()) for tr in (run_numba(r, True) for r in runs)
    ]
    assert made_with > made_without + 9.0 and sold_with > sold_without + 8.0
