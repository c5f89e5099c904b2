"""Results of a scenario run as tidy pandas tables, whichever engine produced them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simcore import metrics as M
from simcore.compile import CompiledVariant
from simcore.core.compiled import CompiledRun
from simcore.core.primitives import ShockTable
from simcore.costs import add_money, costs_table, money_info
from simcore.engines.trajectories import TOTALS, Trajectories
from simcore.scenario import Scenario


@dataclass(eq=False)
class VariantResult:
    """One variant's compiled run and recorded trajectories."""

    variant: str
    run: CompiledRun
    trajectories: Trajectories
    shocks: ShockTable  # the shocks it ran on (map-level), for the shock start and the plots
    compiled: CompiledVariant  # what `run` was made from: its policies' steps give the costs

    def chain_metrics(self, members: dict[str, np.ndarray], start: float | None) -> list[dict]:
        """The metrics (docs/model.md, Metrics) of the total chain and each named chain; `members` are each chain's firms."""
        run, tr = self.run, self.trajectories
        rows = []
        for c, chain in enumerate(run.chain_names):
            base = float(run.chain_baseline[c])
            row = {"variant": self.variant, "chain": chain, **M.series_metrics(tr.chain_output[:, c], base, start)}
            row["fill_rate"] = M.fill_rate(tr.chain_final_delivered[:, c], tr.chain_final_demand[:, c])
            row["firms_affected"] = int(np.sum(tr.firm_min_ratio[members[chain]] < M.AFFECTED))
            rows.append(row)
        return rows

    def firm_metrics(self, start: float | None) -> list[dict]:
        """One row per firm of this variant (a policy may have added firms); a standby firm (no baseline output) has no ratio."""
        run, tr = self.run, self.trajectories
        rows = []
        for k, firm in enumerate(run.firm_ids):
            ratio = float(tr.firm_min_ratio[k]) if run.base_output[k] > 0 else math.nan
            row = {"variant": self.variant, "firm": firm, "min_ratio": ratio, "affected": bool(ratio < M.AFFECTED)}
            if tr.firm_output is not None:
                row.update(M.series_metrics(tr.firm_output[:, k], float(run.base_output[k]), start))
            rows.append(row)
        return rows


@dataclass(eq=False)
class ScenarioResult:
    """Every variant of one scenario, run by one engine with one seed."""

    scenario: Scenario
    engine: str
    seed: int
    variants: list[VariantResult]
    _costs: pd.DataFrame | None = field(default=None, repr=False)
    _comparison: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def shock_start(self) -> float | None:
        """When the first shock starts (the same in every variant: they run on common random numbers)."""
        return self.variants[0].shocks.first_start if self.variants else self.scenario.shocks.first_start

    def metrics(self) -> pd.DataFrame:
        """One row per variant and chain (`total` first): loss, depth, tts, ttr, fill_rate, firms_affected."""
        members = self.scenario.model.chain_members
        return pd.DataFrame([row for v in self.variants for row in v.chain_metrics(members, self.shock_start)])

    def costs(self) -> pd.DataFrame:
        """Cost of each variant's policies over the horizon, per component and in total."""
        if self._costs is None:
            self._costs = costs_table(self.scenario, [v.compiled for v in self.variants])
        return self._costs.copy()

    def comparison(self) -> pd.DataFrame:
        """Each variant against the reference variant, per chain, ranked by loss.

        Metrics, their paired differences (`d_loss` = loss - reference loss,
        ...; every variant ran on the same shocks), the loss reduction, and in
        money (simcore.costs) the policies' cost attributed to the chain, the
        value saved and the benefit-cost ratio (NaN without cost). With one
        deterministic run there is no confidence interval; Monte Carlo
        replications add one. Worked out once: the summary, the metrics table, the printout and the plots all read
        it (0.03 s each on the flagship, benchmarks/jit.py).
        """
        if self._comparison is None:
            self._comparison = self._compare()
        return self._comparison.copy()

    def _compare(self) -> pd.DataFrame:
        table = self.metrics()
        ref = self.scenario.reference_variant
        rows = []
        for chain, group in table.groupby("chain", sort=False):
            base = group.set_index("variant").loc[ref]
            for row in group.to_dict("records"):
                for k in M.METRICS:
                    row[f"d_{k}"] = row[k] - base[k]
                row["loss_reduction"] = float(base["loss"] - row["loss"])
                rows.append(row)
        out = add_money(pd.DataFrame(rows), self.scenario, {v.variant: v.compiled for v in self.variants})
        return rank_by_loss(out, dict.fromkeys(out.chain))

    def firm_metrics(self) -> pd.DataFrame:
        """One row per variant and firm; trajectory metrics only when firm trajectories were recorded."""
        return pd.DataFrame([row for v in self.variants for row in v.firm_metrics(self.shock_start)])

    def chain_trajectories(self) -> pd.DataFrame:
        """Tidy per-day table: variant, chain, day, output, baseline, ratio, final_demand, final_delivered."""
        frames = []
        for v in self.variants:
            tr, run = v.trajectories, v.run
            days = np.arange(run.horizon)
            for c, chain in enumerate(run.chain_names):
                base = float(run.chain_baseline[c])
                frames.append(
                    pd.DataFrame(
                        {
                            "variant": v.variant,
                            "chain": chain,
                            "day": days,
                            "output": tr.chain_output[:, c],
                            "baseline": base,
                            "ratio": tr.chain_output[:, c] / base if base > 0 else np.nan,
                            "final_demand": tr.chain_final_demand[:, c],
                            "final_delivered": tr.chain_final_delivered[:, c],
                        }
                    )
                )
        return pd.concat(frames, ignore_index=True)

    def firm_trajectories(self) -> pd.DataFrame | None:
        """Tidy per-day table: variant, firm, day, output, baseline, ratio, final_delivered (None if not recorded)."""
        if any(v.trajectories.firm_output is None for v in self.variants):
            return None
        frames = []
        for v in self.variants:
            tr, run = v.trajectories, v.run
            ids = np.array(run.firm_ids, dtype=object)  # Python strings: pandas makes its str column of them three times faster than of NumPy's
            T, n = tr.firm_output.shape
            base = np.where(run.base_output > 0, run.base_output, np.nan)  # a standby firm has no ratio
            frames.append(
                pd.DataFrame(
                    {
                        "variant": v.variant,
                        "firm": np.tile(ids, T),
                        "day": np.repeat(np.arange(T), n),
                        "output": tr.firm_output.ravel(),
                        "baseline": np.tile(run.base_output, T),
                        "ratio": (tr.firm_output / base).ravel(),
                        "final_delivered": tr.firm_final_delivered.ravel(),
                    }
                )
            )
        return pd.concat(frames, ignore_index=True)

    def totals(self) -> pd.DataFrame:
        """Per-day system totals (units) per variant, for conservation checks."""
        frames = []
        for v in self.variants:
            df = pd.DataFrame(v.trajectories.totals, columns=list(TOTALS))
            df.insert(0, "day", np.arange(len(df)))
            df.insert(0, "variant", v.variant)
            frames.append(df)
        return pd.concat(frames, ignore_index=True)

    def summary(self) -> dict:
        """What `summary.json` holds: scenario, seed, engine, versions, per-variant metrics, short-board picks."""
        from simcore.report import scenario_context
        from simcore.scenario.policies import short_board_picks
        from simcore.versions import versions

        table = self.comparison()
        fields = (*M.METRICS, *(f"d_{k}" for k in M.METRICS), "loss_reduction", "cost", "value_saved", "benefit_cost")
        per_variant = {v.variant: {} for v in self.variants}
        for r in table.to_dict("records"):
            per_variant[r["variant"]][r["chain"]] = {k: _json_number(r[k]) for k in fields}
        ranking = [r["variant"] for r in table[table.chain == "total"].to_dict("records")]
        sc = self.scenario
        return {
            "scenario": {"name": sc.name, "file": str(sc.file), "model": str(sc.model.file), "horizon": sc.horizon, "shock_start": self.shock_start},
            "seed": self.seed,
            "engine": self.engine,
            "versions": versions(),
            "reference_variant": sc.reference_variant,
            "money": money_info(sc),
            "ranking_by_loss": ranking,
            "costs": {r["variant"]: {k: v for k, v in r.items() if k != "variant"} for r in self.costs().to_dict("records")},
            "variants": per_variant,
            "short_board_picks": short_board_picks(sc.model, sc.variants),
            "context": scenario_context(sc),
        }


def _json_number(value):
    if isinstance(value, (int, np.integer)):
        return int(value)
    value = float(value)
    return None if math.isnan(value) else value


def rank_by_loss(table: pd.DataFrame, chains) -> pd.DataFrame:
    """`table`'s rows chain by chain (in the order of `chains`), each chain's variants by loss, lowest first."""
    order = {c: k for k, c in enumerate(chains)}
    return table.sort_values(["chain", "loss"], key=lambda col: col.map(order) if col.name == "chain" else col, kind="stable").reset_index(drop=True)
