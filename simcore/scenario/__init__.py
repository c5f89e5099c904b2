"""Scenarios: which model, which shocks, which variants (docs/model.md, Shocks and Policies)."""

from simcore.scenario.load import Scenario, load_scenario

__all__ = ["Scenario", "load_scenario"]
