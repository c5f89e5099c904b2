"""The Numba engine's Python side: CompiledRun -> flat arrays -> one kernel call -> Trajectories."""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import numba
import numpy as np

from simcore.core.compiled import MIXED, PRIORITY, CompiledRun
from simcore.core.primitives import ShockTable
from simcore.engines.numba import kernels, lanes
from simcore.engines.numba import partial as partial_kernels  # `partial` is run_numba_batch's switch
from simcore.engines.numba.bundles import Baseline, Calendar, ChainMap, LaneRecord, Params, Record
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


def run_numba_batch(run: CompiledRun, shocks: list, partial: bool = False) -> BatchTrajectories:
    """One replication per shock table (map-level `ShockTable`s); each replication's numbers are those of
    `run_numba(run.with_shocks(table))`. With `partial` (knock-outs: their shocks are local), replications run as
    partial simulations where that pays (`partial_for`); the others `lanes_for(run)` to a kernel call; the calls in
    parallel over Numba's threads."""
    rows = [run.shock_columns(table) for table in shocks]  # each sorted by start
    calendar, row_ptr = _batch_calendar(run, rows)
    out = BatchTrajectories.allocate(len(rows), run.horizon, len(run.chain_names), run.n_firms)
    plan = partial_for(run) if partial else None
    if plan is None or not rows:
        _run_lanes(run, calendar, row_ptr, out)
        return out
    touch = np.concatenate([run.own_rows(table) for table in shocks])
    done = np.full(len(rows), -1.0)
    first = len(rows) if plan.tried >= PARTIAL_PROBE else min(len(rows), PARTIAL_PROBE)
    for a, b in ((0, first), (first, len(rows))):
        if a < b and plan.usable:
            done[a:b] = _run_partial(run, plan.baseline, calendar, touch, row_ptr[a : b + 1], _lane_record(out, a, b))
            plan.count(done[a:b])
    redo = np.flatnonzero(done < 0)
    if redo.size:  # the replications a partial simulation gave up on (or did not try): the whole map in lanes
        again = BatchTrajectories.allocate(redo.size, run.horizon, len(run.chain_names), run.n_firms)
        _run_lanes(run, *_batch_calendar(run, [rows[k] for k in redo]), again)
        for name in LaneRecord._fields:
            getattr(out, name)[redo] = getattr(again, name)
    return out


def _batch_calendar(run: CompiledRun, rows: list) -> tuple[Calendar, np.ndarray]:
    """The replications' shock rows (`CompiledRun.shock_columns` of each) one after another, and where each starts."""
    row_ptr = np.zeros(len(rows) + 1, dtype=np.int64)
    row_ptr[1:] = np.cumsum([r["shock_kind"].size for r in rows])
    calendar = _calendar({name: np.concatenate([r[name] for r in rows]) if rows else getattr(run, name) for name in SHOCK_COLUMNS})
    return calendar, row_ptr


def _run_lanes(run: CompiledRun, calendar: Calendar, row_ptr: np.ndarray, out: BatchTrajectories) -> None:
    """The whole map for every replication, `lanes_for(run)` side by side, or fewer where a batch is too small to
    give every thread a group (the replications a partial simulation gave up on, mostly)."""
    n = len(row_ptr) - 1
    width = max(1, min(lanes_for(run), -(-n // numba.get_num_threads())))
    group_ptr = np.unique(np.r_[np.arange(0, n, width), n]).astype(np.int64)
    chain_map, params = _chain_map(run), _params(run)
    if numba.get_num_threads() == 1:  # one group after another, without entering a parallel region
        for a, b in zip(group_ptr[:-1], group_ptr[1:]):
            lanes.simulate_group(chain_map, params, calendar, row_ptr[a : b + 1], _lane_record(out, a, b))
        return
    lanes.simulate_batch(chain_map, params, calendar, group_ptr, row_ptr, _lane_record(out, 0, n))


def _run_partial(run: CompiledRun, base: Baseline, calendar: Calendar, touch: np.ndarray, row_ptr: np.ndarray, record: LaneRecord) -> np.ndarray:
    """`partial_kernels.simulate_partial` for each replication of `row_ptr`: the share of the whole map's work it did, -1 if
    it gave up (its outputs are then to be computed again)."""
    done = np.zeros(len(row_ptr) - 1)
    args = (_chain_map(run), _params(run), calendar, np.ascontiguousarray(touch, dtype=np.bool_), row_ptr, base, record, PARTIAL_LIMIT, done)
    if numba.get_num_threads() == 1:
        partial_kernels.simulate_serial(*args)
    else:
        previous = numba.set_parallel_chunksize(1)  # replications differ in cost: hand them out one at a time
        try:
            partial_kernels.simulate_parallel(*args)
        finally:
            numba.set_parallel_chunksize(previous)
    return done


PARTIAL_LIMIT = 0.35
"""A partial simulation gives up once its active firms are bound to cost more than this share of the whole map's
firm-tick work: beyond it, the lanes kernel does the whole map for less (benchmarks/README.md, Partial simulation)."""
PARTIAL_PROBE = 8
"""The first replications of a compiled run that try a partial simulation; if most of them give up, the run's
batches go to the lanes kernel only (a scenario whose shocks reach the whole map: the flagship's)."""
PARTIAL_BYTES = 256 * 2**20
"""The largest baseline record a compiled run keeps for partial simulation; a bigger map runs in lanes."""


@dataclass(eq=False)
class PartialPlan:
    """A compiled run's baseline record and how its partial simulations went: tried, gave up, the work done by
    those that did not (in shares of the whole map's)."""

    baseline: Baseline
    tried: int = 0
    gave_up: int = 0
    work: float = 0.0
    usable: bool = True

    def count(self, done: np.ndarray) -> None:
        self.tried += done.size
        self.gave_up += int((done < 0).sum())
        self.work += float(done[done >= 0].sum())
        self.usable = self.gave_up * 2 <= self.tried


_plans: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_plans_lock = threading.Lock()


def partial_for(run: CompiledRun) -> PartialPlan | None:
    """The run's partial-simulation plan (its baseline recorded on first use), or None where batches run whole:
    `PARTIAL_LIMIT` 0 or less, a baseline record over `PARTIAL_BYTES`, or one that did not pay before."""
    if PARTIAL_LIMIT <= 0 or baseline_bytes(run) > PARTIAL_BYTES:
        return None
    with _plans_lock:
        plan = _plans.get(run)
        if plan is None:
            plan = _plans[run] = PartialPlan(record_baseline(run))
    return plan if plan.usable else None


def baseline_bytes(run: CompiledRun) -> int:
    """The size of `record_baseline(run)`'s series."""
    n, S, L, C, G = run.n_firms, run.n_slots, run.n_links, len(run.chain_names), int(run.n_groups)
    per_tick = 7 * n + 2 * S + L + 3 * C + (n if run.rationing == MIXED else 0) + (n * G if run.rationing == PRIORITY else 0)
    return 8 * run.horizon * (per_tick + (L if run.adaptive_sourcing else 0))


def record_baseline(run: CompiledRun) -> Baseline:
    """The run without shocks (its timed policies only), tick by tick, for partial simulation (`bundles.Baseline`)."""
    T, n, S, L, C, G = run.horizon, run.n_firms, run.n_slots, run.n_links, len(run.chain_names), int(run.n_groups)
    grouped, mixed = run.rationing == PRIORITY, run.rationing == MIXED
    slot_ptr, chain_ptr, chain_firm = _i8(run.slot_ptr), _i8(run.chain_ptr), _i8(run.chain_firm)
    chain_of = np.repeat(np.arange(C, dtype=np.int64), np.diff(chain_ptr))
    by_firm = np.lexsort((chain_of, chain_firm))
    in_links = np.diff(_i8(run.slot_link_ptr)[slot_ptr])
    out_links = np.bincount(_i8(run.link_supplier), minlength=n)
    base = Baseline(
        backlog=np.zeros((T, n)), inventory=np.zeros((T, S)), in_transit=np.zeros((T, S)),
        output=np.zeros((T, n)), final_new=np.zeros((T, n)), final_delivered=np.zeros((T, n)), fill=np.zeros((T, n)),
        final_goods_fill=np.zeros((T, n if mixed else 0)), tier_fill=np.zeros((T, n if grouped else 0, G)),
        orders=np.zeros((T, L)), share=np.zeros((T, L if run.adaptive_sourcing else 0)), min_ratio=np.zeros((T, n)),
        chain_output=np.zeros((T, C)), chain_final_demand=np.zeros((T, C)), chain_final_delivered=np.zeros((T, C)),
        slot_firm=np.repeat(np.arange(n, dtype=np.int64), np.diff(slot_ptr)),
        firm_chain_ptr=np.r_[0, np.cumsum(np.bincount(chain_firm, minlength=n))].astype(np.int64),
        firm_chain=np.ascontiguousarray(chain_of[by_firm]),
        work=(1 + np.diff(slot_ptr) + in_links + out_links).astype(np.int64),
    )  # fmt: skip
    calendar = _calendar(run.shock_columns(ShockTable.empty()))
    partial_kernels.record_baseline(_chain_map(run), _params(run), calendar, base)
    return base


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
