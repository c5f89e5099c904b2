"""Scenarios: which model, which shocks, which variants (docs/model.md, Shocks and Policies)."""

from simcore.scenario.load import Scenario, read_scenario

__all__ = ["Scenario", "read_scenario"]
