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
    firms = cmap.firms
    headroom = firms.numbers("headroom", defaults.headroom).copy()
    cover = firms.numbers("cover", defaults.cover).copy()
    priority = firms.numbers("priority", defaults.priority).astype(np.int64)
    cover_by_input = {k: dict(c) for k, c in enumerate(firms.column("cover_by_input")) if c}  # the few firms that set one
    for o in variant.firms if variant is not None else ():
        for k in select_firms(cmap, o.select):
            if o.headroom is not None:
                headroom[k] = o.headroom
            if o.cover is not None:
                cover[k] = o.cover  # the firm's default; covers set per input stay (specific beats general)
            if o.cover_by_input:
                cover_by_input.setdefault(k, {}).update(o.cover_by_input)
            if o.priority is not None:
                priority[k] = o.priority

    # input slots in recipe order: each firm's slots are its product's recipe (none for a firm with open inputs)
    recipe_ptr = np.cumsum([0] + [len(p.recipe) for p in cmap.products])
    recipe_input = np.array([cmap.product_index[q] for p in cmap.products for q in p.recipe], dtype=np.int64)
    recipe_coef = np.array([a for p in cmap.products for a in p.recipe.values()], dtype=float)
    recipe_necessity = np.array([NECESSITY[p.necessity.get(q, Necessity.critical)] for p in cmap.products for q in p.recipe], dtype=np.int64)
    counts = np.diff(recipe_ptr)[cmap.firm_product]
    counts[list(cmap.open_inputs)] = 0
    slot_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    slot_firm = np.repeat(np.arange(n), counts)
    in_recipe = np.repeat(recipe_ptr[cmap.firm_product] - slot_ptr[:-1], counts) + np.arange(slot_ptr[-1])  # slot -> recipe row
    slot_product, slot_coef_a, slot_necessity = recipe_input[in_recipe], recipe_coef[in_recipe], recipe_necessity[in_recipe]
    slot_cover = cover[slot_firm]
    for k, covers in cover_by_input.items():
        if slot_ptr[k + 1] > slot_ptr[k]:
            inputs = [cmap.products[q].id for q in slot_product[slot_ptr[k] : slot_ptr[k + 1]]]
            slot_cover[slot_ptr[k] : slot_ptr[k + 1]] = [covers.get(q, cover[k]) for q in inputs]
    slot_use = slot_coef_a * x[slot_firm]  # baseline daily use
    slot_target = slot_cover * slot_use

    # links ordered by (customer, slot, map order); a link's slot is its input's place in the customer's recipe
    P = len(cmap.products)
    recipe_key = np.repeat(np.arange(P), np.diff(recipe_ptr)) * P + recipe_input
    by_key = np.argsort(recipe_key, kind="stable")
    place = by_key[np.searchsorted(recipe_key[by_key], cmap.firm_product[cmap.link_customer] * P + cmap.firm_product[cmap.link_supplier])]
    map_slot = (slot_ptr[cmap.link_customer] + place - recipe_ptr[cmap.firm_product[cmap.link_customer]]).astype(np.int64)
    order = np.lexsort((np.arange(len(cmap.links)), map_slot))
    link_slot = map_slot[order]
    link_supplier = cmap.link_supplier[order]
    link_customer = cmap.link_customer[order]
    share = cmap.links.numbers("share")[order]
    lead = cmap.links.numbers("lead_time")[order]
    link_priority = cmap.links.numbers("priority")[order]  # NaN: the customer's tier
    tier = np.where(np.isnan(link_priority), priority[link_customer], link_priority).astype(np.int64)
    flow = share * slot_use[link_slot]
    slot_link_ptr = np.searchsorted(link_slot, np.arange(len(slot_coef_a) + 1)).astype(np.int64)
    ticks = np.maximum(1.0, np.ceil(lead))  # arrival_tick(0, lead) for every link at once
    slot_pipeline = np.bincount(link_slot, weights=ticks * flow, minlength=len(slot_coef_a)).astype(float)

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
        finals = members[cmap.final_demand[members] > 0]
        names.append(name)
        firms_.append(finals)
        weights.append(cmap.prices[finals])
        ptr.append(ptr[-1] + len(finals))

    return CompiledRun(
        horizon=int(horizon),
        capacity=x * (1.0 + headroom),
        base_output=x.copy(),
        final_demand=cmap.final_demand.copy(),
        slot_ptr=slot_ptr,
        slot_product=slot_product,
        slot_coef=slot_coef_a,
        slot_necessity=slot_necessity,
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
        chain_firm=np.concatenate(firms_).astype(np.int64),
        chain_weight=np.concatenate(weights).astype(float),
        firm_ids=tuple(cmap.firms.column("id")),
        firm_product=np.asarray(cmap.firm_product, dtype=np.int64).copy(),
        link_position=position,
        policy_events=events,
        recovery_speed=np.ones(n),
    )
