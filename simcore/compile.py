"""Chain map + scenario variant -> flat NumPy arrays, the only thing engines see.

Links are ordered by customer, then by the customer's input slot, so a
customer pulls its inputs through contiguous ranges; each supplier reaches its
customers' links through a CSR list (`out_ptr`, `out_link`).

The calendar rows (`shock_*`) are the scenario's shocks, mapped to compiled
targets with the variant's recovery speeds applied, then the variant's own
timed policy events. `CompiledRun.with_shocks` redoes that for another shock
table, which is how Monte Carlo replications reuse one compiled variant.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from simcore.chainmap import ChainMap
from simcore.chainmap.schema import Parameters, Rationing
from simcore.scenario import Scenario
from simcore.scenario.schema import ParameterOverrides, Variant
from simcore.scenario.policies import apply_policies, edit_map
from simcore.scenario.policies import resolve as resolve_policy
from simcore.scenario.shocks import DAMAGE, LINK_KINDS, ShockTable, expand_shocks, select_firms

RATIONING = {Rationing.proportional: 0, Rationing.priority: 1}
INT_COLUMNS = ("shock_kind", "shock_target", "shock_profile")


@dataclass(frozen=True, eq=False)
class CompiledRun:
    """One variant of one scenario as arrays; see docs/model.md for each quantity's meaning."""

    horizon: int
    # firms
    capacity: np.ndarray
    base_output: np.ndarray
    final_demand: np.ndarray
    # input slots (firm, input product), CSR by firm
    slot_ptr: np.ndarray
    slot_product: np.ndarray
    slot_coef: np.ndarray
    slot_target: np.ndarray
    slot_pipeline: np.ndarray
    slot_link_ptr: np.ndarray
    # links, ordered by customer and slot
    link_supplier: np.ndarray
    link_customer: np.ndarray
    link_slot: np.ndarray
    link_share: np.ndarray
    link_lead: np.ndarray
    link_tier: np.ndarray
    link_flow: np.ndarray  # baseline units per day
    link_map_index: np.ndarray  # position of the link in the chain map
    # suppliers' customer links, CSR by supplier
    out_ptr: np.ndarray
    out_link: np.ndarray
    # parameters
    tau: float
    backlog_days: float
    rationing: int
    adaptive_sourcing: bool
    share_recovery: float
    final_tier: int
    # shocks, with link targets in compiled link order
    shock_kind: np.ndarray
    shock_target: np.ndarray
    shock_value: np.ndarray
    shock_start: np.ndarray
    shock_duration: np.ndarray
    shock_profile: np.ndarray
    shock_param: np.ndarray
    # chain aggregates: value weights of final-demand firms, CSR by chain ("total" first)
    chain_names: tuple[str, ...]
    chain_ptr: np.ndarray
    chain_firm: np.ndarray
    chain_weight: np.ndarray
    firm_ids: tuple[str, ...] = ()  # map order; a policy may append firms (an alternative supplier)
    # what `with_shocks` needs: where each map link went, the policies' own rows and recovery speeds
    link_position: np.ndarray | None = None  # compiled position of each map link
    policy_events: ShockTable = ShockTable.empty()  # timed policy rows, compiled targets, in the order added
    recovery_speed: np.ndarray | None = None  # per firm: divides recovery days / half-life of damage rows on it

    @property
    def n_firms(self) -> int:
        return len(self.capacity)

    @property
    def n_links(self) -> int:
        return len(self.link_supplier)

    @property
    def n_slots(self) -> int:
        return len(self.slot_coef)

    def with_shocks(self, shocks: ShockTable) -> "CompiledRun":
        """This run on another shock table (map-level targets): its `shock_columns`."""
        return dataclasses.replace(self, **self.shock_columns(shocks))

    def shock_columns(self, shocks: ShockTable) -> dict[str, np.ndarray]:
        """The `shock_*` arrays of this run on another shock table (map-level targets): targets mapped,
        recovery speeds applied, policy events added after the shocks at equal start; rows sorted by start."""
        kind = shocks.kind
        target = link_targets(kind, shocks.target, self.link_position)
        param = shocks.param
        faster = (kind == DAMAGE) & (shocks.profile != 0)
        if faster.any():
            param = np.where(faster, param / self.recovery_speed[np.where(faster, target, 0)], param)
        ev = self.policy_events
        cols = {
            "shock_kind": (kind, ev.kind),
            "shock_target": (target, ev.target),
            "shock_value": (shocks.value, ev.value),
            "shock_start": (shocks.start, ev.start),
            "shock_duration": (shocks.duration, ev.duration),
            "shock_profile": (shocks.profile, ev.profile),
            "shock_param": (param, ev.param),
        }
        merged = {name: np.concatenate(pair).astype(np.int64 if name in INT_COLUMNS else float) for name, pair in cols.items()}
        order = np.argsort(merged["shock_start"], kind="stable")
        return {name: a[order] for name, a in merged.items()}

    @property
    def chain_baseline(self) -> np.ndarray:
        """Baseline value of chain output per chain."""
        chain_of = np.repeat(np.arange(len(self.chain_names)), np.diff(self.chain_ptr))  # a chain may have no final-demand firm
        return np.bincount(chain_of, weights=self.chain_weight * self.base_output[self.chain_firm], minlength=len(self.chain_names))


def link_targets(kind: np.ndarray, target: np.ndarray, position: np.ndarray) -> np.ndarray:
    """Shock targets with the map-level links of link kinds moved to their compiled positions."""
    on_link = np.isin(kind, LINK_KINDS)
    return np.where(on_link, position[np.where(on_link, target, 0)] if len(position) else 0, target)


def delay_ticks(t: float, lead: float) -> int:
    """Tick from which a shipment sent in tick `t` can be used: the first at or after `t + lead`, never `t` itself."""
    return max(int(t) + 1, math.ceil(t + lead))


def effective_parameters(cmap: ChainMap, *overrides: ParameterOverrides) -> Parameters:
    values = cmap.parameters.model_dump()
    for o in overrides:
        values.update(o.model_dump(exclude_none=True))
    return Parameters(**values)


def compile_run(scenario: Scenario, variant: Variant | str | None = None, replication: int | None = None, seed: int | None = None) -> CompiledRun:
    """Compile one variant (default: the reference variant) of a scenario, on its deterministic shocks or, with
    `replication` k, on the shocks replication k draws (with `seed`, default the scenario's)."""
    run, shocks = compile_parts(scenario, variant)
    if replication is not None and scenario.is_random:
        shocks = scenario.sampler.draw(scenario.seed if seed is None else seed, replication).apply(shocks)
    return run.with_shocks(shocks)


def compile_parts(scenario: Scenario, variant: Variant | str | None = None) -> tuple[CompiledRun, ShockTable]:
    """A variant's run without shocks, and its deterministic shocks (map-level, expanded again on a map its
    policies edited, so an embargo also closes a new link it covers)."""
    if variant is None:
        variant = scenario.reference_variant
    if isinstance(variant, str):
        variant = scenario.variant(variant)
    params = effective_parameters(scenario.model, scenario.parameters, variant.parameters)
    run, edited = compile_variant(scenario.model, params, scenario.horizon, variant)
    shocks = scenario.shocks if edited is scenario.model else expand_shocks(edited, list(scenario.shock_specs), str(scenario.model.file))[0]
    return run, shocks


def compile_model(cmap: ChainMap, params: Parameters, horizon: int, shocks: ShockTable, variant: Variant | None = None) -> CompiledRun:
    """Compile a map under a variant: its firm overrides, then its policies (`simcore.scenario.policies`).

    Policies that change the map (dual sourcing: new links, re-solved
    baseline) are applied before compiling; the new links are appended, so
    link indices in `shocks` stay valid (`compile_parts` expands a scenario's
    shocks again on the changed map, so that an embargo also closes a new link
    it covers). The other policies then transform the compiled arrays.
    """
    run, _ = compile_variant(cmap, params, horizon, variant)
    return run.with_shocks(shocks)


def compile_variant(cmap: ChainMap, params: Parameters, horizon: int, variant: Variant | None = None) -> tuple[CompiledRun, ChainMap]:
    """The variant's run without shocks (add them with `with_shocks`), and the map its policies edited."""
    policies = [resolve_policy(p) for p in variant.policies] if variant is not None else []
    edited = edit_map(cmap, policies) if policies else cmap
    return apply_policies(_compile_model(edited, params, horizon, variant), edited, policies), edited


def _compile_model(cmap: ChainMap, params: Parameters, horizon: int, variant: Variant | None = None) -> CompiledRun:
    n = len(cmap.firms)
    x = cmap.outputs
    defaults = cmap.defaults

    # per-firm settings, then the variant's overrides in order
    headroom = np.array([defaults.headroom if f.headroom is None else f.headroom for f in cmap.firms])
    cover = [defaults.cover if f.cover is None else f.cover for f in cmap.firms]
    cover_by_input = [dict(f.cover_by_input) for f in cmap.firms]
    priority = [defaults.priority if f.priority is None else f.priority for f in cmap.firms]
    for o in variant.firms if variant is not None else ():
        for k in select_firms(cmap, o.select):
            if o.headroom is not None:
                headroom[k] = o.headroom
            if o.cover is not None:
                cover[k] = o.cover  # the firm's default; covers set per input stay (specific beats general)
            cover_by_input[k].update(o.cover_by_input)
            if o.priority is not None:
                priority[k] = o.priority

    # input slots in recipe order
    slot_ptr = np.zeros(n + 1, dtype=np.int64)
    slot_product, slot_coef, slot_cover = [], [], []
    slot_of: dict[tuple[int, str], int] = {}
    for i, f in enumerate(cmap.firms):
        recipe = {} if i in cmap.open_inputs else cmap.products[cmap.firm_product[i]].recipe
        for q, a in recipe.items():
            slot_of[i, q] = len(slot_coef)
            slot_product.append(cmap.product_index[q])
            slot_coef.append(a)
            slot_cover.append(cover_by_input[i].get(q, cover[i]))
        slot_ptr[i + 1] = len(slot_coef)
    slot_coef_a = np.array(slot_coef, dtype=float)
    slot_firm = np.repeat(np.arange(n), np.diff(slot_ptr))
    slot_use = slot_coef_a * x[slot_firm]  # baseline daily use
    slot_target = np.array(slot_cover, dtype=float) * slot_use

    # links ordered by (customer, slot, map order)
    map_slot = np.array([slot_of[int(i), cmap.firms[j].product] for j, i in zip(cmap.link_supplier, cmap.link_customer)], dtype=np.int64)
    order = np.lexsort((np.arange(len(cmap.links)), map_slot))
    link_slot = map_slot[order]
    link_supplier = cmap.link_supplier[order]
    link_customer = cmap.link_customer[order]
    share = np.array([l.share for l in cmap.links])[order]
    lead = np.array([l.lead_time for l in cmap.links])[order]
    tier = np.array(
        [cmap.links[m].priority if cmap.links[m].priority is not None else priority[link_customer[p]] for p, m in enumerate(order)],
        dtype=np.int64,
    )
    flow = share * slot_use[link_slot]
    slot_link_ptr = np.searchsorted(link_slot, np.arange(len(slot_coef) + 1)).astype(np.int64)
    ticks = np.array([delay_ticks(0, L) for L in lead], dtype=float)
    slot_pipeline = np.bincount(link_slot, weights=ticks * flow, minlength=len(slot_coef)).astype(float)

    out_link = np.lexsort((np.arange(len(order)), link_supplier)).astype(np.int64)
    out_ptr = np.searchsorted(link_supplier[out_link], np.arange(n + 1)).astype(np.int64)

    # where each map link went; the map's scheduled policy rows with compiled targets
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    events = ShockTable.from_rows([(*row, 0) for row in cmap.scheduled], sort=False)
    events = dataclasses.replace(events, target=link_targets(events.kind, events.target, position))

    # chains: final-demand firms, weighted by product price
    names, ptr, firms_, weights = [], [0], [], []
    for name, members in cmap.chain_members.items():
        finals = [int(k) for k in members if cmap.final_demand[k] > 0]
        names.append(name)
        firms_ += finals
        weights += [float(cmap.prices[k]) for k in finals]
        ptr.append(len(firms_))

    return CompiledRun(
        horizon=int(horizon),
        capacity=x * (1.0 + headroom),
        base_output=x.copy(),
        final_demand=cmap.final_demand.copy(),
        slot_ptr=slot_ptr,
        slot_product=np.array(slot_product, dtype=np.int64),
        slot_coef=slot_coef_a,
        slot_target=slot_target,
        slot_pipeline=slot_pipeline,
        slot_link_ptr=slot_link_ptr,
        link_supplier=link_supplier.astype(np.int64),
        link_customer=link_customer.astype(np.int64),
        link_slot=link_slot,
        link_share=share,
        link_lead=lead,
        link_tier=tier,
        link_flow=flow,
        link_map_index=order.astype(np.int64),
        out_ptr=out_ptr,
        out_link=out_link,
        tau=params.tau,
        backlog_days=params.backlog_days,
        rationing=RATIONING[params.rationing],
        adaptive_sourcing=params.adaptive_sourcing,
        share_recovery=params.share_recovery,
        final_tier=params.final_demand_priority,
        **{f"shock_{name}": getattr(ShockTable.empty(), name) for name in ("kind", "target", "value", "start", "duration", "profile", "param")},
        chain_names=tuple(names),
        chain_ptr=np.array(ptr, dtype=np.int64),
        chain_firm=np.array(firms_, dtype=np.int64),
        chain_weight=np.array(weights, dtype=float),
        firm_ids=tuple(f.id for f in cmap.firms),
        link_position=position,
        policy_events=events,
        recovery_speed=np.ones(n),
    )
