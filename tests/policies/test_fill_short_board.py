"""fill_short_board: capacity, safety stock or a second supplier for named products or `simcore inspect`'s top N."""

from __future__ import annotations

import numpy as np
import pytest

from naive import PART, build_scenario, output_of, simulate, toml_value
from simcore.chainmap.inspect import short_boards
from simcore.errors import InputError
from simcore.metrics import series_metrics


CHIP = {"id": "chip", "category": "core_electronic_component"}
GOOD = {"id": "good", "category": "final_product", "recipe": {"chip": 1.0, "part": 1.0}}
# chip: one maker (single-sourced); part: two makers, both foreign (foreign-only)
MAP = {
    "products": [CHIP, PART, GOOD],
    "firms": [
        {"id": "M", "product": "chip", "region": "home"},
        {"id": "P1", "product": "part", "region": "abroad", "tags": ["foreign"]},
        {"id": "P2", "product": "part", "region": "abroad", "tags": ["foreign"]},
        {"id": "C", "product": "good", "region": "home", "tags": ["chain_master"]},
        {"id": "C2", "product": "good", "region": "home"},
    ],
    "links": [
        {"supplier": "M", "customer": "C"},
        {"supplier": "M", "customer": "C2"},
        {"supplier": "P1", "customer": "C"},
        {"supplier": "P2", "customer": "C2"},
    ],
    "demand": [{"firm": "C", "units": 10.0}, {"firm": "C2", "units": 5.0}],
    "defaults": {"headroom": 0.0, "cover": 2.0},
}


def policy(**settings) -> str:
    return "".join(f"{k} = {toml_value(v)}\n" for k, v in settings.items())


def body(shock: str, **variants) -> str:
    text = shock + '\n[[variants]]\nname = "as-is"\n'
    for name, settings in variants.items():
        text += f'\n[[variants]]\nname = "{name}"\n[[variants.policies]]\nkind = "fill_short_board"\n' + policy(**settings)
    return text


def test_the_map_has_two_short_boards(tmp_path):
    sc = build_scenario(tmp_path, MAP, body(""))
    # each customer buys part from one foreign maker: single-sourced and foreign-only at once (docs/model.md, Short boards)
    assert [(r["product"], r["reason"]) for r in short_boards(sc.model)] == [("chip", "single-sourced"), ("part", "single-sourced + foreign-only")]


def test_capacity_at_the_short_board_absorbs_a_partial_outage(tmp_path):
    """The chip maker loses half its capacity for 10 days. With headroom doubled (+100%) it still makes its 15 a day,
    so nothing downstream moves; without, both customers share 7.5."""
    shock = '[[shocks]]\nkind = "firm_outage"\nselect = { ids = ["M"] }\nmagnitude = 0.5\nstart = 3\nduration = 10\n'
    variants = {"capacity": {"top": 1, "mode": "capacity", "extra_headroom": 1.0}, "default": {"products": ["chip"], "mode": "capacity"}}
    sc = build_scenario(tmp_path, MAP, body(shock, **variants), 25)
    _, base = simulate(sc, "as-is")
    assert base.chain_output[:, 0].min() < 15.0 - 1
    run, tr = simulate(sc, "capacity")
    np.testing.assert_allclose(run.capacity, [30.0, 10.0, 5.0, 10.0, 5.0], rtol=1e-15)
    np.testing.assert_allclose(tr.firm_output, np.tile(run.base_output, (25, 1)), rtol=1e-12)
    run, _ = simulate(sc, "default")
    np.testing.assert_allclose(run.capacity, [15.0 * 1.2, 10.0, 5.0, 10.0, 5.0], rtol=1e-15)  # extra_headroom defaults to 0.2


def test_safety_stock_of_the_short_board_delays_tts_by_its_days(tmp_path):
    """The chip maker stops for 20 days: its customers (2 days of cover) survive 3 days, with 7 more days of chips 10."""
    shock = '[[shocks]]\nkind = "firm_outage"\nselect = { ids = ["M"] }\nstart = 3\nduration = 20\n'
    sc = build_scenario(tmp_path, MAP, body(shock, stock={"products": ["chip"], "mode": "safety_stock"}), 40)
    _, base = simulate(sc, "as-is")
    run, tr = simulate(sc, "stock")
    # slots: C chip, C part, C2 chip, C2 part
    np.testing.assert_allclose(run.slot_target, [9 * 10.0, 2 * 10.0, 9 * 5.0, 2 * 5.0], rtol=1e-15)
    for k, firm_id in ((3, "C"), (4, "C2")):
        baseline = run.base_output[k]
        assert series_metrics(output_of(sc, base, firm_id), baseline, 3)["tts"] == 2 + 1
        assert series_metrics(output_of(sc, tr, firm_id), baseline, 3)["tts"] == 2 + 7 + 1


def test_dual_sourcing_of_the_top_short_boards(tmp_path):
    """Of the top two, chips have no second maker (skipped); each part customer gets the other foreign maker at 30%."""
    sc = build_scenario(tmp_path, MAP, body("", dual={"top": 2, "mode": "dual_sourcing"}, many={"top": 5, "mode": "dual_sourcing", "share": 0.5}))
    ids = [f.id for f in sc.model.firms]
    run, _ = simulate(sc, "dual")
    links = {(ids[j], ids[i]): s for j, i, s in zip(run.link_supplier, run.link_customer, run.link_share)}
    expected = {("M", "C"): 1.0, ("P1", "C"): 0.7, ("P2", "C"): 0.3, ("M", "C2"): 1.0, ("P2", "C2"): 0.7, ("P1", "C2"): 0.3}
    assert links == pytest.approx(expected, rel=1e-15)
    np.testing.assert_allclose(run.base_output, [15.0, 8.5, 6.5, 10.0, 5.0], rtol=1e-14)
    run, _ = simulate(sc, "many")  # top beyond the list takes all of it
    np.testing.assert_allclose(run.base_output, [15.0, 7.5, 7.5, 10.0, 5.0], rtol=1e-14)


def test_dual_sourcing_a_product_with_one_maker_is_a_problem(tmp_path):
    with pytest.raises(InputError) as info:
        build_scenario(tmp_path, MAP, body("", dual={"products": ["chip"], "mode": "dual_sourcing"}))
    (problem,) = info.value.problems
    assert problem.field == "variants[1].policies[0].products[0]" and problem.value == "chip"
    assert "second maker" in problem.expected and "only M makes it" in problem.expected


def test_top_takes_the_worst_short_boards_by_the_stress_ranking(tmp_path):
    """Chips come first in the map, but C2 holds 40 days of them: knocking out the chip maker for 30 days costs
    only C's output after its 2 days, while knocking out both part makers stops C and C2. So `top = 1` is `part`."""
    from simcore.knockouts import rank_products

    generous = {**MAP, "firms": [*MAP["firms"][:3], MAP["firms"][3], {**MAP["firms"][4], "cover_by_input": {"chip": 40.0}}]}
    sc = build_scenario(tmp_path, generous, body("", stock={"top": 1, "mode": "safety_stock", "extra_cover": 5}))
    assert [r["product"] for r in short_boards(sc.model)] == ["chip", "part"]
    assert rank_products(sc.model, ["chip", "part"]) == ["part", "chip"]
    run, _ = simulate(sc, "stock")
    base, _ = simulate(sc, "as-is")
    raised = np.flatnonzero(run.slot_target != base.slot_target)
    assert {sc.model.products[run.slot_product[s]].id for s in raised} == {"part"}
