"""Numba kernels for batches: a group of replications of one compiled run side by side ("lanes").

The batch counterpart of `kernels.py` (one run, with totals and per-firm
trajectories). Here every state array has the replication as its last axis
and the innermost loops run over the lanes: the map's indices (suppliers,
slots, chains) are read once for the whole group and the arithmetic runs on
whole vectors. Each lane performs exactly the operations of `kernels.simulate`,
in the same order (no `fastmath`, no reordered sums), so a replication's
numbers are bit for bit those of a single run on its shock rows, whatever its
group (tests/engines/test_lanes.py). A group records only what a batch keeps:
chain series and each firm's lowest output ratio.

Why two kernels: a one-lane group pays for the lane loops (1.2-2.8x slower
than `kernels.simulate` on single runs), and a scalar kernel cannot vectorise
across replications (1.4-1.6x slower per replication than 8 lanes, 1.8-2.3x
than 32, one thread; docs/engine.md).

Adding a zero shipment or a zero arrival is done, not skipped: it leaves every
number as it was and keeps the lane loops free of branches.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from simcore.core.compiled import CRITICAL, IMPORTANT, NONCRITICAL, ROUNDING_SLACK
from simcore.core.primitives import CAPACITY, CLOSE, DAMAGE, DEMAND, LEAD, SOURCE, TARGET
from simcore.engines.numba.bundles import LaneRecord, State
from simcore.engines.numba.kernels import arrival_tick, input_bound, intensity, ring_length, within_slack

LANES = 32  # the widest group; engine.lanes_for narrows it for large maps

kernel = njit(cache=True, error_model="numpy")  # divisions are guarded where they matter: no exception checks in lane loops


@kernel
def apply_shocks(t, r, live, first, n_live, calendar, state):
    """Set the effects of lane `r`'s live rows (`live[first:first + n_live]`) for tick `t`; return its live count
    with finished rows dropped.

    Targets are reset before the rows are applied, so only what shocks touch is
    ever written: no pass over all firms or links.
    """
    kind, target, value, start, duration, profile, param = (
        calendar.kind, calendar.target, calendar.value, calendar.start, calendar.duration, calendar.profile, calendar.param,
    )  # fmt: skip
    damage, damage_next, demand_factor, closed, lead_factor = state.damage, state.damage_next, state.demand_factor, state.closed, state.lead_factor
    for k in range(first, first + n_live):
        s, g = live[k], target[live[k]]
        if kind[s] == DAMAGE:
            damage[g, r] = 0.0
            damage_next[g, r] = 0.0
        elif kind[s] == DEMAND:
            demand_factor[g, r] = 1.0
        elif kind[s] == CLOSE:
            closed[g, r] = False
        else:
            lead_factor[g, r] = 1.0
    kept = first
    for k in range(first, first + n_live):
        s, g = live[k], target[live[k]]
        level = intensity(t, start[s], duration[s], profile[s], param[s])
        v = value[s]
        if kind[s] == DAMAGE:
            damage[g, r] = max(damage[g, r], v * level)
            damage_next[g, r] = max(damage_next[g, r], v * intensity(t + 1, start[s], duration[s], profile[s], param[s]))
        elif kind[s] == DEMAND:
            demand_factor[g, r] *= 1.0 + (v - 1.0) * level
        elif kind[s] == CLOSE:
            closed[g, r] = closed[g, r] or level > 0.0
        else:
            lead_factor[g, r] *= 1.0 + (v - 1.0) * level
        if level != 0.0 or t < start[s] + duration[s]:  # after its end, intensity only falls: 0 is for good
            live[kept] = s
            kept += 1
    return kept - first


@kernel
def apply_set(s, r, calendar, chain_map, state):
    """A timed policy's change at its onset (calendar row `s`) in lane `r`, for good (reference `_set`)."""
    kind, target, value = calendar.kind, calendar.target, calendar.value
    slot_coef, slot_link_ptr, link_slot, link_customer, link_lead, base_output = (
        chain_map.slot_coef, chain_map.slot_link_ptr, chain_map.link_slot, chain_map.link_customer, chain_map.link_lead, chain_map.base_output,
    )  # fmt: skip
    capacity, slot_target, slot_pipeline, share, base_share = state.capacity, state.slot_target, state.slot_pipeline, state.share, state.base_share
    g, v = target[s], value[s]
    if kind[s] == CAPACITY:
        capacity[g, r] += v
    elif kind[s] == TARGET:
        slot_target[g, r] += v
    else:
        slot = link_slot[g]
        lo, hi = slot_link_ptr[slot], slot_link_ptr[slot + 1]
        for link in range(lo, hi):
            factor = 0.0 if link == g else 1.0 - v
            add = v if link == g else 0.0
            share[link, r] = share[link, r] * factor + add
            base_share[link, r] = base_share[link, r] * factor + add
        use = slot_coef[slot] * base_output[link_customer[g]]
        pipeline = 0.0
        for link in range(lo, hi):
            pipeline += arrival_tick(0, link_lead[link]) * base_share[link, r] * use
        slot_pipeline[slot, r] = pipeline


@kernel
def reopen_books(r, live, first, n_live, calendar, chain_map, state, grouped):
    """Lane `r`'s suppliers with a closed customer link: their order book again, without the closed links' orders."""
    kind, target = calendar.kind, calendar.target
    link_supplier, out_ptr, out_link, link_group, final_goods = chain_map.link_supplier, chain_map.out_ptr, chain_map.out_link, chain_map.link_group, chain_map.link_final_goods
    final_goods_group = chain_map.link_final_goods_group
    closed, orders, ordered, tier_ordered = state.closed, state.orders, state.ordered, state.tier_ordered
    for k in range(first, first + n_live):
        s = live[k]
        if kind[s] != CLOSE or not closed[target[s], r]:
            continue
        j = link_supplier[target[s]]
        ordered[j, r] = 0.0
        if grouped:
            tier_ordered[j, :, r] = 0.0
        for m in range(out_ptr[j], out_ptr[j + 1]):
            link = out_link[m]
            book = 0.0 if closed[link, r] else orders[link, r]
            ordered[j, r] += book
            if grouped:
                tier_ordered[j, link_group[link], r] += book * (1.0 - final_goods[link])
                tier_ordered[j, final_goods_group[link], r] += book * final_goods[link]


@kernel
def produce_and_ration(chain_map, params, state, scratch):
    """Reference steps 2-4 for every firm; the suppliers' fill ratios go to `fill` / `tier_fill`. `scratch`: (6, lanes)."""
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
    lanes = capacity.shape[1]
    cap, limit, y, final_due, final_fill, remaining, demand = scratch[0], scratch[1], scratch[2], scratch[3], scratch[4], scratch[5], scratch[6]
    for i in range(len(final_demand)):
        for r in range(lanes):
            cap[r] = capacity[i, r] * (1.0 - damage[i, r])
            final_new[i, r] = final_demand[i] * demand_factor[i, r]
            demand[r] = ordered[i, r] + final_new[i, r] + backlog[i, r]
            limit[r] = math.inf
            plan[i, r] = min(demand[r], capacity[i, r] * (1.0 - damage_next[i, r]))  # for the orders (ship_and_order)
        base = base_output[i]
        for s in range(slot_ptr[i], slot_ptr[i + 1]):
            coef, necessity = slot_coef[s], slot_necessity[s]
            if necessity == CRITICAL:  # the common case, as a plain loop that vectorises across lanes
                for r in range(lanes):
                    limit[r] = min(limit[r], inventory[s, r] / coef)
            elif necessity == IMPORTANT:
                for r in range(lanes):
                    limit[r] = min(limit[r], input_bound(inventory[s, r], coef, necessity, base))
        for r in range(lanes):
            y[r] = within_slack(min(cap[r], demand[r]), limit[r])
            output[i, r] = y[r]
        short_i = False
        for s in range(slot_ptr[i], slot_ptr[i + 1]):
            coef = slot_coef[s]
            for r in range(lanes):
                inventory[s, r] -= min(coef * y[r], inventory[s, r])
                short_i |= inventory[s, r] + in_transit[s, r] < coef * plan[i, r]  # ship_and_order's test, before shipments
        short[i] = short_i

        for r in range(lanes):
            final_due[r] = final_new[i, r] + backlog[i, r]
        if mixed:  # the reference's three groups: firms' orders for intermediate goods, for final goods, final demand
            for r in range(lanes):
                if y[r] >= ordered[i, r]:  # every firm's order in full (kernels.produce_and_ration)
                    fill[i, r] = final_goods_fill[i, r] = 1.0
                    rest = y[r] - ordered[i, r]
                else:
                    final_goods = 0.0
                    for m in range(out_ptr[i], out_ptr[i + 1]):
                        link = out_link[m]
                        if not closed[link, r]:
                            final_goods += orders[link, r] * link_final_goods[link]
                    book = max(0.0, ordered[i, r] - final_goods)
                    fill[i, r] = min(1.0, y[r] / book) if book > 0.0 else 0.0
                    rest = max(0.0, y[r] - book)  # y itself without orders (a book is never negative)
                    final_goods_fill[i, r] = min(1.0, rest / final_goods) if final_goods > 0.0 else 0.0
                    rest = max(0.0, rest - final_goods)
                final_fill[r] = min(1.0, rest / final_due[r]) if final_due[r] > 0.0 else 0.0
        elif not grouped:
            for r in range(lanes):
                ratio = y[r] / demand[r] if demand[r] > 0.0 else 0.0
                fill[i, r] = ratio
                final_fill[r] = ratio
        else:
            for r in range(lanes):
                remaining[r] = y[r]
                final_fill[r] = 0.0
            for group in range(n_groups):
                for r in range(lanes):
                    wanted = tier_ordered[i, group, r] + (final_due[r] if group == final_group else 0.0)
                    ratio = min(1.0, remaining[r] / wanted) if wanted > 0.0 else 0.0
                    tier_fill[i, group, r] = ratio
                    if group == final_group:
                        final_fill[r] = ratio
                    remaining[r] = max(0.0, remaining[r] - wanted) if wanted > 0.0 else remaining[r]
        for r in range(lanes):
            delivered = final_due[r] * final_fill[r]
            final_delivered[i, r] = delivered
            unfilled = final_due[r] - delivered
            lost = unfilled / backlog_days
            backlog[i, r] = unfilled - lost


@kernel
def ship_and_order(t, chain_map, params, state, any_closed, any_lead, scratch):
    """Reference steps 5-6 customer by customer, then the next tick's arrivals.

    `any_closed`, `any_lead`: whether a live row of any lane closes a link or stretches a lead time this tick.
    As in `kernels.ship_and_order`, a customer's inputs are visited twice (shipments in and bounds, then orders)
    only if an input of some lane is `short` before shipments; otherwise every lane orders for its plan, in one pass.
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
    fill, tier_fill, plans, short, orders, ordered, tier_ordered = (
        state.fill, state.tier_fill, state.plan, state.short, state.orders, state.ordered, state.tier_ordered,
    )  # fmt: skip
    inventory, in_transit, ring, weight = state.inventory, state.in_transit, state.ring, state.weight
    final_goods_fill = state.final_goods_fill
    lanes = inventory.shape[1]
    mask = ring.shape[0] - 1
    b = (t + 1) & mask
    order, total, shipment = scratch[0], scratch[1], scratch[2]
    lowest, second, scarcest, plan = scratch[3], scratch[4], scratch[5], scratch[6]
    for i in range(len(slot_ptr) - 1):
        base = base_output[i]
        several = slot_ptr[i + 1] - slot_ptr[i] > 1
        bounded = False  # whether some input of some lane could hold an order below the plan
        for r in range(lanes):
            lowest[r] = second[r] = math.inf
            scarcest[r] = -1.0  # a slot index, as a float
            plan[r] = plans[i, r]
        two_passes = several and short[i]
        if two_passes:
            for s in range(slot_ptr[i], slot_ptr[i + 1]):
                lo, hi = slot_link_ptr[s], slot_link_ptr[s + 1]
                ship(t, s, lanes, any_closed, any_lead, closed, orders, grouped, tier_fill, mixed, fill, final_goods_fill, link_supplier, link_group, final_goods_group, final_goods, link_lead, lead_factor, lo, hi, ring, mask, in_transit, shipment)
                if adaptive and hi - lo > 1:
                    adapt_shares(lo, hi, lanes, closed, any_closed, orders, grouped, tier_fill, mixed, fill, final_goods_fill, link_supplier, link_group, final_goods_group, final_goods, share, link_share, rho, weight, total)
                coef, necessity = slot_coef[s], slot_necessity[s]
                if necessity != NONCRITICAL:
                    for r in range(lanes):  # the scalar kernel's bounds (only those below the plan can bind)
                        position = inventory[s, r] + in_transit[s, r]
                        if position < coef * plan[r]:
                            bound = input_bound(position, coef, necessity, base)
                            low = lowest[r]
                            second[r] = min(second[r], max(low, bound))
                            scarcest[r] = s if bound < low else scarcest[r]
                            lowest[r] = min(low, bound)
                            bounded = True
        for s in range(slot_ptr[i], slot_ptr[i + 1]):
            lo, hi = slot_link_ptr[s], slot_link_ptr[s + 1]
            if not two_passes:  # no input of any lane is short: shipments cannot make one bind
                ship(t, s, lanes, any_closed, any_lead, closed, orders, grouped, tier_fill, mixed, fill, final_goods_fill, link_supplier, link_group, final_goods_group, final_goods, link_lead, lead_factor, lo, hi, ring, mask, in_transit, shipment)
                if adaptive and hi - lo > 1:
                    adapt_shares(lo, hi, lanes, closed, any_closed, orders, grouped, tier_fill, mixed, fill, final_goods_fill, link_supplier, link_group, final_goods_group, final_goods, share, link_share, rho, weight, total)
            # orders for the next tick (reference step 6), into each supplier's next order book
            coef = slot_coef[s]
            no_order = ROUNDING_SLACK * coef * base
            if bounded:
                for r in range(lanes):
                    expected = within_slack(plan[r], second[r] if scarcest[r] == s else lowest[r])
                    gap = slot_target[s, r] + slot_pipeline[s, r] - inventory[s, r] - in_transit[s, r]
                    o = max(0.0, coef * expected + gap / tau)
                    order[r] = 0.0 if o < no_order else o  # below: rounding, not an order
            else:  # every lane orders for its plan
                for r in range(lanes):
                    gap = slot_target[s, r] + slot_pipeline[s, r] - inventory[s, r] - in_transit[s, r]
                    o = max(0.0, coef * plan[r] + gap / tau)
                    order[r] = 0.0 if o < no_order else o
            for link in range(lo, hi):
                j, group, part = link_supplier[link], link_group[link], final_goods[link]
                fg_group = final_goods_group[link]
                for r in range(lanes):
                    o = order[r] * share[link, r]
                    orders[link, r] = o
                    ordered[j, r] += o
                    if grouped:  # kernels.book_order
                        tier_ordered[j, group, r] += o * (1.0 - part)
                        tier_ordered[j, fg_group, r] += o * part
            # end of tick: take in what the next tick will use
            for r in range(lanes):
                units = ring[b, s, r]
                ring[b, s, r] = 0.0
                inventory[s, r] += units
                in_transit[s, r] -= units


@njit(cache=True, error_model="numpy", inline="always")
def ship(t, s, lanes, any_closed, any_lead, closed, orders, grouped, tier_fill, mixed, fill, final_goods_fill, link_supplier, link_group, final_goods_group, final_goods, link_lead, lead_factor, lo, hi, ring, mask, in_transit, shipment):
    """Input `s`'s deliveries of tick `t` in every lane (links `lo:hi`), each pulled from its supplier's fill ratio,
    into the ring and in transit. Inlined, like adapt_shares."""
    for link in range(lo, hi):
        j, group, part = link_supplier[link], link_group[link], final_goods[link]
        fg_group = final_goods_group[link]
        for r in range(lanes):
            book = 0.0 if (any_closed and closed[link, r]) else orders[link, r]
            if grouped:  # the order's parts' groups' ratios, weighted by the parts (kernels.ship)
                ratio = tier_fill[j, group, r] + part * (tier_fill[j, fg_group, r] - tier_fill[j, group, r])
            elif mixed:
                ratio = fill[j, r] + part * (final_goods_fill[j, r] - fill[j, r])
            else:
                ratio = fill[j, r]
            shipment[r] = book * ratio
        if any_lead:  # each lane its own delay
            for r in range(lanes):
                ring[arrival_tick(t, link_lead[link] * lead_factor[link, r]) & mask, s, r] += shipment[r]
        else:
            a = arrival_tick(t, link_lead[link]) & mask
            for r in range(lanes):
                ring[a, s, r] += shipment[r]
        for r in range(lanes):
            in_transit[s, r] += shipment[r]


@njit(cache=True, error_model="numpy", inline="always")
def adapt_shares(lo, hi, lanes, closed, any_closed, orders, grouped, tier_fill, mixed, fill, final_goods_fill, link_supplier, link_group, final_goods_group, final_goods, share, link_share, rho, weight, total):
    """Reference `_adapt_shares` for one input: toward suppliers that filled their last orders, back toward baseline.

    A link's fill ratio is its supplier's (its group's) ratio; 0 if the link is
    closed, 1 if nothing was ordered. Written out here, not in a helper: a call
    with array arguments in this loop costs more than the arithmetic (refcounts).
    """
    for r in range(lanes):
        total[r] = 0.0
    for link in range(lo, hi):
        j, group, part = link_supplier[link], link_group[link], final_goods[link]
        fg_group = final_goods_group[link]
        for r in range(lanes):
            if any_closed and closed[link, r]:
                ratio = 0.0
            elif orders[link, r] <= 0.0:
                ratio = 1.0
            elif grouped:  # as in ship
                ratio = tier_fill[j, group, r] + part * (tier_fill[j, fg_group, r] - tier_fill[j, group, r])
            elif mixed:
                ratio = fill[j, r] + part * (final_goods_fill[j, r] - fill[j, r])
            else:
                ratio = fill[j, r]
            weight[link, r] = share[link, r] * ratio
            total[r] += weight[link, r]
    for link in range(lo, hi):
        for r in range(lanes):
            moved = weight[link, r] / total[r] if total[r] > 0.0 else share[link, r]
            share[link, r] = (1.0 - rho) * moved + rho * link_share[link, r]


@kernel
def record_tick(t, chain_map, state, record, scratch):
    """Chain aggregates and lowest output ratios of tick `t`, lane by lane."""
    base_output, chain_ptr, chain_firm, chain_weight = chain_map.base_output, chain_map.chain_ptr, chain_map.chain_firm, chain_map.chain_weight
    output, final_new, final_delivered = state.output, state.final_new, state.final_delivered
    chain_output, chain_final_demand, chain_final_delivered = record.chain_output, record.chain_final_demand, record.chain_final_delivered
    firm_min_ratio = record.firm_min_ratio
    lanes = output.shape[1]
    out, dem, dlv = scratch[0], scratch[1], scratch[2]
    for c in range(len(chain_ptr) - 1):
        for r in range(lanes):
            out[r] = dem[r] = dlv[r] = 0.0
        for k in range(chain_ptr[c], chain_ptr[c + 1]):
            w, i = chain_weight[k], chain_firm[k]
            for r in range(lanes):
                out[r] += w * output[i, r]
                dem[r] += w * final_new[i, r]
                dlv[r] += w * final_delivered[i, r]
        for r in range(lanes):
            chain_output[r, t, c] = out[r]
            chain_final_demand[r, t, c] = dem[r]
            chain_final_delivered[r, t, c] = dlv[r]
    for i in range(len(base_output)):
        if base_output[i] > 0.0:  # a standby supplier has no output ratio
            for r in range(lanes):
                firm_min_ratio[r, i] = min(firm_min_ratio[r, i], output[i, r] / base_output[i])


@kernel
def lanes_of(a, lanes):
    """(n,) -> (n, lanes): a lane's own copy of a per-firm, -slot or -link array."""
    out = np.empty((len(a), lanes))
    for k in range(len(a)):
        for r in range(lanes):
            out[k, r] = a[k]
    return out


@njit(cache=True, error_model="numpy", nogil=True)  # a Dask worker may run several chunks at once, one per thread
def simulate_group(chain_map, params, calendar, row_ptr, record):
    """Run `len(row_ptr) - 1` lanes for the whole horizon into the preallocated `record` (`bundles.LaneRecord`, lane
    first); `kernels.simulate` for a group. The group's `bundles.State` is built here, a lane axis last.

    Lane `r` runs on `calendar` rows `row_ptr[r]:row_ptr[r + 1]`, sorted by start (the order their onsets fire).
    """
    horizon, grouped, mixed, n_groups, adaptive = params.horizon, params.grouped, params.mixed, params.n_groups, params.adaptive
    kind, target, value, start = calendar.kind, calendar.target, calendar.value, calendar.start
    link_supplier, link_slot, link_lead, link_group, link_flow = (
        chain_map.link_supplier, chain_map.link_slot, chain_map.link_lead, chain_map.link_group, chain_map.link_flow,
    )  # fmt: skip
    lanes = len(row_ptr) - 1
    n, n_slots, n_links = len(chain_map.capacity), len(chain_map.slot_coef), len(link_supplier)
    # what timed policies change (apply_set): each lane's own copies
    capacity, slot_target = lanes_of(chain_map.capacity, lanes), lanes_of(chain_map.slot_target, lanes)
    slot_pipeline, base_share = lanes_of(chain_map.slot_pipeline, lanes), lanes_of(chain_map.link_share, lanes)

    # state at t = 0 (docs/model.md, Baseline): targets held, baseline order books, pipelines full
    inventory = slot_target.copy()
    in_transit = np.zeros((n_slots, lanes))
    orders = lanes_of(link_flow, lanes)
    share = base_share.copy()
    backlog = np.zeros((n, lanes))
    ordered = np.zeros((n, lanes))
    tier_ordered = np.zeros((n if grouped else 0, n_groups, lanes))
    final_goods, final_goods_group = chain_map.link_final_goods, chain_map.link_final_goods_group
    for link in range(n_links):
        for r in range(lanes):
            ordered[link_supplier[link], r] += orders[link, r]
            if grouped:  # kernels.book_order
                tier_ordered[link_supplier[link], link_group[link], r] += orders[link, r] * (1.0 - final_goods[link])
                tier_ordered[link_supplier[link], final_goods_group[link], r] += orders[link, r] * final_goods[link]
    length = 2
    for r in range(lanes):
        lo, hi = row_ptr[r], row_ptr[r + 1]
        length = max(length, ring_length(link_lead, kind[lo:hi], target[lo:hi], value[lo:hi]))
    ring = np.zeros((length, n_slots, lanes))
    mask = length - 1
    for link in range(n_links):
        lead = link_lead[link]
        for sent in range(-max(1, math.ceil(lead)), 0):
            for r in range(lanes):
                ring[math.ceil(max(0.0, sent + lead)) & mask, link_slot[link], r] += link_flow[link]
                in_transit[link_slot[link], r] += link_flow[link]
    for s in range(n_slots):
        for r in range(lanes):
            inventory[s, r] += ring[0, s, r]
            in_transit[s, r] -= ring[0, s, r]
            ring[0, s, r] = 0.0

    # shocks and their effects; lane r's live rows are live[row_ptr[r]:row_ptr[r] + n_live[r]]
    live = np.empty(len(kind), dtype=np.int64)
    next_row = row_ptr[:-1].copy()
    n_live = np.zeros(lanes, dtype=np.int64)
    any_lead_row = False
    for s in range(row_ptr[0], row_ptr[lanes]):
        any_lead_row = any_lead_row or kind[s] == LEAD
    damage = np.zeros((n, lanes))
    damage_next = np.zeros((n, lanes))
    demand_factor = np.ones((n, lanes))
    closed = np.zeros((n_links, lanes), dtype=np.bool_)
    lead_factor = np.ones((n_links, lanes))

    # per-tick scratch
    plan = np.zeros((n, lanes))
    output = np.zeros((n, lanes))
    fill = np.zeros((n, lanes))
    tier_fill = np.zeros((n if grouped else 1, n_groups, lanes))
    final_goods_fill = np.zeros((n if mixed else 0, lanes))
    final_new = np.zeros((n, lanes))
    final_delivered = np.zeros((n, lanes))
    weight = np.zeros((n_links if adaptive else 0, lanes))  # adapt_shares' scratch
    scratch = np.zeros((7, lanes))
    state = State(
        capacity=capacity, slot_target=slot_target, slot_pipeline=slot_pipeline, base_share=base_share,
        share=share, inventory=inventory, in_transit=in_transit, ring=ring,
        orders=orders, ordered=ordered, tier_ordered=tier_ordered, backlog=backlog,
        damage=damage, damage_next=damage_next, demand_factor=demand_factor, closed=closed, lead_factor=lead_factor,
        plan=plan, short=np.zeros(n, dtype=np.bool_), output=output, fill=fill, tier_fill=tier_fill, final_goods_fill=final_goods_fill,
        final_new=final_new, final_delivered=final_delivered, weight=weight,
    )  # fmt: skip

    for t in range(horizon):
        any_closed = any_lead = False
        for r in range(lanes):
            first, last = row_ptr[r], row_ptr[r + 1]
            while next_row[r] < last and start[next_row[r]] <= t:
                k = next_row[r]
                if kind[k] >= SOURCE:
                    apply_set(k, r, calendar, chain_map, state)
                else:
                    live[first + n_live[r]] = k
                    n_live[r] += 1
                next_row[r] += 1
            n_live[r] = apply_shocks(t, r, live, first, n_live[r], calendar, state)
            closed_here = False
            for k in range(first, first + n_live[r]):
                closed_here = closed_here or (kind[live[k]] == CLOSE and closed[target[live[k]], r])
            if closed_here:
                reopen_books(r, live, first, n_live[r], calendar, chain_map, state, grouped)
            any_closed = any_closed or closed_here
            any_lead = any_lead or (any_lead_row and n_live[r] > 0)

        produce_and_ration(chain_map, params, state, scratch)
        ordered[:, :] = 0.0
        if grouped:
            tier_ordered[:, :, :] = 0.0
        ship_and_order(t, chain_map, params, state, any_closed, any_lead, scratch)
        record_tick(t, chain_map, state, record, scratch)


@njit(cache=True, error_model="numpy", parallel=True)
def simulate_batch(chain_map, params, calendar, group_ptr, row_ptr, record):
    """Replications of one compiled run, lane groups in parallel: group `g` is replications
    `group_ptr[g]:group_ptr[g + 1]`; replication `k` runs on `calendar` rows `row_ptr[k]:row_ptr[k + 1]` into
    `record[...][k]` (`bundles.LaneRecord`). A lane's numbers depend neither on its group nor on the threads.
    """
    for g in prange(len(group_ptr) - 1):
        a, b = group_ptr[g], group_ptr[g + 1]
        group = LaneRecord(
            chain_output=record.chain_output[a:b], chain_final_demand=record.chain_final_demand[a:b],
            chain_final_delivered=record.chain_final_delivered[a:b], firm_min_ratio=record.firm_min_ratio[a:b],
        )  # fmt: skip
        simulate_group(chain_map, params, calendar, row_ptr[a : b + 1], group)
