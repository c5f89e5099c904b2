"""Before against after: the same benchmarks, alternately on two source trees, in one run.

    git worktree add --detach /tmp/before main        # a pristine copy of the code before the change
    python benchmarks/ab.py --name bundles --before /tmp/before --after . --rounds 5 \\
        --bench "engine.py --sizes 1000 10000 --repeats 5 --no-reference --work /tmp/ab-maps" --bench "lanes.py --quick"

The benchmark scripts are this tree's (`benchmarks/<script>`); the code they time is the tree that `PYTHONPATH`
points at. The machine is shared and its speed drifts, so the two trees take turns: after an untimed warm-up round
in each tree (it fills that tree's Numba cache, so no timed run pays for a compile), every round runs each benchmark
once per tree, the first tree alternating from round to round (ABBA...). A figure's value in a round is the
benchmark's own median; reported are the medians over the rounds, and the ratio after / before (above 1: slower).
Each figure comes as wall time and as CPU time of the timing process: on a loaded machine the second is the
steadier (a process waiting for a core accumulates none).
Each benchmark is given `--results FILE` (a temporary file) and its figures are read from it. Results go to
`benchmarks/results/<name>.json` and a table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent


def engine_figures(data: dict) -> dict[str, float]:
    """`engine.py`: seconds per 365-day run, by map size and rationing; wall and CPU time."""
    figures = {}
    for row in data["results"]:
        figures[f"engine {row['firms']:,} firms {row['rationing']}, wall s/run"] = row["numba_s"]
        figures[f"engine {row['firms']:,} firms {row['rationing']}, CPU s/run"] = row["numba_cpu_s"]
    return figures


def lanes_figures(data: dict) -> dict[str, float]:
    """`lanes.py`: milliseconds per replication, by case, in lanes and as single runs; wall and CPU time."""
    figures = {}
    for row in data["results"]:
        for clock, key in (("wall", "ms_per_replication"), ("CPU", "cpu_ms_per_replication")):
            figures.update({f"lanes {row['case']} [{kind}], {clock} ms/rep": ms for kind, ms in row[key].items()})
    return figures


FIGURES = {"engine.py": engine_figures, "lanes.py": lanes_figures}


def run_once(bench: str, tree: Path, results: Path) -> dict[str, float]:
    """One benchmark run with `tree` on PYTHONPATH; its figures."""
    script, *args = shlex.split(bench)
    env = {**os.environ, "PYTHONPATH": str(tree)}
    cmd = [sys.executable, str(HERE / script), *args, "--results", str(results)]
    done = subprocess.run(cmd, env=env, cwd=tree, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"ab.py: {' '.join(cmd)} (PYTHONPATH={tree}) failed:\n{done.stderr[-3000:]}")
    return FIGURES[script](json.loads(results.read_text()))


def summary(runs: dict[str, dict[str, list[float]]]) -> list[dict]:
    """Each figure's median over the rounds, before and after, and the ratio after / before."""
    rows = []
    for figure, values in runs.items():
        before, after = statistics.median(values["before"]), statistics.median(values["after"])
        rows.append({"figure": figure, "before": before, "after": after, "ratio": after / before, "runs": values})
    return rows


def write(out: Path, command: str, trees: dict[str, Path], rounds: int, rows: list[dict]) -> None:
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "command": command,
        "trees": {label: str(tree) for label, tree in trees.items()},
        "rounds": rounds, "cpus": os.cpu_count(), "load_average": os.getloadavg(),
        "results": rows,
    }, indent=2) + "\n")  # fmt: skip


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--name", required=True, help="names the results file, benchmarks/results/<name>.json")
    p.add_argument("--before", type=Path, required=True, help="source tree of the code before the change")
    p.add_argument("--after", type=Path, default=HERE.parent, help="source tree of the code after the change (default: this one)")
    p.add_argument("--bench", action="append", required=True, help=f"a benchmark script of benchmarks/ and its arguments; one of {sorted(FIGURES)}")
    p.add_argument("--rounds", type=int, default=5)
    args = p.parse_args(argv)
    if args.rounds < 1:
        p.error(f"--rounds {args.rounds}: expected at least 1")
    for bench in args.bench:
        if shlex.split(bench)[0] not in FIGURES:
            p.error(f"--bench {bench!r}: expected one of {sorted(FIGURES)} and its arguments")
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    for label, tree in trees.items():
        if not (tree / "simcore" / "__init__.py").is_file():
            p.error(f"--{label} {tree}: expected a source tree with simcore/__init__.py")

    runs: dict[str, dict[str, list[float]]] = {}
    out = HERE / "results" / f"{args.name}.json"
    command = " ".join(shlex.quote(a) for a in [os.path.relpath(__file__, Path.cwd()), *(sys.argv[1:] if argv is None else argv)])
    with tempfile.TemporaryDirectory(prefix="simcore-ab-") as tmp:
        results = Path(tmp) / "figures.json"
        for label, tree in trees.items():  # warm-up: fill each tree's Numba cache
            for bench in args.bench:
                print(f"warm-up {label}: {bench}", flush=True)
                run_once(bench, tree, results)
        for k in range(args.rounds):
            order = list(trees) if k % 2 == 0 else list(trees)[::-1]
            for bench in args.bench:
                for label in order:
                    for figure, value in run_once(bench, trees[label], results).items():
                        runs.setdefault(figure, {"before": [], "after": []})[label].append(value)
            rows = summary(runs)
            write(out, command, trees, k + 1, rows)  # after every round: an interrupted run keeps its rounds
            print(f"round {k + 1}/{args.rounds} done", flush=True)

    print(f"\n{'figure':78s} {'before':>10s} {'after':>10s} {'after/before':>13s}")
    for row in rows:
        print(f"{row['figure']:78s} {row['before']:10.4g} {row['after']:10.4g} {row['ratio']:13.3f}")
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
