"""One chunk of replications: draw each replication's shocks, run every variant on them, reduce to metrics and counts.

A chunk is a pure function of (scenario, seed, first, stop): replication `k`
draws from its own generator (simcore.scenario.random) and runs on its own
engine state, so a chunk's numbers never depend on which process, thread or
machine computed it, nor on how the batch was cut into chunks. What a chunk
returns is what the batch keeps (memory does not grow with the number of
replications beyond the per-replication metrics table):

- `metrics` (replications, variants, chains, METRICS): the docs/model.md metrics per
  replication, variant and chain;
- `counts` (variants, chains, ticks, BINS): per day, how many replications had
  chain output nearest each multiple of `BIN_WIDTH` of the baseline (integer
  counts, so chunks add up exactly in any order), for the quantile bands.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from simcore import metrics as M
from simcore.compile import CompiledVariant, compile_variant
from simcore.core.primitives import ShockTable
from simcore.engines import get_batch_engine
from simcore.scenario import Scenario

METRICS = M.METRICS  # loss, depth, tts, ttr, fill_rate, firms_affected
BIN_WIDTH = 0.005  # of baseline chain output
BINS = 401  # 0, 0.005, ..., 2 of baseline; higher output counts in the last bin


@dataclass(frozen=True, eq=False)
class Chunk:
    first: int  # replications first .. stop - 1
    stop: int
    metrics: np.ndarray  # (replications, variants, chains, len(METRICS))
    counts: np.ndarray  # (variants, chains, ticks, BINS), int64


def chunk_shapes(scenario: Scenario, replications: int) -> dict[str, tuple[int, ...]]:
    """The shapes of a chunk's arrays for `replications` replications of `scenario` (to check a saved chunk)."""
    V, C = len(scenario.variants), len(prepare(scenario)[0].run.chain_names)
    return {"metrics": (replications, V, C, len(METRICS)), "counts": (V, C, scenario.horizon, BINS)}


@lru_cache(maxsize=4)
def prepare(scenario: Scenario) -> tuple[CompiledVariant, ...]:
    """Every variant of the scenario, compiled once per process and scenario object (a Dask worker keeps the
    scattered scenario; the batch's costs read the same compiled variants)."""
    return tuple(compile_variant(scenario, v) for v in scenario.variants)


def simulate_chunk(scenario: Scenario, seed: int, first: int, stop: int, engine: str = "numba") -> Chunk:
    """Replications `first .. stop - 1` of every variant."""
    prepared = prepare(scenario)
    simulate = get_batch_engine(engine)
    draws = [scenario.sampler.draw(seed, k) for k in range(first, stop)] if scenario.is_random else None
    R, V, C, T = stop - first, len(prepared), len(prepared[0].run.chain_names), scenario.horizon
    metrics = np.zeros((R, V, C, len(METRICS)))
    counts = np.zeros((V, C, T, BINS), dtype=np.int64)
    members = scenario.model.chain_members
    applied: dict[int, list[ShockTable]] = {}  # variants on an unedited map share their shock tables
    for v, p in enumerate(prepared):
        if id(p.shocks) not in applied:
            applied[id(p.shocks)] = [d.apply(p.shocks) for d in draws] if draws is not None else [p.shocks] * R
        tables = applied[id(p.shocks)]
        starts = np.array([np.nan if t.first_start is None else t.first_start for t in tables])
        out = simulate(p.run, tables)
        metrics[:, v, :, :5] = M.chain_metrics(p.run, out, starts)
        for c, chain in enumerate(p.run.chain_names):
            metrics[:, v, c, 5] = np.sum(out.firm_min_ratio[:, members[chain]] < M.AFFECTED, axis=1)
            base = float(p.run.chain_baseline[c])
            if base > 0:
                bins = np.clip(np.rint(out.chain_output[:, :, c] / base / BIN_WIDTH).astype(np.int64), 0, BINS - 1)
                counts[v, c] = np.bincount((np.arange(T) * BINS + bins).ravel(), minlength=T * BINS).reshape(T, BINS)
    return Chunk(first, stop, metrics, counts)


def fingerprint(scenario: Scenario, seed: int, engine: str) -> str:
    """What a batch's numbers depend on: every compiled array of every variant, the deterministic shocks, the
    random shocks' settings, the seed and the engine (a resumed batch must match it)."""
    h = hashlib.sha256()
    h.update(f"{seed}|{engine}|{BIN_WIDTH}|{BINS}|{scenario.horizon}".encode())
    for p in prepare(scenario):
        h.update(p.name.encode())
        for value in (*vars(p.run).values(), *vars(p.shocks).values()):
            if isinstance(value, np.ndarray):
                h.update(np.ascontiguousarray(value).tobytes())
            elif isinstance(value, ShockTable):
                for a in vars(value).values():
                    h.update(np.ascontiguousarray(a).tobytes())
            else:
                h.update(repr(value).encode())
    h.update(repr(scenario.shock_specs).encode())
    return h.hexdigest()[:16]
