"""Faults a user meets: a disk that fills up and Ctrl-C. Each ends in one clear line naming the folder and what is
saved, never a traceback; the result is complete, or one `--resume` completes it with the same numbers."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from naive import ROOT, command, env, listing, refused, safety_scenario, simcore

BATCH = ("--replications", "6", "--chunk-size", "2", "--no-plots")
TABLES = ("replications.csv", "bands.csv", "metrics.csv")

# the command line with a writer that hits a full disk: the `after`-th call of `target` raises ENOSPC
FULL_DISK = """
import errno, sys
import numpy
import pyarrow.csv
from simcore.cli import main
target, after = sys.argv[1], int(sys.argv[2])
owner, name = {"savez": (numpy, "savez_compressed"), "write_csv": (pyarrow.csv, "write_csv")}[target]
real, calls = getattr(owner, name), [0]
def full(*args, **kwargs):
    calls[0] += 1
    if calls[0] >= after:
        raise OSError(errno.ENOSPC, "No space left on device")
    return real(*args, **kwargs)
setattr(owner, name, full)
sys.exit(main(sys.argv[3:]))
"""


def full_disk(target: str, after: int, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", FULL_DISK, target, str(after), *map(str, args)], capture_output=True, text=True, env=env(), timeout=300)


@pytest.fixture
def sc(tmp_path):
    return safety_scenario(tmp_path)


@pytest.fixture
def whole(sc, tmp_path):
    out = tmp_path / "whole"
    assert simcore("run", sc, "--out", out, *BATCH).returncode == 0
    return out


def same_tables(a, b):
    for name in TABLES:
        pd.testing.assert_frame_equal(pd.read_csv(a / name), pd.read_csv(b / name), check_exact=True)


def test_a_full_disk_during_a_run_changes_nothing(sc, tmp_path):
    out = tmp_path / "run"
    assert simcore("run", sc, "--out", out, "--no-plots").returncode == 0
    before = listing(out)
    err = refused(full_disk("write_csv", 2, "run", sc, "--out", out, "--no-plots"), f"cannot write {out}: no space left on the device; nothing was changed there", status=1)
    assert len(err.strip().splitlines()) == 1
    assert listing(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run", "safety.toml"]  # no temporary folder left behind


def test_a_full_disk_while_saving_chunks_is_resumed(sc, tmp_path, whole):
    out = tmp_path / "mc"
    refused(full_disk("savez", 2, "run", sc, "--out", out, *BATCH), f"{out}/chunks/", "no space left on the device", f"1 of 3 chunks are saved in {out}/", "--resume", status=1)
    assert not (out / "summary.json").exists()
    assert [p.name for p in (out / "chunks").iterdir()] == ["000000000-000000002.npz"]  # no half-written chunk
    proc = simcore("run", sc, "--out", out, "--resume", "--no-plots")
    assert proc.returncode == 0, proc.stderr
    assert "1 of 3 chunks reused, 2 to run" in proc.stderr
    same_tables(out, whole)


def test_a_full_disk_while_writing_the_tables_leaves_no_summary_and_is_resumed(sc, tmp_path, whole):
    out = tmp_path / "mc"
    refused(full_disk("write_csv", 2, "run", sc, "--out", out, *BATCH), f"cannot write {out}/bands.csv", "every chunk is saved", "--resume", status=1)
    assert not (out / "summary.json").exists()  # never summary.json without its tables
    proc = simcore("run", sc, "--out", out, "--resume", "--no-plots")
    assert proc.returncode == 0 and "3 of 3 chunks reused, 0 to run" in proc.stderr
    same_tables(out, whole)
    assert (out / "summary.json").exists()


def interrupt(args: list, ready) -> subprocess.CompletedProcess:
    """Start the command, wait until `ready()`, press Ctrl-C (SIGINT); its exit status and output."""
    # Ctrl-C as at a terminal: SIGINT at its default in the child, whatever this test process inherited (a
    # process started with SIGINT ignored, as a pytest worker may be, passes that on and Python then keeps it)
    default_sigint = lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)  # noqa: E731
    proc = subprocess.Popen(command(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(), preexec_fn=default_sigint)
    try:
        deadline = time.monotonic() + 240
        while not ready():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the command ended before it could be interrupted: {proc.communicate()[1][-2000:]}")
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    return subprocess.CompletedProcess(args, proc.returncode, stdout, stderr)


def test_ctrl_c_during_a_batch_says_what_is_saved_and_resume_completes(sc, tmp_path):
    args = ("--replications", "400", "--chunk-size", "2", "--no-plots")
    whole, out = tmp_path / "whole", tmp_path / "mc"
    assert simcore("run", sc, "--out", whole, *args).returncode == 0
    proc = interrupt(["run", sc, "--out", out, *args], lambda: len(list((out / "chunks").glob("*.npz"))) >= 2 if (out / "chunks").exists() else False)
    err = refused(proc, "interrupted: ", "of 200 chunks are saved in", f"simcore run {sc} --out {out} --resume", status=130)
    saved = len(list((out / "chunks").glob("*.npz")))
    assert f"interrupted: {saved} of 200 chunks are saved" in err and 2 <= saved < 200
    assert not (out / "summary.json").exists()
    resumed = simcore("run", sc, "--out", out, "--resume", "--no-plots")
    assert resumed.returncode == 0, resumed.stderr
    assert f"{saved} of 200 chunks reused, {200 - saved} to run" in resumed.stderr
    same_tables(out, whole)


def test_ctrl_c_during_a_stress_test_writes_nothing(tmp_path):
    model = tmp_path / "big.toml"
    assert simcore("generate", model, "--firms", "3000").returncode == 0
    out = tmp_path / "stress"
    started = time.monotonic()
    proc = interrupt(["stress", model, "--horizon", "365", "--no-plots", "--out", out], lambda: time.monotonic() - started > 8)
    err = refused(proc, "interrupted: ", "nothing was written", status=130)
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_ctrl_c_inside_the_knock_outs_says_how_many_had_run(tmp_path, capsys, monkeypatch):
    import simcore.stress as stress
    from simcore.cli import main

    real, calls = stress.stress_chunk, []

    def chunk(setup, first, stop):
        calls.append(first)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(setup, first, stop)

    monkeypatch.setattr(stress, "stress_chunk", chunk)
    model = ROOT / "models" / "us_io_71.toml"
    out = tmp_path / "stress"
    assert main(["stress", str(model), "--horizon", "20", "--no-plots", "--out", str(out), "--workers", "1"]) == 130
    err = capsys.readouterr().err
    assert "interrupted: 64 of " in err and "knock-outs had run" in err and "nothing was written" in err
    assert not out.exists()
