"""`simcore optimize` and `simcore.optimize`: the portfolio of interventions that minimises the chain's loss in money under a budget
(docs/optimize.md). Candidates (`candidates`), joint simulation on common random numbers (`evaluate`), the
search (`search`), the result (`result`)."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Callable

from simcore.atomic import OutputError, claim, empty_folder, read_description, same_settings, write_text
from simcore.errors import NO_VALUE, InputError, Problem
from simcore.montecarlo.cluster import Interrupted, executor
from simcore.portfolios.candidates import Candidates, draw_candidates
from simcore.portfolios.evaluate import Evaluation
from simcore.portfolios.result import OptimizeResult
from simcore.portfolios.search import Search, exhaustive, greedy_with_swaps
from simcore.scenario import Scenario
from simcore.scenario.schema import Optimize

__all__ = ["optimize", "OptimizeResult", "SEARCHES"]

SEARCHES = ("auto", "exhaustive", "greedy")
MANIFEST = "optimize.json"
DEFAULT_REPLICATIONS = 100  # of a scenario with random shocks when neither --replications nor [optimize] says


def optimize(
    scenario: Scenario | str | Path,
    budget: float | None = None,
    objective: str | None = None,
    replications: int | None = None,
    seed: int | None = None,
    search: str = "auto",
    out: Path | None = None,
    engine: str | None = None,
    chunk_size: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    dask_local: int | None = None,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool | None = None,
    security=None,
    notes: Callable[[str], None] | None = None,
) -> OptimizeResult:
    """The best portfolio of the scenario's candidates within `budget` (money of its `[costs].currency`; default its
    `[optimize].budget`) and its per-chain budgets, for `objective` ("mean": expected total chain loss in money, or
    "cvar95"), on `replications` of its shocks (one when no shock is random), with the frontier of every budget up
    to it.

    `search`: "exhaustive" (every subset), "greedy" (forward selection with swaps) or "auto" (exhaustive up to
    `[optimize].exhaustive_up_to` candidates). `out`: folder for the rounds' chunks (and `resume`); the results'
    files are written by `simcore.outputs.write_optimize_outputs`. The other arguments are `simcore.montecarlo.run_batch`'s.
    Every problem with the input is raised (InputError) before anything is simulated or written.
    """
    from simcore.api import load_scenario
    from simcore.engines import DEFAULT_ENGINE

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    block = scenario.optimize or Optimize()
    budget = block.budget if budget is None else budget
    objective = objective or block.objective
    file = str(scenario.file)
    _check(budget, objective, search, replications, file, block)
    if scenario.is_random:
        replications = replications or block.replications or DEFAULT_REPLICATIONS
    else:
        if replications not in (None, 1) and notes:
            notes(f"note: {scenario.name} has no random shocks, so every replication is the same: one is simulated")
        replications = 1
    seed = scenario.seed if seed is None else seed
    engine = engine or DEFAULT_ENGINE
    candidates = draw_candidates(scenario, block, engine)
    n = len(candidates.chosen)
    method = "exhaustive" if search == "exhaustive" or (search == "auto" and n <= block.exhaustive_up_to) else "greedy with swaps"
    manifest = {
        "scenario": _fingerprint(scenario, candidates), "budget": budget, "chain_budgets": dict(block.chain_budgets), "objective": objective,
        "replications": replications, "seed": seed, "engine": engine, "search": method, "chunk_size": chunk_size,
    }  # fmt: skip
    note = _claim(out, manifest, resume, overwrite) if out is not None else None
    with executor(workers, scheduler, dask_local, security) as cluster:
        if out is not None:
            _own(out, manifest, resume)
        if note and notes:
            notes(note)
        evaluation = Evaluation(scenario, candidates.chosen, replications, seed, engine, chunk_size, cluster, out, resume, progress)

        def fits(p) -> bool:
            costs = evaluation.chain_cost(p)
            return costs["total"] <= budget and all(costs.get(c, 0.0) <= b for c, b in block.chain_budgets.items())

        def score(portfolios):
            evaluation.simulate(portfolios)
            return [evaluation.objective(p, objective, rounded=True) for p in portfolios]

        state = Search(n, fits, evaluation.cost, score)
        try:
            chosen = exhaustive(state) if method == "exhaustive" else greedy_with_swaps(state)
        except Interrupted:
            raise Interrupted(f"interrupted: {_left(out, scenario, evaluation.rounds)}") from None
        except OutputError as exc:
            raise OutputError(exc.path, exc.reason, _left(out, scenario, evaluation.rounds)) from None
    return OptimizeResult(evaluation, candidates, budget, dict(block.chain_budgets), objective, method, dict(state.seen), chosen)


def _check(budget, objective, search, replications, file: str, block: Optimize) -> None:
    problems = []
    if budget is None:
        problems.append(Problem("command line", "--budget", NO_VALUE, f"is needed: the money to spend, in {file}'s [costs] currency (or `budget` in its [optimize])"))
    elif isinstance(budget, bool) or not isinstance(budget, (int, float)) or not math.isfinite(budget) or budget < 0:
        problems.append(Problem("command line", "--budget", budget, "a sum of money >= 0 (a finite number)"))
    if objective not in ("mean", "cvar95"):
        problems.append(Problem("command line", "--objective", objective, "mean or cvar95"))
    if search not in SEARCHES:
        problems.append(Problem("command line", "--search", search, " or ".join(SEARCHES)))
    if replications is not None and (isinstance(replications, bool) or not isinstance(replications, int) or replications < 1):
        problems.append(Problem("command line", "--replications", replications, "an integer >= 1"))
    if problems:
        raise InputError(problems)


def _fingerprint(scenario: Scenario, candidates: Candidates) -> str:
    """What the rounds' numbers depend on besides the manifest's settings: the scenario file and the candidates."""
    h = hashlib.sha256()
    h.update(Path(scenario.file).read_bytes() if Path(scenario.file).is_file() else str(scenario.file).encode())
    h.update(Path(scenario.model.file).read_bytes() if Path(scenario.model.file).is_file() else b"")
    for c in candidates.chosen:
        h.update(repr((c.name, [p.model_dump() for p in c.policies])).encode())
    return h.hexdigest()[:16]


def _claim(out: Path, manifest: dict, resume: bool, overwrite: bool) -> str | None:
    """May this optimization use `out`? Writes nothing. With `resume`, the folder's optimization must be this one."""
    old = read_description(Path(out) / MANIFEST, "optimization")
    if resume:
        if old is None:
            raise InputError([Problem(str(out), "--resume", str(out), f"a folder holding an optimization to continue (there is no {MANIFEST} in it)")])
        same_settings(old, manifest, Path(out) / MANIFEST, out, "optimization")
        return None
    return claim(out, "optimize", overwrite)


def _own(out: Path, manifest: dict, resume: bool) -> None:
    """Start the folder (a fresh one unless resuming): the manifest first, so a stopped run can be resumed."""
    if not resume and out.exists():
        empty_folder(out)
    write_text(out / MANIFEST, json.dumps(manifest, indent=2) + "\n")


def _left(out: Path | None, scenario: Scenario, rounds: int) -> str:
    if out is None:
        return "nothing was saved (no --out)"
    return f"the chunks of {rounds} round(s) are saved in {out}/; `simcore optimize {scenario.file} --out {out} --resume` (with the same options) continues"
