"""The Numba kernels' arguments, in documented bundles (named tuples of arrays and scalars).

`kernels.simulate(chain_map, params, calendar, record)` runs one compiled run, and `lanes.simulate_group(chain_map,
params, calendar, row_ptr, record)` a group of replications side by side; both build their `State`. Numba passes a
tuple as its members (nothing is copied or boxed inside the kernels), so a bundle costs nothing at run time; each
hot function unpacks the fields it uses at its top, so its loops see plain arrays (docs/engine.md).

Shapes: `n` firms, `S` input slots (one per firm and input product, CSR by firm), `L` links (ordered by customer
and slot), `C` chains ("total" first), `T` ticks (the horizon), `K` shock rows, `R` the ring length (a power of two,
`kernels.ring_length`), `G` rationing groups (`CompiledRun.n_groups`). In the lanes kernel every `State` array gains a last axis,
`lanes`, one entry per replication of the group; `ChainMap`, `Params` and `Calendar` are the same for both kernels.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class ChainMap(NamedTuple):
    """The compiled chain map, read only (`CompiledRun`'s arrays; float64 unless int64 is said)."""

    capacity: np.ndarray  # (n,) units per day a firm can make (timed CAPACITY rows change the State's copy)
    base_output: np.ndarray  # (n,) baseline units per day; 0 for a standby supplier
    final_demand: np.ndarray  # (n,) baseline final demand per day
    slot_ptr: np.ndarray  # (n + 1,) int64: firm i's inputs are slots slot_ptr[i]:slot_ptr[i + 1]
    slot_coef: np.ndarray  # (S,) units of the input per unit of output
    slot_necessity: np.ndarray  # (S,) int64: CRITICAL, IMPORTANT or NONCRITICAL (simcore.core.compiled)
    slot_target: np.ndarray  # (S,) target stock
    slot_pipeline: np.ndarray  # (S,) target in transit
    slot_link_ptr: np.ndarray  # (S + 1,) int64: slot s's suppliers are links slot_link_ptr[s]:slot_link_ptr[s + 1]
    link_supplier: np.ndarray  # (L,) int64: the supplying firm
    link_customer: np.ndarray  # (L,) int64: the customer firm
    link_slot: np.ndarray  # (L,) int64: the customer's input slot
    link_share: np.ndarray  # (L,) baseline share of the slot's orders
    link_lead: np.ndarray  # (L,) lead time, days
    link_group: np.ndarray  # (L,) int64: the order's rationing group at its supplier (CompiledRun.link_group)
    link_final_goods: np.ndarray  # (L,) the share of the order for final goods, the rest for intermediate goods (CompiledRun.link_final_goods)
    link_final_goods_group: np.ndarray  # (L,) int64: the final-goods part's rationing group (CompiledRun.link_final_goods_group)
    link_flow: np.ndarray  # (L,) baseline units per day
    out_ptr: np.ndarray  # (n + 1,) int64: supplier j's customer links are out_link[out_ptr[j]:out_ptr[j + 1]]
    out_link: np.ndarray  # (L,) int64
    chain_ptr: np.ndarray  # (C + 1,) int64: chain c's members are chain_firm[chain_ptr[c]:chain_ptr[c + 1]]
    chain_firm: np.ndarray  # (chain_ptr[C],) int64: member firms
    chain_weight: np.ndarray  # (chain_ptr[C],) the members' value weights


class Params(NamedTuple):
    """The run's scalar parameters (docs/model.md)."""

    horizon: int  # T, ticks to run
    tau: float  # days over which an inventory gap is ordered
    backlog_days: float  # days an unfilled final order waits, on average, before it is lost
    grouped: bool  # rationing by groups of the book (priority); else one or two fill ratios per supplier for its firms' orders
    mixed: bool  # mixed rationing: firms' orders for intermediate goods (`fill`), then for final goods (`final_goods_fill`), then final demand; else proportional
    n_groups: int  # rationing groups (CompiledRun.n_groups)
    adaptive: bool  # adaptive sourcing
    rho: float  # share recovery: the pull of each share back toward its baseline per day
    final_group: int  # the rationing group of final demand


class Calendar(NamedTuple):
    """The shock table, rows sorted by start (the order their onsets fire); each column (K,).

    In the lanes kernel, lane r's rows are `row_ptr[r]:row_ptr[r + 1]`, each lane's sorted by start.
    """

    kind: np.ndarray  # int64: DAMAGE, DEMAND, CLOSE, LEAD (effects while live), SOURCE, TARGET, CAPACITY (set at onset)
    target: np.ndarray  # int64: a firm, a slot (TARGET) or a compiled link
    value: np.ndarray  # the effect at full intensity
    start: np.ndarray  # onset, days
    duration: np.ndarray  # days at full intensity
    profile: np.ndarray  # int64: the recovery profile (recovery.intensity)
    param: np.ndarray  # the profile's parameter (recovery days, half-life)


class State(NamedTuple):
    """What changes as a run goes: built by the kernel at t = 0, then updated tick by tick.

    Shapes are the single run's; in the lanes kernel each array has a last axis more, (..., lanes).
    """

    # what timed policies change, for good: the kernel's own copies of the map's arrays
    capacity: np.ndarray  # (n,)
    slot_target: np.ndarray  # (S,)
    slot_pipeline: np.ndarray  # (S,)
    base_share: np.ndarray  # (L,) baseline shares (SOURCE rows move them)
    # stocks, transit and orders
    share: np.ndarray  # (L,) current shares of the slot's orders
    inventory: np.ndarray  # (S,)
    in_transit: np.ndarray  # (S,)
    ring: np.ndarray  # (R, S) units arriving at tick t in bucket t mod R
    orders: np.ndarray  # (L,) the last orders placed on each link
    ordered: np.ndarray  # (n,) each supplier's order book for the next tick
    tier_ordered: np.ndarray  # (n, G) the book by rationing group when grouped, else (0, G)
    backlog: np.ndarray  # (n,) unfilled final demand carried over
    # effects of the live shock rows
    damage: np.ndarray  # (n,) fraction of capacity lost
    damage_next: np.ndarray  # (n,) what the live damage rows will take tomorrow (orders plan on it)
    demand_factor: np.ndarray  # (n,) factor on final demand
    closed: np.ndarray  # (L,) bool
    lead_factor: np.ndarray  # (L,) factor on lead time
    # the tick's scratch
    plan: np.ndarray  # (n,) what each firm plans to make tomorrow: its order book, up to tomorrow's capacity (orders)
    short: np.ndarray  # (n,) bool: some input's position after production is below its use at the plan (it may bind the orders); lanes: in some lane, still (n,)
    output: np.ndarray  # (n,)
    fill: np.ndarray  # (n,) each supplier's fill ratio of its firms' orders (proportional), of their part for intermediate goods (mixed)
    final_goods_fill: np.ndarray  # (n,) each supplier's fill ratio of its firms' orders' part for final goods when mixed, else (0,)
    tier_fill: np.ndarray  # (n, G) fill ratio by rationing group when grouped, else (1, G)
    final_new: np.ndarray  # (n,) new final demand
    final_delivered: np.ndarray  # (n,)
    weight: np.ndarray  # (L,) adaptive sourcing's scratch, (0,) without it


class Record(NamedTuple):
    """`kernels.simulate`'s outputs, preallocated by the caller (`Trajectories.allocate`)."""

    totals: np.ndarray  # (T, 10) columns in simcore.engines.trajectories.TOTALS order
    chain_output: np.ndarray  # (T, C)
    chain_final_demand: np.ndarray  # (T, C)
    chain_final_delivered: np.ndarray  # (T, C)
    firm_min_ratio: np.ndarray  # (n,) lowest output / base output so far, inf to start
    firm_output: np.ndarray  # (T, n), or (0, n): per-firm trajectories are not recorded
    firm_final_delivered: np.ndarray  # (T, n), or (0, n)


class LaneRecord(NamedTuple):
    """The lanes kernel's outputs, lane (replication) first, preallocated by the caller (`BatchTrajectories`)."""

    chain_output: np.ndarray  # (lanes, T, C)
    chain_final_demand: np.ndarray  # (lanes, T, C)
    chain_final_delivered: np.ndarray  # (lanes, T, C)
    firm_min_ratio: np.ndarray  # (lanes, n)


class Baseline(NamedTuple):
    """A compiled run's baseline run (no shocks, its timed policies), tick by tick, and the index arrays a partial
    simulation needs (`partial.py`): what it replays for the firms a replication's shocks have not reached.

    Row `t` of a series is tick `t`: state "at the start" is before the tick's shock onsets; fill ratios and flows
    are the tick's; orders and shares are those left at the end of the tick (placed in its slot pass).
    """

    backlog: np.ndarray  # (T, n) at the start of the tick
    inventory: np.ndarray  # (T, S) at the start of the tick
    in_transit: np.ndarray  # (T, S) at the start of the tick
    output: np.ndarray  # (T, n)
    final_new: np.ndarray  # (T, n)
    final_delivered: np.ndarray  # (T, n)
    fill: np.ndarray  # (T, n)
    final_goods_fill: np.ndarray  # (T, n) when mixed, else (T, 0)
    tier_fill: np.ndarray  # (T, n, G) when grouped, else (T, 0, G)
    orders: np.ndarray  # (T, L) placed in the tick
    share: np.ndarray  # (T, L) at the end of the tick with adaptive sourcing, else (T, 0): shares move only then
    min_ratio: np.ndarray  # (T, n) lowest output / base output up to the tick, inf for a standby supplier
    chain_output: np.ndarray  # (T, C)
    chain_final_demand: np.ndarray  # (T, C)
    chain_final_delivered: np.ndarray  # (T, C)
    slot_firm: np.ndarray  # (S,) int64: the firm an input slot belongs to
    firm_chain_ptr: np.ndarray  # (n + 1,) int64: firm i is a member of chains firm_chain[firm_chain_ptr[i]:firm_chain_ptr[i + 1]]
    firm_chain: np.ndarray  # int64
    work: np.ndarray  # (n,) int64: a firm's share of a tick's work (1 + its inputs, in-links and out-links)
