"""The shipped scenarios (scenarios/*.toml) end to end: both engines agree, and `simcore run` writes a sound result.
Their numbers themselves are pinned in tests/golden/."""

import json
from pathlib import Path

import pandas as pd
import pytest

import simcore
from naive import assert_same_numbers
from simcore.cli import main

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))


def test_the_flagship_scenarios_are_shipped():
    names = {p.stem for p in SHIPPED}
    assert {"ev_chip_embargo", "ev_regional_lockdown", "ev_tier2_fire"} <= names


# The reference engine is slow on the 190-firm EV scenarios: CI checks a representative three (priority and
# chain-master support, cycles with input necessities, a small map); --runslow checks every shipped scenario.
REPRESENTATIVE = {"ev_policy_master_outage", "us_io_electronics", "bulldozer_suspension_fire"}
ENGINE_CASES = [pytest.param(p, id=p.stem, marks=() if p.stem in REPRESENTATIVE else pytest.mark.slow) for p in SHIPPED]


@pytest.mark.parametrize("scenario", ENGINE_CASES)
def test_shipped_scenario_same_numbers_from_both_engines(scenario):
    sc = simcore.load_scenario(scenario)
    reference, compiled = simcore.run(sc, engine="reference"), simcore.run(sc, engine="numba")
    for ref, fast in zip(reference.variants, compiled.variants):
        assert_same_numbers(ref.run, ref.trajectories, fast.trajectories)
    pd.testing.assert_frame_equal(reference.metrics(), compiled.metrics(), rtol=1e-9)


@pytest.mark.parametrize("scenario", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_scenario_runs_end_to_end(scenario, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    summary = json.loads((out / "summary.json").read_text())
    sc = simcore.load_scenario(scenario)
    assert summary["engine"] == "numba" and summary["seed"] == sc.seed
    assert set(summary["variants"]) == {v.name for v in sc.variants}
    for v in sc.variants:
        assert v.name in printed
        total = summary["variants"][v.name]["total"]
        assert 0.0 <= total["loss"] <= 1.0 and 0.0 <= total["fill_rate"] <= 1.0
    assert max(s["variants"]["total"]["loss"] for s in [{"variants": m} for m in summary["variants"].values()]) > 0.0, "the shock must hurt"
    chain = pd.read_csv(out / "chain_trajectories.csv")
    assert len(chain) == len(sc.variants) * (len(sc.model.chains) + 1) * sc.horizon
    masters = any("chain_master" in f.tags for f in sc.model.firms) and sc.output.firm_trajectories
    for picture in ("output.png", "variants.png", "chain_masters.png"):
        if picture == "chain_masters.png" and not masters:  # the small multiples are of firms tagged chain_master, from their trajectories
            assert not (out / picture).exists()
        else:
            assert (out / picture).stat().st_size > 10_000
