"""dual_sourcing: a second existing maker takes `share` of a single-sourced input; the baseline is re-solved."""

from __future__ import annotations

import numpy as np
import pytest

from naive import GOOD, PART, build_scenario, output_of, simulate
from simcore.core.primitives import CLOSE


# S1 is C's only part supplier; S2 (the larger, with 50% headroom) and S3 make parts for C2 and C3.
MAP = {
    "products": [PART, GOOD],
    "firms": [
        {"id": "S1", "product": "part", "region": "north"},
        {"id": "S2", "product": "part", "region": "south", "headroom": 0.5},
        {"id": "S3", "product": "part", "region": "east"},
        {"id": "C", "product": "good", "region": "north", "cover": 0.0},
        {"id": "C2", "product": "good", "region": "south", "cover": 0.0},
        {"id": "C3", "product": "good", "region": "east", "cover": 0.0},
    ],
    "links": [{"supplier": "S1", "customer": "C"}, {"supplier": "S2", "customer": "C2"}, {"supplier": "S3", "customer": "C3"}],
    "demand": [{"firm": "C", "units": 10.0}, {"firm": "C2", "units": 5.0}, {"firm": "C3", "units": 1.0}],
    "defaults": {"headroom": 0.0},
}

VARIANTS = """
[[variants]]
name = "as-is"

[[variants]]
name = "dual"
[[variants.policies]]
kind = "dual_sourcing"
select = { ids = ["C"] }
products = ["part"]

[[variants]]
name = "dual from the east"
[[variants.policies]]
kind = "dual_sourcing"
select = { ids = ["C"] }
from = { regions = ["east"] }
share = 0.25
lead_time = 2.5
"""

OUTAGE = """
[parameters]
backlog_days = 1

[[shocks]]
kind = "firm_outage"
select = { ids = ["S1"] }
start = 5
duration = 20
"""


def test_the_largest_other_maker_gets_the_share_and_the_baseline_is_re_solved(tmp_path):
    sc = build_scenario(tmp_path, MAP, VARIANTS, 30)
    ids = [f.id for f in sc.model.firms]
    base, _ = simulate(sc, "as-is")
    run, _ = simulate(sc, "dual")
    assert run.n_links == base.n_links + 1
    links = {(ids[j], ids[i]): (share, lead) for j, i, share, lead in zip(run.link_supplier, run.link_customer, run.link_share, run.link_lead)}
    assert links[("S1", "C")] == (pytest.approx(0.7, rel=1e-15), 1.0) and links[("S2", "C")] == (pytest.approx(0.3, rel=1e-15), 1.0)
    np.testing.assert_allclose(run.base_output, [7.0, 8.0, 1.0, 10.0, 5.0, 1.0], rtol=1e-14)
    np.testing.assert_allclose(run.capacity, [7.0, 12.0, 1.0, 10.0, 5.0, 1.0], rtol=1e-14)  # capacity follows the baseline
    np.testing.assert_allclose(run.chain_baseline, base.chain_baseline, rtol=1e-14)  # only final firms count
    east, _ = simulate(sc, "dual from the east")
    links = {(ids[j], ids[i]): (share, lead) for j, i, share, lead in zip(east.link_supplier, east.link_customer, east.link_share, east.link_lead)}
    assert links[("S3", "C")] == (pytest.approx(0.25, rel=1e-15), 2.5)
    np.testing.assert_allclose(east.base_output, [7.5, 5.0, 3.5, 10.0, 5.0, 1.0], rtol=1e-14)
    assert east.slot_pipeline[east.slot_ptr[ids.index("C")]] == pytest.approx(7.5 * 1 + 2.5 * 3)  # ceil(2.5) = 3 shipments in transit


def test_the_second_supplier_keeps_the_customer_going(tmp_path):
    """S1 stops for 20 days. Alone, C (no cover) makes nothing from the next day on. With 30% from S2, C makes
    3 the day after (S2's share of the baseline order), then `share * o`, where C's order o follows
    o' = 10 + (10 - share * o) / tau: demand 10 (no backlog: backlog_days = 1) plus the pipeline gap (pipeline 10,
    S2's shipment in transit, no stock left), so C settles at share * 10 (tau + 1) / (tau + share) = 3.33."""
    t0, duration, tau, share = 5, 20, 6.0, 0.3
    sc = build_scenario(tmp_path, MAP, OUTAGE + VARIANTS, 30)
    _, base = simulate(sc, "as-is")
    np.testing.assert_allclose(output_of(sc, base, "C")[t0 + 1 : t0 + duration + 1], 0.0, atol=1e-12)
    _, tr = simulate(sc, "dual")
    expected, order = [], 10.0  # C's order of tick t0 - 1 is the baseline
    for _ in range(duration):
        expected.append(share * order)  # shipped by S2 in tick t, used by C in tick t + 1
        order = 10.0 + (10.0 - share * order) / tau
    c = output_of(sc, tr, "C")
    assert c[t0] == pytest.approx(10.0)
    np.testing.assert_allclose(c[t0 + 1 : t0 + duration + 1], expected, rtol=1e-12)
    assert expected[0] == pytest.approx(3.0) and expected[-1] == pytest.approx(share * 10 * (tau + 1) / (tau + share), rel=1e-9)
    np.testing.assert_allclose(output_of(sc, tr, "C2"), 5.0, rtol=1e-12)  # S2 has room for both


def test_an_embargo_also_closes_the_new_link(tmp_path):
    """Shocks are expanded again on the changed map: an embargo on foreign parts covers the new S2 -> C link."""
    model = {**MAP, "firms": [{**f, "tags": ["foreign"]} if f["id"] == "S2" else f for f in MAP["firms"]]}
    embargo = '[[shocks]]\nkind = "embargo"\nproducts = ["part"]\nstart = 3\nduration = 5\n'
    sc = build_scenario(tmp_path, model, embargo + VARIANTS, 20)
    ids = [f.id for f in sc.model.firms]
    for variant, closed in (("as-is", {("S2", "C2")}), ("dual", {("S2", "C2"), ("S2", "C")})):
        run, _ = simulate(sc, variant)
        rows = run.shock_target[run.shock_kind == CLOSE]
        assert {(ids[run.link_supplier[l]], ids[run.link_customer[l]]) for l in rows} == closed


def test_nothing_to_do_is_a_problem(tmp_path):
    from simcore.errors import InputError

    body = '[[variants]]\nname = "x"\n[[variants.policies]]\nkind = "dual_sourcing"\nselect = { ids = ["C"] }\nfrom = { ids = ["S1"] }\n'
    with pytest.raises(InputError) as info:
        build_scenario(tmp_path, MAP, body)
    (problem,) = info.value.problems
    assert problem.field == "variants[0].policies[0]" and "adds at least one supplier link" in problem.expected
