"""Loading a big map: the column path against the record path, and against the engine's own run of the map.

    python benchmarks/loading.py                          # 2,000 and 100,000 firms (a minute)
    python benchmarks/loading.py --firms 2000 100000 1000000 --record-up-to 100000

For each size, a synthetic map (`simcore generate`, 5 tiers, seed 1, as benchmarks/scaling.py makes) is loaded in
the same process by both paths of `simcore.chainmap.load` — `_load(fast=True)`, the columns, and `_load(fast=False)`,
record by record — and compiled (`compile_variant`, the scenario's one variant), and the maps are checked equal.
Then the engine runs it (365 days, proportional rationing, the ten largest suppliers out for 30 days), so that
loading can be read as a ratio of the run it serves. Medians of `--rounds` rounds, the paths alternating. Finally
`simcore validate` of the map in a fresh process gives the whole command's wall time and peak resident memory.

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


def measure(folder: Path, firms: int, rounds: int, record: bool) -> dict:
    import numpy as np

    from simcore import load_scenario
    from simcore.chainmap.load import _load
    from simcore.compile import compile_variant
    from simcore.engines import get_engine

    model, scenario_path = synthetic(folder, firms)
    scenario = load_scenario(scenario_path)
    variant = scenario.variants[0]
    times: dict[str, list[float]] = {"columns": [], "columns_compile": [], "records": [], "records_compile": []}
    for _ in range(rounds):
        for path, fast in (("columns", True), ("records", False))[: 2 if record else 1]:
            seconds, cmap = clock(lambda fast=fast: _load(model, fast=fast))
            times[path].append(seconds)
            times[f"{path}_compile"].append(clock(lambda cmap=cmap: compile_variant(_with_map(scenario, cmap), variant))[0])
            assert cmap.firms.by_columns == fast, "the path measured is not the one asked for"
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
    args = p.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.folder or Path(tmp)
        for n in sorted(args.firms):  # the largest last: its validate command's peak is the largest child's
            rows.append(measure(folder, n, args.rounds, n <= args.record_up_to))
            print(json.dumps(rows[-1]), flush=True)
    RESULTS.parent.mkdir(exist_ok=True)
    command = f"python benchmarks/loading.py --firms {' '.join(map(str, args.firms))} --record-up-to {args.record_up_to} --rounds {args.rounds}"  # not the folder: a local path
    RESULTS.write_text(json.dumps({"command": command, "cores": os.cpu_count(), "rows": rows}, indent=2) + "\n")
    print(f"{'firms':>9} {'links':>9} {'columns s':>10} {'compile s':>10} {'records s':>10} {'x':>6} {'engine s':>9} {'load/engine':>12} {'validate s':>11} {'peak MB':>8}")
    for r in rows:
        rec = f"{r['records_s']:>10.2f} {r['records_over_columns']:>6.1f}" if "records_s" in r else f"{'':>10} {'':>6}"
        print(f"{r['firms']:>9,} {r['links']:>9,} {r['columns_s']:>10.2f} {r['columns_compile_s']:>10.2f} {rec} {r['engine_s']:>9.2f} "
              f"{r['load_and_compile_over_engine']:>12.2f} {r['validate_command_s']:>11.2f} {r['validate_command_peak_mb']:>8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
