"""The SimPy reference engine: docs/model.md (One tick, Shocks) as plainly as it can be written.

This is the executable specification. Clarity wins over speed: every firm,
link and input is visited in a Python loop in a fixed order, shipments are
SimPy events that fire at `t + lead time` (fractional lead times included),
and shock onsets are SimPy events too. Every event, the daily tick included,
is a SimPy timeout, so the calendar's `(time, priority, seq)` key orders them:
an event due at time `t` that was scheduled before the tick of `t` fires before
it, which is always the case for shipments (sent in an earlier tick) and shock
onsets (scheduled at the start).

The Numba engine must reproduce these numbers to 1e-9.
"""

from __future__ import annotations

import math

import numpy as np
import simpy

from simcore.core.bounds import input_bound, within_slack
from simcore.core.compiled import ROUNDING_SLACK, CompiledRun
from simcore.core.primitives import CAPACITY, CLOSE, DAMAGE, DEMAND, LEAD, SET_KINDS, TARGET
from simcore.core.timing import arrival_tick, intensity
from simcore.engines.trajectories import T, Trajectories


def run_reference(run: CompiledRun, firm_trajectories: bool = True) -> Trajectories:
    """Simulate one compiled run for its whole horizon."""
    return _ReferenceSimulation(run, firm_trajectories).run()


class _ReferenceSimulation:
    def __init__(self, run: CompiledRun, firm_trajectories: bool):
        self.run_ = run
        self.env = simpy.Environment()
        self.rec = Trajectories.allocate(run.horizon, len(run.chain_names), run.n_firms, firm_trajectories)

        # State at t = 0 (docs/model.md, Baseline): targets held, baseline orders booked, pipeline full.
        self.inventory = run.slot_target.copy()
        self.in_transit = np.zeros(run.n_slots)
        self.orders = run.link_flow.copy()  # placed in the previous tick, per link
        self.share = run.link_share.copy()
        # what timed policies change (simcore.core.primitives: SOURCE, TARGET, CAPACITY)
        self.base_share = run.link_share.copy()
        self.pipeline = run.slot_pipeline.copy()
        self.target = run.slot_target.copy()
        self.capacity = run.capacity.copy()
        self.backlog = np.zeros(run.n_firms)
        # each order's two parts and their rationing groups (docs/model.md, Rationing), derived once
        self.link_group, self.final_goods, self.final_goods_group = run.link_group, run.link_final_goods, run.link_final_goods_group
        self.active_shocks: list[int] = []
        self.arrived_today = 0.0
        for link in range(run.n_links):
            for sent in range(-arrival_tick(0, run.link_lead[link]), 0):
                self._ship(link, run.link_flow[link], at=max(0.0, sent + run.link_lead[link]))
        self.rec.start_inventory = float(self.inventory.sum())
        self.rec.start_in_transit = float(self.in_transit.sum())

        for s in range(len(run.shock_kind)):
            onset = self._set if run.shock_kind[s] in SET_KINDS else self.active_shocks.append
            self.env.timeout(run.shock_start[s]).callbacks.append(lambda _, s=s, onset=onset: onset(s))
        self.env.timeout(0).callbacks.append(self._tick)

    def run(self) -> Trajectories:
        self.env.run(until=self.run_.horizon)
        return self.rec

    # --- events ------------------------------------------------------------------
    def _ship(self, link: int, units: float, at: float) -> None:
        """Send `units` down `link`; they join the customer's inventory when the event fires at time `at`."""
        slot = self.run_.link_slot[link]
        self.in_transit[slot] += units
        self.env.timeout(at - self.env.now).callbacks.append(lambda _: self._arrive(slot, units))

    def _set(self, s: int) -> None:
        """A timed policy's change, for good (simcore.core.primitives)."""
        r = self.run_
        kind, target, value = r.shock_kind[s], r.shock_target[s], r.shock_value[s]
        if kind == CAPACITY:
            self.capacity[target] += value
        elif kind == TARGET:
            self.target[target] += value
        else:
            slot = r.link_slot[target]
            links = range(r.slot_link_ptr[slot], r.slot_link_ptr[slot + 1])
            for link in links:
                factor = 0.0 if link == target else 1.0 - value
                self.share[link] = self.share[link] * factor + (value if link == target else 0.0)
                self.base_share[link] = self.base_share[link] * factor + (value if link == target else 0.0)
            use = r.slot_coef[slot] * r.base_output[r.link_customer[target]]
            pipeline = 0.0
            for link in links:
                pipeline += arrival_tick(0, r.link_lead[link]) * self.base_share[link] * use
            self.pipeline[slot] = pipeline

    def _arrive(self, slot: int, units: float) -> None:
        self.inventory[slot] += units
        self.in_transit[slot] -= units
        self.arrived_today += units

    # --- the daily tick ----------------------------------------------------------
    def _tick(self, _event) -> None:
        r = self.run_
        t = int(round(self.env.now))
        n, rec = r.n_firms, self.rec
        totals = rec.totals[t]
        totals[T["arrived"]] = self.arrived_today

        # 1. shocks in force this tick
        damage = np.zeros(n)
        damage_next = np.zeros(n)  # what the live damage rows will do tomorrow: a firm knows its recovery plan
        demand_factor = np.ones(n)
        closed = np.zeros(r.n_links, dtype=bool)
        lead_factor = np.ones(r.n_links)
        for s in self.active_shocks:
            level = intensity(t, r.shock_start[s], r.shock_duration[s], r.shock_profile[s], r.shock_param[s])
            target, value = r.shock_target[s], r.shock_value[s]
            kind = r.shock_kind[s]
            if kind == DAMAGE:
                damage[target] = max(damage[target], value * level)
                tomorrow = intensity(t + 1, r.shock_start[s], r.shock_duration[s], r.shock_profile[s], r.shock_param[s])
                damage_next[target] = max(damage_next[target], value * tomorrow)
            elif kind == DEMAND:
                demand_factor[target] *= 1.0 + (value - 1.0) * level
            elif kind == CLOSE:
                closed[target] |= level > 0.0
            elif kind == LEAD:
                lead_factor[target] *= 1.0 + (value - 1.0) * level

        # 2-3. capacity, order book, production, consumption
        output = np.zeros(n)
        firm_demand = np.zeros(n)
        final_new = r.final_demand * demand_factor
        book = np.where(closed, 0.0, self.orders)
        for i in range(n):
            capacity = self.capacity[i] * (1.0 - damage[i])
            ordered = 0.0
            for k in range(r.out_ptr[i], r.out_ptr[i + 1]):
                ordered += book[r.out_link[k]]
            firm_demand[i] = ordered + final_new[i] + self.backlog[i]
            input_limit = math.inf
            for s in range(r.slot_ptr[i], r.slot_ptr[i + 1]):
                input_limit = min(input_limit, input_bound(self.inventory[s], r.slot_coef[s], r.slot_necessity[s], r.base_output[i]))
            output[i] = within_slack(min(capacity, firm_demand[i]), input_limit)
            for s in range(r.slot_ptr[i], r.slot_ptr[i + 1]):
                used = min(r.slot_coef[s] * output[i], self.inventory[s])
                totals[T["consumed"]] += used
                self.inventory[s] -= used

        # 4-5. rationing, final demand and backlog, shipments
        delivered = np.zeros(r.n_links)
        link_group, final_group, n_groups = self.link_group, r.final_group, r.n_groups
        final_goods, final_goods_group = self.final_goods, self.final_goods_group
        link_fill = np.zeros(r.n_links)  # the fill ratio each link's order got
        final_delivered = np.zeros(n)
        for i in range(n):
            links = r.out_link[r.out_ptr[i] : r.out_ptr[i + 1]]
            final_due = final_new[i] + self.backlog[i]
            fill = ration(output[i], firm_demand[i], book[links], final_goods[links], link_group[links], final_goods_group[links], final_due, final_group, n_groups)
            for link, ratio in zip(links, fill[:-1]):
                delivered[link] = book[link] * ratio
                link_fill[link] = ratio
            final_delivered[i] = final_due * fill[-1]
            unfilled = final_due - final_delivered[i]
            lost = unfilled / r.backlog_days
            self.backlog[i] = unfilled - lost
            totals[T["lost_sales"]] += lost
        for link in range(r.n_links):
            if delivered[link] > 0.0:
                self._ship(link, delivered[link], at=t + r.link_lead[link] * lead_factor[link])
                totals[T["shipped"]] += delivered[link]

        # 6. orders for the next tick
        if r.adaptive_sourcing:
            self._adapt_shares(link_fill, closed)
        for i in range(n):
            # expected production (docs/model.md, Orders): the order book, bounded by tomorrow's capacity and by
            # what the scarcest *other* binding input on hand or in transit would allow
            plan = min(firm_demand[i], self.capacity[i] * (1.0 - damage_next[i]))
            lowest, second, scarcest = math.inf, math.inf, -1
            for s in range(r.slot_ptr[i], r.slot_ptr[i + 1]):
                bound = input_bound(self.inventory[s] + self.in_transit[s], r.slot_coef[s], r.slot_necessity[s], r.base_output[i])
                if bound < lowest:
                    lowest, second, scarcest = bound, lowest, s
                elif bound < second:
                    second = bound
            for s in range(r.slot_ptr[i], r.slot_ptr[i + 1]):
                expected = within_slack(plan, second if s == scarcest else lowest)
                gap = self.target[s] + self.pipeline[s] - self.inventory[s] - self.in_transit[s]
                order = max(0.0, r.slot_coef[s] * expected + gap / r.tau)
                if order < ROUNDING_SLACK * r.slot_coef[s] * r.base_output[i]:
                    order = 0.0  # rounding, not an order
                for link in range(r.slot_link_ptr[s], r.slot_link_ptr[s + 1]):
                    self.orders[link] = order * self.share[link]

        self._record(t, output, final_new, final_delivered)
        self.arrived_today = 0.0
        if t + 1 < r.horizon:
            self.env.timeout(1).callbacks.append(self._tick)

    def _adapt_shares(self, link_fill: np.ndarray, closed: np.ndarray) -> None:
        """Shift each input's shares toward suppliers that filled their orders, and back toward baseline."""
        r = self.run_
        rho = r.share_recovery
        for s in range(r.n_slots):
            lo, hi = r.slot_link_ptr[s], r.slot_link_ptr[s + 1]
            if hi - lo < 2:
                continue
            weights = np.zeros(hi - lo)
            total = 0.0
            for k, link in enumerate(range(lo, hi)):
                weights[k] = self.share[link] * fill_ratio(link_fill[link], self.orders[link], closed[link])
                total += weights[k]
            for k, link in enumerate(range(lo, hi)):
                moved = weights[k] / total if total > 0.0 else self.share[link]
                self.share[link] = (1.0 - rho) * moved + rho * self.base_share[link]

    def _record(self, t: int, output, final_new, final_delivered) -> None:
        r, rec = self.run_, self.rec
        totals = rec.totals[t]
        totals[T["produced"]] = output.sum()
        totals[T["inventory"]] = self.inventory.sum()
        totals[T["in_transit"]] = self.in_transit.sum()
        totals[T["final_demand"]] = final_new.sum()
        totals[T["final_delivered"]] = final_delivered.sum()
        totals[T["backlog"]] = self.backlog.sum()
        for c in range(len(r.chain_names)):
            for k in range(r.chain_ptr[c], r.chain_ptr[c + 1]):
                firm, weight = r.chain_firm[k], r.chain_weight[k]
                rec.chain_output[t, c] += weight * output[firm]
                rec.chain_final_demand[t, c] += weight * final_new[firm]
                rec.chain_final_delivered[t, c] += weight * final_delivered[firm]
        for i in np.flatnonzero(r.base_output > 0.0):  # a standby supplier has no output ratio
            rec.firm_min_ratio[i] = min(rec.firm_min_ratio[i], output[i] / r.base_output[i])
        if rec.firm_output is not None:
            rec.firm_output[t] = output
            rec.firm_final_delivered[t] = final_delivered


def fill_ratio(ratio: float, ordered: float, closed: bool) -> float:
    """How much of its last order a supplier delivered (its rationing ratio); an empty order counts as filled unless the link is closed."""
    if closed:
        return 0.0
    return ratio if ordered > 0.0 else 1.0


def ration(
    output: float, demand: float, orders: np.ndarray, final_goods: np.ndarray, groups: np.ndarray, final_goods_groups: np.ndarray, final_due: float, final_group: int, n_groups: int
) -> np.ndarray:
    """Fill ratio of each order, final demand last: groups served in ascending order, proportionally inside a
    group; the share `final_goods` of an order is in its `final_goods_groups`' group, the rest in `groups`' (docs/model.md, Rationing;
    one group is proportional rationing)."""
    if n_groups == 1:
        ratio = output / demand if demand > 0.0 else 0.0
        return np.full(len(orders) + 1, ratio)
    wanted = np.zeros(n_groups)
    for order, share, group, final_goods_group in zip(orders, final_goods, groups, final_goods_groups):
        wanted[group] += order * (1.0 - share)
        wanted[final_goods_group] += order * share
    wanted[final_group] += final_due
    group_fill = np.zeros(n_groups)
    remaining = output
    for group in range(n_groups):
        if wanted[group] <= 0.0:
            continue
        group_fill[group] = min(1.0, remaining / wanted[group])
        remaining = max(0.0, remaining - wanted[group])
    return np.append(group_fill[groups] + final_goods * (group_fill[final_goods_groups] - group_fill[groups]), group_fill[final_group])
