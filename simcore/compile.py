"""Chain map + scenario variant -> `CompiledRun` (simcore.core.compiled), the only thing engines see.

One entry point per purpose, each named for what it returns:

- `compile_variant(scenario, variant)` -> `CompiledVariant`: a scenario's
  variant compiled once, without shocks, with its deterministic shocks and
  what each of its policies changed; what runs, batches, stress tests and
  costs start from;
- `compile_run(scenario, variant, replication, seed)` -> `CompiledRun`: one
  variant on its shocks (or on what replication k draws), ready for an engine;
- `compile_model(cmap, params, horizon, shocks, variant)` -> `CompiledRun`: a
  chain map without a scenario file (stress tests of a model, tests, benchmarks).

A variant is compiled in this order: its firm overrides; its map-changing
policies in order (dual sourcing: new links, appended so that map link indices
stay valid, and a re-solved baseline), the map compiled anew after each; then
its other policies in order, each transforming the compiled arrays
(`simcore.scenario.policies`). Each step is kept (`PolicyStep`), so that costs
read what each policy changed without compiling again (`simcore.costs`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from simcore.chainmap import ChainMap
from simcore.chainmap.schema import Necessity, Parameters, Rationing
from simcore.core.compiled import CRITICAL, IMPORTANT, MIXED, NONCRITICAL, PRIORITY, PROPORTIONAL, CompiledRun, link_targets
from simcore.core.primitives import ShockTable
from simcore.core.timing import arrival_tick
from simcore.scenario import Scenario
from simcore.scenario.policies import POLICIES, Policy
from simcore.scenario.policies import resolve as resolve_policy
from simcore.scenario.schema import ParameterOverrides, Variant
from simcore.scenario.shocks import expand_shocks, select_firms

RATIONING = {Rationing.proportional: PROPORTIONAL, Rationing.priority: PRIORITY, Rationing.mixed: MIXED}
NECESSITY = {Necessity.critical: CRITICAL, Necessity.important: IMPORTANT, Necessity.noncritical: NONCRITICAL}


FIRM_OVERRIDES = -1
"""The `PolicyStep.policy` of a variant's `[[variants.firms]]` overrides: more cover or headroom costs money too."""


@dataclass(frozen=True, eq=False)
class PolicyStep:
    """One policy's effect on its variant's run: the run before and after it (both without shocks)."""

    policy: int  # position in the variant's policies, or FIRM_OVERRIDES
    before: CompiledRun
    after: CompiledRun


@dataclass(frozen=True, eq=False)
class CompiledVariant:
    """A variant compiled once: its run without shocks (add them with `run.with_shocks`), its deterministic shocks
    (map-level, expanded again on a map its policies edited, so that an embargo also closes a new link it covers),
    its policies' settings and each policy's step, in the order applied."""

    name: str
    run: CompiledRun
    shocks: ShockTable
    policies: tuple[Policy, ...] = ()
    steps: tuple[PolicyStep, ...] = ()


def effective_parameters(cmap: ChainMap, *overrides: ParameterOverrides) -> Parameters:
    values = cmap.parameters.model_dump()
    for o in overrides:
        values.update(o.model_dump(exclude_none=True))
    return Parameters(**values)


def compile_variant(scenario: Scenario, variant: Variant | str | None = None) -> CompiledVariant:
    """One variant (default: the reference variant) of a scenario, compiled once (see `CompiledVariant`)."""
    if variant is None:
        variant = scenario.reference_variant
    if isinstance(variant, str):
        variant = scenario.variant(variant)
    params = effective_parameters(scenario.model, scenario.parameters, variant.parameters)
    run, edited, policies, steps = _compile_policies(scenario.model, params, scenario.horizon, variant)
    shocks = scenario.shocks if edited is scenario.model else expand_shocks(edited, list(scenario.shock_specs), str(scenario.model.file))[0]
    return CompiledVariant(variant.name, run, shocks, policies, steps)


def compile_run(scenario: Scenario, variant: Variant | str | None = None, replication: int | None = None, seed: int | None = None) -> CompiledRun:
    """One variant (default: the reference variant) of a scenario on its deterministic shocks or, with
    `replication` k, on the shocks replication k draws (with `seed`, default the scenario's)."""
    compiled = compile_variant(scenario, variant)
    shocks = compiled.shocks if replication is None else scenario.drawn_shocks(compiled.shocks, replication, seed)
    return compiled.run.with_shocks(shocks)


def compile_model(cmap: ChainMap, params: Parameters, horizon: int, shocks: ShockTable, variant: Variant | None = None) -> CompiledRun:
    """A chain map under parameters and optionally a variant (its firm overrides and policies), on `shocks`
    (map-level targets; link indices stay valid on a map the policies extend)."""
    return _compile_policies(cmap, params, horizon, variant)[0].with_shocks(shocks)


def _compile_policies(
    cmap: ChainMap, params: Parameters, horizon: int, variant: Variant | None
) -> tuple[CompiledRun, ChainMap, tuple[Policy, ...], tuple[PolicyStep, ...]]:
    """The variant's run without shocks, the map its policies edited, its policies and each policy's step."""
    policies = tuple(resolve_policy(p) for p in variant.policies) if variant is not None else ()
    run = _compile_map(cmap, params, horizon, variant)
    steps = []
    if variant is not None and variant.firms:  # the firm overrides cost as a lever does (FIRM_OVERRIDES)
        steps.append(PolicyStep(FIRM_OVERRIDES, _compile_map(cmap, params, horizon, None), run))
    for j, p in enumerate(policies):
        edit = POLICIES[p.kind].edit_map
        if edit is not None:
            edited = edit(cmap, p)
            after = _compile_map(edited, params, horizon, variant) if edited is not cmap else run
            steps.append(PolicyStep(j, run, after))
            cmap, run = edited, after
    for j, p in enumerate(policies):
        apply = POLICIES[p.kind].apply
        if apply is not None:
            after = apply(run, cmap, p)
            steps.append(PolicyStep(j, run, after))
            run = after
    return run, cmap, policies, tuple(steps)


def _compile_map(cmap: ChainMap, params: Parameters, horizon: int, variant: Variant | None = None) -> CompiledRun:
    """The map as arrays under the parameters and the variant's firm overrides, before its policies."""
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
    slot_product, slot_coef, slot_cover, slot_necessity = [], [], [], []
    slot_of: dict[tuple[int, str], int] = {}
    for i, f in enumerate(cmap.firms):
        product = cmap.products[cmap.firm_product[i]]
        recipe = {} if i in cmap.open_inputs else product.recipe
        for q, a in recipe.items():
            slot_necessity.append(NECESSITY[product.necessity.get(q, Necessity.critical)])
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
    ticks = np.array([arrival_tick(0, L) for L in lead], dtype=float)
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
    for name, members in {"total": cmap.chain_members["total"], **cmap.chain_finals}.items():
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
        slot_necessity=np.array(slot_necessity, dtype=np.int64),
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
        firm_product=np.asarray(cmap.firm_product, dtype=np.int64).copy(),
        link_position=position,
        policy_events=events,
        recovery_speed=np.ones(n),
    )
