"""What an engine records: the same arrays whichever engine ran."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Whole-system totals per tick, in units summed over all products, for conservation checks.
TOTALS = (
    "produced",  # sum of y_i
    "consumed",  # inputs used up in production
    "shipped",  # to other firms
    "arrived",  # shipments that reached a customer's inventory
    "inventory",  # held at the end of the tick
    "in_transit",  # at the end of the tick
    "final_demand",  # new final demand of the tick
    "final_delivered",  # final demand (new or backlogged) met in the tick
    "lost_sales",  # backlog cancelled in the tick
    "backlog",  # at the end of the tick
)
T = {name: k for k, name in enumerate(TOTALS)}


@dataclass
class Trajectories:
    """Recorded trajectories of one run; `firm_*` arrays are None unless requested."""

    chain_output: np.ndarray  # (ticks, chains): value of final-demand firms' output
    chain_final_demand: np.ndarray  # (ticks, chains): value of new final demand
    chain_final_delivered: np.ndarray  # (ticks, chains): value of final demand met
    totals: np.ndarray  # (ticks, len(TOTALS))
    start_inventory: float
    start_in_transit: float
    firm_min_ratio: np.ndarray  # (firms,): lowest output / baseline over the horizon
    firm_output: np.ndarray | None = None  # (ticks, firms)
    firm_final_delivered: np.ndarray | None = None  # (ticks, firms)

    @classmethod
    def allocate(cls, ticks: int, n_chains: int, n_firms: int, firm_trajectories: bool) -> "Trajectories":
        return cls(
            chain_output=np.zeros((ticks, n_chains)),
            chain_final_demand=np.zeros((ticks, n_chains)),
            chain_final_delivered=np.zeros((ticks, n_chains)),
            totals=np.zeros((ticks, len(TOTALS))),
            start_inventory=0.0,
            start_in_transit=0.0,
            firm_min_ratio=np.full(n_firms, np.inf),
            firm_output=np.zeros((ticks, n_firms)) if firm_trajectories else None,
            firm_final_delivered=np.zeros((ticks, n_firms)) if firm_trajectories else None,
        )

    def arrays(self) -> dict[str, np.ndarray]:
        """Every recorded array by name (for equality checks between engines)."""
        out = {k: v for k, v in vars(self).items() if v is not None}
        return {k: np.asarray(v) for k, v in out.items()}


@dataclass
class BatchTrajectories:
    """What a Monte Carlo batch keeps of each replication of one variant: chain series and lowest firm ratios."""

    chain_output: np.ndarray  # (replications, ticks, chains)
    chain_final_demand: np.ndarray
    chain_final_delivered: np.ndarray
    firm_min_ratio: np.ndarray  # (replications, firms)

    @classmethod
    def allocate(cls, replications: int, ticks: int, n_chains: int, n_firms: int) -> "BatchTrajectories":
        series = (replications, ticks, n_chains)
        return cls(np.zeros(series), np.zeros(series), np.zeros(series), np.full((replications, n_firms), np.inf))

    @classmethod
    def stack(cls, runs: list[Trajectories]) -> "BatchTrajectories":
        return cls(*(np.stack([getattr(r, name) for r in runs]) for name in ("chain_output", "chain_final_demand", "chain_final_delivered", "firm_min_ratio")))
