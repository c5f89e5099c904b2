"""`fill_short_board` with `top = N`: the short boards are ranked once, when the scenario is loaded, by the function the
loader's caller hands in; compiling and costing a variant never run a stress test."""

from __future__ import annotations

import pytest

import simcore.engines
import simcore.knockouts
from simcore import load_scenario
from simcore.compile import compile_run
from simcore.costs import variant_cost
from simcore.scenario import read_scenario

from naive import write_scenario
from .test_fill_short_board import MAP, body


def test_the_loader_ranks_and_compiling_runs_no_batch(tmp_path, monkeypatch):
    path = write_scenario(tmp_path, MAP, body("", capacity={"top": 1, "mode": "capacity", "extra_headroom": 1.0}), 20)
    sc = load_scenario(path)

    def no_batch(*_):
        raise AssertionError("a batch ran after loading")

    monkeypatch.setattr(simcore.engines, "get_batch_engine", no_batch)
    monkeypatch.setattr(simcore.knockouts, "get_batch_engine", no_batch)
    monkeypatch.setattr(simcore.knockouts, "ranked_losses", no_batch)
    monkeypatch.setattr(simcore.knockouts, "rank_under_scenario", no_batch)
    run = compile_run(sc, "capacity")
    assert run.capacity.tolist() == [30.0, 10.0, 5.0, 10.0, 5.0]  # the chip maker's headroom doubled: `top = 1` is chip
    assert variant_cost(sc, "capacity")["capacity"] == pytest.approx(0.05 * 15.0 * 20)  # 15 units a day more, price 1


def test_reading_without_a_ranking_says_who_ranks(tmp_path):
    path = write_scenario(tmp_path, MAP, body("", stock={"top": 1, "mode": "safety_stock"}))
    with pytest.raises(ValueError, match="simcore.load_scenario"):
        read_scenario(path)
    assert read_scenario(path, lambda cmap, products: list(reversed(products))).variants[1].policies[0].chosen_products == ["part"]
