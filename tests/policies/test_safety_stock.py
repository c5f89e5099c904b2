"""safety_stock: extra cover of c days delays the customer's time to survive by exactly c days."""

from __future__ import annotations

import numpy as np
import pytest

from naive import GOOD, PART, build_scenario, output_of, simulate
from simcore.metrics import series_metrics


def serial(cover: float) -> dict:
    return {
        "products": [PART, GOOD],
        "firms": [{"id": "S", "product": "part", "region": "r"}, {"id": "C", "product": "good", "region": "r", "cover": cover}],
        "links": [{"supplier": "S", "customer": "C", "lead_time": 1.0}],
        "demand": [{"firm": "C", "units": 10.0}],
        "defaults": {"headroom": 0.0},
    }


def body(extra: float, cover: float, duration: float) -> str:
    return f"""
[[shocks]]
kind = "firm_outage"
select = {{ ids = ["S"] }}
start = 5
duration = {duration}

[[variants]]
name = "as-is"

[[variants]]
name = "extra"
[[variants.policies]]
kind = "safety_stock"
select = {{ ids = ["C"] }}
extra_cover = {extra}

[[variants]]
name = "absolute"
[[variants.policies]]
kind = "safety_stock"
select = {{ ids = ["C"] }}
inputs = ["part"]
cover = {cover + extra}
"""


@pytest.mark.parametrize("cover,extra,duration", [(0, 2, 6), (3, 4, 10), (2, 5, 20), (1, 0.5, 9)])
def test_extra_cover_delays_tts_by_exactly_c_days(tmp_path, cover, extra, duration):
    """Supplier stops at t0 for D > cover + c days: the customer makes 10 a day through t0 + cover + c, nothing
    from then until the supplier's first shipment after recovery; TTS = cover + c + 1 (c whole days: a
    fractional c rounds down, its remainder is consumed on the first short day)."""
    t0, horizon = 5, 40
    sc = build_scenario(tmp_path, serial(cover), body(extra, cover, duration), horizon)
    _, base = simulate(sc, "as-is")
    assert series_metrics(base.chain_output[:, 0], 10.0, t0)["tts"] == cover + 1
    for variant in ("extra", "absolute"):
        run, tr = simulate(sc, variant)
        np.testing.assert_allclose(run.slot_target, [(cover + extra) * 10.0], rtol=1e-15)
        c = output_of(sc, tr, "C")
        whole = int(np.floor(extra))
        expected = np.full(horizon, 10.0)
        expected[t0 + cover + whole + 1] = 10.0 * (extra - whole)  # the remainder of a fractional cover
        expected[t0 + cover + whole + 2 : t0 + duration + 1] = 0.0
        if extra == whole:
            expected[t0 + cover + whole + 1] = 0.0
        np.testing.assert_allclose(c[: t0 + duration + 1], expected[: t0 + duration + 1], atol=1e-9)
        assert series_metrics(tr.chain_output[:, 0], 10.0, t0)["tts"] == cover + whole + 1


def two_inputs() -> dict:
    """A good made of one part and two bolts; the assembler holds 2 days of each."""
    bolt = {"id": "bolt", "category": "basic_component"}
    good = {"id": "good", "category": "final_product", "recipe": {"part": 1.0, "bolt": 2.0}}
    return {
        "products": [PART, bolt, good],
        "firms": [
            {"id": "S", "product": "part", "region": "r"},
            {"id": "B", "product": "bolt", "region": "r"},
            {"id": "C", "product": "good", "region": "r", "cover": 2.0, "tags": ["assembler"]},
        ],
        "links": [{"supplier": "S", "customer": "C"}, {"supplier": "B", "customer": "C"}],
        "demand": [{"firm": "C", "units": 10.0}],
        "defaults": {"headroom": 0.0},
    }


def test_inputs_limit_the_policy_to_some_inputs(tmp_path):
    sc = build_scenario(
        tmp_path,
        two_inputs(),
        """
[[variants]]
name = "bolts only"
[[variants.policies]]
kind = "safety_stock"
select = { tags = ["assembler"] }
inputs = ["bolt"]
extra_cover = 3
""",
    )
    run, _ = simulate(sc, "bolts only")
    # slots of C in recipe order: part (10 a day), bolt (20 a day)
    np.testing.assert_allclose(run.slot_target, [2 * 10.0, (2 + 3) * 20.0], rtol=1e-15)


def test_absolute_cover_can_lower_stock(tmp_path):
    sc = build_scenario(tmp_path, two_inputs(), '[[variants]]\nname = "lean"\n[[variants.policies]]\nkind = "safety_stock"\nselect = {}\ncover = 0.5\n')
    run, _ = simulate(sc, "lean")
    np.testing.assert_allclose(run.slot_target, [0.5 * 10.0, 0.5 * 20.0], rtol=1e-15)
