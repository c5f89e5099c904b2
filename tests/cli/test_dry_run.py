"""`simcore run --dry-run`: a calibration measured here, extrapolated, nothing written (simcore.estimate)."""

import dataclasses
from pathlib import Path

import pytest

from simcore.cli import main
from simcore.estimate import CALIBRATION_DAYS, Estimate
from simcore.montecarlo.batch import BINS
from simcore.montecarlo.result import SLICE

DATA = Path(__file__).resolve().parents[2] / "tests" / "data"


def test_a_dry_run_prints_an_estimate_and_writes_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the default output folder would be runs/ here
    out = tmp_path / "out"
    for extra in ([], ["--replications", "40"]):
        assert main(["run", str(DATA / "serial_outage.toml"), "--out", str(out), "--dry-run", *extra]) == 0
        text = capsys.readouterr().out
        assert text.startswith("estimate: " + ("one run" if not extra else "40 replications") + " of 2 variants on 2 firms x 30 days")
        assert "M firm-days/s" in text and "about" in text and "nothing was written" in text
    assert list(tmp_path.iterdir()) == []


def test_a_dry_run_does_not_continue_a_batch(tmp_path, capsys):
    assert main(["run", str(DATA / "serial_outage.toml"), "--out", str(tmp_path / "o"), "--dry-run", "--resume"]) == 2
    assert "--resume" in capsys.readouterr().err


def test_the_estimate_extrapolates_the_calibration_linearly():
    """16 replications of every variant took 0.4 s: 1,000 take 25 s; the tables and the results kept add up."""
    e = Estimate(firms=100, days=365, variants=2, chains=3, replications=1000, startup_s=1.0, load_s=0.5, compile_s=0.25, warmup_s=0.5,
                 calibrated=16, calibration_s=0.4, peak_bytes=10**8)  # fmt: skip
    assert e.simulate_s == pytest.approx(25.0)
    assert e.rows == 1000 * 2 * 3
    assert e.total_s == pytest.approx(1.0 + 0.5 + 0.25 + 0.5 + 25.0 + e.write_s)
    assert e.result_bytes == 1000 * 2 * 3 * 6 * 8 + 2 * 3 * 365 * BINS * 8 + e.rows * 200
    assert e.firm_days_per_s == pytest.approx(100 * 365 * 2 * 16 / 0.4)
    big = dataclasses.replace(e, replications=100_000)  # the replications table is streamed: one slice of SLICE replications in memory
    assert big.result_bytes == 100_000 * 2 * 3 * 6 * 8 + 2 * 3 * 365 * BINS * 8 + SLICE * 2 * 3 * 200
    single = Estimate(firms=100, days=365, variants=2, chains=3, replications=None, startup_s=0, load_s=0, compile_s=0, warmup_s=0,
                      calibrated=1, calibration_s=0.1, peak_bytes=0)  # fmt: skip
    assert single.simulate_s == pytest.approx(0.1) and single.rows == 365 * 2 * 103
    first = dataclasses.replace(single, calibrated_days=73)  # its first 73 of 365 days took 0.1 s: the run 0.5 s
    assert first.simulate_s == pytest.approx(0.5) and first.firm_days_per_s == pytest.approx(100 * 73 * 2 / 0.1)
    assert dataclasses.replace(single, firm_rows=False).rows == 365 * 2 * 3  # chain trajectories only


def test_a_long_single_run_is_calibrated_on_its_first_days(capsys):
    """The flagship runs 365 days; its dry run simulates the first CALIBRATION_DAYS of each variant, not the year."""
    root = Path(__file__).resolve().parents[2]
    assert main(["run", str(root / "scenarios" / "ev_chip_embargo.toml"), "--dry-run"]) == 0
    assert f"the first {CALIBRATION_DAYS} days of every variant" in capsys.readouterr().out
