"""`simcore sensitivity` end to end, as a user runs it."""

from __future__ import annotations

import json

import pandas as pd

from naive import refused, simcore

from .common import VARIANTS, scenario_file

BODY = VARIANTS + """
[[uncertain]]
field = "cover"
select = { ids = ["C"] }
value = { dist = "uniform", low = 0, high = 6 }

[[uncertain]]
name = "额外库存"
field = "safety_stock.extra_cover"
value = { dist = "uniform", low = 0, high = 8 }
"""


def test_writes_the_files_and_ranks_the_inputs(tmp_path):
    path = scenario_file(tmp_path, BODY, duration='{ dist = "uniform", low = 8, high = 30 }')
    out = tmp_path / "out"
    proc = simcore("sensitivity", path, "--samples", "16", "--versus", "stock", "--robustness", "20", "--workers", "1", "--out", out)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert {p.name for p in out.iterdir()} == {"sensitivity.csv", "sensitivity.png", "summary.json"}
    table = pd.read_csv(out / "sensitivity.csv")
    assert set(table.output) == {"loss of as-is", "as-is - stock"}
    assert {"input", "S1", "S1_conf", "ST", "ST_conf", "at_low", "at_high"} <= set(table.columns)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["method"] == "sobol" and summary["samples"] == 16
    assert summary["ranking"]["as-is - stock"][0] == "额外库存"
    assert summary["robustness"]["chosen"] == "stock"
    assert "inputs ranked by ST" in proc.stdout and "robustness over 20 replications" in proc.stdout
    again = simcore("sensitivity", path, "--method", "morris", "--samples", "4", "--workers", "1", "--out", out)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "replaced the earlier sensitivity results" in again.stderr


def test_bad_requests_exit_2(tmp_path):
    path = scenario_file(tmp_path, BODY)
    refused(simcore("sensitivity", path, "--samples", "10", "--out", tmp_path / "o"), "--samples", "a power of 2")
    refused(simcore("sensitivity", path, "--versus", "nope", "--out", tmp_path / "o"), "--versus", "nope")
    assert not (tmp_path / "o").exists()
