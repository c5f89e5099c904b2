"""Numba kernels: one run of docs/model.md (One tick, Shocks) over flat arrays, the day loop inside one call.

Every function is a module-level `@njit(cache=True)` free function over NumPy
arrays and scalars; `engine.run_numba` prepares the arrays and owns the
outputs. The tick is the reference engine's, reorganised into two passes so
that each array is streamed once per day (memory bandwidth, not arithmetic, bounds the
tick: benchmarks/README.md):

- **firm pass** (`produce_and_ration`): order book, capacity, Leontief
  production, consumption, and each supplier's fill ratio (one per firm under
  proportional rationing, one per tier under priority), final demand, backlog.
- **slot pass** (`ship_and_order`), customer by customer and input by input:
  each link *pulls* its delivery as `order * fill ratio of its supplier`,
  ships it into a ring buffer of arrivals indexed by tick and customer input,
  then the customer adapts its shares and places its orders, which are summed
  into each supplier's order book for the next tick. Finally the input takes
  in what arrives at the start of the next tick; this moves goods from transit
  to stock, which leaves the inventory position (and so every order) alone.

The SimPy calendar of the reference becomes: the ring for shipments (every
link ships every day, so a per-tick bucket beats a heap), and the shock table
sorted by start for shock onsets, kept as a short "live" list from which rows
whose effect has ended for good are dropped.

Batches of replications run in `lanes.py`: the same tick, many replications
side by side. One run of a big map runs in `simulate_wide`: the same passes,
ranges of firms side by side on Numba's threads, the same numbers bit for bit
(docs/engine.md, One big run on all threads).

The hottest loops (a customer's links, a firm's inputs in production) run over unsigned indices,
`range(np.uint64(lo), np.uint64(hi))`, and index a link's supplier as `np.uint64(link_supplier[link])`: an array
access with a signed index pays a negative-index test, and the compiler cannot see that a pointer or a supplier
read from an array is not negative. On the 1,000-firm benchmark map this is a fifth of the instructions of a run
(benchmarks/README.md). Only plain indexing: no arithmetic mixes an unsigned index with signed integers (Numba
would make it a float).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from simcore.core import bounds, timing
from simcore.core.compiled import ROUNDING_SLACK
from simcore.core.primitives import CAPACITY, CLOSE, DAMAGE, DEMAND, LEAD, SOURCE, TARGET
from simcore.engines.numba.bundles import State
from simcore.engines.trajectories import T

# Columns of `totals` (simcore.engines.trajectories.TOTALS), by name.
PRODUCED, CONSUMED, SHIPPED, ARRIVED, INVENTORY = T["produced"], T["consumed"], T["shipped"], T["arrived"], T["inventory"]
IN_TRANSIT, FINAL_DEMAND, FINAL_DELIVERED, LOST, BACKLOG = T["in_transit"], T["final_demand"], T["final_delivered"], T["lost_sales"], T["backlog"]

# The rules of time (simcore.core.timing), compiled.
intensity = njit(cache=True)(timing.intensity)
arrival_tick = njit(cache=True)(timing.arrival_tick)
# The rules of production (simcore.core.bounds), compiled.
input_bound = njit(cache=True, inline="always")(bounds.input_bound)
within_slack = njit(cache=True, inline="always")(bounds.within_slack)


@njit(cache=True)
def ring_length(link_lead, kind, target, value):
    """A power of two longer than any delay a shipment can have under the shock table's lead factors."""
    factor = np.ones(len(link_lead))
    for s in range(len(kind)):
        if kind[s] == LEAD and value[s] > 1.0:
            factor[target[s]] *= value[s]
    longest = 1
    for link in range(len(link_lead)):
        longest = max(longest, math.ceil(link_lead[link] * factor[link]) + 1)
    length = 2
    while length < longest + 2:
        length *= 2
    return length


@njit(cache=True)
def apply_shocks(t, live, n_live, calendar, state):
    """Set the effects of the live shock rows for tick `t`; return the live count with finished rows dropped.

    Targets are reset before the rows are applied, so only what shocks touch is
    ever written: no pass over all firms or links.
    """
    kind, target, value, start, duration, profile, param = (
        calendar.kind, calendar.target, calendar.value, calendar.start, calendar.duration, calendar.profile, calendar.param,
    )  # fmt: skip
    damage, damage_next, demand_factor, closed, lead_factor = state.damage, state.damage_next, state.demand_factor, state.closed, state.lead_factor
    for k in range(n_live):
        s, g = live[k], target[live[k]]
        if kind[s] == DAMAGE:
            damage[g] = 0.0
            damage_next[g] = 0.0
        elif kind[s] == DEMAND:
            demand_factor[g] = 1.0
        elif kind[s] == CLOSE:
            closed[g] = False
        else:
            lead_factor[g] = 1.0
    kept = 0
    for k in range(n_live):
        s, g = live[k], target[live[k]]
        level = intensity(t, start[s], duration[s], profile[s], param[s])
        v = value[s]
        if kind[s] == DAMAGE:
            damage[g] = max(damage[g], v * level)
            damage_next[g] = max(damage_next[g], v * intensity(t + 1, start[s], duration[s], profile[s], param[s]))
        elif kind[s] == DEMAND:
            demand_factor[g] *= 1.0 + (v - 1.0) * level
        elif kind[s] == CLOSE:
            closed[g] = closed[g] or level > 0.0
        else:
            lead_factor[g] *= 1.0 + (v - 1.0) * level
        if level != 0.0 or t < start[s] + duration[s]:  # after its end, intensity only falls: 0 is for good
            live[kept] = s
            kept += 1
    return kept


@njit(cache=True)
def apply_set(s, calendar, chain_map, state):
    """A timed policy's change at its onset (calendar row `s`), for good (reference `_set`)."""
    kind, target, value = calendar.kind, calendar.target, calendar.value
    slot_coef, slot_link_ptr, link_slot, link_customer, link_lead, base_output = (
        chain_map.slot_coef, chain_map.slot_link_ptr, chain_map.link_slot, chain_map.link_customer, chain_map.link_lead, chain_map.base_output,
    )  # fmt: skip
    capacity, slot_target, slot_pipeline, share, base_share = state.capacity, state.slot_target, state.slot_pipeline, state.share, state.base_share
    g, v = target[s], value[s]
    if kind[s] == CAPACITY:
        capacity[g] += v
    elif kind[s] == TARGET:
        slot_target[g] += v
    else:
        slot = link_slot[g]
        lo, hi = slot_link_ptr[slot], slot_link_ptr[slot + 1]
        for link in range(lo, hi):
            factor = 0.0 if link == g else 1.0 - v
            add = v if link == g else 0.0
            share[link] = share[link] * factor + add
            base_share[link] = base_share[link] * factor + add
        use = slot_coef[slot] * base_output[link_customer[g]]
        pipeline = 0.0
        for link in range(lo, hi):
            pipeline += arrival_tick(0, link_lead[link]) * base_share[link] * use
        slot_pipeline[slot] = pipeline


@njit(cache=True)
def reopen_books(live, n_live, calendar, chain_map, state, grouped):
    """Suppliers with a closed customer link: their order book again, without the closed links' orders."""
    kind, target = calendar.kind, calendar.target
    link_supplier, out_ptr, out_link, link_group, final_goods = chain_map.link_supplier, chain_map.out_ptr, chain_map.out_link, chain_map.link_group, chain_map.link_final_goods
    final_goods_group = chain_map.link_final_goods_group
    closed, orders, ordered, tier_ordered = state.closed, state.orders, state.ordered, state.tier_ordered
    for k in range(n_live):
        s = live[k]
        if kind[s] != CLOSE or not closed[target[s]]:
            continue
        j = link_supplier[target[s]]
        ordered[j] = 0.0
        if grouped:
            tier_ordered[j, :] = 0.0
        for m in range(out_ptr[j], out_ptr[j + 1]):
            link = out_link[m]
            book = 0.0 if closed[link] else orders[link]
            book_order(link, book, j, ordered, grouped, tier_ordered, link_group, final_goods_group, final_goods)


@njit(cache=True)
def produce_and_ration(chain_map, params, state, totals_row):
    """Reference steps 2-4 for every firm; the suppliers' fill ratios go to `fill` / `tier_fill` (by group)."""
    none = np.empty(0)
    sums = produce_firms((0, len(state.capacity)), chain_map, params, state, False, none, none)
    totals_row[CONSUMED], totals_row[LOST], totals_row[PRODUCED] = sums[0], sums[1], sums[2]
    totals_row[FINAL_DEMAND], totals_row[FINAL_DELIVERED], totals_row[BACKLOG] = sums[3], sums[4], sums[5]


@njit(cache=True, inline="always")
def produce_firms(ranges, chain_map, params, state, keep, lost_of, used_of):
    """`produce_and_ration` for the firms of `ranges` ((lo, hi, lo, hi, ...), a tuple or an int64 array: firms
    lo:hi, one range after another; a partial simulation's active firms, partial.py): one call for many firms, since
    a call per firm would unpack the bundles' thirty arrays each time (5x slower); returns their sums (consumed, lost, produced, final demand, delivered,
    backlog), each added one by one in firm (input) order. If `keep` (`simulate_wide`), also each firm's lost sales
    into `lost_of` and each input's use into `used_of`, for the sums over all firms in that same order."""
    final_demand, slot_ptr, slot_coef, slot_necessity, base_output = (
        chain_map.final_demand, chain_map.slot_ptr, chain_map.slot_coef, chain_map.slot_necessity, chain_map.base_output,
    )  # fmt: skip
    backlog_days, grouped, mixed, final_group, n_groups = params.backlog_days, params.grouped, params.mixed, params.final_group, params.n_groups
    capacity, damage, demand_factor, ordered, tier_ordered, backlog, inventory = (
        state.capacity, state.damage, state.demand_factor, state.ordered, state.tier_ordered, state.backlog, state.inventory,
    )  # fmt: skip
    plan, damage_next, output, fill, tier_fill, final_new, final_delivered = (
        state.plan, state.damage_next, state.output, state.fill, state.tier_fill, state.final_new, state.final_delivered,
    )  # fmt: skip
    in_transit, short, final_goods_fill, closed, orders = state.in_transit, state.short, state.final_goods_fill, state.closed, state.orders
    out_ptr, out_link, link_final_goods = chain_map.out_ptr, chain_map.out_link, chain_map.link_final_goods
    consumed = lost = produced = fin_total = delivered_total = backlog_total = 0.0
    for r in range(0, len(ranges), 2):
        for i in range(ranges[r], ranges[r + 1]):
            cap = capacity[i] * (1.0 - damage[i])
            final_new[i] = final_demand[i] * demand_factor[i]
            demand = ordered[i] + final_new[i] + backlog[i]
            plan_i = min(demand, capacity[i] * (1.0 - damage_next[i]))  # for the orders (ship_and_order)
            plan[i] = plan_i
            limit = math.inf
            for s in range(np.uint64(slot_ptr[i]), np.uint64(slot_ptr[i + 1])):  # unsigned: see the module's notes
                limit = min(limit, input_bound(inventory[s], slot_coef[s], slot_necessity[s], base_output[i]))
            y = within_slack(min(cap, demand), limit)
            output[i] = y
            short_i = False
            for s in range(np.uint64(slot_ptr[i]), np.uint64(slot_ptr[i + 1])):  # unsigned: see the module's notes
                used = min(slot_coef[s] * y, inventory[s])
                consumed += used
                if keep:
                    used_of[s] = used
                inventory[s] -= used
                short_i |= inventory[s] + in_transit[s] < slot_coef[s] * plan_i  # ship_and_order's test, before shipments
            short[i] = short_i

            final_due = final_new[i] + backlog[i]
            if mixed:  # the reference's three groups: firms' orders for intermediate goods, for final goods, final demand
                if y >= ordered[i]:  # every firm's order in full: how the book splits does not matter
                    fill[i] = final_goods_fill[i] = 1.0
                    rest = y - ordered[i]
                else:  # split the book, only for a short supplier (off the hot path)
                    final_goods = 0.0
                    for m in range(out_ptr[i], out_ptr[i + 1]):
                        link = out_link[m]
                        if not closed[link]:
                            final_goods += orders[link] * link_final_goods[link]
                    book = max(0.0, ordered[i] - final_goods)
                    fill[i] = min(1.0, y / book) if book > 0.0 else 0.0
                    rest = max(0.0, y - book)  # y itself without orders (a book is never negative)
                    final_goods_fill[i] = min(1.0, rest / final_goods) if final_goods > 0.0 else 0.0
                    rest = max(0.0, rest - final_goods)
                final_fill = min(1.0, rest / final_due) if final_due > 0.0 else 0.0
            elif not grouped:
                ratio = y / demand if demand > 0.0 else 0.0
                fill[i] = ratio
                final_fill = ratio
            else:
                remaining, final_fill = y, 0.0
                for group in range(n_groups):
                    wanted = tier_ordered[i, group] + (final_due if group == final_group else 0.0)
                    tier_fill[i, group] = 0.0
                    if wanted <= 0.0:
                        continue
                    ratio = min(1.0, remaining / wanted)
                    tier_fill[i, group] = ratio
                    if group == final_group:
                        final_fill = ratio
                    remaining = max(0.0, remaining - wanted)
            final_delivered[i] = final_due * final_fill
            unfilled = final_due - final_delivered[i]
            lost_i = unfilled / backlog_days
            backlog[i] = unfilled - lost_i

            if keep:
                lost_of[i] = lost_i
            lost += lost_i
            produced += y
            fin_total += final_new[i]
            delivered_total += final_delivered[i]
            backlog_total += backlog[i]
    return consumed, lost, produced, fin_total, delivered_total, backlog_total


@njit(cache=True)
def ship_and_order(t, chain_map, params, state, any_closed, any_lead, totals_row):
    """Reference steps 5-6 customer by customer, then the next tick's arrivals; returns the units arriving next tick."""
    shipped, stock, transit, arriving = ship_customers(t, (0, len(state.capacity)), chain_map, params, state, any_closed, any_lead, True, False, np.empty(0))
    totals_row[SHIPPED] = shipped
    totals_row[INVENTORY] = stock
    totals_row[IN_TRANSIT] = transit
    return arriving


@njit(cache=True, inline="always")
def ship_customers(t, ranges, chain_map, params, state, any_closed, any_lead, scatter, keep, units_of):
    """`ship_and_order` for the customers of `ranges` (as in `produce_firms`); returns their sums (shipped, stock, in transit, arriving).

    `simulate_wide` runs ranges side by side: without `scatter` the orders go only to `orders` (the suppliers'
    books are gathered after); with `keep`, each link's shipment goes to `units_of`, and the range's stock, transit
    and arrivals are left to `wide_totals`, which adds them to the first range's sums in the order of this loop.

    `any_closed`, `any_lead`: whether a live row closes a link or stretches a lead time this tick. An input's order
    depends on the other inputs' positions after today's shipments, so a customer with a `short` input (one whose
    position before shipments is below its use at the plan, produce_and_ration) has its inputs visited twice:
    shipments in and bounds, then orders out. Any other customer takes both in one pass: shipments only raise
    positions, so none of its inputs can bind and each orders for the plan, `within_slack(plan, inf)`.
    """
    slot_ptr, slot_coef, slot_necessity, slot_link_ptr, link_supplier, link_lead, link_group, base_output = (
        chain_map.slot_ptr, chain_map.slot_coef, chain_map.slot_necessity, chain_map.slot_link_ptr, chain_map.link_supplier,
        chain_map.link_lead, chain_map.link_group, chain_map.base_output,
    )  # fmt: skip
    final_goods, final_goods_group = chain_map.link_final_goods, chain_map.link_final_goods_group
    grouped, mixed, adaptive, rho, tau = params.grouped, params.mixed, params.adaptive, params.rho, params.tau
    slot_target, slot_pipeline, link_share, share, closed, lead_factor = (
        state.slot_target, state.slot_pipeline, state.base_share, state.share, state.closed, state.lead_factor,
    )  # fmt: skip
    fill, tier_fill, plan, short, orders, ordered, tier_ordered = (
        state.fill, state.tier_fill, state.plan, state.short, state.orders, state.ordered, state.tier_ordered,
    )  # fmt: skip
    inventory, in_transit, ring, weight = state.inventory, state.in_transit, state.ring, state.weight
    final_goods_fill = state.final_goods_fill
    mask = ring.shape[0] - 1
    shipped = stock = transit = arriving = 0.0
    for r in range(0, len(ranges), 2):
        for i in range(ranges[r], ranges[r + 1]):
            lowest, second, scarcest = math.inf, math.inf, -1
            # with one input, no other input bounds its orders
            two_passes = slot_ptr[i + 1] - slot_ptr[i] > 1 and short[i]
            if two_passes:
                for s in range(slot_ptr[i], slot_ptr[i + 1]):
                    shipped = ship(t, s, shipped, any_closed, any_lead, closed, orders, grouped, tier_fill, mixed, fill, final_goods_fill, link_supplier, link_group, final_goods_group, final_goods, link_lead, lead_factor, slot_link_ptr, ring, mask, in_transit, units_of, keep)
                    if adaptive and slot_link_ptr[s + 1] - slot_link_ptr[s] > 1:
                        adapt_shares(slot_link_ptr[s], slot_link_ptr[s + 1], closed, any_closed, orders, grouped, tier_fill, mixed, fill, final_goods_fill, link_supplier, link_group, final_goods_group, final_goods, share, link_share, rho, weight)
                    position = inventory[s] + in_transit[s]
                    if position < slot_coef[s] * plan[i]:  # a bound at or above the plan never binds
                        bound = input_bound(position, slot_coef[s], slot_necessity[s], base_output[i])
                        second = min(second, max(lowest, bound))  # the two smallest bounds, and where the smallest is
                        scarcest = s if bound < lowest else scarcest
                        lowest = min(lowest, bound)
            for s in range(slot_ptr[i], slot_ptr[i + 1]):
                lo, hi = slot_link_ptr[s], slot_link_ptr[s + 1]
                if not two_passes:
                    shipped = ship(t, s, shipped, any_closed, any_lead, closed, orders, grouped, tier_fill, mixed, fill, final_goods_fill, link_supplier, link_group, final_goods_group, final_goods, link_lead, lead_factor, slot_link_ptr, ring, mask, in_transit, units_of, keep)
                    if adaptive and hi - lo > 1:
                        adapt_shares(lo, hi, closed, any_closed, orders, grouped, tier_fill, mixed, fill, final_goods_fill, link_supplier, link_group, final_goods_group, final_goods, share, link_share, rho, weight)
                # orders for the next tick (reference step 6), into each supplier's next order book
                expected = within_slack(plan[i], second if s == scarcest else lowest)
                gap = slot_target[s] + slot_pipeline[s] - inventory[s] - in_transit[s]
                order = max(0.0, slot_coef[s] * expected + gap / tau)
                if order < ROUNDING_SLACK * slot_coef[s] * base_output[i]:
                    order = 0.0  # rounding, not an order
                for link in range(np.uint64(lo), np.uint64(hi)):  # unsigned: see the module's notes
                    o = order * share[link]
                    orders[link] = o
                    if not scatter:
                        continue
                    j = np.uint64(link_supplier[link])
                    ordered[j] += o  # book_order, written out (see ship)
                    if grouped:
                        tier_ordered[j, link_group[link]] += o * (1.0 - final_goods[link])
                        tier_ordered[j, final_goods_group[link]] += o * final_goods[link]
                if keep:
                    continue
                # end of tick: record stock and transit, then take in what the next tick will use
                stock += inventory[s]
                transit += in_transit[s]
                b = (t + 1) & mask
                units = ring[b, s]
                if units != 0.0:
                    ring[b, s] = 0.0
                    inventory[s] += units
                    in_transit[s] -= units
                    arriving += units
    return shipped, stock, transit, arriving


@njit(cache=True)
def book_order(link, o, j, ordered, grouped, tier_ordered, link_group, final_goods_group, final_goods):
    """Order `o` on `link` into its supplier `j`'s book; when grouped, the part for intermediate goods in the link's
    group, the part for final goods in its final-goods group (docs/model.md, Rationing). Mixed rationing splits a
    book only where the supplier is short (produce_and_ration)."""
    ordered[j] += o
    if grouped:
        tier_ordered[j, link_group[link]] += o * (1.0 - final_goods[link])
        tier_ordered[j, final_goods_group[link]] += o * final_goods[link]


@njit(cache=True, inline="always")
def ship(t, s, shipped, any_closed, any_lead, closed, orders, grouped, tier_fill, mixed, fill, final_goods_fill, link_supplier, link_group, final_goods_group, final_goods, link_lead, lead_factor, slot_link_ptr, ring, mask, in_transit, units_of, keep):
    """Input `s`'s deliveries of tick `t`, each link's pulled from its supplier's fill ratio, into the ring and in
    transit; returns `shipped` plus them, added one by one (the order of the reference's sum), and if `keep`
    writes each link's into `units_of`. Inlined: a call with array arguments costs more than the arithmetic."""
    for link in range(np.uint64(slot_link_ptr[s]), np.uint64(slot_link_ptr[s + 1])):  # unsigned: see the module's notes
        book = 0.0 if (any_closed and closed[link]) else orders[link]
        j = np.uint64(link_supplier[link])
        if grouped:  # the order's parts' groups' ratios, weighted by the parts
            ratio = tier_fill[j, link_group[link]] + final_goods[link] * (tier_fill[j, final_goods_group[link]] - tier_fill[j, link_group[link]])
        elif mixed:
            ratio = fill[j] + final_goods[link] * (final_goods_fill[j] - fill[j])
        else:
            ratio = fill[j]
        units = book * ratio
        if keep:
            units_of[link] = units if units > 0.0 else 0.0
        if units > 0.0:
            lead = link_lead[link] * lead_factor[link] if any_lead else link_lead[link]
            ring[arrival_tick(t, lead) & mask, s] += units
            in_transit[s] += units
            shipped += units
    return shipped


@njit(cache=True, inline="always")
def adapt_shares(lo, hi, closed, any_closed, orders, grouped, tier_fill, mixed, fill, final_goods_fill, link_supplier, link_group, final_goods_group, final_goods, share, link_share, rho, weight):
    """Reference `_adapt_shares` for one input: toward suppliers that filled their last orders, back toward baseline.

    A link's fill ratio is its supplier's (its group's) ratio; 0 if the link is
    closed, 1 if nothing was ordered. Written out here, not in a helper: a call
    with array arguments in this loop costs more than the arithmetic (refcounts).
    """
    total = 0.0
    for link in range(lo, hi):
        if any_closed and closed[link]:
            ratio = 0.0
        elif orders[link] <= 0.0:
            ratio = 1.0
        elif grouped:  # as in ship
            j = link_supplier[link]
            ratio = tier_fill[j, link_group[link]] + final_goods[link] * (tier_fill[j, final_goods_group[link]] - tier_fill[j, link_group[link]])
        elif mixed:
            j = link_supplier[link]
            ratio = fill[j] + final_goods[link] * (final_goods_fill[j] - fill[j])
        else:
            ratio = fill[link_supplier[link]]
        weight[link] = share[link] * ratio
        total += weight[link]
    for link in range(lo, hi):
        moved = weight[link] / total if total > 0.0 else share[link]
        share[link] = (1.0 - rho) * moved + rho * link_share[link]


@njit(cache=True)
def record_tick(t, chain_map, state, record):
    """Chain aggregates, lowest output ratios and, if asked (`record.firm_output` has rows), per-firm trajectories of
    tick `t`."""
    base_output, chain_ptr, chain_firm, chain_weight = chain_map.base_output, chain_map.chain_ptr, chain_map.chain_firm, chain_map.chain_weight
    output, final_new, final_delivered = state.output, state.final_new, state.final_delivered
    chain_output, chain_final_demand, chain_final_delivered = record.chain_output, record.chain_final_demand, record.chain_final_delivered
    firm_min_ratio, firm_output, firm_final_delivered = record.firm_min_ratio, record.firm_output, record.firm_final_delivered
    record_firms = len(firm_output) > 0
    for c in range(len(chain_ptr) - 1):
        out = dem = dlv = 0.0
        for k in range(chain_ptr[c], chain_ptr[c + 1]):
            w, i = chain_weight[k], chain_firm[k]
            out += w * output[i]
            dem += w * final_new[i]
            dlv += w * final_delivered[i]
        chain_output[t, c] = out
        chain_final_demand[t, c] = dem
        chain_final_delivered[t, c] = dlv
    for i in range(len(output)):
        if base_output[i] > 0.0:  # a standby supplier has no output ratio
            firm_min_ratio[i] = min(firm_min_ratio[i], output[i] / base_output[i])
        if record_firms:
            firm_output[t, i] = output[i]
            firm_final_delivered[t, i] = final_delivered[i]


@njit(cache=True, nogil=True)  # a Dask worker may run several chunks at once, one per thread
def simulate(chain_map, params, calendar, record):
    """Run the whole horizon into the preallocated `record`; return (inventory, in transit) at t = 0.

    The arguments are `bundles.ChainMap`, `Params`, `Calendar` (rows sorted by start: the order their onsets
    fire) and `Record`; the run's `bundles.State` is built here.
    """
    state, live, any_lead_row, start_inventory, start_in_transit, arriving = initial_state(chain_map, params, calendar)
    next_row = n_live = 0
    for t in range(params.horizon):
        row = record.totals[t]
        row[ARRIVED] = arriving
        next_row, n_live, any_closed = open_tick(t, next_row, n_live, live, calendar, chain_map, params, state)
        produce_and_ration(chain_map, params, state, row)
        state.ordered[:] = 0.0
        if params.grouped:
            state.tier_ordered[:, :] = 0.0
        arriving = ship_and_order(t, chain_map, params, state, any_closed, any_lead_row and n_live > 0, row)
        record_tick(t, chain_map, state, record)
    return start_inventory, start_in_transit


@njit(cache=True)
def simulate_wide(chain_map, params, calendar, record, chunk_ptr):
    """`simulate` with each tick's passes split into the ranges of firms `chunk_ptr[c]:chunk_ptr[c + 1]`, run in
    parallel on Numba's threads (one big map, one run); the same numbers bit for bit.

    A firm's pass writes only its own state, and a customer's pass only its inputs' and links': what the serial
    loops share is their running sums and the suppliers' books. Here each pass leaves its per-firm, per-input and
    per-link terms in scratch arrays, and every total is then added in the serial loop's order; each supplier's
    book is gathered over its links (`out_link`, in link order: the order the serial loop adds them in).
    """
    state, live, any_lead_row, start_inventory, start_in_transit, arriving = initial_state(chain_map, params, calendar)
    wide_ticks(chain_map, params, calendar, record, chunk_ptr, state, live, any_lead_row, arriving)
    return start_inventory, start_in_transit


@njit(cache=True, parallel=True)
def wide_ticks(chain_map, params, calendar, record, chunk_ptr, state, live, any_lead_row, arriving):
    """`simulate_wide`'s days (the state an argument: Numba's parallel loops take a named tuple only so)."""
    n, n_slots, n_links = len(state.capacity), len(state.inventory), len(state.orders)
    lost_of, used_of, units_of = np.zeros(n), np.zeros(n_slots), np.zeros(n_links)
    first = np.zeros(10)  # the first range's sums: consumed, lost, produced, final demand, delivered, backlog; shipped, stock, transit, arriving
    next_row = n_live = 0
    for t in range(params.horizon):
        row = record.totals[t]
        row[ARRIVED] = arriving
        next_row, n_live, any_closed = open_tick(t, next_row, n_live, live, calendar, chain_map, params, state)
        for c in prange(len(chunk_ptr) - 1):
            sums = produce_firms((chunk_ptr[c], chunk_ptr[c + 1]), chain_map, params, state, c > 0, lost_of, used_of)
            if c == 0:
                first[0], first[1], first[2], first[3], first[4], first[5] = sums
        any_lead = any_lead_row and n_live > 0
        for c in prange(len(chunk_ptr) - 1):
            sums = ship_customers(t, (chunk_ptr[c], chunk_ptr[c + 1]), chain_map, params, state, any_closed, any_lead, False, c > 0, units_of)
            if c == 0:
                first[6], first[7], first[8], first[9] = sums
        for c in prange(len(chunk_ptr) - 1):
            gather_books((chunk_ptr[c], chunk_ptr[c + 1]), chain_map, params, state)
        arriving = wide_totals(t, chunk_ptr[1], chain_map, state, row, first, lost_of, used_of, units_of)
        record_tick(t, chain_map, state, record)


@njit(cache=True, inline="always")
def gather_books(ranges, chain_map, params, state):
    """The order books of the suppliers of `ranges` (as in `produce_firms`) for the next tick from `orders`, each added over the supplier's links in
    link order (`out_link`), as `ship_customers` adds them one customer after another."""
    out_ptr, out_link, link_group, final_goods, final_goods_group = (
        chain_map.out_ptr, chain_map.out_link, chain_map.link_group, chain_map.link_final_goods, chain_map.link_final_goods_group,
    )  # fmt: skip
    orders, ordered, tier_ordered, grouped = state.orders, state.ordered, state.tier_ordered, params.grouped
    for r in range(0, len(ranges), 2):
        for j in range(ranges[r], ranges[r + 1]):
            book = 0.0
            if grouped:
                tier_ordered[j, :] = 0.0
            for m in range(out_ptr[j], out_ptr[j + 1]):
                link = out_link[m]
                o = orders[link]
                book += o
                if grouped:
                    tier_ordered[j, link_group[link]] += o * (1.0 - final_goods[link])
                    tier_ordered[j, final_goods_group[link]] += o * final_goods[link]
            ordered[j] = book


@njit(cache=True, inline="always")
def wide_totals(t, lo, chain_map, state, totals_row, first, lost_of, used_of, units_of):
    """The tick's totals: the first range's sums (`first`), continued one by one over firms `lo:` and their inputs
    and links in the serial loops' order; those inputs take in what arrives at the start of the next tick (the end
    of `ship_customers`' loop). Returns the units arriving. Two loops side by side: the firms' and links' sums,
    and the inputs'."""
    output, final_new, final_delivered, backlog = state.output, state.final_new, state.final_delivered, state.backlog
    inventory, in_transit, ring = state.inventory, state.in_transit, state.ring
    b = (t + 1) & (ring.shape[0] - 1)
    first_slot = chain_map.slot_ptr[lo]
    first_link = chain_map.slot_link_ptr[first_slot]
    for part in prange(2):
        if part == 0:
            lost, produced, fin_total, delivered_total, backlog_total = first[1], first[2], first[3], first[4], first[5]
            for i in range(lo, len(output)):
                lost += lost_of[i]
                produced += output[i]
                fin_total += final_new[i]
                delivered_total += final_delivered[i]
                backlog_total += backlog[i]
            shipped = first[6]
            for link in range(first_link, len(units_of)):
                shipped += units_of[link]
            totals_row[LOST], totals_row[PRODUCED], totals_row[FINAL_DEMAND] = lost, produced, fin_total
            totals_row[FINAL_DELIVERED], totals_row[BACKLOG], totals_row[SHIPPED] = delivered_total, backlog_total, shipped
        else:
            consumed, stock, transit, arriving = first[0], first[7], first[8], first[9]
            for s in range(first_slot, len(inventory)):
                consumed += used_of[s]
                stock += inventory[s]
                transit += in_transit[s]
                units = ring[b, s]  # the intake at the end of ship_customers' loop, written out as it is there (as an inlined helper it made the serial kernel 1.3x slower)
                if units != 0.0:
                    ring[b, s] = 0.0
                    inventory[s] += units
                    in_transit[s] -= units
                    arriving += units
            totals_row[CONSUMED], totals_row[INVENTORY], totals_row[IN_TRANSIT] = consumed, stock, transit
            first[9] = arriving
    return first[9]


@njit(cache=True)
def open_tick(t, next_row, n_live, live, calendar, chain_map, params, state):
    """Tick `t`'s shock onsets and timed policies, then the live rows' effects; returns (next calendar row, live
    rows, whether a live row closes a link)."""
    kind, target, start = calendar.kind, calendar.target, calendar.start
    while next_row < len(kind) and start[next_row] <= t:
        if kind[next_row] >= SOURCE:
            apply_set(next_row, calendar, chain_map, state)
        else:
            live[n_live] = next_row
            n_live += 1
        next_row += 1
    n_live = apply_shocks(t, live, n_live, calendar, state)
    any_closed = False
    for k in range(n_live):
        any_closed = any_closed or (kind[live[k]] == CLOSE and state.closed[target[live[k]]])
    if any_closed:
        reopen_books(live, n_live, calendar, chain_map, state, params.grouped)
    return next_row, n_live, any_closed


@njit(cache=True, inline="always")
def initial_state(chain_map, params, calendar):
    """The run's `bundles.State` at t = 0 (docs/model.md, Baseline: targets held, baseline order books, pipelines
    full), tick 0's arrivals taken in; returns it with the live-row scratch, whether any row stretches a lead time,
    inventory and in transit at t = 0, and the units that arrived."""
    grouped, mixed, n_groups, adaptive = params.grouped, params.mixed, params.n_groups, params.adaptive
    kind, target, value = calendar.kind, calendar.target, calendar.value
    link_supplier, link_slot, link_lead, link_group, link_flow = (
        chain_map.link_supplier, chain_map.link_slot, chain_map.link_lead, chain_map.link_group, chain_map.link_flow,
    )  # fmt: skip
    n, n_slots, n_links = len(chain_map.capacity), len(chain_map.slot_coef), len(link_supplier)
    # what timed policies change (apply_set): our own copies
    capacity, slot_target = chain_map.capacity.copy(), chain_map.slot_target.copy()
    slot_pipeline, base_share = chain_map.slot_pipeline.copy(), chain_map.link_share.copy()

    inventory = slot_target.copy()
    in_transit = np.zeros(n_slots)
    orders = link_flow.copy()
    share = chain_map.link_share.copy()
    backlog = np.zeros(n)
    ordered = np.zeros(n)
    tier_ordered = np.zeros((n, n_groups) if grouped else (0, n_groups))
    for link in range(n_links):
        book_order(link, orders[link], link_supplier[link], ordered, grouped, tier_ordered, link_group, chain_map.link_final_goods_group, chain_map.link_final_goods)
    ring = np.zeros((ring_length(link_lead, kind, target, value), n_slots))
    mask = ring.shape[0] - 1
    for link in range(n_links):
        lead = link_lead[link]
        for sent in range(-max(1, math.ceil(lead)), 0):
            ring[math.ceil(max(0.0, sent + lead)) & mask, link_slot[link]] += link_flow[link]
            in_transit[link_slot[link]] += link_flow[link]
    start_inventory, start_in_transit = inventory.sum(), in_transit.sum()
    arriving = 0.0
    for s in range(n_slots):
        arriving += ring[0, s]
        inventory[s] += ring[0, s]
        in_transit[s] -= ring[0, s]
        ring[0, s] = 0.0

    live = np.empty(len(kind), dtype=np.int64)
    any_lead_row = False
    for s in range(len(kind)):
        any_lead_row = any_lead_row or kind[s] == LEAD
    # the tick's scratch
    tier_fill = np.zeros((n, n_groups) if grouped else (1, n_groups))
    final_goods_fill = np.zeros(n if mixed else 0)
    weight = np.zeros(n_links if adaptive else 0)  # adapt_shares' scratch
    state = State(
        capacity=capacity, slot_target=slot_target, slot_pipeline=slot_pipeline, base_share=base_share,
        share=share, inventory=inventory, in_transit=in_transit, ring=ring,
        orders=orders, ordered=ordered, tier_ordered=tier_ordered, backlog=backlog,
        damage=np.zeros(n), damage_next=np.zeros(n), demand_factor=np.ones(n),
        closed=np.zeros(n_links, dtype=np.bool_), lead_factor=np.ones(n_links),
        plan=np.zeros(n), short=np.zeros(n, dtype=np.bool_), output=np.zeros(n), fill=np.zeros(n),
        tier_fill=tier_fill, final_goods_fill=final_goods_fill, final_new=np.zeros(n), final_delivered=np.zeros(n),
        weight=weight,
    )  # fmt: skip
    return state, live, any_lead_row, start_inventory, start_in_transit, arriving
