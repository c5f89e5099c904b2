"""What an optimization gives: the chosen portfolio in money with its confidence intervals, how sure the choice
is, the cost-benefit frontier, every portfolio simulated, the candidates; tables and `summary.json`."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simcore.costs import UNATTRIBUTED, money_info
from simcore.montecarlo.result import _json
from simcore.montecarlo.stats import describe
from simcore.portfolios.candidates import Candidates
from simcore.portfolios.evaluate import Evaluation
from simcore.portfolios.search import EMPTY, Portfolio, best_within, frontier, order


@dataclass(eq=False)
class OptimizeResult:
    evaluation: Evaluation
    candidates: Candidates
    budget: float
    chain_budgets: dict[str, float]
    objective: str  # "mean" or "cvar95"
    search: str  # "exhaustive" or "greedy with swaps"
    scores: dict[Portfolio, float]  # the objective of every portfolio simulated (all within the budgets)
    chosen: Portfolio

    @property
    def scenario(self):
        return self.evaluation.scenario

    @property
    def replications(self) -> int:
        return self.evaluation.replications

    @property
    def currency(self) -> str:
        return self.scenario.costs.currency

    def cost(self, p: Portfolio) -> float:
        return self.evaluation.cost(p)

    def front(self) -> list[Portfolio]:
        return frontier(self.scores, self.cost)

    def runner_up(self) -> Portfolio | None:
        """The best portfolio simulated, other than the chosen one, whose losses differ from the chosen one's in some
        replication (same ordering as the choice): the real alternative, not the choice plus a candidate that changes
        nothing."""
        mine, q = self.evaluation.losses[self.chosen], self.evaluation.resolution
        rest = [p for p in self.scores if p != self.chosen and np.abs(self.evaluation.losses[p] - mine).max() > q]
        return min(rest, key=lambda p: (self.scores[p], self.cost(p), len(p), order(p))) if rest else None

    def row(self, p: Portfolio) -> dict:
        """A portfolio in money: cost (total and per chain), loss, value saved against doing nothing (paired, 95% CI)."""
        ev = self.evaluation
        loss = ev.losses[p][:, 0]
        saved = describe(ev.losses[EMPTY][:, 0] - loss)
        cost = self.cost(p)
        tail = describe(loss, tail=True)
        return {
            "portfolio": ev.name(p),
            "candidates": [ev.candidates[c].name for c in order(p)],
            "size": len(p),
            "cost": cost,
            **{f"cost_{chain}": value for chain, value in ev.chain_cost(p).items() if chain != "total"},
            "objective": self.scores[p],
            "expected_loss": tail["mean"],
            "cvar95_loss": tail["cvar95"],
            "value_saved": saved["mean"],
            "value_saved_ci_low": saved["ci95"][0],
            "value_saved_ci_high": saved["ci95"][1],
            "benefit_cost": saved["mean"] / cost if cost > 0 else math.nan,
            "chosen": p == self.chosen,
        }

    def portfolios_table(self) -> pd.DataFrame:
        """Every portfolio simulated, best first."""
        rows = [self.row(p) for p in sorted(self.scores, key=lambda p: (self.scores[p], self.cost(p), len(p), order(p)))]
        return pd.DataFrame(rows).assign(candidates=lambda t: t.candidates.map("; ".join))

    def frontier_table(self) -> pd.DataFrame:
        """The cost-benefit frontier: the best portfolio found at each budget level, by cost (Pareto-efficient in cost
        and objective: each row costs more and loses less than the one before)."""
        return pd.DataFrame([self.row(p) for p in self.front()]).assign(candidates=lambda t: t.candidates.map("; ".join))

    def candidates_table(self) -> pd.DataFrame:
        """Each candidate: where it comes from, what it does, its cost alone and, when it was simulated alone, what it saves."""
        rows = []
        for c, cand in enumerate(self.evaluation.candidates):
            alone = frozenset([c])
            r = self.row(alone) if alone in self.scores else None
            rows.append({
                "candidate": cand.name, "group": cand.group, "cost": self.cost(alone),
                "value_saved_alone": r["value_saved"] if r else math.nan, "benefit_cost_alone": r["benefit_cost"] if r else math.nan,
                "chosen": c in self.chosen, "description": cand.description,
            })  # fmt: skip
        return pd.DataFrame(rows)

    def confidence(self) -> dict | None:
        """How sure the choice is: the share of replications in which the chosen portfolio loses less than the runner-up
        (and ties: closer than the evaluation's resolution), and the paired difference of their losses in money with
        its 95% CI."""
        other = self.runner_up()
        if other is None:
            return None
        a, b = self.evaluation.losses[self.chosen][:, 0], self.evaluation.losses[other][:, 0]
        q = self.evaluation.resolution
        d = describe(b - a)
        return {
            "runner_up": self.evaluation.name(other),
            "runner_up_cost": self.cost(other),
            "beats_share": float(np.mean(a < b - q)),
            "tie_share": float(np.mean(np.abs(a - b) <= q)),
            "loses_share": float(np.mean(a > b + q)),
            "advantage": d["mean"],
            "advantage_ci_low": d["ci95"][0],
            "advantage_ci_high": d["ci95"][1],
        }

    def per_chain(self) -> pd.DataFrame:
        """The chosen portfolio per chain: its cost attributed to the chain and the value it saves there (they add up)."""
        ev = self.evaluation
        costs = ev.chain_cost(self.chosen)
        rows = []
        for c, chain in enumerate(ev.chains):
            saved = describe(ev.losses[EMPTY][:, c] - ev.losses[self.chosen][:, c])
            rows.append({"chain": chain, "cost": costs[chain], "value_saved": saved["mean"], "value_saved_ci_low": saved["ci95"][0], "value_saved_ci_high": saved["ci95"][1]})
        if UNATTRIBUTED in costs and len(ev.chains) > 1:
            rows.append({"chain": UNATTRIBUTED, "cost": costs[UNATTRIBUTED], "value_saved": math.nan, "value_saved_ci_low": math.nan, "value_saved_ci_high": math.nan})
        return pd.DataFrame(rows)

    def best_at(self, budget: float) -> Portfolio | None:
        """The frontier's best portfolio costing at most `budget`."""
        return best_within(self.front(), self.cost, budget)

    def summary(self) -> dict:
        from simcore.report import scenario_context
        from simcore.versions import versions

        sc = self.scenario
        return _json({
            "scenario": {"name": sc.name, "file": str(sc.file), "model": str(sc.model.file), "horizon": sc.horizon},
            "seed": self.evaluation.seed,
            "replications": self.replications,
            "engine": self.evaluation.engine,
            "versions": versions(),
            "money": money_info(sc),
            "budget": self.budget,
            "chain_budgets": self.chain_budgets,
            "objective": {"mean": "expected total chain loss in money", "cvar95": "CVaR95 of the total chain loss in money"}[self.objective],
            "base_variant": sc.reference_variant,
            "search": {"method": self.search, "candidates": len(self.evaluation.candidates), "portfolios_simulated": len(self.scores), "rounds": self.evaluation.rounds},
            "chosen": self.row(self.chosen),
            "chosen_per_chain": self.per_chain().to_dict("records"),
            "confidence": self.confidence(),
            "frontier": self.frontier_table().to_dict("records"),
            "candidates": self.candidates_table().to_dict("records"),
            "skipped_candidates": [{"candidate": n, "why": why} for n, why in self.candidates.skipped],
            "context": scenario_context(sc),
            **({"robustness": self.robustness()} if sc.uncertainty else {}),
        })  # fmt: skip

    def robustness(self, within: float = 0.05) -> dict | None:
        """With uncertain parameters: how often the chosen portfolio is the best of the frontier's within the budget
        over the uncertain world, and which inputs flip it (simcore.sensitivity.portfolio_robustness)."""
        from simcore.sensitivity import portfolio_robustness

        return portfolio_robustness(self, within)

