"""Start-up and JIT cost: `simcore run` in fresh processes, with a cold and a warm Numba cache, on the flagship
scenario and on a 200-firm synthetic map.

    python benchmarks/jit.py
    python benchmarks/jit.py --repeats 5

Cold: an empty `NUMBA_CACHE_DIR` (one per case), so every kernel the case runs is compiled. Warm: the same cache
directory again, so kernels load from disk. Wall time from process start to the process's exit (its results written, `--no-plots`), median of
`--repeats` warm runs. The cases:

- `ev_chip_embargo`: `scenarios/ev_chip_embargo.toml` (190 firms, 4 variants, firm trajectories; target warm
  1.5 s);
- `syn200`: a synthetic map of 200 firms (`simcore generate`, 5 tiers, seed 1) with its ten largest suppliers out
  for 30 days, one variant, chain trajectories only: the map and scenario of `benchmarks/scaling.py` (target warm
  0.5 s).

Python's bytecode cache is kept in the temporary folder too (`PYTHONPYCACHEPREFIX`; a set
`PYTHONDONTWRITEBYTECODE` is dropped for the runs), so the cold run also compiles simcore's sources and the warm runs
load them as an installed package does. Writes `benchmarks/results/jit.json` (or `--json`). The simcore measured is
the one the child processes import (they run in the temporary folder, so from `PYTHONPATH` or the installed
package): `PYTHONPATH=/other/checkout python benchmarks/jit.py --json /tmp/old.json` times another checkout with the
same cases.
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

from scaling import make  # benchmarks/scaling.py: the synthetic map and its outage scenario

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FLAGSHIP = ROOT / "scenarios" / "ev_chip_embargo.toml"


def timed_run(scenario: Path, caches: Path) -> float:
    caches.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(NUMBA_CACHE_DIR=str(caches / "numba-cache"), PYTHONPYCACHEPREFIX=str(caches / "pycache"))
    cmd = [sys.executable, "-m", "simcore.cli", "run", str(scenario), "--no-plots", "--out", str(caches / "out")]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, capture_output=True, cwd=caches)  # not in a checkout: `-m` imports from the current folder first
    return time.perf_counter() - t0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--json", type=Path, default=HERE / "results" / "jit.json", help="where to write the figures")
    args = p.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "syn").mkdir()
        subprocess.run([sys.executable, str(HERE / "scaling.py"), "--make", "200", str(tmp / "syn")], check=True)
        cases = {"ev_chip_embargo": (FLAGSHIP, str(FLAGSHIP.relative_to(ROOT))), "syn200": (tmp / "syn" / "syn200_outage.toml", "synthetic, 200 firms (benchmarks/scaling.py)")}
        cold = {name: timed_run(scenario, tmp / name) for name, (scenario, _) in cases.items()}
        warm = {name: [] for name in cases}
        for _ in range(args.repeats):  # interleaved: the machine is shared and noisy
            for name, (scenario, _) in cases.items():
                warm[name].append(timed_run(scenario, tmp / name))
    for name, (_, label) in cases.items():
        row = {"case": name, "scenario": label, "cold_cache_s": cold[name], "warm_cache_s": statistics.median(warm[name]), "warm_runs_s": warm[name]}
        results.append(row)
        print(f"{name} ({label}): cold cache {row['cold_cache_s']:.1f} s, warm cache {row['warm_cache_s']:.2f} s (median of {len(warm[name])}), process start to exit")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"python": sys.version.split()[0], "cases": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
