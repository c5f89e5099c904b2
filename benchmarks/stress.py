"""Stress-test speed: Willems chain 38 by firm (2,025 knock-outs x 365 days), embedded default vs one thread.

    python benchmarks/stress.py            # the whole test, both ways (a few minutes)
    python benchmarks/stress.py --quick    # 200 knock-outs

Target (issue 6): the whole test in under 60 s on this machine with the
embedded default. The JIT is warmed on a few knock-outs first; the figures are
one run each (a full stress test is long), on a shared, noisy machine.
Results go to benchmarks/results/stress.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODEL = HERE.parent / "models" / "willems_38.toml"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    args = p.parse_args()

    import numba

    import simcore
    from simcore.stress import run_stress, setup_stress, stress_table

    sample = 200 if args.quick else None
    setup, cmap = setup_stress(MODEL, by="firm", duration=30, magnitude=1.0, horizon=365, sample=sample, seed=1)
    warm, _ = setup_stress(MODEL, by="firm", horizon=365, sample=4, seed=2)
    run_stress(warm, progress=False)
    n = len(setup.units)
    timings = {}
    for label, workers in (("embedded default", None), ("one thread", 1)):
        t0 = time.perf_counter()
        metrics = run_stress(setup, workers=workers, progress=False)
        timings[label] = time.perf_counter() - t0
    table = stress_table(setup, cmap, metrics)
    firm_days = n * setup.run.horizon * setup.run.n_firms
    print(f"{cmap.name}: {setup.run.n_firms} firms, {setup.run.n_links} links, {n} knock-outs x {setup.run.horizon} days")
    for label, s in timings.items():
        print(f"  {label:17s} {s:8.1f} s   {n / s:7.1f} knock-outs/s   {firm_days / s / 1e6:6.1f} M firm-days/s")
    print(f"  threads speed-up  {timings['one thread'] / timings['embedded default']:.2f}x on {numba.config.NUMBA_NUM_THREADS} threads")
    print(f"  target: the whole test under 60 s -> {'met' if not args.quick and timings['embedded default'] < 60 else 'see the full run' if args.quick else 'missed'}")
    print("  top 5:", ", ".join(table.unit.head(5)))
    out = HERE / "results" / ("stress_quick.json" if args.quick else "stress.json")
    out.write_text(
        json.dumps(
            {
                "model": str(MODEL.relative_to(HERE.parent)),
                "firms": setup.run.n_firms,
                "links": setup.run.n_links,
                "knockouts": n,
                "horizon": setup.run.horizon,
                "seconds": timings,
                "knockouts_per_second": {k: n / v for k, v in timings.items()},
                "firm_days_per_second": {k: firm_days / v for k, v in timings.items()},
                "top5": table.unit.head(5).tolist(),
                "machine": {"cpus": os.cpu_count(), "numba_threads": numba.config.NUMBA_NUM_THREADS, "python": platform.python_version(), "numba": numba.__version__, "simcore": simcore.__version__},
                "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            },
            indent=2,
        )
        + "\n"
    )
    print(f"written to {out}")


if __name__ == "__main__":
    main()
