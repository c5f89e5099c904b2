"""Numba kernels: one replication of MODEL.md §3-4 over flat arrays, the day loop inside one call.

Every function here is a module-level `@njit(cache=True)` free function over
NumPy arrays and scalars; `engine.run_numba` prepares the arrays and owns the
outputs. The kernels follow `simcore.engines.reference` step by step, with the
same floating-point operations in the same order, so that the two engines
agree to the last bit wherever the reference does not call into BLAS:

- Python's `min`/`max` are mirrored argument for argument (`_pmin`, `_pmax`),
  numpy's pairwise `sum` is mirrored by `np_sum`, and the shock intensity is
  `recovery.intensity` itself, compiled so that it calls libm's `pow` as
  Python does. Only the chain aggregates (the reference's `np.dot`) and the
  `arrived` total (summed per input slot here, in calendar order there) are
  summed in a different order; they are recorded, never read back.
- The SimPy calendar is replaced by a ring buffer per link indexed by arrival
  tick (modulo a power of 2). A shipment sent in tick `t` fires at time
  `a = t + lead * lead_factor` and is used in tick `max(t + 1, ceil(a))`.
  Each ring entry keeps `a` and the order in which the reference would have
  scheduled it (`seq`), and the arrivals of one input slot in one tick are
  applied in `(a, seq)` order, the calendar's own order, so inventories and
  in-transit sums match exactly.
- Shock rows arrive sorted by start (stable, i.e. in the order the reference
  fires their onset events); the rows in force in tick `t` are a prefix of
  that order, kept as a compact "live" list from which rows whose intensity
  has fallen to 0 for good are dropped.

Lead times depend on the shock table only, never on the state, so the ring's
shape (ticks ahead, entries per link and tick) is computed by a dry run of the
calendar before the simulation (`ring_shape`).
"""

from __future__ import annotations

import math
import types

import numpy as np
from numba import njit

from simcore.engines import recovery

# Primitive shock kinds as the kernels read them; engine.py checks them against simcore.scenario.shocks.
DAMAGE, DEMAND, CLOSE, LEAD = 0, 1, 2, 3
N_TIERS = 10  # priority tiers 0..9

# Totals columns the kernel fills, by position in `col` (engine.py maps them to Trajectories.totals by name).
TOTALS_ORDER = ("produced", "consumed", "shipped", "arrived", "inventory", "in_transit", "final_demand", "final_delivered", "lost_sales", "backlog")
_PRODUCED, _CONSUMED, _SHIPPED, _ARRIVED, _INVENTORY, _IN_TRANSIT, _FINAL_DEMAND, _FINAL_DELIVERED, _LOST, _BACKLOG = range(10)


def _compile_intensity():
    """The one definition of shock intensity (`recovery.intensity`), compiled without optimisation.

    Optimised, LLVM rewrites the exponential profile's `0.5 ** x` as `exp2(-x)`, which differs from the
    libm `pow` the reference calls by one ulp in about 1 case in 1000; unoptimised (Numba's `_dbg_optnone`)
    it calls `pow` like the reference. The function is compiled as a copy under its own name because
    Numba's on-disk cache is keyed by name and source, not by options: another `njit(cache=True)` of
    `recovery.intensity` would otherwise share (and overwrite) the cache entry.
    """
    f = recovery.intensity
    copy = types.FunctionType(f.__code__, f.__globals__, f.__name__, f.__defaults__, f.__closure__)
    copy.__qualname__ = "intensity_unoptimised"
    return njit(cache=True, _dbg_optnone=True)(copy)


intensity = _compile_intensity()


# --- scalar helpers ------------------------------------------------------------------
@njit(cache=True)
def _pmax(a, b):
    """Python's `max(a, b)`: `a` unless `b > a`."""
    return b if b > a else a


@njit(cache=True)
def _pmin(a, b):
    """Python's `min(a, b)`: `a` unless `b < a`."""
    return b if b < a else a


@njit(cache=True)
def _pairwise_block(a, lo, n):
    """numpy's `pairwise_sum_DOUBLE` for `n <= 128`: 8 accumulators, then the rest one by one."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    stop = n - n % 8
    while i < stop:
        j = lo + i
        r0 += a[j]
        r1 += a[j + 1]
        r2 += a[j + 2]
        r3 += a[j + 3]
        r4 += a[j + 4]
        r5 += a[j + 5]
        r6 += a[j + 6]
        r7 += a[j + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@njit(cache=True)
def _split(n):
    n2 = n // 2
    return n2 - n2 % 8


@njit(cache=True)
def _pairwise(a, lo, n):
    """numpy's pairwise summation of `a[lo:lo + n]`, bit for bit: above 128 elements numpy returns
    `sum(first n2) + sum(rest)` recursively; the recursion runs here on an explicit stack, because
    Numba cannot load recursive functions from its cache (numba issue #6061)."""
    if n <= 128:
        return _pairwise_block(a, lo, n)
    f_lo = np.empty(64, dtype=np.int64)  # frames: a range, its stage (1: left half pending, 2: right half pending)
    f_n = np.empty(64, dtype=np.int64)
    f_stage = np.empty(64, dtype=np.int64)
    f_left = np.empty(64)
    sp = 0
    f_lo[0], f_n[0] = lo, n
    while True:
        if f_n[sp] > 128:  # expand: left half first
            f_stage[sp] = 1
            f_lo[sp + 1], f_n[sp + 1] = f_lo[sp], _split(f_n[sp])
            sp += 1
            continue
        v = _pairwise_block(a, f_lo[sp], f_n[sp])
        sp -= 1
        while sp >= 0 and f_stage[sp] == 2:  # a right half is done: combine and pass up
            v = f_left[sp] + v
            sp -= 1
        if sp < 0:
            return v
        f_left[sp] = v  # a left half is done: now the right half
        f_stage[sp] = 2
        n2 = _split(f_n[sp])
        f_lo[sp + 1], f_n[sp + 1] = f_lo[sp] + n2, f_n[sp] - n2
        sp += 1


@njit(cache=True)
def np_sum(a, lo, n):
    """`a[lo:lo + n].sum()` exactly as numpy computes it for a contiguous float64 array.

    In hot loops over short ranges, callers spell out the `n < 8` case (a plain loop from 0.0) instead:
    the call itself costs more than the sum.
    """
    return 0.0 + _pairwise(a, lo, n)


@njit(cache=True)
def arrival(t, lead):
    """Time `a` at which a shipment sent in tick `t` with effective lead time `lead` fires, and the tick that uses it."""
    a = t + lead
    return a, max(t + 1, math.ceil(a))


@njit(cache=True)
def initial_delay(lead):
    """Ticks of baseline shipments in transit at t = 0 (`compile.delay_ticks(0, lead)`)."""
    return max(1, math.ceil(0 + lead))


# --- shocks ----------------------------------------------------------------------------
@njit(cache=True)
def _activate(t, next_row, live, n_live, start):
    """Rows whose onset (at time `start`) fires before tick `t` join the live list, in firing order."""
    while next_row < len(start) and start[next_row] <= t:
        live[n_live] = next_row
        n_live += 1
        next_row += 1
    return next_row, n_live


@njit(cache=True)
def apply_shocks(t, live, n_live, kind, target, value, start, duration, profile, param, damage, demand_factor, closed, lead_factor):
    """Effects of the live rows in tick `t` (reference step 1); returns the new live count, dead rows dropped."""
    damage[:] = 0.0
    demand_factor[:] = 1.0
    closed[:] = False
    lead_factor[:] = 1.0
    kept = 0
    for k in range(n_live):
        s = live[k]
        level = intensity(t, start[s], duration[s], profile[s], param[s])
        g, v = target[s], value[s]
        if kind[s] == DAMAGE:
            damage[g] = _pmax(damage[g], v * level)
        elif kind[s] == DEMAND:
            demand_factor[g] *= 1.0 + (v - 1.0) * level
        elif kind[s] == CLOSE:
            closed[g] = closed[g] or level > 0.0
        elif kind[s] == LEAD:
            lead_factor[g] *= 1.0 + (v - 1.0) * level
        # intensity only falls after the end of the shock: once 0 there, the row has no effect any more
        if level != 0.0 or t < start[s] + duration[s]:
            live[kept] = s
            kept += 1
    return kept


@njit(cache=True)
def ring_shape(horizon, n_firms, link_lead, kind, target, value, start, duration, profile, param):
    """(ticks, depth) of the shipment ring: arrivals lie less than `ticks` ahead (a power of 2, so that a
    tick's bucket is `tick & (ticks - 1)`); `depth` bounds the shipments of one link arriving in one tick
    (more than 1 only when lead times shrink, or by rounding)."""
    n_links = len(link_lead)
    fmax = np.ones(n_links)  # bound on each link's lead factor: intensity is in [0, 1]
    for s in range(len(kind)):
        if kind[s] == LEAD:
            fmax[target[s]] *= max(1.0, value[s])
    bound = 2
    for link in range(n_links):
        bound = max(bound, math.ceil(link_lead[link] * fmax[link] * (1.0 + 1e-12)) + 3)
    ticks = 2
    while ticks < bound:
        ticks *= 2
    mask = ticks - 1

    count = np.zeros((ticks, n_links), dtype=np.int64)
    depth = 1
    for link in range(n_links):
        for sent in range(-initial_delay(link_lead[link]), 0):
            x = sent + link_lead[link]
            b = math.ceil(_pmax(0.0, x)) & mask
            count[b, link] += 1
            depth = max(depth, count[b, link])
    live = np.empty(len(kind), dtype=np.int64)
    next_row, n_live = 0, 0
    damage = np.zeros(n_firms)
    demand_factor = np.ones(n_firms)
    closed = np.zeros(n_links, dtype=np.bool_)
    lead_factor = np.ones(n_links)
    for t in range(horizon):
        count[t & mask, :] = 0  # this tick's arrivals are used
        next_row, n_live = _activate(t, next_row, live, n_live, start)
        n_live = apply_shocks(t, live, n_live, kind, target, value, start, duration, profile, param, damage, demand_factor, closed, lead_factor)
        for link in range(n_links):
            _, tick = arrival(t, link_lead[link] * lead_factor[link])
            if tick - t >= ticks:
                raise RuntimeError("shipment ring too short for a lead time (bound on lead factors violated)")
            b = tick & mask
            count[b, link] += 1
            depth = max(depth, count[b, link])
    return ticks, depth


# --- the tick's steps ------------------------------------------------------------------
@njit(cache=True)
def _push(link, tick, units, a, seq, ring_count, ring_units, ring_time, ring_seq):
    b = tick & (ring_count.shape[0] - 1)
    d = ring_count[b, link]
    if d == ring_units.shape[1]:
        raise RuntimeError("shipment ring too shallow (ring_shape undercounted)")
    ring_units[b, d, link] = units
    ring_time[b, d, link] = a
    ring_seq[b, d, link] = seq
    ring_count[b, link] = d + 1


@njit(cache=True)
def receive(t, slot_link_ptr, ring_count, ring_units, ring_time, ring_seq, inventory, in_transit, sc_units, sc_time, sc_seq):
    """Shipments used in tick `t` join inventories, per slot in calendar order `(a, seq)`; returns the units."""
    b = t & (ring_count.shape[0] - 1)
    count = ring_count[b]
    arrived = 0.0
    for s in range(len(inventory)):
        lo, hi = slot_link_ptr[s], slot_link_ptr[s + 1]
        if hi - lo == 1 and count[lo] <= 1:  # the common case: one supplier, at most one shipment
            if count[lo] == 1:
                u = ring_units[b, 0, lo]
                inventory[s] += u
                in_transit[s] -= u
                arrived += u
                count[lo] = 0
            continue
        m = 0
        for link in range(lo, hi):
            for d in range(count[link]):
                u, a, q = ring_units[b, d, link], ring_time[b, d, link], ring_seq[b, d, link]
                j = m  # insertion sort: few arrivals per slot and tick
                while j > 0 and (sc_time[j - 1] > a or (sc_time[j - 1] == a and sc_seq[j - 1] > q)):
                    sc_units[j], sc_time[j], sc_seq[j] = sc_units[j - 1], sc_time[j - 1], sc_seq[j - 1]
                    j -= 1
                sc_units[j], sc_time[j], sc_seq[j] = u, a, q
                m += 1
            count[link] = 0
        for j in range(m):
            inventory[s] += sc_units[j]
            in_transit[s] -= sc_units[j]
            arrived += sc_units[j]
    return arrived


@njit(cache=True)
def produce(
    capacity, damage, final_demand, demand_factor, closed, orders, backlog,
    out_ptr, out_link, slot_ptr, slot_coef, inventory, book, final_new, firm_demand, output,
):  # fmt: skip
    """Reference steps 2-3: order book, Leontief production, consumption; returns the units consumed."""
    consumed = 0.0
    for link in range(len(orders)):
        book[link] = 0.0 if closed[link] else orders[link]
    for i in range(len(capacity)):
        final_new[i] = final_demand[i] * demand_factor[i]
    for i in range(len(capacity)):
        cap = capacity[i] * (1.0 - damage[i])
        ordered = 0.0
        for k in range(out_ptr[i], out_ptr[i + 1]):
            ordered += book[out_link[k]]
        firm_demand[i] = ordered + final_new[i] + backlog[i]
        input_limit = math.inf
        for s in range(slot_ptr[i], slot_ptr[i + 1]):
            input_limit = _pmin(input_limit, inventory[s] / slot_coef[s])
        output[i] = _pmin(_pmin(cap, input_limit), firm_demand[i])
        for s in range(slot_ptr[i], slot_ptr[i + 1]):
            used = slot_coef[s] * output[i]
            consumed += used
            inventory[s] = _pmax(inventory[s] - used, 0.0)
    return consumed


@njit(cache=True)
def _tier_bit(tier):
    return 1 << tier if 0 <= tier < N_TIERS else 0


@njit(cache=True)
def _ration_priority(i, output, final_due, book, out_ptr, out_link, link_tier, final_tier, delivered, scratch):
    """Priority rationing of firm `i` (reference `ration`, rule 1): fills `delivered`, returns the final-demand fill."""
    lo, hi = out_ptr[i], out_ptr[i + 1]
    present = _tier_bit(final_tier)  # tiers with members; the others have nothing to serve
    for k in range(lo, hi):
        present |= _tier_bit(link_tier[out_link[k]])
    final_fill = 0.0
    remaining = output
    for tier in range(N_TIERS):
        if not present & _tier_bit(tier):
            continue
        m = 0
        for k in range(lo, hi):
            if link_tier[out_link[k]] == tier:
                scratch[m] = book[out_link[k]]
                m += 1
        if final_tier == tier:
            scratch[m] = final_due
            m += 1
        if m < 8:  # np_sum, spelled out for the usual few customers in a tier
            wanted = 0.0
            for k in range(m):
                wanted += scratch[k]
            wanted = 0.0 + wanted
        else:
            wanted = np_sum(scratch, 0, m)
        if wanted <= 0.0:
            continue
        ratio = _pmin(1.0, remaining / wanted)
        for k in range(lo, hi):
            if link_tier[out_link[k]] == tier:
                delivered[out_link[k]] = book[out_link[k]] * ratio
        if final_tier == tier:
            final_fill = ratio
        remaining = _pmax(0.0, remaining - wanted)
    return final_fill


@njit(cache=True)
def allocate(
    rationing, output, firm_demand, final_new, backlog, book, out_ptr, out_link, link_tier, final_tier, backlog_days,
    delivered, final_delivered, scratch,
):  # fmt: skip
    """Reference step 4: rationing, final demand, backlog and lost sales; returns the sales lost."""
    lost_total = 0.0
    delivered[:] = 0.0
    for i in range(len(output)):
        final_due = final_new[i] + backlog[i]
        if rationing == 0:
            ratio = output[i] / firm_demand[i] if firm_demand[i] > 0.0 else 0.0
            for k in range(out_ptr[i], out_ptr[i + 1]):
                delivered[out_link[k]] = book[out_link[k]] * ratio
            final_fill = ratio
        else:
            final_fill = _ration_priority(i, output[i], final_due, book, out_ptr, out_link, link_tier, final_tier, delivered, scratch)
        final_delivered[i] = final_due * final_fill
        unfilled = final_due - final_delivered[i]
        lost = unfilled / backlog_days
        backlog[i] = unfilled - lost
        lost_total += lost
    return lost_total


@njit(cache=True)
def ship(t, seq0, delivered, link_slot, link_lead, lead_factor, in_transit, ring_count, ring_units, ring_time, ring_seq):
    """Reference step 5: every delivery leaves now and is used in its arrival tick; returns the units shipped."""
    shipped = 0.0
    n_links = len(delivered)
    mask, depth = ring_units.shape[0] - 1, ring_units.shape[1]
    for link in range(n_links):
        units = delivered[link]
        if units > 0.0:
            a, tick = arrival(t, link_lead[link] * lead_factor[link])
            in_transit[link_slot[link]] += units
            b = tick & mask  # _push, spelled out
            d = ring_count[b, link]
            if d == depth:
                raise RuntimeError("shipment ring too shallow (ring_shape undercounted)")
            ring_units[b, d, link] = units
            ring_time[b, d, link] = a
            ring_seq[b, d, link] = seq0 + t * n_links + link
            ring_count[b, link] = d + 1
            shipped += units
    return shipped


@njit(cache=True)
def adapt_shares(delivered, orders, closed, share, link_share, slot_link_ptr, rho, weights):
    """Reference `_adapt_shares`: toward suppliers that filled their last orders, and back toward baseline."""
    for s in range(len(slot_link_ptr) - 1):
        lo, hi = slot_link_ptr[s], slot_link_ptr[s + 1]
        if hi - lo < 2:
            continue
        for link in range(lo, hi):
            if closed[link]:
                fill = 0.0
            else:
                fill = delivered[link] / orders[link] if orders[link] > 0.0 else 1.0
            weights[link - lo] = share[link] * fill
        m = hi - lo
        if m < 8:  # np_sum, spelled out for the usual few suppliers
            total = 0.0
            for k in range(m):
                total += weights[k]
            total = 0.0 + total
        else:
            total = np_sum(weights, 0, m)
        for link in range(lo, hi):
            moved = weights[link - lo] / total if total > 0.0 else share[link]
            share[link] = (1.0 - rho) * moved + rho * link_share[link]


@njit(cache=True)
def place_orders(firm_demand, slot_ptr, slot_coef, slot_target, slot_pipeline, slot_link_ptr, inventory, in_transit, tau, share, orders):
    """Reference step 6: expected use plus inventory-position correction, split over suppliers by share."""
    for i in range(len(firm_demand)):
        for s in range(slot_ptr[i], slot_ptr[i + 1]):
            gap = slot_target[s] + slot_pipeline[s] - inventory[s] - in_transit[s]
            order = _pmax(0.0, slot_coef[s] * firm_demand[i] + gap / tau)
            for link in range(slot_link_ptr[s], slot_link_ptr[s + 1]):
                orders[link] = order * share[link]


@njit(cache=True)
def record(
    t, output, final_new, final_delivered, base_output, chain_ptr, chain_firm, chain_weight,
    chain_output, chain_final_demand, chain_final_delivered, firm_min_ratio, firm_output, firm_final_delivered, record_firms,
):  # fmt: skip
    """Reference `_record`, except for the totals accumulated during the tick (filled by the caller)."""
    for c in range(len(chain_ptr) - 1):
        out, dem, dlv = 0.0, 0.0, 0.0
        for k in range(chain_ptr[c], chain_ptr[c + 1]):
            w, i = chain_weight[k], chain_firm[k]
            out += w * output[i]
            dem += w * final_new[i]
            dlv += w * final_delivered[i]
        chain_output[t, c] = out
        chain_final_demand[t, c] = dem
        chain_final_delivered[t, c] = dlv
    for i in range(len(output)):
        ratio = output[i] / base_output[i]
        if ratio < firm_min_ratio[i]:
            firm_min_ratio[i] = ratio
        if record_firms:
            firm_output[t, i] = output[i]
            firm_final_delivered[t, i] = final_delivered[i]


# --- one replication -------------------------------------------------------------------
@njit(cache=True)
def simulate(
    horizon, ring_ticks, ring_depth,
    capacity, base_output, final_demand,
    slot_ptr, slot_coef, slot_target, slot_pipeline, slot_link_ptr,
    link_slot, link_share, link_lead, link_tier, link_flow,
    out_ptr, out_link,
    tau, backlog_days, rationing, adaptive, share_recovery, final_tier,
    kind, target, value, start, duration, profile, param,
    chain_ptr, chain_firm, chain_weight,
    col, totals, chain_output, chain_final_demand, chain_final_delivered,
    firm_min_ratio, firm_output, firm_final_delivered, record_firms, in_transit0,
):  # fmt: skip
    """Run the whole horizon, writing into the preallocated outputs; `in_transit0` gets the pipeline at t = 0.

    Shock rows must be sorted by start (stably, i.e. in firing order) and
    `ring_ticks`, `ring_depth` come from `ring_shape`.
    """
    n, n_slots, n_links = len(capacity), len(slot_coef), len(link_slot)

    # state at t = 0 (MODEL.md §2)
    inventory = slot_target.copy()
    in_transit = np.zeros(n_slots)
    orders = link_flow.copy()
    share = link_share.copy()
    backlog = np.zeros(n)

    # shipment calendar
    ring_count = np.zeros((ring_ticks, n_links), dtype=np.int64)  # by arrival tick modulo ring_ticks, then by link
    ring_units = np.zeros((ring_ticks, ring_depth, n_links))
    ring_time = np.zeros((ring_ticks, ring_depth, n_links))
    ring_seq = np.zeros((ring_ticks, ring_depth, n_links), dtype=np.int64)
    seq = 0  # the reference schedules the initial pipeline link by link, oldest shipment first
    for link in range(n_links):
        lead = link_lead[link]
        for sent in range(-initial_delay(lead), 0):
            a = _pmax(0.0, sent + lead)
            in_transit[link_slot[link]] += link_flow[link]
            _push(link, math.ceil(a), link_flow[link], a, seq, ring_count, ring_units, ring_time, ring_seq)
            seq += 1
    in_transit0[:] = in_transit

    # scratch
    per_slot = 1
    for s in range(n_slots):
        per_slot = max(per_slot, slot_link_ptr[s + 1] - slot_link_ptr[s])
    sc_units = np.zeros(per_slot * ring_depth)
    sc_time = np.zeros(per_slot * ring_depth)
    sc_seq = np.zeros(per_slot * ring_depth, dtype=np.int64)
    per_firm = 1
    for i in range(n):
        per_firm = max(per_firm, out_ptr[i + 1] - out_ptr[i] + 1)
    scratch = np.zeros(max(per_firm, per_slot))
    live = np.empty(len(kind), dtype=np.int64)
    next_row, n_live = 0, 0

    # per-tick arrays
    damage = np.zeros(n)
    demand_factor = np.ones(n)
    closed = np.zeros(n_links, dtype=np.bool_)
    lead_factor = np.ones(n_links)
    book = np.zeros(n_links)
    final_new = np.zeros(n)
    firm_demand = np.zeros(n)
    output = np.zeros(n)
    delivered = np.zeros(n_links)
    final_delivered = np.zeros(n)

    for t in range(horizon):
        row = totals[t]
        row[col[_ARRIVED]] = receive(t, slot_link_ptr, ring_count, ring_units, ring_time, ring_seq, inventory, in_transit, sc_units, sc_time, sc_seq)
        next_row, n_live = _activate(t, next_row, live, n_live, start)
        n_live = apply_shocks(t, live, n_live, kind, target, value, start, duration, profile, param, damage, demand_factor, closed, lead_factor)
        row[col[_CONSUMED]] = produce(
            capacity, damage, final_demand, demand_factor, closed, orders, backlog,
            out_ptr, out_link, slot_ptr, slot_coef, inventory, book, final_new, firm_demand, output,
        )  # fmt: skip
        row[col[_LOST]] = allocate(
            rationing, output, firm_demand, final_new, backlog, book, out_ptr, out_link, link_tier, final_tier, backlog_days,
            delivered, final_delivered, scratch,
        )  # fmt: skip
        row[col[_SHIPPED]] = ship(t, seq, delivered, link_slot, link_lead, lead_factor, in_transit, ring_count, ring_units, ring_time, ring_seq)
        if adaptive:
            adapt_shares(delivered, orders, closed, share, link_share, slot_link_ptr, share_recovery, scratch)
        place_orders(firm_demand, slot_ptr, slot_coef, slot_target, slot_pipeline, slot_link_ptr, inventory, in_transit, tau, share, orders)

        row[col[_PRODUCED]] = np_sum(output, 0, n)
        row[col[_INVENTORY]] = np_sum(inventory, 0, n_slots)
        row[col[_IN_TRANSIT]] = np_sum(in_transit, 0, n_slots)
        row[col[_FINAL_DEMAND]] = np_sum(final_new, 0, n)
        row[col[_FINAL_DELIVERED]] = np_sum(final_delivered, 0, n)
        row[col[_BACKLOG]] = np_sum(backlog, 0, n)
        record(
            t, output, final_new, final_delivered, base_output, chain_ptr, chain_firm, chain_weight,
            chain_output, chain_final_demand, chain_final_delivered, firm_min_ratio, firm_output, firm_final_delivered, record_firms,
        )  # fmt: skip
