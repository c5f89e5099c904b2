"""The public entry points a notebook and the CLI share."""

from __future__ import annotations

from pathlib import Path

from tqdm.auto import tqdm

from simcore.compile import compile_parts
from simcore.engines import DEFAULT_ENGINE, get_engine
from simcore.result import ScenarioResult, VariantResult
from simcore.scenario import Scenario, load_scenario


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
    random shocks runs on what replication 0 draws (`simcore.montecarlo` runs many).
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    simulate = get_engine(engine)
    record_firms = scenario.output.firm_trajectories if firm_trajectories is None else firm_trajectories
    seed = scenario.seed if seed is None else seed
    results = []
    for variant in tqdm(scenario.variants, desc="variants", unit="variant", disable=not progress):
        run, shocks = compile_parts(scenario, variant)
        if scenario.is_random:
            shocks = scenario.sampler.draw(seed, 0).apply(shocks)
        compiled = run.with_shocks(shocks)
        results.append(VariantResult(variant.name, compiled, simulate(compiled, record_firms), shocks))
    return ScenarioResult(scenario, engine, seed, results)
