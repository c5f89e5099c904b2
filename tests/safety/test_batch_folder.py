"""A batch folder belongs to one batch: a second run is kept out by its lock, and every chunk is checked against
the batch (fingerprint, shapes) before use; a damaged batch.json or chunk is a one-line error naming the file."""

from __future__ import annotations

import fcntl
import json
import os
import shutil

import numpy as np
import pandas as pd
import pytest

from naive import listing, refused, safety_scenario, simcore

BATCH = ("--replications", "6", "--chunk-size", "2", "--no-plots")


@pytest.fixture
def sc(tmp_path):
    return safety_scenario(tmp_path)


@pytest.fixture
def batch(sc, tmp_path):
    """A finished batch of seed 3 and its tables."""
    out = tmp_path / "seed3"
    proc = simcore("run", sc, "--out", out, *BATCH)
    assert proc.returncode == 0, proc.stderr
    return out


def test_a_folder_locked_by_a_running_batch_is_refused(sc, batch):
    before = listing(batch)
    fd = os.open(batch / ".lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a batch running in another process holds it
        os.pwrite(fd, b"4242\n", 0)
        refused(simcore("run", sc, "--out", batch, *BATCH, "--resume"), str(batch), "process 4242 holds its lock")
    finally:
        os.close(fd)
    after = listing(batch)
    assert {k: v for k, v in after.items() if k != ".lock"} == {k: v for k, v in before.items() if k != ".lock"}


def test_the_lock_of_a_dead_process_does_not_block(sc, batch):
    (batch / ".lock").write_text("999999\n")  # left by a killed run: the file stays, the kernel's lock went with it
    proc = simcore("run", sc, "--out", batch, *BATCH, "--resume")
    assert proc.returncode == 0, proc.stderr
    assert "3 of 3 chunks reused, 0 to run" in proc.stderr


def test_chunks_of_another_batch_are_refused_by_fingerprint(sc, tmp_path, batch):
    other = tmp_path / "seed4"
    assert simcore("run", sc, "--out", other, *BATCH, "--seed", "4").returncode == 0
    chunk = sorted((batch / "chunks").glob("*.npz"))[1]
    shutil.copy(other / "chunks" / chunk.name, chunk)  # what two batches racing on one folder left behind
    summary = (batch / "summary.json").read_bytes()
    refused(simcore("run", sc, "--out", batch, *BATCH, "--resume"), str(chunk), "batch", "belongs to another batch")
    assert (batch / "summary.json").read_bytes() == summary


def test_a_chunk_of_the_wrong_shape_is_refused(sc, batch):
    chunk = sorted((batch / "chunks").glob("*.npz"))[0]
    with np.load(chunk) as z:
        parts = dict(z)
    parts["metrics"] = parts["metrics"][:1]  # one replication where the name promises two
    np.savez_compressed(chunk, **parts)
    refused(simcore("run", sc, "--out", batch, *BATCH, "--resume"), str(chunk), "metrics: got 'float64[1, 2, 3, 6]'; expected float64[2, 2, 3, 6]")


def test_a_truncated_chunk_is_refused(sc, batch):
    chunk = sorted((batch / "chunks").glob("*.npz"))[2]
    chunk.write_bytes(chunk.read_bytes()[:100])
    refused(simcore("run", sc, "--out", batch, *BATCH, "--resume"), str(chunk), "truncated or damaged")


def test_a_damaged_batch_json_is_refused(sc, batch):
    path = batch / "batch.json"
    path.write_text(path.read_text()[:30])
    refused(simcore("run", sc, "--out", batch, *BATCH, "--resume"), str(path), "not a readable batch description")
    path.write_text(json.dumps({"fingerprint": "x", "seed": "3", "replications": 6, "chunk_size": 2, "engine": "numba"}))
    refused(simcore("run", sc, "--out", batch, "--resume", "--no-plots"), str(path), "seed")


def test_resume_reads_the_settings_of_the_batch_and_says_what_it_reused(sc, tmp_path, batch):
    part = tmp_path / "part"
    shutil.copytree(batch, part)
    for name in ("summary.json", "replications.csv", "bands.csv", "metrics.csv"):
        (part / name).unlink()
    for chunk in sorted((part / "chunks").glob("*.npz"))[1:]:
        chunk.unlink()
    proc = simcore("run", sc, "--out", part, "--resume", "--no-plots")  # no --replications, no --chunk-size
    assert proc.returncode == 0, proc.stderr
    assert f"resuming the batch in {part}/: 1 of 3 chunks reused, 2 to run" in proc.stderr
    for name in ("replications.csv", "bands.csv", "metrics.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(part / name), pd.read_csv(batch / name), check_exact=True)
    refused(simcore("run", sc, "--out", part, "--resume", "--chunk-size", "3", "--no-plots"), "batch.json", "chunk_size 2 there, 3 now")


def test_resume_without_a_batch_is_refused_and_writes_nothing(sc, tmp_path):
    out = tmp_path / "none"
    refused(simcore("run", sc, "--out", out, "--resume"), str(out), "--resume", "no batch.json")
    assert not out.exists()
