"""`simcore optimize` on the command line: what a planner reads, the files, Dask, and bad input (one line each,
exit 2, nothing written)."""

from __future__ import annotations

import json

import pytest

from naive import write_scenario
from simcore.cli import main

from .test_optimize import DAYS, MONEY, RANDOM, SIX, TWO_INPUTS

BODY = f"{MONEY}\n{RANDOM}\n[optimize]\ndefaults = false\nreplications = 8\nbudget = 30000\n{SIX}"


def write(tmp_path, body: str = BODY, model=TWO_INPUTS):
    return write_scenario(tmp_path, model, body, DAYS)


def test_one_command_with_a_budget_reads_in_money(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["optimize", str(write(tmp_path)), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "budget 30 k CNY" in text and "chosen portfolio:" in text and "how sure:" in text and "how the choice moves with the budget" in text
    summary = json.loads((out / "summary.json").read_text())
    assert summary["budget"] == 30000 and summary["money"]["currency"] == "CNY"
    assert summary["chosen"]["cost"] <= 30000 and summary["search"]["method"] == "exhaustive"
    assert summary["chosen"]["value_saved_ci_low"] <= summary["chosen"]["value_saved"] <= summary["chosen"]["value_saved_ci_high"]
    for name in ("frontier.csv", "frontier.png", "portfolios.csv", "candidates.csv", "optimize.json"):
        assert (out / name).is_file(), name
    front = (out / "frontier.csv").read_text().splitlines()
    assert front[0].startswith("portfolio,candidates,size,cost") and len(front) == len(summary["frontier"]) + 1


def test_the_budget_on_the_command_line_wins_and_list_simulates_nothing(tmp_path, capsys):
    path = write(tmp_path)
    assert main(["optimize", str(path), "--list", "--out", str(tmp_path / "x")]) == 0
    text = capsys.readouterr().out
    assert "6 candidates" in text and "stock a [scenario]: 10 k" in text
    assert not (tmp_path / "x").exists()
    assert main(["optimize", str(path), "--budget", "12e3", "--out", str(tmp_path / "y")]) == 0
    assert json.loads((tmp_path / "y" / "summary.json").read_text())["budget"] == 12000


def test_dask_gives_identical_results(tmp_path):
    from simcore.portfolios import optimize
    from simcore import load_scenario

    pytest.importorskip("distributed")
    sc = load_scenario(write(tmp_path))
    here = optimize(sc, search="greedy", progress=False)
    there = optimize(sc, search="greedy", dask_local=2, progress=False)
    assert here.chosen == there.chosen and here.scores == there.scores


BAD = [
    (["--budget", "-5"], "command line: --budget: got -5.0; expected a sum of money >= 0"),
    (["--budget", "nan"], "command line: --budget: got nan; expected a sum of money >= 0"),
    (["--budget", "lots"], "command line: --budget: got 'lots'; expected a sum of money >= 0"),
]


@pytest.mark.parametrize("args, line", BAD)
def test_bad_budgets_on_the_command_line(tmp_path, capsys, args, line):
    out = tmp_path / "out"
    assert main(["optimize", str(write(tmp_path)), "--out", str(out), *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0] == f"error: {line}" or err[0].startswith(f"error: {line}")
    assert not out.exists()


BAD_FILES = [
    ("budget = 30000", "budget = -1", "optimize.budget: got -1; expected"),
    ("budget = 30000", "budget = nan", "optimize.budget: got nan; expected"),
    ("budget = 30000", "", "command line: --budget: is needed"),
    ("defaults = false", 'defaults = false\nuse = ["stock a", "stok b"]', "optimize.use[1]: got 'stok b'; expected the name of a candidate: "),
    ("kind = \"spare_capacity\"", "kind = \"spare_capacty\"", "policies[0].kind: got 'spare_capacty'; expected a known policy: "),
    ("defaults = false", "defaults = false\nchain_budgets = { cars = 5 }", "optimize.chain_budgets.cars: got 'cars'; expected a chain of the model"),
    ("unit = 1000", "unit = 0", "costs.unit: got 0; expected"),
    ("defaults = false", "defaults = false\nobjective = \"median\"", "optimize.objective: got 'median'; expected"),
]


@pytest.mark.parametrize("old, new, expected", BAD_FILES)
def test_bad_optimize_blocks(tmp_path, capsys, old, new, expected):
    assert BODY.count(old) >= 1
    path = write(tmp_path, BODY.replace(old, new, 1))
    out = tmp_path / "out"
    assert main(["optimize", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert expected in err[0] and (str(path) in err[0] or "command line" in err[0]), err[0]
    assert not out.exists()


def test_the_shipped_decision_scenario(tmp_path, capsys):
    """scenarios/ev_chain_leader_budget.toml at its 50 M CNY on 20 replications: the domestic alternative for the
    foreign-only high-end MCU is chosen (docs/optimize.md), within the budget, and sure against the runner-up."""
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scenarios" / "ev_chain_leader_budget.toml"
    out = tmp_path / "out"
    assert main(["optimize", str(path), "--replications", "20", "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["budget"] == 5e7 and summary["search"]["method"] == "greedy with swaps" and summary["search"]["candidates"] == 25
    assert summary["chosen"]["candidates"] == ["mcu_highend: alternative supplier"]
    assert summary["chosen"]["cost"] <= 5e7 and summary["confidence"]["beats_share"] >= 0.9
    costs = [row["cost"] for row in summary["frontier"]]
    saved = [row["value_saved"] for row in summary["frontier"]]
    assert costs == sorted(costs) and saved == sorted(saved)
