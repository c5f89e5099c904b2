"""What a variant's policies cost, from the compiled arrays (docs/model.md, Policies; docs/policies.md, Costs).

Each policy carries four rates (all 0 by default). Its cost is read from what
it changed in the compiled run, step by step in the order the compiler applies
policies (`simcore.compile.PolicyStep`: map-changing policies first, then the
others, each in listed order), so the costs of several policies in one variant
add up to the change of the whole variant against the same variant without
policies, and costing compiles nothing:

- `holding_cost` x (added target inventory, units of the inputs) x days in force;
- `capacity_cost` x (added capacity, units per day) x days in force;
- `qualification_cost` x (supplier links added);
- `priority_premium` x (baseline flow, units per day, of the links whose tier
  the policy raised, i.e. lowered in number) x horizon, counted only when the
  variant runs under `rationing = "priority"` (tiers do nothing otherwise).

Changes are signed: a policy that lowers a cover saves holding cost, and the
baseline shift of dual sourcing (the incumbent makes less, the second
supplier more) moves capacity and stock between firms rather than adding it.
Days in force are the horizon, or the ticks from a timed policy's `start` on
(its TARGET and CAPACITY rows; an alternative supplier's capacity counts from
its qualification).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simcore.compile import CompiledVariant, compile_variant
from simcore.core.compiled import PRIORITY, CompiledRun
from simcore.core.primitives import CAPACITY, TARGET
from simcore.scenario import Scenario
from simcore.scenario.schema import Variant

COMPONENTS = ("holding_cost", "capacity_cost", "qualification_cost", "priority_premium")


def policy_costs(scenario: Scenario, variant: Variant | str | None = None) -> list[dict]:
    """One row per policy of a scenario's variant: what it changed (quantities) and what that costs over the horizon."""
    return cost_rows(compile_variant(scenario, variant))


def variant_cost(scenario: Scenario, variant: Variant | str | None = None) -> dict[str, float]:
    """Cost of a variant's policies over the scenario horizon: each component and the total (0 without policies)."""
    return _total(cost_rows(compile_variant(scenario, variant)))


def costs_table(variants) -> pd.DataFrame:
    """One row per compiled variant (`CompiledVariant`): its policies' cost per component and in total."""
    return pd.DataFrame([{"variant": v.name, **_total(cost_rows(v))} for v in variants])


def cost_rows(compiled: CompiledVariant) -> list[dict]:
    """One row per policy of a compiled variant, from its steps: what the policy changed and what that costs."""
    policies = compiled.policies
    priority = compiled.run.rationing == PRIORITY  # the variant's final rule
    zero = {"added_inventory": 0.0, "added_capacity": 0.0, "added_links": 0, "raised_flow": 0.0}
    rows = {j: {"policy": j, "kind": p.kind, **zero} for j, p in enumerate(policies)}
    T = compiled.run.horizon
    days = {"inventory_days": 0.0, "capacity_days": 0.0}
    for row in rows.values():
        row.update(days)
    for step in compiled.steps:
        row, a, b = rows[step.policy], step.before, step.after
        for name, array, kind in (("inventory", "slot_target", TARGET), ("capacity", "capacity", CAPACITY)):
            row[f"added_{name}"] += held(b, array, kind, None) - held(a, array, kind, None)
            row[f"{name}_days"] += held(b, array, kind, T) - held(a, array, kind, T)
        row["added_links"] += b.n_links - a.n_links
        row["raised_flow"] += raised_flow(a, b) if priority else 0.0
    for j, p in enumerate(policies):
        row = rows[j]
        row["holding_cost"] = p.holding_cost * row.pop("inventory_days")
        row["capacity_cost"] = p.capacity_cost * row.pop("capacity_days")
        row["qualification_cost"] = p.qualification_cost * row["added_links"]
        row["priority_premium"] = p.priority_premium * row["raised_flow"] * T
        row["total"] = sum(row[c] for c in COMPONENTS)
    return [rows[j] for j in range(len(policies))]


def _total(rows: list[dict]) -> dict[str, float]:
    out = {c: float(sum(r[c] for r in rows)) for c in COMPONENTS}
    out["total"] = float(sum(out.values()))
    return out


def held(run: CompiledRun, array: str, kind: int, horizon: int | None) -> float:
    """Total of `array` (target inventory or capacity) once every timed row of `kind` has fired, or, with a
    horizon, its unit-days: the array over the horizon plus each policy event's change over the ticks it is in force."""
    events = run.policy_events
    rows = events.kind == kind
    values, starts = events.value[rows], events.start[rows]
    if horizon is None:
        return float(getattr(run, array).sum() + values.sum())
    in_force = np.maximum(0.0, horizon - np.ceil(starts))
    return float(getattr(run, array).sum() * horizon + (values * in_force).sum())


def raised_flow(before: CompiledRun, after: CompiledRun) -> float:
    """Baseline flow (in `after`) of the links whose tier is lower in `after` than in `before`, matched by map link."""
    tier_before = dict(zip(before.link_map_index.tolist(), before.link_tier.tolist()))
    raised = np.array([m in tier_before and t < tier_before[m] for m, t in zip(after.link_map_index.tolist(), after.link_tier.tolist())], dtype=bool)
    return float(after.link_flow[raised].sum()) if len(raised) else 0.0
