"""simcore: supply-chain resilience simulation.

Load a chain map and a scenario, run its variants, read the results as tidy tables:

    >>> import simcore
    >>> result = simcore.run("scenarios/ev_chip_embargo.toml")
    >>> result.metrics()              # loss, depth, TTS, TTR, fill rate, firms affected
    >>> result.chain_trajectories()   # per-day chain output per variant
    >>> best = simcore.optimize("scenarios/ev_chain_leader_budget.toml", budget=5e7)   # a portfolio under a budget
"""

from simcore.api import load_scenario, run
from simcore.chainmap import ChainMap, load_model
from simcore.errors import InputError, Problem, SimcoreError
from simcore.portfolios import OptimizeResult, optimize
from simcore.result import ScenarioResult
from simcore.scenario import Scenario

__all__ = ["ChainMap", "InputError", "OptimizeResult", "Problem", "Scenario", "ScenarioResult", "SimcoreError", "load_model", "load_scenario", "optimize", "run"]
__version__ = "0.1.0"
