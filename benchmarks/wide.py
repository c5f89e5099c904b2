"""One big run on all of Numba's threads (`kernels.simulate_wide`) against the serial kernel, in one process.

    python benchmarks/wide.py                              # 10k and 100k firms, proportional and mixed, 5 rounds
    python benchmarks/wide.py --sizes 1000000 --rounds 3   # the million-firm map (about 2 min to build)

For each size the synthetic map of `engine.py` (`simcore generate`, 5 tiers, a 30-day outage of its ten largest
suppliers, 365 days) is compiled once per rule; then each round runs the serial kernel on one thread, the split
kernel on one thread (its own overhead: scratch arrays, books gathered, totals added after) and the split kernel
on all threads, in alternating order. Every split run is checked bit for bit against the serial one. Medians of
the rounds and their ratios go to stdout and `results/wide.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from engine import build, load_run  # noqa: E402

RESULTS = HERE / "results" / "wide.json"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    p.add_argument("--rationing", nargs="+", default=["proportional", "mixed"])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--work", type=Path, default=None, help="folder for generated maps (default: a temporary one)")
    p.add_argument("--results", type=Path, default=RESULTS)
    args = p.parse_args(argv)

    import numba

    from simcore.engines.numba import engine

    threads = numba.config.NUMBA_NUM_THREADS
    work = args.work or Path(tempfile.mkdtemp(prefix="simcore-wide-"))
    work.mkdir(parents=True, exist_ok=True)
    choose = engine.wide_chunks
    rows = []
    for n in args.sizes:
        for rationing, path in zip(args.rationing, build(n, args.rationing, work, 365)):
            run = load_run(path)
            chunks = choose(run, threads=threads, at_least=0)
            cases = {"serial": (1, None), "split, 1 thread": (1, chunks), f"split, {threads} threads": (threads, chunks)}
            times: dict[str, list[float]] = {label: [] for label in cases}
            serial = None
            for k in range(args.rounds + 1):  # round 0 warms up (compiles or loads the cache)
                for label in list(cases) if k % 2 else list(cases)[::-1]:
                    n_threads, chunk_ptr = cases[label]
                    numba.set_num_threads(n_threads)
                    engine.wide_chunks = lambda r, c=chunk_ptr: c
                    t0 = time.perf_counter()
                    out = engine.run_numba(run, firm_trajectories=False)
                    if k:
                        times[label].append(time.perf_counter() - t0)
                    if chunk_ptr is None:
                        serial = out
                    elif serial is not None:
                        assert all(np.array_equal(a, getattr(out, name)) for name, a in serial.arrays().items()), (n, rationing, label)
            engine.wide_chunks = choose
            numba.set_num_threads(threads)
            med = {label: statistics.median(v) for label, v in times.items()}
            base = med["serial"]
            row = {"firms": n, "links": run.n_links, "rationing": rationing, "threads": threads, "rounds": args.rounds,
                   "median_s": med, "serial_over": {label: base / v for label, v in med.items()}, "runs_s": times}  # fmt: skip
            rows.append(row)
            print(f"{n:>9,} firms {rationing:12s} " + "  ".join(f"{label} {med[label]:.3f} s ({base / med[label]:.2f}x)" for label in cases), flush=True)
    args.results.write_text(json.dumps({"command": f"python benchmarks/wide.py --sizes {' '.join(map(str, args.sizes))} --rationing {' '.join(args.rationing)} --rounds {args.rounds}", "cpus": os.cpu_count(),
                                        "load_average": os.getloadavg(), "results": rows}, indent=2) + "\n")  # fmt: skip
    print(f"written {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
