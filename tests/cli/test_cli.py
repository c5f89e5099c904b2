"""The command line and the Python API, end to end."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import simcore
from naive import assert_same_numbers
from simcore.cli import main

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))


def test_the_flagship_scenarios_are_shipped():
    names = {p.stem for p in SHIPPED}
    assert {"ev_chip_embargo", "ev_regional_lockdown", "ev_tier2_fire"} <= names


@pytest.mark.parametrize("scenario", SHIPPED, ids=[p.stem for p in SHIPPED])
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
    masters = any("chain_master" in f.tags for f in sc.model.firms)
    for picture in ("output.png", "variants.png", "chain_masters.png"):
        if picture == "chain_masters.png" and not masters:  # the small multiples are of firms tagged chain_master
            assert not (out / picture).exists()
        else:
            assert (out / picture).stat().st_size > 10_000


def test_run_serial_numbers_and_files(tmp_path, capsys):
    out = tmp_path / "serial"
    assert main(["run", str(DATA / "serial_outage.toml"), "--out", str(out), "--seed", "7", "--no-plots"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == 7
    cover3, cover8 = summary["variants"]["cover 3"]["total"], summary["variants"]["cover 8"]["total"]
    assert {k: cover3[k] for k in ("loss", "depth", "tts", "ttr", "fill_rate", "firms_affected")} == {
        "loss": pytest.approx(0.1), "depth": 0.0, "tts": 4.0, "ttr": 7.0, "fill_rate": pytest.approx(0.9), "firms_affected": 2
    }
    assert cover8["tts"] is None  # never dropped
    # paired differences against the reference variant (the first): zero for itself
    assert cover3["d_loss"] == 0.0 and cover8["d_loss"] == pytest.approx(-0.1) and cover8["loss_reduction"] == pytest.approx(0.1)
    assert cover8["cost"] == 0.0 and cover8["reduction_per_cost"] is None  # no policy, no cost
    assert summary["ranking_by_loss"] == ["cover 8", "cover 3"]
    assert not (out / "output.png").exists()
    firms = pd.read_csv(out / "firm_trajectories.csv")
    assert set(firms.columns) >= {"variant", "firm", "day", "output", "baseline", "ratio"}
    assert len(firms) == 2 * 2 * 30


def test_python_api_gives_tidy_tables():
    result = simcore.run(DATA / "serial_outage.toml")
    m = result.metrics()
    assert list(m.columns) == ["variant", "chain", "loss", "depth", "tts", "ttr", "fill_rate", "firms_affected"]
    traj = result.chain_trajectories()
    assert traj.groupby("variant").size().to_dict() == {"cover 3": 30, "cover 8": 30}
    assert result.firm_trajectories().query("firm == 'C' and variant == 'cover 3'").output.min() == 0.0


def test_validate_exit_codes(tmp_path, capsys):
    assert main(["validate", str(DATA / "serial.toml")]) == 0
    assert main(["validate", str(DATA / "serial_outage.toml")]) == 0
    bad = tmp_path / "bad.toml"
    bad.write_text((DATA / "serial.toml").read_text().replace("share = 1", "share = 0.5"))
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "links[0].share" in err and "sum to 1" in err
    assert "Traceback" not in err


def test_unwritable_output_folder_fails_before_running(tmp_path, capsys):
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder")
    assert main(["run", str(DATA / "serial_outage.toml"), "--out", str(blocker / "out")]) == 2
    err = capsys.readouterr().err
    assert "--out" in err and str(blocker / "out") in err


def test_failed_run_leaves_no_output(tmp_path, monkeypatch):
    import simcore.plots

    def broken(*args, **kwargs):
        raise RuntimeError("plotting failed")

    monkeypatch.setattr(simcore.plots, "plot_output", broken)
    out = tmp_path / "out"
    with pytest.raises(RuntimeError):
        main(["run", str(DATA / "serial_outage.toml"), "--out", str(out)])
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_inspect_reports_short_boards(capsys):
    assert main(["inspect", str(DATA / "serial.toml")]) == 0
    out = capsys.readouterr().out
    assert "2 firms, 1 links" in out and "single-sourced" in out


def test_parquet_without_pyarrow_is_refused_before_running(tmp_path, monkeypatch, capsys):
    scenario = tmp_path / "pq.toml"
    scenario.write_text(f'[scenario]\nname = "pq"\nmodel = "{DATA / "serial.toml"}"\nhorizon = 10\n[output]\nformat = "parquet"\n')
    monkeypatch.setitem(__import__("sys").modules, "pyarrow", None)  # importing it now fails
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "output.format" in err and "pyarrow" in err and str(scenario) in err
    assert not out.exists()
