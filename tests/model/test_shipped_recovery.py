"""Every shipped scenario, every variant, every rationing rule that cannot deadlock there: once every shock has
ended and its recovery profile has run out, chain output is back at >= 99% of baseline within a bounded time
(docs/model.md, Rationing). Proportional rationing can deadlock a supply loop, so it is held to this only on
maps without loops."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

import simcore
from simcore.compile import compile_run
from simcore.core.compiled import MIXED, PRIORITY, PROPORTIONAL
from simcore.engines.numba import run_numba

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))
RECOVERY_BOUND = 365  # days after the last shock's effect has ended


def effect_end(run) -> float:
    """The day after which no shock row of `run` has any effect left (exponential tails: below 1e-6)."""
    end = 0.0
    for start, duration, profile, param in zip(run.shock_start, run.shock_duration, run.shock_profile, run.shock_param):
        tail = 0.0 if profile == 0 else param if profile == 1 else param * np.log2(1e6)
        end = max(end, start + duration + tail)
    return end


@pytest.mark.parametrize("scenario", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_variant_recovers_under_every_rule(scenario):
    sc = simcore.load_scenario(scenario)
    rules = [MIXED, PRIORITY] + ([PROPORTIONAL] if sc.model.loop_gain == 0 else [])
    for variant in sc.variants:
        run = compile_run(sc, variant.name, replication=0 if sc.is_random else None)
        horizon = int(np.ceil(effect_end(run))) + RECOVERY_BOUND
        for rule in rules:
            final_tier = max(run.final_tier, int(run.link_tier.max())) if rule == PRIORITY else run.final_tier  # firms first
            tr = run_numba(dataclasses.replace(run, horizon=horizon, rationing=rule, final_tier=final_tier), firm_trajectories=False)
            ratio = tr.chain_output[-30:] / run.chain_baseline
            assert np.all(ratio >= 0.99), (variant.name, rule, ratio.min(axis=0))
