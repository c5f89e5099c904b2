"""`simcore sensitivity` end to end, as a user runs it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from naive import refused, simcore
from simcore.errors import InputError

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
    assert {p.name for p in out.iterdir()} == {"rows", "sensitivity.csv", "sensitivity.png", "report.html", "summary.json"}
    table = pd.read_csv(out / "sensitivity.csv")
    assert set(table.output) == {"loss of as-is", "as-is - stock"}
    assert {"input", "S1", "S1_conf", "ST", "ST_conf", "at_low", "at_high"} <= set(table.columns)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["method"] == "sobol" and summary["samples"] == 16
    assert summary["ranking"]["as-is - stock"][0] == "额外库存"
    assert summary["robustness"]["chosen"] == "stock"
    assert "inputs ranked by ST" in proc.stdout and "robustness over 20 replications" in proc.stdout
    assert_documented(out, table, summary)
    page = (out / "report.html").read_text(encoding="utf-8")  # the leader reads which input to pin down first
    assert "Sensitivity analysis" in page and "Moves as-is - stock most" in page and "额外库存" in page and "simcore sensitivity" in page
    assert simcore("report", out).returncode == 0 and (out / "report.html").read_text(encoding="utf-8") == page
    again = simcore("sensitivity", path, "--method", "morris", "--samples", "4", "--workers", "1", "--out", out)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "replaced the earlier sensitivity results" in again.stderr


def test_bad_requests_exit_2(tmp_path):
    path = scenario_file(tmp_path, BODY)
    refused(simcore("sensitivity", path, "--samples", "10", "--out", tmp_path / "o"), "--samples", "a power of 2")
    refused(simcore("sensitivity", path, "--versus", "nope", "--out", tmp_path / "o"), "--versus", "nope")
    assert not (tmp_path / "o").exists()


def documented() -> dict[str, list[str]]:
    """file -> the names in the first column of its table, in docs/outputs.md's `simcore sensitivity` section."""
    page = (Path(__file__).resolve().parents[2] / "docs" / "outputs.md").read_text(encoding="utf-8")
    section = page.split("## `simcore sensitivity`", 1)[1].split("\n## ", 1)[0]
    out, file = {"": []}, ""
    for line in section.splitlines():
        if line.startswith("### "):
            file = line[4:].strip().strip("`")
            out[file] = []
        elif m := re.match(r"\| `([^`]+)` \|", line):
            out[file].append(m.group(1))
    return out


def assert_documented(out: Path, table: pd.DataFrame, summary: dict) -> None:
    doc = documented()
    assert sorted(p.name for p in out.iterdir()) == sorted(doc[""])
    assert set(table.columns) <= set(doc["sensitivity.csv"])
    keys = set(doc["summary.json"])

    def known(name: str) -> bool:
        return name in keys or any(k.startswith(name + ".") for k in keys)

    for key, value in summary.items():
        assert known(key), key
        if key == "robustness":
            assert all(known(f"{key}.{sub}") for sub in value), value.keys()


def test_resume_runs_only_the_missing_rows(tmp_path):
    from simcore import load_scenario
    from simcore.sensitivity import sensitivity

    scenario = load_scenario(scenario_file(tmp_path, BODY, duration='{ dist = "uniform", low = 8, high = 30 }'))
    out = tmp_path / "out"
    first = sensitivity(scenario, samples=32, versus="stock", workers=1, progress=False, out=out)
    chunks = sorted((out / "rows" / "chunks").glob("*.npz"))
    assert len(chunks) == 3  # 32 x 4 + 1 + 2 x 2 = 133 rows, in chunks of 64
    chunks[1].unlink()
    lines = []
    again = sensitivity(scenario, samples=32, versus="stock", workers=1, progress=False, out=out, resume=True, notes=lines.append)
    assert lines == [f"resuming the sensitivity analysis in {out}/: 2 of 3 chunks of rows reused"]
    pd.testing.assert_frame_equal(again.indices, first.indices)
    with pytest.raises(InputError):  # other settings are another analysis
        sensitivity(scenario, samples=64, versus="stock", workers=1, progress=False, out=out, resume=True)
