"""Knock-outs: one compiled run, one capacity-loss table per unit (firm, product or region), run as replications
of a batch. The stress test runs them for every unit (`simcore.stress`); `rank_products` runs them by product
to rank short boards, which is how `fill_short_board` with `top = N` picks its products (docs/stress.md).

Every knock-out is one replication of the same compiled run on its own shock
table (a capacity loss of `magnitude` from day 0 for `duration` days). Day 0
is the baseline steady state, so starting the knock-out then loses nothing
against starting it later.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from simcore.chainmap import ChainMap
from simcore.compile import compile_model
from simcore.core.compiled import CompiledRun
from simcore.core.primitives import DAMAGE, STEP, ShockTable
from simcore.engines import get_batch_engine
from simcore.metrics import chain_metrics


@dataclass(frozen=True, eq=False)
class StressSetup:
    """What every knock-out shares: the compiled run (no shocks), the units and the knock-out's size."""

    name: str
    run: CompiledRun
    by: str
    units: tuple[str, ...]
    members: tuple[np.ndarray, ...]  # firm indices of each unit
    duration: float
    magnitude: float
    engine: str = "numba"


def knockout(setup: StressSetup, u: int) -> ShockTable:
    return ShockTable.from_rows([(DAMAGE, int(k), setup.magnitude, 0.0, setup.duration, STEP, 0.0, 0) for k in setup.members[u]])


def stress_chunk(setup: StressSetup, first: int, stop: int) -> tuple[int, np.ndarray]:
    """Units `first .. stop - 1`: (first, metrics (units, chains, 5: loss, depth, tts, ttr, fill_rate))."""
    out = get_batch_engine(setup.engine)(setup.run, [knockout(setup, u) for u in range(first, stop)])
    metrics = chain_metrics(setup.run, out, np.zeros(stop - first))  # every knock-out starts on day 0
    return first, metrics


RANKING = {"duration": 30.0, "magnitude": 1.0, "horizon": 365}  # the knock-out that ranks short boards for policies


@lru_cache(maxsize=8)
def _product_losses(cmap: ChainMap, products: tuple[str, ...]) -> tuple[float, ...]:
    run = compile_model(cmap, cmap.parameters, RANKING["horizon"], ShockTable.empty())
    members = tuple(np.flatnonzero(np.array([f.product == p for f in cmap.firms])) for p in products)
    setup = StressSetup(cmap.name, run, "product", products, members, RANKING["duration"], RANKING["magnitude"])
    return tuple(stress_chunk(setup, 0, len(products))[1][:, 0, 0].tolist())


def rank_products(cmap: ChainMap, products) -> list[str]:
    """`products` ordered by the total chain loss when all their makers are knocked out (`RANKING`), worst
    first, ties in the given order: how `fill_short_board` picks its `top` short boards."""
    products = tuple(products)
    if not products:
        return []
    loss = _product_losses(cmap, products)
    return [products[k] for k in sorted(range(len(products)), key=lambda k: (-loss[k], k))]
