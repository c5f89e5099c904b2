"""Load a scenario file, the chain map it names, and check its shocks and variants against that map."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from simcore.chainmap import ChainMap, load_model
from simcore.chainmap.baseline import tau_problem
from simcore.core.primitives import LEAD, ShockTable
from simcore.errors import NO_VALUE, InputError, Problem, did_you_mean, format_loc, names_hint
from simcore.limits import MAX_LEAD_TIME, MAX_RANDOM_ROWS, lead_time_expectation, random_rows_expectation
from simcore.chainmap.inspect import short_boards
from simcore.scenario.policies import POLICIES, FillShortBoard, RankProducts, RankScenario, ranked
from simcore.scenario.random import ShockSampler
from simcore.scenario.schema import Costs, Optimize, Output, ParameterOverrides, RandomOutage, ScenarioFile, ScenarioInfo, Shock, Uncertain, Variant
from simcore.scenario.shocks import SHOCK_KINDS, expand_shocks, select_firms, selector_problems
from simcore.scenario.uncertain import Uncertainty, resolve as resolve_uncertain
from simcore.validation import raise_if, read_toml, validate


@dataclass(frozen=True, eq=False)
class Scenario:
    """A validated scenario: its chain map, its shocks as primitives, its variants."""

    file: Path
    info: ScenarioInfo
    model: ChainMap
    parameters: ParameterOverrides
    shocks: ShockTable
    shock_specs: tuple
    variants: tuple[Variant, ...]
    output: Output
    costs: Costs  # money: currency, price unit, default rates of the policies' levers
    sampler: ShockSampler  # the random part of the shocks (simcore.scenario.random)
    optimize: Optimize | None = None  # budget and candidates of `simcore optimize` (docs/optimize.md)
    uncertainty: Uncertainty = Uncertainty()  # the `[[uncertain]]` parameters (simcore.scenario.uncertain)

    @property
    def is_random(self) -> bool:
        """Whether replications differ: some shock is random or has a random field, or some parameter is uncertain."""
        return self.sampler.is_random or bool(self.uncertainty)

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def horizon(self) -> int:
        return self.info.horizon

    @property
    def seed(self) -> int:
        return self.info.seed

    @property
    def reference_variant(self) -> str:
        return self.info.reference_variant or self.variants[0].name

    def drawn_shocks(self, shocks: ShockTable, replication: int, seed: int | None = None) -> ShockTable:
        """A variant's deterministic `shocks` with what replication `replication` draws (with `seed`, default the
        scenario's); `shocks` itself when no shock is random."""
        if not self.sampler.is_random:
            return shocks
        return self.sampler.draw(self.seed if seed is None else seed, replication).apply(shocks)

    def variant(self, name: str) -> Variant:
        for v in self.variants:
            if v.name == name:
                return v
        raise KeyError(f"scenario {self.name!r} has no variant {name!r}; it has {[v.name for v in self.variants]}")


def read_scenario(path: str | Path, rank_products: RankProducts | None = None, rank_scenario: RankScenario | None = None) -> Scenario:
    """Read and validate a scenario and its model; raise InputError listing every problem.

    Shocks and variants are validated one by one, so the problems of the
    scenario file and of its model are reported together. `rank_products`
    ranks the short boards for `fill_short_board` with `top` (a stress test:
    `simcore.load_scenario` hands it in); `rank_scenario` ranks them under the
    scenario's own shocks for those with `rank = "scenario"`
    (`simcore.knockouts.rank_under_scenario`), once the scenario is read.
    """
    path = Path(path)
    file = str(path)
    raw = read_toml(path)
    arrays = {k: raw[k] for k in ("shocks", "variants", "uncertain") if isinstance(raw.get(k), list) and all(isinstance(v, dict) for v in raw[k])}
    doc, problems = validate(ScenarioFile, {k: v for k, v in raw.items() if k not in arrays}, file)
    shock_specs: list[tuple[int, Any]] = []  # (position in the file, shock)
    for n, item in enumerate(arrays.get("shocks", [])):
        shock, probs = validate(Shock, item, file, ("shocks", n))
        problems += probs
        if shock is not None:
            shock_specs.append((n, shock))
    uncertain: list[tuple[int, Uncertain]] = []
    for n, item in enumerate(arrays.get("uncertain", [])):
        entry, probs = validate(Uncertain, item, file, ("uncertain", n))
        problems += probs
        if entry is not None:
            uncertain.append((n, entry))
    variants: list[tuple[int, Variant]] = []
    names = [v.get("name") for v in arrays.get("variants", [])]
    for k, item in enumerate(arrays.get("variants", [])):
        variant, probs = validate(Variant, item, file, ("variants", k))
        problems += probs
        if variant is not None:
            variants.append((k, variant))
    if "variants" not in raw:
        variants = [(0, Variant(name="as-is"))]
        names = ["as-is"]

    model_ref = raw.get("scenario", {}).get("model") if isinstance(raw.get("scenario"), dict) else None
    cmap = None
    if isinstance(model_ref, str):
        model_path = (path.parent / model_ref).resolve()
        if not model_ref.strip() or not model_path.is_file():
            what = f"{_display_path(model_path)}, which is a folder" if model_path.is_dir() else f"{_display_path(model_path)}"
            expected = f"a model file (looked for {what}; paths are relative to the scenario file's folder)"
            problems.append(Problem(file, "scenario.model", model_ref, expected))
        else:
            try:
                cmap = load_model(_display_path(model_path))
            except InputError as exc:  # the model's own problems, reported with the scenario's
                problems += exc.problems

    if cmap is not None:
        if doc is not None and doc.parameters.tau is not None:
            problems += tau_problem(doc.parameters.tau, cmap, file, "parameters.tau")
        for n, shock in shock_specs:
            problems += SHOCK_KINDS[shock.kind](cmap, shock, file, f"shocks[{n}]")[1]
        for k, v in variants:
            for j, override in enumerate(v.firms):
                problems += selector_problems(cmap, override.select, file, f"variants[{k}].firms[{j}].select")
                problems += _cover_problems(cmap, override, file, f"variants[{k}].firms[{j}].cover_by_input")
            if v.parameters.tau is not None:
                problems += tau_problem(v.parameters.tau, cmap, file, f"variants[{k}].parameters.tau")
    resolved: dict[int, list] = {}  # variant position -> its policies' validated settings
    for k, item in enumerate(arrays.get("variants", [])):  # raw, so that a variant with a bad field is checked too
        name = item.get("name")
        if isinstance(name, str) and names.index(name) != k:
            problems.append(Problem(file, f"variants[{k}].name", name, f"a variant name not used before (also variants[{names.index(name)}])"))
        settings, probs = _policy_settings(cmap, item.get("policies"), file, ("variants", k), rank_products)
        problems += probs
        if settings is not None:
            resolved[k] = settings
    variants = [(k, v.model_copy(update={"policies": resolved[k]}) if k in resolved else v) for k, v in variants]
    ref = doc.scenario.reference_variant if doc is not None else None
    if ref is not None and ref not in names and ("variants" in arrays or "variants" not in raw):
        problems.append(Problem(file, "scenario.reference_variant", ref, f"the name of a variant ({', '.join(dict.fromkeys(map(str, names)))}){did_you_mean(ref, map(str, names))}"))
    if "variants" in arrays and not arrays["variants"]:
        problems.append(Problem(file, "variants", NO_VALUE, "expected at least one variant"))
    optimize, probs = _optimize_block(cmap, doc.optimize if doc is not None else None, raw.get("optimize"), file, rank_products)
    problems += probs
    uncertainty = Uncertainty()
    if cmap is not None and uncertain:
        owners = [v for _, v in variants] + (list(optimize.candidates) if optimize is not None else [])
        uncertainty, probs = resolve_uncertain(cmap, uncertain, dict(shock_specs), owners, file)
        problems += probs
    if doc is not None:
        problems += _after_the_horizon(doc.scenario.horizon, shock_specs, variants, file)
        if cmap is not None:
            problems += _priority_deadlocks(cmap, doc.parameters, variants, file)
    raise_if(problems)
    if doc is None or cmap is None:  # cannot happen: a missing piece is a problem above
        raise InputError([Problem(file, "scenario.model", model_ref, "a model file")])

    shocks, problems = expand_shocks(cmap, [s for _, s in shock_specs], file)
    problems += _beyond_limits(cmap, shock_specs, shocks, doc.scenario.horizon, file)
    raise_if(problems)
    scenario = Scenario(
        file=path,
        info=doc.scenario,
        model=cmap,
        parameters=doc.parameters,
        shocks=shocks,
        shock_specs=tuple(s for _, s in shock_specs),
        variants=tuple(v for _, v in variants),
        output=doc.output,
        costs=doc.costs,
        optimize=optimize,
        sampler=ShockSampler(cmap, [s for _, s in shock_specs], doc.scenario.horizon),
        uncertainty=uncertainty,
    )
    return _ranked_under_scenario(scenario, [k for k, _ in variants], rank_scenario, file)


def _ranked_under_scenario(scenario: Scenario, positions: list[int], rank_scenario: RankScenario | None, file: str) -> Scenario:
    """The scenario with every `fill_short_board` of `rank = "scenario"` and `top` (in a variant, or in a candidate of
    `[optimize]`) ranked under its shocks, then checked against the map like any policy
    (docs/policies.md#fill_short_board)."""
    owners = [(f"variants[{positions[v]}]", variant) for v, variant in enumerate(scenario.variants)]
    if scenario.optimize is not None:
        owners += [(f"optimize.candidates[{k}]", c) for k, c in enumerate(scenario.optimize.candidates)]
    todo = [(o, j) for o, (_, owner) in enumerate(owners) for j, p in enumerate(owner.policies) if isinstance(p, FillShortBoard) and p.needs_scenario_ranking]
    if not todo:
        return scenario
    if rank_scenario is None:
        raise ValueError('fill_short_board with `top` and rank = "scenario" needs a ranking under the shocks: load the scenario with simcore.load_scenario')
    owners, problems, rankings = [list(o) for o in owners], [], {}
    for o, j in todo:
        field, owner = owners[o]
        policy = owner.policies[j]
        key = tuple(policy.origins)
        if key not in rankings:
            rankings[key] = rank_scenario(scenario, [row["product"] for row in short_boards(scenario.model, key)])
        order = rankings[key]
        policy = policy.with_ranking([q for q, _ in order], [x for _, x in order])
        problems += POLICIES["fill_short_board"].check(scenario.model, policy, file, f"{field}.policies[{j}]")
        policies = list(owner.policies)
        policies[j] = policy
        owners[o][1] = owner.model_copy(update={"policies": policies})
    raise_if(problems)
    n = len(scenario.variants)
    variants = tuple(owner for _, owner in owners[:n])
    optimize = scenario.optimize if scenario.optimize is None else scenario.optimize.model_copy(update={"candidates": [c for _, c in owners[n:]]})
    return replace(scenario, variants=variants, optimize=optimize)


def _policy_settings(cmap: ChainMap | None, policies: Any, file: str, owner: tuple, rank_products: RankProducts | None) -> tuple[list | None, list[Problem]]:
    """Each policy of a variant (`owner` ("variants", k)) or an optimizer's candidate (("optimize", "candidates", k))
    validated against its kind's settings model, then checked against the map.

    Returns the validated settings (None when some policy is bad) and the
    problems, each naming `<owner>.policies[j]...`. A policy without a
    (string) kind is the schema's problem and is not reported again.
    """
    if not isinstance(policies, list):
        return None, []
    settings, problems = [], []
    for j, policy in enumerate(policies):
        field = format_loc((*owner, "policies", j))
        kind = policy.get("kind") if isinstance(policy, dict) else None
        if not isinstance(kind, str):
            settings = None
            continue
        entry = POLICIES.get(kind.strip())
        if entry is None:
            problems.append(Problem(file, f"{field}.kind", kind, f"a known policy: {names_hint(kind, POLICIES)}"))
            settings = None
            continue
        value, probs = validate(entry.settings, {**policy, "kind": kind.strip()}, file, (*owner, "policies", j))
        problems += [replace(p, expected=p.expected.replace("from_", "from")) for p in probs]  # `from` is a Python keyword
        if value is not None and cmap is not None:
            value = ranked(cmap, value, rank_products)
            probs = entry.check(cmap, value, file, field)
            problems += probs
            value = None if probs else value
        if value is None or settings is None:
            settings = None
        else:
            settings.append(value)
    return settings, problems


def _optimize_block(cmap: ChainMap | None, block: Optimize | None, raw: Any, file: str, rank_products: RankProducts | None) -> tuple[Optimize | None, list[Problem]]:
    """`[optimize]` with its candidates' policies validated as a variant's are, its chain budgets checked against the
    map's chains and its candidate names unique (names in `use` are checked once the candidates are drawn,
    `simcore.portfolios.candidates`)."""
    if block is None:
        return None, []
    problems, candidates = [], []
    items = raw.get("candidates") if isinstance(raw, dict) else None
    for k, candidate in enumerate(block.candidates):
        item = items[k] if isinstance(items, list) and k < len(items) and isinstance(items[k], dict) else {}
        settings, probs = _policy_settings(cmap, item.get("policies"), file, ("optimize", "candidates", k), rank_products)
        problems += probs
        candidates.append(candidate if settings is None else candidate.model_copy(update={"policies": settings}))
        first = next(j for j, c in enumerate(block.candidates) if c.name == candidate.name)
        if first != k:
            problems.append(Problem(file, f"optimize.candidates[{k}].name", candidate.name, f"a candidate name not used before (also optimize.candidates[{first}])"))
    if cmap is not None:
        chains = [c for c in cmap.chain_members if c != "total"]
        for chain in block.chain_budgets:
            if chain not in chains:
                problems.append(Problem(file, f"optimize.chain_budgets.{chain}", chain, f"a chain of the model ({', '.join(chains) or 'it names none'}){did_you_mean(chain, chains)}"))
    return block.model_copy(update={"candidates": candidates}), problems


def _priority_deadlocks(cmap: ChainMap, parameters, variants, file: str) -> list[Problem]:
    """`stabilize_chain_master` switching to priority rationing with final demand served ahead of some firm's
    orders: a rule that can deadlock a supply loop (docs/model.md, Rationing), so it is refused."""
    problems = []
    base_tier = int(np.nanmax([cmap.defaults.priority, *(np.nanmax(t.numbers("priority"), initial=-1) for t in (cmap.firms, cmap.links))]))
    for k, v in variants:
        tiers = [base_tier] + [o.priority for o in v.firms if o.priority is not None]
        final = next((p.final_demand_priority for p in (v.parameters, parameters) if p.final_demand_priority is not None), cmap.parameters.final_demand_priority)
        for j, policy in enumerate(v.policies):
            if getattr(policy, "kind", None) == "stabilize_chain_master" and getattr(policy, "set_rationing", False) is True and final < max(tiers):
                problems.append(Problem(
                    file, f"variants[{k}].policies[{j}].set_rationing", True,
                    f"false while final demand (tier {final}) is served ahead of firms' orders in tier {max(tiers)}: priority "
                    "rationing could then deadlock a supply loop (docs/model.md, Rationing); or set final_demand_priority "
                    f">= {max(tiers)}",
                ))  # fmt: skip
    return problems


def _after_the_horizon(horizon: int, shocks, variants, file: str) -> list[Problem]:
    """Shocks and timed policies that would start on or after the last day: they would silently do nothing."""
    expected = f"a day before the horizon ({horizon} days: ticks 0 to {horizon - 1}); starting later it would do nothing"
    problems = [
        Problem(file, f"shocks[{n}].start", s.start, expected)
        for n, s in shocks
        if isinstance(s.start, (int, float)) and s.start > horizon - 1
    ]
    for k, v in variants:
        for j, p in enumerate(v.policies):
            start = getattr(p, "start", 0.0)
            if isinstance(start, (int, float)) and start > horizon - 1:
                problems.append(Problem(file, f"variants[{k}].policies[{j}].start", start, expected))
    return problems


def _beyond_limits(cmap: ChainMap, shocks, table: ShockTable, horizon: int, file: str) -> list[Problem]:
    """Shocks the engines cannot hold (simcore.limits): disrupted lead times beyond MAX_LEAD_TIME, and
    random outages expecting more than MAX_RANDOM_ROWS events a replication (all such shocks together)."""
    problems = []
    lead = cmap.links.numbers("lead_time")
    factor = np.ones(len(lead))
    reported: set[int] = set()
    for kind, target, value, source in zip(table.kind, table.target, table.value, table.source):
        if kind != LEAD or value <= 1.0:
            continue
        factor[target] *= value  # as the engine's ring does: every disruption of a link, overlapping or not
        delayed = lead[target] * factor[target]
        if delayed > MAX_LEAD_TIME and source not in reported:
            reported.add(int(source))
            link = cmap.links[target]
            expected = lead_time_expectation(delayed) + f"; link {link.supplier} -> {link.customer} takes {lead[target]:g} days x {factor[target]:g}"
            problems.append((int(source), Problem(file, f"shocks[{source}].lead_time_factor", float(value), expected)))
    expected_rows = 0.0
    for n, s in shocks:
        if isinstance(s, RandomOutage):
            window = max((horizon if s.end is None else s.end) - s.start, 0.0)
            firms = len(select_firms(cmap, s.select))
            rows = s.rate * window * firms
            expected_rows += rows
            if expected_rows > MAX_RANDOM_ROWS:
                problems.append((n, Problem(file, f"shocks[{n}].rate", s.rate, random_rows_expectation(rows, s.rate, window, firms))))
                expected_rows = 0.0  # report each shock that overflows the budget, not every later one
    return [p for _, p in sorted(problems, key=lambda item: item[0])]


def _cover_problems(cmap: ChainMap, override, file: str, field: str) -> list[Problem]:
    """Inputs in an override's `cover_by_input` that no selected firm uses (a typo would otherwise do nothing)."""
    chosen = select_firms(cmap, override.select)
    used = {q for k in chosen for q in cmap.products[cmap.firm_product[k]].recipe}
    problems = []
    for q in override.cover_by_input:
        if q not in cmap.product_index:
            problems.append(Problem(file, f"{field}.{q}", q, "the id of a product of the model" + did_you_mean(q, cmap.product_index)))
        elif len(chosen) and q not in used:
            problems.append(Problem(file, f"{field}.{q}", q, f"an input of some selected firm ({', '.join(sorted(used)) or 'they use no inputs'})"))
    return problems


def _display_path(p: Path) -> Path:
    """Relative to the working directory when possible, so messages stay short."""
    try:
        return p.relative_to(Path.cwd())
    except ValueError:
        return p
