"""The interventions `simcore optimize` chooses among (docs/optimize.md, Candidates).

By default they are drawn from the map and the scenario:

- **chain masters**: for each firm tagged `chain_master`, a stabilization package for it and its tier-1
  suppliers (`stabilize_chain_master`: 7 more days of every input, a restart twice as fast; the map's rationing);
- **short boards**: the `[optimize].short_boards` short boards (docs/model.md, Short boards) through which the
  scenario's own shocks cost the chain most (`simcore.knockouts.rank_under_scenario`; only those the shocks
  reach), each filled each way `fill_short_board` offers that applies to it (an alternative supplier, capacity,
  safety stock, dual sourcing; at the policy's default settings);
- **stuck necks**: 7 more days of stock of the `[optimize].stuck_necks` products whose 30-day knock-out costs the
  chain most (the stress test by product, `simcore.knockouts.ranked_losses`) and that are not candidates already,
  at every customer of the product.

A scenario adds its own (`[[optimize.candidates]]`: a name and policies, like a variant's) and may keep only some
(`use`). Every candidate is checked against the map as a variant's policy is; a default one that does not apply
(dual sourcing of a product with one maker) is left out, and `skipped` says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from simcore.chainmap.inspect import short_boards
from simcore.errors import NO_VALUE, InputError, Problem, names_hint
from simcore.knockouts import rank_under_scenario, ranked_losses
from simcore.scenario import Scenario
from simcore.scenario.policies import POLICIES, FillShortBoard, SafetyStock, StabilizeChainMaster, customers_of
from simcore.scenario.schema import Optimize, Selector

MASTER_TAG = "chain_master"
MASTER_PACKAGE = {"extend_to_tiers": 1, "extra_cover": 7.0, "recovery_speed": 2.0, "set_rationing": False}
FILL_MODES = ("alternative_supplier", "capacity", "safety_stock", "dual_sourcing")
STUCK_NECK_COVER = 7.0  # days of stock added at the customers of a stuck neck


@dataclass(frozen=True)
class Candidate:
    """One intervention: its name (unique), where it comes from, what it does, and its policies (validated)."""

    name: str
    group: str  # "chain master", "short board", "stuck neck" or "scenario" (the scenario's own)
    description: str
    policies: tuple


@dataclass(frozen=True)
class Candidates:
    chosen: tuple[Candidate, ...]
    skipped: tuple[tuple[str, str], ...]  # (name, why) of default candidates that do not apply to the map


def draw_candidates(scenario: Scenario, block: Optimize, engine: str = "numba") -> Candidates:
    """The candidates of `scenario` under `block` (its `[optimize]`, or the defaults): drawn, own, then `use`."""
    cmap = scenario.model
    file = str(scenario.file)
    drawn, skipped = [], []
    if block.defaults:
        if block.chain_masters:
            for k, f in enumerate(cmap.firms):
                if MASTER_TAG in f.tags:
                    policy = StabilizeChainMaster(select=Selector(ids=[f.id]), **MASTER_PACKAGE)
                    about = f"{f.name or f.id} and its tier-1 suppliers: 7 more days of every input, a restart twice as fast"
                    drawn.append(Candidate(f"stabilize {f.id}", "chain master", about, (policy,)))
        boards = [row["product"] for row in short_boards(cmap)]
        hit = [(q, x) for q, x in rank_under_scenario(scenario, boards, engine) if x > 0][: block.short_boards] if block.short_boards else []
        for q, avoided in hit:
            for mode in FILL_MODES:
                policy = FillShortBoard(products=[q], mode=mode)
                name = f"{q}: {mode.replace('_', ' ')}"
                problems = POLICIES["fill_short_board"].check(cmap, policy, file, name)
                if problems:
                    skipped.append((name, problems[0].expected))
                    continue
                about = f"short board {q} (the shocks cost {avoided:.2%} of chain output through it), filled by {_MODE_WORDS[mode]}"
                drawn.append(Candidate(name, "short board", about, (policy,)))
        if block.stuck_necks:
            taken = {q for q, _ in hit}
            made = [p.id for p in cmap.products if any(f.product == p.id for f in cmap.firms) and customers_of(cmap, p.id)]
            necks = [(q, x) for q, x in ranked_losses(cmap, made) if q not in taken and x > 0][: block.stuck_necks]
            for q, loss in necks:
                buyers = [cmap.firms[k].id for k in customers_of(cmap, q)]
                policy = SafetyStock(select=Selector(ids=buyers), inputs=[q], extra_cover=STUCK_NECK_COVER)
                about = f"stuck neck {q} (a 30-day knock-out of its makers costs {loss:.2%} of chain output): 7 more days of it at its {len(buyers)} customers"
                drawn.append(Candidate(f"stuck neck {q}: safety stock", "stuck neck", about, (policy,)))
    own = [Candidate(c.name, "scenario", c.description, tuple(c.policies)) for c in block.candidates]
    names = {c.name for c in own}
    chosen = [c for c in drawn if c.name not in names] + own  # a candidate of the scenario's own replaces a drawn one of its name
    if block.use:
        known = {c.name: c for c in chosen}
        problems = [Problem(file, f"optimize.use[{k}]", name, f"the name of a candidate: {names_hint(name, known)}") for k, name in enumerate(block.use) if name not in known]
        if problems:
            raise InputError(problems)
        chosen = [known[name] for name in dict.fromkeys(block.use)]
    if not chosen:
        raise InputError([Problem(file, "optimize", NO_VALUE, "at least one candidate (the defaults found none on this map and scenario, and it lists none of its own)")])
    return Candidates(tuple(chosen), tuple(skipped))


_MODE_WORDS = {
    "alternative_supplier": "a new domestic supplier (30 days to qualify, 50% of the product's output, 30% of each customer's need)",
    "capacity": "20% more capacity at its makers",
    "safety_stock": "7 more days of it at its customers",
    "dual_sourcing": "a second supplier for single-sourced customers (30% of their need)",
}
