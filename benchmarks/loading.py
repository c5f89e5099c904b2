"""Loading a big map: the column path against the record path, and against the engine's own run of the map.

    python benchmarks/loading.py                          # 2,000 and 100,000 firms (a minute)
    python benchmarks/loading.py --firms 2000 100000 1000000 --record-up-to 100000
    python benchmarks/loading.py --firms 2000 100000 1000000 --record-up-to 0 --parquet   # CSV against Parquet tables

For each size, a synthetic map (`simcore generate`, 5 tiers, seed 1, as benchmarks/scaling.py makes) is loaded in
the same process by both paths of `simcore.chainmap.load` — `_load(fast=True)`, the columns, and `_load(fast=False)`,
record by record — and compiled (`compile_variant`, the scenario's one variant), and the maps are checked equal.
Then the engine runs it (365 days, proportional rationing, the ten largest suppliers out for 30 days), so that
loading can be read as a ratio of the run it serves. Medians of `--rounds` rounds, the paths alternating. Finally
`simcore validate` of the map in a fresh process gives the whole command's wall time and peak resident memory.
With `--parquet`, the map's tables are also converted to Parquet (the column types Arrow infers from the CSV files,
as a user converting them would get) and loaded by the column path in the same rounds, checked equal to the CSV map,
and `simcore validate` runs on that form too.

Writes `results/loading.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
RESULTS = HERE / "results" / "loading.json"

from scaling import simcore, synthetic  # noqa: E402 - the same maps and scenarios as the scaling table


def clock(fn):
    t0 = time.perf_counter()
    value = fn()
    return time.perf_counter() - t0, value


def as_parquet(model: Path) -> Path:
    """A copy of the model file naming Parquet tables, converted from its CSV tables (Arrow's inferred types)."""
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    folder = model.with_suffix("")
    for table in folder.glob("*.csv"):
        if not table.with_suffix(".parquet").exists():
            pq.write_table(pcsv.read_csv(table), table.with_suffix(".parquet"))
    copy = model.with_name(f"{model.stem}_parquet.toml")
    copy.write_text(model.read_text(encoding="utf-8").replace('.csv"', '.parquet"'), encoding="utf-8")
    return copy


def measure(folder: Path, firms: int, rounds: int, record: bool, parquet: bool = False) -> dict:
    import numpy as np

    from simcore import load_scenario
    from simcore.chainmap.load import _load
    from simcore.compile import compile_variant
    from simcore.engines import get_engine

    model, scenario_path = synthetic(folder, firms)
    scenario = load_scenario(scenario_path)
    variant = scenario.variants[0]
    times: dict[str, list[float]] = {"columns": [], "columns_compile": [], "records": [], "records_compile": [], "parquet": []}
    pq_model = as_parquet(model) if parquet else None
    for _ in range(rounds):
        for path, fast in (("columns", True), ("records", False))[: 2 if record else 1]:
            seconds, cmap = clock(lambda fast=fast: _load(model, fast=fast))
            times[path].append(seconds)
            times[f"{path}_compile"].append(clock(lambda cmap=cmap: compile_variant(_with_map(scenario, cmap), variant))[0])
            assert cmap.firms.by_columns == fast, "the path measured is not the one asked for"
        if parquet:
            seconds, by_parquet = clock(lambda: _load(pq_model, fast=True))
            times["parquet"].append(seconds)
            assert by_parquet.firms.by_columns and np.array_equal(by_parquet.outputs, cmap.outputs) and np.array_equal(by_parquet.link_coef, cmap.link_coef)
            del by_parquet
    if record:
        a, b = _load(model, fast=True), _load(model, fast=False)
        assert np.array_equal(a.outputs, b.outputs) and np.array_equal(a.link_coef, b.link_coef) and a.links[-1] == b.links[-1]
    compiled = compile_variant(scenario, variant)
    run = compiled.run.with_shocks(scenario.drawn_shocks(compiled.shocks, 0, scenario.seed))
    simulate = get_engine("numba")
    simulate(run, False)  # compiled before timing
    engine = [clock(lambda: simulate(run, False))[0] for _ in range(rounds)]
    row = {"firms": firms, "links": len(scenario.model.links), "rounds": rounds}
    for key, values in times.items():
        if values:
            row[f"{key}_s"] = statistics.median(values)
    row["engine_s"] = statistics.median(engine)
    row["load_and_compile_over_engine"] = (row["columns_s"] + row["columns_compile_s"]) / row["engine_s"]
    if record:
        row["records_over_columns"] = row["records_s"] / row["columns_s"]
    if parquet:
        row["parquet_over_columns"] = row["parquet_s"] / row["columns_s"]
        row["csv_mb"] = sum(f.stat().st_size for f in model.with_suffix("").glob("*.csv")) / 2**20
        row["parquet_mb"] = sum(f.stat().st_size for f in model.with_suffix("").glob("*.parquet")) / 2**20
        row["validate_parquet_command_s"], row["validate_parquet_command_peak_mb"] = command_cost(simcore("validate", str(pq_model)))
    row["validate_command_s"], row["validate_command_peak_mb"] = command_cost(simcore("validate", str(model)))
    return row


def command_cost(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of a command, run under a small Python parent of its own: a process's
    children's peak (RUSAGE_CHILDREN) is the largest of all its children, here only the command's."""
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); p = subprocess.run(sys.argv[1:], capture_output=True); "
             "s = time.perf_counter() - t; sys.stderr.write(p.stderr.decode()[-2000:]) if p.returncode else None; "
             "print(s, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024); sys.exit(p.returncode)")
    proc = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    seconds, peak = proc.stdout.split()
    return float(seconds), float(peak)


def _with_map(scenario, cmap):
    import dataclasses

    return dataclasses.replace(scenario, model=cmap)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--firms", type=int, nargs="*", default=[2000, 100000])
    p.add_argument("--record-up-to", type=int, default=100000, help="time the record path only on maps up to this many firms")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--folder", type=Path, default=None, help="where the maps are made (and kept); default: a temporary folder")
    p.add_argument("--parquet", action="store_true", help="also load the maps as Parquet tables")
    args = p.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.folder or Path(tmp)
        for n in sorted(args.firms):  # the largest last: its validate command's peak is the largest child's
            rows.append(measure(folder, n, args.rounds, n <= args.record_up_to, args.parquet))
            print(json.dumps(rows[-1]), flush=True)
    RESULTS.parent.mkdir(exist_ok=True)
    command = f"python benchmarks/loading.py --firms {' '.join(map(str, args.firms))} --record-up-to {args.record_up_to} --rounds {args.rounds}" + " --parquet" * args.parquet  # not the folder: a local path
    results = RESULTS.with_name("loading_parquet.json") if args.parquet else RESULTS  # the CSV-only table stays as it was
    results.write_text(json.dumps({"command": command, "cores": os.cpu_count(), "rows": rows}, indent=2) + "\n")
    print(f"{'firms':>9} {'links':>9} {'columns s':>10} {'compile s':>10} {'records s':>10} {'x':>6} {'engine s':>9} {'load/engine':>12} {'validate s':>11} {'peak MB':>8}")
    for r in rows:
        rec = f"{r['records_s']:>10.2f} {r['records_over_columns']:>6.1f}" if "records_s" in r else f"{'':>10} {'':>6}"
        print(f"{r['firms']:>9,} {r['links']:>9,} {r['columns_s']:>10.2f} {r['columns_compile_s']:>10.2f} {rec} {r['engine_s']:>9.2f} "
              f"{r['load_and_compile_over_engine']:>12.2f} {r['validate_command_s']:>11.2f} {r['validate_command_peak_mb']:>8.0f}")
        if "parquet_s" in r:
            print(f"{'':>9} Parquet: load {r['parquet_s']:.2f} s ({r['parquet_over_columns']:.2f} of CSV), files {r['parquet_mb']:.0f} MB (CSV {r['csv_mb']:.0f} MB), "
                  f"validate {r['validate_parquet_command_s']:.2f} s, peak {r['validate_parquet_command_peak_mb']:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
