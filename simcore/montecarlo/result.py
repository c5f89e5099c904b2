"""What a batch gives: per-replication metrics, their statistics per variant and chain, paired differences
against the reference variant, daily quantile bands of chain output, costs; tables, `summary.json` and figures."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterator

import numpy as np
import pandas as pd

from simcore.costs import add_money, costs_table, money_info
from simcore.montecarlo.batch import BIN_WIDTH, METRICS, Chunk, prepare
from simcore.montecarlo.stats import QUANTILES, describe, quantile_bands
from simcore.scenario import Scenario

SLICE = 5_000  # replications per slice of the streamed replications table (x variants x chains rows)


@dataclass(eq=False)
class BatchResult:
    scenario: Scenario
    engine: str
    seed: int
    variants: tuple[str, ...]
    chains: tuple[str, ...]
    metrics: np.ndarray  # (replications, variants, chains, len(METRICS)), in replication order
    counts: np.ndarray  # (variants, chains, ticks, bins)
    _costs: pd.DataFrame | None = field(default=None, repr=False)

    @classmethod
    def from_chunks(cls, scenario: Scenario, engine: str, seed: int, replications: int, chunks) -> "BatchResult":
        """Reduce chunks (any iterable, any order) one at a time (see `Reduction`)."""
        reduction = Reduction(replications)
        for c in chunks:
            reduction.add(c)
        return reduction.result(scenario, engine, seed)

    @property
    def replications(self) -> int:
        return self.metrics.shape[0]

    @property
    def reference(self) -> int:
        return self.variants.index(self.scenario.reference_variant)

    def replications_table(self, first: int = 0, stop: int | None = None) -> pd.DataFrame:
        """One row per replication, variant and chain: the metrics of docs/model.md, Metrics; replications
        `first .. stop - 1` only when given (`replications_slices` cuts the whole table into such slices)."""
        stop = self.replications if stop is None else min(stop, self.replications)
        R, (_, V, C, _) = stop - first, self.metrics.shape
        index = pd.MultiIndex.from_product([range(first, stop), self.variants, self.chains], names=["replication", "variant", "chain"])
        table = pd.DataFrame(self.metrics[first:stop].reshape(R * V * C, len(METRICS)), index=index, columns=list(METRICS)).reset_index()
        table["firms_affected"] = table["firms_affected"].astype(int)
        return table

    def replications_slices(self, replications: int | None = None) -> Iterator[pd.DataFrame]:
        """`replications_table()` in consecutive slices of `replications` replications, in order: written one
        after another they are the whole table, and only one slice is ever built (the batch's files are streamed,
        so a batch's memory does not grow with a table of replications x variants x chains rows; docs/montecarlo.md)."""
        replications = replications or SLICE
        for first in range(0, max(self.replications, 1), replications):
            yield self.replications_table(first, first + replications)

    @cached_property
    def statistics(self) -> dict:
        """variant -> chain -> metric -> statistics, with `d_<metric>`: paired differences against the reference."""
        out = {}
        ref = self.reference
        for v, variant in enumerate(self.variants):
            out[variant] = {}
            for c, chain in enumerate(self.chains):
                entry = {m: describe(self.metrics[:, v, c, k], tail=m == "loss") for k, m in enumerate(METRICS)}
                for k, m in enumerate(METRICS):
                    entry[f"d_{m}"] = describe(self.metrics[:, v, c, k] - self.metrics[:, ref, c, k])
                out[variant][chain] = entry
        return out

    def costs(self) -> pd.DataFrame:
        """Cost of each variant's policies over the horizon, from the variants the batch compiled."""
        if self._costs is None:
            self._costs = costs_table(self.scenario, prepare(self.scenario))
        return self._costs.copy()

    def comparison(self) -> pd.DataFrame:
        """Per chain, variants ranked by mean loss: mean and 95% CI of the loss, VaR95, CVaR95, the paired
        difference against the reference with its CI, mean TTS/TTR/fill rate, and in money (simcore.costs) the cost
        attributed to the chain, the mean value saved and the benefit-cost ratio."""
        rows = []
        for variant in self.variants:
            for chain in self.chains:
                s = self.statistics[variant][chain]
                loss, d = s["loss"], s["d_loss"]
                reduction = 0.0 - d["mean"]  # not -0.0 for the reference
                rows.append(
                    {
                        "chain": chain,
                        "variant": variant,
                        "loss": loss["mean"],
                        "loss_ci_low": loss["ci95"][0],
                        "loss_ci_high": loss["ci95"][1],
                        "var95": loss["var95"],
                        "cvar95": loss["cvar95"],
                        "d_loss": d["mean"],
                        "d_loss_ci_low": d["ci95"][0],
                        "d_loss_ci_high": d["ci95"][1],
                        "tts": s["tts"]["mean"],
                        "ttr": s["ttr"]["mean"],
                        "fill_rate": s["fill_rate"]["mean"],
                        "loss_reduction": reduction,
                    }
                )
        from simcore.result import rank_by_loss

        return rank_by_loss(add_money(pd.DataFrame(rows), self.scenario, {v.name: v for v in prepare(self.scenario)}), self.chains)

    def bands(self) -> pd.DataFrame:
        """Per variant, chain and day: quantiles of chain output / baseline over the replications (to one bin, 0.005)."""
        q = quantile_bands(self.counts, BIN_WIDTH)  # (V, C, T, Q)
        V, C, T, Q = q.shape
        index = pd.MultiIndex.from_product([self.variants, self.chains, range(T)], names=["variant", "chain", "day"])
        return pd.DataFrame(q.reshape(V * C * T, Q), index=index, columns=[f"q{round(x * 100):02d}" for x in QUANTILES]).reset_index()

    def summary(self) -> dict:
        from simcore.report import scenario_context
        from simcore.scenario.policies import short_board_picks
        from simcore.versions import versions

        sc = self.scenario
        table = self.comparison()
        return {
            "scenario": {"name": sc.name, "file": str(sc.file), "model": str(sc.model.file), "horizon": sc.horizon},
            "seed": self.seed,
            "replications": self.replications,
            "engine": self.engine,
            "versions": versions(),
            "reference_variant": sc.reference_variant,
            "money": money_info(sc),
            "value": {
                v: {r["chain"]: {k: _json(float(r[k])) for k in MONEY_FIELDS} for r in table[table.variant == v].to_dict("records")} for v in self.variants
            },
            "ranking_by_mean_loss": [r["variant"] for r in table[table.chain == "total"].to_dict("records")],
            "costs": {r["variant"]: {k: v for k, v in r.items() if k != "variant"} for r in self.costs().to_dict("records")},
            "statistics": _json(self.statistics),
            "short_board_picks": short_board_picks(sc.model, sc.variants),
            "context": scenario_context(sc),
        }


MONEY_FIELDS = ("cost", "value_saved", "value_saved_ci_low", "value_saved_ci_high", "benefit_cost")


class Reduction:
    """Chunks reduced as they come: metrics go to their replications' rows, band counts are added up
    (integers: any order gives the same sum). Only the running sum of counts is held, not every chunk's."""

    def __init__(self, replications: int):
        self.replications = replications
        self.metrics = self.counts = None

    def add(self, chunk: Chunk) -> None:
        if self.metrics is None:
            self.metrics = np.full((self.replications, *chunk.metrics.shape[1:]), np.nan)
            self.counts = np.zeros_like(chunk.counts)
        self.metrics[chunk.first : chunk.stop] = chunk.metrics
        self.counts += chunk.counts

    def result(self, scenario: Scenario, engine: str, seed: int) -> BatchResult:
        chains = tuple(scenario.model.chain_members)  # the compiled runs' chain_names, without compiling here
        return BatchResult(scenario, engine, seed, tuple(v.name for v in scenario.variants), chains, self.metrics, self.counts)


def _json(value):
    """`value` for json.dumps: NaN and infinities as None, numpy scalars as Python numbers, tuples as lists."""
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    return value
