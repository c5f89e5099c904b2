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


def simulate_chunk(scenario: Scenario, seed: int, first: int, stop: int, engine: str = "numba", values: np.ndarray | None = None) -> Chunk:
    """Replications `first .. stop - 1` of every variant.

    A scenario with uncertain parameters runs each replication in its own world (`values`: each replication's
    values of the uncertain inputs, a sensitivity design's rows, all on replication 0's shocks; default: each
    replication draws its own, simcore.scenario.uncertain)."""
    if scenario.uncertainty or values is not None:
        return _simulate_worlds(scenario, seed, first, stop, engine, values)
    prepared = prepare(scenario)
    simulate = get_batch_engine(engine)
    draws = [scenario.sampler.draw(seed, k) for k in range(first, stop)] if scenario.is_random else None
    R, V, C, T = stop - first, len(prepared), len(prepared[0].run.chain_names), scenario.horizon
    metrics = np.zeros((R, V, C, len(METRICS)))
    counts = np.zeros((V, C, T, BINS), dtype=np.int64)
    applied: dict[int, list[ShockTable]] = {}  # variants on an unedited map share their shock tables
    for v, p in enumerate(prepared):
        if id(p.shocks) not in applied:
            applied[id(p.shocks)] = [d.apply(p.shocks) for d in draws] if draws is not None else [p.shocks] * R
        tables = applied[id(p.shocks)]
        _record(scenario, p.run, tables, simulate(p.run, tables), metrics[:, v], counts[v])
    return Chunk(first, stop, metrics, counts)


def _simulate_worlds(scenario: Scenario, seed: int, first: int, stop: int, engine: str, values: np.ndarray | None) -> Chunk:
    """Replications one by one, each in its own world: every variant compiled on it and run on its shocks."""
    simulate = get_batch_engine(engine)
    R, V, C, T = stop - first, len(scenario.variants), len(prepare(scenario)[0].run.chain_names), scenario.horizon
    metrics = np.zeros((R, V, C, len(METRICS)))
    counts = np.zeros((V, C, T, BINS), dtype=np.int64)
    for r, k in enumerate(range(first, stop)):
        row = scenario.uncertainty.draw(seed, k) if values is None else values[r]
        world = scenario.uncertainty.world(scenario, row)
        for v, variant in enumerate(world.variants):
            p = compile_variant(world, variant)
            tables = [world.drawn_shocks(p.shocks, k if values is None else 0, seed)]
            _record(world, p.run, tables, simulate(p.run, tables), metrics[r : r + 1, v], counts[v])
    return Chunk(first, stop, metrics, counts)


def _record(scenario: Scenario, run, tables: list[ShockTable], out, metrics: np.ndarray, counts: np.ndarray) -> None:
    """One variant's replications (`out`, on `tables`) into its rows of `metrics` (replications, chains, METRICS)
    and added to its `counts` (chains, ticks, BINS)."""
    T = scenario.horizon
    starts = np.array([np.nan if t.first_start is None else t.first_start for t in tables])
    metrics[:, :, :5] = M.chain_metrics(run, out, starts)
    for c, chain in enumerate(run.chain_names):
        metrics[:, c, 5] = np.sum(out.firm_min_ratio[:, scenario.model.chain_members[chain]] < M.AFFECTED, axis=1)
        base = float(run.chain_baseline[c])
        if base > 0:
            bins = np.clip(np.rint(out.chain_output[:, :, c] / base / BIN_WIDTH).astype(np.int64), 0, BINS - 1)
            counts[c] += np.bincount((np.arange(T) * BINS + bins).ravel(), minlength=T * BINS).reshape(T, BINS)


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
    if scenario.uncertainty:  # only then, so that the batches of scenarios without any keep their fingerprints
        h.update(repr(scenario.uncertainty).encode())
    return h.hexdigest()[:16]
