"""A batch killed at any moment and resumed gives exactly the numbers of an uninterrupted run; nothing is lost
or mixed up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from naive import RANDOM_EV, write_file
from simcore.cli import main


ARGS = ["--replications", "60", "--chunk-size", "4", "--no-plots"]


def cli(*args) -> list[str]:
    return [sys.executable, "-c", "import sys; from simcore.cli import main; sys.exit(main(sys.argv[1:]))", *args]


def test_killed_and_resumed_equals_uninterrupted(tmp_path):
    scenario = write_file(tmp_path, "random.toml", RANDOM_EV)
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    assert main(["run", str(scenario), "--out", str(whole), *ARGS]) == 0

    proc = subprocess.Popen(cli("run", str(scenario), "--out", str(parts), *ARGS), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(list((parts / "chunks").glob("*.npz"))) < 3:
            if proc.poll() is not None:
                pytest.fail(f"the batch ended before it could be killed: {proc.stderr.read().decode()[-2000:]}")
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    done_at_kill = len(list((parts / "chunks").glob("*.npz")))
    assert 3 <= done_at_kill < 15, "killed mid-batch"
    assert not (parts / "summary.json").exists()

    assert main(["run", str(scenario), "--out", str(parts), *ARGS, "--resume"]) == 0
    for name in ("replications.csv", "bands.csv", "metrics.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(parts / name), pd.read_csv(whole / name), check_exact=True)
    assert (parts / "summary.json").read_text().replace(str(parts), "") == (whole / "summary.json").read_text().replace(str(whole), "")


def test_a_folder_with_a_batch_is_not_overwritten(tmp_path, capsys):
    scenario = write_file(tmp_path, "random.toml", RANDOM_EV)
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--out", str(out), "--replications", "4", "--no-plots"]) == 0
    capsys.readouterr()
    assert main(["run", str(scenario), "--out", str(out), "--replications", "4", "--no-plots"]) == 2
    assert "pass --resume to continue it, or choose another --out" in capsys.readouterr().err
    assert main(["run", str(scenario), "--out", str(out), "--replications", "4", "--seed", "5", "--resume", "--no-plots"]) == 2
    err = capsys.readouterr().err
    assert "batch.json: --resume: got" in err and "seed 11 there, 5 now" in err


def test_monte_carlo_options_need_replications(tmp_path, capsys):
    assert main(["run", str(write_file(tmp_path, "random.toml", RANDOM_EV)), "--out", str(tmp_path / "o"), "--resume"]) == 2
    assert "--resume" in capsys.readouterr().err
