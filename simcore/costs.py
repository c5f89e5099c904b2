"""What a variant's policies cost in money, and what their loss reduction is worth (docs/policies.md, Costs).

Money is the map's product `price`s times the scenario's `[costs].unit` (money of `[costs].currency` per price
unit). Every lever has a rate (`CostRates`: the policy's own, else the scenario's, else the default):

- **holding**: `holding_rate` a year on the value of the added target stock, for the days it is held;
- **capacity**: `capacity_rate` a year on the yearly output value of the added capacity (units/day x price x 365),
  for the days it is in force;
- **qualification**: `qualification` money per supplier link added (a customer qualifying a supplier); default 5
  days of the value of the flow the link is to carry (audits, tooling, trial lots);
- **priority**: `priority_premium` on the value of the baseline flows whose priority the policy raised, over the
  horizon, counted only when the variant runs under `rationing = "priority"` (tiers do nothing otherwise);
- **recovery**: `recovery_cost` money per firm and day of restart saved on the scenario's deterministic damage
  rows and on the expected events of its random outages (rate x window; linear: recovery days; exponential: the
  days to fall to 1%, 6.64 half-lives); default a tenth of a day of the firm's baseline output value (standby
  crews, spares, backup systems).

Each is read from what the policy changed in the compiled run, step by step in the order the compiler applies
policies (`simcore.compile.PolicyStep`), firm by firm (a variant's `[[variants.firms]]` overrides are a step of
their own, "firm overrides", at the scenario's rates), so the costs of several policies add up to the change of
the whole variant, changes are signed (the baseline shift of dual sourcing moves stock and capacity between
firms), and costing compiles nothing.

**Attribution to chains**: a firm's cost is shared among the named chains by the value share of each chain in the
firm's baseline output, `x_c / x` with `x_c = (I - M)^-1 d_c` the output that chain c's final demand calls for
(final demand of a firm in several chains split evenly; a firm a policy added takes the shares of its product's
makers). Named chains and `unattributed` (final demand in no named chain) add up to the total.

**Value saved** of a variant on a chain = (reference loss - variant loss) x the reference's baseline chain
output value over the horizon (docs/model.md, Metrics); **benefit-cost ratio** = value saved / cost.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from simcore.compile import FIRM_OVERRIDES, CompiledVariant, compile_variant
from simcore.core.compiled import PRIORITY, CompiledRun
from simcore.core.primitives import CAPACITY, DAMAGE, EXPONENTIAL, LINEAR, SOURCE, TARGET, ShockTable
from simcore.scenario import Scenario
from simcore.scenario.policies import slot_firm
from simcore.scenario.schema import DEFAULT_RATES, Costs, Variant

COMPONENTS = ("holding", "capacity", "qualification", "priority", "recovery")
YEAR = 365.0
QUALIFICATION_DAYS = 5.0  # default qualification: days of the value of the flow a new link is to carry
RECOVERY_SHARE = 0.1  # default recovery cost: this share of a day of the firm's output value per day of restart saved
RESTART_TO = 0.01  # an exponential recovery's restart ends when the damage has fallen to 1% of its peak
UNATTRIBUTED = "unattributed"


def rate(policy, costs: Costs, name: str) -> float | None:
    """A lever's rate: the policy's own, else the scenario's, else the default (None: derived from the map)."""
    for source in (policy, costs):
        value = getattr(source, name, None)  # the firm overrides (policy None) have only the scenario's rates
        if value is not None:
            return float(value)
    return DEFAULT_RATES.get(name)


def policy_costs(scenario: Scenario, variant: Variant | str | None = None) -> list[dict]:
    """One row per policy of a scenario's variant: what it changed (quantities) and its cost in money."""
    return [{k: v for k, v in row.items() if k != "by_firm"} for row in cost_rows(scenario, compile_variant(scenario, variant))]


def variant_cost(scenario: Scenario, variant: Variant | str | None = None) -> dict[str, float]:
    """A variant's cost in money over the horizon: each component and the total (0 without policies)."""
    return _total(cost_rows(scenario, compile_variant(scenario, variant)))


def costs_table(scenario: Scenario, variants) -> pd.DataFrame:
    """One row per compiled variant: its cost per component and in total, in money."""
    return pd.DataFrame([{"variant": v.name, **_total(cost_rows(scenario, v))} for v in variants])


def chain_costs(scenario: Scenario, compiled: CompiledVariant) -> dict[str, float]:
    """A variant's cost in money per chain of its run (`total` first), and `unattributed`: they add up to `total`."""
    rows = cost_rows(scenario, compiled)
    n = compiled.run.n_firms
    by_firm = sum((np.pad(r["by_firm"], (0, n - len(r["by_firm"]))) for r in rows), np.zeros(n))
    weights = chain_weights(scenario, compiled.run)
    out = {"total": float(by_firm.sum())}
    for chain, w in weights.items():
        out[chain] = float(w @ by_firm)
    out[UNATTRIBUTED] = out["total"] - sum(out[c] for c in weights)
    return out


def cost_rows(scenario: Scenario, compiled: CompiledVariant) -> list[dict]:
    """One row per policy of a compiled variant: what it changed, its cost per component and in total (money), and
    `by_firm`, the cost per firm of the variant's run (for the attribution to chains)."""
    costs, run = scenario.costs, compiled.run
    T = run.horizon
    price = np.array([p.price for p in scenario.model.products]) * costs.unit  # money per unit of each product
    rows = []
    levers = [(j, p, p.kind) for j, p in enumerate(compiled.policies)]
    if any(s.policy == FIRM_OVERRIDES for s in compiled.steps):
        levers.insert(0, (FIRM_OVERRIDES, None, "firm overrides"))
    for j, p, kind in levers:
        row = {"policy": j, "kind": kind, "added_inventory": 0.0, "added_capacity": 0.0, "added_links": 0, "raised_flow": 0.0, "restart_days_saved": 0.0}
        money = {c: np.zeros(run.n_firms) for c in COMPONENTS}
        for step in (s for s in compiled.steps if s.policy == j):
            a, b = step.before, step.after
            row["added_inventory"] += _held(b, "slot_target", TARGET, None).sum() - _held(a, "slot_target", TARGET, None).sum()
            row["added_capacity"] += _held(b, "capacity", CAPACITY, None).sum() - _held(a, "capacity", CAPACITY, None).sum()
            stock_days = _by_firm(b, _held(b, "slot_target", TARGET, T) * price[b.slot_product])
            stock_days -= _pad(_by_firm(a, _held(a, "slot_target", TARGET, T) * price[a.slot_product]), b.n_firms)
            money["holding"] += _pad(rate(p, costs, "holding_rate") / YEAR * stock_days, run.n_firms)
            capacity_days = _held(b, "capacity", CAPACITY, T) * price[b.firm_product] - _pad(_held(a, "capacity", CAPACITY, T) * price[a.firm_product], b.n_firms)
            money["capacity"] += _pad(rate(p, costs, "capacity_rate") * capacity_days, run.n_firms)
            added = _added_links(a, b)
            row["added_links"] += len(added)
            money["qualification"] += _pad(_qualification(b, added, price, rate(p, costs, "qualification")), run.n_firms)
            if run.rationing == PRIORITY:  # the variant's final rule
                raised = _raised_links(a, b)
                row["raised_flow"] += float(b.link_flow[raised].sum())
                flow_value = price[b.slot_product[b.link_slot[raised]]] * b.link_flow[raised] * T
                money["priority"] += _pad(np.bincount(b.link_customer[raised], weights=rate(p, costs, "priority_premium") * flow_value, minlength=b.n_firms), run.n_firms)
            days = _restart_days_saved(a, b, compiled.shocks, scenario.sampler.expected_outages(len(scenario.model.firms)))
            row["restart_days_saved"] += float(days.sum())
            per_day = rate(p, costs, "recovery_cost")
            daily_value = price[b.firm_product] * b.base_output
            money["recovery"] += _pad(days * (RECOVERY_SHARE * daily_value if per_day is None else per_day), run.n_firms)
        for c in COMPONENTS:
            row[c] = float(money[c].sum())
        row["total"] = sum(row[c] for c in COMPONENTS)
        row["by_firm"] = sum(money.values())
        rows.append(row)
    return rows


def _total(rows: list[dict]) -> dict[str, float]:
    out = {c: float(sum(r[c] for r in rows)) for c in COMPONENTS}
    out["total"] = float(sum(out.values()))
    return out


def _pad(a: np.ndarray, n: int) -> np.ndarray:
    """Per-firm values of a run with `n` firms or fewer (policies only append firms), as `n` values."""
    return np.pad(np.asarray(a, dtype=float), (0, n - len(a)))


def _by_firm(run: CompiledRun, per_slot: np.ndarray) -> np.ndarray:
    """Per-slot values summed per firm."""
    return np.bincount(slot_firm(run), weights=per_slot, minlength=run.n_firms)


def _held(run: CompiledRun, array: str, kind: int, horizon: int | None) -> np.ndarray:
    """Per element of `array` (slot target inventory, or firm capacity): its value once every timed row of `kind`
    has fired, or, with a horizon, its unit-days: the value over the horizon plus each timed change over the
    ticks it is in force."""
    events = run.policy_events
    rows = events.kind == kind
    base = getattr(run, array).astype(float)
    if horizon is None:
        return base + np.bincount(events.target[rows], weights=events.value[rows], minlength=len(base))
    in_force = np.maximum(0.0, horizon - np.ceil(events.start[rows]))
    return base * horizon + np.bincount(events.target[rows], weights=events.value[rows] * in_force, minlength=len(base))


def _added_links(before: CompiledRun, after: CompiledRun) -> np.ndarray:
    """Compiled positions in `after` of the map links `before` does not have."""
    return np.flatnonzero(~np.isin(after.link_map_index, before.link_map_index))


def _qualification(run: CompiledRun, links: np.ndarray, price: np.ndarray, per_link: float | None) -> np.ndarray:
    """Per customer firm: the qualification money of the new links, at `per_link` or at the default."""
    if per_link is None:
        share = run.link_share[links].copy()
        events = run.policy_events
        for k in np.flatnonzero(events.kind == SOURCE):  # a standby link: the share it will take
            share[links == events.target[k]] = events.value[k]
        slot = run.link_slot[links]
        need = run.slot_coef[slot] * run.base_output[run.link_customer[links]]
        each = QUALIFICATION_DAYS * share * need * price[run.slot_product[slot]]
    else:
        each = np.full(len(links), per_link)
    return np.bincount(run.link_customer[links], weights=each, minlength=run.n_firms)


def _raised_links(before: CompiledRun, after: CompiledRun) -> np.ndarray:
    """Compiled positions in `after` of the links whose tier is lower than in `before`, matched by map link."""
    tier_before = dict(zip(before.link_map_index.tolist(), before.link_tier.tolist()))
    raised = [p for p, (m, t) in enumerate(zip(after.link_map_index.tolist(), after.link_tier.tolist())) if m in tier_before and t < tier_before[m]]
    return np.array(raised, dtype=np.int64)


def restart_days(profile: np.ndarray, param: np.ndarray) -> np.ndarray:
    """Days a damage row's restart takes: its linear recovery days, the days an exponential one takes to fall to
    `RESTART_TO` of its peak, 0 for a step (it ends at once)."""
    days = np.where(profile == LINEAR, param, 0.0)
    return np.where(profile == EXPONENTIAL, param * math.log2(1 / RESTART_TO), days)


def _restart_days_saved(before: CompiledRun, after: CompiledRun, shocks: ShockTable, expected: list) -> np.ndarray:
    """Per firm of `after`: the restart days its faster recovery saves on the deterministic damage rows, and on the
    expected events of the random outages (`expected`: ShockSampler.expected_outages)."""
    damage = shocks.kind == DAMAGE
    firm, days = shocks.target[damage], restart_days(shocks.profile[damage], shocks.param[damage])
    slow = _pad(before.recovery_speed, after.n_firms)
    slow[before.n_firms :] = 1.0
    saved = np.bincount(firm, weights=days / slow[firm] - days / after.recovery_speed[firm], minlength=after.n_firms).astype(float)
    for events, profile, param in expected:
        each = float(restart_days(np.array([profile]), np.array([param]))[0])
        saved += _pad(events * each, after.n_firms) * (1.0 / slow - 1.0 / after.recovery_speed)
    return saved


def chain_weights(scenario: Scenario, run: CompiledRun) -> dict[str, np.ndarray]:
    """Per named chain of `run`, the share of each of its firms' baseline output that the chain's final demand calls
    for (see the module docstring); firms a policy added take their product's makers' shares."""
    cmap = scenario.model
    named = [c for c in run.chain_names if c != "total"]
    if not named:
        return {}
    x = np.asarray(cmap.outputs, dtype=float)
    of_product = np.bincount(cmap.firm_product, weights=x, minlength=len(cmap.products))
    extra = run.firm_product[len(cmap.firms) :]
    out = {}
    for c in named:
        w = cmap.chain_shares[c]
        by_product = np.bincount(cmap.firm_product, weights=w * x, minlength=len(cmap.products))
        added = np.divide(by_product[extra], of_product[extra], out=np.zeros(len(extra)), where=of_product[extra] > 0)
        out[c] = np.concatenate([w, added])
    return out


def value_base(run: CompiledRun, unit: float) -> np.ndarray:
    """Per chain of `run`: its baseline chain output value over the horizon, in money (what a loss of 1 costs)."""
    return run.chain_baseline * run.horizon * unit


def add_money(table: pd.DataFrame, scenario: Scenario, compiled: dict[str, CompiledVariant]) -> pd.DataFrame:
    """`table` (rows of chain, variant, loss_reduction) with each variant's cost attributed to the chain, the value
    saved and the benefit-cost ratio, in money (NaN ratio without cost)."""
    unit = scenario.costs.unit
    ref = compiled[scenario.reference_variant].run
    base = dict(zip(ref.chain_names, value_base(ref, unit)))
    per_chain = {name: chain_costs(scenario, v) for name, v in compiled.items()}
    table = table.copy()
    table["cost"] = [per_chain[v][c] for v, c in zip(table.variant, table.chain)]
    value = np.array([base[c] for c in table.chain])
    table["value_saved"] = table.loss_reduction * value
    if "d_loss_ci_low" in table:  # replications: the paired 95% CI of the loss reduction, in money
        table["value_saved_ci_low"] = -table.d_loss_ci_high * value
        table["value_saved_ci_high"] = -table.d_loss_ci_low * value
    table["benefit_cost"] = [s / k if k > 0 else math.nan for s, k in zip(table.value_saved, table.cost)]
    return table


def money_info(scenario: Scenario) -> dict:
    """What every money figure of a scenario's results is in (summary.json)."""
    return {"currency": scenario.costs.currency, "unit": scenario.costs.unit, "unit_meaning": f"{scenario.costs.currency} per price unit of the map"}


SCALES = ((1e12, "tn"), (1e9, "bn"), (1e6, "M"), (1e3, "k"))


def format_money(value: float, currency: str) -> str:
    """`value` money readably: 3 significant digits and a scale word ("1.21 bn CNY", "62.6 M CNY", "-350 k CNY")."""
    if value is None or not math.isfinite(value):
        return "-"
    for scale, word in SCALES:
        if abs(value) >= scale:
            return f"{value / scale:.3g} {word} {currency}"
    return f"{value:.3g} {currency}"


def format_ratio(value: float) -> str:
    """A benefit-cost ratio as "19.3x" ("-" without cost)."""
    if value is None or not math.isfinite(value):
        return "-"
    return f"{value:,.0f}x" if abs(value) >= 1000 else f"{value:.3g}x"
