"""outputs.py: which files a run writes, that its tables read back as they were, and that a failed or
refused run writes nothing."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import simcore
from naive import RANDOM_EV, write_file
from simcore.cli import main
from simcore.montecarlo import run_batch
from simcore.outputs import write_batch_outputs, write_outputs

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
TABLES = {"summary.json", "report.html", "metrics.csv", "chain_trajectories.csv", "firm_trajectories.csv", "firm_metrics.csv"}


@pytest.fixture(scope="module")
def serial():
    """The serial outage, both variants, with firm trajectories."""
    return simcore.run(DATA / "serial_outage.toml", firm_trajectories=True)


def read(path: Path) -> pd.DataFrame:
    """A CSV table with Python's own float parsing, which reads back exactly what repr wrote."""
    return pd.read_csv(path, engine="python")


def test_a_run_writes_its_tables_and_nothing_else(serial, tmp_path):
    out = write_outputs(serial, tmp_path / "out", plots=False)
    assert {p.name for p in out.iterdir()} == TABLES
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary folder left beside it


def test_without_firm_trajectories_there_are_no_firm_tables(tmp_path):
    result = simcore.run(DATA / "serial_outage.toml", firm_trajectories=False)
    out = write_outputs(result, tmp_path / "out", plots=False)
    assert {p.name for p in out.iterdir()} == TABLES - {"firm_trajectories.csv", "firm_metrics.csv"}


def test_the_figures_are_written_beside_the_tables(serial, tmp_path):
    out = write_outputs(serial, tmp_path / "out", plots=True)
    figures = {p.name for p in out.iterdir()} - TABLES
    assert figures == {"output.png", "variants.png"}  # chain_masters.png only for maps with firms tagged chain_master
    for name in figures:
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_tables_read_back_as_they_were(serial, tmp_path):
    out = write_outputs(serial, tmp_path / "out", plots=False)
    for name, table in (
        ("metrics", serial.comparison()),
        ("chain_trajectories", serial.chain_trajectories()),
        ("firm_trajectories", serial.firm_trajectories()),
        ("firm_metrics", serial.firm_metrics()),
    ):
        pd.testing.assert_frame_equal(read(out / f"{name}.csv"), table, check_exact=True, check_dtype=False, obj=name)


def test_summary_json_is_the_results_summary(serial, tmp_path):
    out = write_outputs(serial, tmp_path / "out", plots=False)
    assert json.loads((out / "summary.json").read_text()) == json.loads(json.dumps(serial.summary()))
    metrics = read(out / "metrics.csv")
    summary = json.loads((out / "summary.json").read_text())
    for row in metrics.to_dict("records"):  # the two agree number for number (NaN in the table is null in JSON)
        pinned = summary["variants"][row["variant"]][row["chain"]]
        for key, value in pinned.items():
            assert (value is None and np.isnan(row[key])) or value == row[key], (row["variant"], key)


def test_parquet_tables_read_back_as_they_were(tmp_path):
    pytest.importorskip("pyarrow")
    scenario = write_file(tmp_path, "pq.toml", (DATA / "serial_outage.toml").read_text().replace('model = "serial.toml"', f'model = "{DATA / "serial.toml"}"') + '\n[output]\nformat = "parquet"\n')
    result = simcore.run(scenario)
    out = write_outputs(result, tmp_path / "out", plots=False)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "metrics.parquet"), result.comparison(), check_exact=True)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "chain_trajectories.parquet"), result.chain_trajectories(), check_exact=True)


def test_a_batch_writes_its_tables_beside_its_chunks(tmp_path):
    scenario = write_file(tmp_path, "random.toml", RANDOM_EV)
    out = tmp_path / "batch"
    result = run_batch(scenario, 6, out=out, chunk_size=3, progress=False)
    before = {p.name for p in out.iterdir()}
    write_batch_outputs(result, out, plots=False)
    assert {p.name for p in out.iterdir()} - before == {"summary.json", "report.html", "replications.csv", "bands.csv", "metrics.csv"}
    pd.testing.assert_frame_equal(read(out / "replications.csv"), result.replications_table(), check_exact=True, check_dtype=False)
    pd.testing.assert_frame_equal(read(out / "bands.csv"), result.bands(), check_exact=True, check_dtype=False)
    assert json.loads((out / "summary.json").read_text()) == json.loads(json.dumps(result.summary()))


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


def test_parquet_without_pyarrow_is_refused_before_running(tmp_path, monkeypatch, capsys):
    scenario = tmp_path / "pq.toml"
    scenario.write_text(f'[scenario]\nname = "pq"\nmodel = "{DATA / "serial.toml"}"\nhorizon = 10\n[output]\nformat = "parquet"\n')
    monkeypatch.setitem(__import__("sys").modules, "pyarrow", None)  # importing it now fails
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "output.format" in err and "pyarrow" in err and str(scenario) in err
    assert not out.exists()


def test_the_comparison_is_worked_out_once_and_handed_out_as_copies(serial):
    """`comparison()` is kept after its first call (every output reads it); a caller's changes to its copy reach
    neither the result nor the next caller."""
    first = serial.comparison()
    expected = serial._compare()
    first.loc[:, "loss"] = -1.0
    again = serial.comparison()
    pd.testing.assert_frame_equal(again, expected, check_exact=True)
    assert again is not serial.comparison()
