"""stabilize_chain_master: priority at the suppliers, extra cover, faster recovery, extended up the chain."""

from __future__ import annotations

import numpy as np
import pytest

from naive import GOOD, PART, build_scenario, check, listing, output_of, problems_of, refused, simcore, simulate, write_scenario
from simcore import load_scenario
from simcore.core.primitives import DAMAGE
from simcore.core.compiled import MIXED


FAN_OUT = {  # one supplier, two final customers without cover; C1 is the chain master
    "products": [PART, GOOD],
    "firms": [
        {"id": "S", "product": "part", "region": "r"},
        {"id": "C1", "product": "good", "region": "r", "cover": 0.0, "tags": ["chain_master"]},
        {"id": "C2", "product": "good", "region": "r", "cover": 0.0},
    ],
    "links": [{"supplier": "S", "customer": "C1"}, {"supplier": "S", "customer": "C2"}],
    "demand": [{"firm": "C1", "units": 10.0}, {"firm": "C2", "units": 10.0}],
    "defaults": {"headroom": 0.0},
}

FAN_OUT_BODY = """
[[shocks]]
kind = "firm_outage"
select = { ids = ["S"] }
magnitude = 0.25
start = 3
duration = 10

[[variants]]
name = "as-is"

[[variants]]
name = "stabilize"
[[variants.policies]]
kind = "stabilize_chain_master"

[[variants]]
name = "tiers only"
[[variants.policies]]
kind = "stabilize_chain_master"
set_rationing = false
"""


def test_priority_serves_the_chain_master_first(tmp_path):
    """S loses a quarter of its 20 a day: proportional rationing gives each customer 7.5; with the policy C1
    (tier 0) gets its full 10 and C2 the remaining 5."""
    sc = build_scenario(tmp_path, FAN_OUT, FAN_OUT_BODY, 20)
    window = slice(4, 14)
    _, base = simulate(sc, "as-is")
    np.testing.assert_allclose(base.firm_output[window, 1:], 7.5, atol=1e-9)
    run, tr = simulate(sc, "stabilize")
    assert run.rationing == 1 and run.link_tier.tolist() == [0, 1]
    np.testing.assert_allclose(output_of(sc, tr, "C1")[window], 10.0, atol=1e-9)
    np.testing.assert_allclose(output_of(sc, tr, "C2")[window], 5.0, atol=1e-9)
    # tiers without the priority rule change nothing
    run, tr = simulate(sc, "tiers only")
    assert run.rationing == MIXED and run.link_tier.tolist() == [0, 1]
    np.testing.assert_allclose(tr.firm_output, base.firm_output, rtol=1e-12)


def test_priority_never_lowers_a_tier(tmp_path):
    model = {**FAN_OUT, "links": [{"supplier": "S", "customer": "C1", "priority": 0}, {"supplier": "S", "customer": "C2"}]}
    sc = build_scenario(tmp_path, model, '[[variants]]\nname = "tier 3"\n[[variants.policies]]\nkind = "stabilize_chain_master"\npriority = 3\n')
    run, _ = simulate(sc, "tier 3")
    assert run.link_tier.tolist() == [0, 1]


# --- extension to the suppliers: R -> S1 -> C (chain master), R -> S2 -> C2 --------------------------------------
RAW = {"id": "ore", "category": "raw_material"}
PART_OF_ORE = {"id": "part", "category": "basic_component", "recipe": {"ore": 1.0}}
TWO_TIERS = {
    "products": [RAW, PART_OF_ORE, GOOD],
    "firms": [
        {"id": "R", "product": "ore", "region": "r"},
        {"id": "S1", "product": "part", "region": "r"},
        {"id": "S2", "product": "part", "region": "r"},
        {"id": "C", "product": "good", "region": "r", "tags": ["chain_master"]},
        {"id": "C2", "product": "good", "region": "r"},
    ],
    "links": [
        {"supplier": "R", "customer": "S1"},
        {"supplier": "R", "customer": "S2"},
        {"supplier": "S1", "customer": "C"},
        {"supplier": "S2", "customer": "C2"},
    ],
    "demand": [{"firm": "C", "units": 10.0}, {"firm": "C2", "units": 10.0}],
    "defaults": {"headroom": 0.0, "cover": 0.0},
}


def extension_body(shock: str, extra_cover: float = 0.0, recovery_speed: float = 1.0) -> str:
    variants = "".join(
        f"""
[[variants]]
name = "extend {tiers}"
[[variants.policies]]
kind = "stabilize_chain_master"
extend_to_tiers = {tiers}
extra_cover = {extra_cover}
recovery_speed = {recovery_speed}
"""
        for tiers in (0, 1, 2)
    )
    return shock + '\n[[variants]]\nname = "as-is"\n' + variants


def test_big_hands_pull_small_hands(tmp_path):
    """R loses a quarter of its 20 a day. Priority at C's supplier S1 does not help C: S1 itself gets only 7.5
    at R. Extended to tier 1, S1's order at R is served first too, and C gets its full 10 (C2 gets 5)."""
    shock = '[[shocks]]\nkind = "firm_outage"\nselect = { ids = ["R"] }\nmagnitude = 0.25\nstart = 3\nduration = 10\n'
    sc = build_scenario(tmp_path, TWO_TIERS, extension_body(shock), 30)
    window = slice(6, 14)
    _, base = simulate(sc, "as-is")
    _, own = simulate(sc, "extend 0")
    _, ext = simulate(sc, "extend 1")
    for tr in (base, own):
        np.testing.assert_allclose(output_of(sc, tr, "S1")[window], 7.5, atol=1e-9)
        np.testing.assert_allclose(output_of(sc, tr, "C")[window], 7.5, atol=1e-9)
    np.testing.assert_allclose(output_of(sc, ext, "S1")[window], 10.0, atol=1e-9)
    np.testing.assert_allclose(output_of(sc, ext, "S2")[window], 5.0, atol=1e-9)
    np.testing.assert_allclose(output_of(sc, ext, "C")[window], 10.0, atol=1e-9)


def test_extension_sets(tmp_path):
    """Tier 0: links into C, C's inputs; tier 1 adds S1 (links R -> S1, S1's ore); tier 2 adds R (no inputs, no links in)."""
    shock = '[[shocks]]\nkind = "firm_outage"\nselect = { ids = ["R", "S1", "S2"] }\nstart = 3\nduration = 2\n'
    shock += 'recovery = { profile = "linear", days = 4 }\n'
    sc = build_scenario(tmp_path, TWO_TIERS, extension_body(shock, extra_cover=2, recovery_speed=2), 20)
    base, _ = simulate(sc, "as-is")
    ids = [f.id for f in sc.model.firms]
    into = {ids[c] for c in base.link_customer}
    for tiers, supported in ((0, {"C"}), (1, {"C", "S1"}), (2, {"C", "S1", "R"})):
        run, _ = simulate(sc, f"extend {tiers}")
        raised = {ids[c] for c, a, b in zip(run.link_customer, run.link_tier, base.link_tier) if a < b}
        assert raised == supported & into
        slot_firm = np.repeat(np.arange(len(ids)), np.diff(run.slot_ptr))
        grown = {ids[k] for k, a, b in zip(slot_firm, run.slot_target, base.slot_target) if a > b}
        assert grown == supported - {"R"}  # R has no inputs
        np.testing.assert_allclose(run.slot_target - base.slot_target, [2 * 10.0 if ids[k] in supported else 0.0 for k in slot_firm])
        faster = {ids[t] for t, a, b in zip(run.shock_target, run.shock_param, base.shock_param) if a < b}
        assert faster == supported & {"R", "S1", "S2"}


SERIAL = {
    "products": [PART, GOOD],
    "firms": [{"id": "S", "product": "part", "region": "r"}, {"id": "C", "product": "good", "region": "r", "cover": 0.0, "tags": ["chain_master"]}],
    "links": [{"supplier": "S", "customer": "C"}],
    "demand": [{"firm": "C", "units": 10.0}],
    "defaults": {"headroom": 0.0},
}


@pytest.mark.parametrize("target", ["S", "C"])
def test_recovery_speed_two_halves_a_linear_recovery(tmp_path, target):
    """Damage 1 for 4 days, then linear over 4 days: 25%, 50%, 75%, 100%; at speed 2 over 2 days: 50%, 100%.
    The supplier S is helped only when the support extends to tier 1."""
    body = f"""
[[shocks]]
kind = "firm_outage"
select = {{ ids = ["{target}"] }}
start = 2
duration = 4
recovery = {{ profile = "linear", days = 4 }}

[[variants]]
name = "as-is"

[[variants]]
name = "masters"
[[variants.policies]]
kind = "stabilize_chain_master"
recovery_speed = 2

[[variants]]
name = "masters and suppliers"
[[variants.policies]]
kind = "stabilize_chain_master"
recovery_speed = 2
extend_to_tiers = 1
"""
    sc = build_scenario(tmp_path, SERIAL, body, 12)
    slow, fast = [0, 0, 0, 0, 2.5, 5.0, 7.5, 10.0], [0, 0, 0, 0, 5.0, 10.0, 10.0, 10.0]
    _, base = simulate(sc, "as-is")
    np.testing.assert_allclose(output_of(sc, base, target)[2:10], slow, atol=1e-12)
    _, masters = simulate(sc, "masters")
    np.testing.assert_allclose(output_of(sc, masters, target)[2:10], fast if target == "C" else slow, atol=1e-12)
    run, both = simulate(sc, "masters and suppliers")
    np.testing.assert_allclose(output_of(sc, both, target)[2:10], fast, atol=1e-12)
    assert run.shock_param.tolist() == [2.0] and run.shock_kind.tolist() == [DAMAGE]


def test_recovery_speed_divides_an_exponential_half_life(tmp_path):
    body = """
[[shocks]]
kind = "firm_outage"
select = { tags = ["chain_master"] }
magnitude = 0.8
start = 0
duration = 2
recovery = { profile = "exponential", half_life = 2 }

[[variants]]
name = "fast"
[[variants.policies]]
kind = "stabilize_chain_master"
recovery_speed = 2
"""
    sc = build_scenario(tmp_path, {**SERIAL, "firms": [SERIAL["firms"][0], {**SERIAL["firms"][1], "cover": 5.0}]}, body, 6)
    run, tr = simulate(sc, "fast")
    assert run.shock_param.tolist() == [1.0]
    np.testing.assert_allclose(output_of(sc, tr, "C")[:4], [2.0, 2.0, 10 * (1 - 0.4), 10 * (1 - 0.2)], atol=1e-12)


def test_priority_that_could_deadlock_is_refused(tmp_path):
    """A firm in tier 5 would be served after final demand (tier 1) once stabilize_chain_master switches to priority
    rationing: a rule that can deadlock a supply loop (docs/model.md, Rationing). The scenario is refused, exit 2,
    nothing written; with final demand in tier 5, or without the switch, it runs."""
    model = {**FAN_OUT, "firms": [*FAN_OUT["firms"][:2], {**FAN_OUT["firms"][2], "priority": 5}]}
    path = write_scenario(tmp_path, model, FAN_OUT_BODY)
    out = tmp_path / "out"
    err = refused(simcore("run", str(path), "--out", str(out)), "variants[1].policies[0].set_rationing", "final_demand_priority >= 5")
    assert "deadlock" in err and listing(out) == {}
    check(problems_of(load_scenario, path), path, "variants[1].policies[0].set_rationing", True, "tier 1", "tier 5")
    (tmp_path / "fixed").mkdir()
    fixed = write_scenario(tmp_path / "fixed", model, FAN_OUT_BODY.replace('name = "stabilize"', 'name = "stabilize"\nparameters = { final_demand_priority = 5 }'))
    assert load_scenario(fixed).variant("stabilize").name == "stabilize"
