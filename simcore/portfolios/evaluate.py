"""Portfolios simulated jointly on common random numbers, and what each costs (docs/optimize.md, Evaluation).

A portfolio is the scenario's reference variant with every policy of its candidates added (in candidate order),
compiled and run as a variant: interventions interact in the simulation, never by adding up. Each search round is
one Monte Carlo batch (`simcore.montecarlo.run_batch`) whose variants are the round's new portfolios, on the
scenario's seed: replication `k` draws the same shocks in every round, so any two portfolios are compared by
paired differences (identical portfolios differ by exactly zero). With an output folder each round's batch keeps
its chunks in `rounds/<k>/`, so an interrupted optimization resumes where it stopped.

Money: a portfolio's loss in a replication is its loss share of each chain times the reference variant's baseline
chain output value over the horizon (`simcore.costs.value_base`); its cost is what its policies cost beyond the
reference variant's (`simcore.costs`), attributed to chains as every cost is.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable

import numpy as np

from simcore.compile import compile_variant
from simcore.costs import chain_costs, value_base
from simcore.montecarlo import run_batch
from simcore.montecarlo.batch import METRICS
from simcore.portfolios.candidates import Candidate
from simcore.portfolios.search import Portfolio, order
from simcore.scenario import Scenario
from simcore.scenario.schema import Variant

LOSS = METRICS.index("loss")
RESOLUTION = 1e-6  # of the total chain's baseline output value: objectives closer than this are equal (the cheaper wins)
NOTHING = "nothing"  # the empty portfolio's name


class Evaluation:
    """The costs and the simulated losses of the portfolios of one optimization, each computed once."""

    def __init__(self, scenario: Scenario, candidates: tuple[Candidate, ...], replications: int, seed: int, engine: str,
                 chunk_size: int | None = None, cluster: Callable | None = None, out: Path | None = None,
                 resume: bool = False, progress: bool | None = None):  # fmt: skip
        self.scenario, self.candidates = scenario, candidates
        self.replications, self.seed, self.engine, self.chunk_size = replications, seed, engine, chunk_size
        self.cluster, self.out, self.resume, self.progress = cluster, out, resume, progress
        self.base = scenario.variant(scenario.reference_variant)
        compiled = compile_variant(scenario, self.base)
        self.chains = tuple(compiled.run.chain_names)
        self.value = value_base(compiled.run, scenario.costs.unit)  # per chain: what a loss of 1 costs
        self._base_cost = chain_costs(scenario, compiled)
        self._costs: dict[Portfolio, dict[str, float]] = {}
        self.losses: dict[Portfolio, np.ndarray] = {}  # (replications, chains) loss in money
        self.rounds = 0

    def name(self, p: Portfolio) -> str:
        return " + ".join(self.candidates[c].name for c in order(p)) or NOTHING

    def variant(self, p: Portfolio) -> Variant:
        """The reference variant with the portfolio's policies added."""
        added = [policy for c in order(p) for policy in self.candidates[c].policies]
        return self.base.model_copy(update={"name": self.name(p), "description": "", "policies": [*self.base.policies, *added]})

    def chain_cost(self, p: Portfolio) -> dict[str, float]:
        """The portfolio's cost in money beyond the reference variant's: `total`, each named chain, `unattributed`."""
        if p not in self._costs:
            if not p:
                self._costs[p] = {k: 0.0 for k in self._base_cost}
            else:
                mine = chain_costs(self.scenario, compile_variant(self.scenario, self.variant(p)))
                self._costs[p] = {k: mine[k] - self._base_cost[k] for k in mine}
        return self._costs[p]

    def cost(self, p: Portfolio) -> float:
        return self.chain_cost(p)["total"]

    def simulate(self, portfolios: list[Portfolio]) -> None:
        """One round: the portfolios not simulated before, as the variants of one batch on the scenario's seed."""
        new = [p for p in dict.fromkeys(portfolios) if p not in self.losses]
        if not new:
            return
        k = self.rounds
        self.rounds += 1
        info = self.scenario.info.model_copy(update={"name": f"{self.scenario.name} round {k + 1}", "reference_variant": None})
        round_scenario = dataclasses.replace(self.scenario, info=info, variants=tuple(self.variant(p) for p in new))
        folder = None if self.out is None else self.out / "rounds" / f"{k:03d}"
        result = run_batch(
            round_scenario, self.replications, seed=self.seed, out=folder, engine=self.engine, chunk_size=self.chunk_size,
            resume=self.resume and folder is not None and (folder / "batch.json").exists(), progress=self.progress, cluster=self.cluster,
        )  # fmt: skip
        for v, p in enumerate(new):
            self.losses[p] = result.metrics[:, v, :, LOSS] * self.value

    @property
    def resolution(self) -> float:
        """Money below which two losses are the same: RESOLUTION of the total chain's baseline output value (a
        candidate that changes the loss by rounding only is not worth its cost)."""
        return RESOLUTION * float(self.value[0])

    def objective(self, p: Portfolio, kind: str, rounded: bool = False) -> float:
        """The total chain's expected loss in money (`mean`), or its CVaR95 (`cvar95`: the mean of the replications at
        or above the 95% quantile, as docs/model.md, Metrics, defines it); `rounded` to a multiple of `resolution`, as
        the search compares them."""
        x = self.losses[p][:, 0]
        if kind == "mean":
            value = float(x.mean())
        else:
            value = float(x[x >= np.quantile(x, 0.95)].mean())
        q = self.resolution
        return round(value / q) * q if rounded and q > 0 else value
