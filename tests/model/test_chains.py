"""Chains that include their suppliers (docs/model.md, Metrics, Decisions): a chain's firms are its final-demand
firms and everything upstream of them, a shared supplier belongs to every chain it serves, and the stress test
says which knock-outs spread from one chain into another (docs/stress.md, Contagion)."""

from __future__ import annotations

import numpy as np
import pytest

from naive import model_toml
from simcore.api import load_scenario, run
from simcore.chainmap import load_model
from simcore.stress import run_stress, setup_stress, shared_stuck_necks, stress_table

COVER, OUTAGE, DAYS = 2.0, 6.0, 40  # every firm holds 2 days of each input; knock-outs of 6 days; 40 days simulated

# O mines ore for S, the chip maker both chains share; T makes tyres for the car maker only.
TWO_CHAINS = model_toml(
    [
        {"id": "ore", "category": "raw_material"},
        {"id": "chip", "category": "core_electronic_component", "recipe": {"ore": 1.0}},
        {"id": "tyre", "category": "basic_component"},
        {"id": "car", "category": "final_product", "recipe": {"chip": 1.0, "tyre": 1.0}, "chains": ["cars"], "price": 3.0},
        {"id": "phone", "category": "final_product", "recipe": {"chip": 1.0}, "chains": ["phones"]},
    ],
    [
        {"id": "O", "product": "ore", "region": "r"},
        {"id": "S", "product": "chip", "region": "r"},
        {"id": "T", "product": "tyre", "region": "r"},
        {"id": "CarCo", "product": "car", "region": "r", "tags": ["chain_master"]},
        {"id": "PhoneCo", "product": "phone", "region": "r"},
    ],
    [
        {"supplier": "O", "customer": "S"},
        {"supplier": "S", "customer": "CarCo"},
        {"supplier": "S", "customer": "PhoneCo"},
        {"supplier": "T", "customer": "CarCo"},
    ],
    [{"firm": "CarCo", "units": 10.0}, {"firm": "PhoneCo", "units": 10.0}],
    defaults={"cover": COVER, "headroom": 0.2},
).replace('name = "test map"', 'name = "test map"\nchains = ["cars", "phones"]', 1)


@pytest.fixture
def model_file(tmp_path):
    path = tmp_path / "model.toml"
    path.write_text(TWO_CHAINS)
    return path


def test_a_chain_holds_its_suppliers_with_the_share_of_their_output_it_calls_for(model_file):
    """S makes 20 chips a day, 10 for each chain: it belongs to both with share 1/2, and so does O; T serves cars."""
    cmap = load_model(model_file)
    ids = lambda ks: sorted(cmap.firms[k].id for k in ks)  # noqa: E731
    assert ids(cmap.chain_members["cars"]) == ["CarCo", "O", "S", "T"]
    assert ids(cmap.chain_members["phones"]) == ["O", "PhoneCo", "S"]
    assert ids(cmap.chain_finals["cars"]) == ["CarCo"]
    index = cmap.firm_index
    assert cmap.chain_shares["cars"][[index[f] for f in ("O", "S", "T", "CarCo", "PhoneCo")]] == pytest.approx([0.5, 0.5, 1.0, 1.0, 0.0])
    assert cmap.chain_shares["phones"][[index[f] for f in ("O", "S", "T", "CarCo", "PhoneCo")]] == pytest.approx([0.5, 0.5, 0.0, 0.0, 1.0])
    assert cmap.firm_chains(index["S"]) == {"cars", "phones"}
    assert cmap.firm_chains(index["T"]) == {"cars"}


def test_an_outage_at_the_shared_supplier_costs_both_chains_exactly(model_file, tmp_path):
    """S stops for 6 days from day 3. Each final maker holds 2 days of chips plus the day in transit: it runs through
    day 5, makes nothing on days 6 to 9 (D - c = 4 days) and is back on day 10, when S's first shipment arrives
    (docs/model.md, Worked example): loss (D - c) / T, depth 0, TTS c + 1, TTR D + 1 in both chains. Every firm of
    each chain is affected: O and T lose their orders while their customer is stopped."""
    scenario = tmp_path / "scenario.toml"
    scenario.write_text(
        f'[scenario]\nname = "chip fire"\nmodel = "{model_file.name}"\nhorizon = {DAYS}\n\n'
        '[[shocks]]\nkind = "firm_outage"\nselect = { ids = ["S"] }\nstart = 3\nduration = 6\n\n[[variants]]\nname = "as-is"\n'
    )
    table = run(load_scenario(scenario)).metrics().set_index("chain")
    for chain, affected in (("cars", 4), ("phones", 3), ("total", 5)):
        row = table.loc[chain]
        assert row.loss == pytest.approx((OUTAGE - COVER) / DAYS)
        assert (row.depth, row.tts, row.ttr, row.firms_affected) == (0.0, COVER + 1, OUTAGE + 1, affected)


def test_the_stress_test_names_the_knock_outs_that_spread_across_chains(model_file):
    """By firm, 6 days from day 0: S and O hurt both chains (shared stuck necks: S first, its loss is larger; O's
    outage reaches the final makers only after S's own stock of ore has run out too), T hurts cars alone,
    each final maker only its own chain."""
    setup, cmap = setup_stress(model_file, by="firm", duration=OUTAGE, horizon=DAYS)
    table = stress_table(setup, cmap, run_stress(setup, progress=False)).set_index("unit")
    assert table.loc["S", ["loss_cars", "loss_phones"]].tolist() == pytest.approx([(OUTAGE - COVER) / DAYS] * 2)
    assert table.loc["T", ["loss_cars", "loss_phones"]].tolist() == pytest.approx([(OUTAGE - COVER) / DAYS, 0.0])
    assert table.loc["CarCo", ["loss_cars", "loss_phones"]].tolist() == pytest.approx([OUTAGE / DAYS, 0.0])
    assert table.loc["PhoneCo", ["loss_cars", "loss_phones"]].tolist() == pytest.approx([0.0, OUTAGE / DAYS])
    assert table.chains_hurt.to_dict() == {"S": 2, "O": 2, "T": 1, "CarCo": 1, "PhoneCo": 1}
    assert table.loc["T", "hurt"] == "cars"
    shared = shared_stuck_necks(table.reset_index())
    assert shared.unit.tolist() == ["S", "O"]
    assert shared.hurt.tolist() == ["cars, phones"] * 2
    # the total chain values cars at 3 a unit and phones at 1: the total loss weighs the two chains 3 : 1
    for unit in ("S", "T"):
        row = table.loc[unit]
        assert row.loss == pytest.approx((3 * row.loss_cars + row.loss_phones) / 4)
