"""Partial simulation: a replication simulates only the firms its shocks reach, the rest replayed from the baseline.

A knock-out of one firm moves, over a 30-day horizon, a few hundred firms of a 2,000-firm map off the baseline; the
others compute the baseline run's numbers again (benchmarks/README.md, Partial simulation). Here a replication
starts with no firm *active*; a firm joins the active set, for good, at the first tick its state can leave the
baseline run's (docs/engine.md, Only what a shock reaches: partial simulation):

- at the onset of a shock row that touches it (its damage or demand, a closed link at either end, a slowed link's
  customer, a timed-policy row of the replication's own on its capacity, inputs or shares);
- at the start of the tick after an active customer ordered from it an amount other than the baseline's;
- in the tick, before the slot pass, where an active supplier's fill ratio differs from the baseline's.

An active firm runs the kernels' own firm and slot passes (`kernels.produce_firms`, `kernels.ship_customers`); what it
reads from an inactive neighbour (a supplier's fill ratio, a customer's order) comes from the recorded baseline
(`bundles.Baseline`), and a joining firm's state is loaded from it: stock, transit and backlog as recorded, its
ring of arrivals rebuilt from the recorded orders and fill ratios in the order the whole-map run added them. Every
sum the batch keeps (order books, chain series) is added over all its terms in the whole-map order, with recorded
values for inactive firms, so a replication's numbers are bit for bit those of the whole-map run
(tests/engines/test_partial.py). A replication whose active set grows past `limit` of the whole map's work stops
early (-1) and is run by the lanes kernel instead (engine.run_numba_batch).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from simcore.core.primitives import CAPACITY, CLOSE, DAMAGE, DEMAND, LEAD, SOURCE
from simcore.engines.numba.bundles import Calendar, Record
from simcore.engines.numba.kernels import (
    arrival_tick,
    gather_books,
    initial_state,
    open_tick,
    produce_and_ration,
    produce_firms,
    record_tick,
    ship_and_order,
    ship_customers,
)


@njit(cache=True, nogil=True)
def record_baseline(chain_map, params, calendar, base):
    """`kernels.simulate` on the baseline's `calendar` (timed policies only), writing the `bundles.Baseline` series."""
    state, live, any_lead_row, _, _, _ = initial_state(chain_map, params, calendar)
    n, T = len(state.capacity), params.horizon
    row = np.zeros(10)
    record = Record(
        totals=np.zeros((1, 10)), chain_output=base.chain_output, chain_final_demand=base.chain_final_demand,
        chain_final_delivered=base.chain_final_delivered, firm_min_ratio=np.full(n, np.inf),
        firm_output=np.zeros((0, n)), firm_final_delivered=np.zeros((0, n)),
    )  # fmt: skip
    next_row = n_live = 0
    for t in range(T):
        base.backlog[t] = state.backlog
        base.inventory[t] = state.inventory
        base.in_transit[t] = state.in_transit
        next_row, n_live, any_closed = open_tick(t, next_row, n_live, live, calendar, chain_map, params, state)
        produce_and_ration(chain_map, params, state, row)
        base.output[t] = state.output
        base.final_new[t] = state.final_new
        base.final_delivered[t] = state.final_delivered
        base.fill[t] = state.fill
        if params.mixed:
            base.final_goods_fill[t] = state.final_goods_fill
        if params.grouped:
            base.tier_fill[t] = state.tier_fill
        state.ordered[:] = 0.0
        if params.grouped:
            state.tier_ordered[:, :] = 0.0
        ship_and_order(t, chain_map, params, state, any_closed, any_lead_row and n_live > 0, row)
        base.orders[t] = state.orders
        if params.adaptive:
            base.share[t] = state.share
        record_tick(t, chain_map, state, record)
        base.min_ratio[t] = record.firm_min_ratio


@njit(cache=True, inline="always")
def baseline_ratio(u, link, j, chain_map, params, base):
    """The fill ratio supplier `j` gave `link`'s order at tick `u` of the baseline run (`kernels.ship`)."""
    if params.grouped:
        g, fg = chain_map.link_group[link], chain_map.link_final_goods_group[link]
        return base.tier_fill[u, j, g] + chain_map.link_final_goods[link] * (base.tier_fill[u, j, fg] - base.tier_fill[u, j, g])
    if params.mixed:
        return base.fill[u, j] + chain_map.link_final_goods[link] * (base.final_goods_fill[u, j] - base.fill[u, j])
    return base.fill[u, j]


@njit(cache=True, inline="always")
def fill_moved(j, t, params, state, base):
    """Whether active supplier `j`'s fill ratios of tick `t` differ from the baseline run's."""
    if params.grouped:
        for g in range(state.tier_fill.shape[1]):
            if state.tier_fill[j, g] != base.tier_fill[t, j, g]:
                return True
        return False
    if params.mixed and state.final_goods_fill[j] != base.final_goods_fill[t, j]:
        return True
    return state.fill[j] != base.fill[t, j]


@njit(cache=True)
def load_firm(i, t, replay_lo, replay_hi, chain_map, params, calendar, state, base, active, firm_min_ratio):
    """Firm `i`'s state at the start of tick `t` from the baseline run, as if it had been simulated: what it holds
    (stock, transit, backlog, its ring of arrivals, its last orders and shares) and its order book for the tick.
    A firm joining after tick `t`'s onsets (`replay_lo < replay_hi`) also takes those rows' changes to its shares."""
    if t == 0:  # the initial state is every firm's: nothing has moved yet
        return
    slot_ptr, slot_link_ptr, link_supplier, link_customer, link_lead, link_flow = (
        chain_map.slot_ptr, chain_map.slot_link_ptr, chain_map.link_supplier, chain_map.link_customer, chain_map.link_lead, chain_map.link_flow,
    )  # fmt: skip
    ring, inventory, in_transit, orders, share = state.ring, state.inventory, state.in_transit, state.orders, state.share
    R = ring.shape[0]
    mask = R - 1
    state.backlog[i] = base.backlog[t, i]
    for s in range(slot_ptr[i], slot_ptr[i + 1]):
        inventory[s] = base.inventory[t, s]
        in_transit[s] = base.in_transit[t, s]
        lo, hi = slot_link_ptr[s], slot_link_ptr[s + 1]
        ring[:, s] = 0.0
        # what is still to arrive, added as the whole-map run added it: the start-up pipeline (kernels.initial_state),
        # then each tick's shipments, link by link
        for link in range(lo, hi):
            lead = link_lead[link]
            for sent in range(-max(1, math.ceil(lead)), 0):
                a = math.ceil(max(0.0, sent + lead))
                if a > t:
                    ring[a & mask, s] += link_flow[link]
        for u in range(max(0, t - R), t):
            for link in range(lo, hi):
                book = base.orders[u - 1, link] if u > 0 else link_flow[link]
                units = book * baseline_ratio(u, link, link_supplier[link], chain_map, params, base)
                if units > 0.0:
                    a = arrival_tick(u, link_lead[link])
                    if a > t:
                        ring[a & mask, s] += units
        for link in range(lo, hi):
            orders[link] = base.orders[t - 1, link]
            if params.adaptive:
                share[link] = base.share[t - 1, link]
    if params.adaptive:  # timed-policy rows of this tick already applied to the others' shares (kernels.apply_set)
        kind, target, value, link_slot = calendar.kind, calendar.target, calendar.value, chain_map.link_slot
        for r in range(replay_lo, replay_hi):
            g = target[r]
            if kind[r] == SOURCE and link_customer[g] == i:
                for link in range(slot_link_ptr[link_slot[g]], slot_link_ptr[link_slot[g] + 1]):
                    factor = 0.0 if link == g else 1.0 - value[r]
                    add = value[r] if link == g else 0.0
                    share[link] = share[link] * factor + add
    for m in range(chain_map.out_ptr[i], chain_map.out_ptr[i + 1]):
        link = chain_map.out_link[m]
        if not active[link_customer[link]]:
            orders[link] = base.orders[t - 1, link]
    gather_books(np.array([i, i + 1]), chain_map, params, state)
    firm_min_ratio[i] = base.min_ratio[t - 1, i]


@njit(cache=True, nogil=True)
def simulate_partial(chain_map, params, calendar, touch, base, chain_output, chain_final_demand, chain_final_delivered, firm_min_ratio, limit):
    """One replication on `calendar` (sorted by start; `touch[k]`: row k is the replication's own, not a baseline
    policy), simulating only its active firms; writes its chain series (T, C) and lowest output ratios (n,).
    Returns the share of the whole map's firm-tick work it did, or -1.0 if that was going to exceed `limit`
    (the outputs are then incomplete)."""
    state, live, any_lead_row, _, _, _ = initial_state(chain_map, params, calendar)
    n, T, C = len(state.capacity), params.horizon, len(chain_map.chain_ptr) - 1
    kind, target, start = calendar.kind, calendar.target, calendar.start
    slot_ptr, slot_link_ptr, link_supplier, link_customer, out_ptr, out_link, base_output = (
        chain_map.slot_ptr, chain_map.slot_link_ptr, chain_map.link_supplier, chain_map.link_customer,
        chain_map.out_ptr, chain_map.out_link, chain_map.base_output,
    )  # fmt: skip
    chain_ptr, chain_firm, chain_weight = chain_map.chain_ptr, chain_map.chain_firm, chain_map.chain_weight
    orders, output, final_new, final_delivered = state.orders, state.output, state.final_new, state.final_delivered
    grouped, mixed, n_groups = params.grouped, params.mixed, params.n_groups
    active = np.zeros(n, dtype=np.bool_)
    pending = np.zeros(n, dtype=np.bool_)
    members = np.empty(n, dtype=np.int64)
    queue = np.empty(n, dtype=np.int64)
    chain_active = np.zeros(C, dtype=np.int64)
    joiners = np.empty(2, dtype=np.int64)
    runs, fresh_runs = np.empty(2 * n, dtype=np.int64), np.empty(2 * n, dtype=np.int64)  # ranges of active firms (kernels.produce_firms)
    n_runs = n_ranged = 0
    none = np.empty(0)
    firm_min_ratio[:] = np.inf
    whole = float(base.work.sum()) * T
    spent = 0.0
    active_work = n_members = n_queue = scan = next_row = n_live = 0
    for t in range(T):
        # the firms this tick's onsets touch, and those an active customer ordered from differently, join first
        while scan < len(kind) and start[scan] <= t:
            g, k = target[scan], kind[scan]
            joiners[0] = joiners[1] = -1
            if touch[scan]:
                if k == DAMAGE or k == DEMAND or k == CAPACITY:
                    joiners[0] = g
                elif k == CLOSE:
                    joiners[0], joiners[1] = link_customer[g], link_supplier[g]
                elif k == LEAD or k == SOURCE:
                    joiners[0] = link_customer[g]
                else:  # TARGET: a slot
                    joiners[0] = base.slot_firm[g]
            scan += 1
            for i in joiners:
                if i >= 0 and not active[i]:
                    load_firm(i, t, 0, 0, chain_map, params, calendar, state, base, active, firm_min_ratio)
                    active_work, n_members = join(i, active, members, n_members, chain_active, base, active_work)
        for q in range(n_queue):
            i = queue[q]
            pending[i] = False
            if not active[i]:
                load_firm(i, t, 0, 0, chain_map, params, calendar, state, base, active, firm_min_ratio)
                active_work, n_members = join(i, active, members, n_members, chain_active, base, active_work)
        n_queue = 0
        first_row = next_row
        next_row, n_live, any_closed = open_tick(t, next_row, n_live, live, calendar, chain_map, params, state)

        # firm pass; a supplier whose fill ratios left the baseline brings its customers in before the slot pass
        if n_members > n_ranged:
            n_runs = ranges_of(members, 0, n_members, runs)
            n_ranged = n_members
        done = 0
        while done < n_members:
            last = n_members
            fresh = n_runs if done == 0 else ranges_of(members, done, last, fresh_runs)
            produce_firms(runs[: 2 * n_runs] if done == 0 else fresh_runs[: 2 * fresh], chain_map, params, state, False, none, none)
            for k in range(done, last):
                j = members[k]
                if not fill_moved(j, t, params, state, base):
                    continue
                for m in range(out_ptr[j], out_ptr[j + 1]):
                    i = link_customer[out_link[m]]
                    if not active[i]:
                        load_firm(i, t, first_row, next_row, chain_map, params, calendar, state, base, active, firm_min_ratio)
                        active_work, n_members = join(i, active, members, n_members, chain_active, base, active_work)
            done = last
        if n_members > n_ranged:
            n_runs = ranges_of(members, 0, n_members, runs)
            n_ranged = n_members

        # slot pass of the active customers, inactive suppliers' fill ratios from the baseline
        any_lead = any_lead_row and n_live > 0
        for k in range(n_members):
            i = members[k]
            lo, hi = slot_link_ptr[slot_ptr[i]], slot_link_ptr[slot_ptr[i + 1]]
            for link in range(lo, hi):
                j = link_supplier[link]
                if not active[j]:
                    state.fill[j] = base.fill[t, j]
                    if mixed:
                        state.final_goods_fill[j] = base.final_goods_fill[t, j]
                    if grouped:
                        for g in range(n_groups):  # a loop, not a slice: this runs for every boundary link and tick
                            state.tier_fill[j, g] = base.tier_fill[t, j, g]
        ship_customers(t, runs[: 2 * n_runs], chain_map, params, state, any_closed, any_lead, False, False, none)
        for k in range(n_members):
            i = members[k]
            for link in range(slot_link_ptr[slot_ptr[i]], slot_link_ptr[slot_ptr[i + 1]]):
                j = link_supplier[link]
                if not active[j] and not pending[j] and orders[link] != base.orders[t, link]:
                    pending[j] = True
                    queue[n_queue] = j
                    n_queue += 1
        # active suppliers' books for the next tick, inactive customers' orders from the baseline
        for k in range(n_members):
            j = members[k]
            for m in range(out_ptr[j], out_ptr[j + 1]):
                link = out_link[m]
                if not active[link_customer[link]]:
                    orders[link] = base.orders[t, link]
        gather_books(runs[: 2 * n_runs], chain_map, params, state)

        # what the batch keeps (kernels.record_tick), inactive firms' terms from the baseline
        for c in range(C):
            if chain_active[c] == 0:
                chain_output[t, c] = base.chain_output[t, c]
                chain_final_demand[t, c] = base.chain_final_demand[t, c]
                chain_final_delivered[t, c] = base.chain_final_delivered[t, c]
                continue
            out = dem = dlv = 0.0
            for k in range(chain_ptr[c], chain_ptr[c + 1]):
                w, i = chain_weight[k], chain_firm[k]
                if active[i]:
                    out += w * output[i]
                    dem += w * final_new[i]
                    dlv += w * final_delivered[i]
                else:
                    out += w * base.output[t, i]
                    dem += w * base.final_new[t, i]
                    dlv += w * base.final_delivered[t, i]
            chain_output[t, c] = out
            chain_final_demand[t, c] = dem
            chain_final_delivered[t, c] = dlv
        for k in range(n_members):
            i = members[k]
            if base_output[i] > 0.0:
                firm_min_ratio[i] = min(firm_min_ratio[i], output[i] / base_output[i])
        spent += active_work
        if spent + active_work * (T - 1 - t) > limit * whole:  # the active set only grows: this is the least left
            return -1.0
    for i in range(n):
        if not active[i]:
            firm_min_ratio[i] = base.min_ratio[T - 1, i]
    return spent / whole


@njit(cache=True)
def ranges_of(members, lo, hi, runs):
    """`members[lo:hi]` as sorted ranges [lo, hi, lo, hi, ...] into `runs`; returns how many."""
    firms = np.sort(members[lo:hi])
    n_runs = 0
    for k in range(len(firms)):
        if n_runs > 0 and runs[2 * n_runs - 1] == firms[k]:
            runs[2 * n_runs - 1] += 1
        else:
            runs[2 * n_runs] = firms[k]
            runs[2 * n_runs + 1] = firms[k] + 1
            n_runs += 1
    return n_runs


@njit(cache=True)
def join(i, active, members, n_members, chain_active, base, active_work):
    """Firm `i` joins the active set (its state loaded); returns the active set's work per tick and size."""
    active[i] = True
    members[n_members] = i
    for k in range(base.firm_chain_ptr[i], base.firm_chain_ptr[i + 1]):
        chain_active[base.firm_chain[k]] += 1
    return active_work + base.work[i], n_members + 1


@njit(cache=True, inline="always")
def replication(r, chain_map, params, calendar, touch, row_ptr, base, record, limit, done):
    """Replication `r` of a batch: `calendar` rows `row_ptr[r]:row_ptr[r + 1]` into `record[...][r]`."""
    a, b = row_ptr[r], row_ptr[r + 1]
    rows = Calendar(
        kind=calendar.kind[a:b], target=calendar.target[a:b], value=calendar.value[a:b], start=calendar.start[a:b],
        duration=calendar.duration[a:b], profile=calendar.profile[a:b], param=calendar.param[a:b],
    )  # fmt: skip
    done[r] = simulate_partial(
        chain_map, params, rows, touch[a:b], base, record.chain_output[r], record.chain_final_demand[r],
        record.chain_final_delivered[r], record.firm_min_ratio[r], limit,
    )  # fmt: skip


@njit(cache=True, nogil=True)
def simulate_serial(chain_map, params, calendar, touch, row_ptr, base, record, limit, done):
    """Replications one after another (one thread: a Dask worker's task); `done[r]`: `simulate_partial`'s result."""
    for r in range(len(row_ptr) - 1):
        replication(r, chain_map, params, calendar, touch, row_ptr, base, record, limit, done)


@njit(cache=True, parallel=True)
def simulate_parallel(chain_map, params, calendar, touch, row_ptr, base, record, limit, done):
    """`simulate_serial` with the replications spread over Numba's threads."""
    for r in prange(len(row_ptr) - 1):
        replication(r, chain_map, params, calendar, touch, row_ptr, base, record, limit, done)
