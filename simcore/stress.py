"""The stress test: knock out each unit (firm, product or region) in turn and rank the units by the chain loss
that follows. The top of the ranking is the "stuck neck" list (docs/stress.md).

Every knock-out is one replication of the same compiled run on its own shock
table (`simcore.knockouts`), so the knock-outs run in parallel exactly like
Monte Carlo replications: over Numba's threads here, or as tasks on a Dask
cluster; each unit's numbers are the same wherever it ran.
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

from simcore.api import load_scenario
from simcore.chainmap import ChainMap, load_model
from simcore.chainmap.inspect import DEFAULT_ORIGINS, short_board_suppliers
from simcore.compile import compile_model, compile_variant
from simcore.core.primitives import ShockTable
from simcore.errors import InputError, Problem
from simcore.knockouts import StressSetup, asks_partial, stress_chunk
from simcore.limits import MAX_HORIZON
from simcore.metrics import DROP
from simcore.montecarlo.cluster import Interrupted, plan_chunks, progress_bar, run_tasks
from simcore.validation import file_kind

BY = ("firm", "product", "region")
CHUNK = 64  # knock-outs per task


def setup_stress(source: str | Path, by: str = "firm", duration: float = 30.0, magnitude: float = 1.0, horizon: int | None = None,
                 sample: int | None = None, seed: int = 0, engine: str = "numba") -> tuple[StressSetup, ChainMap]:  # fmt: skip
    """Read a model (its parameters, horizon 365 unless given) or a scenario (its model, parameters, reference
    variant and horizon; its shocks are replaced by the knock-outs) and choose the units."""
    problems = []
    if by not in BY:
        problems.append(Problem("command line", "--by", by, f"one of {', '.join(BY)}"))
    if not (isinstance(duration, (int, float)) and math.isfinite(duration) and duration > 0):
        problems.append(Problem("command line", "--duration", duration, "a number of days > 0"))
    if not (isinstance(magnitude, (int, float)) and 0 < magnitude <= 1):
        problems.append(Problem("command line", "--magnitude", magnitude, "a fraction of capacity in (0, 1]"))
    if horizon is not None and not 1 <= horizon <= MAX_HORIZON:
        problems.append(Problem("command line", "--horizon", horizon, f"a whole number of days from 1 to {MAX_HORIZON:,} (simcore.limits: per-day trajectories grow with it)"))
    if sample is not None and sample < 1:
        problems.append(Problem("command line", "--sample", sample, "a number of units >= 1"))
    if problems:
        raise InputError(problems)
    path = Path(source)
    if file_kind(path) == "scenario":
        sc = load_scenario(path)
        if horizon is not None:
            sc = dataclasses.replace(sc, info=sc.info.model_copy(update={"horizon": horizon}))
        cmap, name = sc.model, sc.name
        run = compile_variant(sc, sc.reference_variant).run
    else:
        cmap = load_model(path)
        name = cmap.name
        run = compile_model(cmap, cmap.parameters, horizon or 365, ShockTable.empty())
    units, members = _units(cmap, by)
    if sample is not None and sample < len(units):
        keep = np.sort(np.random.default_rng(seed).choice(len(units), sample, replace=False))
        units, members = [units[k] for k in keep], [members[k] for k in keep]
    setup = StressSetup(name, run, by, tuple(units), tuple(members), float(duration), float(magnitude), engine, asks_partial(run, len(units)))
    return setup, cmap


def _units(cmap: ChainMap, by: str) -> tuple[list[str], list[np.ndarray]]:
    if by == "firm":
        return [f.id for f in cmap.firms], [np.array([k]) for k in range(len(cmap.firms))]
    key = (lambda f: f.product) if by == "product" else (lambda f: f.region)
    groups: dict[str, list[int]] = defaultdict(list)
    for k, f in enumerate(cmap.firms):
        groups[key(f)].append(k)
    names = sorted(groups)
    return names, [np.array(groups[g]) for g in names]


def run_stress(setup: StressSetup, workers: int | None = None, scheduler: str | None = None, dask_local: int | None = None,
               progress: bool | None = None, security=None) -> np.ndarray:  # fmt: skip
    """Metrics (units, chains, 5) of every knock-out, in unit order. Ctrl-C raises `Interrupted` (nothing is written:
    a stress test writes its results only once every knock-out has run)."""
    n = len(setup.units)
    tasks = plan_chunks(n, CHUNK)
    metrics = np.zeros((n, len(setup.run.chain_names), 5))
    bar = progress_bar(n, "knock-out", f"stress {setup.name}", progress)

    done = [0]

    def finished(result) -> None:
        first, m = result
        metrics[first : first + len(m)] = m
        done[0] += len(m)
        bar.update(len(m))

    try:
        run_tasks(stress_chunk, setup, tasks, finished, "stress", workers, scheduler, dask_local, security)
    except KeyboardInterrupt:
        raise Interrupted(
            f"interrupted: {done[0]:,} of {n:,} knock-outs had run; a stress test saves its results only when every knock-out has run, so nothing was written: run it again"
        ) from None
    finally:
        bar.close()
    return metrics


def stress_table(setup: StressSetup, cmap: ChainMap, metrics: np.ndarray, origins=DEFAULT_ORIGINS) -> pd.DataFrame:
    """One row per unit, ranked by total chain loss (then sooner TTS, then name): loss per chain, on a map with
    named chains how many of them it hurts (their output drops below 99% of baseline) and which, depth, TTS,
    TTR, fill rate, whether it supplies a short board (single-sourced, or of the named origins only: docs/model.md,
    Short boards), its category, its baseline output."""
    flags = _flags(cmap, origins)
    named = [(c, chain) for c, chain in enumerate(setup.run.chain_names) if chain != "total"]
    rows = []
    for u, (unit, firms) in enumerate(zip(setup.units, setup.members)):
        products = sorted({cmap.firms[k].product for k in firms})
        row = {"unit": unit, "firms": len(firms)}
        for c, chain in enumerate(setup.run.chain_names):
            row["loss" if chain == "total" else f"loss_{chain}"] = metrics[u, c, 0]
        if named:
            hurt = [chain for c, chain in named if metrics[u, c, 1] < DROP]
            row.update({"chains_hurt": len(hurt), "hurt": ", ".join(hurt)})
        row.update({"depth": metrics[u, 0, 1], "tts": metrics[u, 0, 2], "ttr": metrics[u, 0, 3], "fill_rate": metrics[u, 0, 4]})
        if setup.by == "region":
            boards = sorted({cmap.firms[k].product for k in firms if flags["single_firm"][k] or flags["foreign_only"][k]})
            row.update({"single_sourced": bool(flags["single_firm"][firms].any()), "foreign_only": bool(flags["foreign_only"][firms].any()), "category": _main_category(cmap, firms)})
            row["short_boards"] = ", ".join(boards)
        else:
            row.update(
                {
                    "single_sourced": bool(flags["single_firm"][firms].any()),
                    "foreign_only": bool(flags["foreign_only"][firms].any()),
                    "category": cmap.products[cmap.product_index[products[0]]].category.value,
                }
            )
        row["output"] = float(setup.run.base_output[firms].sum())
        rows.append(row)
    table = pd.DataFrame(rows)
    table = table.sort_values(["loss", "tts", "unit"], ascending=[False, True, True], kind="stable", na_position="last").reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table


def shared_stuck_necks(table: pd.DataFrame) -> pd.DataFrame:
    """The units whose knock-out hurts two or more named chains (docs/stress.md, Contagion), most chains hurt
    first, then the larger total loss: unit, chains hurt and which, total and per-chain loss, category. Empty on a
    map without named chains."""
    if "chains_hurt" not in table:
        return table.iloc[0:0]
    shared = table[table.chains_hurt >= 2].sort_values(["chains_hurt", "loss", "unit"], ascending=[False, False, True], kind="stable")
    columns = ["unit", "chains_hurt", "hurt", "loss", *(c for c in table.columns if c.startswith("loss_")), "category"]
    return shared[columns].reset_index(drop=True)


def _flags(cmap: ChainMap, origins=DEFAULT_ORIGINS) -> dict:
    """Per firm, from the one definition of a short board (`simcore.chainmap.inspect.short_boards_of`): it is the
    one supplier of some customer's short board (`single_firm`), or it supplies a short board whose suppliers are
    all of the named origins (`foreign_only`)."""
    flags = short_board_suppliers(cmap, origins)
    return {"single_firm": flags["single"], "foreign_only": flags["origin_only"]}


def _main_category(cmap: ChainMap, firms) -> str:
    """The category of the unit's largest output."""
    k = max(firms, key=lambda k: (cmap.outputs[k], -k))
    return cmap.products[cmap.firm_product[k]].category.value
