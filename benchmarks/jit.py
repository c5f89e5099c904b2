"""JIT cost: `simcore run` on the flagship scenario, in fresh processes, with a cold and a warm Numba cache.

    python benchmarks/jit.py

Cold: an empty `NUMBA_CACHE_DIR`, so every kernel is compiled. Warm: the same
cache directory again, so kernels load from disk. Wall time from process start
to the results written (`--no-plots`), median of `--repeats` warm runs.
Writes `benchmarks/results/jit.json`.
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
ROOT = HERE.parent


def timed_run(scenario: Path, cache: Path, out: Path) -> float:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
    cmd = [sys.executable, "-m", "simcore.cli", "run", str(scenario), "--no-plots", "--out", str(out)]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, capture_output=True)
    return time.perf_counter() - t0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "ev_chip_embargo.toml")
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        cache, out = Path(tmp) / "numba-cache", Path(tmp) / "out"
        cold = timed_run(args.scenario, cache, out)
        warm = [timed_run(args.scenario, cache, out) for _ in range(args.repeats)]
    result = {"scenario": str(args.scenario.relative_to(ROOT)), "cold_cache_s": cold, "warm_cache_s": statistics.median(warm), "warm_runs_s": warm}
    print(f"{result['scenario']}: cold cache {cold:.1f} s, warm cache {result['warm_cache_s']:.2f} s (median of {len(warm)}), process start to results written")
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "jit.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
