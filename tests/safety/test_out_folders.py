"""`--out` never deletes what the user had: a command replaces only a folder simcore wrote for the same kind of
command, and says so; anything else needs --overwrite. Result files follow the user's umask."""

from __future__ import annotations

import json
import os
import stat
import subprocess

import pytest

from naive import command, env, listing, refused, safety_scenario, simcore

RUN = ("--no-plots",)
BATCH = ("--replications", "4", "--chunk-size", "2", "--no-plots")


@pytest.fixture
def sc(tmp_path):
    return safety_scenario(tmp_path)


def test_a_run_refuses_a_folder_of_unrelated_files(sc, tmp_path):
    out = tmp_path / "thesis"
    out.mkdir()
    (out / "chapter1.tex").write_text("years of work")
    before = listing(out)
    err = refused(simcore("run", sc, "--out", out, *RUN), str(out), "--out", "files simcore did not write", "--overwrite")
    assert len(err.strip().splitlines()) == 1
    assert listing(out) == before


def test_a_run_refuses_a_batch_folder(sc, tmp_path):
    out = tmp_path / "mc"
    assert simcore("run", sc, "--out", out, *BATCH).returncode == 0
    before = listing(out)
    refused(simcore("run", sc, "--out", out, *RUN), str(out), "the results of a simcore batch")
    assert listing(out) == before
    assert (out / "batch.json").exists() and list((out / "chunks").glob("*.npz"))


def test_a_batch_refuses_a_run_folder_and_a_run_replaces_its_own_and_says_so(sc, tmp_path):
    out = tmp_path / "r"
    first = simcore("run", sc, "--out", out, *RUN)
    assert first.returncode == 0 and "replaced" not in first.stderr
    summary = (out / "summary.json").read_text()
    again = simcore("run", sc, "--out", out, *RUN)
    assert again.returncode == 0, again.stderr
    assert f"note: replaced the earlier run results in {out}/" in again.stderr
    assert (out / "summary.json").read_text() == summary
    before = listing(out)
    refused(simcore("run", sc, "--out", out, *BATCH), str(out), "the results of a simcore run")
    assert listing(out) == before


def test_overwrite_replaces_anything_when_asked(sc, tmp_path):
    out = tmp_path / "x"
    out.mkdir()
    (out / "old.txt").write_text("x")
    proc = simcore("run", sc, "--out", out, "--overwrite", *RUN)
    assert proc.returncode == 0, proc.stderr
    assert "--overwrite: replaced everything in" in proc.stderr
    assert not (out / "old.txt").exists() and (out / "summary.json").exists()


def test_stress_refuses_unrelated_files_and_replaces_its_own(tmp_path):
    from naive import ROOT

    model = ROOT / "models" / "ev_chain.toml"
    out = tmp_path / "s"
    out.mkdir()
    (out / "notes.md").write_text("mine")
    args = ("stress", model, "--by", "region", "--horizon", "30", "--no-plots", "--out", out)
    refused(simcore(*args), str(out), "files simcore did not write")
    assert listing(out) == {"notes.md": b"mine"}
    (out / "notes.md").unlink()
    assert simcore(*args).returncode == 0
    again = simcore(*args)
    assert again.returncode == 0 and f"replaced the earlier stress results in {out}/" in again.stderr
    assert json.loads((out / "stress.json").read_text())["by"] == "region"


@pytest.mark.parametrize("cmd", ["run", "stress"])
def test_an_empty_out_is_a_one_line_error(sc, tmp_path, cmd):
    proc = subprocess.run(command(cmd, sc, "--out", ""), capture_output=True, text=True, env=env(), cwd=tmp_path, timeout=300)
    err = refused(proc, "--out", "a folder name")
    assert len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == [sc]


@pytest.mark.parametrize("umask, folder, file", [(0o022, 0o755, 0o644), (0o027, 0o750, 0o640)])
def test_results_follow_the_umask(sc, tmp_path, umask, folder, file):
    run_out, batch_out = tmp_path / "run", tmp_path / "batch"
    for out, args in ((run_out, RUN), (batch_out, BATCH)):
        proc = subprocess.run(command("run", sc, "--out", out, *args), capture_output=True, text=True, env=env(), timeout=300, preexec_fn=lambda: os.umask(umask))
        assert proc.returncode == 0, proc.stderr
    for out in (run_out, batch_out):
        paths = [out, *out.rglob("*")]
        assert {stat.S_IMODE(p.stat().st_mode) for p in paths if p.is_dir()} == {folder}
        assert {stat.S_IMODE(p.stat().st_mode) for p in paths if p.is_file()} == {file}
    assert (batch_out / "chunks").is_dir() and (run_out / "summary.json").is_file()
