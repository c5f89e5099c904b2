"""The public entry points a notebook and the CLI share."""

from __future__ import annotations

from pathlib import Path

from simcore.compile import compile_variant
from simcore.engines import DEFAULT_ENGINE, get_engine
from simcore.knockouts import rank_under_scenario, ranked_losses
from simcore.result import ScenarioResult, VariantResult
from simcore.scenario import Scenario, read_scenario


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario and its model; raise InputError listing every problem.

    A `fill_short_board` policy with `top = N` gets its short boards ranked here,
    by a stress test on the model (`simcore.knockouts.ranked_losses`), or with
    `rank = "scenario"` under the scenario's shocks
    (`simcore.knockouts.rank_under_scenario`), so that compiling never runs one.
    """
    return read_scenario(path, ranked_losses, rank_under_scenario)


def run(
    scenario: Scenario | str | Path,
    engine: str = DEFAULT_ENGINE,
    seed: int | None = None,
    firm_trajectories: bool | None = None,
    progress: bool = False,
) -> ScenarioResult:
    """Run every variant of a scenario and return its result.

    `seed` overrides the scenario's; `firm_trajectories` overrides its
    `[output]` setting (chain totals are always recorded). A scenario with
    random shocks or uncertain parameters runs on what replication 0 draws (`simcore.montecarlo` runs many).
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    simulate = get_engine(engine)
    record_firms = scenario.output.firm_trajectories if firm_trajectories is None else firm_trajectories
    seed = scenario.seed if seed is None else seed
    results = []
    world = scenario.uncertainty.world(scenario, scenario.uncertainty.draw(seed, 0)) if scenario.uncertainty else scenario
    variants = world.variants
    if progress:  # tqdm (and the asyncio it loads) only for a progress bar
        from tqdm.auto import tqdm

        variants = tqdm(variants, desc="variants", unit="variant")
    for variant in variants:
        compiled = compile_variant(world, variant)
        shocks = world.drawn_shocks(compiled.shocks, 0, seed)
        run = compiled.run.with_shocks(shocks)
        results.append(VariantResult(variant.name, run, simulate(run, record_firms), shocks, compiled))
    return ScenarioResult(scenario, engine, seed, results)
