"""docs/outputs.md documents every file, column and key that `simcore run`, `run --replications`, `simcore optimize` and `simcore stress` write.

Each command runs on a shipped map (short horizons); every file it writes must
be listed in its section of the page, every column of every table and every
key of every JSON file in the subsection of that file. So the page cannot
drift from the code: a new column fails here until it is documented.
"""

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simcore.cli import main

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "outputs.md"
SECTIONS = {"`simcore run`": "run", "`simcore run --replications N`": "batch", "`simcore optimize`": "optimize", "`simcore stress`": "stress"}
HORIZON = 60


def documented() -> dict[str, dict[str, list[str]]]:
    """command -> file -> the names in the first column of its table ("" -> the files of the command)."""
    out: dict[str, dict[str, list[str]]] = {}
    command = file = None
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            command, file = SECTIONS.get(line[3:].strip()), ""
            if command:
                out[command] = {"": []}
        elif line.startswith("### ") and command:
            file = line[4:].strip().strip("`")
            out[command][file] = []
        elif command and (m := re.match(r"\| `([^`]+)` \|", line)):
            out[command][file].append(m.group(1))
    return out


DOC = documented()


def matches(name: str, pattern: str, allowed: dict[str, set[str] | None] | None = None) -> bool:
    """`name` is `pattern` with each `<placeholder>` one path segment (of `allowed[placeholder]` when given)."""
    allowed = allowed or {}
    parts = re.split(r"(<[a-z]+>)", pattern)
    regex = "".join(f"(?P<p{k}>[^./]+?)" if p.startswith("<") else re.escape(p) for k, p in enumerate(parts))
    m = re.fullmatch(regex, name)
    if not m:
        return False
    for k, p in enumerate(parts):
        if p.startswith("<") and allowed.get(p[1:-1]) is not None and m.group(f"p{k}") not in allowed[p[1:-1]]:
            return False
    return True


def undocumented(names, patterns, allowed=None) -> list[str]:
    return [n for n in names if not any(matches(n, p, allowed) for p in patterns)]


def paths(doc: dict, prefix: str = "") -> list[str]:
    """The dotted key paths of a JSON document's leaves (a list is a leaf)."""
    out = []
    for key, value in doc.items():
        path = f"{prefix}{key}"
        out += paths(value, path + ".") if isinstance(value, dict) and value else [path]
    return out


def check_folder(command: str, out: Path, allowed: dict[str, set[str] | None]) -> None:
    doc = DOC[command]
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert written, f"{command} wrote nothing"
    assert not undocumented(written, doc[""]), f"files of `{command}` missing from docs/outputs.md: {undocumented(written, doc[''])}"
    for name in written:
        path = out / name
        if path.suffix in (".png", ".html"):
            continue  # a figure or the report: listed, no columns
        patterns = next((doc[f] for f in doc if f and matches(name, f)), None)
        assert patterns, f"{name}: no table of its columns in docs/outputs.md"
        if path.suffix == ".csv":
            columns = list(pd.read_csv(path, nrows=0).columns)
            assert not undocumented(columns, patterns, allowed), f"{name}: columns missing from docs/outputs.md: {undocumented(columns, patterns, allowed)}"
        elif path.suffix == ".json":
            keys = paths(json.loads(path.read_text()))
            assert not undocumented(keys, patterns, allowed), f"{name}: keys missing from docs/outputs.md: {undocumented(keys, patterns, allowed)}"
        elif path.suffix == ".npz":
            arrays = np.load(path).files
            assert not undocumented(arrays, patterns), f"{name}: arrays missing from docs/outputs.md: {undocumented(arrays, patterns)}"


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Path:
    """The flagship embargo scenario (named chains, random shocks, policies with costs) on a short horizon."""
    text = (ROOT / "scenarios" / "ev_chip_embargo.toml").read_text()
    text = text.replace('model = "../models/ev_chain.toml"', f"model = {json.dumps(str(ROOT / 'models' / 'ev_chain.toml'))}")
    text = re.sub(r"(?m)^horizon = \d+$", f"horizon = {HORIZON}", text)
    path = tmp_path_factory.mktemp("scenario") / "embargo.toml"
    path.write_text(text)
    return path


def test_the_page_has_a_table_for_every_file_it_lists():
    for command, files in DOC.items():
        assert files[""], command
        for name in files[""]:
            if not name.endswith((".png", ".html")):  # a figure, or the page documented in its own section
                assert any(matches(name, f) for f in files if f and files[f]), f"{command}: {name} has no table"


def test_every_file_and_column_of_a_run_is_documented(scenario, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(scenario), "--out", str(out)]) == 0
    metrics = pd.read_csv(out / "metrics.csv")
    columns = {c for c in DOC["run"]["metrics.csv"] if c not in ("variant", "chain")}
    allowed = {"variant": set(metrics.variant), "chain": set(metrics.chain), "package": None, "column": columns}
    check_folder("run", out, allowed)
    assert {"firm_trajectories.csv", "firm_metrics.csv", "output.png"} <= {p.name for p in out.iterdir()}


def test_every_file_and_column_of_a_batch_is_documented(scenario, tmp_path, capsys):
    out = tmp_path / "batch"
    assert main(["run", str(scenario), "--replications", "4", "--out", str(out)]) == 0
    metrics = pd.read_csv(out / "metrics.csv")
    per_replication = [c for c in DOC["batch"]["replications.csv"] if c not in ("replication", "variant", "chain")]
    allowed = {
        "variant": set(metrics.variant),
        "chain": set(metrics.chain),
        "package": None,
        "metric": {*per_replication, *(f"d_{m}" for m in per_replication)},
    }
    check_folder("batch", out, allowed)
    assert (out / "chunks").is_dir() and (out / "fan.png").is_file()


def test_every_file_and_column_of_an_optimization_is_documented(scenario, tmp_path, capsys):
    out = tmp_path / "optimize"
    assert main(["optimize", str(scenario), "--budget", "2e7", "--replications", "4", "--out", str(out)]) == 0
    chains = {c[len("cost_") :] for c in pd.read_csv(out / "portfolios.csv", nrows=0).columns if c.startswith("cost_")}
    assert chains == {"ev", "ess", "unattributed"}
    check_folder("optimize", out, {"package": None, "chain": chains, "round": None})
    assert (out / "rounds" / "000" / "batch.json").is_file() and (out / "frontier.png").is_file()


@pytest.mark.parametrize("source, by", [("ev_chain.toml", "region"), ("willems_01.toml", "firm")])
def test_every_file_and_column_of_a_stress_test_is_documented(tmp_path, capsys, source, by):
    out = tmp_path / "stress"
    assert main(["stress", str(ROOT / "models" / source), "--by", by, "--horizon", str(HORIZON), "--out", str(out)]) == 0
    table = pd.read_csv(out / "stress.csv")
    chains = {c[len("loss_") :] for c in table.columns if c.startswith("loss_")}
    check_folder("stress", out, {"package": None, "chain": chains or None})
    ranking = json.loads((out / "stress.json").read_text())["ranking"]
    assert [list(r) for r in ranking] == [list(table.columns)] * len(table)  # "the rows of stress.csv"
    if by == "region":
        assert chains == {"ev", "ess"} and "short_boards" in table.columns  # the pattern columns were exercised
