"""The command line and the Python API, end to end on the small serial scenarios of tests/data."""

import json
from pathlib import Path

import pandas as pd
import pytest

import simcore
from simcore.cli import main

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


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
    # 5 more days of C's 10 parts a day (price 1) held at 25% a year for 30 days; the value saved over it
    assert cover8["cost"] == pytest.approx(5 * 10 * 0.25 * 30 / 365) and cover3["cost"] == 0.0
    assert cover8["benefit_cost"] == pytest.approx(cover8["value_saved"] / cover8["cost"]) and cover3["benefit_cost"] is None
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


def test_inspect_reports_short_boards(capsys):
    assert main(["inspect", str(DATA / "serial.toml")]) == 0
    out = capsys.readouterr().out
    assert "2 firms, 1 links" in out and "single-sourced" in out
