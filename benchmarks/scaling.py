"""How cost grows: wall time, firm-days per second and peak memory of whole `simcore` commands, as a user runs them.

    python benchmarks/scaling.py                                   # the quick table (minutes)
    python benchmarks/scaling.py --firms 1000 10000 100000 1000000 --replications 1000 10000 100000 \\
        --knockouts 100 1000 10000                                 # the full table (hours on two cores)

Three series, each command in a fresh process (its own peak resident memory, read from the kernel when it exits),
with a warm Numba cache (one untimed warm-up command first):

- **firms**: `simcore run` of a one-variant scenario on a synthetic map of N firms (`simcore generate`, 5 tiers,
  seed 1), a 30-day outage of its ten largest suppliers, 365 days, proportional rationing, `--no-plots`;
- **replications**: `simcore run scenarios/ev_chip_embargo.toml --replications R --no-plots` (4 variants);
- **knock-outs**: `simcore stress` by firm, 30-day knock-outs over 365 days, on a synthetic map of as many firms
  as knock-outs.

`--dask N` runs the replications and knock-outs again on `--dask-local N` (a LocalCluster of N single-threaded
workers started by the command); their peak memory is the sum over the command and its cluster's processes
(`tree_peak_mb`). `--dry-run` records what `simcore run --dry-run` predicts for each batch, beside what it took.
`--keep` keeps the rows of results/scaling.json not measured now (one series re-measured at a time).

Firm-days are firms x days x variants x replications (or knock-outs) simulated; the time is the whole command's,
start-up, loading and writing included, so small runs show the fixed costs. `simcore run --dry-run` predicts one
run or batch of a given scenario on the machine it runs on. Writes `results/scaling.json` and `results/scaling.png`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results" / "scaling.json"
FLAGSHIP = ROOT / "scenarios" / "ev_chip_embargo.toml"
HORIZON = 365


def timed(cmd: list[str]) -> dict:
    """Wall seconds and peak resident MB of one command in a fresh process: `peak_mb`, the largest process's
    (the kernel's ru_maxrss: the command itself, or a Dask worker it started if larger); `tree_peak_mb`, the
    largest sum over the command and every process under it (its Dask scheduler, nannies and workers), sampled
    every 0.1 s (shared pages counted in each process); `tree_mb_at_25` (50, 75), that sum a quarter (half, three
    quarters) of the way through the run, to see whether memory stays flat as the work is done."""
    import threading

    import psutil

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    tree, series = [0], []
    stop = threading.Event()

    def sample() -> None:
        root = psutil.Process(proc.pid)
        while not stop.wait(0.1):
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                return
            total = 0
            for q in procs:
                try:
                    total += q.memory_info().rss
                except psutil.Error:
                    pass
            tree[0] = max(tree[0], total)
            series.append(total)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    stop.set()
    sampler.join()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.read().decode()[-2000:]}")
    along = {f"tree_mb_at_{q}": series[len(series) * q // 100] / 2**20 for q in (25, 50, 75)} if len(series) >= 4 else {}  # flat as work is done?
    return {"seconds": wall, "peak_mb": usage.ru_maxrss / 1024, "tree_peak_mb": max(tree[0], usage.ru_maxrss * 1024) / 2**20, **along}


def dry_run(scenario: Path, replications: int) -> dict:
    """What `simcore run SCENARIO --dry-run --replications R` predicts: total seconds and peak MB."""
    import re

    text = subprocess.run(simcore("run", str(scenario), "--dry-run", "--replications", str(replications)), check=True, capture_output=True, text=True).stdout
    total = re.search(r"about ([\d.]+) (s|min|h) in all", text)
    peak = re.search(r"peak about ([\d.]+) (B|KB|MB|GB|TB)", text)
    seconds = float(total[1]) * {"s": 1, "min": 60, "h": 3600}[total[2]]
    mb = float(peak[1]) * {"B": 2**-20, "KB": 2**-10, "MB": 1, "GB": 2**10, "TB": 2**20}[peak[2]]
    return {"dry_run_seconds": seconds, "dry_run_peak_mb": mb}


def synthetic(folder: Path, firms: int) -> tuple[Path, Path]:
    """A synthetic map of `firms` firms and a scenario on it, made in a child process: a process's peak memory is
    inherited by the commands it starts (Linux keeps it across fork and exec), so this one must stay small."""
    subprocess.run([sys.executable, __file__, "--make", str(firms), str(folder)], check=True)
    return folder / f"syn{firms}.toml", folder / f"syn{firms}_outage.toml"


def make(folder: Path, firms: int) -> None:
    """Write the map of `firms` firms and its scenario: its ten largest suppliers out for 30 days."""
    import numpy as np

    from simcore.chainmap import load_model
    from simcore.generate import generate_map, write_map

    model = folder / f"syn{firms}.toml"
    if not model.exists():
        write_map(generate_map(firms, tiers=5, seed=1), model, f"syn{firms}", "scaling benchmark map")
    cmap = load_model(model)
    biggest = np.argsort(np.bincount(cmap.link_supplier, minlength=len(cmap.firms)))[-10:]
    ids = ", ".join(f'"{cmap.firms[k].id}"' for k in biggest)
    scenario = folder / f"syn{firms}_outage.toml"
    scenario.write_text(
        f'[scenario]\nname = "syn{firms} outage"\nmodel = "{model.name}"\nhorizon = {HORIZON}\n\n'
        f'[parameters]\nrationing = "proportional"\n\n'
        f'[[shocks]]\nkind = "firm_outage"\nselect = {{ ids = [{ids}] }}\nstart = 30\nduration = 30\n\n[output]\nfirm_trajectories = false\n'
    )


def simcore(*args: str) -> list[str]:
    return [sys.executable, "-m", "simcore.cli", *args]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--firms", type=int, nargs="*", default=[1000, 10000, 100000])
    p.add_argument("--replications", type=int, nargs="*", default=[1000, 10000])
    p.add_argument("--knockouts", type=int, nargs="*", default=[100, 1000])
    p.add_argument("--dask", type=int, default=0, metavar="N", help="also run the replications and knock-outs on `--dask-local N` (0: not)")
    p.add_argument("--dask-replications", type=int, nargs="*", default=None, help="sizes of the Dask replications series (default: --replications)")
    p.add_argument("--dask-knockouts", type=int, nargs="*", default=None, help="sizes of the Dask knock-outs series (default: --knockouts)")
    p.add_argument("--stress-horizon", type=int, default=HORIZON, metavar="DAYS",
                   help=f"the knock-outs' horizon (default {HORIZON}); another makes the series 'knock-outs, DAYS-day horizon', so that 100,000 knock-outs fit in hours")
    p.add_argument("--dry-run", action="store_true", help="also record what `simcore run --dry-run` predicts for each replications size")
    p.add_argument("--keep", action="store_true", help="keep the rows of results/scaling.json of series and sizes not measured now")
    p.add_argument("--make", nargs=2, metavar=("FIRMS", "FOLDER"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.make:
        make(Path(args.make[1]), int(args.make[0]))
        return 0
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        out = lambda name: ["--out", str(folder / name), "--overwrite"]  # noqa: E731
        subprocess.run(simcore("run", str(FLAGSHIP), "--no-plots", *out("warm")), check=True, capture_output=True)
        for n in args.firms:
            _, scenario = synthetic(folder, n)
            rows.append({"series": "firms", "size": n, "firm_days": n * HORIZON, **timed(simcore("run", str(scenario), "--no-plots", *out("firms")))})
            print(rows[-1], flush=True)
        per_replication = 190 * 365 * 4  # the flagship: firms x days x variants
        dask = ["--dask-local", str(args.dask)]
        plans = [("replications", args.replications, [])]
        if args.dask:
            plans.append((f"replications (dask {args.dask})", args.replications if args.dask_replications is None else args.dask_replications, dask))
        for series, sizes, extra in plans:
            for r in sizes:
                predicted = dry_run(FLAGSHIP, r) if args.dry_run and not extra else {}
                rows.append({"series": series, "size": r, "firm_days": r * per_replication,
                             **timed(simcore("run", str(FLAGSHIP), "--replications", str(r), "--no-plots", *extra, *out("batch"))), **predicted})  # fmt: skip
                print(rows[-1], flush=True)
        days = args.stress_horizon
        name = "knock-outs" if days == HORIZON else f"knock-outs, {days}-day horizon"
        plans = [(name, args.knockouts, [])]
        if args.dask:
            plans.append((f"{name} (dask {args.dask})", args.knockouts if args.dask_knockouts is None else args.dask_knockouts, dask))
        for series, sizes, extra in plans:
            for k in sizes:
                model, _ = synthetic(folder, k)
                cmd = simcore("stress", str(model), "--by", "firm", "--horizon", str(days), "--no-plots", *extra, *out("stress"))
                rows.append({"series": series, "size": k, "firm_days": k * k * days, **timed(cmd)})
                print(rows[-1], flush=True)
    if args.keep and RESULTS.exists():
        measured = {(r["series"], r["size"]) for r in rows}
        rows = [r for r in json.loads(RESULTS.read_text())["rows"] if (r["series"], r["size"]) not in measured] + rows
        order = {"firms": 0, "replications": 1, "knock-outs": 3}
        rows.sort(key=lambda r: (order.get(r["series"], 2 if r["series"].startswith("replications") else 4), r["series"], r["size"]))
    for row in rows:
        row["firm_days_per_s"] = row["firm_days"] / row["seconds"]
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"command": " ".join(["python", "benchmarks/scaling.py", *(argv or sys.argv[1:])]), "cores": os.cpu_count(), "rows": rows}, indent=2) + "\n")
    print(f"{'series':<24} {'size':>9} {'seconds':>9} {'M firm-days/s':>14} {'peak MB':>8} {'tree MB':>8} {'dry-run s':>10} {'dry-run MB':>10}")
    for row in rows:
        tree = f"{row['tree_peak_mb']:>8.0f}" if "tree_peak_mb" in row else f"{'':>8}"
        guess = f"{row['dry_run_seconds']:>10.1f} {row['dry_run_peak_mb']:>10.0f}" if "dry_run_seconds" in row else ""
        print(f"{row['series']:<24} {row['size']:>9,} {row['seconds']:>9.2f} {row['firm_days_per_s'] / 1e6:>14.2f} {row['peak_mb']:>8.0f} {tree} {guess}")
    plot(rows, RESULTS.with_suffix(".png"))
    return 0


def plot(rows: list[dict], path: Path) -> None:
    """Time, throughput and peak memory against size, one panel each, a line per series (log-log)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13, 4), layout="constrained")
    for series in dict.fromkeys(r["series"] for r in rows):
        mine = [r for r in rows if r["series"] == series]
        size = [r["size"] for r in mine]
        for ax, key, scale in zip(axes, ("seconds", "firm_days_per_s", "peak_mb"), (1, 1e-6, 1)):
            value = [r.get("tree_peak_mb", r[key]) if key == "peak_mb" and "dask" in series else r[key] for r in mine]  # Dask: the whole cluster's
            ax.plot(size, [v * scale for v in value], "o--" if "dask" in series else "o-", label=series)
    import math

    from matplotlib.ticker import FuncFormatter

    plain = FuncFormatter(lambda v, _: f"{v:,.10g}")
    some = FuncFormatter(lambda v, _: f"{v:,.10g}" if v > 0 and round(v / 10 ** math.floor(math.log10(v)), 6) in (2, 3, 5) else "")
    for ax, label in zip(axes, ("wall time of the command (s)", "throughput (M firm-days / s)", "peak resident memory (MB; Dask: all its processes)")):
        ax.set(xscale="log", yscale="log", xlabel="firms / replications / knock-outs", ylabel=label)
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_formatter(plain)
        ax.yaxis.set_minor_formatter(some)  # 2, 3 and 5 between the powers of ten: the panels span less than a decade or two
        ax.xaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend()
    fig.suptitle("simcore: how cost grows (benchmarks/scaling.py)")
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    sys.exit(main())
