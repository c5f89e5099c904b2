"""Which uncertain input moves the answer: Sobol and Morris sensitivity of the chain loss and of a decision, and the
robustness of a choice over the uncertain world (docs/sensitivity.md).

The inputs are the scenario's `[[uncertain]]` entries and every field of a deterministic shock given as a
distribution (named `shocks[i].<field>`). SALib samples the unit hypercube; each column goes through the inverse
CDF of its input's distribution (`simcore.scenario.distributions.quantile`), so the indices are those of the
input distributions. Each design row is one world (`simcore.scenario.uncertain`); every row runs on the same draw
of the other random shocks (replication 0's), so the indices measure the parameters and not the shocks' noise.
The rows run as chunks of the batch machinery (`simulate_chunk`), here or on Dask.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from simcore.errors import InputError, Problem, names_hint
from simcore.scenario import Scenario
from simcore.scenario.distributions import is_random, quantile, support
from simcore.scenario.uncertain import Entry, Uncertainty

METHODS = ("sobol", "morris")
DEFAULT_SAMPLES = {"sobol": 256, "morris": 20}
MIN_SAMPLES = {"sobol": 16, "morris": 4}  # base samples / trajectories below which the bootstrap intervals mean nothing
MORRIS_LEVELS = 4
MORRIS_RANGE = (0.01, 0.99)  # Morris steps over each input's 1%..99% quantiles: its grid's ends are 0 and 1
TORNADO = (0.1, 0.9)  # the tornado's low and high quantiles; the other inputs at their medians
SHOCK_CLIP = {"start": (0.0, np.inf), "duration": (0.0, np.inf), "magnitude": (0.0, 1.0), "factor": (0.0, np.inf)}  # as ShockSampler clips
CHUNK = 64  # design rows per task


def inputs(scenario: Scenario) -> Uncertainty:
    """The scenario's uncertain inputs: its `[[uncertain]]` entries, then each deterministic shock's field that is a
    distribution (clipped as the shock sampler clips it); the same inputs when called on its own result."""
    entries = list(scenario.uncertainty.entries)
    named = {e.field for e in entries}
    for n, s in enumerate(scenario.shock_specs):
        if s.kind in ("random_outage", "lead_time_noise"):
            continue
        for attr, clip in SHOCK_CLIP.items():
            value = getattr(s, attr, None)
            if is_random(value) and f"shocks[{n}].{attr}" not in named:
                entries.append(Entry(f"shocks[{n}].{attr}", f"shocks[{n}].{attr}", value, "shock", attr, (n,), clip))
    return Uncertainty(tuple(entries))


@dataclass(eq=False)
class SensitivityResult:
    scenario: Scenario
    method: str
    samples: int
    seed: int
    engine: str
    variant: str
    versus: str | None
    inputs: Uncertainty
    varying: list[int]  # entries that vary (the design's columns)
    values: np.ndarray  # (rows, entries): the design, then the tornado's rows
    loss: np.ndarray  # (rows, [variant, versus], chains)
    indices: pd.DataFrame
    tornado: pd.DataFrame
    robustness: dict | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [self.inputs.entries[i].name for i in self.varying]

    def ranking(self, output: str | None = None) -> pd.DataFrame:
        """The inputs ranked for one output (default: the decision when there is one, else the variant's loss) on
        the total chain: by total index ST (Sobol) or mu_star (Morris)."""
        output = output or self.outputs[-1]
        key = "ST" if self.method == "sobol" else "mu_star"
        t = self.indices[(self.indices.output == output) & (self.indices.chain == "total")]
        return t.sort_values(key, ascending=False, kind="stable").reset_index(drop=True)

    @property
    def outputs(self) -> list[str]:
        return list(dict.fromkeys(self.indices.output))

    def summary(self) -> dict:
        from importlib.metadata import version

        from simcore.versions import versions

        doc = {
            "scenario": self.scenario.name,
            "file": str(self.scenario.file),
            "method": self.method,
            "samples": self.samples,
            "runs": int(self.loss.shape[0] * self.loss.shape[1]),
            "seed": self.seed,
            "engine": self.engine,
            "variant": self.variant,
            "versus": self.versus,
            "versions": {**versions(), "SALib": version("SALib")},
            "inputs": [{"name": e.name, "field": e.field, "distribution": e.value.model_dump(), "varies": i in self.varying} for i, e in enumerate(self.inputs.entries)],
            "shocks": "every design row runs on replication 0's draw of the random shocks",
            "indices": _records(self.indices),
            "tornado": _records(self.tornado),
            "ranking": {o: list(self.ranking(o).input) for o in self.outputs},
            "notes": self.notes,
        }
        if self.robustness is not None:
            doc["robustness"] = self.robustness
        return doc


def _records(df: pd.DataFrame) -> list[dict]:
    import json

    return json.loads(df.to_json(orient="records", force_ascii=False))


def sensitivity(
    scenario: Scenario | str | Path,
    method: str = "sobol",
    samples: int | None = None,
    variant: str | None = None,
    versus: str | None = None,
    seed: int | None = None,
    engine: str | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    dask_local: int | None = None,
    security=None,
    progress: bool | None = None,
    robustness: int | None = None,
    within: float = 0.05,
    out: Path | None = None,
    resume: bool = False,
    overwrite: bool = False,
    notes=None,
) -> SensitivityResult:
    """Rank the uncertain inputs by how much they move the chain loss of `variant` (default the reference variant)
    and, with `versus`, the paired difference `variant - versus` (the decision). `samples`: Sobol base samples N
    (a power of 2; N (D + 2) rows for D inputs) or Morris trajectories (N (D + 1) rows). `robustness`: also that
    many Monte Carlo replications of the uncertain world for `decision_robustness` of the variant of lowest mean
    loss (the recommendation) among all variants. `out`: keep the rows' chunks in `out/rows/` as they finish, so
    that `resume` continues an interrupted analysis (`overwrite`, `notes`: as for `run_batch`)."""
    from simcore.api import load_scenario
    from simcore.engines import DEFAULT_ENGINE

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    engine = engine or DEFAULT_ENGINE
    seed = scenario.seed if seed is None else seed
    samples = DEFAULT_SAMPLES.get(method, 0) if samples is None else samples
    variant = variant or scenario.reference_variant
    world = dataclasses.replace(scenario, uncertainty=inputs(scenario))
    entries = world.uncertainty.entries
    varying = [i for i, e in enumerate(entries) if np.subtract(*support(e.value)) < 0]
    _check(scenario, method, samples, variant, versus, varying, robustness, within)

    problem = {"num_vars": len(varying), "names": [entries[i].name for i in varying], "bounds": [[0.0, 1.0]] * len(varying)}
    unit, values = _design(problem, entries, varying, method, samples, seed)
    analysed = [variant] + ([versus] if versus is not None else [])  # only these run: the others do not enter
    rows_world = dataclasses.replace(world, variants=tuple(scenario.variant(name) for name in analysed))
    run = _run_rows(rows_world, values, seed, engine, workers, scheduler, dask_local, security, progress, out, resume, overwrite, notes)
    loss = run[..., 0]  # (rows, analysed variants, chains)
    outputs = [(f"loss of {variant}", loss[:, 0, :])]
    if versus is not None:
        outputs.append((f"{variant} - {versus}", loss[:, 0, :] - loss[:, 1, :]))
    n = len(unit)  # the design's rows; then the median row and two tornado rows per input
    rows, torn, notes = [], [], []
    for label, y in outputs:
        for c, chain in enumerate(_chain_names(scenario)):
            if np.ptp(y[:n, c]) == 0:
                notes.append(f"{label}, chain {chain}: the same in every row; its indices are 0")
            res = _analyse(problem, method, unit, y[:n, c], seed)
            for j, i in enumerate(varying):
                low, high = y[n + 1 + 2 * j, c], y[n + 2 + 2 * j, c]
                key = {"input": entries[i].name, "output": label, "chain": chain}
                rows.append({**key, **{k: float(v[j]) for k, v in res.items()}, "at_low": low, "at_high": high, "swing": abs(high - low)})
                torn.append({**key, "low_value": values[n + 1 + 2 * j, i], "high_value": values[n + 2 + 2 * j, i], "at_low": low, "at_high": high, "at_median": y[n, c], "swing": abs(high - low)})
    result = SensitivityResult(scenario, method, samples, seed, engine, variant, versus, world.uncertainty, varying, values, loss, pd.DataFrame(rows), pd.DataFrame(torn), notes=notes)
    if robustness:
        result.robustness = decision_robustness(world, robustness, None, within, seed, engine, workers, scheduler, dask_local, security, progress)
    return result


def _design(problem: dict, entries, varying: list[int], method: str, samples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """SALib's design on the unit hypercube, and every row's value of every entry (the design mapped through the
    inverse CDFs, then the median row and each input at its TORNADO quantiles); inputs that cannot vary at their value."""
    from SALib.sample import morris, sobol

    D = len(varying)
    if method == "sobol":
        unit = sobol.sample(problem, samples, calc_second_order=False, seed=seed)
        probabilities = np.clip(unit, 1e-12, 1 - 1e-12)
    else:
        unit = morris.sample(problem, samples, num_levels=MORRIS_LEVELS, seed=seed)
        probabilities = MORRIS_RANGE[0] + unit * (MORRIS_RANGE[1] - MORRIS_RANGE[0])
    tornado = np.full((1 + 2 * D, D), 0.5)
    for j in range(D):
        tornado[1 + 2 * j, j], tornado[2 + 2 * j, j] = TORNADO
    p = np.vstack([probabilities, tornado])
    values = np.tile([support(e.value)[0] for e in entries], (len(p), 1))
    for j, i in enumerate(varying):
        values[:, i] = quantile(entries[i].value, p[:, j])
    return unit, values


def _analyse(problem: dict, method: str, unit: np.ndarray, y: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    """SALib's estimates per input with their 95% bootstrap intervals; all 0 for an output that never moves."""
    from SALib.analyze import morris, sobol

    keys = ("S1", "S1_conf", "ST", "ST_conf") if method == "sobol" else ("mu_star", "mu_star_conf", "sigma", "mu")
    if np.ptp(y) == 0:
        return {k: np.zeros(problem["num_vars"]) for k in keys}
    if method == "sobol":
        res = sobol.analyze(problem, y, calc_second_order=False, num_resamples=200, conf_level=0.95, seed=seed)
    else:
        res = morris.analyze(problem, unit, y, num_resamples=200, conf_level=0.95, num_levels=MORRIS_LEVELS, seed=seed)
    return {k: np.asarray(res[k]) for k in keys}


def _chain_names(scenario: Scenario) -> tuple[str, ...]:
    from simcore.montecarlo.batch import prepare

    return prepare(scenario)[0].run.chain_names


def _run_rows(world: Scenario, values: np.ndarray, seed: int, engine: str, workers, scheduler, dask_local, security, progress,
              out: Path | None = None, resume: bool = False, overwrite: bool = False, notes=None) -> np.ndarray:  # fmt: skip
    """(rows, variants, chains, METRICS): each row of `values` as one world, in chunks of CHUNK rows (here or on Dask);
    with `out`, each chunk saved in `out/rows/` as it finishes (a batch's chunk store, fingerprinted with the rows)."""
    import hashlib
    from contextlib import nullcontext

    from simcore.montecarlo.batch import METRICS, chunk_shapes, fingerprint, simulate_chunk
    from simcore.montecarlo.cluster import Interrupted, plan_chunks, progress_bar, run_tasks
    from simcore.montecarlo.store import ChunkStore

    R = len(values)
    metrics = np.zeros((R, len(world.variants), len(_chain_names(world)), len(METRICS)))
    chunks = plan_chunks(R, CHUNK)
    store = None
    if out is not None:
        key = hashlib.sha256(fingerprint(world, seed, engine).encode() + np.ascontiguousarray(values).tobytes()).hexdigest()[:16]
        manifest = {"fingerprint": key, "seed": seed, "replications": R, "chunk_size": CHUNK, "engine": engine}
        store = ChunkStore(Path(out) / "rows", manifest, chunk_shapes(world, CHUNK))
        store.check(resume, overwrite)
    with store.owned(resume, overwrite) if store else nullcontext():
        done = sorted(store.done() & set(chunks)) if store else []
        for a, b in done:
            metrics[a:b] = store.load(a, b).metrics
        if resume and notes:
            notes(f"resuming the sensitivity analysis in {out}/: {len(done)} of {len(chunks)} chunks of rows reused")
        bar = progress_bar(R, "row", f"{world.name}: sensitivity", progress, initial=sum(b - a for a, b in done))

        def finished(chunk) -> None:
            if store is not None:
                store.save(chunk)
            metrics[chunk.first : chunk.stop] = chunk.metrics
            bar.update(chunk.stop - chunk.first)

        try:
            tasks = [(seed, a, b, engine, values[a:b]) for a, b in sorted(set(chunks) - set(done))]
            run_tasks(simulate_chunk, world, tasks, finished, "sensitivity", workers, scheduler, dask_local, security)
        except KeyboardInterrupt:
            raise Interrupted("interrupted: " + (f"the finished rows are saved in {out}/rows/; run the same command with --resume to go on" if store else "nothing was saved (no --out)")) from None
        finally:
            bar.close()
    return metrics


def decision_robustness(scenario: Scenario, replications: int, chosen: str | None = None, within: float = 0.05, seed: int | None = None, engine: str | None = None,
                        workers=None, scheduler=None, dask_local=None, security=None, progress=None) -> dict:  # fmt: skip
    """How sure a choice is: over `replications` Monte Carlo draws of the uncertain world (each replication draws
    its inputs and its shocks), the probability that `chosen` (default: the variant of lowest mean loss) has the
    lowest total chain loss of all variants, and that its loss is within `within` (relative) of the lowest; and
    per input, how far its mean lies apart between the replications the choice wins and loses (in standard
    deviations of the input): the inputs that flip the choice, largest first."""
    from simcore.montecarlo import run_batch

    scenario = dataclasses.replace(scenario, uncertainty=inputs(scenario))
    seed = scenario.seed if seed is None else seed
    batch = run_batch(scenario, replications, seed=seed, engine=engine, workers=workers, scheduler=scheduler, dask_local=dask_local, security=security, progress=progress)
    loss = batch.metrics[:, :, batch.chains.index("total"), 0]  # (replications, variants)
    names = list(batch.variants)
    c = names.index(chosen) if chosen is not None else int(np.argmin(loss.mean(axis=0)))
    return choice_robustness(loss, names, c, scenario.uncertainty, seed, within)


def portfolio_robustness(result, within: float = 0.05) -> dict | None:
    """`choice_robustness` of `simcore optimize`'s chosen portfolio among the frontier's portfolios within the
    budget, over the optimization's own replications (which drew the uncertain world when the scenario has
    `[[uncertain]]`: every portfolio of every round ran in replication k's world). None without uncertain parameters."""
    ev = result.evaluation
    if not ev.scenario.uncertainty:
        return None
    rivals = [p for p in result.front() if result.cost(p) <= result.budget and p != result.chosen]
    portfolios = [result.chosen, *rivals]
    loss = np.column_stack([ev.losses[p][:, 0] for p in portfolios])
    return choice_robustness(loss, [ev.name(p) for p in portfolios], 0, ev.scenario.uncertainty, ev.seed, within)


def choice_robustness(loss: np.ndarray, names: list[str], chosen: int, uncertainty: Uncertainty, seed: int, within: float) -> dict:
    """From the losses (replications, candidates) of one batch on the uncertain world: how often candidate `chosen`
    is the best (ties count as best) and within `within` (relative) of the best, and which inputs flip it (their
    mean where it is the best minus elsewhere, in standard deviations of the input, largest first)."""
    replications = len(loss)
    best = loss.min(axis=1)
    tol = 1e-12 * max(1.0, float(np.abs(loss).max()))
    wins = loss[:, chosen] <= best + tol
    close = loss[:, chosen] <= best * (1 + within) + tol
    drawn = np.array([uncertainty.draw(seed, k) for k in range(replications)]).reshape(replications, -1)
    flips = []
    for i, e in enumerate(uncertainty.entries):
        col, sd = drawn[:, i], drawn[:, i].std()
        gap = float((col[wins].mean() - col[~wins].mean()) / sd) if sd > 0 and wins.any() and (~wins).any() else 0.0
        flips.append({"input": e.name, "mean_when_best": float(col[wins].mean()) if wins.any() else None,
                      "mean_otherwise": float(col[~wins].mean()) if (~wins).any() else None, "standardized_gap": gap})  # fmt: skip
    flips.sort(key=lambda r: -abs(r["standardized_gap"]))
    return {
        "chosen": names[chosen],
        "candidates": names,
        "replications": replications,
        "within": within,
        "p_best": float(wins.mean()),
        "p_within": float(close.mean()),
        "p_best_by_candidate": {n: float((loss[:, v] <= best + tol).mean()) for v, n in enumerate(names)},
        "mean_loss": {n: float(loss[:, v].mean()) for v, n in enumerate(names)},
        "flips": flips,
    }


def _check(scenario: Scenario, method, samples, variant, versus, varying, robustness, within) -> None:
    """Bad requests, one line each (exit 2)."""
    problems = []
    names = [v.name for v in scenario.variants]
    if method not in METHODS:
        problems.append(Problem("command line", "--method", method, f"one of {', '.join(METHODS)}"))
    for flag, name in (("--variant", variant), ("--versus", versus)):
        if name is not None and name not in names:
            problems.append(Problem("command line", flag, name, f"a variant of {scenario.file}: {names_hint(name, names)}"))
    if versus is not None and versus == variant:
        problems.append(Problem("command line", "--versus", versus, f"a variant other than --variant ({variant})"))
    if not varying:
        problems.append(Problem(str(scenario.file), "uncertain", [e.name for e in scenario.uncertainty.entries], "at least one uncertain input that varies: an [[uncertain]] entry, or a shock field given a distribution (docs/sensitivity.md)"))
    if method in METHODS:
        low = MIN_SAMPLES[method]
        pow2 = method == "sobol"
        if not isinstance(samples, (int, np.integer)) or samples < low or (pow2 and samples & (samples - 1)):
            what = "base samples N, a power of 2" if pow2 else "trajectories"
            rows = f"N x (inputs + 2) = N x {len(varying) + 2}" if pow2 else f"N x (inputs + 1) = N x {len(varying) + 1}"
            problems.append(Problem("command line", "--samples", samples, f"at least {low} {what} (the {method} design runs {rows} rows per variant)"))
    if robustness is not None and (not isinstance(robustness, (int, np.integer)) or robustness < 2):
        problems.append(Problem("command line", "--robustness", robustness, "an integer >= 2: the replications of the uncertain world"))
    if robustness and len(names) < 2:
        problems.append(Problem(str(scenario.file), "variants", names, "at least two variants to choose among (--robustness)"))
    if not 0 <= within < 10:
        problems.append(Problem("command line", "--within", within, "a fraction >= 0 (0.05: within 5% of the best)"))
    if problems:
        raise InputError(problems)
