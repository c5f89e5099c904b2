"""Partial simulation (issue 15, item 2): what it saves, timed against the whole map in the same process, and
how far a shock reaches.

    python benchmarks/partial.py                 # Willems 38 by firm (2,025 knock-outs), 3 rounds each way
    python benchmarks/partial.py --quick         # 200 knock-outs, 1 round
    python benchmarks/partial.py --quick --limit 0.5   # another engine.PARTIAL_LIMIT (when a replication gives up)
    python benchmarks/partial.py --reach         # how far shocks reach: the analysis that preceded the design (below)

Speed. A stress test (its knock-outs run as partial simulations: `run_numba_batch(..., partial=True)`, asked for here
whatever the test's size, `knockouts.PARTIAL_FIRM_DAYS`; Monte Carlo batches do not, docs/engine.md) with partial simulation (`engine.PARTIAL_LIMIT`)
and without it (the limit 0: every replication on the whole map in lanes), taking turns (ABAB...) on the warm JIT;
each partial round starts without a baseline record, so it pays for recording one. Reported: each way's median wall
time, the ratio, whether the two gave the same numbers bit for bit, and how the replications went (stayed partial,
gave up, mean share of the whole map's work done). Results: benchmarks/results/partial_speed.json.

Reach (`--reach`). Every knock-out or replication is run with the whole-map scalar kernel and per-firm trajectories, and compared
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
import dataclasses
import json
import platform
import statistics
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


def plans_summary() -> dict:
    """How the partial simulations of the runs since `engine._plans` was last cleared went."""
    from simcore.engines.numba import engine

    plans = list(engine._plans.values())
    tried, gave_up = sum(p.tried for p in plans), sum(p.gave_up for p in plans)
    kept = tried - gave_up
    return {"runs": len(plans), "tried": tried, "gave_up": gave_up, "mean_work_share_kept": sum(p.work for p in plans) / kept if kept else None,
            "runs_given_up_on": sum(not p.usable for p in plans)}  # fmt: skip


def timed_ways(label: str, rounds: int, work) -> dict:
    """`work()` with partial simulation and without (`engine.PARTIAL_LIMIT` 0), taking turns; each partial round
    with no baseline record kept from before. Medians, the ratio, and whether both ways gave the same numbers."""
    from simcore.engines.numba import engine

    limit = engine.PARTIAL_LIMIT
    seconds, cpu = {"partial": [], "whole": []}, {"partial": [], "whole": []}  # wall; CPU of this process (steadier on a loaded machine)
    results, summary = {}, None
    for r in range(rounds):
        for way in ("partial", "whole") if r % 2 == 0 else ("whole", "partial"):
            engine.PARTIAL_LIMIT = limit if way == "partial" else 0.0
            engine._plans.clear()
            t0, c0 = time.perf_counter(), time.process_time()
            results[way] = work()
            seconds[way].append(time.perf_counter() - t0)
            cpu[way].append(time.process_time() - c0)
            if way == "partial":
                summary = plans_summary()
            print(f"{label}, round {r + 1}, {way}: {seconds[way][-1]:.1f} s, CPU {cpu[way][-1]:.1f} s", flush=True)
    engine.PARTIAL_LIMIT = limit
    median = {way: statistics.median(s) for way, s in seconds.items()}
    median_cpu = {way: statistics.median(s) for way, s in cpu.items()}
    same = all(np.array_equal(a, b, equal_nan=True) for a, b in zip(results["partial"], results["whole"]))
    out = {"rounds": rounds, "seconds": seconds, "median_partial": median["partial"], "median_whole": median["whole"],
           "speedup": median["whole"] / median["partial"],
           "cpu_seconds": cpu, "median_cpu_partial": median_cpu["partial"], "median_cpu_whole": median_cpu["whole"], "cpu_speedup": median_cpu["whole"] / median_cpu["partial"],
           "bitwise_equal": same, "partial_limit": limit, "replications": summary}  # fmt: skip
    print(f"{label}: {json.dumps(out)}", flush=True)
    return out


def speed(args) -> None:
    import numba

    from simcore.stress import run_stress, setup_stress

    rounds = args.rounds or (1 if args.quick else 3)
    setup, _ = setup_stress(WILLEMS, by="firm", duration=30, magnitude=1.0, horizon=365, sample=200 if args.quick else None, seed=1)
    warm, _ = setup_stress(WILLEMS, by="firm", horizon=365, sample=20, seed=2)
    setup, warm = (dataclasses.replace(s, partial=True) for s in (setup, warm))  # --quick and the warm-up are below knockouts.PARTIAL_FIRM_DAYS
    run_stress(warm, progress=False)  # the JIT, both ways
    willems = timed_ways("Willems 38 by firm", rounds, lambda: [run_stress(setup, progress=False)])

    (HERE / "results" / ("partial_speed_quick.json" if args.quick else "partial_speed.json")).write_text(
        json.dumps(
            {
                "date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": platform.machine(), "python": platform.python_version(),
                "threads": numba.get_num_threads(),
                "willems_38": {"model": str(WILLEMS.relative_to(ROOT)), "knockouts": len(setup.units), "what": "run_stress, by firm, 30 days, magnitude 1, 365-day horizon", **willems},
            },
            indent=1,
        )
        + "\n"
    )  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--rounds", type=int, help="rounds of each way (default 3, --quick 1)")
    p.add_argument("--limit", type=float, help="engine.PARTIAL_LIMIT for the partial rounds (default: the engine's)")
    p.add_argument("--reach", action="store_true", help="how far shocks reach (the analysis before the design), not the speed")
    args = p.parse_args()
    if not args.reach:
        if args.limit is not None:
            from simcore.engines.numba import engine

            engine.PARTIAL_LIMIT = args.limit
        speed(args)
        return

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
