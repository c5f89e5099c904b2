"""Shared helpers for policy tests: write a model and a scenario into a folder, load it, run both engines."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from builders import write_model
from equality import assert_same_numbers

from simcore import load_scenario
from simcore.compile import compile_run
from simcore.core.compiled import CompiledRun
from simcore.engines.numba import run_numba
from simcore.engines.reference import run_reference
from simcore.engines.trajectories import Trajectories
from simcore.scenario import Scenario

PART = {"id": "part", "category": "basic_component"}
GOOD = {"id": "good", "category": "final_product", "recipe": {"part": 1.0}}


def write_scenario(tmp_path: Path, model: dict, body: str, horizon: int = 30, name: str = "scenario.toml") -> Path:
    """Write `model` (keyword arguments of `builders.model_toml`) as model.toml and a scenario over it;
    `body` is the TOML after the `[scenario]` table."""
    records = (model["products"], model["firms"], model["links"], model["demand"])
    write_model(tmp_path, *records, defaults=model.get("defaults"), parameters=model.get("parameters"))
    head = f'[scenario]\nname = "policy test"\nmodel = "model.toml"\nhorizon = {horizon}\n\n'
    path = Path(tmp_path) / name
    path.write_text(head + body)
    return path


def scenario(tmp_path: Path, model: dict, body: str, horizon: int = 30, name: str = "scenario.toml") -> Scenario:
    """Write a scenario (see `write_scenario`) and load it."""
    return load_scenario(write_scenario(tmp_path, model, body, horizon, name))


def both_engines(run: CompiledRun) -> Trajectories:
    """Run the reference and the Numba engine, assert they agree on every recorded array, return the reference's."""
    ref = run_reference(run, True)
    assert_same_numbers(run, ref, run_numba(run, True))
    return ref


def simulate(sc: Scenario, variant: str) -> tuple[CompiledRun, Trajectories]:
    run = compile_run(sc, variant)
    return run, both_engines(run)


def firm(sc: Scenario, trajectories: Trajectories, firm_id: str) -> np.ndarray:
    return trajectories.firm_output[:, sc.model.firm_index[firm_id]]
