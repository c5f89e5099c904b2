"""Knock-outs: one compiled run, one capacity-loss table per unit (firm, product or region), run as replications
of a batch. The stress test runs them for every unit (`simcore.stress`); `rank_products` runs them by product
to rank short boards, which is how `fill_short_board` with `top = N` picks its products (docs/stress.md).

Every knock-out is one replication of the same compiled run on its own shock
table (a capacity loss of `magnitude` from day 0 for `duration` days). Day 0
is the baseline steady state, so starting the knock-out then loses nothing
against starting it later.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from simcore.chainmap import ChainMap
from simcore.compile import compile_model, compile_variant
from simcore.core.compiled import CompiledRun
from simcore.core.primitives import CLOSE, DAMAGE, LEAD, STEP, ShockTable
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
    partial: bool = False  # knock-outs as partial simulations (docs/engine.md); `setup_stress` asks for big tests only


PARTIAL_FIRM_DAYS = 5e8
"""The knock-outs (units x firms x days) from which a stress test asks for partial simulation. Its kernels take
70-100 s to compile on a cold cache (a 190-firm stress test: 68 s before them, 158-171 s with them) and save about
a fifth of the time of a large test (Willems 38 by firm, 1.5e9 firm-days: 64 s against 83 s in lanes); below this,
about 30 s of lanes, the saving is a few seconds (benchmarks/README.md, Partial simulation)."""


def asks_partial(run: CompiledRun, units: int) -> bool:
    """Whether a stress test of `units` knock-outs of `run` is big enough for partial simulation to pay."""
    return units * run.n_firms * run.horizon >= PARTIAL_FIRM_DAYS


def knockout(setup: StressSetup, u: int) -> ShockTable:
    return ShockTable.from_rows([(DAMAGE, int(k), setup.magnitude, 0.0, setup.duration, STEP, 0.0, 0) for k in setup.members[u]])


def stress_chunk(setup: StressSetup, first: int, stop: int) -> tuple[int, np.ndarray]:
    """Units `first .. stop - 1`: (first, metrics (units, chains, 5: loss, depth, tts, ttr, fill_rate))."""
    out = get_batch_engine(setup.engine)(setup.run, [knockout(setup, u) for u in range(first, stop)], partial=setup.partial)  # a knock-out's reach is local
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
    return [q for q, _ in ranked_losses(cmap, products)]


def ranked_losses(cmap: ChainMap, products) -> list[tuple[str, float]]:
    """`rank_products` with each product's knock-out loss: (product, total chain loss) pairs, worst first."""
    products = tuple(products)
    if not products:
        return []
    loss = _product_losses(cmap, products)
    return [(products[k], loss[k]) for k in sorted(range(len(products)), key=lambda k: (-loss[k], k))]


def hits_product(cmap: ChainMap, shocks: ShockTable, product: str) -> np.ndarray:
    """Per shock row: whether it falls on the supply of `product`: damage to a firm of the map that makes it, or a
    closed or slowed link (CLOSE, LEAD) out of one."""
    makes = np.array([f.product == product for f in cmap.firms], dtype=bool)
    n_firms, n_links = len(cmap.firms), len(cmap.links)
    hit = np.zeros(len(shocks), dtype=bool)
    for r, (kind, target) in enumerate(zip(shocks.kind.tolist(), shocks.target.tolist())):
        if kind == DAMAGE and target < n_firms:
            hit[r] = makes[target]
        elif kind in (CLOSE, LEAD) and target < n_links:
            hit[r] = makes[cmap.link_supplier[target]]
    return hit


def rank_under_scenario(scenario, products, engine: str = "numba") -> list[tuple[str, float]]:
    """`products` ordered by the loss the scenario's own shocks cause through each (docs/policies.md,
    fill_short_board): the reference variant's total chain loss on the scenario's shocks (what replication 0
    draws, at the scenario's seed, as `simcore run` runs it), less its loss when the shock rows on that product's
    supply (`hits_product`) are left out. (product, loss avoided) pairs, largest first, ties in the given order."""
    products = tuple(products)
    if not products:
        return []
    compiled = compile_variant(scenario, scenario.reference_variant)
    shocks = scenario.drawn_shocks(compiled.shocks, 0)
    fields = [f.name for f in dataclasses.fields(ShockTable)]
    tables = [shocks]
    for q in products:
        keep = ~hits_product(scenario.model, shocks, q)
        tables.append(ShockTable(*(getattr(shocks, name)[keep] for name in fields)))
    start = np.nan if shocks.first_start is None else shocks.first_start
    out = get_batch_engine(engine)(compiled.run, tables)
    loss = chain_metrics(compiled.run, out, np.full(len(tables), start))[:, 0, 0]
    avoided = [float(loss[0] - loss[k + 1]) if np.isfinite(loss[0] - loss[k + 1]) else 0.0 for k in range(len(products))]
    return [(products[k], avoided[k]) for k in sorted(range(len(products)), key=lambda k: (-avoided[k], k))]
