"""The Numba engine's Python side: CompiledRun -> flat arrays -> one kernel call -> Trajectories."""

from __future__ import annotations

import threading

import numba
import numpy as np

from simcore.core.compiled import MIXED, PRIORITY, CompiledRun
from simcore.engines.numba import kernels, lanes
from simcore.engines.numba.bundles import Calendar, ChainMap, LaneRecord, Params, Record
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
    no_firms = np.zeros((0, n))  # (0, n): per-firm trajectories are not recorded
    record = Record(
        totals=rec.totals, chain_output=rec.chain_output, chain_final_demand=rec.chain_final_demand, chain_final_delivered=rec.chain_final_delivered,
        firm_min_ratio=rec.firm_min_ratio,
        firm_output=rec.firm_output if firm_trajectories else no_firms,
        firm_final_delivered=rec.firm_final_delivered if firm_trajectories else no_firms,
    )  # fmt: skip
    calendar = _calendar({name: getattr(run, name)[order] for name in SHOCK_COLUMNS})
    chunk_ptr = wide_chunks(run)
    if chunk_ptr is None:
        start_inventory, start_in_transit = kernels.simulate(_chain_map(run), _params(run), calendar, record)
    else:
        start_inventory, start_in_transit = kernels.simulate_wide(_chain_map(run), _params(run), calendar, record, chunk_ptr)
    rec.start_inventory, rec.start_in_transit = float(start_inventory), float(start_in_transit)
    return rec


WIDE_FIRMS = 20_000
"""Maps of at least this many firms run one run's passes on all of Numba's threads (`kernels.simulate_wide`)."""


def wide_chunks(run: CompiledRun, threads: int | None = None, at_least: int | None = None) -> np.ndarray | None:
    """Ranges of firms for `kernels.simulate_wide`, one per thread, of about equal work (a firm, its inputs and its
    customers' links); None where one run stays on one thread: a small map, one thread, or a call from a thread other
    than the main one (a Dask worker's task, or a batch's; a parallel kernel must not be entered from two at once)."""
    threads = numba.get_num_threads() if threads is None else threads
    at_least = WIDE_FIRMS if at_least is None else at_least
    if threads < 2 or run.n_firms < at_least or threading.current_thread() is not threading.main_thread():
        return None
    slot_ptr = _i8(run.slot_ptr)
    links = _i8(run.slot_link_ptr)[slot_ptr]  # each firm's first link as a customer
    work = np.cumsum(1 + np.diff(slot_ptr) + np.diff(links))
    cuts = np.searchsorted(work, work[-1] * np.arange(1, threads) / threads)
    return np.unique(np.r_[0, cuts, run.n_firms]).astype(np.int64)


def run_numba_batch(run: CompiledRun, shocks: list) -> BatchTrajectories:
    """One replication per shock table (map-level `ShockTable`s), `lanes_for(run)` to a kernel call, the calls in
    parallel over Numba's threads; each replication's numbers are those of `run_numba(run.with_shocks(table))`."""
    rows = [run.shock_columns(table) for table in shocks]  # each sorted by start
    row_ptr = np.zeros(len(rows) + 1, dtype=np.int64)
    row_ptr[1:] = np.cumsum([r["shock_kind"].size for r in rows])
    calendar = _calendar({name: np.concatenate([r[name] for r in rows]) if rows else getattr(run, name) for name in SHOCK_COLUMNS})
    out = BatchTrajectories.allocate(len(rows), run.horizon, len(run.chain_names), run.n_firms)
    group_ptr = np.unique(np.r_[np.arange(0, len(rows), lanes_for(run)), len(rows)]).astype(np.int64)
    chain_map, params = _chain_map(run), _params(run)
    if numba.get_num_threads() == 1:  # one group after another, without entering a parallel region
        for a, b in zip(group_ptr[:-1], group_ptr[1:]):
            lanes.simulate_group(chain_map, params, calendar, row_ptr[a : b + 1], _lane_record(out, a, b))
        return out
    lanes.simulate_batch(chain_map, params, calendar, group_ptr, row_ptr, _lane_record(out, 0, len(rows)))
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


def _chain_map(run: CompiledRun) -> ChainMap:
    """The kernels' read-only map: `run`'s arrays of those names, contiguous and of the kernels' dtypes."""
    return ChainMap(**{name: _kernel_array(name, getattr(run, name)) for name in ChainMap._fields})


def _params(run: CompiledRun) -> Params:
    return Params(
        horizon=int(run.horizon), tau=float(run.tau), backlog_days=float(run.backlog_days), grouped=run.rationing == PRIORITY,
        mixed=run.rationing == MIXED,
        n_groups=int(run.n_groups), adaptive=bool(run.adaptive_sourcing), rho=float(run.share_recovery), final_group=int(run.final_group),
    )  # fmt: skip


def _lane_record(out: BatchTrajectories, a: int, b: int) -> LaneRecord:
    """Replications `a:b` of `out`, as the lanes kernel's outputs (views)."""
    return LaneRecord(**{name: getattr(out, name)[a:b] for name in LaneRecord._fields})


def _calendar(columns: dict) -> Calendar:
    """The kernels' shock table from `CompiledRun`-named columns (`shock_kind`, ...)."""
    return Calendar(*(_kernel_array(column, columns[column]) for column in SHOCK_COLUMNS))


def _kernel_array(name: str, a) -> np.ndarray:
    return _i8(a) if name in _INT64 else _f8(a)


SHOCK_COLUMNS = tuple(f"shock_{name}" for name in Calendar._fields)  # CompiledRun's names of the Calendar's columns
_INT64 = frozenset({
    "slot_ptr", "slot_link_ptr", "link_supplier", "link_customer", "link_slot", "link_group", "link_final_goods_group", "slot_necessity", "out_ptr", "out_link", "chain_ptr", "chain_firm",
    "shock_kind", "shock_target", "shock_profile",
})  # fmt: skip
"""The `CompiledRun` arrays that the kernels read as int64 (indices, pointers, codes); all others are float64."""
