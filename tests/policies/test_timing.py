"""Policies through the event calendar: an alternative supplier qualified on day q, and levers pulled on day s.

Serial chain S -> C, lead time 1, demand 10 a day at C, cover 2 days, no
headroom; S stops completely on day T0 for D days. C's inventory of `part`
runs out on day T0 + 2 (docs/model.md, Worked example: a serial chain: TTS = cover + 1).
"""

from __future__ import annotations

import numpy as np
import pytest

from naive import GOOD, PART, build_scenario, output_of, simulate
from simcore.costs import variant_cost
from simcore.errors import InputError
from simcore.metrics import time_to_survive


SERIAL = {
    "products": [PART, GOOD],
    "firms": [{"id": "S", "product": "part", "region": "home"}, {"id": "C", "product": "good", "region": "home", "cover": 2.0}],
    "links": [{"supplier": "S", "customer": "C"}],
    "demand": [{"firm": "C", "units": 10.0}],
    "defaults": {"headroom": 0.0},
}
T0, D = 5, 40
OUTAGE = f"""
[[shocks]]
kind = "firm_outage"
select = {{ ids = ["S"] }}
start = {T0}
duration = {D}
"""


def variants(**named: str) -> str:
    text = OUTAGE + '\n[[variants]]\nname = "as-is"\n'
    for name, settings in named.items():
        text += f'\n[[variants]]\nname = "{name}"\n[[variants.policies]]\n{settings}\n'
    return text


def alternative(q: float, capacity: float, share: float = 0.3, ramp: float = 0.0, start: float = 0.0) -> str:
    return (
        f'kind = "fill_short_board"\nproducts = ["part"]\nmode = "alternative_supplier"\nstart = {start}\n'
        f"qualification_days = {q}\ncapacity = {capacity}\nshare = {share}\nramp_up_days = {ramp}\nlead_time = 1"
    )


@pytest.mark.parametrize("q", [15, 22.5])
def test_an_alternative_supplier_caps_the_depth_from_its_qualification(tmp_path, q):
    """Qualified on day q with capacity k = 5 (half of S): C gets nothing after its cover, then what 30% of its
    orders bring.

    The SOURCE row fires before tick ceil(q): C's orders of that tick go 30% to
    the new firm, which fills them from the next tick; they arrive one day later. C orders its capacity (10)
    plus its inventory gap over tau = 6 (target 20 + pipeline 10 - what is in transit to it, C having no
    stock), so it makes x_m = 0.3 (10 + (30 - x_{m-1}) / 6) = 4.5 - 0.05 x_{m-1} from ceil(q) + 2 on (x_{-1} = 0),
    below k, converging to 30 / 7, until S is back.
    """
    sc = build_scenario(tmp_path, SERIAL, variants(alt=alternative(q, capacity=0.5)), horizon=60)
    _, base = simulate(sc, "as-is")
    run, alt = simulate(sc, "alt")
    c, new = output_of(sc, alt, "C"), alt.firm_output[:, run.n_firms - 1]
    first = int(np.ceil(q)) + 2
    np.testing.assert_array_equal(c[:first], output_of(sc, base, "C")[:first])  # nothing changes before
    assert np.all(c[T0 + 3 : first] == 0.0)
    np.testing.assert_allclose(c[first : T0 + D], alternative_supply(T0 + D - first, [5.0] * (T0 + D - first)), rtol=1e-12)
    assert c[T0 + D - 1] == pytest.approx(30.0 / 7.0, rel=1e-9)
    assert np.all(new[: int(np.ceil(q)) + 1] == 0.0) and new[int(np.ceil(q)) + 1] == pytest.approx(4.5)
    assert alt.firm_min_ratio[run.n_firms - 1] == np.inf  # a standby firm has no output ratio


def alternative_supply(days: int, capacity: list[float]) -> np.ndarray:
    """What C gets from the new firm m days after its first delivery: min(capacity, 30% of C's order), the order
    being 10 plus C's gap (30 less last delivery, in transit) over tau = 6."""
    out, last = np.zeros(days), 0.0
    for m in range(days):
        out[m] = last = min(capacity[m], 0.3 * (10.0 + (30.0 - last) / 6.0))
    return out


def test_ramp_up_raises_the_new_capacity_linearly(tmp_path):
    """Ramp over R = 4 days: capacity k (t - q + 1) / R on tick t >= q, so C gets at most k (m + 2) / R on tick
    q + 2 + m, and 30% of its orders once that is more."""
    q, R = 15, 4
    sc = build_scenario(tmp_path, SERIAL, variants(alt=alternative(q, capacity=0.5, ramp=R)), horizon=40)
    _, alt = simulate(sc, "alt")
    c = output_of(sc, alt, "C")
    expected = alternative_supply(4, [5.0 * 2 / 4, 5.0 * 3 / 4, 5.0, 5.0])
    assert expected[:2].tolist() == [2.5, 3.75] and expected[2] < 5.0  # ramp-bound, then order-bound
    np.testing.assert_allclose(c[q + 2 : q + 2 + 4], expected, rtol=1e-12)


def test_the_start_shifts_the_qualification(tmp_path):
    """`start` (the decision) plus `qualification_days` is the day the new supplier takes orders."""
    sc = build_scenario(tmp_path, SERIAL, variants(a=alternative(12, 0.5), b=alternative(4, 0.5, start=8)), horizon=40)
    np.testing.assert_array_equal(simulate(sc, "a")[1].firm_output, simulate(sc, "b")[1].firm_output)


def test_without_a_shock_the_standby_supplier_diverts_its_share(tmp_path):
    """No outage: from qualification on, 30% of C's orders go to the new firm; C itself never notices."""
    sc = build_scenario(tmp_path, SERIAL, '[[variants]]\nname = "alt"\n[[variants.policies]]\n' + alternative(10, 1.0), horizon=30)
    run, tr = simulate(sc, "alt")
    np.testing.assert_allclose(output_of(sc, tr, "C"), 10.0, rtol=1e-12)
    np.testing.assert_allclose(tr.firm_output[12:, run.n_firms - 1], 3.0, rtol=1e-12)
    np.testing.assert_allclose(output_of(sc, tr, "S")[12:], 7.0, rtol=1e-12)


def test_the_new_firm_is_in_the_map_and_shocks_reach_it(tmp_path):
    """The new firm has the policy's region: a lockdown of that region also stops it."""
    lockdown = '\n[[shocks]]\nkind = "region_outage"\nregions = ["home"]\nstart = 30\nduration = 5\n'
    sc = build_scenario(tmp_path, SERIAL, variants(alt=alternative(10, 1.0) + '\nregion = "home"') + lockdown, horizon=40)
    run, tr = simulate(sc, "alt")
    assert np.all(tr.firm_output[30:35, run.n_firms - 1] == 0.0)


def test_alternative_supplier_costs(tmp_path):
    """Capacity counts from qualification (day 15 to 60: 45 days of 5 units, price 1, at 2 a year of its yearly
    output value), one qualification per link added."""
    rates = "\ncapacity_rate = 2\nqualification = 100"
    sc = build_scenario(tmp_path, SERIAL, variants(alt=alternative(15, 0.5) + rates), horizon=60)
    cost = variant_cost(sc, "alt")
    assert cost["capacity"] == pytest.approx(2 * 5 * 45)
    assert cost["qualification"] == 100


def test_a_firm_with_the_new_id_is_a_problem(tmp_path):
    taken = {**SERIAL, "firms": [*SERIAL["firms"], {"id": "alt_part", "product": "part", "region": "home"}]}
    taken["links"] = [{"supplier": "S", "customer": "C", "share": 0.5}, {"supplier": "alt_part", "customer": "C", "share": 0.5}]
    with pytest.raises(InputError) as err:
        build_scenario(tmp_path, taken, variants(alt=alternative(15, 0.5)), horizon=30)
    assert "variants[1].policies[0]: got 'alt_part'; expected a map without a firm of that id" in str(err.value)


# --- levers pulled on a day ----------------------------------------------------------------------
def test_timed_safety_stock_is_built_up_then_buys_its_days(tmp_path):
    """Cover +3 days decided on day 1 (tau 1, ample headroom): C orders the gap and holds the new target
    well before the outage, so TTS is 3 days longer, as if the stock had been there from the start."""
    roomy = {**SERIAL, "defaults": {"headroom": 5.0}, "parameters": {"tau": 1.0}}
    stock = 'kind = "safety_stock"\nselect = { ids = ["C"] }\nextra_cover = 3\nholding_rate = 365'
    sc = build_scenario(tmp_path, roomy, variants(timed=stock + "\nstart = 1", ready=stock), horizon=60)
    start = sc.shocks.first_start
    runs = {v: simulate(sc, v)[1] for v in ("as-is", "timed", "ready")}
    tts = {v: time_to_survive(output_of(sc, tr, "C"), 10.0, start) for v, tr in runs.items()}
    assert tts == {"as-is": 3.0, "timed": 6.0, "ready": 6.0}
    np.testing.assert_allclose(output_of(sc, runs["timed"], "C")[T0:], output_of(sc, runs["ready"], "C")[T0:], rtol=1e-12)
    assert variant_cost(sc, "timed")["holding"] == pytest.approx(30 * 59)  # 30 units (price 1) from tick 1 of 60, 1 a day
    assert variant_cost(sc, "ready")["holding"] == pytest.approx(30 * 60)


def test_timed_spare_capacity_works_off_the_backlog_from_its_day(tmp_path):
    """S runs at half capacity for 10 days from day 5; C (no headroom) then serves its backlog only once
    capacities are raised on day 20.5. A timed change is not foreseen, so C's orders of tick 20 plan on 10
    (S fills them on tick 21); from tick 21 they plan on 15, which S makes and ships from tick 22 and C makes from
    tick 23."""
    half = '\n[[shocks]]\nkind = "firm_outage"\nselect = { ids = ["S"] }\nmagnitude = 0.5\nstart = 5\nduration = 10\n'
    lever = 'kind = "spare_capacity"\nselect = {}\nextra_headroom = 0.5\nstart = 20.5'
    body = half + '\n[[variants]]\nname = "as-is"\n[[variants]]\nname = "later"\n[[variants.policies]]\n' + lever
    sc = build_scenario(tmp_path, SERIAL, body, horizon=40)
    _, base = simulate(sc, "as-is")
    _, later = simulate(sc, "later")
    np.testing.assert_array_equal(later.firm_output[:21], base.firm_output[:21])
    np.testing.assert_allclose(output_of(sc, base, "C")[20:30], 10.0, rtol=1e-12)
    assert output_of(sc, later, "S")[21] < 15.0
    np.testing.assert_allclose(output_of(sc, later, "S")[22:27], 15.0, rtol=1e-12)
    assert output_of(sc, later, "C")[22] < 15.0
    np.testing.assert_allclose(output_of(sc, later, "C")[23:26], 15.0, rtol=1e-12)


def test_timed_dual_sourcing_is_the_emergency_supplier_of_day_q(tmp_path):
    """C buys `part` from S1 only; S2 (headroom 1) makes part for C2. Second source qualified on day 20,
    S1 being out from day 5: nothing changes before, and C is back to half its demand or more after."""
    two = {
        "products": [PART, GOOD],
        "firms": [
            {"id": "S1", "product": "part", "region": "r"},
            {"id": "S2", "product": "part", "region": "r", "headroom": 1.0},
            {"id": "C", "product": "good", "region": "r", "cover": 2.0},
            {"id": "C2", "product": "good", "region": "r"},
        ],
        "links": [{"supplier": "S1", "customer": "C"}, {"supplier": "S2", "customer": "C2"}],
        "demand": [{"firm": "C", "units": 10.0}, {"firm": "C2", "units": 10.0}],
        "defaults": {"headroom": 0.0},
    }
    outage = '[[shocks]]\nkind = "firm_outage"\nselect = { ids = ["S1"] }\nstart = 5\nduration = 40\n'
    lever = 'kind = "dual_sourcing"\nselect = { ids = ["C"] }\nshare = 0.5\nstart = 20'
    body = outage + '\n[[variants]]\nname = "as-is"\n[[variants]]\nname = "emergency"\n[[variants.policies]]\n' + lever
    sc = build_scenario(tmp_path, two, body, horizon=50)
    _, base = simulate(sc, "as-is")
    _, emergency = simulate(sc, "emergency")
    np.testing.assert_array_equal(emergency.firm_output[:21], base.firm_output[:21])  # S2 fills the new orders from tick 21
    assert np.all(output_of(sc, base, "C")[10:45] == 0.0)
    assert np.all(output_of(sc, emergency, "C")[22:45] >= 5.0 - 1e-9)


def test_chain_master_support_cannot_be_timed(tmp_path):
    with pytest.raises(InputError) as err:
        build_scenario(tmp_path, SERIAL, variants(late='kind = "stabilize_chain_master"\nselect = { ids = ["C"] }\nstart = 5'))
    assert "variants[1].policies[0].start: got 5; expected 0: priority contracts" in str(err.value)


def test_a_slower_alternative_supplier_is_a_dip_the_cover_must_bridge(tmp_path):
    """The counter-example bounding tests/properties/test_directions.py: with no shock at all, half of C's
    orders move on day 5 to a supplier 4 days away instead of 1. For 3 days half the deliveries are missing;
    1 day of cover does not bridge that, so C dips (and loses output it never had to lose); 3 days do."""
    body = '[[variants]]\nname = "alt"\n[[variants.policies]]\n' + alternative(5, 1.0, share=0.5).replace("lead_time = 1", "lead_time = 4")
    for cover, dips in ((1.0, True), (3.0, False)):
        m = {**SERIAL, "firms": [SERIAL["firms"][0], {**SERIAL["firms"][1], "cover": cover}]}
        (tmp_path / str(cover)).mkdir()
        sc = build_scenario(tmp_path / str(cover), m, body, horizon=20)
        c = output_of(sc, simulate(sc, "alt")[1], "C")
        assert (c.min() < 10.0 - 1e-9) == dips
