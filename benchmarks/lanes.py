"""Batch kernel against single runs: cost per replication of the lanes kernel and of the scalar kernel, one thread.

    python benchmarks/lanes.py            # flagship variants (48 drawn replications) and 32 Willems 38 knock-outs
    python benchmarks/lanes.py --quick    # fewer replications and repeats

A batch runs its replications in groups side by side (`simcore/engines/numba/lanes.py`);
the comparison is each replication as a single run of `kernels.simulate`
(`run_numba` without firm trajectories, which is how batches ran before the
lanes). Both on one Numba thread, interleaved in this process (the machine's
speed drifts), medians of the repeats; every replication's chain series and
lowest firm ratios are checked bit for bit equal. Results go to
benchmarks/results/lanes.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent



def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--results", type=Path, default=None, help="where to write the figures (default: benchmarks/results/lanes.json, or lanes_quick.json)")
    args = p.parse_args()

    import numba

    import simcore
    from simcore import load_scenario
    from simcore.engines.numba import engine, run_numba
    from simcore.montecarlo.batch import prepare
    from simcore.knockouts import knockout
    from simcore.stress import setup_stress

    numba.set_num_threads(1)
    root = Path(simcore.__file__).resolve().parents[1]  # the tree under test, with its own shipped files (benchmarks/ab.py)
    n_reps, repeats = (16, 3) if args.quick else (48, 5)
    scenario = load_scenario(root / "scenarios" / "ev_chip_embargo.toml")
    cases = [(f"flagship: {p.name}", p.run, [scenario.sampler.draw(scenario.seed, k).apply(p.shocks) for k in range(n_reps)]) for p in prepare(scenario)]
    setup, _ = setup_stress(root / "models" / "willems_38.toml", by="firm", horizon=365)
    step = len(setup.units) // (n_reps // 3 * 2)
    cases.append(("Willems 38: knock-outs", setup.run, [knockout(setup, u) for u in range(0, len(setup.units), step)][: n_reps // 3 * 2]))

    def singles(run, tables):
        return [run_numba(run.with_shocks(t), firm_trajectories=False) for t in tables]

    rows = []
    for name, run, tables in cases:
        engine.run_numba_batch(run, tables[:2]), singles(run, tables[:2])  # JIT (cache load)
        timed, cpu, out = {"lanes": [], "single runs": []}, {"lanes": [], "single runs": []}, {}
        for _ in range(repeats):
            for label, f in (("lanes", engine.run_numba_batch), ("single runs", singles)):
                t0, c0 = time.perf_counter(), time.process_time()
                out[label] = f(run, tables)
                timed[label].append((time.perf_counter() - t0) / len(tables))
                cpu[label].append((time.process_time() - c0) / len(tables))
        same = all(
            np.array_equal(getattr(out["lanes"], a)[k], getattr(one, a))
            for k, one in enumerate(out["single runs"])
            for a in ("chain_output", "chain_final_demand", "chain_final_delivered", "firm_min_ratio")
        )
        ms = {label: 1000 * statistics.median(v) for label, v in timed.items()}
        rows.append({
            "case": name, "firms": run.n_firms, "links": run.n_links, "replications": len(tables), "lanes_per_group": engine.lanes_for(run),
            "ms_per_replication": ms, "runs_s": timed,
            "cpu_ms_per_replication": {label: 1000 * statistics.median(v) for label, v in cpu.items()},  # this process's CPU time "single_over_lanes": ms["single runs"] / ms["lanes"], "bitwise_equal": bool(same),
        })  # fmt: skip
        print(f"{name:45s} {engine.lanes_for(run):2d} lanes: {ms['lanes']:7.2f} ms   single runs: {ms['single runs']:7.2f} ms   "
              f"x{ms['single runs'] / ms['lanes']:.2f}   bitwise equal: {same}", flush=True)  # fmt: skip
    path = args.results or HERE / "results" / ("lanes_quick.json" if args.quick else "lanes.json")
    path.write_text(json.dumps({
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "numba_threads": 1, "repeats": repeats,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "numba": numba.__version__, "numpy": np.__version__},
        "results": rows,
    }, indent=2) + "\n")  # fmt: skip
    print(f"written {path}")


if __name__ == "__main__":
    main()
