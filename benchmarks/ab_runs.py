"""Single engine runs before against after, each tree on its own compiled map, child processes alternating.

    git worktree add --detach /tmp/old 3c0011e
    python benchmarks/ab_runs.py --rounds 10 --repeats 25 \\
        old-prop:/tmp/old=maps/old/run1000_proportional.npz new-prop:.=maps/new/run1000_proportional.npz

Each case is `label:tree=run.npz`: a map compiled by `engine.py`'s `build` with `tree` on PYTHONPATH (the
compiled format may differ between trees). Every round times each case in a fresh child (`engine.py --_time`:
a warm-up, then `--repeats` runs, NUMBA_NUM_THREADS=1), the order reversed every other round. Unlike `ab.py`,
the cases may use rationing rules that only one tree knows (mixed). Reported: minimum and median over all runs
of a case, and both as a ratio to the first case. `--results FILE` writes them as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("cases", nargs="+", help="label:tree=run.npz")
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--repeats", type=int, default=25)
    p.add_argument("--results", type=Path)
    args = p.parse_args(argv)
    cases = []
    for case in args.cases:
        spec, _, npz = case.partition("=")
        label, _, tree = spec.partition(":")
        if not (label and tree and npz):
            p.error(f"{case!r}: expected label:tree=run.npz")
        cases.append((label, Path(tree).resolve(), Path(npz).resolve()))
    runs: dict[str, list[float]] = {label: [] for label, _, _ in cases}
    for k in range(args.rounds):
        for label, tree, npz in cases if k % 2 == 0 else cases[::-1]:
            env = {**os.environ, "PYTHONPATH": str(tree), "NUMBA_NUM_THREADS": "1"}
            cmd = [sys.executable, str(HERE / "engine.py"), "--_time", str(npz), "--repeats", str(args.repeats)]
            out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True, cwd=tree)
            runs[label].extend(json.loads(out.stdout.strip().splitlines()[-1])["numba_runs_s"])
    first = cases[0][0]
    rows = []
    for label, tree, npz in cases:
        v = runs[label]
        rows.append({
            "case": label, "tree": str(tree), "run": npz.name, "min_s": min(v), "median_s": statistics.median(v), "runs": len(v),
            "min_ratio": min(v) / min(runs[first]), "median_ratio": statistics.median(v) / statistics.median(runs[first]),
        })  # fmt: skip
        print(f"{label:24s} min {min(v):.4f} s  median {statistics.median(v):.4f} s  ({rows[-1]['min_ratio']:.3f} / {rows[-1]['median_ratio']:.3f} of {first})")
    if args.results:
        args.results.write_text(json.dumps({"command": " ".join(sys.argv), "rounds": args.rounds, "repeats": args.repeats,
                                            "cpus": os.cpu_count(), "load_average": os.getloadavg(), "results": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
