"""What a partial simulation could save (issue 15, item 2): the firm-ticks a shock makes leave the baseline run.

    python benchmarks/partial.py                 # Willems 38 by firm (2,025 knock-outs) and the flagship (300 per variant)
    python benchmarks/partial.py --quick         # 200 knock-outs, 50 replications per variant

Every knock-out or replication is run with the whole-map scalar kernel and per-firm trajectories, and compared
bitwise with the baseline run of the same compiled run: no shocks, the variant's timed policies (they are the same
in every replication, so a baseline record would hold them); the baseline run is not bitwise stationary, so
"at baseline" means equal to the baseline run's own numbers tick by tick. Two counts per run, a firm counting from
its first deviating tick to the end of the horizon (an active set only grows):

- `own`: ticks from the first where the firm's output or final delivered differs. An exact partial simulation whose
  active set only grows must simulate at least these firm-ticks: a lower bound on its work, so `1 / own` bounds its speed-up.
- `own_equal_again`: of the `own` firm-ticks, the share whose output and final delivered are back at the baseline
  run's bit for bit (what letting a firm leave the active set could at most save).
- `rule`: also from the tick a shock touches the firm (its own row, or a closed or slowed link of its), and from one
  tick after one of its suppliers' output differed (its shipments may then differ): the active set of the design in
  benchmarks/README.md ("Partial simulation"), estimated from what the kernel records.

The lanes kernel runs 16 knock-outs of Willems 38 side by side (engine.lanes_for), and a lane group can only skip
the firms that no lane of it needs: the group's active set is the union of its lanes'. The script reports that
union's share for groups of 16, 8 and 4, with the knock-outs in stress order and sorted by their own active share.
Results: benchmarks/results/partial.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WILLEMS = ROOT / "models" / "willems_38.toml"
FLAGSHIP = ROOT / "scenarios" / "ev_chip_embargo.toml"


def first_ticks(run, base, table) -> tuple[np.ndarray, np.ndarray, float]:
    """Per firm, the first tick of `own` and of `rule` (the horizon if never), and the share `own_equal_again`."""
    from simcore.core.primitives import CLOSE, DAMAGE, DEMAND, LEAD
    from simcore.engines.numba.engine import run_numba

    T = base.firm_output.shape[0]
    shocked_run = run.with_shocks(table)  # compiled targets, and the variant's timed policies after the shocks
    shocked = run_numba(shocked_run)
    dev = (shocked.firm_output != base.firm_output) | (shocked.firm_final_delivered != base.firm_final_delivered)
    own = np.where(dev.any(axis=0), dev.argmax(axis=0), T)
    rule = own.copy()
    np.minimum.at(rule, run.link_customer, np.minimum(own[run.link_supplier] + 1, T))
    rows = (shocked_run.shock_kind.tolist(), shocked_run.shock_target.tolist(), shocked_run.shock_start.tolist())
    for kind, target, start in zip(*rows):  # compiled targets; timed policies (kinds SOURCE and up) are the baseline's too
        t = min(T, int(np.floor(start)))
        if kind in (DAMAGE, DEMAND):
            touched = (target,)
        elif kind in (CLOSE, LEAD):
            touched = (run.link_supplier[target], run.link_customer[target])
        else:
            touched = ()
        for i in touched:
            rule[i] = min(rule[i], t)
    equal_after = float((~dev & (np.arange(T)[:, None] >= own)).sum() / max(1, (T - own).sum()))
    return own, rule, equal_after


def measure(run, tables) -> dict:
    from simcore.core.primitives import ShockTable
    from simcore.engines.numba.engine import run_numba

    base = run_numba(run.with_shocks(ShockTable.empty()))  # no shocks; a variant's timed policies are part of it
    T, n = base.firm_output.shape
    t0 = time.perf_counter()
    own, rule, equal_after = (np.array(a) for a in zip(*(first_ticks(run, base, table) for table in tables)))
    share = {name: (T - a).sum(axis=1) / (n * T) for name, a in (("own", own), ("rule", rule))}
    out = {
        "runs": len(tables), "firms": n, "ticks": T, "seconds": round(time.perf_counter() - t0, 1),
        **{f"{name}_mean": float(s.mean()) for name, s in share.items()},
        **{f"rule_p{q}": float(np.percentile(share["rule"], q)) for q in (10, 50, 90)},
        "rule_max": float(share["rule"].max()),
        "own_equal_again": float(equal_after.mean()),
        "firms_ever_active_median": float(np.median((rule < T).sum(axis=1))),
        "firms_ever_active_max": int((rule < T).sum(axis=1).max()),
        "bound_speedup_own": float(1 / share["own"].mean()), "bound_speedup_rule": float(1 / share["rule"].mean()),
    }  # fmt: skip
    return out, own, rule


def group_shares(first: np.ndarray, T: int) -> dict:
    """The union's share of firm-ticks over all lane groups, in stress order and sorted by each run's own share."""
    U, n = first.shape
    size = (T - first).sum(axis=1)
    out = {}
    for width in (16, 8, 4):
        for label, order in (("in order", np.arange(U)), ("sorted", np.argsort(size, kind="stable"))):
            work = sum((T - first[order[a : a + width]].min(axis=0)).sum() * len(order[a : a + width]) for a in range(0, U, width))
            out[f"{width} lanes, {label}"] = float(work / (U * n * T))
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    args = p.parse_args()

    from simcore.api import load_scenario
    from simcore.compile import compile_variant
    from simcore.knockouts import knockout
    from simcore.stress import setup_stress

    setup, _ = setup_stress(WILLEMS, by="firm", duration=30, magnitude=1.0, horizon=365, sample=200 if args.quick else None, seed=1)
    willems, own, rule = measure(setup.run, [knockout(setup, u) for u in range(len(setup.units))])
    willems["groups_rule"] = group_shares(rule, setup.run.horizon)
    willems["groups_own"] = group_shares(own, setup.run.horizon)
    print(f"Willems 38 by firm: {json.dumps(willems, indent=1)}", flush=True)

    scenario = load_scenario(FLAGSHIP)
    reps = 50 if args.quick else 300
    flagship = {}
    for v in scenario.variants:
        compiled = compile_variant(scenario, v)
        flagship[v.name], _, _ = measure(compiled.run, [scenario.drawn_shocks(compiled.shocks, k) for k in range(reps)])
        print(f"flagship, {v.name}: {json.dumps(flagship[v.name])}", flush=True)

    (HERE / "results" / ("partial_quick.json" if args.quick else "partial.json")).write_text(
        json.dumps(
            {
                "date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": platform.machine(), "python": platform.python_version(),
                "willems_38": {"model": str(WILLEMS.relative_to(ROOT)), "knockouts": "firm, 30 days, magnitude 1", **willems},
                "flagship": {"scenario": str(FLAGSHIP.relative_to(ROOT)), **flagship},
            },
            indent=1,
        )
        + "\n"
    )  # fmt: skip


if __name__ == "__main__":
    main()
