"""simcore: supply-chain resilience simulation.

Load a chain map and a scenario, run its variants, read the results as tidy tables:

    >>> import simcore
    >>> result = simcore.run("scenarios/ev_chip_embargo.toml")
    >>> result.metrics()              # loss, depth, TTS, TTR, fill rate, firms affected
    >>> result.chain_trajectories()   # per-day chain output per variant
    >>> best = simcore.optimize("scenarios/ev_chain_leader_budget.toml", budget=5e7)   # a portfolio under a budget
"""

from __future__ import annotations

import importlib

# Lazy (PEP 562): `import simcore` or `simcore.cli` loads nothing heavy; each name is imported on first use, so a
# command pays only for what it runs (the start-up budget in benchmarks/jit.py).
_WHERE = {
    "load_scenario": "simcore.api",
    "run": "simcore.api",
    "ChainMap": "simcore.chainmap",
    "load_model": "simcore.chainmap",
    "InputError": "simcore.errors",
    "Problem": "simcore.errors",
    "SimcoreError": "simcore.errors",
    "OptimizeResult": "simcore.portfolios",
    "optimize": "simcore.portfolios",
    "ScenarioResult": "simcore.result",
    "Scenario": "simcore.scenario",
}
__all__ = sorted(_WHERE)
__version__ = "0.1.0"


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'simcore' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_WHERE])
