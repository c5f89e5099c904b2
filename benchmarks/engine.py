"""Engine throughput: firm-days per second of the Numba engine on synthetic maps, against the SimPy reference.

    python benchmarks/engine.py                      # 1k, 10k, 100k, 1M firms (the 1M map takes minutes to build)
    python benchmarks/engine.py --sizes 1000 10000   # a quick look

For each size a synthetic map (`simcore generate`, 5 tiers, about 5 suppliers
per firm) gets a 30-day outage of its ten largest suppliers, and is compiled
once for proportional and once for priority rationing. Each compiled run is
timed in a fresh process (so peak memory is the run's own): one warm-up, then
`--repeats` runs, median reported. On the 1,000-firm map the reference engine
is timed in that same process for the ratio. Results go to
`benchmarks/results/engine.json` and a table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import fields
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "engine.json"
NOT_SAVED = ("policy_events", "firm_ids")  # CompiledRun fields that are not arrays
MEMORY_BANDWIDTH = 20e9  # bytes/s: the memory bandwidth of this machine kind, whatever the thread count


def build(n_firms: int, rationings: list[str], folder: Path, horizon: int) -> list[Path]:
    """Generate and load a map, give it its shock, compile it once per rationing rule; save the compiled arrays."""
    from simcore.chainmap import load_model
    from simcore.compile import compile_model, effective_parameters
    from simcore.core.primitives import DAMAGE, ShockTable
    from simcore.generate import generate_map, write_map
    from simcore.scenario.schema import ParameterOverrides

    model = folder / f"syn{n_firms}.toml"
    if not model.exists():
        write_map(generate_map(n_firms, tiers=5, seed=1), model, f"syn{n_firms}", "benchmark map")
    t0 = time.perf_counter()
    cmap = load_model(model)
    load_s = time.perf_counter() - t0
    biggest = np.argsort(np.bincount(cmap.link_supplier, minlength=len(cmap.firms)))[-10:]
    shocks = ShockTable.from_rows([(DAMAGE, int(k), 1.0, 30.0, 30.0, 1, 20.0, 0) for k in biggest])
    paths = []
    for rationing in rationings:
        t0 = time.perf_counter()
        run = compile_model(cmap, effective_parameters(cmap, ParameterOverrides(rationing=rationing)), horizon, shocks)
        compile_s = time.perf_counter() - t0
        out = folder / f"run{n_firms}_{rationing}.npz"
        np.savez(out, **{f.name: np.asarray(getattr(run, f.name)) for f in fields(run) if f.name not in NOT_SAVED})
        out.with_suffix(".json").write_text(json.dumps({"load_s": load_s, "compile_s": compile_s, "links": run.n_links}))
        paths.append(out)
    return paths


def load_run(path: Path):
    from simcore.core.compiled import CompiledRun

    data = np.load(path)
    values = {}
    for f in fields(CompiledRun):
        if f.name in NOT_SAVED:  # engines read the merged shock_* arrays, not these
            continue
        a = data[f.name]
        values[f.name] = a.item() if a.ndim == 0 else (tuple(a.tolist()) if f.name == "chain_names" else a)
    return CompiledRun(**values)


def state_bytes_per_firm(run) -> float:
    """Bytes of the arrays a tick reads or writes, per firm: the traffic of one firm-day if each is touched once."""
    per_link = 8 * 8  # supplier, slot, share, lead, tier, flow, order, ring slot
    per_slot = 8 * 7  # coef, target, pipeline, link pointer, inventory, in transit, order
    per_firm = 8 * 12  # capacity, base, final demand, pointers, demand, output, backlog, fill, ...
    return (run.n_links * per_link + run.n_slots * per_slot + run.n_firms * per_firm) / run.n_firms


def peak_rss_mb() -> float:
    """This process's peak resident memory. Linux keeps `ru_maxrss` across exec (it would report the
    parent's peak), so read the high-water mark of this address space instead."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_run(path: Path, repeats: int, with_reference: bool) -> dict:
    """Runs in this process: warm-up, `repeats` timed runs of the Numba engine, and optionally the reference."""
    from simcore.engines.numba import run_numba

    run = load_run(path)
    run_numba(run, firm_trajectories=False)  # warm-up (compiles or loads the cache)
    times, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        run_numba(run, firm_trajectories=False)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    firm_days = run.n_firms * run.horizon
    out = {
        "firms": run.n_firms,
        "links": run.n_links,
        "days": run.horizon,
        "numba_s": statistics.median(times),
        "numba_runs_s": times,
        "numba_cpu_s": statistics.median(cpu),  # CPU time of this process: less disturbed by other processes than wall time
        "firm_days_per_s": firm_days / statistics.median(times),
        "bytes_per_firm_day": state_bytes_per_firm(run),
        "peak_rss_mb": peak_rss_mb(),
    }
    out["bandwidth_limit_firm_days_per_s"] = MEMORY_BANDWIDTH / out["bytes_per_firm_day"]
    out["fraction_of_bandwidth_limit"] = out["firm_days_per_s"] / out["bandwidth_limit_firm_days_per_s"]
    if with_reference:
        from simcore.engines.reference import run_reference

        ref = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            run_reference(run, firm_trajectories=False)
            ref.append(time.perf_counter() - t0)
        out["reference_s"] = statistics.median(ref)
        out["reference_runs_s"] = ref
        out["numba_over_reference"] = out["reference_s"] / out["numba_s"]
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000, 1_000_000])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--horizon", type=int, default=365)
    p.add_argument("--rationing", nargs="+", default=["proportional", "priority"])
    p.add_argument("--no-reference", action="store_true", help="skip the SimPy reference (minutes on 1,000 firms)")
    p.add_argument("--work", type=Path, default=None, help="folder for generated maps (default: a temporary one)")
    p.add_argument("--results", type=Path, default=RESULTS, help=f"where to write the figures (default: {RESULTS.relative_to(HERE.parent)})")
    p.add_argument("--_time", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--_reference", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args._time:  # child process: time one compiled run
        print(json.dumps(time_run(args._time, args.repeats, args._reference)))
        return 0

    work = args.work or Path(tempfile.mkdtemp(prefix="simcore-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in args.sizes:
        for rationing, path in zip(args.rationing, build(n, args.rationing, work, args.horizon)):
            prep = json.loads(path.with_suffix(".json").read_text())
            cmd = [sys.executable, __file__, "--_time", str(path), "--repeats", str(args.repeats)]
            if n <= 1_000 and rationing == "proportional" and not args.no_reference:
                cmd.append("--_reference")
            res = subprocess.run(cmd, check=True, capture_output=True, text=True, env={**os.environ})
            row = {"rationing": rationing, **prep, **json.loads(res.stdout.strip().splitlines()[-1])}
            rows.append(row)
            ratio = f"  numba/reference {row['numba_over_reference']:.0f}x" if "numba_over_reference" in row else ""
            print(
                f"{n:>9,} firms {row['links']:>10,} links {rationing:>12}: {row['numba_s']:8.3f} s/run  "
                f"{row['firm_days_per_s'] / 1e6:6.2f} M firm-days/s  {row['bytes_per_firm_day']:6.0f} B/firm-day "
                f"({row['fraction_of_bandwidth_limit']:.0%} of bandwidth limit)  peak {row['peak_rss_mb']:7.0f} MB  "
                f"load {prep['load_s']:.1f} s compile {prep['compile_s']:.1f} s{ratio}",
                flush=True,
            )
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(
        json.dumps({"machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "processor": platform.processor()}, "results": rows}, indent=2) + "\n"
    )
    print(f"written {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
