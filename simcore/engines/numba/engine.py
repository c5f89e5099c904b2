"""The Numba engine's Python side: CompiledRun -> flat arrays -> one kernel call -> Trajectories."""

from __future__ import annotations

import numba
import numpy as np

from simcore.core.compiled import CompiledRun
from simcore.engines.numba import kernels, lanes
from simcore.engines.trajectories import BatchTrajectories, Trajectories


def _f8(a) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64)


def _i8(a) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.int64)


def run_numba(run: CompiledRun, firm_trajectories: bool = True) -> Trajectories:
    """Simulate one compiled run for its whole horizon; the same numbers as `run_reference`."""
    n = run.n_firms
    rec = Trajectories.allocate(run.horizon, len(run.chain_names), n, firm_trajectories)
    order = np.argsort(run.shock_start, kind="stable")  # the order the reference fires shock onsets
    start_inventory, start_in_transit = kernels.simulate(
        *_model_arrays(run),
        *(_SHOCK_TYPES[name](getattr(run, name)[order]) for name in SHOCK_COLUMNS),
        *_chain_arrays(run),
        rec.totals, rec.chain_output, rec.chain_final_demand, rec.chain_final_delivered,
        rec.firm_min_ratio,
        rec.firm_output if firm_trajectories else np.zeros((0, n)),
        rec.firm_final_delivered if firm_trajectories else np.zeros((0, n)),
        firm_trajectories,
    )  # fmt: skip
    rec.start_inventory, rec.start_in_transit = float(start_inventory), float(start_in_transit)
    return rec


def run_numba_batch(run: CompiledRun, shocks: list) -> BatchTrajectories:
    """One replication per shock table (map-level `ShockTable`s), `lanes_for(run)` to a kernel call, the calls in
    parallel over Numba's threads; each replication's numbers are those of `run_numba(run.with_shocks(table))`."""
    rows = [run.shock_columns(table) for table in shocks]  # each sorted by start
    row_ptr = np.zeros(len(rows) + 1, dtype=np.int64)
    row_ptr[1:] = np.cumsum([r["shock_kind"].size for r in rows])
    shock_arrays = [_SHOCK_TYPES[name](np.concatenate([r[name] for r in rows]) if rows else getattr(run, name)) for name in SHOCK_COLUMNS]
    out = BatchTrajectories.allocate(len(rows), run.horizon, len(run.chain_names), run.n_firms)
    group_ptr = np.unique(np.r_[np.arange(0, len(rows), lanes_for(run)), len(rows)]).astype(np.int64)
    model, chains = _model_arrays(run), _chain_arrays(run)
    if numba.get_num_threads() == 1:  # one group after another, without entering a parallel region
        for a, b in zip(group_ptr[:-1], group_ptr[1:]):
            lanes.simulate_group(
                *model, row_ptr[a:b + 1], *shock_arrays, *chains,
                out.chain_output[a:b], out.chain_final_demand[a:b], out.chain_final_delivered[a:b], out.firm_min_ratio[a:b],
            )  # fmt: skip
        return out
    lanes.simulate_batch(
        *model, group_ptr, row_ptr, *shock_arrays, *chains,
        out.chain_output, out.chain_final_demand, out.chain_final_delivered, out.firm_min_ratio,
    )  # fmt: skip
    return out


GROUP_BYTES = 128 * 2**20
"""About the most a lane group's state may take (the ring of shipments, mostly): wide groups are faster, but not
without bound in memory (Willems chain 38: 16 lanes, the flagship: 32)."""


def lanes_for(run: CompiledRun) -> int:
    """Replications per kernel call: a power of two up to `lanes.LANES`, within `GROUP_BYTES` of state."""
    ring = kernels.ring_length(_f8(run.link_lead), np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    per_lane = 8 * (ring * run.n_slots + 8 * run.n_slots + 8 * run.n_links + 16 * run.n_firms)
    width = lanes.LANES
    while width > 1 and width * per_lane > GROUP_BYTES:
        width //= 2
    return width


def _model_arrays(run: CompiledRun) -> tuple:
    """The kernels' leading arguments: the compiled map and parameters."""
    return (
        int(run.horizon), _f8(run.capacity), _f8(run.base_output), _f8(run.final_demand),
        _i8(run.slot_ptr), _f8(run.slot_coef), _f8(run.slot_target), _f8(run.slot_pipeline), _i8(run.slot_link_ptr),
        _i8(run.link_supplier), _i8(run.link_customer), _i8(run.link_slot), _f8(run.link_share), _f8(run.link_lead), _i8(run.link_tier), _f8(run.link_flow),
        _i8(run.out_ptr), _i8(run.out_link),
        float(run.tau), float(run.backlog_days), run.rationing == 1, bool(run.adaptive_sourcing), float(run.share_recovery), int(run.final_tier),
    )  # fmt: skip


def _chain_arrays(run: CompiledRun) -> tuple:
    return _i8(run.chain_ptr), _i8(run.chain_firm), _f8(run.chain_weight)


SHOCK_COLUMNS = ("shock_kind", "shock_target", "shock_value", "shock_start", "shock_duration", "shock_profile", "shock_param")
_SHOCK_TYPES = {"shock_kind": _i8, "shock_target": _i8, "shock_value": _f8, "shock_start": _f8, "shock_duration": _f8, "shock_profile": _i8, "shock_param": _f8}
