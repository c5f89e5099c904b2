"""Scenarios: which model, which shocks, which variants (MODEL.md §4-5)."""

from simcore.scenario.load import Scenario, read_scenario

__all__ = ["Scenario", "read_scenario"]
